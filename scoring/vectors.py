"""The numpy pieces the rule types' vectorised scores and the engine share: comparisons, awarded and capped
points, applicability conditions. A rule type imports this inside its ``score``, so that its row-by-row
half loads without numpy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from indicators.models import Condition
from scoring.facts import FactBlock

COMPARISONS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {  # a rule's or a condition's op
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
    "!=": np.not_equal,
}


def award(hit: np.ndarray, missing: np.ndarray, points: int) -> np.ndarray:
    """``points`` where ``hit`` and reported, else 0 (int16 tenths)."""
    out = (hit & ~missing).astype(np.int16)
    out *= points
    return out


def capped(raw: np.ndarray, cap: int) -> np.ndarray:
    """``raw`` tenths held within the item's points ``cap`` (a deduction's cap is negative), as int16."""
    points = np.maximum(raw, cap) if cap < 0 else np.minimum(raw, cap)
    return points.astype(np.int16)


def condition_met(condition: Condition, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
    """Where ``condition`` holds, and where its field is not reported."""
    column = block[condition.field]
    with np.errstate(invalid="ignore"):
        met = COMPARISONS[condition.op](column.data.astype(np.float64), condition.value)
    return met & ~column.missing, column.missing
