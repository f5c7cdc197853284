"""``score(catalogue, facts)``: the pure scoring core. It touches no file,
database or UI, and costs the same per enterprise for one or a million."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators import Catalogue
from scoring.facts import FactBlock, block, prepare
from scoring.grades import assign_grades
from scoring.rollup import rollup
from scoring.rule_types import handler
from scoring.vectors import condition_met


@dataclass(frozen=True)
class Scores:
    """Scores of one batch. Points are integer tenths (divide by 10 to show)."""

    catalogue_version: str
    index: pd.Index
    item_codes: list[str]
    points: np.ndarray  # int16 (n, 75), column-major; |item points| <= 3000 by validation
    gaps: np.ndarray  # bool (n, 75): the item's input was not reported
    total: np.ndarray  # int64 (n,)
    red_line: np.ndarray  # bool (n,)
    grade: np.ndarray  # object (n,)
    completeness: np.ndarray  # float64 (n,), share of items with every input reported
    catalogue: Catalogue
    not_applicable: np.ndarray | None = None  # bool (n, 75): the law does not ask this item of the enterprise

    def level(self, name: str) -> pd.DataFrame:
        """Roll-up at ``level1``/``level2``/``level3`` as a frame of tenths."""
        codes, values = rollup(self.catalogue, self.points, name)
        return pd.DataFrame(values, index=self.index, columns=codes)

    def summary(self) -> pd.DataFrame:
        """One row per enterprise: total (points), grade, red line, completeness."""
        return pd.DataFrame(
            {
                "total": self.total / 10,
                "grade": self.grade,
                "red_line": self.red_line,
                "completeness": self.completeness,
            },
            index=self.index,
        )


BLOCK_ROWS = 1 << 15  # rows scored together: big enough to vectorise, small enough to stay in cache
WORKERS = min(4, os.cpu_count() or 1)


def score(catalogue: Catalogue, facts: pd.DataFrame) -> Scores:
    """Score every row of ``facts`` (one enterprise per row, one column per field)."""
    n, m = len(facts), len(catalogue.items)
    points = np.zeros((n, m), dtype=np.int16, order="F")
    gaps = np.zeros((n, m), dtype=bool, order="F")
    not_applicable = np.zeros((n, m), dtype=bool, order="F")
    columns = prepare(catalogue, facts)
    kinds = [handler(item) for item in catalogue.items]

    def score_block(start: int) -> None:
        rows = slice(start, min(start + BLOCK_ROWS, n))
        facts_block = block(columns, rows)
        for j, (item, kind) in enumerate(zip(catalogue.items, kinds, strict=True)):
            points[rows, j], gaps[rows, j] = kind.score(catalogue, item, facts_block)
        apply_links(catalogue, facts_block, points[rows], gaps[rows], not_applicable[rows])

    starts = range(0, n, BLOCK_ROWS)
    if len(starts) > 1 and WORKERS > 1:
        # blocks write disjoint rows, and numpy releases the GIL inside its loops
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            list(pool.map(score_block, starts))
    else:
        for start in starts:
            score_block(start)
    red_cols = [j for j, item in enumerate(catalogue.items) if item.red_line]
    red_line = (points[:, red_cols] != 0).any(axis=1)
    total = points.sum(axis=1, dtype=np.int64)
    reported = m - gaps.sum(axis=1, dtype=np.int32)
    return Scores(
        catalogue_version=catalogue.version,
        index=facts.index,
        item_codes=catalogue.item_codes,
        points=points,
        gaps=gaps,
        total=total,
        red_line=red_line,
        grade=assign_grades(catalogue, total, red_line, reported),
        completeness=reported / m if m else np.ones(n),
        catalogue=catalogue,
        not_applicable=not_applicable,
    )


def apply_links(
    catalogue: Catalogue, facts: FactBlock, points: np.ndarray, gaps: np.ndarray, not_applicable: np.ndarray
) -> None:
    """In place, for one block: an item the law does not ask of an enterprise is not applicable
    (full marks for an add item, nothing for a deduct item, never a gap); then an item whose
    required earlier item earned nothing earns nothing, and is a gap where that one is."""
    for j, item in enumerate(catalogue.items):
        if item.applies_when is not None:
            met, unknown = condition_met(item.applies_when, facts)
            outside = ~met & ~unknown
            not_applicable[:, j] = outside
            points[outside, j] = item.points_tenths if item.kind == "add" else 0
            gaps[outside, j] = False
        if item.requires is not None:
            r = catalogue.item_codes.index(item.requires)
            unmet = (points[:, r] <= 0) & ~not_applicable[:, r]
            points[unmet & ~not_applicable[:, j], j] = 0
            gaps[:, j] |= gaps[:, r] & ~not_applicable[:, j]
