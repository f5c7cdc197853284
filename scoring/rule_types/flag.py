"""``flag``: the item's points when a yes/no fact equals ``when``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from indicators.models import FlagRule
from scoring.rule_types.base import RuleType
from scoring.wording import outcome

if TYPE_CHECKING:
    import numpy as np

    from indicators import Catalogue, Item
    from scoring.facts import FactBlock
    from scoring.sqlgen import SqlWriter


class FlagType(RuleType[FlagRule]):
    model = FlagRule

    def score(self, catalogue: Catalogue, item: Item, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
        from scoring.vectors import award

        rule = self.rule(item)
        column = block[rule.field]
        hit = column.data != 0 if rule.when else column.data == 0  # any non-zero value is "yes"
        return award(hit, column.missing, item.points_tenths), column.missing

    def score_one(self, catalogue: Catalogue, item: Item, facts: dict[str, Any]) -> int:
        rule = self.rule(item)
        return item.points_tenths if bool(facts[rule.field]) == rule.when else 0

    def explain(self, catalogue: Catalogue, item: Item, reads: dict[str, Any], tenths: int) -> str:
        rule = self.rule(item)
        answer = "是" if bool(reads[rule.field]) else "否"
        return f"{catalogue.field_map[rule.field].name_zh}:{answer},{outcome(item, tenths)}"

    def describe(self, catalogue: Catalogue, item: Item, points: str) -> str:
        rule = self.rule(item)
        return f"「{catalogue.field_map[rule.field].name_zh}」为{'是' if rule.when else '否'} → {points}"

    def sql(self, writer: SqlWriter, item: Item, k: int) -> str:
        rule = self.rule(item)
        return f"CASE WHEN {writer.d.name(rule.field)} = {str(rule.when).upper()} THEN {item.points_tenths} ELSE 0 END"
