"""Read CSV, XLSX and JSON files into a table of text cells, never guessing types.

Every cell comes out as a string ("" when blank), so codes keep their leading
zeros and nothing turns into scientific notation here. Rows keep the number
the user sees: the CSV line, the Excel row, or the JSON record index + 1.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NoReturn

import charset_normalizer
import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype
from python_calamine import CalamineWorkbook

from lrc.errors import InputValidationError, RowProblem

SUFFIXES = (".csv", ".xlsx", ".json")


@dataclass
class RawTable:
    """A file's cells as text: ``cells`` has one str column per header position (headers
    as written, possibly repeated or blank), "" for a blank cell; ``rows`` are user row numbers."""

    file: str
    headers: list[str]
    cells: pd.DataFrame
    rows: list[int]
    header_row: int | None
    is_json: bool = False
    problems: list[RowProblem] = field(default_factory=list)
    sha256: str = ""


def read_table(path: Path) -> RawTable:
    """The cells of ``path`` by suffix; InputValidationError (one problem) if it cannot be read."""
    file = path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = ",请在 Excel 中另存为 .xlsx" if suffix in (".xls", ".et", ".ods") else ""
        _fail(
            file,
            f"不支持的文件类型 {suffix or '(无后缀)'}{hint};可用 .csv、.xlsx、.json (unsupported file type)",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        _fail(file, f"无法读取文件 (cannot read file): {exc.strerror or exc}")
    if not data.strip():
        _fail(file, "文件为空 (empty file)")
    reader = {".csv": _read_csv, ".xlsx": _read_xlsx, ".json": _read_json}[suffix]
    table = reader(data, file)
    table.sha256 = hashlib.sha256(data).hexdigest()
    if not table.rows and not table.problems:
        _fail(file, "文件中只有标题行,没有数据 (no data rows)")
    return table


def _fail(file: str, reason: str, row: int | None = None) -> NoReturn:
    raise InputValidationError([RowProblem(file, row, None, None, reason)], file)


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK, else charset-normalizer's guess."""
    if data.startswith(b"PK\x03\x04"):
        _fail(file, "这是 Excel (xlsx) 文件,请使用 .xlsx 后缀 (this is an xlsx file)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "gb18030")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    best = charset_normalizer.from_bytes(data).best()
    if best is None or "\x00" in str(best):
        _fail(file, "无法识别文件编码,请另存为 UTF-8 (cannot decode the file; save it as UTF-8)")
    return str(best)


def _frame(headers: list[str], records: list[list[str]]) -> pd.DataFrame:
    width = len(headers)
    padded = [r if len(r) == width else (r + [""] * width)[:width] for r in records]
    columns = zip(*padded, strict=True) if padded else ([] for _ in headers)
    return pd.DataFrame({i: pd.Series(list(col), dtype="str") for i, col in enumerate(columns)})


def _extra_cells(file: str, width: int, records: list[list[str]], rows: list[int]) -> list[RowProblem]:
    problems = []
    for record, row in zip(records, rows, strict=True):
        extra = [c for c in record[width:] if c.strip()]
        if extra:
            reason = f"该行比标题行多出 {len(record) - width} 个值,多出的值没有列名 (more cells than headers)"
            problems.append(RowProblem(file, row, None, ", ".join(extra), reason))
    return problems


def _table(file: str, raw_rows: list[tuple[int, list[str]]]) -> RawTable:
    """Header = first non-blank row; fully blank rows are skipped."""
    kept = [(n, r) for n, r in raw_rows if "".join(r).strip()]
    if not kept:
        _fail(file, "文件为空 (empty file)")
    header_row, header = kept[0]
    headers = [h.strip().lstrip("\ufeff").strip() for h in header]
    rows = [n for n, _ in kept[1:]]
    records = [r for _, r in kept[1:]]
    table = RawTable(file, headers, _frame(headers, records), rows, header_row)
    table.problems.extend(_extra_cells(file, len(headers), records, rows))
    return table


def _read_csv(data: bytes, file: str) -> RawTable:
    text = decode_text(data, file)
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    return _read_csv_fast(text, file, delimiter) or _read_csv_lines(text, file, delimiter)


def _read_csv_fast(text: str, file: str, delimiter: str) -> RawTable | None:
    """pandas' C parser, when every record is one line (so line number = position + 1)."""
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=delimiter, header=None, dtype=str, na_filter=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, ValueError):
        return None
    if '"' in text and any(frame[c].str.contains("[\r\n]", regex=True).any() for c in frame.columns):
        return None
    filled = frame.ne("").any(axis=1).to_numpy()
    if not filled.any():
        _fail(file, "文件为空 (empty file)")
    lines = np.flatnonzero(filled) + 1
    header = [str(h).strip().lstrip("\ufeff").strip() for h in frame.iloc[lines[0] - 1]]
    contiguous = len(lines) == lines[-1] - lines[0] + 1
    # rows after the header up to the last filled line; trailing blank or ",,," lines are not records
    body = frame.iloc[lines[0] : lines[-1]] if contiguous else frame.iloc[lines[1:] - 1]
    body = body.reset_index(drop=True)
    body.columns = range(len(header))
    return RawTable(file, header, body, lines[1:].tolist(), int(lines[0]))


