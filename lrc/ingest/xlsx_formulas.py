"""Formula cells without a cached value in an XLSX worksheet (a workbook written by a script and never
opened in a spreadsheet). calamine reads them as blank, which would silently mean "not reported", so
they are found in the sheet's XML and refused by sheet, row and column."""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from lrc.errors import RowProblem

if TYPE_CHECKING:
    from lrc.ingest.readers import RawTable

SPREADSHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
FORMULA_REASON = "公式没有计算结果;请在 Excel/WPS 中打开并保存文件,或直接填写数值 (formula without a cached value)"


def sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding worksheet ``sheet`` (workbook.xml names it, its rels locate it)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next(
        (e.get(f"{RELATIONSHIP_NS}id") for e in book.iter(f"{SPREADSHEET_NS}sheet") if e.get("name") == sheet), None
    )
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((e.get("Target") for e in rels if e.get("Id") == rel_id), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def formulas_without_values(data: bytes, sheet: str, table: RawTable) -> list[RowProblem]:
    """Formula cells with no cached value (a workbook written by a script and never opened in a
    spreadsheet): calamine reads them as blank, which would silently mean "not reported"."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = sheet_part(archive, sheet)
            xml = archive.read(part) if part else b""
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return []
    if b"<f" not in xml and b":f" not in xml:
        return []
    problems = []
    for _, cell in ElementTree.iterparse(io.BytesIO(xml)):
        if cell.tag != f"{SPREADSHEET_NS}c":
            continue
        value = cell.find(f"{SPREADSHEET_NS}v")
        if cell.find(f"{SPREADSHEET_NS}f") is not None and (value is None or not (value.text or "").strip()):
            problems.append(_formula_problem(table, cell.get("r") or ""))
        cell.clear()
    return problems


def _formula_problem(table: RawTable, ref: str) -> RowProblem:
    letters = ref.rstrip("0123456789")
    row = int(ref[len(letters) :]) if ref[len(letters) :] else None
    pos = 0
    for letter in letters.upper():
        pos = pos * 26 + ord(letter) - 64
    header = table.headers[pos - 1] if 0 < pos <= len(table.headers) else ""
    reason = f"工作表「{table.sheet}」,{FORMULA_REASON}" if table.sheet else FORMULA_REASON
    return RowProblem(table.file, row, header or letters, None, reason)
