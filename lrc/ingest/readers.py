"""Read CSV (or tab-separated .txt), XLSX and JSON files into a table of text cells,
never guessing types.

Every cell comes out as a string ("" when blank), so codes keep their leading
zeros and nothing turns into scientific notation here. Rows keep the number
the user sees: the CSV line, the Excel row, or the JSON record index + 1.
A CSV data row must have a cell for every header: a short row is refused, not
padded with blanks (blank means "not reported").
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype
from python_calamine import CalamineSheet, CalamineWorkbook, SheetMetadata, SheetTypeEnum, SheetVisibleEnum

from lrc.errors import InputValidationError, RowProblem, UsageError
from lrc.ingest import strict_json
from lrc.ingest.cjk_encodings import big5_problems, shift_jis_problems
from lrc.ingest.encoding import GB18030, decode, delimiter_of, encoding_problems, utf8_cells
from lrc.ingest.template_period import GUIDE_SHEET, title_period
from lrc.ingest.xlsx_extent import oversized
from lrc.ingest.xlsx_formulas import formulas_without_values

SUFFIXES = (".csv", ".txt", ".xlsx", ".json")  # .txt: Excel's "Unicode text" (UTF-16, tab-separated)
# Absurd shapes are refused before they are parsed (a one-line file of millions of empty
# columns would otherwise take all memory). A real submission has about 80 columns,
# rows of a few hundred characters and cells of at most a few dozen.
MAX_COLUMNS = 1_000
MAX_LINE_CHARS = 65_536
MAX_CELL_CHARS = 4_096
EXAMPLE_MARK = "示例"  # a collection template's example row: its USCC cell starts with this


@dataclass
class RawTable:
    """A file's cells as text: ``cells`` has one str column per header position (headers
    as written, possibly repeated or blank), "" for a blank cell; ``rows`` are user row numbers.
    ``sheet`` names the worksheet read when a workbook has several, ``template_period`` the period a collection
    template was made for (``template_period.title_period``); ``json_objects`` are a JSON
    file's records (number, object) and ``json_keys`` its keys in header order."""

    file: str
    headers: list[str]
    cells: pd.DataFrame
    rows: list[int]
    header_row: int | None
    is_json: bool = False
    problems: list[RowProblem] = field(default_factory=list)
    sha256: str = ""
    sheet: str | None = None
    template_period: str | None = None  # a collection template's: the period its guide sheet names
    json_objects: list[tuple[int, dict[str, Any]]] = field(default_factory=list, repr=False)
    json_keys: list[str] = field(default_factory=list, repr=False)

    def first_record_with(self, pos: int) -> int | None:
        """JSON: the first record having the key of header ``pos``, if some records lack it."""
        if not self.is_json or pos >= len(self.json_keys):
            return None
        key = self.json_keys[pos]
        having = [n for n, obj in self.json_objects if key in obj]
        return having[0] if having and len(having) < len(self.json_objects) else None


