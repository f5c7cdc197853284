"""An XLSX worksheet's extent, checked before calamine reads it. calamine holds a sheet as one dense block of
cells from A1 to its last used cell, so a stray cell far below or to the right of the data (a space typed
at XFD1048576, a format left on a whole column: the "used range" leftover of a real spreadsheet) made it
ask for hundreds of gigabytes and abort the process, or spend 20 s and 3.7 GB on five rows. The extent is
read from the sheet's ``<dimension>`` (every spreadsheet program writes it), else from its cells' addresses,
and a sheet much larger than what it holds is refused, saying how to mend it."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

from lrc.ingest.xlsx_formulas import sheet_part

HEAD_BYTES = 4096  # the <dimension> comes before the sheet's data
DENSE_CELLS = 5_000_000  # a sheet of up to this many cells is read as it is, without counting its rows
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Z]+[0-9]+:)?([A-Z]+)([0-9]+)"')
_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="([A-Z]+)([0-9]+)"')
_ROW = re.compile(rb"<(?:\w+:)?row[\s>]")


def column_number(letters: str) -> int:
    """``A`` → 1, ``XFD`` → 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    """1 → ``A``, 16384 → ``XFD``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def oversized(data: bytes, sheet: str, max_columns: int) -> str | None:
    """Why worksheet ``sheet`` of the workbook ``data`` is refused before reading (its used range is wider
    than ``max_columns``, or reaches far below the rows it holds), or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = sheet_part(archive, sheet)
            if not part:
                return None
            with archive.open(part) as stream:
                head = stream.read(HEAD_BYTES)
            found = _DIMENSION.search(head)
            xml = None
            if found is None:  # no <dimension>: the last cell's address, from every cell's
                xml = archive.read(part)
                cells = [(column_number(c.decode()), int(r)) for c, r in _CELL.findall(xml)]
                columns, rows = (max(c for c, _ in cells), max(r for _, r in cells)) if cells else (0, 0)
            else:
                columns, rows = column_number(found.group(1).decode()), int(found.group(2))
            if columns > max_columns:
                return (
                    f"工作表 {sheet} 的已用区域一直到第 {column_letters(columns)} 列(第 {columns} 列),"
                    f"超过 {max_columns} 列:多半是数据右侧有误填的空格或设置过格式的单元格;"
                    "请删除数据右侧的所有空白列后保存,或另存为 CSV (the sheet's used range is too wide)"
                )
            if rows * columns <= DENSE_CELLS:
                return None
            held = len(_ROW.findall(xml if xml is not None else archive.read(part)))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return None  # calamine says what is wrong with the file
    if rows > 2 * held + 1_000:
        return (
            f"工作表 {sheet} 的已用区域一直到第 {rows} 行,而有内容的只有 {held} 行:多半是数据下方有误填的空格或"
            "设置过格式的单元格;请删除数据下方的所有空白行后保存,或另存为 CSV (the sheet's used range is far too long)"
        )
    return None
