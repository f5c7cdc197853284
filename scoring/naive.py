"""A straightforward row-by-row scorer: one Python call per enterprise and item.

It checks the vectorised engine (differential tests), measures it (bench/score.py), and gives the points
of one explanation read without pandas (``scoring.reasons.explain_plain``, whose caller compares them with
the stored result)."""

from __future__ import annotations

import math
from typing import Any

from indicators import Catalogue, Item, to_tenths
from scoring.operators import COMPARE
from scoring.rule_types import handler


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def item_points(catalogue: Catalogue, item: Item, facts: dict[str, Any]) -> int | None:
    """Tenths for one item (before applicability and requires), or None when an input is not reported."""
    if any(_missing(facts.get(name)) for name in item.reads):
        return None
    return handler(item).score_one(catalogue, item, facts)


def explained_points(catalogue: Catalogue, facts: dict[str, Any]) -> tuple[list[int], list[bool], list[bool]]:
    """Every item's tenths (0 for a gap), whether it is a gap, and whether it does not apply: what
    ``scoring.reasons`` needs of the points, as the engine gives them for one row."""
    points = linked_points(catalogue, facts)
    tenths = [points[item.code] or 0 for item in catalogue.items]
    gaps = [points[item.code] is None for item in catalogue.items]
    return tenths, gaps, [not _applies(item, facts) for item in catalogue.items]


def score_rows(catalogue: Catalogue, rows: list[dict[str, Any]]) -> list[tuple[int, bool, str]]:
    """(total tenths, red line, grade) per enterprise."""
    out = []
    for facts in rows:
        points = linked_points(catalogue, facts)
        total = sum(p or 0 for p in points.values())
        reported = sum(p is not None for p in points.values())
        red = any(item.red_line and bool(points[item.code]) for item in catalogue.items)
        out.append((total, red, _grade(catalogue, total, red, reported)))
    return out


def _applies(item: Item, facts: dict[str, Any]) -> bool:
    condition = item.applies_when
    if condition is None or _missing(facts.get(condition.field)):
        return True
    return bool(COMPARE[condition.op](float(facts[condition.field]), condition.value))


def linked_points(catalogue: Catalogue, facts: dict[str, Any]) -> dict[str, int | None]:
    """Every item's tenths (None: a gap) after applicability and ``requires``."""
    points: dict[str, int | None] = {}
    applicable: dict[str, bool] = {}
    for item in catalogue.items:
        applicable[item.code] = _applies(item, facts)
        if not applicable[item.code]:
            points[item.code] = item.points_tenths if item.kind == "add" else 0
            continue
        value = item_points(catalogue, item, facts)
        required = item.requires
        if required is not None and applicable[required]:
            if points[required] is None:
                value = None
            elif (points[required] or 0) <= 0 and value is not None:
                value = 0
        points[item.code] = value
    return points


def _grade(catalogue: Catalogue, total: int, red: bool, reported: int) -> str:
    if red:
        return catalogue.lowest_grade
    items = len(catalogue.items)
    for band in catalogue.grades[:-1]:
        if band.min_total is not None and total >= to_tenths(band.min_total):
            if reported >= band.reported_needed(items):
                return band.grade
    return catalogue.lowest_grade
