"""One vectorised handler per rule type. Items of a type are scored together
as an (enterprises x items) block; no handler knows any particular item."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from indicators import Item, to_tenths
from scoring.facts import FactMatrix

# (items of one rule type, facts) -> (points in tenths, data gap), both (n, len(items))
Handler = Callable[[Sequence[Item], FactMatrix], tuple[np.ndarray, np.ndarray]]

_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
}


def _points(items: Sequence[Item]) -> np.ndarray:
    return np.array([i.points_tenths for i in items], dtype=np.int16)


def measured(items: Sequence[Item], facts: FactMatrix) -> np.ndarray:
    """The value each rule compares: the field, divided by ``per`` where given."""
    value = facts.take([i.rule.field for i in items])
    pers = [getattr(i.rule, "per", None) for i in items]
    if any(pers):
        cols = [j for j, p in enumerate(pers) if p]
        value[:, cols] = value[:, cols] / facts.take([p for p in pers if p])
    return value


def score_flag(items: Sequence[Item], facts: FactMatrix) -> tuple[np.ndarray, np.ndarray]:
    value = facts.take([i.rule.field for i in items])
    when = np.array([1.0 if i.rule.when else 0.0 for i in items])
    hit = value == when
    return np.where(hit, _points(items), 0), np.isnan(value)


def score_threshold(items: Sequence[Item], facts: FactMatrix) -> tuple[np.ndarray, np.ndarray]:
    value = measured(items, facts)
    hit = np.zeros(value.shape, dtype=bool)
    for op, compare in _OPS.items():
        cols = [j for j, i in enumerate(items) if i.rule.op == op]
        if cols:
            limits = np.array([items[j].rule.value for j in cols])
            hit[:, cols] = compare(value[:, cols], limits)
    return np.where(hit, _points(items), 0), np.isnan(value)


def band_index(items: Sequence[Item], value: np.ndarray) -> np.ndarray:
    """Index of the band each value falls in; -1 below the first band or not reported."""
    width = max(len(i.rule.bands) for i in items)
    mins = np.full((len(items), width), np.inf)
    for j, item in enumerate(items):
        mins[j, : len(item.rule.bands)] = [b.min for b in item.rule.bands]
    reached = np.zeros(value.shape, dtype=np.int8)
    for b in range(width):
        reached += value >= mins[:, b]
    return reached - 1


def score_banded(items: Sequence[Item], facts: FactMatrix) -> tuple[np.ndarray, np.ndarray]:
    value = measured(items, facts)
    width = max(len(i.rule.bands) for i in items)
    table = np.zeros((len(items), width + 1), dtype=np.int16)  # last column: no band
    for j, item in enumerate(items):
        table[j, : len(item.rule.bands)] = [to_tenths(b.points) for b in item.rule.bands]
    band = band_index(items, value)
    band = np.where(band < 0, width, band)
    points = np.empty(value.shape, dtype=np.int16, order="F")
    for j in range(len(items)):
        points[:, j] = table[j, band[:, j]]
    return points, np.isnan(value)


def score_per_occurrence(items: Sequence[Item], facts: FactMatrix) -> tuple[np.ndarray, np.ndarray]:
    count = facts.take([i.rule.field for i in items])
    gap = np.isnan(count)
    each = np.array([to_tenths(i.rule.each) for i in items], dtype=np.int64)
    cap = _points(items)
    raw = np.where(gap, 0, np.minimum(count, 1e9)).astype(np.int64) * each
    points = np.where(cap < 0, np.maximum(raw, cap), np.minimum(raw, cap))
    return points, gap


RULE_HANDLERS: dict[str, Handler] = {
    "flag": score_flag,
    "threshold": score_threshold,
    "banded": score_banded,
    "per_occurrence": score_per_occurrence,
}
