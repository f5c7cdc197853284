"""Named, counter-keyed random streams for the sample generator.

Every draw is made in fixed blocks of enterprises, each block from its own
``np.random.default_rng`` seeded by (seed, stream name, period, block). So the
value of enterprise ``i`` depends only on those keys and on the enterprises
before it: generating more enterprises never changes the first ones, adding a
stream never shifts another, and a period-free stream is the same in every period.

>>> a = Draws(7, 3).uniform("x")
>>> bool((Draws(7, 5).uniform("x")[:3] == a).all())
True
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

__all__ = ["BLOCK", "STRATUM", "Draws", "pick"]

BLOCK = 8192
STRATUM = 500  # stratified draws: every full run of 500 enterprises has the exact shares

_MASK64 = (1 << 64) - 1
BlockDraw = Callable[[np.random.Generator, int, int], np.ndarray]  # (generator, block, size) -> values


def _key(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


class Draws:
    """Random arrays of length ``n``, one element per enterprise, by stream name.

    ``period`` keys the streams drawn with ``per_period=True``; the others are the
    same in every period.
    """

    def __init__(self, seed: int, n: int, period: str = "") -> None:
        self.seed = seed & _MASK64
        self.n = n
        self.period = _key(period) if period else 0

    def _blocks(self, name: str, per_period: bool, size: int, draw: BlockDraw) -> np.ndarray:
        period = self.period if per_period else 0
        count = max(1, -(-self.n // size))
        parts = [draw(np.random.default_rng([self.seed, _key(name), period, b]), b, size) for b in range(count)]
        return np.concatenate(parts)[: self.n]

    def uniform(self, name: str, *, per_period: bool = False) -> np.ndarray:
        """Uniform on [0, 1)."""
        return self._blocks(name, per_period, BLOCK, lambda g, b, k: g.random(k))

    def normal(self, name: str, *, per_period: bool = False) -> np.ndarray:
        """Standard normal."""
        return self._blocks(name, per_period, BLOCK, lambda g, b, k: g.standard_normal(k))

    def integers(self, name: str, high: int, *, width: int = 1) -> np.ndarray:
        """Integers in [0, high), shape (n, width)."""
        return self._blocks(name, False, BLOCK, lambda g, b, k: g.integers(0, high, size=(k, width)))

    def sample(self, name: str, method: str, *params: np.ndarray, per_period: bool = True) -> np.ndarray:
        """``Generator.<method>`` (``poisson``, ``binomial``…) with one parameter value per enterprise.

        Within a block an enterprise's draw can depend on the parameters of the ones
        before it, never on later ones, so prefixes stay stable.
        """
        count = max(1, -(-self.n // BLOCK))
        padded = []
        for p in params:
            full = np.zeros(count * BLOCK, dtype=np.asarray(p).dtype)
            full[: self.n] = p
            padded.append(full.reshape(count, BLOCK))
        return self._blocks(name, per_period, BLOCK, lambda g, b, k: getattr(g, method)(*(p[b] for p in padded)))

    def stratified(self, name: str) -> np.ndarray:
        """Uniform on [0, 1), but each run of ``STRATUM`` enterprises covers every
        1/STRATUM slice once: category shares are exact and rare ones always appear."""
        return self._blocks(name, False, STRATUM, lambda g, b, k: (g.permutation(k) + g.random(k)) / k)


def pick(u: np.ndarray, weights: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
    """Category index by inverse CDF: ``u`` uniform, ``weights`` (k,) or, with
    ``group``, a (groups, k) table of which row ``group[i]`` applies to enterprise i.

    >>> pick(np.array([0.1, 0.4, 0.99]), np.array([1.0, 1.0, 2.0])).tolist()
    [0, 1, 2]
    """
    table = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    cum = np.cumsum(table, axis=1)
    cum /= cum[:, -1:]
    rows = cum[group] if group is not None else np.broadcast_to(cum[0], (len(u), cum.shape[1]))
    index = (u[:, None] >= rows).sum(axis=1)
    return np.minimum(index, table.shape[1] - 1)
