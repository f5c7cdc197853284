"""Write a sample frame as CSV, XLSX or JSON, in the shape ``lrc ingest`` reads.

Headers are the canonical column names (``uscc``, ``headcount`` …); yes/no facts
are written 是/否 in CSV and XLSX, ``true``/``false`` in JSON; a missing fact is
a blank cell (``null`` in JSON). Codes stay text in every format.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lrc.errors import LrcError, UsageError

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
        raise UsageError(
            f"不支持的样例文件类型 {path.suffix or '(无后缀)'},可用 .csv、.xlsx、.json (unsupported file type)"
        )
    if not path.parent.is_dir():
        raise UsageError(f"目录 {path.parent} 不存在,请先创建 (directory does not exist)")
    try:
        writer(frame, path)
    except OSError as exc:
        raise LrcError(f"无法写入 {path}:{exc.strerror or exc} (cannot write the file)") from None


def _values(column: pd.Series, *, yes_no: bool) -> np.ndarray:
    """A column as Python values (None where missing); yes/no facts as 是/否 or as bools."""
    missing = column.isna().to_numpy()
    if pd.api.types.is_bool_dtype(column.dtype):
        choices = np.array([NO, YES, None] if yes_no else [False, True, None], dtype=object)
        return choices[column.to_numpy(dtype=bool, na_value=False).astype(np.int64) + 2 * missing]
    if pd.api.types.is_numeric_dtype(column.dtype):
        kind = np.int64 if pd.api.types.is_integer_dtype(column.dtype) else np.float64
        values = column.to_numpy(dtype=kind, na_value=0).astype(object)
        values[missing] = None
        return values
    return column.to_numpy(dtype=object, na_value=None)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with a byte-order mark (so Excel on Chinese Windows shows the text), LF line ends,
    quotes only where a value needs them, blank where a fact is missing."""
    columns = [_values(frame[name], yes_no=True) for name in frame.columns]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(frame.columns)
        writer.writerows(zip(*columns, strict=True))


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """One sheet, header in bold; code and name columns are text cells (format ``@``), never numbers."""
    if len(frame) > XLSX_MAX_ROWS:
        raise LrcError(f"Excel 一张表最多 {XLSX_MAX_ROWS} 行数据,请改用 .csv (too many rows for xlsx)")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("企业数据 enterprises")
    sheet.freeze_panes = "C2"
    for index, name in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = {"uscc": 22, "name": 34}.get(name, 12)
    sheet.append([_cell(sheet, str(name), bold=True) for name in frame.columns])
    columns = []
    for name in frame.columns:
        values = _values(frame[name], yes_no=True)
        if name in TEXT_COLUMNS:
            values = np.array([_cell(sheet, v, text=True) for v in values], dtype=object)
        columns.append(values)
    for row in zip(*columns, strict=True):
        sheet.append(row)
    book.save(path)


def _cell(sheet: object, value: object, *, bold: bool = False, text: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = Font(bold=True)
    if text:
        cell.number_format = "@"
    return cell


def _write_json(frame: pd.DataFrame, path: Path) -> None:
    """A list of objects, one enterprise per line; yes/no as true/false, ``null`` where missing."""
    names = [str(name) for name in frame.columns]
    columns = [_values(frame[name], yes_no=False) for name in frame.columns]
    rows = zip(*columns, strict=True)
    records = (json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) for row in rows)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[\n" + ",\n".join(records) + "\n]\n")
