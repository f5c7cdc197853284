"""The national job's two files as pandas frames, with no Spark in sight: the facts it reads (one row per
enterprise: identity, catalogue fields, ``record:TYPE:tier`` counts) and the results it writes (``uscc``,
``total`` in points, ``grade``, ``red_line``, ``completeness``, ``gaps``, one column of points per item).

``results_frame`` is what every Spark partition runs (``mapInPandas``): the pandas engine itself, so Spark
and a province's own runs cannot disagree."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators import Catalogue
from scoring import score

PASSTHROUGH = ("period", "region_code", "submission_id", "records")  # copied from facts to results when present
SUMMARY = ("total", "grade", "red_line", "completeness", "gaps")  # after ``uscc`` and the passthrough columns


def passthrough(columns: list[str]) -> list[str]:
    """The passthrough columns among a facts file's ``columns``, in a fixed order."""
    return [c for c in PASSTHROUGH if c in columns]


def results_frame(catalogue: Catalogue, facts: pd.DataFrame) -> pd.DataFrame:
    """Score ``facts`` (a ``uscc`` column, catalogue fields, record counts) with the pandas engine:
    one row per enterprise, points as decimals of one place (tenths / 10), gaps as one '0'/'1' per item."""
    indexed = facts.set_index("uscc", drop=False) if "uscc" in facts.columns else facts
    result = score(catalogue, indexed)
    out = {"uscc": indexed.index.to_numpy(dtype=object)}  # a missing USCC stays missing (import names the row)
    out |= {c: facts[c].to_numpy() for c in passthrough(list(facts.columns))}
    out |= {
        "total": result.total / 10,
        "grade": result.grade.astype(str),
        "red_line": result.red_line,
        "completeness": result.completeness,
        "gaps": gap_text(result.gaps),
    }
    points = pd.DataFrame(result.points / 10, columns=catalogue.item_codes, copy=False)
    return pd.concat([pd.DataFrame(out), points], axis=1)


def gap_text(gaps: np.ndarray) -> np.ndarray:
    """Each row of a boolean (n, m) matrix as text of '0'/'1', as the store keeps gaps."""
    n, m = gaps.shape
    if m == 0:
        return np.full(n, "", dtype=object)
    digits = np.ascontiguousarray(gaps, dtype=np.uint8) + ord("0")
    return digits.view(f"S{m}").ravel().astype(str).astype(object)


def check_columns(catalogue: Catalogue, columns: list[str]) -> list[str]:
    """Problems that make a facts file unscorable: no ``uscc`` column, or a column named like a result."""
    problems = [] if "uscc" in columns else ["缺少 uscc 列 (no uscc column)"]
    clash = [c for c in columns if c in SUMMARY or c in catalogue.item_codes]
    if clash:
        problems.append(f"列 {'、'.join(clash[:5])} 与结果列同名 (columns named like results)")
    return problems
