"""A file in Big5, read as GBK, is garbled without an error: GB18030 decodes every Big5 byte pair, so 台北市信義區
(Big5, as Excel saves CSV on Traditional Chinese Windows and as Taiwan and Hong Kong systems export) reads as
two private-use characters and カ獺竡跋, and would be stored so. Such a file is refused at a cell where it shows.

Which of the two a file is in is told by what its Chinese text says each way. Each character read scores 1
when it is punctuation or a common hanzi of the encoding read in (GB2312's, B0A1–F7FE; Big5's first 5,401,
A440–C67E), -1 when it is never in Chinese text (private use, undecodable, or GB2312's kana, Greek, Cyrillic,
pinyin and box drawing rows), else 0; a text's score is its characters' mean. A Big5 name read as GBK scores
-0.95 to 0.4 (台北 is two private-use characters, 有限公司 Τ, そ and two), read as Big5 0.8 to 1; a sample name
written in GBK scores 1 read as GBK and -0.2 to 0.8 read as Big5, a traditional name typed in GBK at least
0.29 and at most 0.75. A file is Big5 when its text scores BIG5_MARGIN more read as Big5 than as GBK: a Big5
name does by 0.55 or more, a file of several by 0.9, no GBK name of the samples, with rare or traditional
characters or not, by more than 0 (``tests/test_encoding.py``). A file whose only Chinese is a rare
character or two (喆, 堃) can read as Big5 and is refused.

Shift-JIS (Japanese, as Excel saves CSV on Japanese Windows) read as GBK is garbled too: 東京都労働局 reads as
搶嫗搒楯摥嬊, every character outside GB2312's common hanzi, so its text scores 0 read as GBK, where Chinese text
scores 1 and traditional names typed in GBK 0.29 or more. A file is Shift-JIS when at least SJIS_MIN_CHARS of its
characters read as GBK score at most SJIS_SCORE and its bytes are valid Shift-JIS (cp932); a GBK file that is
(three in four sample names are) always reads as GB2312's hanzi."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

from lrc.errors import RowProblem, shorten
from lrc.ingest.encoding import GB18030, Columns, file_rows

BIG5 = "cp950"  # Big5 as Windows writes it
BIG5_MARGIN = 0.4
SAMPLE_CHARS = 1 << 20  # a file's first million characters (some 5,000 rows) tell its encoding
_COMMON = {  # (first, last) byte pairs of each encoding's punctuation and common hanzi
    "gb2312": ((0xA1A1, 0xA3FE), (0xB0A1, 0xF7FE)),
    BIG5: ((0xA140, 0xA3BF), (0xA440, 0xC67E)),
}
_NEVER = {"gb2312": ((0xA4A1, 0xA9FE),), BIG5: ()}  # besides private use and U+FFFD: GB2312's kana … box rows
BIG5_REASON = (
    "文件像是繁体中文的 Big5 编码(繁体中文版 Windows 的 Excel 这样保存 CSV),按 GBK/GB18030 读是乱码{garbled},"
    "没有导入;请在 Excel 中另存为「CSV UTF-8」后重新导入 (the file looks Big5-encoded, Traditional Chinese: read as"
    " GBK it is garbled; save it as UTF-8)"
)


SJIS = "cp932"  # Shift-JIS as Windows writes it
SJIS_SCORE = 0.05
SJIS_MIN_CHARS = 8
SJIS_REASON = (
    "文件像是日文的 Shift-JIS 编码(日文版 Windows 的 Excel 这样保存 CSV),按 GBK/GB18030 读是乱码{garbled},"
    "没有导入;请在 Excel 中另存为「CSV UTF-8」后重新导入 (the file looks Shift-JIS-encoded, Japanese: read as"
    " GBK it is garbled; save it as UTF-8)"
)


def shift_jis_problems(text: str, file: str, delimiter: str | None) -> list[RowProblem]:
    """One problem when ``text`` (a file read as GB18030) is Shift-JIS, judged on its first SAMPLE_CHARS, at the
    first cell that alone reads so; else none."""
    sample = text[:SAMPLE_CHARS]
    if _score(sample, "gb2312") > SJIS_SCORE or _non_ascii(sample) < SJIS_MIN_CHARS:
        return []
    data = sample.encode(GB18030)
    try:
        data.decode(SJIS)
    except UnicodeDecodeError:
        return []
    return [_first_cell(data, file, delimiter, SJIS, _reads_as_shift_jis, SJIS_REASON)]


def _reads_as_shift_jis(cell: bytes) -> bool:
    try:
        cell.decode(SJIS)
    except UnicodeDecodeError:
        return False
    return _score(cell.decode(GB18030, "replace"), "gb2312") <= SJIS_SCORE


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))


def big5_problems(text: str, file: str, delimiter: str | None) -> list[RowProblem]:
    """One problem when ``text`` (a file read as GB18030) is Big5, judged on its first SAMPLE_CHARS: at the
    first data cell (else header cell) that alone reads as Big5, its value read as Big5; else none.
    ``delimiter``: a table's, or None for JSON."""
    sample = text[:SAMPLE_CHARS]
    gb = _score(sample, "gb2312")
    if gb > 1 - BIG5_MARGIN:  # (nearly every GBK file: checked in a few milliseconds)
        return []
    data = sample.encode(GB18030)
    if _score(data.decode(BIG5, "replace"), BIG5) - gb < BIG5_MARGIN:
        return []
    return [_first_cell(data, file, delimiter, BIG5, _reads_as_big5, BIG5_REASON)]


