"""SQL generated from the catalogue (DuckDB dialect): the same scores as one
SELECT over a facts table. Used by bench/score.py and a differential test."""

from __future__ import annotations

from indicators import Catalogue, Item, to_tenths
from indicators.models import BandedRule, CountRule, FlagRule, ThresholdRule


def _value(rule: ThresholdRule | BandedRule) -> str:
    field = f'CAST("{rule.field}" AS DOUBLE)'
    return f'({field} / CAST("{rule.per}" AS DOUBLE))' if rule.per else field


def item_sql(item: Item) -> str:
    """Tenths for one item; NULL inputs score 0."""
    rule, pts = item.rule, item.points_tenths
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


def scoring_sql(catalogue: Catalogue, table: str = "facts") -> str:
    """SELECT uscc, total, red_line, grade FROM ``table``."""
    n = len(catalogue.items)
    items = [f"({item_sql(i)}) AS i{k}" for k, i in enumerate(catalogue.items)]
    reported = [
        "(CASE WHEN " + " AND ".join(f'"{f}" IS NOT NULL' for f in i.reads) + " THEN 1 ELSE 0 END)"
        for i in catalogue.items
    ]
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
