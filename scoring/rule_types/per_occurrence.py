"""``per_occurrence``: ``each`` points per occurrence counted in a field, capped at the item's points."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from indicators import to_tenths
from indicators.models import CountRule
from scoring.rule_types.base import RuleType, capped
from scoring.wording import fmt_points, outcome

if TYPE_CHECKING:
    import numpy as np

    from indicators import Catalogue, Item
    from scoring.facts import FactBlock
    from scoring.sqlgen import SqlWriter


class PerOccurrenceType(RuleType[CountRule]):
    model = CountRule

    @staticmethod
    def enough(item: Item, each: int) -> int:
        """Occurrences that reach the cap; more cannot change the points."""
        return -(-abs(item.points_tenths) // abs(each))

    def score(self, catalogue: Catalogue, item: Item, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        from scoring.vectors import capped as capped_array

        rule = self.rule(item)
        column = block[rule.field]
        each = to_tenths(rule.each)
        count = np.minimum(np.where(column.missing, 0, column.data), self.enough(item, each))
        return capped_array(count.astype(np.int64) * each, item.points_tenths), column.missing

    def score_one(self, catalogue: Catalogue, item: Item, facts: dict[str, Any]) -> int:
        rule = self.rule(item)
        return capped(int(facts[rule.field]) * to_tenths(rule.each), item.points_tenths)

    def explain(self, catalogue: Catalogue, item: Item, reads: dict[str, Any], tenths: int) -> str:
        rule = self.rule(item)
        field, result = catalogue.field_map[rule.field], outcome(item, tenths)
        count = int(reads[rule.field])
        if count == 0:
            return f"{field.name_zh} 0 {field.unit},{result}".replace("  ", " ")
        at_cap = "(已达上限)" if tenths == item.points_tenths else ""
        each = fmt_points(abs(int(rule.each * 10)))
        return f"{field.name_zh} {count} {field.unit},每{field.unit or '次'} {each} 分,{result}{at_cap}"

    def describe(self, catalogue: Catalogue, item: Item, points: str) -> str:
        rule = self.rule(item)
        field = catalogue.field_map[rule.field]
        return f"「{field.name_zh}」每{field.unit or '次'} {rule.each:+f},累计以 {points} 为限"

    def sql(self, writer: SqlWriter, item: Item, k: int) -> str:
        rule = self.rule(item)
        each, pts = to_tenths(rule.each), item.points_tenths
        raw = f"LEAST(COALESCE({writer.d.name(rule.field)}, 0), {self.enough(item, each)}) * {each}"
        return f"GREATEST({raw}, {pts})" if pts < 0 else f"LEAST({raw}, {pts})"
