"""Pydantic models of the indicator catalogue.

The catalogue is data (``indicators/catalogue/*.yaml``); these models define
what a valid catalogue is. Every check that can name an item does, so a
catalogue author sees which item is wrong and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, get_args

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


class BaseRule(Strict):
    """What every rule type's data answers: the fields it reads, and whether its points and fields fit the
    item. Each rule type is one subclass; ``scoring.rule_types`` holds how each scores, explains and writes SQL."""

    @property
    def reads(self) -> list[str]:
        """The input fields the rule reads, numerator first."""
        return []

    def check_points(self, where: str, points: Decimal) -> None:
        """Raise ValueError where the rule's own points do not fit the item's ``points``."""

    def check(self, where: str, fields: Mapping[str, InputField]) -> None:
        """Raise ValueError where a field the rule reads cannot be read as the rule reads it (type, range)."""


class FlagRule(BaseRule):
    """Points when a yes/no fact equals ``when``."""

    type: Literal["flag"]
    field: str
    when: bool = True

    @property
    def reads(self) -> list[str]:
        return [self.field]

    def check(self, where: str, fields: Mapping[str, InputField]) -> None:
        field = fields[self.field]
        if field.type != "bool":
            raise ValueError(f"{where}: a flag rule needs a bool field, {field.name} is {field.type}")


class ThresholdRule(BaseRule):
    """Points when ``field`` (divided by ``per`` if given) compares ``op`` to ``value``."""

    type: Literal["threshold"]
    field: str
    per: str | None = None
    label_zh: str = Field("", description="name of the measured value, e.g. 劳动合同签订率")
    op: Literal[">=", ">", "<=", "<", "=="]
    value: float

    @property
    def reads(self) -> list[str]:
        return [self.field, *([self.per] if self.per else [])]

    def check(self, where: str, fields: Mapping[str, InputField]) -> None:
        low, high = _reachable(where, self, fields)
        v = self.value
        impossible = {
            ">=": v > high,
            ">": v >= high,
            "<=": v < low,
            "<": v <= low,
            "==": not low <= v <= high,
        }[self.op]
        always = {">=": v <= low, ">": False, "<=": v >= high, "<": False, "==": False}[self.op]
        if impossible or always:
            what = "can never be met" if impossible else "is always met"
            raise ValueError(f"{where}: threshold {self.op} {v} {what} (range {low}..{high})")


class Band(Strict):
    min: float
    points: Decimal


class BandedRule(BaseRule):
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

    @property
    def reads(self) -> list[str]:
        return [self.field, *([self.per] if self.per else [])]

    def check_points(self, where: str, points: Decimal) -> None:
        low, high = sorted((Decimal(0), points))
        for band in self.bands:
            if not low <= band.points <= high:
                raise ValueError(f"{where}: band points {band.points} outside 0..{points}")
            to_tenths(band.points)
        if points not in {b.points for b in self.bands}:
            raise ValueError(f"{where}: no band reaches the item's points {points}")

    def check(self, where: str, fields: Mapping[str, InputField]) -> None:
        low, high = _reachable(where, self, fields)
        for band in self.bands[1:]:
            if not low < band.min <= high:
                raise ValueError(f"{where}: band minimum {band.min} outside the reachable range {low}..{high}")


def _reachable(where: str, rule: ThresholdRule | BandedRule, fields: Mapping[str, InputField]) -> tuple[float, float]:
    """The range the value a rule compares can take: a numeric field's, or 0.. for a ratio of one that is
    never negative over a denominator of at least 1."""
    field = _numeric(where, rule, fields[rule.field])
    if rule.per is None:
        low = field.min if field.min is not None else float("-inf")
        high = field.max if field.max is not None else float("inf")
        return low, high
    denominator = fields[rule.per]
    if denominator.type == "bool" or denominator.min is None or denominator.min < 1:
        raise ValueError(f"{where}: denominator {rule.per} must be a number with min >= 1")
    return (0.0 if field.min is not None and field.min >= 0 else float("-inf")), float("inf")


def _numeric(where: str, rule: ThresholdRule | BandedRule | CountRule, field: InputField) -> InputField:
    if field.type == "bool":
        raise ValueError(f"{where}: rule {rule.type} cannot read the yes/no field {field.name}")
    return field


class CountRule(BaseRule):
    """``each`` points per occurrence counted in ``field``, capped at the item's points."""

    type: Literal["per_occurrence"]
    field: str
    each: Decimal

    @property
    def reads(self) -> list[str]:
        return [self.field]

    def check_points(self, where: str, points: Decimal) -> None:
        to_tenths(self.each)
        if self.each == 0 or (self.each > 0) != (points > 0):
            raise ValueError(f"{where}: per-occurrence points {self.each} have the wrong sign")
        if abs(self.each) > abs(points):
            raise ValueError(f"{where}: one occurrence ({self.each}) exceeds the cap {points}")

    def check(self, where: str, fields: Mapping[str, InputField]) -> None:
        field = _numeric(where, self, fields[self.field])
        if field.type != "int" or field.min is None or field.min < 0:
            raise ValueError(f"{where}: per_occurrence needs a non-negative int field, not {field.name}")


class RecordsRule(BaseRule):
    """Points from the enterprise's live records of ``types``: each record as its type and tier
    declare, plus ``escalation`` for every record after the first (explicit, same sign as the
    item), capped at the item's points. Records are never "not reported": no record is 0. It reads no
    field (the catalogue checks its record types)."""

    type: Literal["records"]
    types: Annotated[list[str], Field(min_length=1)]
    escalation: Decimal = Decimal(0)

    def check_points(self, where: str, points: Decimal) -> None:
        to_tenths(self.escalation)
        if self.escalation and (self.escalation > 0) != (points > 0):
            raise ValueError(f"{where}: escalation {self.escalation} has the wrong sign")


AnyRule = FlagRule | ThresholdRule | BandedRule | CountRule | RecordsRule
Rule = Annotated[AnyRule, Field(discriminator="type")]
RULE_MODELS: tuple[type[BaseRule], ...] = get_args(AnyRule)


def rule_type(model: type[BaseRule]) -> str:
    """The ``type`` a rule model is known by in the catalogue (and in the scoring registry)."""
    (name,) = get_args(model.model_fields["type"].annotation)
    return str(name)


RULE_TYPES: tuple[str, ...] = tuple(rule_type(model) for model in RULE_MODELS)


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
        return self.rule.reads

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
        self.rule.check_points(where, self.points)
        return self


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
