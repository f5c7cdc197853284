"""Enterprise facts as a float matrix: the engine's only input shape.

Booleans become 1.0/0.0, numbers stay as they are, anything not reported is
NaN. The matrix is column-major so taking one rule type's fields is a set of
contiguous copies; the engine builds it one block of rows at a time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.core.arrays.masked import BaseMaskedArray

from indicators import Catalogue


@dataclass(frozen=True)
class FactMatrix:
    values: np.ndarray  # float64, (n_enterprises, n_fields), column-major, NaN = not reported
    columns: dict[str, int]

    @classmethod
    def from_frame(
        cls, catalogue: Catalogue, facts: pd.DataFrame, start: int = 0, stop: int | None = None
    ) -> FactMatrix:
        """Rows ``start:stop`` of ``facts``. Columns the catalogue does not read are
        ignored; a missing column is all NaN (not reported)."""
        stop = len(facts) if stop is None else min(stop, len(facts))
        names = [f.name for f in catalogue.fields]
        values = np.empty((stop - start, len(names)), dtype=np.float64, order="F")
        for j, name in enumerate(names):
            if name in facts.columns:
                fill_float(values[:, j], facts[name].array[start:stop])
            else:
                values[:, j] = np.nan
        return cls(values=values, columns={n: j for j, n in enumerate(names)})

    def take(self, names: list[str]) -> np.ndarray:
        """(n, len(names)) block of the named fields."""
        return self.values[:, [self.columns[n] for n in names]]

    def __len__(self) -> int:
        return self.values.shape[0]


def fill_float(out: np.ndarray, values: pd.api.extensions.ExtensionArray | np.ndarray) -> None:
    """Write a column into ``out`` as float64, NaN for missing, without temporaries where possible."""
    if isinstance(values, BaseMaskedArray):  # nullable boolean / Int64 / Float64: data plus mask
        np.copyto(out, values._data, casting="unsafe")
        out[values._mask] = np.nan
    else:
        out[:] = as_float(values)


def as_float(values: pd.api.extensions.ExtensionArray | np.ndarray) -> np.ndarray:
    """A column as float64 with NaN for missing (bool: 1.0/0.0)."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    # object columns holding True/False/None or numbers (e.g. from JSON)
    series = pd.Series(np.asarray(values, dtype=object))
    return pd.to_numeric(
        series.map(lambda v: float(v) if isinstance(v, bool) else v), errors="coerce"
    ).to_numpy(dtype=np.float64, na_value=np.nan)
