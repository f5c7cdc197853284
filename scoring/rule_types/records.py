"""``records``: the enterprise's live records of the rule's ``types``, each as its type and tier declare,
``escalation`` for every record after the first, capped at the item's points. Records are never "not
reported": an enterprise without records has none to count. The counts are the ``record:TYPE:tier``
columns of ``catalogue.record_terms(item)`` (``scoring.records`` counts them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from indicators import to_tenths
from indicators.models import RecordsRule
from indicators.record_types import TIER_ZH
from scoring.rule_types.base import RuleType, capped
from scoring.wording import outcome

if TYPE_CHECKING:
    import numpy as np

    from indicators import Catalogue, Item
    from scoring.facts import FactBlock
    from scoring.sqlgen import SqlWriter


class RecordsType(RuleType[RecordsRule]):
    model = RecordsRule

    def score(self, catalogue: Catalogue, item: Item, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        from scoring.vectors import capped as capped_array

        raw = np.zeros(block.rows, dtype=np.int64)
        count = np.zeros(block.rows, dtype=np.int64)
        for column, each in catalogue.record_terms(item):
            found = block.columns.get(column)
            if found is None:
                continue
            n = np.where(found.missing, 0, found.data).astype(np.int64)
            raw += n * each
            count += n
        raw += np.maximum(count - 1, 0) * to_tenths(self.rule(item).escalation)
        return capped_array(raw, item.points_tenths), np.zeros(block.rows, dtype=bool)

    def score_one(self, catalogue: Catalogue, item: Item, facts: dict[str, Any]) -> int:
        counts = [(int(facts.get(column) or 0), each) for column, each in catalogue.record_terms(item)]
        extra = max(sum(n for n, _ in counts) - 1, 0) * to_tenths(self.rule(item).escalation)
        return capped(sum(n * each for n, each in counts) + extra, item.points_tenths)

    def explain(self, catalogue: Catalogue, item: Item, reads: dict[str, Any], tenths: int) -> str:
        counted = {column: n for column, n in reads.items() if n}
        if not counted:
            return f"显示期内没有相关记录,{outcome(item, tenths)}"
        parts = []
        for column, n in counted.items():
            _, code, tier = column.split(":")
            kind = catalogue.record_type_map[code]
            tier_zh = f"({TIER_ZH[tier]})" if kind.tiered else ""
            parts.append(f"{kind.name_zh}{tier_zh} {n} 条")
        at_cap = tenths == item.points_tenths and len(counted) + sum(counted.values()) > 2
        return f"显示期内有效记录:{'、'.join(parts)},{outcome(item, tenths)}{'(已达本项上限)' if at_cap else ''}"

    def describe(self, catalogue: Catalogue, item: Item, points: str) -> str:
        rule = self.rule(item)
        parts = []
        for code in rule.types:
            kind = catalogue.record_type_map[code]
            tiers = "、".join(
                f"{TIER_ZH[t] + ' ' if kind.tiered else ''}{r.points:+f}(显示 {r.display_months} 个月)"
                for t, r in kind.tiers.items()
            )
            parts.append(f"「{kind.name_zh}」每条 {tiers}")
        escalation = f";第二条起每条另计 {rule.escalation:+f}" if rule.escalation else ""
        return f"{';'.join(parts)}{escalation};累计以 {points} 为限"

    def sql(self, writer: SqlWriter, item: Item, k: int) -> str:
        terms = writer.catalogue.record_terms(item)
        counts = [f"COALESCE({writer.d.name(column)}, 0)" for column, _ in terms] or ["0"]
        raw = " + ".join(f"{count} * {each}" for count, (_, each) in zip(counts, terms, strict=False)) or "0"
        extra = f"GREATEST({' + '.join(counts)} - 1, 0) * {to_tenths(self.rule(item).escalation)}"
        pts = item.points_tenths
        return f"GREATEST({raw} + {extra}, {pts})" if pts < 0 else f"LEAST({raw} + {extra}, {pts})"
