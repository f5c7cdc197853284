"""Grade bands and the red-line veto."""

from __future__ import annotations

import numpy as np

from indicators import Catalogue, to_tenths


def assign_grades(catalogue: Catalogue, total: np.ndarray, red_line: np.ndarray) -> np.ndarray:
    """Grade of each total (tenths); a red-line hit forces the lowest grade."""
    grades = np.full(total.shape, catalogue.lowest_grade, dtype=object)
    for band in reversed(catalogue.grades[:-1]):
        if band.min_total is not None:  # validation: only the bottom band has none
            grades[total >= to_tenths(band.min_total)] = band.grade
    grades[red_line] = catalogue.lowest_grade
    return grades


def grade_label(catalogue: Catalogue, grade: str) -> str:
    for band in catalogue.grades:
        if band.grade == grade:
            return band.label_zh
    raise KeyError(grade)
