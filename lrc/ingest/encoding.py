"""Which encoding a text file (CSV, tab-separated TXT, JSON) is in, and where it is not.

A file is read as UTF-8 (with or without a byte-order mark), UTF-16 (with a mark, as Excel saves "Unicode
text"; without one when its NUL bytes say so) or GB18030 (GBK's superset, as Excel saves CSV on Chinese
Windows; a Big5 file, which GB18030 reads as mojibake, is refused: ``big5``). Nothing else is guessed: a
guesser read a GBK file with one stray byte as Cyrillic, every name garbled. A file that none of them
decodes is refused naming each row that does not decode, the column and byte where it stops, and the
encodings tried; a cell in the other of UTF-8 and GBK than the rest of the file is named as such (two
encodings in one file). A row is numbered as the readers number it, by the line it starts on: a quoted cell
with line breaks (Excel's Alt+Enter) does not end it (``file_rows``).

The other way two encodings meet in one file is quieter: GB18030 decodes almost any even run of bytes, so
the UTF-8 bytes of 张三 (E5 BC A0 E4 B8 89) read without error as 寮犱笁. After a file is read as GB18030,
its text is encoded back to its bytes: a run of non-ASCII bytes (between ASCII ones) that is valid UTF-8
spelling Chinese text was written in UTF-8, and the file is refused at that row and column.

"Valid UTF-8" alone is not enough. About one GB2312 character in seven has bytes that are also a two-byte
UTF-8 character (隆 is C2 A1, ¡ in UTF-8; 楼 is C2 A5, ¥), so a run of one or two genuine GBK characters can
be valid UTF-8, but never UTF-8 for a Chinese character, which takes three bytes (E3–E9, then two of 80–BF):
a run must read as text with at least one Han character and nothing but Han, CJK and full-width punctuation.
Genuine GBK text passes that only by chance, about four in a hundred thousand random three-character runs of
GB2312 and ever less often for longer ones; no name, header or category of the project does
(``tests/test_encoding.py``)."""

from __future__ import annotations

import bisect
import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NoReturn

import numpy as np

from lrc.errors import InputValidationError, RowProblem

UTF8 = "utf-8-sig"  # with or without a byte-order mark
UTF16 = "utf-16"
UTF32 = "utf-32"  # with its byte-order mark only
GB18030 = "gb18030"
TRIED = "UTF-8、GB18030/GBK"
MAX_ENCODING_PROBLEMS = 20  # cells named; the file is refused at the first
MIXED_UTF8_REASON = (
    "这一格是 UTF-8 编码,而文件其余部分是 GBK/GB18030 编码,按 GBK 读出来是乱码:同一个文件混用了两种编码。"
    "请把整个文件另存为 UTF-8(Excel「CSV UTF-8」)或 GBK 后重新导入"
    " (mixed encodings: a UTF-8 cell in a GBK file; save the whole file as UTF-8 or GBK)"
)
MIXED_GBK_REASON = (
    "这一格是 GBK/GB18030 编码,而文件其余部分是 UTF-8 编码:同一个文件混用了两种编码。"
    "请把整个文件另存为 UTF-8(Excel「CSV UTF-8」)或 GBK 后重新导入"
    " (mixed encodings: a GBK cell in a UTF-8 file; save the whole file as UTF-8 or GBK)"
)
NOT_TEXT_REASON = (
    f"不是文本文件,或不是 {TRIED} 编码的文本,无法读取;请在 Excel 中另存为「CSV UTF-8」后重新导入"
    " (not a text file in UTF-8 or GB18030/GBK)"
)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")  # never in a text table
_PIECE = re.compile(rb"[^\x00-\x2f\x3a-\x3f]+")  # bytes between ASCII punctuation, spaces and controls
VOTES = 100_000
_UTF8 = re.compile(rb"(?:[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3})+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CHINESE_TEXT = re.compile(
    r"[\u00b7\u2010-\u2027\u2030-\u205e\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uffef]+"
)