def read_table(path: Path, *, key_headers: Collection[str] = (), sheet: str | None = None) -> RawTable:
    """The cells of ``path`` by suffix; InputValidationError (one problem) if it cannot be read.

    A workbook is read from worksheet ``sheet`` when it is named, else from the one worksheet holding data
    (``data_sheet``); a workbook with several is refused, naming them."""
    check_sheet_option(path, sheet)
    file = path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = ",请在 Excel 中另存为 .xlsx" if suffix in (".xls", ".et", ".ods") else ""
        _fail(
            file,
            f"不支持的文件类型 {suffix or '(无后缀)'}{hint};"
            "可用 .csv、.txt(Excel「Unicode 文本」,制表符分隔)、.xlsx、.json (unsupported file type)",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        _fail(file, f"无法读取文件 (cannot read file): {exc.strerror or exc}")
    if not data.strip():
        _fail(file, "文件为空 (empty file)")
    if suffix == ".xlsx":
        table = _read_xlsx(data, file, frozenset(key_headers), sheet)
    elif suffix == ".json":
        table = _read_json(data, file)
    else:
        table = _read_csv(data, file, prefer_tab=suffix == ".txt")
    table.sha256 = hashlib.sha256(data).hexdigest()
    check_cells(table)
    if not table.rows and not table.problems:
        place = f"工作表「{table.sheet}」中" if table.sheet else "文件中"
        _fail(file, f"{place}只有标题行,没有数据 (no data rows)")
    return table


TITLE_ROWS = 5  # rows looked at below a header row that looks like a title


def title_above_header(table: RawTable, known: Callable[[str], bool]) -> RowProblem | None:
    """The one problem of a file whose first row is a title typed above the header, as Excel users often
    do: that row has a single filled cell naming no known column, and one of the next rows holds known column
    names. Every other problem of such a file (unknown and missing columns, every row too long) would only
    repeat this one."""
    if table.is_json or table.header_row is None:
        return None
    filled = [h for h in table.headers if h]
    if len(filled) != 1 or known(filled[0]):
        return None
    for k in range(min(TITLE_ROWS, len(table.rows))):
        if any(known(str(c).strip()) for c in table.cells.iloc[k].tolist() if str(c).strip()):
            header = table.rows[k]
            above = header - table.header_row
            reason = (
                f"第 {table.header_row} 行像是标题,不是列名:列名应在第一行。第 {header} 行才是列名,"
                f"请删除其上方的 {above} 行后重新导入 (a title above the header: delete the rows above row {header})"
            )
            if table.sheet:
                reason = f"工作表「{table.sheet}」,{reason}"
            return RowProblem(table.file, table.header_row, None, filled[0], reason)
    return None


def _fail(file: str, reason: str, row: int | None = None) -> NoReturn:
    raise InputValidationError([RowProblem(file, row, None, None, reason)], file)


def _check_columns(file: str, columns: int, row: int | None, where: str = "") -> None:
    if columns > MAX_COLUMNS:
        _fail(
            file,
            f"{where}有 {columns} 列,超过上限 {MAX_COLUMNS} 列,请删除多余的列 (more than {MAX_COLUMNS} columns)",
            row,
        )


_LONE_CR = re.compile(r"\r(?!\r*\n)")  # CR CR LF (a CRLF file converted twice) ends a line as CRLF does
MAX_LONE_CR_LINES = 20  # lines named; the file is refused at the first
LONE_CR_REASON = (
    "行中有单独的回车符(显示为 ␍),不在引号内,会把一行断成两行:请删除它,或把该单元格用英文双引号括起"
    " (a lone carriage return splits this line)"
)


def _lone_returns(text: str, file: str) -> None:
    """Refuse lines of an LF or CRLF file holding a carriage return alone outside quotes (pasted from an old
    Mac text, say): every parser breaks the line there, and the file would be refused with a short-row
    problem for each half, in line numbers the user cannot find. Each such line is named, with the text
    around the character. (A file whose every line ends in CR alone reads as it is.)"""
    if "\n" not in text or _LONE_CR.search(text) is None:
        return
    problems: list[RowProblem] = []
    quoted = False
    for number, line in enumerate(text.split("\n"), start=1):
        body = line.rstrip("\r")
        if "\r" not in body:
            quoted ^= body.count('"') % 2 == 1
            continue
        found = None
        for i, char in enumerate(body):
            if char == '"':
                quoted = not quoted
            elif char == "\r" and not quoted and found is None:
                found = i
        if found is not None:
            around = (body[max(0, found - 15) : found] + "␍" + body[found + 1 : found + 16]).replace("\r", "␍")
            problems.append(RowProblem(file, number, None, around, LONE_CR_REASON))
            if len(problems) >= MAX_LONE_CR_LINES:
                break
    if problems:
        raise InputValidationError(problems, file)


def _check_lines(text: str, file: str, delimiter: str) -> None:
    """Refuse a header wider than MAX_COLUMNS, a line longer than MAX_LINE_CHARS or a line broken by a lone
    carriage return, before parsing."""
    _lone_returns(text, file)
    lines = text.split("\n")
    first = next(((n, line) for n, line in enumerate(lines, start=1) if line.strip("\ufeff\r")), None)
    if first is not None:
        _check_columns(file, first[1].count(delimiter) + 1, first[0], "标题行")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    if len(lines[longest]) > MAX_LINE_CHARS:
        _fail(
            file,
            f"该行有 {len(lines[longest]):,} 个字符,超过上限 {MAX_LINE_CHARS:,} (line too long)",
            longest + 1,
        )


def check_cells(table: RawTable) -> None:
    """Refuse a table wider than MAX_COLUMNS or with a cell longer than MAX_CELL_CHARS."""
    where = f"工作表「{table.sheet}」" if table.sheet else ""
    _check_columns(table.file, len(table.headers), table.header_row, where)
    for pos, header in enumerate(table.headers):
        if len(header) > MAX_CELL_CHARS:
            _fail_cell(table, table.header_row, pos, len(header))
    for pos in table.cells.columns:
        lengths = table.cells[pos].str.len().to_numpy()
        if len(lengths) and lengths.max() > MAX_CELL_CHARS:
            i = int(lengths.argmax())
            _fail_cell(table, table.rows[i], int(pos), int(lengths[i]))


def _fail_cell(table: RawTable, row: int | None, pos: int, length: int) -> NoReturn:
    header = table.headers[pos] if pos < len(table.headers) else ""
    column = header if header and len(header) <= 64 else f"第 {pos + 1} 列"
    problem = RowProblem(
        table.file, row, column, None,
        f"单元格有 {length:,} 个字符,超过上限 {MAX_CELL_CHARS:,} (cell too long)", record=table.is_json,
    )  # fmt: skip
    raise InputValidationError([problem], table.file)


def _frame(headers: list[str], records: list[list[str]]) -> pd.DataFrame:
    """Rows of text as a frame of str columns numbered from 0 (built in one call: per-column Series cost
    more than the work for a short table, and no less for a long one)."""
    width = len(headers)
    padded = [r if len(r) == width else (r + [""] * width)[:width] for r in records]
    if not padded:
        return pd.DataFrame({i: pd.Series([], dtype="str") for i in range(width)})
    return pd.DataFrame(padded, columns=range(width), dtype="str")


def _extra_cells(file: str, width: int, records: list[list[str]], rows: list[int]) -> list[RowProblem]:
    problems = []
    for record, row in zip(records, rows, strict=True):
        extra = [c for c in record[width:] if c.strip()]
        if extra:
            reason = f"该行比标题行多出 {len(record) - width} 个值,多出的值没有列名 (more cells than headers)"
            problems.append(RowProblem(file, row, None, ", ".join(extra), reason))
    return problems


def short_row_problem(file: str, row: int, cells: int, width: int) -> RowProblem:
    """A text row with fewer cells than the header: its missing cells are not blanks."""
    reason = f"该行只有 {cells} 个值,比标题行少 {width - cells} 个 (fewer cells than headers)"
    return RowProblem(file, row, None, None, reason)


def _named_width(headers: list[str]) -> int:
    """Header cells up to the last named one (Excel pads rows to its used range)."""
    return max((i + 1 for i, h in enumerate(headers) if h), default=0)


def _short_cells(file: str, width: int, records: list[list[str]], rows: list[int]) -> list[RowProblem]:
    return [
        short_row_problem(file, row, len(record), width)
        for record, row in zip(records, rows, strict=True)
        if len(record) < width
    ]


def _header(cells: list[str]) -> list[str]:
    return [h.strip().lstrip("\ufeff").strip() for h in cells]


def _table(file: str, raw_rows: list[tuple[int, list[str]]], *, text: bool = False) -> RawTable:
    """Header = first non-blank row; fully blank rows are skipped. In ``text`` (CSV) every
    data row must have a cell for every header."""
    kept = [(n, r) for n, r in raw_rows if "".join(r).strip()]
    if not kept:
        _fail(file, "文件为空 (empty file)")
    header_row, header = kept[0]
    headers = _header(header)
    rows = [n for n, _ in kept[1:]]
    records = [r for _, r in kept[1:]]
    table = RawTable(file, headers, _frame(headers, records), rows, header_row)
    if text:
        table.problems.extend(_short_cells(file, _named_width(headers), records, rows))
    table.problems.extend(_extra_cells(file, len(headers), records, rows))
    return table


def _read_csv(data: bytes, file: str, *, prefer_tab: bool = False) -> RawTable:
    text, encoding = decode(data, file, prefer_tab=prefer_tab)
    return csv_text_table(text, file, prefer_tab=prefer_tab, encoding=encoding)


def csv_text_table(text: str, file: str, *, prefer_tab: bool = False, encoding: str = "utf-8") -> RawTable:
    """Comma- or tab-separated text; tabs when the first line has tabs and no commas
    (or, with ``prefer_tab``, any tabs: Excel's "Unicode text" export). Rows are the lines of ``text``.
    Text read as GB18030 (``encoding``) that is Big5, or has UTF-8 text in it, is refused where it shows."""
    head = text.lstrip("\ufeff\r\n")  # the first line that is not blank
    end = head.find("\n")
    delimiter = delimiter_of(head if end < 0 else head[:end], prefer_tab)
    _check_lines(text, file, delimiter)
    if encoding == GB18030:
        _refuse_garbled(text, file, delimiter, prefer_tab)
    return _read_csv_fast(text, file, delimiter) or _read_csv_lines(text, file, delimiter)


def _refuse(problems: list[RowProblem], file: str) -> None:
    if problems:
        raise InputValidationError(problems, file)


def _refuse_garbled(text: str, file: str, delimiter: str | None, prefer_tab: bool = False) -> None:
    """Refuse the text of a file read as GB18030 that GB18030 garbles: Big5 (``big5_problems``), Shift-JIS
    (``shift_jis_problems``), or UTF-8 cells in it (``utf8_cells``). ``delimiter``: a table's, or None for
    JSON."""
    _refuse(big5_problems(text, file, delimiter), file)
    _refuse(shift_jis_problems(text, file, delimiter), file)
    if utf8_cells(text, file, delimiter):
        data = text.encode(GB18030)
        _refuse(encoding_problems(data, file, table=delimiter is not None, prefer_tab=prefer_tab), file)


def line_breaks(text: str) -> int:
    """Lines ended in ``text`` as pandas' parser counts them (CRLF, LF or a lone CR)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _text_lines(text: str) -> list[str]:
    """The lines as pandas' C parser counts them (broken at CRLF, LF or a lone CR), without the
    empty one after a final line break."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def _short_lines(
    frame: pd.DataFrame, text: str, file: str, body: np.ndarray, width: int, delimiter: str
) -> list[RowProblem] | None:
    """Problems for body lines (1-based) with fewer cells than ``width``; None if the lines of
    ``text`` do not match the parser's rows. pandas pads a short line with "", so only lines
    whose last named cell is "" are counted: by delimiters when unquoted, else by the csv module."""
    if width == 0 or not len(body):
        return []
    candidates = body[frame[width - 1].to_numpy()[body - 1] == ""]
    if not len(candidates):
        return []
    lines = _text_lines(text)
    if len(lines) != len(frame):
        return None
    rows = candidates.tolist()
    chosen = [lines[row - 1] for row in rows]
    quoted = [i for i, line in enumerate(chosen) if '"' in line]
    counts = [line.count(delimiter) + 1 for line in chosen]
    if quoted:  # every record is one line here (no cell has a line break), so one record per line
        parsed = [len(cells) for cells in csv.reader([chosen[i] for i in quoted], delimiter=delimiter)]
        if len(parsed) != len(quoted):
            return None
        for i, cells in zip(quoted, parsed, strict=True):
            counts[i] = cells
    return [
        short_row_problem(file, row, cells, width)
        for row, cells in zip(rows, counts, strict=True)
        if cells < width
    ]


