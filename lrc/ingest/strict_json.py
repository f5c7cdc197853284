"""JSON as lrc takes it, from a file or an HTTP body: Python's parser keeps the last of a key given twice in
one object (``{"uscc": A, "uscc": B}`` stored B without a word) and takes ``NaN``, ``Infinity`` and ``1e999``,
which JSON does not have (a ``NaN`` became "not reported"). Here they parse into markers that the reader
refuses by row and field, as a CSV's bad cells are refused."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

TWICE_REASON = "字段在同一条记录中出现了两次,只能给一次 (key given twice)"
NOT_JSON_REASON = "JSON 中没有这样的值,请不填或填 null (not a JSON value: NaN or Infinity)"
OUT_OF_RANGE_REASON = "数字超出范围 (number out of range)"
SCALAR_REASON = "应为文本、数字或 true/false,不能是对象或数组 (text, number or boolean)"  # a record's fields are flat


class Twice(dict[str, Any]):
    """An object in which some keys were given more than once (``twice``: those keys, in order)."""

    twice: list[str]


class NotJson:
    """A value JSON does not have, as written: ``NaN``, ``Infinity``, ``-Infinity`` or a number out of range."""

    def __init__(self, written: str, *, number: bool = False) -> None:
        self.written = written
        self.number = number  # written as a number (1e999), not as a name (NaN)

    def said(self) -> str:
        """Why it is refused, naming it."""
        if self.number:
            return f"数字 {self.written[:32]} 超出范围 (number out of range)"
        return f"JSON 中没有 {self.written[:32]} 这样的值,请不填或填 null (not a JSON value)"

    def __repr__(self) -> str:
        return self.written

    __str__ = __repr__


def _pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(items)
    if len(found) == len(items):
        return found
    seen: set[str] = set()
    marked = Twice(found)
    marked.twice = []
    for key, _ in items:
        if key in seen and key not in marked.twice:
            marked.twice.append(key)
        seen.add(key)
    return marked


def _number(text: str) -> float | NotJson:
    value = float(text)
    return value if math.isfinite(value) else NotJson(text, number=True)  # 1e999: JSON can write it, no one means it


def loads(text: str | bytes) -> Any:
    """``json.loads`` with keys given twice and values JSON lacks kept as markers (``problems``); raises
    ``json.JSONDecodeError`` (a ``ValueError``) as it does for text that is not JSON."""
    return json.loads(text, object_pairs_hook=_pairs, parse_constant=NotJson, parse_float=_number)


def problems(record: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(field, value as written, reason) for each key of ``record`` given twice, each top-level value that
    JSON does not have, and each object or array (a record's fields are flat: ``{"zh": …}`` was stored as a
    name, as its JSON text)."""
    for key in getattr(record, "twice", ()):
        yield key, str(record[key]), TWICE_REASON
    for key, value in record.items():
        if isinstance(value, NotJson):
            yield key, value.written, OUT_OF_RANGE_REASON if value.number else NOT_JSON_REASON
        elif isinstance(value, dict | list):
            yield key, json.dumps(value, ensure_ascii=False, default=str), SCALAR_REASON  # RowProblem shortens it


def first_problem(doc: Any) -> str | None:
    """The first key given twice or value JSON lacks anywhere in ``doc``, said in one line, or None."""
    for found in _walk(doc):
        return found
    return None


def _walk(value: Any) -> Iterator[str]:
    if isinstance(value, NotJson):
        yield value.said()
    elif isinstance(value, dict):
        for key in getattr(value, "twice", ()):
            yield f"字段 {key[:64]!r} 出现了两次,只能给一次 (key given twice)"
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
