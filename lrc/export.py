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


def write_frame(frame: pd.DataFrame, fmt: str, output: Path | None, *, sheet: str = "data") -> str | None:
    """Write ``frame`` as ``fmt`` to ``output``; without ``output`` return the text
    (csv/json) for stdout. XLSX always needs a file."""
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
