"""Writing tables for people: CSV that Excel opens (utf-8-sig), XLSX, JSON.

The one export path of every front door (CLI, dashboard, problem reports). Data
values always come out as text, never as live spreadsheet content (OWASP "CSV
injection"): XLSX text cells are written as strings (never formulas, links or
numbers), and a CSV text cell that Excel or WPS would evaluate (one starting with
= + - @, a tab or a carriage return, also after leading spaces) is prefixed
with a single quote. Numeric columns stay numbers."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrc.errors import LrcError, UsageError
from lrc.times import china_iso

FORMATS = ("table", "csv", "json", "xlsx")
SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

if TYPE_CHECKING:  # pandas loads when a frame is written: choosing the format needs none of it (start-up time)
    import pandas as pd

XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: NaN/NA become null, numpy scalars become Python ones, times ISO 8601 text in China
    Standard Time to the second ("2026-11-30T20:34:07+08:00"), as the audit log and accounts give them (stored
    times are UTC; SQLite keeps them without a zone). pandas' own default was milliseconds since 1970."""
    import pandas as pd

    times = [c for c, kind in frame.dtypes.items() if isinstance(kind, pd.DatetimeTZDtype) or kind.kind == "M"]
    if times:
        frame = frame.assign(**{str(c): _china_text(frame[c]) for c in times})
    text = frame.to_json(orient="records", force_ascii=False, double_precision=10, date_format="iso")
    return json.loads(text)


JSON_PART = 100_000  # rows made into dicts at once: a province's million as one list of dicts peaked at 3.7 GB


def frame_json(frame: pd.DataFrame) -> str:
    """``records_json(to_records(frame))``, the same text, made a part of the rows at a time so that only one
    part's dicts exist at once."""
    if len(frame) <= JSON_PART:
        return records_json(to_records(frame))
    parts = [records_json(to_records(frame.iloc[k : k + JSON_PART])) for k in range(0, len(frame), JSON_PART)]
    return "[\n" + ",\n".join(part[2:-2] for part in parts) + "\n]"  # each part's rows, without its brackets


def records_json(records: list[dict[str, Any]]) -> str:
    """``json.dumps(records, ensure_ascii=False, indent=2)``, the same text, by the C encoder: with ``indent``
    Python's own encoder runs, a third of a city's whole ranking as JSON at a million enterprises (5 of 15 s).
    Flat records (every value a scalar) are each encoded with the indent's separators; any other falls back."""
    if any(isinstance(v, list | dict | tuple) for row in records for v in row.values()) or any(not r for r in records):
        return json.dumps(records, ensure_ascii=False, indent=2)
    if not records:
        return "[]"
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",\n    ", ": ")).encode
    return "[\n" + ",\n".join("  {\n    " + encode(row)[1:-1] + "\n  }" for row in records) + "\n]"


def _china_text(column: pd.Series) -> pd.Series:
    import pandas as pd

    text = [None if pd.isna(t) else china_iso(t) for t in column]
    return pd.Series(text, index=column.index, dtype=object)


def output_format(fmt: str | None, output: Path | None) -> str:
    """The format to write: as given, else from the output file's suffix, else a table.
    A given format that contradicts the suffix is an error, not a mislabelled file."""
    implied = SUFFIX_FORMATS.get(output.suffix.lower()) if output else None
    if fmt is None:
        if output is not None and implied is None:
            raise UsageError(f"无法从文件名 {output.name} 判断格式,请用 --format csv|json|xlsx")
        return implied or "table"
    if fmt not in FORMATS:
        raise UsageError(f"不支持的格式 {fmt!r},可选 {', '.join(FORMATS)} (unknown format)")
    if output is not None and (fmt == "table" or (implied and implied != fmt)):
        raise UsageError(f"格式 {fmt} 与输出文件 {output.name} 不符 (format does not match the file suffix)")
    return fmt


def neutralise(value: str) -> str:
    """A text cell as a spreadsheet shows it literally: a leading quote before a formula trigger.
    Leading spaces are kept as submitted (a spreadsheet may skip them when it looks for a formula)."""
    stripped = value.lstrip(" ")
    return "'" + value if stripped.startswith(FORMULA_TRIGGERS) else value


