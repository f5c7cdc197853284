"""What SQL text needs, whichever way it is run (SQLAlchemy's ``text()`` or the database driver alone):
``:name`` parameters, ``IN`` lists in parts, and the largest id a row can have."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

CHUNK = 5_000  # values in one IN list (SQLite allows 32,766 parameters; PostgreSQL 65,535)
MAX_ID = 2**31 - 1  # ids are INTEGER columns; a larger number names no row (and would overflow the driver)
# a :name parameter (not a :: cast); SQL given to either reader has no ":word" inside a string literal
PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """``values`` in parts small enough for one ``IN`` list each."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def in_list(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """An ``IN (...)`` list of parameters ``name0``, ``name1``, … and their values."""
    names = [f"{name}{i}" for i in range(len(values))]
    return "(" + ", ".join(f":{n}" for n in names) + ")", dict(zip(names, values, strict=True))
