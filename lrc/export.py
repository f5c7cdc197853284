"""Writing tables for people: CSV that Excel opens (utf-8-sig), XLSX, JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from lrc.errors import LrcError

FORMATS = ("table", "csv", "json", "xlsx")


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: NaN/NA become null, numpy scalars become Python ones."""
    return json.loads(frame.to_json(orient="records", force_ascii=False, double_precision=10))


SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}


def output_format(fmt: str | None, output: Path | None) -> str:
    """The format to write: as given, else from the output file's suffix, else a table.
    A given format that contradicts the suffix is an error, not a mislabelled file."""
    implied = SUFFIX_FORMATS.get(output.suffix.lower()) if output else None
    if fmt is None:
        if output is not None and implied is None:
            raise LrcError(f"无法从文件名 {output.name} 判断格式,请用 --format csv|json|xlsx")
        return implied or "table"
    if fmt not in FORMATS:
        raise LrcError(f"不支持的格式 {fmt!r},可选 {', '.join(FORMATS)} (unknown format)")
    if output is not None and (fmt == "table" or (implied and implied != fmt)):
        raise LrcError(f"格式 {fmt} 与输出文件 {output.name} 不符 (format does not match the file suffix)")
    return fmt


def write_frame(frame: pd.DataFrame, fmt: str, output: Path | None, *, sheet: str = "data") -> str | None:
    """Write ``frame`` as ``fmt`` to ``output``; without ``output`` return the text
    (csv/json) for stdout. XLSX always needs a file."""
    try:
        return _write(frame, fmt, output, sheet)
    except OSError as exc:
        raise LrcError(f"无法写入 {output}:{exc.strerror or exc} (cannot write the file)") from None


def _write(frame: pd.DataFrame, fmt: str, output: Path | None, sheet: str) -> str | None:
    if fmt == "csv":
        text = frame.to_csv(index=False)
        if output is None:
            return text
        output.write_text(text, encoding="utf-8-sig")
        return None
    if fmt == "json":
        text = json.dumps(to_records(frame), ensure_ascii=False, indent=2)
        if output is None:
            return text
        output.write_text(text + "\n", encoding="utf-8")
        return None
    if fmt == "xlsx":
        if output is None:
            raise LrcError("xlsx 格式需要 --output 文件 (xlsx needs --output FILE)")
        frame.to_excel(output, index=False, sheet_name=sheet)
        return None
    raise LrcError(f"不支持的格式 {fmt!r},可选 {', '.join(FORMATS)} (unknown format)")
