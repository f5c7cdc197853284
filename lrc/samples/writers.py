"""Write a sample frame as CSV, XLSX or JSON, in the shape ``lrc ingest`` reads.

Headers are the canonical column names (``uscc``, ``headcount`` …); yes/no facts
are written 是/否 in CSV and XLSX, ``true``/``false`` in JSON; a missing fact is
a blank cell (``null`` in JSON). Codes stay text in every format.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from lrc.errors import LrcError

__all__ = ["write_sample"]

XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header
TEXT_COLUMNS = ("uscc", "name", "region_code", "industry", "size", "ownership")
YES, NO = "是", "否"


def write_sample(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path``; the suffix (.csv, .xlsx, .json) picks the format."""
    path = Path(path)
    writers = {".csv": _write_csv, ".xlsx": _write_xlsx, ".json": _write_json}
    writer = writers.get(path.suffix.lower())
    if writer is None:
        raise LrcError(
            f"不支持的样例文件类型 {path.suffix or '(无后缀)'},可用 .csv、.xlsx、.json (unsupported file type)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    writer(frame, path)


def _yes_no(column: pd.Series) -> pd.Series:
    """A boolean column as 是/否 text, missing as None."""
    values = column.to_numpy(dtype=object, na_value=None)
    return pd.Series(np.where(pd.isna(column), None, np.where(values == True, YES, NO)), index=column.index)  # noqa: E712


def _is_bool(column: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(column.dtype)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with a byte-order mark (so Excel on Chinese Windows shows the text), LF line ends."""
    shown = frame.copy()
    for name in shown.columns:
        if _is_bool(shown[name]):
            shown[name] = _yes_no(shown[name])
    shown.to_csv(path, index=False, encoding="utf-8-sig", na_rep="", lineterminator="\n")


def _xlsx_value(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return YES if value else NO
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """One sheet, header in bold; code columns are text cells (format ``@``), never numbers."""
    if len(frame) > XLSX_MAX_ROWS:
        raise LrcError(f"Excel 一张表最多 {XLSX_MAX_ROWS} 行数据,请改用 .csv (too many rows for xlsx)")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("企业数据 enterprises")
    sheet.freeze_panes = "C2"
    for letter_index, name in enumerate(frame.columns):
        width = {"uscc": 22, "name": 34}.get(name, 12)
        sheet.column_dimensions[_column_letter(letter_index)].width = width
    bold = Font(bold=True)
    header = []
    for name in frame.columns:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    text = [name in TEXT_COLUMNS for name in frame.columns]
    for row in frame.astype(object).itertuples(index=False, name=None):
        cells = []
        for is_text, value in zip(text, row, strict=True):
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if is_text:
                cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
    book.save(path)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _write_json(frame: pd.DataFrame, path: Path) -> None:
    """A list of objects, one enterprise per line; ``null`` for a missing fact."""
    text = frame.to_json(orient="records", force_ascii=False, double_precision=15)
    path.write_text(text.replace("},{", "},\n{") + "\n", encoding="utf-8")
