"""Write the problems of a rejected file as a table the user can open in Excel."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from lrc.errors import LrcError, RowProblem
from lrc.export import csv_bytes, xlsx_bytes

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
        data = xlsx_bytes(frame, "问题 problems", widths=(24, 8, 20, 24, 80))
    else:
        data = csv_bytes(frame)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise LrcError(f"无法写入错误清单 {path}:{exc.strerror or exc} (cannot write the problem report)") from None
    return path