def _read_csv_fast(text: str, file: str, delimiter: str) -> RawTable | None:
    """pandas' C parser, when every record is one line (so line number = position + 1);
    None to leave the file to the csv module."""
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=delimiter, header=None, dtype=str, na_filter=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, ValueError):
        return None
    if '"' in text and len(frame) != line_breaks(text) + (0 if text.endswith(("\n", "\r")) else 1):
        return None  # a quoted cell holds a line break: a record spans lines (told by the rows against the lines;
        # searching every cell for a line break took 1.4 s of a 1M file's 24 s)
    filled = frame.ne("").any(axis=1).to_numpy()
    if not filled.any():
        _fail(file, "文件为空 (empty file)")
    lines = np.flatnonzero(filled) + 1
    header = _header([str(h) for h in frame.iloc[lines[0] - 1]])
    short = _short_lines(frame, text, file, lines[1:], _named_width(header), delimiter)
    if short is None:
        return None
    contiguous = len(lines) == lines[-1] - lines[0] + 1
    # rows after the header up to the last filled line; trailing blank or ",,," lines are not records
    body = frame.iloc[lines[0] : lines[-1]] if contiguous else frame.iloc[lines[1:] - 1]
    body = body.reset_index(drop=True)
    body.columns = range(len(header))
    return RawTable(file, header, body, lines[1:].tolist(), int(lines[0]), problems=short)


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
    return _table(file, raw_rows, text=True)


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