def decode(data: bytes, file: str, *, table: bool = True, prefer_tab: bool = False) -> tuple[str, str]:
    """(text, encoding) of a text file's bytes, or InputValidationError naming where they do not decode.
    ``table``: a CSV or TXT (``prefer_tab``) file, whose problems name their column; else JSON."""
    if data.startswith(b"PK\x03\x04"):
        _fail(file, "这是 Excel (xlsx) 文件,请使用 .xlsx 后缀 (this is an xlsx file)")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # (before UTF-16: FF FE begins both marks)
        return _utf32(data, file), UTF32
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16(data, file, table, prefer_tab), UTF16
    if data.count(0) * 20 >= len(data):  # UTF-16 without a mark: every other byte of ASCII text is NUL
        return _utf16_without_mark(data, file), UTF16
    for encoding in (UTF8, GB18030):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputValidationError(encoding_problems(data, file, table=table, prefer_tab=prefer_tab), file)


def _fail(file: str, reason: str, row: int | None = None) -> NoReturn:
    raise InputValidationError([RowProblem(file, row, None, None, reason)], file)


def _utf16(data: bytes, file: str, table: bool, prefer_tab: bool) -> str:
    try:
        return data.decode(UTF16)
    except UnicodeDecodeError as exc:
        before = (data[: exc.start].decode(UTF16, "replace") + "?").encode()  # ? for where it stops
        row = file_rows(before, first_delimiter(before, prefer_tab) if table else None)[-1].number
        reason = (
            "文件以 UTF-16 的字节顺序标记开头,这一行却不能按 UTF-16 解码(文件可能被截断或已损坏),请重新导出"
            " (cannot decode as UTF-16, which the file's byte-order mark says it is)"
        )
        _fail(file, reason, row)


def _utf32(data: bytes, file: str) -> str:
    """A file saved as UTF-32 with its mark (some editors offer it): read as 77 problems, one per column name
    with NULs between its letters, when it was taken for UTF-16."""
    try:
        return data.decode(UTF32)
    except UnicodeDecodeError:
        reason = "文件以 UTF-32 的字节顺序标记开头,却不能按 UTF-32 解码,请另存为「CSV UTF-8」 (cannot decode as UTF-32)"
        _fail(file, reason)


def _utf16_without_mark(data: bytes, file: str) -> str:
    """UTF-16 without a byte-order mark, its byte order told by where the NULs of its ASCII characters are."""
    encoding = "utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        _fail(file, NOT_TEXT_REASON)
    if text.count("\x00") * 20 >= len(text):
        _fail(file, NOT_TEXT_REASON)
    return text


def encoding_problems(data: bytes, file: str, *, table: bool = True, prefer_tab: bool = False) -> list[RowProblem]:
    """The problems of a file not all in one encoding: one that neither UTF-8 nor GB18030 decodes whole, or
    one that GB18030 decodes with UTF-8 text in it. The file's encoding is the one more of its cells are in
    (UTF-8 when it has a byte-order mark); each row that does not decode in it is named with its cells that do
    not: a cell in the other encoding as mixed encodings, else the byte it stops at; in a GBK file, so is UTF-8
    text that GB18030 decodes (``utf8_cells``). A binary file, or one in neither encoding (more than
    MAX_ENCODING_PROBLEMS rows that do not decode, none of them in the other encoding), is one problem at the
    first row that does not decode."""
    marked = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if marked else data
    main = "utf-8" if marked else _main_encoding(data)
    delimiter = first_delimiter(body, prefer_tab) if table else None
    rows = file_rows(body, delimiter)
    bad = [row for row in rows if not _decodes(row.data, main)]
    columns = Columns.of(rows, main, delimiter)
    problems = [p for row in bad[: MAX_ENCODING_PROBLEMS + 1] for p in _row_problems(file, row, main, columns)]
    mixed = any(p.reason in (MIXED_UTF8_REASON, MIXED_GBK_REASON) for p in problems)
    if bad and (_CONTROL_BYTES.search(data) or (len(bad) > MAX_ENCODING_PROBLEMS and not mixed)):
        return [_whole_file_problem(file, bad, main)]
    if main == GB18030 or not problems:  # UTF-8 text that GB18030 decodes, in the rows that did decode
        said = {(p.row, p.column) for p in problems}
        problems.extend(p for p in _utf8_problems(body, file, rows, columns) if (p.row, p.column) not in said)
    problems = sorted(problems, key=lambda p: p.row or 0)[:MAX_ENCODING_PROBLEMS]
    return problems or [RowProblem(file, None, None, None, NOT_TEXT_REASON)]


