"""Roll item points up the 75 → 33 → 20 → 8 tree with exact integer sums."""

from __future__ import annotations

import numpy as np

from indicators import Catalogue

LEVELS = ("level1", "level2", "level3")


_MEMBERSHIP: dict[tuple[str, str], tuple[list[str], np.ndarray]] = {}


def membership(catalogue: Catalogue, level: str) -> tuple[list[str], np.ndarray]:
    """Codes of a level and the (75, k) 0/1 matrix mapping items to them."""
    key = (catalogue.content_hash, level)
    if key not in _MEMBERSHIP:
        _MEMBERSHIP[key] = _build(catalogue, level)
    return _MEMBERSHIP[key]


def _build(catalogue: Catalogue, level: str) -> tuple[list[str], np.ndarray]:
    nodes = [n.code for n in getattr(catalogue, level)]
    position = {code: k for k, code in enumerate(nodes)}
    matrix = np.zeros((len(catalogue.items), len(nodes)), dtype=np.float64)
    for row, item in enumerate(catalogue.items):
        l1, l2, l3 = catalogue.ancestry(item)
        matrix[row, position[{"level1": l1, "level2": l2, "level3": l3}[level]]] = 1
    return nodes, matrix


def rollup(catalogue: Catalogue, points: np.ndarray, level: str) -> tuple[list[str], np.ndarray]:
    """(n, 75) item tenths -> codes and (n, k) tenths at ``level``.

    The product runs in float64 (BLAS) and is exact: every partial sum is an
    integer far below 2**53."""
    nodes, matrix = membership(catalogue, level)
    return nodes, np.rint(points.astype(np.float64) @ matrix).astype(np.int64)
