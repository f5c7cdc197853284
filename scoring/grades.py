"""Grade bands and the red-line veto."""

from __future__ import annotations

from typing import TYPE_CHECKING

from indicators import Catalogue, to_tenths

if TYPE_CHECKING:  # numpy loads for a whole run's grades; one explanation's grade needs none of it
    import numpy as np


def assign_grades(catalogue: Catalogue, total: np.ndarray, red_line: np.ndarray, reported: np.ndarray) -> np.ndarray:
    """Grade of each total (tenths): the best band whose minimum total and minimum share of
    reported items (``reported`` of the catalogue's items) it meets, so that leaving facts
    blank can never earn a better grade; a red-line hit forces the lowest grade."""
    import numpy as np

    grades = np.full(total.shape, catalogue.lowest_grade, dtype=object)
    items = len(catalogue.items)
    for band in reversed(catalogue.grades[:-1]):
        if band.min_total is not None:  # validation: only the bottom band has none
            reached = (total >= to_tenths(band.min_total)) & (reported >= band.reported_needed(items))
            grades[reached] = band.grade
    grades[red_line] = catalogue.lowest_grade
    return grades


def grade_note(catalogue: Catalogue, total_tenths: int, red_line: bool, reported: int, grade: str) -> str:
    """Why an enterprise has its grade when the total alone would give a better one ("" otherwise)."""
    items = len(catalogue.items)
    if red_line:
        return f"触及红线,等级一律为 {catalogue.lowest_grade}"
    for band in catalogue.grades[:-1]:
        if band.grade == grade:
            return ""
        if band.min_total is not None and total_tenths >= to_tenths(band.min_total):
            share = f"{float(band.min_completeness or 0):.0%}"
            return f"总分够 {band.grade} 级,但只报送了 {reported}/{items} 项数据,{band.grade} 级要求至少 {share}"
    return ""


def grade_label(catalogue: Catalogue, grade: str) -> str:
    for band in catalogue.grades:
        if band.grade == grade:
            return band.label_zh
    raise KeyError(grade)
