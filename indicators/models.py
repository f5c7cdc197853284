"""Pydantic models of the indicator catalogue.

The catalogue is data (``indicators/catalogue/*.yaml``); these models define
what a valid catalogue is. Every check that can name an item does, so a
catalogue author sees which item is wrong and why.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

EXPECTED_COUNTS = {"level1": 8, "level2": 20, "level3": 33, "items": 75}
MAX_ITEM_TENTHS = 3000  # one item moves a score by at most 300 points; the engine stores int16 tenths


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def to_tenths(value: Decimal) -> int:
    """Points are kept as integer tenths so sums never drift."""
    tenths = value * 10
    if tenths != tenths.to_integral_value():
        raise ValueError(f"points {value} are not a multiple of 0.1")
    return int(tenths)


class InputField(Strict):
    """One fact an enterprise reports for a period."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    type: Literal["bool", "int", "number"]
    name_zh: str
    name_en: str
    unit: str = ""
    unit_en: str = ""
    min: float | None = None
    max: float | None = None
    at_most: str | None = Field(None, description="another field this one can never exceed (people ≤ headcount)")
    required: bool = Field(False, description="a blank cell is refused at ingest instead of being a data gap")
    description_zh: str = ""

    @model_validator(mode="after")
    def _range(self) -> InputField:
        if self.type == "bool" and (self.min is not None or self.max is not None):
            raise ValueError(f"field {self.name}: a bool field has no min/max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"field {self.name}: min {self.min} > max {self.max}")
        return self


class FlagRule(Strict):
    """Points when a yes/no fact equals ``when``."""

    type: Literal["flag"]
    field: str
    when: bool = True


class ThresholdRule(Strict):
    """Points when ``field`` (divided by ``per`` if given) compares ``op`` to ``value``."""

    type: Literal["threshold"]
    field: str
    per: str | None = None
    label_zh: str = Field("", description="name of the measured value, e.g. 劳动合同签订率")
    op: Literal[">=", ">", "<=", "<", "=="]
    value: float


class Band(Strict):
    min: float
    points: Decimal


class BandedRule(Strict):
    """Points of the highest band whose ``min`` the value (divided by ``per``) reaches."""

    type: Literal["banded"]
    field: str
    per: str | None = None
    label_zh: str = Field("", description="name of the measured value, e.g. 社会保险参保率")
    bands: Annotated[list[Band], Field(min_length=2)]

    @field_validator("bands")
    @classmethod
    def _ascending(cls, bands: list[Band]) -> list[Band]:
        mins = [b.min for b in bands]
        if mins != sorted(mins) or len(set(mins)) != len(mins):
            raise ValueError("band minimums must be strictly ascending")
        return bands


class CountRule(Strict):
    """``each`` points per occurrence counted in ``field``, capped at the item's points."""

    type: Literal["per_occurrence"]
    field: str
    each: Decimal


class RecordsRule(Strict):
    """Points from the enterprise's live records of ``types``: each record as its type and tier
    declare, plus ``escalation`` for every record after the first (explicit, same sign as the
    item), capped at the item's points. Records are never "not reported": no record is 0."""

    type: Literal["records"]
    types: Annotated[list[str], Field(min_length=1)]
    escalation: Decimal = Decimal(0)


Rule = Annotated[FlagRule | ThresholdRule | BandedRule | CountRule | RecordsRule, Field(discriminator="type")]
RULE_TYPES: tuple[str, ...] = ("flag", "threshold", "banded", "per_occurrence", "records")


def rule_fields(rule: FlagRule | ThresholdRule | BandedRule | CountRule | RecordsRule) -> list[str]:
    """The input fields a rule reads, numerator first (none for records)."""
    if isinstance(rule, RecordsRule):
        return []
    per = getattr(rule, "per", None)
    return [rule.field] + ([per] if per else [])


class Condition(Strict):
    """``field`` compared to ``value`` (a yes/no field compares as 1/0)."""

    field: str
    op: Literal[">=", ">", "<=", "<", "==", "!="]
    value: float

    def describe(self, name_zh: str) -> str:
        words = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}
        return f"{name_zh} {words[self.op]} {self.value:g}"


class LegalRef(Strict):
    law_zh: str
    law_en: str
    article: str = ""


class Node(Strict):
    code: str
    name_zh: str
    name_en: str


class ChildNode(Node):
    parent: str


