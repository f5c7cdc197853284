"""Enterprise facts as one float matrix: the engine's only input shape.

Booleans become 1.0/0.0, numbers stay as they are, anything not reported is
NaN. Building the matrix once lets every rule type index it column-wise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators import Catalogue


@dataclass(frozen=True)
class FactMatrix:
    values: np.ndarray  # float64, (n_enterprises, n_fields), NaN = not reported
    columns: dict[str, int]
    index: pd.Index

    @classmethod
    def from_frame(cls, catalogue: Catalogue, facts: pd.DataFrame) -> FactMatrix:
        """Columns the catalogue does not read are ignored; missing columns are all-NaN."""
        names = [f.name for f in catalogue.fields]
        values = np.full((len(facts), len(names)), np.nan, dtype=np.float64)
        for j, name in enumerate(names):
            if name in facts.columns:
                values[:, j] = _as_float(facts[name])
        return cls(values=values, columns={n: j for j, n in enumerate(names)}, index=facts.index)

    def take(self, names: list[str]) -> np.ndarray:
        """(n, len(names)) block of the named fields."""
        return self.values[:, [self.columns[n] for n in names]]

    def __len__(self) -> int:
        return self.values.shape[0]


def _as_float(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(column.dtype):
        return column.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    # object columns holding True/False/None (e.g. from JSON)
    mapped = column.map(lambda v: np.nan if v is None or (isinstance(v, float) and np.isnan(v)) else float(v))
    return mapped.to_numpy(dtype=np.float64, na_value=np.nan)