def _whole_file_problem(file: str, bad: list[Row], main: str) -> RowProblem:
    at, byte = _stop(bad[0].data, main)
    reason = (
        f"有 {len(bad):,} 行无法按 {TRIED} 解码,第一处是这一行第 {at} 个字节 0x{byte:02X}:文件不是这两种编码的"
        f"文本;请在 Excel 中另存为「CSV UTF-8」后重新导入 (cannot decode the file: tried {_english(TRIED)})"
    )
    return RowProblem(file, bad[0].number, None, None, reason)


def utf8_cells(text: str, file: str, delimiter: str | None) -> list[RowProblem]:
    """A problem for each cell of ``text`` (a file read as GB18030) that was written in UTF-8, up to
    MAX_ENCODING_PROBLEMS, named by row and, when ``delimiter`` is given (a table), column; the value is what
    the cell says read as UTF-8."""
    data = text.encode(GB18030)
    if next(_utf8_runs(data), None) is None:
        return []
    rows = file_rows(data, delimiter)
    return _utf8_problems(data, file, rows, Columns.of(rows, GB18030, delimiter))


def _utf8_problems(data: bytes, file: str, rows: list[Row], columns: Columns) -> list[RowProblem]:
    """``utf8_cells`` of a file's bytes, its ``rows`` and ``columns`` found."""
    problems: list[RowProblem] = []
    said: set[tuple[int, str | None]] = set()
    starts = [row.start for row in rows]
    for offset, reading in _utf8_runs(data):
        row = rows[bisect.bisect_right(starts, offset) - 1]
        column = columns.at(row, offset)
        if (row.number, column) not in said:
            said.add((row.number, column))
            problems.append(RowProblem(file, row.number, column, reading, MIXED_UTF8_REASON))
            if len(problems) >= MAX_ENCODING_PROBLEMS:
                break
    return problems


def utf8_reading(text: str) -> str | None:
    """The Chinese text that a run of ``text`` (characters read as GB18030) spells when its bytes are read as
    UTF-8, or None when no run's bytes are UTF-8 spelling Chinese text."""
    return next((reading for _, reading in _utf8_runs(text.encode(GB18030))), None)


def _utf8_runs(data: bytes) -> Iterator[tuple[int, str]]:
    """(offset, text) of each run of non-ASCII bytes of ``data`` that is UTF-8 spelling Chinese text: at least
    one Han character, and nothing but Han, CJK and full-width punctuation."""
    for start, end in _high_runs(data):
        run = data[start:end]
        if not _UTF8.fullmatch(run):
            continue
        try:
            text = run.decode("utf-8")
        except UnicodeDecodeError:  # (the pattern admits a few byte sequences UTF-8 does not: E0 80 80)
            continue
        if _HAN.search(text) and _CHINESE_TEXT.fullmatch(text):
            yield start, text


