"""Deterministic synthetic enterprises for demos, tests and benchmarks (样例企业数据).

>>> frame = generate(3, seed=1, period="2026Q3")
>>> list(frame.columns[:6])
['uscc', 'name', 'region_code', 'industry', 'size', 'ownership']
>>> frame.equals(generate(3, seed=1, period="2026Q3"))
True
>>> generate(3, seed=1, period="2026Q2")["uscc"].equals(frame["uscc"])
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators import Catalogue, load_catalogue
from lrc.samples.facts import HANDLED, draw_facts
from lrc.samples.identity import IDENTITY_COLUMNS, firms
from lrc.samples.quality import make_context
from lrc.samples.writers import write_sample

__all__ = ["DEMO_PERIODS", "DEMO_SEED", "HANDLED", "IDENTITY_COLUMNS", "generate", "write_sample"]

DEMO_SEED: int = 2014
DEMO_PERIODS: tuple[str, str] = ("2026Q2", "2026Q3")


def generate(
    n: int,
    *,
    seed: int,
    period: str,
    catalogue: Catalogue | None = None,
    quality_shift: np.ndarray | None = None,
) -> pd.DataFrame:
    """``n`` synthetic Liaoning enterprises and their facts for ``period``.

    The same (n, seed, period) always gives the same frame; the same seed gives the
    same enterprises in every period (facts evolve, headcounts drift a little), and
    a larger ``n`` keeps the first enterprises as they were. Columns: the identity
    columns, then every catalogue field in catalogue order (bool as "boolean", int
    as "Int64", number as "Float64"; about 3-6% of fact cells missing). ``quality_shift`` (one value per
    enterprise) moves the latent employer quality this period: the panel's deterioration episodes.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    catalogue = catalogue or load_catalogue()
    who = firms(n, seed)
    facts = pd.DataFrame(draw_facts(make_context(who, seed, period, quality_shift), catalogue), index=who.frame.index)
    return pd.concat([who.frame, facts], axis=1)
