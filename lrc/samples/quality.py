"""The hidden state behind the sample facts: a latent "employer quality" per
enterprise, drifting between periods, and the helpers that turn it into
yes/no answers, coverage counts and incident counts.

Quality is centred near 0 with a spread of about 0.5: most employers decent, a
tail of bad ones (``BAD_SHARE``), better in large, state-owned and foreign firms,
worse in construction and catering. Each enterprise has a trend: most are stable,
``TREND_SHARE`` improve and as many deteriorate, so scores move plausibly from one
period to the next (the drift stops ``MAX_DRIFT_QUARTERS`` from the reference period).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from lrc import reference
from lrc.periods import check_period
from lrc.samples.identity import LETTERS, Firms, kumaraswamy
from lrc.samples.streams import Draws

__all__ = ["REFERENCE_PERIOD", "Context", "make_context", "period_ordinal"]

REFERENCE_PERIOD = "2026Q2"
BAD_SHARE = 0.06
TREND_SHARE = 0.12
MAX_DRIFT_QUARTERS = 8.0
PERIOD_CHURN = 0.03  # share of a field's idiosyncratic variance redrawn every period

SIZE_EFFECT = dict(zip(reference.SIZES, (0.35, 0.2, 0.0, -0.3), strict=True))
OWNERSHIP_EFFECT = dict(zip(reference.OWNERSHIPS, (0.35, 0.0, -0.1, 0.15, 0.1, 0.2, -0.1), strict=True))
INDUSTRY_EFFECT = {
    "A": -0.2, "B": -0.1, "C": -0.05, "D": 0.35, "E": -0.35, "F": -0.05, "G": -0.1, "H": -0.3, "I": 0.15,
    "J": 0.4, "K": 0.0, "L": -0.15, "M": 0.2, "N": 0.1, "O": -0.25, "P": 0.2, "Q": 0.2, "R": 0.0, "S": 0.3,
    "T": 0.3,
}  # fmt: skip
# Industries where people work with machines, heights or hazards (dispatch, overtime, accidents).
HAZARD = {"B": 2.5, "C": 1.5, "D": 1.0, "E": 2.5, "G": 1.5, "A": 1.0, "N": 0.8}


def period_ordinal(period: str) -> float:
    """Quarters since year 0: 2026Q2 → 8105.0; halves, months and years sit at their middle.

    >>> period_ordinal("2026Q3") - period_ordinal("2026Q2")
    1.0
    >>> period_ordinal("2026M04") == period_ordinal("2026Q2")
    True
    """
    value = check_period(period)
    year, rest = int(value[:4]), value[4:]
    if rest.startswith("Q"):
        offset = int(rest[1:]) - 1.0
    elif rest.startswith("H"):
        offset = 2.0 * int(rest[1:]) - 1.5
    elif rest.startswith("M"):
        offset = (int(rest[1:]) - 1) / 3.0
    else:
        offset = 1.5
    return year * 4 + offset


_Z_GRID = np.linspace(-6.0, 6.0, 12_001)
_P_GRID = np.array([NormalDist().cdf(z) for z in _Z_GRID])


def probit(share: float | np.ndarray) -> np.ndarray:
    """The z with P(Z <= z) = share (to about 1e-3), for an array of shares at once."""
    return np.interp(np.asarray(share, dtype=np.float64), _P_GRID, _Z_GRID)


@dataclass
class Context:
    """Everything one period's facts are drawn from; ``values`` collects the facts as they are made."""

    firms: Firms
    draws: Draws
    dt: float  # quarters since REFERENCE_PERIOD, clipped
    quality: np.ndarray
    headcount: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.headcount)

    def is_size(self, *sizes: str) -> np.ndarray:
        return np.isin(self.firms.size, [reference.SIZES.index(s) for s in sizes])

    def by_size(self, large: float, medium: float, small: float, micro: float) -> np.ndarray:
        return np.array([large, medium, small, micro])[self.firms.size]

    def hazard(self) -> np.ndarray:
        """Relative accident and overtime risk of the industry (1 = average)."""
        return np.array([HAZARD.get(k, 0.5) for k in LETTERS])[self.firms.industry]

    def latent(self, name: str, loading: float = 0.6, churn: float = PERIOD_CHURN) -> np.ndarray:
        """Standard-normal propensity of a field: ``loading`` of it is employer quality (negative:
        bad employers score high), the rest the firm's own habit, ``churn`` of which is redrawn
        every period (structures such as a union barely churn; practices churn more)."""
        own = np.sqrt(1 - churn) * self.draws.normal(name)
        if churn:
            own = own + np.sqrt(churn) * self.draws.normal(name, per_period=True)
        return loading * self.quality + np.sqrt(1 - loading**2) * own

    def flag(
        self,
        name: str,
        share: float | np.ndarray,
        loading: float = 0.5,
        shift: float | np.ndarray = 0.0,
        churn: float = PERIOD_CHURN,
    ) -> np.ndarray:
        """True for about ``share`` of firms (per firm if an array), the better employers first."""
        return self.latent(name, loading, churn) + shift > -probit(share)

    def coverage(self, name: str, full: float | np.ndarray, spread: float, loading: float = 0.7) -> np.ndarray:
        """A rate in (0, 1]: exactly 1 for about ``full`` of firms, below that the shortfall grows
        with how far the firm is from full coverage (``spread`` = typical shortfall)."""
        short = np.clip(-probit(full) - self.latent(name, loading), 0, None)
        jitter = (
            0.5
            + 0.95 * self.draws.uniform(name + "/jitter")
            + 0.05 * self.draws.uniform(name + "/jitter", per_period=True)
        )
        return np.clip(1 - spread * short * jitter, 0.02, 1.0)

    def people(self, rate: np.ndarray, denominator: np.ndarray | None = None) -> np.ndarray:
        """Whole people: ``rate`` of the headcount (or ``denominator``), rounded, within 0..denominator."""
        base = self.headcount if denominator is None else denominator
        return np.clip(np.rint(base * rate), 0, base).astype(np.int64)

    def share(self, name: str, centre: float | np.ndarray, width: float, loading: float = 0.6) -> np.ndarray:
        """A proportion around ``centre`` that rises with the latent propensity (a logistic curve)."""
        centre = np.clip(np.asarray(centre, dtype=np.float64), 0.01, 0.99)
        logit = np.log(centre / (1 - centre)) + width * self.latent(name, loading)
        return 1 / (1 + np.exp(-logit))

    def incidents(self, name: str, rate: np.ndarray) -> np.ndarray:
        """Counts of incidents this period: Poisson with the given expected numbers."""
        return self.draws.sample(name, "poisson", np.clip(rate, 0, 50)).astype(np.int64)

    def episode(self, name: str, chance: np.ndarray) -> np.ndarray:
        """Quarters since a firm was put on a public list that it stays on for one to three
        years (NaN while it is not on it). About ``chance`` of firms are listed once within
        six years either side of the reference period, so listings start and end over time."""
        ever = self.draws.uniform(name) < chance
        start = -24 + 48 * self.draws.uniform(name + "/start")
        length = 4 + 8 * self.draws.uniform(name + "/length")
        age = self.dt - start
        return np.where(ever & (age >= 0) & (age < length), age, np.nan)

    def skewed(self, name: str, a: float, b: float) -> np.ndarray:
        """A persistent value in [0, 1] per firm (Kumaraswamy(a, b)), redrawn a little each period."""
        u = 0.95 * self.draws.uniform(name) + 0.05 * self.draws.uniform(name, per_period=True)
        return kumaraswamy(u, a, b)