def check_sheet_option(path: Path, sheet: str | None) -> None:
    """A worksheet can be named only for a workbook (UsageError otherwise)."""
    if sheet is not None and path.suffix.lower() != ".xlsx":
        reason = f"只有 Excel (.xlsx) 文件才有工作表,{path.name} 不是 (--sheet is for .xlsx workbooks)"
        raise UsageError(f"--sheet {sheet}:{reason}")


def _read_xlsx(data: bytes, file: str, key_headers: frozenset[str], wanted: str | None = None) -> RawTable:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        name, several, raw_rows = _xlsx_rows(book, data, key_headers, file, wanted)
        made_for = _guide_period(book, data)
    except (InputValidationError, UsageError):
        raise
    except Exception as exc:  # the reader raises many kinds of error on a damaged or foreign file
        _fail(
            file, f"无法读取 Excel (xlsx) 文件,文件可能已损坏 (cannot read xlsx): {type(exc).__name__}: {exc}"
        )
    table = _table(file, raw_rows)
    table.sheet = name if several else None
    table.template_period = made_for
    table.problems.extend(formulas_without_values(data, name, table))
    return table


def _guide_period(book: CalamineWorkbook, data: bytes) -> str | None:
    """The period the title (A1) of a collection template's guide sheet names, when the workbook has one."""
    if GUIDE_SHEET not in book.sheet_names or oversized(data, GUIDE_SHEET, MAX_COLUMNS) is not None:
        return None
    rows = book.get_sheet_by_name(GUIDE_SHEET).to_python(skip_empty_area=False, nrows=1)
    return title_period(cell_text(rows[0][0])) if rows and rows[0] else None


