"""SQL generated from the catalogue (DuckDB dialect): the same scores as one
SELECT over a facts table. Used by bench/score.py and a differential test."""

from __future__ import annotations

from indicators import Catalogue, Item, to_tenths
from indicators.models import BandedRule, CountRule, FlagRule, RecordsRule, ThresholdRule


def _value(rule: ThresholdRule | BandedRule) -> str:
    field = f'CAST("{rule.field}" AS DOUBLE)'
    return f'({field} / CAST("{rule.per}" AS DOUBLE))' if rule.per else field


def _records_sql(item: Item, terms: list[tuple[str, int]], escalation: int) -> str:
    counts = [f'COALESCE("{column}", 0)' for column, _ in terms] or ["0"]
    raw = " + ".join(f"{count} * {each}" for count, (_, each) in zip(counts, terms, strict=False)) or "0"
    extra = f"GREATEST({' + '.join(counts)} - 1, 0) * {escalation}"
    pts = item.points_tenths
    return f"GREATEST({raw} + {extra}, {pts})" if pts < 0 else f"LEAST({raw} + {extra}, {pts})"


def item_sql(item: Item, terms: list[tuple[str, int]] | None = None) -> str:
    """Tenths for one item before applicability and ``requires``; NULL inputs score 0.
    ``terms`` are a records item's (count column, tenths per record)."""
    rule, pts = item.rule, item.points_tenths
    if isinstance(rule, RecordsRule):
        return _records_sql(item, terms or [], to_tenths(rule.escalation))
    if isinstance(rule, FlagRule):
        return f'CASE WHEN "{rule.field}" = {str(rule.when).upper()} THEN {pts} ELSE 0 END'
    if isinstance(rule, CountRule):
        raw = f'COALESCE("{rule.field}", 0) * {to_tenths(rule.each)}'
        return f"GREATEST({raw}, {pts})" if pts < 0 else f"LEAST({raw}, {pts})"
    value = _value(rule)
    if isinstance(rule, ThresholdRule):
        op = "=" if rule.op == "==" else rule.op
        return f"CASE WHEN {value} {op} {rule.value!r} THEN {pts} ELSE 0 END"
    branches = " ".join(f"WHEN {value} >= {band.min!r} THEN {to_tenths(band.points)}" for band in reversed(rule.bands))
    return f"CASE {branches} ELSE 0 END"


_SQL_OPS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "==": "=", "!=": "<>"}


def _not_applicable(item: Item) -> str:
    condition = item.applies_when
    if condition is None:
        return "FALSE"
    field = f'CAST("{condition.field}" AS DOUBLE)'
    return f"({field} IS NOT NULL AND NOT ({field} {_SQL_OPS[condition.op]} {condition.value!r}))"


def _linked(catalogue: Catalogue, k: int) -> tuple[str, str]:
    """(tenths, gap) SQL of item ``k`` after applicability and ``requires``, as the engine links them."""
    item = catalogue.items[k]
    value = item_sql(item, catalogue.record_terms(item))
    gap = " OR ".join(f'"{f}" IS NULL' for f in item.reads) or "FALSE"
    if item.requires is not None:
        r = catalogue.item_codes.index(item.requires)
        parent, parent_gap = _linked(catalogue, r)
        value = f"CASE WHEN NOT {_not_applicable(catalogue.items[r])} AND ({parent}) <= 0 THEN 0 ELSE {value} END"
        gap = f"({gap}) OR ({parent_gap})"
    full = item.points_tenths if item.kind == "add" else 0
    outside = _not_applicable(item)
    return f"CASE WHEN {outside} THEN {full} ELSE {value} END", f"(NOT {outside} AND ({gap}))"


def scoring_sql(catalogue: Catalogue, table: str = "facts") -> str:
    """SELECT uscc, total, red_line, grade FROM ``table``."""
    n = len(catalogue.items)
    linked = [_linked(catalogue, k) for k in range(n)]
    items = [f"({value}) AS i{k}" for k, (value, _) in enumerate(linked)]
    reported = [f"(CASE WHEN {gap} THEN 0 ELSE 1 END)" for _, gap in linked]
    total = " + ".join(f"i{k}" for k in range(n))
    reds = [f"i{k} <> 0" for k, i in enumerate(catalogue.items) if i.red_line]
    red = " OR ".join(reds) if reds else "FALSE"
    grades = " ".join(
        f"WHEN total >= {to_tenths(g.min_total)} AND reported >= {g.reported_needed(n)} THEN '{g.grade}'"
        for g in catalogue.grades[:-1]
        if g.min_total is not None
    )
    return (
        f"WITH items AS (SELECT uscc, {', '.join(items)}, {' + '.join(reported)} AS reported FROM {table}), "
        f"totals AS (SELECT uscc, {total} AS total, ({red}) AS red_line, reported FROM items) "
        f"SELECT uscc, total, red_line, CASE WHEN red_line THEN '{catalogue.lowest_grade}' {grades} "
        f"ELSE '{catalogue.lowest_grade}' END AS grade FROM totals"
    )
