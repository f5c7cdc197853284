"""``banded``: the points of the highest band whose ``min`` the measured value reaches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from indicators import to_tenths
from indicators.models import BandedRule
from scoring.rule_types.measured import MeasuredType
from scoring.wording import outcome

if TYPE_CHECKING:
    import numpy as np

    from indicators import Catalogue, Item
    from scoring.facts import FactBlock
    from scoring.sqlgen import SqlWriter


class BandedType(MeasuredType[BandedRule]):
    model = BandedRule

    def score(self, catalogue: Catalogue, item: Item, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        rule = self.rule(item)
        value, missing = self.measured(rule, block)
        table = np.array([to_tenths(b.points) for b in rule.bands] + [0], dtype=np.int16)  # [-1] = no band
        return table[band_index(rule, value, missing)], missing

    def score_one(self, catalogue: Catalogue, item: Item, facts: dict[str, Any]) -> int:
        rule = self.rule(item)
        value = self.measured_one(rule, facts)
        reached = [b for b in rule.bands if value >= b.min]
        return to_tenths(reached[-1].points) if reached else 0

    def explain(self, catalogue: Catalogue, item: Item, reads: dict[str, Any], tenths: int) -> str:
        rule = self.rule(item)
        label, value = self.shown(catalogue, rule, reads)
        if zero := self.by_zero(catalogue, rule, label, value):
            return f"{zero},{outcome(item, tenths)}"
        bands = rule.bands
        reached = [b for b in bands if value >= b.min]
        if not reached:
            shown, bound = self.pair(catalogue, rule, value, bands[0].min)
            return f"{label} {shown} 低于最低档 {bound},{outcome(item, tenths)}"
        if tenths == 0:
            scoring = next((b for b in bands if b.min > reached[-1].min and b.points != 0), None)
            if scoring is not None:
                shown, bound = self.pair(catalogue, rule, value, scoring.min)
                return f"{label} {shown} 未达 {bound} 得分档,{outcome(item, tenths)}"
        shown, bound = self.pair(catalogue, rule, value, reached[-1].min)
        return f"{label} {shown},达到「≥ {bound}」档,{outcome(item, tenths)}"

    def describe(self, catalogue: Catalogue, item: Item, points: str) -> str:
        rule = self.rule(item)
        bands = ";".join(f"≥ {self.limit(catalogue, rule, b.min)} 得 {b.points:f}" for b in rule.bands)
        return f"{self.named(catalogue, rule)} 分档:{bands}"

    def sql(self, writer: SqlWriter, item: Item, k: int) -> str:
        bands = reversed(self.rule(item).bands)
        branches = " ".join(f"WHEN __m{k} >= {writer.d.number(b.min)} THEN {to_tenths(b.points)}" for b in bands)
        return f"CASE {branches} ELSE 0 END"


def band_index(rule: BandedRule, value: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Index of the band each value falls in; -1 below the first band, not reported, or not a number (0/0
    meets no band, as it meets no threshold: searchsorted would put NaN above the top band)."""
    import numpy as np

    mins = np.array([b.min for b in rule.bands])
    index = np.searchsorted(mins, value, side="right") - 1
    index[missing | np.isnan(value)] = -1
    return index