def _xlsx_rows(
    book: CalamineWorkbook, data: bytes, key_headers: frozenset[str], file: str, wanted: str | None
) -> tuple[str, bool, list[tuple[int, list[str]]]]:
    """(sheet name, whether the workbook has several worksheets, rows as text numbered from 1) of worksheet
    ``wanted``, else of ``data_sheet``. Formulas give their cached values.

    calamine (Rust) reads a 100k-row sheet in seconds, where openpyxl takes over a minute."""
    sheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    sheets.sort(key=lambda m: m.visible != SheetVisibleEnum.Visible)  # stable: file order within each
    if not sheets:
        return "", False, []
    if wanted is not None:
        sheet = _load_sheet(book, data, _named_sheet(sheets, wanted, file), file)
    else:
        sheet = data_sheet(book, data, sheets, key_headers, file)
    rows = sheet.to_python(skip_empty_area=False)
    text = [(n, [cell_text(v) for v in values]) for n, values in enumerate(rows, start=1)]
    return sheet.name, len(sheets) > 1, text


def _load_sheet(book: CalamineWorkbook, data: bytes, name: str, file: str) -> CalamineSheet:
    """A worksheet, once its used range is known not to be absurd (calamine holds it as one dense block)."""
    refused = oversized(data, name, MAX_COLUMNS)
    if refused is not None:
        _fail(file, refused)
    return book.get_sheet_by_name(name)


