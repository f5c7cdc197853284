"""Chinese reasons for every item of one enterprise ("劳动合同签订率 96.0% 未达 100%,不得分").

Reasons are built from the points they explain: the engine's, on a one-row frame (``explain_row``), or the
row-by-row scorer's (``explain_plain``: no pandas, for an explanation read through the database driver
alone). Either way the caller checks the points against the stored result, so an explanation can never
disagree with the score."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from indicators import Catalogue, Item
from scoring.rule_types import handler
from scoring.wording import fmt_points, outcome


@dataclass(frozen=True)
class ItemExplanation:
    code: str
    name_zh: str
    kind: str
    max_points: Decimal
    points: Decimal
    gap: bool
    reason: str
    reads: dict[str, Any]


def explain_row(catalogue: Catalogue, facts: Mapping[str, Any]) -> list[ItemExplanation]:
    """Points and a Chinese reason for each of the catalogue's items, the points by the engine."""
    import numpy as np
    import pandas as pd

    from scoring.engine import score

    counts = [c for i in catalogue.items for c, _ in catalogue.record_terms(i)]
    names = [*(f.name for f in catalogue.fields), *counts]
    frame = pd.DataFrame(np.array([[_number(facts.get(name)) for name in names]]), columns=names)
    result = score(catalogue, frame)
    not_applicable = result.not_applicable if result.not_applicable is not None else result.gaps & False
    points = [int(p) for p in result.points[0]]
    return _explained(catalogue, facts, points, [bool(g) for g in result.gaps[0]], [bool(n) for n in not_applicable[0]])


def explain_plain(catalogue: Catalogue, facts: Mapping[str, Any]) -> list[ItemExplanation]:
    """``explain_row`` with the points of the row-by-row scorer (``scoring.naive``, which the engine is tested
    against): plain Python, for one enterprise read without pandas."""
    from scoring.naive import explained_points

    points, gaps, not_applicable = explained_points(catalogue, {k: _clean(v) for k, v in facts.items()})
    return _explained(catalogue, facts, points, gaps, not_applicable)


def _explained(
    catalogue: Catalogue, facts: Mapping[str, Any], points: list[int], gaps: list[bool], not_applicable: list[bool]
) -> list[ItemExplanation]:
    out = []
    for j, item in enumerate(catalogue.items):
        tenths, gap = points[j], gaps[j]
        reads = _reads(catalogue, item, facts)
        if not_applicable[j]:
            reason = _not_applicable_reason(catalogue, item, reads)
        elif gap:
            reason = _gap_reason(catalogue, item, reads)
        elif _unmet_requirement(catalogue, item, points):
            reason = f"前提条目 {item.requires} 未得分,本项{outcome(item, 0)}"
        else:
            reason = handler(item).explain(catalogue, item, reads, tenths)
        out.append(
            ItemExplanation(
                code=item.code,
                name_zh=item.name_zh,
                kind=item.kind,
                max_points=item.points,
                points=Decimal(tenths) / 10,
                gap=gap,
                reason=reason,
                reads=reads,
            )
        )
    return out


def _reads(catalogue: Catalogue, item: Item, facts: Mapping[str, Any]) -> dict[str, Any]:
    """What an item reads, as its reason shows it: its fields (None: not reported), then its record counts."""
    reads = {name: _clean(facts.get(name)) for name in item.uses}
    return reads | {c: int(facts.get(c) or 0) for c, _ in catalogue.record_terms(item)}


def _number(value: Any) -> float:
    """A fact as the engine reads it: yes/no as 1/0, a number as itself, anything else not reported (NaN)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _clean(value: Any) -> Any:
    """None for a value not reported: None, NaN or pandas' NA (known by its type: pandas may not be loaded)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NAType":
        return None
    return value


def _not_applicable_reason(catalogue: Catalogue, item: Item, reads: dict[str, Any]) -> str:
    condition = item.applies_when
    assert condition is not None  # only items with a condition can be not applicable
    field = catalogue.field_map[condition.field]
    value = reads.get(condition.field)
    shown = f"({field.name_zh} {value:g})" if isinstance(value, int | float) else ""
    note = f";{item.applies_note_zh}" if item.applies_note_zh else ""
    scored = f"按满分 {fmt_points(item.points_tenths)} 分计" if item.kind == "add" else "不扣分"
    said = f"不适用{shown}:本项只适用于 {condition.describe(field.name_zh)} 的企业{note}"
    if item.kind == "add" and FULL_MARKS in note:  # the note says it already (2027.1): once, with the points
        return said.replace(FULL_MARKS, scored, 1)
    return f"{said},{scored}"


FULL_MARKS = "按满分计"  # how a catalogue's note on an item not applicable says it scores its full points


def _unmet_requirement(catalogue: Catalogue, item: Item, points: Any) -> bool:
    return item.requires is not None and int(points[catalogue.item_codes.index(item.requires)]) <= 0


def _gap_reason(catalogue: Catalogue, item: Item, reads: dict[str, Any]) -> str:
    missing = [catalogue.field_map[n].name_zh for n, v in reads.items() if v is None]
    return f"未报送「{'」「'.join(missing)}」,本项按 0 分计,列为数据缺口"
