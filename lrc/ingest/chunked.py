"""A large CSV (or tab-separated .txt) file read and checked a chunk at a time, so that memory stays
bounded whatever the file's size (10 million rows of a sample file are read as ~230 chunks of ~44,000).

Each chunk is whole records (a line break inside a quoted cell never splits one) checked exactly as a
small file is (`csv_text_table`, `validate_table`), with the file's own header in front; row numbers
are the file's lines. What no single chunk can see is checked across them here: a USCC given twice
in different chunks. A file that is small, not CSV, or in an encoding that is not plainly UTF-8,
UTF-16 with a mark or GB18030 is read whole as before (one chunk)."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from indicators import Catalogue
from lrc.errors import InputValidationError, RowProblem
from lrc.ingest.readers import (
    EXAMPLE_MARK,
    RawTable,
    check_cells,
    check_sheet_option,
    csv_text_table,
    line_breaks,
    read_table,
)
from lrc.ingest.template_period import check_template_period
from lrc.ingest.validate import CheckedRows, absent_optional_columns, header_lookup, validate_table
from lrc.normalise import ascii_column

CHUNK_CHARS = 8 * 1024 * 1024  # characters of text a chunk: about 44,000 rows (docs/performance.md)
_SCAN_BYTES = 8 * 1024 * 1024
_BREAK = re.compile(r"\r\n|\r|\n")
DUPLICATE = "(duplicate code)"
CHANGED = "文件在读取过程中被改动,已无法按原编码读取;请在文件不再变动后重新导入 (the file changed while it was read)"


def chunk_chars() -> int:
    """Characters per chunk: ``LRC_INGEST_CHUNK_CHARS`` when set (tests make it small), else CHUNK_CHARS."""
    value = os.environ.get("LRC_INGEST_CHUNK_CHARS", "")
    return int(value) if value.isdigit() and int(value) > 0 else CHUNK_CHARS


def scan(path: Path) -> tuple[str, str | None]:
    """The file's SHA-256 and the encoding every byte of it decodes in (UTF-32 or UTF-16 with a byte-order mark,
    UTF-8 with or without one, else GB18030); None when neither holds or it looks like something else
    (a workbook, UTF-16 without a mark), for the whole-file reader to judge and word."""
    digest = hashlib.sha256()
    candidates: list[str] | None = None
    decoders: dict[str, codecs.IncrementalDecoder] = {}
    first = True
    with path.open("rb") as stream:
        while block := stream.read(_SCAN_BYTES):
            digest.update(block)
            if candidates is None:
                if block.startswith(b"PK\x03\x04"):
                    candidates = []
                elif block.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # (FF FE begins both marks)
                    candidates = ["utf-32"]
                elif block.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    candidates = ["utf-16"]
                else:
                    candidates = ["utf-8-sig", "gb18030"]
                decoders = {name: codecs.getincrementaldecoder(name)() for name in candidates}
            for name in list(decoders):
                try:
                    text = decoders[name].decode(block)
                except UnicodeDecodeError:
                    del decoders[name]
                    continue
                if first and text.count("\x00") * 20 >= max(len(text), 1):  # UTF-16 without a mark
                    del decoders[name]
            first = False
    for name in list(decoders):
        try:
            decoders[name].decode(b"", final=True)
        except UnicodeDecodeError:
            del decoders[name]
    chosen = next((name for name in candidates or [] if name in decoders), None)
    return digest.hexdigest(), chosen


def _record_end(text: str) -> int:
    """Position of the last line break in ``text`` that ends a record (outside any quoted cell), or -1."""
    pos = text.rfind("\n")
    if '"' not in text:
        return pos
    quotes = text.count('"')
    after = 0
    end = len(text)
    while pos >= 0:
        after += text.count('"', pos + 1, end)
        if (quotes - after) % 2 == 0:
            return pos
        end = pos + 1
        pos = text.rfind("\n", 0, pos)
    return -1


def _texts(path: Path, encoding: str, size: int) -> Iterator[str]:
    """The file's text in pieces of about ``size`` characters, each ending at a record's end."""
    carry = ""
    with path.open(encoding=encoding, newline="") as stream:
        while True:
            block = stream.read(size)
            text = carry + block
            if not block:
                if text:
                    yield text
                return
            cut = _record_end(text)
            if cut < 0 and len(text) < 4 * size:
                carry = text  # no record ends here yet (an absurd line is refused when its chunk is read)
                continue
            cut = len(text) - 1 if cut < 0 else cut
            yield text[: cut + 1]
            carry = text[cut + 1 :]


def _shifted(problems: list[RowProblem], prefix_lines: int, offset: int) -> list[RowProblem]:
    """Problems of a chunk read behind the header: its body's rows moved to the file's lines; the header's
    own problems dropped (the first chunk reported them)."""
    return [
        p if p.row is None else replace(p, row=p.row + offset)
        for p in problems
        if p.row is None or p.row > prefix_lines
    ]


def csv_tables(path: Path, encoding: str, size: int) -> Iterator[RawTable]:
    """The file as tables of about ``size`` characters each; every table after the first is read with the
    file's header (and anything before it) in front, its rows numbered as the file's lines."""
    file, prefer_tab = path.name, path.suffix.lower() == ".txt"
    prefix: str | None = None
    header_row: int | None = None
    next_line = 1  # the file's line number of the next piece's first line
    for text in _texts(path, encoding, size):
        if prefix is None:
            table = csv_text_table(text, file, prefer_tab=prefer_tab, encoding=encoding)
            check_cells(table)
            header_row = table.header_row
            body = table.rows[0] - 1 if table.rows else (header_row or 0)
            ends = [m.end() for _, m in zip(range(body), _BREAK.finditer(text), strict=False)]
            prefix = text[: ends[-1]] if ends else text
        else:
            prefix_lines = line_breaks(prefix)
            offset = next_line - 1 - prefix_lines
            try:
                table = csv_text_table(prefix + text, file, prefer_tab=prefer_tab, encoding=encoding)
            except InputValidationError as exc:
                raise InputValidationError(_shifted(exc.problems, prefix_lines, offset), file) from None
            table.rows = [r + offset for r in table.rows]
            table.header_row = header_row
            table.problems = _shifted(table.problems, prefix_lines, offset)
            check_cells(table)
        next_line += line_breaks(text)
        if table.rows or table.problems:
            yield table


class RecordChunks:
    """The checked records of a file, a chunk at a time. Iterating yields each chunk that passed; the
    problems of the others (and USCCs repeated across chunks) gather in ``problems``: a caller keeps
    reading to the end so that every problem in the file is reported, then calls ``raise_problems``."""

    def __init__(
        self,
        path: Path,
        catalogue: Catalogue,
        *,
        period: str,
        accept_uscc: frozenset[str] = frozenset(),
        sheet: str | None = None,
        scanned: tuple[str, str | None] | None = None,
    ) -> None:
        check_sheet_option(path, sheet)
        self.scanned = scanned  # ``scan``'s answer for a file read in chunks, once asked (``streams``)
        self.path, self.catalogue, self.period, self.accept_uscc = path, catalogue, period, accept_uscc
        self.sheet = sheet  # a workbook's worksheet to read (``read_table``)
        self.file = path.name
        self.uscc_headers = {h for h, name in header_lookup(catalogue).items() if name == "uscc"}
        self.problems: list[RowProblem] = []
        self.sha256 = ""
        self.rows = 0
        self.chunks = 0
        self.streamed = False  # read a chunk at a time (else whole, as one chunk)
        self.overridden: list[str] = []
        self.absent: list[str] = []  # the optional columns the file lacks ("中文名 (name)")
        self._examples = 0  # rows read, examples included (a template with only its example is said as such)
        self._seen = np.empty(0, dtype=np.uint64)  # hashes of the USCCs read so far, sorted
        self._first_row = np.empty(0, dtype=np.int64)  # the row of each, in the same order
        self._said: set[tuple[int | None, str | None, str]] = set()

    def in_chunks(self) -> bool:
        """Whether the file is large enough to be read a chunk at a time (a CSV or TXT file of more bytes than
        a chunk's characters; one in an encoding ``scan`` cannot name is still read whole)."""
        suffix = self.path.suffix.lower()
        return suffix in (".csv", ".txt") and self.path.is_file() and self.path.stat().st_size > chunk_chars()

    def streams(self) -> bool:
        """Whether the file will be read a chunk at a time: large enough (``in_chunks``) and in an encoding
        ``scan`` names (reading every byte once; its answer is kept for the reading)."""
        return self._chunk_encoding() is not None

    def _chunk_encoding(self) -> tuple[str, str] | None:
        """The SHA-256 and the encoding of a file read in chunks (``scan``'s answer, asked once); None for a
        file read whole."""
        if not self.in_chunks():
            return None
        self.scanned = self.scanned or scan(self.path)
        digest, encoding = self.scanned
        return None if encoding is None else (digest, encoding)

    def _tables(self) -> Iterator[RawTable]:
        scanned = self._chunk_encoding()
        if scanned is not None:
            self.sha256, encoding = scanned
            self.streamed = True
            yield from csv_tables(self.path, encoding, chunk_chars())
            return
        table = read_table(self.path, key_headers=self.uscc_headers, sheet=self.sheet)
        self.sha256 = table.sha256
        yield table

    def __iter__(self) -> Iterator[CheckedRows]:
        try:
            for table in self._tables():
                self.chunks += 1
                if self.chunks == 1:
                    check_template_period(self.file, table.template_period, self.period)
                    self.absent = absent_optional_columns(table.headers, self.catalogue)
                self._examples = self._examples or len(table.rows)
                batch = self._checked(without_examples(table, self.uscc_headers))
                if batch is not None:
                    self.rows += len(batch.frame)
                    yield batch
        except InputValidationError as exc:  # the file cannot be read on (an absurd line, a broken quote)
            self._add(exc.problems)
        except UnicodeDecodeError:  # every byte decoded when scanned: the file has changed since
            self._add([RowProblem(self.file, None, None, None, CHANGED)])
        if self.chunks and not self.rows and not self.problems:
            reason = (
                "采集表中只有示例行,还没有填写企业数据 (only the template's example row)" if self._examples
                else "文件中只有标题行,没有数据 (no data rows)"
            )  # fmt: skip
            self._add([RowProblem(self.file, None, None, None, reason)])

    def _checked(self, table: RawTable) -> CheckedRows | None:
        repeated = self._repeats(table)
        try:
            batch = validate_table(table, self.catalogue, period=self.period, accept_uscc=self.accept_uscc)
        except InputValidationError as exc:  # a repeat of an earlier chunk's code names that chunk's row
            self._add([p for p in exc.problems if p.row not in repeated or DUPLICATE not in p.reason])
            return None
        if repeated:
            return None
        batch.sha256 = self.sha256
        self.overridden.extend(batch.overridden_uscc)
        return batch

    def _add(self, problems: list[RowProblem]) -> None:
        """Problems once each: every chunk is checked behind the same header, so it finds the header's
        problems (a missing column) again."""
        for p in problems:
            key = (p.row, p.column, p.reason)
            if key not in self._said:
                self._said.add(key)
                self.problems.append(p)

    def _repeats(self, table: RawTable) -> set[int]:
        """Rows of ``table`` whose USCC was in an earlier chunk, each a problem naming the first row with it
        (as a whole file would); the chunk's own first uses are remembered for the chunks after it."""
        pos = next((i for i, h in enumerate(table.headers) if h.lower() in self.uscc_headers), None)
        if pos is None or table.cells.empty:
            return set()
        codes = ascii_column(table.cells[pos].str.strip()).str.upper()
        given = (codes != "").to_numpy()
        hashes = pd.util.hash_array(codes.to_numpy(dtype=object))
        rows = np.asarray(table.rows, dtype=np.int64)
        repeated: set[int] = set()
        if len(self._seen):
            at = np.minimum(np.searchsorted(self._seen, hashes), len(self._seen) - 1)
            again = np.flatnonzero((self._seen[at] == hashes) & given)
            self._add(
                [
                    RowProblem(
                        self.file, int(rows[i]), table.headers[pos], str(codes.iat[i]),
                        f"统一社会信用代码与第 {int(self._first_row[at[i]])} 行重复 {DUPLICATE}",
                    )  # fmt: skip
                    for i in again
                ]
            )
            repeated = {int(rows[i]) for i in again}
        first = given & ~codes.duplicated(keep="first").to_numpy() & ~np.isin(rows, list(repeated))
        merged = np.concatenate([self._seen, hashes[first]])
        order = np.argsort(merged, kind="stable")
        self._seen, self._first_row = merged[order], np.concatenate([self._first_row, rows[first]])[order]
        return repeated

    def raise_problems(self) -> None:
        """InputValidationError with every problem found, in row order, if there were any."""
        if self.problems:
            ordered = sorted(self.problems, key=lambda p: p.row or 0)
            raise InputValidationError(ordered, self.file)


def without_examples(table: RawTable, uscc_headers: set[str]) -> RawTable:
    """``table`` without the rows whose USCC cell starts with ``EXAMPLE_MARK`` (the template's example)."""
    positions = [i for i, h in enumerate(table.headers) if h.lower() in uscc_headers]
    if not positions or table.cells.empty:
        return table
    example = table.cells[positions[0]].str.strip().str.startswith(EXAMPLE_MARK).to_numpy(dtype=bool)
    if not example.any():
        return table
    keep = ~example
    table.cells = table.cells[keep].reset_index(drop=True)
    table.rows = [r for r, k in zip(table.rows, keep, strict=True) if k]
    return table
