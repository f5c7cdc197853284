"""A straightforward row-by-row scorer: one Python call per enterprise and item.

It exists to check the vectorised engine (differential tests) and to measure
it (bench/score.py); nothing in the product calls it."""

from __future__ import annotations

import math
from typing import Any

from indicators import Catalogue, Item, to_tenths
from indicators.models import BandedRule, CountRule, FlagRule, ThresholdRule

_COMPARE = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def item_points(item: Item, facts: dict[str, Any]) -> int | None:
    """Tenths for one item, or None when an input is not reported."""
    if any(_missing(facts.get(name)) for name in item.reads):
        return None
    rule = item.rule
    if isinstance(rule, FlagRule):
        return item.points_tenths if bool(facts[rule.field]) == rule.when else 0
    if isinstance(rule, CountRule):
        raw = int(facts[rule.field]) * to_tenths(rule.each)
        return max(raw, item.points_tenths) if item.points_tenths < 0 else min(raw, item.points_tenths)
    value = float(facts[rule.field])
    if rule.per:
        value /= float(facts[rule.per])
    if isinstance(rule, ThresholdRule):
        return item.points_tenths if _COMPARE[rule.op](value, rule.value) else 0
    if not isinstance(rule, BandedRule):
        raise TypeError(f"unknown rule type {rule.type}")
    reached = [b for b in rule.bands if value >= b.min]
    return to_tenths(reached[-1].points) if reached else 0


def score_rows(catalogue: Catalogue, rows: list[dict[str, Any]]) -> list[tuple[int, bool, str]]:
    """(total tenths, red line, grade) per enterprise."""
    out = []
    for facts in rows:
        total, red, reported = 0, False, 0
        for item in catalogue.items:
            points = item_points(item, facts)
            reported += points is not None
            total += points or 0
            red = red or (item.red_line and bool(points))
        out.append((total, red, _grade(catalogue, total, red, reported)))
    return out


def _grade(catalogue: Catalogue, total: int, red: bool, reported: int) -> str:
    if red:
        return catalogue.lowest_grade
    items = len(catalogue.items)
    for band in catalogue.grades[:-1]:
        if band.min_total is not None and total >= to_tenths(band.min_total):
            if reported >= band.reported_needed(items):
                return band.grade
    return catalogue.lowest_grade