def _text_columns(frame: pd.DataFrame) -> list[Any]:
    import pandas as pd

    return [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c]) and frame[c].dtype != bool]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell neutralised for CSV (numbers and booleans untouched)."""
    columns = _text_columns(frame)
    if not columns:
        return frame
    safe = frame.copy()
    for column in columns:
        safe[column] = frame[column].map(lambda v: neutralise(v) if isinstance(v, str) else v, na_action="ignore")
    return safe


def csv_text(frame: pd.DataFrame) -> str:
    return safe_frame(frame).to_csv(index=False)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV with a byte-order mark, so Excel on Chinese Windows shows the Chinese correctly."""
    return csv_text(frame).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data", widths: Sequence[float] | None = None) -> bytes:
    """A workbook of ``frame`` with a frozen header row; text cells are strings, never formulas."""
    return workbook_bytes([Sheet(sheet, frame, widths)])


@dataclass(frozen=True)
class Sheet:
    """One table of a workbook, under a frozen header row."""

    name: str
    frame: pd.DataFrame
    widths: Sequence[float] | None = None
    autofilter: bool = False


@dataclass(frozen=True)
class Cover:
    """A first sheet of text: a heading, then (label, text) lines, e.g. a notice's title block and notes."""

    name: str
    heading: str
    lines: Sequence[tuple[str, str]]
    widths: tuple[float, float] = (30, 100)


def workbook_bytes(
    sheets: Sequence[Sheet], *, cover: Cover | None = None, created: datetime | None = None, title: str = ""
) -> bytes:
    """A workbook of ``sheets`` (after ``cover`` if given); text cells are strings, never formulas.
    ``created`` (UTC) fixes the one timestamp inside the file, so the same content gives the same bytes."""
    import pandas as pd

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": XLSX_OPTIONS}) as writer:
        book = writer.book
        book.set_properties({**({"title": title} if title else {}), **({"created": created} if created else {})})
        if cover is not None:
            _write_cover(book, cover)
        for sheet in sheets:
            _write_sheet(writer, sheet)
    return buffer.getvalue()


def _write_sheet(writer: pd.ExcelWriter, sheet: Sheet) -> None:
    name = _sheet_name(sheet.name)
    sheet.frame.to_excel(writer, index=False, sheet_name=name, freeze_panes=(1, 0))
    worksheet = writer.sheets[name]
    for i, width in enumerate(sheet.widths or ()):
        worksheet.set_column(i, i, width)
    if sheet.autofilter and len(sheet.frame.columns):
        worksheet.autofilter(0, 0, len(sheet.frame), len(sheet.frame.columns) - 1)


def _write_cover(book: Any, cover: Cover) -> None:
    worksheet = book.add_worksheet(_sheet_name(cover.name))
    label = book.add_format({"bold": True, "valign": "top"})
    text = book.add_format({"text_wrap": True, "valign": "top"})
    worksheet.set_column(0, 0, cover.widths[0])
    worksheet.set_column(1, 1, cover.widths[1])
    worksheet.write_string(0, 0, cover.heading, book.add_format({"bold": True, "font_size": 16}))
    for row, (name, value) in enumerate(cover.lines, start=2):
        worksheet.write_string(row, 0, name, label)
        worksheet.write_string(row, 1, value, text)


def _sheet_name(name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31]
    return cleaned or "data"


def write_frame(frame: pd.DataFrame, fmt: str, output: Path | None, *, sheet: str = "data") -> str | None:
    """Write ``frame`` as ``fmt`` to ``output``; without ``output`` return the text
    (csv/json) for stdout. XLSX always needs a file."""
    try:
        return _write(frame, fmt, output, sheet)
    except OSError as exc:
        raise LrcError(f"无法写入 {output}:{exc.strerror or exc} (cannot write the file)") from None


def _write(frame: pd.DataFrame, fmt: str, output: Path | None, sheet: str) -> str | None:
    if fmt == "csv":
        if output is None:
            return csv_text(frame)
        output.write_bytes(csv_bytes(frame))
        return None
    if fmt == "json":
        text = frame_json(frame)
        if output is None:
            return text
        output.write_text(text + "\n", encoding="utf-8")
        return None
    if fmt == "xlsx":
        if output is None:
            raise UsageError("xlsx 格式需要 --output 文件 (xlsx needs --output FILE)")
        output.write_bytes(xlsx_bytes(frame, sheet))
        return None
    raise UsageError(f"不支持的格式 {fmt!r},可选 {', '.join(FORMATS)} (unknown format)")