def make_context(firms: Firms, seed: int, period: str, shift: np.ndarray | None = None) -> Context:
    """Quality and headcount of every firm in ``period`` (quality moved by ``shift`` when given)."""
    n = len(firms.headcount)
    draws = Draws(seed, n, check_period(period))
    dt = float(
        np.clip(period_ordinal(period) - period_ordinal(REFERENCE_PERIOD), -MAX_DRIFT_QUARTERS, MAX_DRIFT_QUARTERS)
    )
    quality = _quality(firms, draws, dt)
    if shift is not None:
        quality = quality + shift
    return Context(firms, draws, dt, quality, _headcount(firms, draws, dt))


def _quality(firms: Firms, draws: Draws, dt: float) -> np.ndarray:
    effect = (
        np.array([SIZE_EFFECT[s] for s in reference.SIZES])[firms.size]
        + np.array([OWNERSHIP_EFFECT[o] for o in reference.OWNERSHIPS])[firms.ownership]
        + np.array([INDUSTRY_EFFECT[k] for k in LETTERS])[firms.industry]
    )
    bad = draws.uniform("quality-bad") < BAD_SHARE
    base = 0.05 + 0.4 * draws.normal("quality") + 0.6 * effect - np.where(bad, 1.4, 0.0)
    u = draws.uniform("quality-trend")
    improving, worsening = u < TREND_SHARE, (u >= TREND_SHARE) & (u < 2 * TREND_SHARE)
    trend = np.select([improving, worsening], [0.12, -0.15], 0.0) * (0.5 + draws.uniform("quality-pace"))
    return base + trend * dt + 0.06 * draws.normal("quality-period", per_period=True)


def _headcount(firms: Firms, draws: Draws, dt: float) -> np.ndarray:
    growth = 0.015 * draws.normal("headcount-growth")
    wobble = 0.02 * draws.normal("headcount-period", per_period=True)
    drifted = np.rint(firms.headcount * np.exp(growth * dt + wobble))
    return np.clip(drifted, firms.headcount_low, firms.headcount_high).astype(np.int64)
