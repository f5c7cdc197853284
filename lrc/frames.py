"""pandas helpers where pandas' own way is slow for lrc's sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd


def in_index(values: pd.Series, index: pd.Index) -> np.ndarray:
    """``values.isin(index)`` as a boolean array, by the index's hash table. pandas 3 answers ``isin`` on its
    Arrow-backed text by making a Python object of every value of ``index``: 142,858 record USCCs against a
    part of 100,000 enterprises took 0.57 s that way, 0.07 s this way (a period run of 1M does it ten times)."""
    return index.unique().get_indexer(values) >= 0
