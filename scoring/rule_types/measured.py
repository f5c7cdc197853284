"""What the ``threshold`` and ``banded`` types share: they compare a measured value, a field divided by
``per`` where given. Divided by zero it is ±inf, and 0/0 is NaN, as numpy divides (in SQL as well)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, TypeVar

from indicators.models import BandedRule, ThresholdRule
from scoring.rule_types.base import RuleType
from scoring.wording import format_value

if TYPE_CHECKING:
    import numpy as np

    from indicators import Catalogue, Item
    from scoring.facts import FactBlock
    from scoring.sqlgen import SqlWriter

M = TypeVar("M", bound=ThresholdRule | BandedRule)


class MeasuredType(RuleType[M]):
    """A rule type whose rule compares a measured value."""

    @staticmethod
    def measured(rule: M, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
        """The value for a block of enterprises, and where it is not reported."""
        import numpy as np

        column = block[rule.field]
        if not rule.per:
            return column.data, column.missing
        per = block[rule.per]
        with np.errstate(divide="ignore", invalid="ignore"):
            value = column.data / per.data
        return value, column.missing | per.missing

    @staticmethod
    def measured_one(rule: M, facts: dict[str, Any]) -> float:
        """The value for one enterprise, its inputs reported."""
        value = float(facts[rule.field])
        return _ratio(value, float(facts[rule.per])) if rule.per else value

    def sql_measure(self, writer: SqlWriter, item: Item) -> str:
        """With ``per``, x/0 is ±inf and 0/0 NULL (compares false, as NaN does in numpy)."""
        rule = self.rule(item)
        value = writer.numeric(rule.field)
        if not rule.per:
            return value
        per, infinity = writer.numeric(rule.per), f"CAST('Infinity' AS {writer.d.double})"
        return (
            f"(CASE WHEN {per} = 0 THEN (CASE WHEN {value} > 0 THEN {infinity} WHEN {value} < 0 THEN -{infinity} END) "
            f"ELSE {value} / {per} END)"
        )

    @staticmethod
    def shown(catalogue: Catalogue, rule: M, reads: dict[str, Any]) -> tuple[str, float]:
        """The value's name and the value, for a reason."""
        label = rule.label_zh or catalogue.field_map[rule.field].name_zh
        value = float(reads[rule.field])
        return label, _ratio(value, float(reads[rule.per])) if rule.per else value

    @staticmethod
    def by_zero(catalogue: Catalogue, rule: M, label: str, value: float) -> str | None:
        """A reason's first half where ``per`` is 0 and the value, divided as the engine divides, is ±inf or NaN
        (no number to show: "nan%" said nothing); None otherwise."""
        if not rule.per or math.isfinite(value):
            return None
        return f"{label}无法计算({catalogue.field_map[rule.per].name_zh}为 0)"

    @staticmethod
    def pair(catalogue: Catalogue, rule: M, value: float, limit: float) -> tuple[str, str]:
        """Value and limit, with enough decimals that a value short of a limit never prints equal to it
        (99.95% is not "100% 未达 100%")."""
        field = catalogue.field_map[rule.field]
        per = catalogue.field_map[rule.per] if rule.per else None
        for digits in (1, 2, 3, 4):
            shown, bound = format_value(field, per, value, digits), format_value(field, per, limit, digits)
            if value == limit or shown != bound:
                break
        return shown, bound

    @staticmethod
    def named(catalogue: Catalogue, rule: M) -> str:
        """The value in words for a description, e.g. ``劳动合同签订率(= … ÷ 职工总数)``."""
        field = catalogue.field_map[rule.field]
        measure = rule.label_zh or field.name_zh
        if rule.per:
            measure = f"{measure}(= {field.name_zh} ÷ {catalogue.field_map[rule.per].name_zh})"
        return measure

    @staticmethod
    def limit(catalogue: Catalogue, rule: M, value: float) -> str:
        """A threshold as people read it, formatted as the reasons format values."""
        per = catalogue.field_map[rule.per] if rule.per else None
        return format_value(catalogue.field_map[rule.field], per, value, digits=2)


def _ratio(value: float, per: float) -> float:
    """``value / per`` as numpy divides (the engine does): by zero, infinite, or NaN for 0 / 0."""
    if per == 0:
        return math.nan if value == 0 or math.isnan(value) else math.copysign(math.inf, value)
    return value / per
