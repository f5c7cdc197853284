"""Enterprise facts as typed columns with a "not reported" mask: the engine's input.

Each field becomes one ``Column`` (its values as a numpy array of the
narrowest type pandas holds them in, and a boolean mask of missing cells).
Nullable pandas columns are used without copying; the engine reads them one
block of rows at a time, as views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.core.arrays.masked import BaseMaskedArray

from indicators import Catalogue


@dataclass(frozen=True)
class Column:
    data: np.ndarray  # bool, integer or float values; undefined where ``missing``
    missing: np.ndarray  # bool: True = not reported

    def block(self, rows: slice) -> Column:
        return Column(self.data[rows], self.missing[rows])


@dataclass(frozen=True)
class FactBlock:
    """Some rows of every catalogue field."""

    columns: dict[str, Column]
    rows: int

    def __getitem__(self, name: str) -> Column:
        return self.columns[name]


def prepare(catalogue: Catalogue, facts: pd.DataFrame) -> dict[str, Column]:
    """Every catalogue field of ``facts`` as a Column; a field with no column is all missing."""
    n = len(facts)
    arrays = _arrays(facts)
    out = {}
    for field in catalogue.fields:
        if field.name in arrays:
            out[field.name] = as_column(arrays[field.name])
        else:
            out[field.name] = Column(np.zeros(n, dtype=np.float64), np.ones(n, dtype=bool))
    for item in catalogue.items:  # record counts: an absent column means no record (0), never a gap
        for column, _ in catalogue.record_terms(item):
            if column in arrays:
                counted = as_column(arrays[column])
                out[column] = Column(np.where(counted.missing, 0, counted.data), np.zeros(n, dtype=bool))
    return out


SMALL_FRAME = 1_000  # rows


def _arrays(facts: pd.DataFrame) -> dict[str, Any]:
    """Each column's values. A few rows of plain float columns (a submission, a row being explained) are
    read as one matrix: asking pandas for a hundred columns one by one costs more than scoring a row.
    A large frame is read column by column, without a copy."""
    floats = facts.columns.is_unique and all(d == np.float64 for d in facts.dtypes)
    if len(facts.columns) and len(facts) <= SMALL_FRAME and floats:
        matrix = facts.to_numpy(dtype=np.float64)
        return {str(name): matrix[:, j] for j, name in enumerate(facts.columns)}
    return {str(name): facts[name].array for name in facts.columns}


def block(columns: dict[str, Column], rows: slice) -> FactBlock:
    first = next(iter(columns.values()))
    return FactBlock({name: c.block(rows) for name, c in columns.items()}, len(first.data[rows]))


def as_column(values: pd.api.extensions.ExtensionArray | np.ndarray) -> Column:
    """Data and missing mask of one column, without copying nullable pandas arrays."""
    if isinstance(values, BaseMaskedArray):  # nullable boolean / Int64 / Float64
        data, missing = values._data, values._mask
        if data.dtype.kind == "f":
            missing = missing | np.isnan(data)
        return Column(data, missing)
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        values = values.to_numpy()
    dtype = values.dtype
    if isinstance(values, np.ndarray) and dtype.kind in "fiub":  # plain numpy: a view, or one cast
        data = values.astype(np.float64, copy=False)
    elif pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        data = pd.Series(values).to_numpy(dtype=np.float64, na_value=np.nan)
    else:  # object columns holding True/False/None or numbers (e.g. from JSON)
        series = pd.Series(np.asarray(values, dtype=object))
        as_numbers = series.map(lambda v: float(v) if isinstance(v, bool) else v)
        data = pd.to_numeric(as_numbers, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return Column(data, np.isnan(data))