def _first_cell(
    data: bytes, file: str, delimiter: str | None, encoding: str, reads_so: Callable[[bytes], bool], reason: str
) -> RowProblem:
    """The problem at the first data cell (else header cell) that alone ``reads_so``: its value as ``encoding``
    reads it, the user's own text; the whole file's when no one cell tells."""
    rows = file_rows(data, delimiter)
    columns = Columns.of(rows, encoding, delimiter)  # the header as the user wrote it
    header = [row for row in rows if row.number == columns.header_number]
    for row in [row for row in rows if row.number != columns.header_number] + header:
        for index, (start, end) in enumerate(columns.spans(row.data)):
            cell = row.data[start:end]
            if cell.isascii() or not reads_so(cell):
                continue
            garbled = shorten(_unquoted(cell.decode(GB18030, "replace")), 20)
            value = _unquoted(cell.decode(encoding, "replace"))  # as the user wrote it
            said = reason.format(garbled=f"(这一格读成「{garbled}」)")
            return RowProblem(file, row.number, columns.label(row.number, index), value, said)
    return RowProblem(file, None, None, None, reason.format(garbled=""))


def _reads_as_big5(cell: bytes) -> bool:
    return _score(cell.decode(BIG5, "replace"), BIG5) - _score(cell.decode(GB18030, "replace"), "gb2312") >= BIG5_MARGIN


def _unquoted(text: str) -> str:
    """A CSV cell's text without the double quotes around it."""
    quoted = len(text) >= 2 and text[0] == text[-1] == '"'
    return text[1:-1].replace('""', '"') if quoted else text


def _score(text: str, encoding: str) -> float:
    """The mean score of the non-ASCII characters of ``text`` read in ``encoding`` (1 when it has none)."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    points = points[points >= 0x80]
    return float(_scores(encoding)[points].mean()) if len(points) else 1.0


@cache
def _scores(encoding: str) -> np.ndarray:
    """Each code point's score read in ``encoding``: 1 for its punctuation and common hanzi, -1 for what is
    never in Chinese text, else 0."""
    table = np.zeros(0x110000, dtype=np.int8)
    table[0xE000:0xF900] = table[0xFFFD] = -1
    for score, ranges in ((-1, _NEVER[encoding]), (1, _COMMON[encoding])):
        for first, last in ranges:
            for pair in range(first, last + 1):
                try:
                    table[ord(pair.to_bytes(2, "big").decode(encoding))] = score
                except UnicodeDecodeError:  # (a second byte the encoding does not use, or an empty place)
                    continue
    return table
