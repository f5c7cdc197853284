"""One vectorised handler per rule type. A handler scores one item for a block
of enterprises at once; no handler knows any particular item."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import numpy as np

from indicators import Item, to_tenths
from indicators.models import BandedRule, Condition, CountRule, FlagRule, RecordsRule, ThresholdRule
from scoring.facts import FactBlock

# (item, block) -> (points in tenths as int16, data gap), each of the block's length
Handler = Callable[[Item, FactBlock], tuple[np.ndarray, np.ndarray]]

COMPARISONS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {  # a rule's or a condition's op
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
    "!=": np.not_equal,
}


def _award(hit: np.ndarray, missing: np.ndarray, points: int) -> np.ndarray:
    """``points`` where ``hit`` and reported, else 0."""
    out = (hit & ~missing).astype(np.int16)
    out *= points
    return out


def measured(rule: ThresholdRule | BandedRule, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
    """The value a rule compares (the field, divided by ``per`` where given) and its gap mask."""
    column = block[rule.field]
    if not rule.per:
        return column.data, column.missing
    per = block[rule.per]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = column.data / per.data
    return value, column.missing | per.missing


def score_flag(item: Item, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
    rule = cast(FlagRule, item.rule)  # the registry dispatches on rule.type
    column = block[rule.field]
    hit = column.data != 0 if rule.when else column.data == 0  # any non-zero value is "yes"
    return _award(hit, column.missing, item.points_tenths), column.missing


def score_threshold(item: Item, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
    rule = cast(ThresholdRule, item.rule)  # the registry dispatches on rule.type
    value, missing = measured(rule, block)
    with np.errstate(invalid="ignore"):
        hit = COMPARISONS[rule.op](value, rule.value)
    return _award(hit, missing, item.points_tenths), missing


def band_index(rule: BandedRule, value: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Index of the band each value falls in; -1 below the first band, not reported, or not a number (0/0
    meets no band, as it meets no threshold: searchsorted would put NaN above the top band)."""
    mins = np.array([b.min for b in rule.bands])
    index = np.searchsorted(mins, value, side="right") - 1
    index[missing | np.isnan(value)] = -1
    return index


def score_banded(item: Item, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
    rule = cast(BandedRule, item.rule)  # the registry dispatches on rule.type
    value, missing = measured(rule, block)
    table = np.array([to_tenths(b.points) for b in rule.bands] + [0], dtype=np.int16)  # [-1] = no band
    return table[band_index(rule, value, missing)], missing


def score_per_occurrence(item: Item, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
    rule = cast(CountRule, item.rule)  # the registry dispatches on rule.type
    column = block[rule.field]
    cap, each = item.points_tenths, to_tenths(rule.each)
    enough = -(-abs(cap) // abs(each))  # occurrences that reach the cap; more cannot change the points
    count = np.minimum(np.where(column.missing, 0, column.data), enough)
    raw = count.astype(np.int64) * each
    points = np.maximum(raw, cap) if cap < 0 else np.minimum(raw, cap)
    return points.astype(np.int16), column.missing


def score_records(item: Item, block: FactBlock, terms: list[tuple[str, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Each live record as its type and tier declare (``terms``: count column, tenths per record),
    ``escalation`` for every record after the first, capped at the item's points. Never a gap:
    an enterprise without records has none to count."""
    rule = cast(RecordsRule, item.rule)  # the registry dispatches on rule.type
    raw = np.zeros(block.rows, dtype=np.int64)
    count = np.zeros(block.rows, dtype=np.int64)
    for column, each in terms:
        found = block.columns.get(column)
        if found is None:
            continue
        n = np.where(found.missing, 0, found.data).astype(np.int64)
        raw += n * each
        count += n
    raw += np.maximum(count - 1, 0) * to_tenths(rule.escalation)
    cap = item.points_tenths
    points = np.maximum(raw, cap) if cap < 0 else np.minimum(raw, cap)
    return points.astype(np.int16), np.zeros(block.rows, dtype=bool)


def condition_met(condition: Condition, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
    """Where ``condition`` holds, and where its field is not reported."""
    column = block[condition.field]
    with np.errstate(invalid="ignore"):
        met = COMPARISONS[condition.op](column.data.astype(np.float64), condition.value)
    return met & ~column.missing, column.missing


RULE_HANDLERS: dict[str, Handler] = {
    "flag": score_flag,
    "threshold": score_threshold,
    "banded": score_banded,
    "per_occurrence": score_per_occurrence,
    "records": lambda item, block: score_records(item, block, []),  # the engine binds each item's terms
}