def _read_csv_lines(text: str, file: str, delimiter: str) -> RawTable:
    """The csv module, counting the line each record starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    raw_rows: list[tuple[int, list[str]]] = []
    line = 0
    try:
        for record in reader:
            raw_rows.append((line + 1, record))
            line = reader.line_num
    except csv.Error as exc:
        _fail(file, f"CSV 格式错误 (malformed CSV): {exc}", reader.line_num)
    return _table(file, raw_rows)


def cell_text(value: object) -> str:
    """Text of a spreadsheet or JSON value: 210100.0 → "210100", 0.95 → "0.95", None → "".

    Floats keep Excel's 15 significant digits, so a number too long to be exact
    (an 18-digit code typed into a number cell) shows as ``9.14403001922038e+17``.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN: a key missing from some JSON records
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _read_xlsx(data: bytes, file: str) -> RawTable:
    try:
        raw_rows = _xlsx_rows(data)
    except Exception as exc:  # the reader raises many kinds of error on a damaged or foreign file
        _fail(
            file, f"无法读取 Excel (xlsx) 文件,文件可能已损坏 (cannot read xlsx): {type(exc).__name__}: {exc}"
        )
    return _table(file, raw_rows)


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """Rows of the first worksheet as text, numbered from 1; formulas give their cached values.

    calamine (Rust) reads a 100k-row sheet in seconds, where openpyxl takes over a minute."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheet = book.get_sheet_by_index(0)
    rows = sheet.to_python(skip_empty_area=False)
    return [(n, [cell_text(v) for v in values]) for n, values in enumerate(rows, start=1)]


def _json_records(doc: object, file: str) -> list[Any]:
    if isinstance(doc, dict) and isinstance(doc.get("records"), list):
        return doc["records"]
    if isinstance(doc, list):
        return doc
    _fail(file, 'JSON 应为对象数组,或 {"records": [...]} (expected a list of objects)')


def _read_json(data: bytes, file: str) -> RawTable:
    try:
        doc = json.loads(decode_text(data, file))
    except json.JSONDecodeError as exc:
        _fail(file, f"JSON 格式错误,第 {exc.lineno} 行第 {exc.colno} 列 (invalid JSON): {exc.msg}")
    except RecursionError:
        _fail(file, "JSON 嵌套过深 (too deeply nested)")
    records = _json_records(doc, file)
    problems: list[RowProblem] = []
    objects: list[tuple[int, dict[str, Any]]] = []
    for index, record in enumerate(records, start=1):
        if isinstance(record, dict):
            objects.append((index, record))
        else:
            reason = "不是对象 (not an object)"
            problems.append(RowProblem(file, index, None, cell_text(record), reason, record=True))
    if not objects and not problems:
        _fail(file, "JSON 中没有记录 (no records)")
    source = pd.DataFrame([obj for _, obj in objects], dtype=object)
    headers = [str(k).strip() for k in source.columns]
    columns = {i: pd.Series(_texts(source[k].to_numpy()), dtype="str") for i, k in enumerate(source.columns)}
    rows = [index for index, _ in objects]
    return RawTable(file, headers, pd.DataFrame(columns), rows, None, is_json=True, problems=problems)


def _texts(values: np.ndarray) -> list[str]:
    """``cell_text`` of a whole column, skipping the per-cell call when all values share a simple type."""
    kind = infer_dtype(values, skipna=False)
    if kind == "string":
        return values.tolist()
    if kind == "integer":
        return list(map(str, values.tolist()))
    return list(map(cell_text, values.tolist()))
