"""One submission's stored facts read back in plain Python (``facts_codec`` reads many with pandas): what an
explanation needs of them, without pandas' import."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from indicators import Catalogue


def decode_line(line: str, fields: str) -> dict[str, float] | None:
    """The facts of one stored line by name (its batch's JSON ``fields``): floats, NaN where not reported;
    None for a line whose cells do not match the names (``facts_codec.decode_one`` reads it as pandas would)."""
    names = json.loads(fields)
    cells = line.split(",")
    if len(cells) != len(names):
        return None
    return {name: float(v) if v else math.nan for name, v in zip(names, cells, strict=True)}


def missing(value: Any) -> bool:
    """Not reported: None, NaN, or pandas' NA or NaT (known by type: pandas may not be loaded)."""
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or type(value).__name__ in ("NAType", "NaTType")
    )


def typed(row: Mapping[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """One decoded row with Python types for people: bool, int, float or None."""
    out: dict[str, Any] = {}
    for f in catalogue.fields:
        value: Any = row.get(f.name)
        if missing(value):
            out[f.name] = None
        elif f.type == "bool":
            out[f.name] = bool(value)
        elif f.type == "int":
            out[f.name] = int(value)
        else:
            out[f.name] = float(value)
    return out
