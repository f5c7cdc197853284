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

from indicators import Catalogue, InputField, Item
from indicators.models import BandedRule, CountRule, FlagRule, RecordsRule, ThresholdRule
from indicators.record_types import TIER_ZH

_OP_WORDS = {  # op: (met, not met)
    ">=": ("达到", "未达"),
    ">": ("高于", "未高于"),
    "<=": ("不超过", "超过"),
    "<": ("低于", "未低于"),
    "==": ("等于", "不等于"),
}


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
        reads = {name: _clean(facts.get(name)) for name in item.uses}
        if isinstance(item.rule, RecordsRule):
            reads = {c: int(facts.get(c) or 0) for c, _ in catalogue.record_terms(item)}
        if not_applicable[j]:
            reason = _not_applicable_reason(catalogue, item, reads)
        elif gap:
            reason = _gap_reason(catalogue, item, reads)
        elif _unmet_requirement(catalogue, item, points):
            reason = f"前提条目 {item.requires} 未得分,本项{_outcome(item, 0)}"
        else:
            reason = _reason(catalogue, item, reads, tenths)
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


def fmt_points(tenths: int) -> str:
    value = Decimal(tenths) / 10
    return f"{value.normalize():f}"


def _outcome(item: Item, tenths: int) -> str:
    if tenths == 0:
        return "不得分" if item.kind == "add" else "不扣分"
    return f"得 {fmt_points(tenths)} 分" if tenths > 0 else f"扣 {fmt_points(-tenths)} 分"


def _not_applicable_reason(catalogue: Catalogue, item: Item, reads: dict[str, Any]) -> str:
    condition = item.applies_when
    assert condition is not None  # only items with a condition can be not applicable
    field = catalogue.field_map[condition.field]
    value = reads.get(condition.field)
    shown = f"({field.name_zh} {value:g})" if isinstance(value, int | float) else ""
    note = f";{item.applies_note_zh}" if item.applies_note_zh else ""
    scored = f"按满分 {fmt_points(item.points_tenths)} 分计" if item.kind == "add" else "不扣分"
    return f"不适用{shown}:本项只适用于 {condition.describe(field.name_zh)} 的企业{note},{scored}"


def _unmet_requirement(catalogue: Catalogue, item: Item, points: Any) -> bool:
    return item.requires is not None and int(points[catalogue.item_codes.index(item.requires)]) <= 0


def _records_reason(catalogue: Catalogue, item: Item, reads: dict[str, Any], tenths: int) -> str:
    counted = {column: n for column, n in reads.items() if n}
    if not counted:
        return f"显示期内没有相关记录,{_outcome(item, tenths)}"
    parts = []
    for column, n in counted.items():
        _, code, tier = column.split(":")
        kind = catalogue.record_type_map[code]
        tier_zh = f"({TIER_ZH[tier]})" if kind.tiered else ""
        parts.append(f"{kind.name_zh}{tier_zh} {n} 条")
    capped = "(已达本项上限)" if tenths == item.points_tenths and len(counted) + sum(counted.values()) > 2 else ""
    return f"显示期内有效记录:{'、'.join(parts)},{_outcome(item, tenths)}{capped}"


def _gap_reason(catalogue: Catalogue, item: Item, reads: dict[str, Any]) -> str:
    missing = [catalogue.field_map[n].name_zh for n, v in reads.items() if v is None]
    return f"未报送「{'」「'.join(missing)}」,本项按 0 分计,列为数据缺口"


def _measure(catalogue: Catalogue, rule: ThresholdRule | BandedRule, reads: dict[str, Any]) -> tuple[str, float]:
    field = catalogue.field_map[rule.field]
    label = rule.label_zh or field.name_zh
    value = float(reads[rule.field])
    if rule.per:
        value /= float(reads[rule.per])
    return label, value


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(field: InputField, per: InputField | None, value: float, digits: int = 1) -> str:
    """A measured value for people: ratios of like units and unitless rates as percentages
    (``digits`` decimals), other ratios per unit, plain numbers with their unit."""
    if (per is not None and field.unit == per.unit) or (per is None and field.type == "number" and not field.unit):
        return _trim(f"{value * 100:.{digits}f}") + "%"
    if per is not None:
        return f"{_trim(f'{value:.{digits + 1}f}')} {field.unit}/{per.unit}".rstrip("/")
    return f"{value:g} {field.unit}".strip()


def _pair(catalogue: Catalogue, rule: ThresholdRule | BandedRule, value: float, limit: float) -> tuple[str, str]:
    """Value and limit, with enough decimals that a value short of a limit never prints equal to it
    (99.95% is not "100% 未达 100%")."""
    field = catalogue.field_map[rule.field]
    per = catalogue.field_map[rule.per] if rule.per else None
    for digits in (1, 2, 3, 4):
        shown, bound = format_value(field, per, value, digits), format_value(field, per, limit, digits)
        if value == limit or shown != bound:
            break
    return shown, bound


def _reason(catalogue: Catalogue, item: Item, reads: dict[str, Any], tenths: int) -> str:
    rule = item.rule
    outcome = _outcome(item, tenths)
    if isinstance(rule, RecordsRule):
        return _records_reason(catalogue, item, reads, tenths)
    if isinstance(rule, FlagRule):
        field = catalogue.field_map[rule.field]
        answer = "是" if bool(reads[rule.field]) else "否"
        return f"{field.name_zh}:{answer},{outcome}"
    if isinstance(rule, CountRule):
        field = catalogue.field_map[rule.field]
        count = int(reads[rule.field])
        if count == 0:
            return f"{field.name_zh} 0 {field.unit},{outcome}".replace("  ", " ")
        capped = "(已达上限)" if tenths == item.points_tenths else ""
        each = fmt_points(abs(int(rule.each * 10)))
        return f"{field.name_zh} {count} {field.unit},每{field.unit or '次'} {each} 分,{outcome}{capped}"
    label, value = _measure(catalogue, rule, reads)
    if isinstance(rule, ThresholdRule):
        word = _OP_WORDS[rule.op][0 if tenths != 0 else 1]
        shown, bound = _pair(catalogue, rule, value, rule.value)
        return f"{label} {shown} {word} {bound},{outcome}"
    bands = rule.bands
    reached = [b for b in bands if value >= b.min]
    if not reached:
        shown, bound = _pair(catalogue, rule, value, bands[0].min)
        return f"{label} {shown} 低于最低档 {bound},{outcome}"
    if tenths == 0:
        scoring = next((b for b in bands if b.min > reached[-1].min and b.points != 0), None)
        if scoring is not None:
            shown, bound = _pair(catalogue, rule, value, scoring.min)
            return f"{label} {shown} 未达 {bound} 得分档,{outcome}"
    shown, bound = _pair(catalogue, rule, value, reached[-1].min)
    return f"{label} {shown},达到「≥ {bound}」档,{outcome}"
