"""One enterprise's object (an API call, the web form) checked in plain Python.

The file path (``validate.validate_table``) builds a pandas column per field, which costs tens of
milliseconds for a single row. This path accepts only what that path would accept, cell by cell
with the same patterns, parsers and bounds, and builds the same typed frame. On anything it is
not sure of (a bad cell, an unknown or duplicate key, a missing required value, a control
character) it answers ``None`` and the caller runs the file path, which words every problem:
there is one way to explain a refusal. ``tests/test_single.py`` checks the two agree."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from indicators import Catalogue, InputField
from lrc import reference
from lrc.ingest.readers import cell_text
from lrc.ingest.validate import (
    BOOL_TOKENS,
    CHOICES,
    FREE_TEXT,
    IDENTITY_ZH,
    INT_PATTERN,
    MAX_EXACT,
    NUMBER_PATTERN,
    REQUIRED_IDENTITY,
    TEXT_LIMITS,
    CheckedRows,
    header_lookup,
)
from lrc.normalise import CONTROL_PATTERN, ascii_form
from lrc.uscc import uscc_valid_mask
from scoring.vectors import COMPARISONS

_INT = re.compile(INT_PATTERN)
_NUMBER = re.compile(NUMBER_PATTERN)
_CONTROL = re.compile(CONTROL_PATTERN)
_LOOKUPS: dict[str, dict[str, str]] = {}


def _lookup(catalogue: Catalogue) -> dict[str, str]:
    found = _LOOKUPS.get(catalogue.content_hash)
    if found is None:
        found = _LOOKUPS[catalogue.content_hash] = header_lookup(catalogue)
    return found


def _number(text: str, f: InputField) -> float | None:
    """The value of a non-blank number cell, or None where the file path would give a reason."""
    percent = f.type != "int" and text.endswith("%")
    body = text[:-1] if percent else text
    if not (_INT if f.type == "int" else _NUMBER).fullmatch(body):
        return None
    value = float(body.replace(",", ""))
    if percent:
        value /= 100
    if (f.min is not None and value < f.min) or (f.max is not None and value > f.max) or abs(value) >= MAX_EXACT:
        return None
    return value


def _identity(name: str, text: str) -> tuple[bool, str | None]:
    """(acceptable, value) of an identity cell other than the USCC."""
    if text == "":
        return name not in REQUIRED_IDENTITY, None
    if name in TEXT_LIMITS and len(text) > TEXT_LIMITS[name]:
        return False, None
    if name == "region_code":
        return reference.is_region(text), text
    if name in CHOICES:
        value = CHOICES[name][0](text)
        return value is not None, value
    return True, text


def quick_object(values: dict[str, Any], catalogue: Catalogue, *, period: str, source: str) -> CheckedRows | None:
    """The batch the file path would build from ``values``, or None when it might refuse them."""
    lookup = _lookup(catalogue)
    texts: dict[str, str] = {}
    for key, value in values.items():
        name = lookup.get(str(key).strip().lower())
        text = cell_text(value)
        if name is None or name in texts or _CONTROL.search(text) or _CONTROL.search(str(key)):
            return None
        texts[name] = text.strip() if name in FREE_TEXT else ascii_form(text.strip())
    if texts.get("period", "") not in ("", period) and texts["period"].upper() != period:
        return None
    code = texts.get("uscc", "").upper()
    if not uscc_valid_mask([code])[0]:
        return None
    row: dict[str, Any] = {}
    for name in IDENTITY_ZH:
        if name == "uscc":
            continue
        ok, row[name] = _identity(name, texts.get(name, ""))
        if not ok or (name in REQUIRED_IDENTITY and name not in texts):
            return None
    for f in catalogue.fields:
        text = texts.get(f.name, "")
        if text == "":
            if f.required:
                return None
            row[f.name] = None
        elif f.type == "bool":
            row[f.name] = BOOL_TOKENS.get(text.lower())
            if row[f.name] is None:
                return None
        else:
            row[f.name] = _number(text, f)
            if row[f.name] is None:
                return None
    if not _consistent(catalogue, row):
        return None
    return CheckedRows(source, _frame(catalogue, row, code), [1], [], rows=[row])


def _consistent(catalogue: Catalogue, row: dict[str, Any]) -> bool:
    """No field above the one it can never exceed, no consistency check broken."""
    for f in catalogue.fields:
        if f.at_most and row[f.name] is not None and row[f.at_most] is not None and row[f.name] > row[f.at_most]:
            return False
    for check in catalogue.checks:
        when, then = row[check.when.field], row[check.then.field]
        if when is None or then is None:
            continue
        if _holds(check.when.op, when, check.when.value) and not _holds(check.then.op, then, check.then.value):
            return False
    return True


def _holds(op: str, value: float | bool, bound: float) -> bool:
    """A condition on one cell, by the very comparison the file path applies to a column."""
    return bool(COMPARISONS[op](np.array([value], dtype=np.float64), bound)[0])


def _cell_array(kind: str, value: Any) -> Any:
    """One cell as the nullable array the file path builds (boolean, Int64, Float64), made directly:
    ``pd.array`` infers the type first and costs ten times more."""
    missing = np.array([value is None])
    if kind == "bool":
        return pd.arrays.BooleanArray(np.array([bool(value)]), missing)
    if kind == "int":
        return pd.arrays.IntegerArray(np.array([0 if value is None else int(value)], dtype=np.int64), missing)
    return pd.arrays.FloatingArray(np.array([0.0 if value is None else value], dtype=np.float64), missing)


def _frame(catalogue: Catalogue, row: dict[str, Any], code: str) -> pd.DataFrame:
    """One row with the dtypes of the file path: identity as string, facts as boolean, Int64, Float64."""
    columns: dict[str, Any] = {name: pd.array([row[name]], dtype="string") for name in IDENTITY_ZH if name != "uscc"}
    for f in catalogue.fields:
        columns[f.name] = _cell_array(f.type, row[f.name])
    return pd.DataFrame(columns, index=pd.Index([code], name="uscc", dtype="string"))