class Item(Strict):
    code: Annotated[str, Field(pattern=r"^[A-H]\d\.\d\.\d{1,2}$")]
    name_zh: str
    name_en: str
    level3: str
    kind: Literal["add", "deduct"]
    points: Decimal
    rule: Rule
    legal_basis: list[LegalRef] | Literal["none"]
    evidence_zh: str
    red_line: bool = False
    applies_when: Condition | None = Field(
        None,
        description="where the law asks this of the enterprise; elsewhere the item is not applicable: "
        "full marks for an add item, nothing for a deduct item, and never a data gap",
    )
    applies_note_zh: str = Field("", description="why the item may not apply, e.g. 工会法第十一条:不足25人可设组织员")
    requires: str | None = Field(
        None, description="an earlier item this one builds on: when that item earns nothing here earns nothing"
    )

    @property
    def points_tenths(self) -> int:
        return to_tenths(self.points)

    @property
    def reads(self) -> list[str]:
        return rule_fields(self.rule)

    @property
    def uses(self) -> list[str]:
        """Every field the item looks at: the rule's, then the applicability condition's."""
        extra = [self.applies_when.field] if self.applies_when and self.applies_when.field not in self.reads else []
        return [*self.reads, *extra]

    @model_validator(mode="after")
    def _consistent(self) -> Item:
        where = f"item {self.code}"
        try:
            tenths = to_tenths(self.points)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if abs(tenths) > MAX_ITEM_TENTHS:
            raise ValueError(f"{where}: points {self.points} beyond ±{MAX_ITEM_TENTHS // 10}")
        if tenths == 0 or (tenths > 0) != (self.kind == "add"):
            raise ValueError(
                f"{where}: kind {self.kind} needs {'positive' if self.kind == 'add' else 'negative'} points"
            )
        if self.red_line and self.kind != "deduct":
            raise ValueError(f"{where}: only a deduct item can be a red line")
        if isinstance(self.legal_basis, list) and not self.legal_basis:
            raise ValueError(f"{where}: legal_basis is empty; write 'none' if the item rests on no law")
        self._check_rule_points(where)
        return self

    def _check_rule_points(self, where: str) -> None:
        low, high = sorted((Decimal(0), self.points))
        if isinstance(self.rule, BandedRule):
            for band in self.rule.bands:
                if not low <= band.points <= high:
                    raise ValueError(f"{where}: band points {band.points} outside 0..{self.points}")
                to_tenths(band.points)
            if self.points not in {b.points for b in self.rule.bands}:
                raise ValueError(f"{where}: no band reaches the item's points {self.points}")
        if isinstance(self.rule, RecordsRule):
            to_tenths(self.rule.escalation)
            if self.rule.escalation and (self.rule.escalation > 0) != (self.points > 0):
                raise ValueError(f"{where}: escalation {self.rule.escalation} has the wrong sign")
        if isinstance(self.rule, CountRule):
            to_tenths(self.rule.each)
            if self.rule.each == 0 or (self.rule.each > 0) != (self.points > 0):
                raise ValueError(f"{where}: per-occurrence points {self.rule.each} have the wrong sign")
            if abs(self.rule.each) > abs(self.points):
                raise ValueError(f"{where}: one occurrence ({self.rule.each}) exceeds the cap {self.points}")


class GradeBand(Strict):
    grade: str
    label_zh: str
    label_en: str
    min_total: Decimal | None = Field(description="lowest total in the band; null for the bottom band")
    min_completeness: Decimal | None = Field(
        None, ge=0, le=1, description="share of items that must be reported to reach this band"
    )

    def reported_needed(self, items: int) -> int:
        """How many of ``items`` must be reported for this band (exact, no float rounding)."""
        if self.min_completeness is None:
            return 0
        needed = self.min_completeness * items
        return int(needed.to_integral_value(rounding="ROUND_CEILING"))

    @field_validator("min_total")
    @classmethod
    def _tenths(cls, value: Decimal | None) -> Decimal | None:
        if value is not None:
            to_tenths(value)
        return value


class ConsistencyCheck(Strict):
    """Facts that cannot both hold, refused at ingest: when ``when`` holds, ``then`` must too."""

    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]
    when: Condition
    then: Condition
    message_zh: str


class ChangelogEntry(Strict):
    version: str
    date: date
    changes_zh: list[str]
    changes_en: list[str] = []
