"""What every rule type does, one method each: the interface of the registry in ``scoring.rule_types``.

A rule type's data and its checks against the catalogue are its model in ``indicators.models``; here is how
it scores, explains and writes SQL. ``score`` imports numpy inside (``scoring.vectors``): everything else is
plain Python, so the row-by-row scorer and the explanations load without numpy or pandas."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from indicators.models import BaseRule

if TYPE_CHECKING:
    import numpy as np

    from indicators import Catalogue, Item
    from scoring.facts import FactBlock
    from scoring.sqlgen import SqlWriter

R = TypeVar("R", bound=BaseRule)


class RuleType(ABC, Generic[R]):
    """How the items of one rule type score, explain and read in words and in SQL. No method knows any
    particular item: each gets the item and reads its rule. Points are integer tenths."""

    model: type[R]  # the rule's data (indicators.models); its ``type`` is the registry's key

    def rule(self, item: Item) -> R:
        return cast(R, item.rule)  # the registry dispatches on rule.type

    @abstractmethod
    def score(self, catalogue: Catalogue, item: Item, block: FactBlock) -> tuple[np.ndarray, np.ndarray]:
        """Tenths (int16) and data gaps of ``item`` for a block of enterprises at once: numpy, no Python per row."""

    @abstractmethod
    def score_one(self, catalogue: Catalogue, item: Item, facts: dict[str, Any]) -> int:
        """Tenths of ``item`` for one enterprise whose inputs (``item.reads``) are all reported: plain Python,
        the engine's result row by row."""

    @abstractmethod
    def explain(self, catalogue: Catalogue, item: Item, reads: dict[str, Any], tenths: int) -> str:
        """The Chinese reason for ``tenths`` earned on reported inputs ``reads`` (the item's fields, or its
        record counts)."""

    @abstractmethod
    def describe(self, catalogue: Catalogue, item: Item, points: str) -> str:
        """The rule in words, e.g. ``「工会」为是 → +2`` (``points``: the item's points, signed)."""

    @abstractmethod
    def sql(self, writer: SqlWriter, item: Item, k: int) -> str:
        """A SQL expression of the tenths of ``item``, the ``k``-th of the catalogue (a NULL input scores 0).
        It may read ``__m{k}``, the value ``sql_measure`` computes."""

    def sql_measure(self, writer: SqlWriter, item: Item) -> str | None:
        """A value the rule compares, computed once as ``__m{k}`` before the points (None: the rule has none)."""
        return None


def capped(raw: int, cap: int) -> int:
    """``raw`` tenths held within the item's points ``cap`` (a deduction's cap is negative)."""
    return max(raw, cap) if cap < 0 else min(raw, cap)
