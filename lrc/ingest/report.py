"""Write the problems of a rejected file as a table the user can open in Excel."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from lrc.errors import RowProblem

REPORT_COLUMNS: dict[str, str] = {
    "file": "文件 file",
    "row": "行 row",
    "column": "列 column",
    "value": "值 value",
    "reason": "原因 reason",
}


def problem_frame(problems: Iterable[RowProblem]) -> pd.DataFrame:
    """One row per problem, with bilingual column headers."""
    records = [[p.file, p.row, p.column, p.value, p.reason] for p in problems]
    frame = pd.DataFrame(records, columns=list(REPORT_COLUMNS.values()))
    frame[REPORT_COLUMNS["row"]] = frame[REPORT_COLUMNS["row"]].astype("Int64")
    return frame


def write_problem_report(problems: Iterable[RowProblem], path: Path) -> Path:
    """Write ``problems`` to ``path``: ``.xlsx`` as a workbook, anything else as CSV in
    UTF-8 with BOM (so Excel on Chinese Windows shows the Chinese correctly)."""
    path = Path(path)
    frame = problem_frame(problems)
    if path.suffix.lower() == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            frame.to_excel(writer, index=False, sheet_name="问题 problems")
            sheet = writer.sheets["问题 problems"]
            for letter, width in zip("ABCDE", (24, 8, 20, 24, 80), strict=True):
                sheet.column_dimensions[letter].width = width
    else:
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path
