"""The objection and credit-repair policy as versioned data (``indicators/redress_policy/<edition>.yaml``),
validated like the catalogue: decision deadlines in working days, which authorities' records the union
routes instead of deciding, and the conditions of a repair. Which record types can be repaired, after how
long, and for how long they are shown is in the record-type data (``indicators/record_types``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from indicators.loader import describe_error, edition_path, read_yaml
from indicators.models import Strict
from indicators.record_types import SOURCE_KIND_ZH, SourceKind
from lrc.errors import CatalogueError

POLICY_DIR = Path(__file__).parent / "redress_policy"
Condition = Literal["rectified", "obligations_met", "pledge"]
CONDITION_ZH: dict[str, str] = {
    "rectified": "已纠正失信行为、消除不良影响",
    "obligations_met": "已履行法定义务(支付拖欠工资、缴纳罚款等)",
    "pledge": "已作出书面信用承诺并同意公开",
}


class ObjectionRules(Strict):
    decide_within_working_days: int = Field(ge=1, le=60)
    decided_by_others: list[SourceKind]


class RepairRules(Strict):
    decide_within_working_days: int = Field(ge=1, le=60)
    conditions: list[Condition] = Field(min_length=1)


class ExpiryRules(Strict):
    remove_within_working_days: int = Field(ge=1, le=60)


class RedressPolicy(Strict):
    version: str = Field(min_length=1, max_length=32)
    objection: ObjectionRules
    repair: RepairRules
    expiry: ExpiryRules

    def routed(self, source_kind: str) -> bool:
        """Whether records of this source are decided by another authority (an objection is routed there)."""
        return source_kind in self.objection.decided_by_others

    @staticmethod
    def authority_zh(source_kind: str) -> str:
        return SOURCE_KIND_ZH.get(source_kind, source_kind)


def load_redress_policy(version: str | None = None, path: Path | None = None) -> RedressPolicy:
    """The policy at ``path``, or the shipped ``version`` (default: the newest)."""
    return _load(str(path or edition_path(POLICY_DIR, version, "异议与信用修复规则")))


@lru_cache(maxsize=4)
def _load(path: str) -> RedressPolicy:
    return parse_redress_policy(read_yaml(path, "异议与信用修复规则"), source=path)


def parse_redress_policy(raw: Any, source: str = "<redress policy>") -> RedressPolicy:
    """Validate a policy document; each error names the field."""
    try:
        return RedressPolicy.model_validate(raw)
    except ValidationError as exc:
        lines = [describe_error(err, raw) for err in exc.errors()]
        heading = f"{source}: 异议与信用修复规则无效 (invalid objection and repair policy):\n  "
        raise CatalogueError(heading + "\n  ".join(lines)) from None