def _named_sheet(sheets: list[SheetMetadata], wanted: str, file: str) -> str:
    """The worksheet called ``wanted`` (as typed, else ignoring case and surrounding spaces, as Excel does)."""
    for meta in sheets:
        if meta.name == wanted:
            return meta.name
    for meta in sheets:
        if meta.name.strip().casefold() == wanted.strip().casefold():
            return meta.name
    raise UsageError(
        f"--sheet {wanted}:{file} 中没有这个工作表;工作表有 {_sheet_names(sheets)} (no such worksheet)"
    )


def _sheet_names(sheets: list[SheetMetadata]) -> str:
    hidden = "(隐藏 hidden)"
    return "、".join(f"「{m.name}」{'' if m.visible == SheetVisibleEnum.Visible else hidden}" for m in sheets)


def data_sheet(
    book: CalamineWorkbook, data: bytes, sheets: list[SheetMetadata], key_headers: frozenset[str], file: str
) -> CalamineSheet:
    """The worksheet holding data: one whose header row (first non-blank row) has one of ``key_headers``
    (lower-cased: the USCC column's names) and a non-blank row below it other than the collection
    template's example. A sheet of notes, a code list, a header alone or the template's unfilled example do not
    count, so a filled template has one. Several such sheets are refused, naming them (hidden ones too): which
    one is meant cannot be told. Without any, the first sheet with the key header, else the first non-blank one,
    is read (for its problems to be named). Visible sheets come before hidden ones."""
    holding: list[SheetMetadata] = []
    chosen = keyed = filled = None
    for meta in sheets:  # reading a sheet parses all of it: keep only what may be chosen
        sheet = _load_sheet(book, data, meta.name, file)
        kind = _sheet_kind(sheet, key_headers)
        if kind == "data":
            holding.append(meta)
            chosen = chosen or sheet
        keyed = keyed or (sheet if kind == "keyed" else None)
        filled = filled or (sheet if kind != "blank" else None)
    if len(holding) > 1:
        _fail(file, _several_reason(holding))
    return chosen or keyed or filled or book.get_sheet_by_name(sheets[0].name)


def _several_reason(sheets: list[SheetMetadata]) -> str:
    example = f"--sheet {sheets[0].name}" if " " not in sheets[0].name else f'--sheet "{sheets[0].name}"'
    return (
        f"工作簿中有 {len(sheets)} 个工作表都有数据:{_sheet_names(sheets)},不知道该导入哪一个。请用 --sheet 指定"
        f"要导入的工作表(如 {example}),或把其他工作表删除或移到另一个工作簿后重新导入"
        " (several worksheets hold data: choose one with --sheet NAME, or delete or move the others)"
    )


