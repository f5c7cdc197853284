"""How submitted facts are stored: one CSV line of values per submission, in the
order of its ingest batch's ``fields`` list (booleans 1/0, blank = not reported).

Compact (about 180 bytes for 75 fields) and read back for a whole period with
one call to pandas' C parser; exact (floats are written with repr precision)."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from indicators import Catalogue
from lrc.store.facts_line import decode_line
from lrc.store.facts_line import typed as typed  # one row needs no pandas: it lives there


def field_names(frame: pd.DataFrame, catalogue: Catalogue) -> list[str]:
    """The catalogue fields present in ``frame``, in catalogue order."""
    return [f.name for f in catalogue.fields if f.name in frame.columns]


SMALL = 50  # rows: up to this many, lines are written in Python (pandas' writer costs ~10 ms to start)


def encode(frame: pd.DataFrame, catalogue: Catalogue) -> list[str]:
    """One line per row of ``frame`` (its catalogue fields)."""
    names = field_names(frame, catalogue)
    if frame.empty:
        return []
    if len(frame) <= SMALL and len(names) > 1:
        return encode_rows(frame, names)
    return encode_table(frame, names)


def encode_table(frame: pd.DataFrame, names: list[str]) -> list[str]:
    """``encode_rows``' lines for many rows: each column's distinct values written once (a province's facts
    repeat a few hundred values per column), then joined; a column with a negative zero is written a cell
    at a time (hashing takes -0.0 for 0.0)."""
    columns = []
    for name in names:
        array = frame[name].array
        kind = array.dtype.kind
        write = _writer(kind)
        if kind == "f" and _negative_zero(array.to_numpy(dtype=np.float64, na_value=np.nan)):
            columns.append([write(v) for v in array])
            continue
        codes, uniques = pd.factorize(array, use_na_sentinel=True)
        text = np.array([write(v) for v in uniques] + [""], dtype=object)  # code -1 (not reported): ""
        columns.append(text[codes].tolist())
    return [",".join(cells) for cells in zip(*columns, strict=True)]


def _negative_zero(values: np.ndarray) -> bool:
    return bool(np.any((values == 0) & np.signbit(values)))


def encode_rows(frame: pd.DataFrame, names: list[str]) -> list[str]:
    """``encode_table``'s lines for a few rows, written in Python (``tests/test_single.py`` checks they
    are the same bytes)."""
    columns = []
    for name in names:
        array = frame[name].array
        kind = array.dtype.kind
        write = _writer(kind)
        columns.append([write(v) for v in array])
    return [",".join(cells) for cells in zip(*columns, strict=True)]


def encode_values(values: dict[str, Any], catalogue: Catalogue) -> str:
    """``encode_rows``' line for one row given as plain values of every catalogue field (an object checked
    in plain Python, ``lrc.ingest.single``): the same cells without reading them back from a frame."""
    writers = {"bool": _bool_cell, "int": _int_cell}
    return ",".join(writers.get(f.type, _float_cell)(values[f.name]) for f in catalogue.fields)


def _writer(kind: str) -> Any:
    """The cell writer of a column of numpy kind ``kind`` (b: 1/0, i/u: integers, else floats)."""
    return _bool_cell if kind == "b" else (_int_cell if kind in "iu" else _float_cell)


def _bool_cell(v: Any) -> str:
    return "" if v is pd.NA or v is None else ("1" if v else "0")


def _int_cell(v: Any) -> str:
    return "" if v is pd.NA or v is None else str(int(v))


def _float_cell(v: Any) -> str:
    return "" if v is pd.NA or v is None or v != v else repr(float(v))


def decode(lines: Sequence[str], names: Sequence[str]) -> pd.DataFrame:
    """Lines back into a float64 frame (NaN = not reported), same row order."""
    if not lines:
        return pd.DataFrame(columns=list(names), dtype="float64")
    if len(lines) <= SMALL:
        cells = [line.split(",") for line in lines]
        if all(len(row) == len(names) for row in cells):
            values = [[float(v) if v else math.nan for v in row] for row in cells]
            return pd.DataFrame(np.array(values, dtype=np.float64), columns=list(names))
    return decode_table(lines, names)


def decode_table(lines: Sequence[str], names: Sequence[str]) -> pd.DataFrame:
    """``decode`` by pandas' C reader (exact for the repr-form floats ``encode`` writes, as Python's is)."""
    text = "\n".join(lines) + "\n"
    return pd.read_csv(io.StringIO(text), header=None, names=list(names), dtype="float64", na_filter=True)


def decode_frame(facts: pd.Series, fields: pd.Series) -> pd.DataFrame:
    """Facts of many submissions (each with its batch's JSON field list) as one frame,
    index as ``facts``; submissions from batches with other field lists are decoded apart."""
    if len(facts) and (fields.iloc[0] == fields).all():  # one batch layout (a run, a rescoring): no grouping
        whole = decode(facts.tolist(), json.loads(fields.iloc[0]))
        whole.index = facts.index
        return whole
    parts = []
    for field_json, group in facts.groupby(fields, sort=False):
        part = decode(group.tolist(), json.loads(field_json))
        part.index = group.index
        parts.append(part)
    if not parts:
        return pd.DataFrame(index=facts.index)
    return pd.concat(parts).reindex(facts.index)


def decode_one(line: str, fields: str) -> dict[str, float]:
    """One submission's facts (its batch's JSON field list) by name, as ``decode`` reads them."""
    plain = decode_line(line, fields)
    if plain is None:  # what the C reader makes of it, as for many
        return {str(k): float(v) for k, v in decode([line], json.loads(fields)).iloc[0].items()}
    return plain


