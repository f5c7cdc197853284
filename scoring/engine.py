"""``score(catalogue, facts)``: the pure scoring core. It touches no file,
database or UI, and costs the same per enterprise for one or a million."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators import Catalogue
from scoring.facts import block, prepare
from scoring.grades import assign_grades
from scoring.rollup import rollup
from scoring.rules import RULE_HANDLERS


@dataclass(frozen=True)
class ScoreResult:
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


def score(catalogue: Catalogue, facts: pd.DataFrame) -> ScoreResult:
    """Score every row of ``facts`` (one enterprise per row, one column per field)."""
    n, m = len(facts), len(catalogue.items)
    points = np.zeros((n, m), dtype=np.int16, order="F")
    gaps = np.zeros((n, m), dtype=bool, order="F")
    columns = prepare(catalogue, facts)
    handlers = [RULE_HANDLERS[item.rule.type] for item in catalogue.items]

    def score_block(start: int) -> None:
        rows = slice(start, min(start + BLOCK_ROWS, n))
        facts_block = block(columns, rows)
        for j, (item, handler) in enumerate(zip(catalogue.items, handlers, strict=True)):
            points[rows, j], gaps[rows, j] = handler(item, facts_block)

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
    return ScoreResult(
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
    )
