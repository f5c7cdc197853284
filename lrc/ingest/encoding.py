"""Text in two encodings in one file: a cell typed or pasted in UTF-8 into a file Excel saved as GBK.

GB18030 (GBK's superset, as Excel saves CSV on Chinese Windows) decodes almost any even run of bytes, so the
UTF-8 bytes of 张三 (E5 BC A0 E4 B8 89) read without error as 寮犱笁, and such a cell would be stored garbled.
After a file is read as GB18030, each run of non-ASCII characters is encoded back to its bytes: when those
bytes are valid UTF-8 spelling Chinese text, the run was UTF-8 and the file is refused at that row and column.

"Valid UTF-8" alone is not enough. About one GB2312 character in seven has bytes that are also a two-byte
UTF-8 character (隆 is C2 A1, ¡ in UTF-8; 楼 is C2 A5, ¥), so a run of one or two genuine GBK characters can
be valid UTF-8, but never UTF-8 for a Chinese character, which takes three bytes (E3–E9, then two of 80–BF):
a run must read as text with at least one Han character and nothing but Han, CJK and full-width punctuation
and ASCII. Genuine GBK text passes that only by chance, about four in a hundred thousand random three-character
runs of GB2312 and ever less often for longer ones; no name, header or category of the project does
(``tests/test_encoding.py``)."""

from __future__ import annotations

import csv
import re

from lrc.errors import RowProblem

GB18030 = "gb18030"
MAX_ENCODING_PROBLEMS = 20  # cells named; the file is refused at the first
MIXED_UTF8_REASON = (
    "这一格是 UTF-8 编码,而文件其余部分是 GBK/GB18030 编码,按 GBK 读出来是乱码:同一个文件混用了两种编码。"
    "请把整个文件另存为 UTF-8(Excel「CSV UTF-8」)或 GBK 后重新导入"
    " (mixed encodings: a UTF-8 cell in a GBK file; save the whole file as UTF-8 or GBK)"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CHINESE_TEXT = re.compile(
    r"[\x20-\x7e\u00b7\u2010-\u2027\u2030-\u205e\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uffef]+"
)


def utf8_reading(run: str) -> str | None:
    """The Chinese text that ``run`` (characters read as GB18030) spells when its bytes are read as UTF-8,
    or None when they are not UTF-8 or do not spell Chinese text."""
    try:
        text = run.encode(GB18030).decode("utf-8")
    except UnicodeError:
        return None
    return text if _HAN.search(text) and _CHINESE_TEXT.fullmatch(text) else None


def delimiter_of(first_line: str, prefer_tab: bool) -> str:
    """A text table's delimiter: tabs when its first line has tabs and no commas (or, with ``prefer_tab``,
    any tabs: Excel's "Unicode text" export), else commas."""
    return "\t" if "\t" in first_line and (prefer_tab or "," not in first_line) else ","


def first_line(text: str) -> tuple[int, str]:
    """(number from 1, text) of the first line of ``text`` that is not blank: a table's header."""
    lines = text.split("\n") if "\n" in text else text.split("\r")
    for number, line in enumerate(lines, start=1):
        if line.strip("\ufeff\r"):
            return number, line.lstrip("\ufeff").rstrip("\r")
    return 1, ""


def cell_index(prefix: str, delimiter: str) -> int:
    """The position (from 0) of the cell that the line ``prefix`` ends in."""
    try:
        cells = next(csv.reader([prefix], delimiter=delimiter), [])
    except csv.Error:
        return 0
    return max(len(cells) - 1, 0)


def column_label(headers: list[str], index: int, *, header_row: bool = False) -> str:
    """A column as problems name it: its header, else (or in the header row itself) its position."""
    header = headers[index].strip() if index < len(headers) else ""
    return header if header and len(header) <= 64 and not header_row else f"第 {index + 1} 列"


def _line_at(text: str, pos: int) -> tuple[int, int]:
    """(number from 1, start) of the line of ``text`` holding position ``pos``."""
    mark = "\n" if "\n" in text else "\r"
    return text.count(mark, 0, pos) + 1, text.rfind(mark, 0, pos) + 1


def utf8_cells(text: str, file: str, delimiter: str | None) -> list[RowProblem]:
    """A problem for each cell of ``text`` (a file read as GB18030) that was written in UTF-8, up to
    MAX_ENCODING_PROBLEMS, named by line and, when ``delimiter`` is given (a table), column; the value is what
    the cell says read as UTF-8."""
    problems: list[RowProblem] = []
    said: set[tuple[int, str | None]] = set()
    header_number, header = first_line(text)
    headers = next(csv.reader([header], delimiter=delimiter), []) if delimiter else []
    for run in _NON_ASCII.finditer(text):
        reading = utf8_reading(run.group())
        if reading is None:
            continue
        number, start = _line_at(text, run.start())
        column = None
        if delimiter is not None:
            index = cell_index(text[start : run.start()], delimiter)
            column = column_label(headers, index, header_row=number == header_number)
        if (number, column) not in said:
            said.add((number, column))
            problems.append(RowProblem(file, number, column, reading, MIXED_UTF8_REASON))
            if len(problems) >= MAX_ENCODING_PROBLEMS:
                break
    return problems