def _sheet_kind(sheet: CalamineSheet, key_headers: frozenset[str]) -> str:
    """"data", "keyed" (the key header with nothing under it but the template's example), "filled" (no key
    header) or "blank"."""
    rows = (r for r in sheet.iter_rows() if _filled(r))
    header = next(rows, None)
    if header is None:
        return "blank"
    names = [h.lower() for h in _header(list(map(cell_text, header)))]
    key = next((i for i, name in enumerate(names) if name in key_headers), None)
    if key is None:
        return "filled"
    example = (r for r in rows if not (key < len(r) and cell_text(r[key]).strip().startswith(EXAMPLE_MARK)))
    return "data" if next(example, None) is not None else "keyed"


def _filled(values: list[Any]) -> bool:
    return bool("".join(cell_text(v) for v in values).strip())


def _json_records(doc: object, file: str) -> list[Any]:
    if isinstance(doc, dict) and isinstance(doc.get("records"), list):
        return doc["records"]
    if isinstance(doc, list):
        return doc
    _fail(file, 'JSON 应为对象数组,或 {"records": [...]} (expected a list of objects)')


def json_text(data: bytes, file: str) -> str:
    """The text of a JSON (or JSON Lines) file's bytes, decoded as a CSV's are (UTF-8, UTF-16 with a mark, else
    GB18030), refused where they do not decode or GB18030 garbles them (Big5, UTF-8 cells), by line."""
    text, encoding = decode(data, file, table=False)
    if encoding == GB18030:
        _refuse_garbled(text, file, None)
    return text.removeprefix("\ufeff")


def _read_json(data: bytes, file: str) -> RawTable:
    text = json_text(data, file)
    try:
        doc = strict_json.loads(text)  # a key given twice, NaN: refused by record and field in json_table
    except json.JSONDecodeError as exc:
        _fail(file, f"JSON 格式错误,第 {exc.lineno} 行第 {exc.colno} 列 (invalid JSON): {exc.msg}")
    except RecursionError:
        _fail(file, "JSON 嵌套过深 (too deeply nested)")
    return json_table(_json_records(doc, file), file)


def json_table(records: list[Any], file: str) -> RawTable:
    """JSON records (already parsed: a file's, or the body of an HTTP request) as a table of text cells."""
    problems: list[RowProblem] = []
    objects: list[tuple[int, dict[str, Any]]] = []
    for index, record in enumerate(records, start=1):
        if isinstance(record, dict):
            objects.append((index, record))
            for key, value, reason in strict_json.problems(record):
                problems.append(RowProblem(file, index, str(key), value, reason, record=True))
        else:
            reason = "不是对象 (not an object)"
            problems.append(RowProblem(file, index, None, cell_text(record), reason, record=True))
    if not objects and not problems:
        _fail(file, "JSON 中没有记录 (no records)")
    rows = [index for index, _ in objects]
    if len(objects) <= FEW:  # one API call or form: plain Python is quicker than building columns
        keys = list(dict.fromkeys(k for _, obj in objects for k in obj))
        cells = _frame(keys, [[cell_text(obj.get(k)) for k in keys] for _, obj in objects])
    else:
        source = pd.DataFrame([obj for _, obj in objects], dtype=object)
        keys = list(source.columns)
        cells = pd.DataFrame({i: pd.Series(_texts(source[k].to_numpy()), dtype="str") for i, k in enumerate(keys)})
    headers = [str(k).strip() for k in keys]
    table = RawTable(file, headers, cells, rows, None, is_json=True, problems=problems)
    table.json_objects = objects
    table.json_keys = [str(k) for k in keys]
    return table


FEW = 200  # records


def _texts(values: np.ndarray) -> list[str]:
    """``cell_text`` of a whole column, skipping the per-cell call when all values share a simple type."""
    kind = infer_dtype(values, skipna=False)
    if kind == "string":
        return values.tolist()
    if kind == "integer":
        return list(map(str, values.tolist()))
    return list(map(cell_text, values.tolist()))
