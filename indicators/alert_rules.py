"""Alert rules as versioned data (``indicators/alert_rules/<edition>.yaml``), validated like the catalogue:
an unknown field, a missing or misplaced threshold, an unknown record type or a repeated code is refused
with a message naming the rule.

A rule says what to watch in a new result (grade fell, a red line hit, the total dropped, records of one
type piling up, an enterprise of the last period whose data is still missing when a period run is made
after the period's submission deadline, an improvement-plan action past its due date, an objection or a
credit repair not decided by its deadline), how serious it is,
and who is told (roles, and whether the enterprise's city sees it)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from indicators.loader import describe_error, edition_path, parse_yaml, read_yaml
from indicators.models import Strict, to_tenths
from lrc.errors import CatalogueError

ALERT_RULES_DIR = Path(__file__).parent / "alert_rules"
RECORD_TYPES_DIR = Path(__file__).parent / "record_types"
Kind = Literal[
    "grade_fell", "red_line", "total_dropped", "records_within", "missing_after_deadline", "plan_overdue",
    "case_overdue",
]  # fmt: skip
KIND_ZH: dict[str, str] = {
    "grade_fell": "等级下降",
    "red_line": "新触红线",
    "total_dropped": "总分下降",
    "records_within": "记录累积",
    "missing_after_deadline": "逾期未报送",
    "plan_overdue": "改进措施逾期",
    "case_overdue": "异议或修复逾期未决",
}
Severity = Literal["high", "medium", "low"]
SEVERITY_ZH: dict[str, str] = {"high": "高", "medium": "中", "low": "低"}
PARAMS: dict[str, tuple[str, ...]] = {  # the thresholds each kind takes (all required)
    "grade_fell": ("steps",),
    "red_line": (),
    "total_dropped": ("points",),
    "records_within": ("record_type", "count", "days"),
    "missing_after_deadline": (),
    "plan_overdue": (),
    "case_overdue": (),
}


THRESHOLDS = ("steps", "points", "record_type", "count", "days")


class Notify(Strict):
    roles: list[Literal["viewer", "analyst", "publisher", "admin"]] = Field(min_length=1)
    scope: Literal["region", "province"]  # region: the enterprise's city sees it too; province: province-wide only


class AlertRule(Strict):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,39}$")
    kind: Kind
    title_zh: str = Field(min_length=1, max_length=60)
    title_en: str = Field(min_length=1, max_length=80)
    severity: Severity
    notify: Notify
    steps: int | None = Field(default=None, ge=1, le=5)
    points: Decimal | None = Field(default=None, gt=0, le=100)
    record_type: str | None = None
    count: int | None = Field(default=None, ge=2, le=100)
    days: int | None = Field(default=None, ge=1, le=3660)

    @field_validator("points")
    @classmethod
    def _tenths(cls, value: Decimal | None) -> Decimal | None:
        if value is not None:
            to_tenths(value)
        return value

    @model_validator(mode="after")
    def _thresholds(self) -> AlertRule:
        wanted, kind = PARAMS[self.kind], KIND_ZH[self.kind]
        given = [name for name in THRESHOLDS if getattr(self, name) is not None]
        missing = ", ".join(name for name in wanted if name not in given)
        extra = ", ".join(name for name in given if name not in wanted)
        if missing:
            raise ValueError(f"{kind}规则缺少 {missing} ({self.kind} needs {missing})")
        if extra:
            raise ValueError(f"{kind}规则不用 {extra} ({self.kind} takes no {extra})")
        return self

    @property
    def points_tenths(self) -> int:
        return to_tenths(self.points) if self.points is not None else 0


class AlertRules(Strict):
    version: str = Field(min_length=1, max_length=32)
    rules: list[AlertRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> AlertRules:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.code in seen:
                raise ValueError(f"规则代码 {rule.code} 重复 (duplicate rule code)")
            seen.add(rule.code)
        return self

    def rule(self, code: str) -> AlertRule:
        return next(r for r in self.rules if r.code == code)


def known_record_types(directory: Path = RECORD_TYPES_DIR) -> set[str]:
    """Every record type code of the shipped record-type editions."""
    codes: set[str] = set()
    for path in directory.glob("*.yaml"):
        document = parse_yaml(path.read_text(encoding="utf-8")) or {}
        codes.update(str(t.get("code")) for t in document.get("record_types", []) if isinstance(t, dict))
    return codes


def load_alert_rules(version: str | None = None, path: Path | None = None) -> AlertRules:
    """The rules at ``path``, or the shipped ``version`` (default: the newest)."""
    return _load(str(path or edition_path(ALERT_RULES_DIR, version, "预警规则")))


@lru_cache(maxsize=4)
def _load(path: str) -> AlertRules:
    return parse_alert_rules(read_yaml(path, "预警规则"), source=path)


def parse_alert_rules(raw: Any, source: str = "<alert rules>") -> AlertRules:
    """Validate a rules document; each error names the rule (by code) and the field."""
    try:
        rules = AlertRules.model_validate(raw)
    except ValidationError as exc:
        lines = [describe_error(err, raw) for err in exc.errors()]
        raise CatalogueError(f"{source}: 预警规则无效 (invalid alert rules):\n  " + "\n  ".join(lines)) from None
    known = known_record_types()
    unknown = [r for r in rules.rules if r.record_type is not None and r.record_type not in known]
    if unknown:
        lines = [f"rules[{r.code}].record_type: 未知的记录类型 {r.record_type} (unknown record type)" for r in unknown]
        raise CatalogueError(f"{source}: 预警规则无效 (invalid alert rules):\n  " + "\n  ".join(lines))
    return rules