def _high_runs(data: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of three or more non-ASCII bytes (the fewest a Han character takes in UTF-8)
    that starts with a byte that can start a UTF-8 character, found with numpy: a large GBK file has millions
    of runs, most of one or two characters, and a regular expression scanning its bytes took longer than
    parsing the file."""
    values = np.frombuffer(data, dtype=np.uint8)
    edges = np.flatnonzero(np.diff((values >= 0x80).view(np.int8), prepend=np.int8(0), append=np.int8(0)))
    starts, ends = edges[0::2], edges[1::2]
    keep = (ends - starts >= 3) & (values[starts] >= 0xC2) & (values[starts] <= 0xF4)
    return zip(starts[keep].tolist(), ends[keep].tolist(), strict=True)


def delimiter_of(first_line: str, prefer_tab: bool) -> str:
    """A text table's delimiter: tabs when its first line has tabs and no commas (or, with ``prefer_tab``,
    any tabs: Excel's "Unicode text" export), else commas."""
    return "\t" if "\t" in first_line and (prefer_tab or "," not in first_line) else ","


def first_delimiter(data: bytes, prefer_tab: bool) -> str:
    """``delimiter_of`` the first line of a table's bytes that is not blank (as the readers find it in its text:
    neither a tab, a comma nor a line break byte is part of a UTF-8 or GB18030 character)."""
    return delimiter_of(data.lstrip(b"\r\n").split(b"\n", 1)[0].decode("latin-1"), prefer_tab)


def column_label(headers: list[str], index: int, *, header_row: bool = False) -> str:
    """A column as problems name it: its header, else (or in the header row itself) its position."""
    header = headers[index].strip() if index < len(headers) else ""
    return header if header and len(header) <= 64 and not header_row else f"第 {index + 1} 列"


def _english(tried: str) -> str:
    return tried.replace("、", ", ")


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _main_encoding(data: bytes) -> str:
    """UTF-8 or GB18030: the one more of the file's pieces of text are in (UTF-8 on a tie), a piece being what
    lies between ASCII punctuation (never part of a UTF-8 or GB18030 character), about a cell; the first
    VOTES pieces with non-ASCII bytes are enough."""
    utf8 = gb = 0
    for piece in _PIECE.finditer(data):
        if piece.group().isascii():
            continue
        if _decodes(piece.group(), "utf-8"):
            utf8 += 1
        elif _decodes(piece.group(), GB18030):
            gb += 1
        if utf8 + gb >= VOTES:
            break
    return GB18030 if gb > utf8 else "utf-8"


def _stop(data: bytes, encoding: str) -> tuple[int, int]:
    """(position from 1, value) of the byte where decoding ``data`` stops."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.start + 1, data[exc.start]
    return len(data), 0


@dataclass(frozen=True)
class Row:
    """A row of a text file's bytes: the line it starts on (from 1), where its bytes start in the file, and its
    bytes without the line break that ends it."""

    number: int
    start: int
    data: bytes


def file_rows(data: bytes, delimiter: str | None) -> list[Row]:
    """The rows of a text file's bytes, numbered as the readers number them: by the line each starts on, lines
    ended by CRLF, LF or a lone CR (pandas and the csv module count it too). In a table (``delimiter``) a line
    break inside a quoted cell does not end a row (a cell with line breaks: Excel's Alt+Enter); a JSON file's
    rows are its lines. A quote, delimiter or line break byte is never part of a UTF-8, GB18030 or Big5
    character."""
    rows: list[Row] = []
    number = start = end = 0
    quoted = False
    mark = ord(delimiter) if delimiter else None
    for line_number, line in enumerate(data.splitlines(keepends=True), start=1):
        if not quoted:
            number, start = line_number, end
        end += len(line)
        quoted = mark is not None and _still_quoted(line, quoted, mark)
        if not quoted:
            rows.append(Row(number, start, _without_break(data[start:end])))
    if quoted:  # a quote never closed: the rest of the file is its row
        rows.append(Row(number, start, data[start:]))
    return rows


def _still_quoted(line: bytes, quoted: bool, mark: int) -> bool:
    """Whether a quoted cell is open at the end of ``line`` of a table delimited by the byte ``mark``
    (``quoted``: one was open at its start). As pandas and the csv module read, a double quote opens a quoted
    cell only at the cell's start (``12"`` inside a cell is an inch), and ``""`` inside one is a quote."""
    at = line.find(b'"')
    while at >= 0:
        if quoted and line[at + 1 : at + 2] == b'"':
            at = line.find(b'"', at + 2)
            continue
        if quoted or at == 0 or line[at - 1] == mark:
            quoted = not quoted
        at = line.find(b'"', at + 1)
    return quoted


def _without_break(line: bytes) -> bytes:
    return line[:-2] if line.endswith(b"\r\n") else line[:-1] if line.endswith((b"\n", b"\r")) else line


def header_row(rows: list[Row], encoding: str) -> tuple[int, str]:
    """(number, text in ``encoding``) of the first row that is not blank: a table's header."""
    row = next((row for row in rows if row.data.strip()), None)
    return (1, "") if row is None else (row.number, row.data.decode(encoding, "replace").lstrip("\ufeff"))


@dataclass(frozen=True)
class Columns:
    """How the cells of a file's rows are told apart and named: a table's delimiter and header, or none
    (JSON: a row is one cell, named by its line alone)."""

    delimiter: str | None
    headers: list[str]
    header_number: int

    @classmethod
    def of(cls, rows: list[Row], encoding: str, delimiter: str | None) -> Columns:
        """The columns of a table's ``rows`` (its header read in ``encoding``), or of JSON's (no ``delimiter``)."""
        number, header = header_row(rows, encoding)
        if delimiter is None:
            return cls(None, [], number)
        return cls(delimiter, next(csv.reader([header], delimiter=delimiter), []), number)

    def spans(self, row: bytes) -> list[tuple[int, int]]:
        return _cell_spans(row, self.delimiter) if self.delimiter else [(0, len(row))]

    def label(self, number: int, index: int) -> str | None:
        if self.delimiter is None:
            return None
        return column_label(self.headers, index, header_row=number == self.header_number)

    def at(self, row: Row, offset: int) -> str | None:
        """The column of the cell of ``row`` holding byte ``offset`` of the file."""
        spans = self.spans(row.data)
        index = next((i for i, (_, end) in enumerate(spans) if offset - row.start <= end), len(spans) - 1)
        return self.label(row.number, index)


def _row_problems(file: str, row: Row, main: str, columns: Columns) -> list[RowProblem]:
    """A problem for each cell of ``row`` that does not decode in ``main``."""
    problems = []
    for index, (start, end) in enumerate(columns.spans(row.data)):
        cell = row.data[start:end]
        if _decodes(cell, main):
            continue
        column = columns.label(row.number, index)
        other = GB18030 if main == "utf-8" else "utf-8"
        if _decodes(cell, other):
            reason = MIXED_UTF8_REASON if other == "utf-8" else MIXED_GBK_REASON
            problems.append(RowProblem(file, row.number, column, cell.decode(other), reason))
            continue
        at, byte = _stop(cell, main)
        reason = (
            f"这一行第 {start + at} 个字节 0x{byte:02X} 无法解码:已按 {TRIED} 尝试,都不能读;请检查这一格(多半是从别处"
            f"粘贴来的),改正后把文件另存为 UTF-8 (undecodable byte 0x{byte:02X} at byte {start + at} of the row;"
            f" tried {_english(TRIED)})"
        )
        problems.append(RowProblem(file, row.number, column, cell.decode(main, "backslashreplace"), reason))
    return problems


def _cell_spans(line: bytes, delimiter: str) -> list[tuple[int, int]]:
    """(start, end) of each cell of a line's bytes: split at the delimiter outside a quoted cell (neither byte is
    ever part of a UTF-8 or GB18030 character). A quote opens one only at a cell's start, and ``""`` in it is a
    quote (``_still_quoted``)."""
    spans, start, quoted, closed = [], 0, False, -2
    mark = ord(delimiter)
    for i, byte in enumerate(line):
        if byte == 0x22 and (quoted or i == start or closed == i - 1):
            quoted = not quoted
            closed = -2 if quoted else i
        elif byte == mark and not quoted:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(line)))
    return spans
