"""``threshold``: the item's points when the measured value compares ``op`` to ``value``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from indicators.models import ThresholdRule
from scoring.operators import COMPARE, SQL_OPS
from scoring.rule_types.measured import MeasuredType
from scoring.wording import outcome

if TYPE_CHECKING:
    import numpy as np

    from indicators import Catalogue, Item
    from scoring.facts import FactBlock
    from scoring.sqlgen import SqlWriter

_WORDS = {  # op: (met, not met)
    ">=": ("达到", "未达"),
    ">": ("高于", "未高于"),
    "<=": ("不超过", "超过"),
    "<": ("低于", "未低于"),
    "==": ("等于", "不等于"),
}
_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


class ThresholdType(MeasuredType[ThresholdRule]):
    model = ThresholdRule

    def score(self, catalogue: Catalogue, item: Item, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        from scoring.vectors import COMPARISONS, award

        rule = self.rule(item)
        value, missing = self.measured(rule, block)
        with np.errstate(invalid="ignore"):
            hit = COMPARISONS[rule.op](value, rule.value)
        return award(hit, missing, item.points_tenths), missing

    def score_one(self, catalogue: Catalogue, item: Item, facts: dict[str, Any]) -> int:
        rule = self.rule(item)
        return item.points_tenths if COMPARE[rule.op](self.measured_one(rule, facts), rule.value) else 0

    def explain(self, catalogue: Catalogue, item: Item, reads: dict[str, Any], tenths: int) -> str:
        rule = self.rule(item)
        label, value = self.shown(catalogue, rule, reads)
        if zero := self.by_zero(catalogue, rule, label, value):
            return f"{zero},{outcome(item, tenths)}"
        word = _WORDS[rule.op][0 if tenths != 0 else 1]
        shown, bound = self.pair(catalogue, rule, value, rule.value)
        return f"{label} {shown} {word} {bound},{outcome(item, tenths)}"

    def describe(self, catalogue: Catalogue, item: Item, points: str) -> str:
        rule = self.rule(item)
        limit = self.limit(catalogue, rule, rule.value)
        return f"{self.named(catalogue, rule)} {_SYMBOLS[rule.op]} {limit} → {points}"

    def sql(self, writer: SqlWriter, item: Item, k: int) -> str:
        rule = self.rule(item)
        return f"CASE WHEN __m{k} {SQL_OPS[rule.op]} {writer.d.number(rule.value)} THEN {item.points_tenths} ELSE 0 END"
