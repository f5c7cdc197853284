"""Record types: dated, sourced facts about one enterprise that an authority (or the union)
decided, and how each one scores.

A record type is data (``indicators/record_types/<edition>.yaml``), validated here like the
catalogue: which catalogue item it scores (exactly one, so one event is never deducted twice
across the tree), its points per severity tier, how long a record counts from its decision date
(the display window of the official schemes: minor at most 3 months, general 3 to 12 months,
serious 1 to 3 years; wage-arrears blacklist 3 years), and after how long it may be repaired."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from indicators.models import MAX_ITEM_TENTHS, LegalRef, Strict, to_tenths

Tier = Literal["minor", "general", "serious"]
TIERS: tuple[Tier, ...] = ("minor", "general", "serious")
TIER_ZH: dict[str, str] = {"minor": "轻微", "general": "一般", "serious": "严重"}
SourceKind = Literal[
    "labour_inspection",  # 人社 劳动保障监察
    "arbitration",  # 劳动人事争议仲裁委员会
    "court",  # 人民法院
    "work_safety",  # 应急管理
    "health",  # 卫生健康
    "credit_platform",  # 信用平台 (名单、公布)
    "union",  # 工会 (核实的投诉、组建、集体合同)
    "honour_body",  # 表彰机关
]
SOURCE_KIND_ZH: dict[str, str] = {
    "labour_inspection": "人力资源社会保障行政部门(劳动保障监察)",
    "arbitration": "劳动人事争议仲裁委员会",
    "court": "人民法院",
    "work_safety": "应急管理部门",
    "health": "卫生健康部门",
    "credit_platform": "公共信用信息平台",
    "union": "工会",
    "honour_body": "表彰机关",
}


class TierRule(Strict):
    """How one record of a tier scores and for how long."""

    points: Decimal = Field(description="signed points of one record (negative: a deduction)")
    display_months: Annotated[int, Field(ge=1, le=120)] = Field(
        description="months from the decision date during which the record counts"
    )
    repair_after_months: Annotated[int, Field(ge=0, le=120)] | None = Field(
        None, description="months from the decision date before a repair may be requested; null: not repairable"
    )

    @property
    def points_tenths(self) -> int:
        return to_tenths(self.points)


class RecordType(Strict):
    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{1,39}$")]
    name_zh: str
    name_en: str
    source_kind: SourceKind
    item: str = Field(description="the one catalogue item this type scores")
    tiers: dict[Tier, TierRule] = Field(min_length=1)
    red_line: bool = False
    workers: bool = Field(False, description="records carry the number of workers affected")
    amount: bool = Field(False, description="records carry an amount of money (yuan)")
    legal_basis: list[LegalRef] | Literal["none"]
    description_zh: str = ""

    @property
    def tiered(self) -> bool:
        """Whether a record must say its tier (a type with one tier has it implied)."""
        return len(self.tiers) > 1

    @property
    def default_tier(self) -> Tier | None:
        return next(iter(self.tiers)) if not self.tiered else None

    @property
    def repairable(self) -> bool:
        return any(t.repair_after_months is not None for t in self.tiers.values())

    @model_validator(mode="after")
    def _consistent(self) -> RecordType:
        where = f"record type {self.code}"
        signs = set()
        for tier, rule in self.tiers.items():
            tenths = to_tenths(rule.points)
            if tenths == 0 or abs(tenths) > MAX_ITEM_TENTHS:
                raise ValueError(f"{where}: tier {tier} points must be non-zero and within ±{MAX_ITEM_TENTHS // 10}")
            signs.add(tenths > 0)
            if rule.repair_after_months is not None and rule.repair_after_months >= rule.display_months:
                raise ValueError(f"{where}: tier {tier} repair_after_months must be shorter than display_months")
        if len(signs) > 1:
            raise ValueError(f"{where}: all tiers must add, or all deduct")
        if self.red_line and True in signs:
            raise ValueError(f"{where}: only a deducting type can be a red line")
        if isinstance(self.legal_basis, list) and not self.legal_basis:
            raise ValueError(f"{where}: legal_basis is empty; write 'none' if the type rests on no law")
        return self

    @field_validator("tiers")
    @classmethod
    def _in_order(cls, tiers: dict[Tier, TierRule]) -> dict[Tier, TierRule]:
        """Tiers minor, general, serious, however they were written (stored copies sort their keys)."""
        return {t: tiers[t] for t in TIERS if t in tiers}


def record_column(code: str, tier: str) -> str:
    """The engine's input column counting the live records of one type and tier."""
    return f"record:{code}:{tier}"
