"""A multi-period panel of sample enterprises (多期样例面板), for early warning: one enterprise file per period
and the records of all periods, with dynamics a forecast can learn from and be tested against.

The dynamics, all drawn from (seed, enterprise) so that a longer panel or a larger ``n`` keeps what a shorter
or smaller one had:

* **Entry and exit.** ``ENTRANT_SHARE`` of firms start in a quarter between ``PANEL_FROM`` and ``PANEL_TO``
  (none of them before), ``LEAVER_SHARE`` stop in one (none after); a period's file holds the firms alive in it.
* **Latent deterioration.** ``EPISODE_SHARE`` of firms have one episode that starts in a quarter of that
  span and lowers their employer quality by ``0.8..1.6`` over ``RAMP`` quarters. It shows first in records
  (verified complaints, inspection findings, lost disputes: their rates follow quality at once) and only
  ``RECORD_LEAD`` quarters later in the facts that grades are computed from.
* **Seasonality.** Complaint, wage-arrears and dispute records are more frequent around the Spring Festival
  (``SEASON``: Q1 and Q4), whatever the firm.
* **Noise.** Every period redraws a share of each fact (``lrc.samples.quality``) and records are Poisson.

Nothing about a period depends on a later one: the draws of quarter t use the episode's state at t only, so
the future (and so the label "the grade falls next period") never leaks into what a period shows. Records
are never dated after ``today``; a period that has not ended gets records only up to that day."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from indicators import Catalogue, load_catalogue
from lrc.periods import next_period, period_end, period_start
from lrc.samples import generate
from lrc.samples.identity import firms
from lrc.samples.quality import make_context, period_ordinal
from lrc.samples.records import BASE_RATE, DEFAULT_RATE, HAZARDOUS, _eligible, _numbered, _records_of
from lrc.samples.streams import Draws

__all__ = ["Panel", "alive", "episode_shift", "generate_panel"]

PANEL_FROM = period_ordinal("2022Q1")
PANEL_TO = period_ordinal("2028Q4")
ENTRANT_SHARE = 0.25
LEAVER_SHARE = 0.15
EPISODE_SHARE = 0.35
RAMP = 2.0  # quarters over which an episode reaches its full size
RECORD_LEAD = 2.0  # quarters by which records show an episode before the facts do
HISTORY_QUARTERS = 8  # records made before the first period (they still count in its scores)
SEASONAL = ("COMPLAINT", "WAGE", "DISPUTE", "DOUBLE_WAGE", "UNLAWFUL_TERMINATION", "SOCIAL_INSURANCE")
SEASON = {1: 1.4, 2: 0.85, 3: 0.8, 4: 1.2}  # Spring Festival: wages owed surface around the new year
QUARTERS_IN_SPAN = 12.0  # BASE_RATE counts records over three years


@dataclass(frozen=True)
class Panel:
    """Enterprise files by period (only the firms alive in it) and every record of the panel."""

    periods: list[str]
    frames: dict[str, pd.DataFrame]
    records: pd.DataFrame


def _span(draws: Draws, name: str) -> np.ndarray:
    return np.floor(PANEL_FROM + draws.uniform(name) * (PANEL_TO - PANEL_FROM))


def lifecycle(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Quarter ordinals of each firm's first quarter (-inf: always there) and of the quarter it is gone by
    (inf: never leaves); a leaver stays at least two quarters."""
    draws = Draws(seed, n)
    entry = np.where(draws.uniform("panel-enters") < ENTRANT_SHARE, _span(draws, "panel-entry"), -np.inf)
    gone = np.where(draws.uniform("panel-leaves") < LEAVER_SHARE, _span(draws, "panel-exit"), np.inf)
    return entry, np.maximum(gone, np.where(np.isfinite(entry), entry + 2, -np.inf))


def alive(n: int, seed: int, period: str) -> np.ndarray:
    """Which of the first ``n`` firms of ``seed`` exist in ``period``."""
    entry, gone = lifecycle(n, seed)
    t = period_ordinal(period)
    return (entry <= t) & (t < gone)


def episode_shift(n: int, seed: int, period: str, lag: float) -> np.ndarray:
    """How far each firm's quality has fallen in ``period`` through its episode, seen ``lag`` quarters late
    (0 for records, ``RECORD_LEAD`` for facts): 0 before it starts, the full size after ``RAMP`` quarters."""
    draws = Draws(seed, n)
    start = np.where(draws.uniform("panel-episode") < EPISODE_SHARE, _span(draws, "panel-episode-start"), np.inf)
    size = 0.8 + 0.8 * draws.uniform("panel-episode-size")
    progress = np.clip((period_ordinal(period) - start - lag) / RAMP, 0.0, 1.0)
    return -size * np.nan_to_num(progress, nan=0.0)


def panel_frame(n: int, seed: int, period: str, catalogue: Catalogue) -> pd.DataFrame:
    """The enterprise file of ``period``: the firms alive in it, their facts as the episode has made them."""
    frame = generate(n, seed=seed, period=period, catalogue=catalogue,
                     quality_shift=episode_shift(n, seed, period, RECORD_LEAD))  # fmt: skip
    return frame[alive(n, seed, period)].reset_index(drop=True)


def generate_panel(
    n: int,
    *,
    seed: int,
    periods: list[str],
    today: date,
    catalogue: Catalogue | None = None,
    progress: Callable[[int], None] | None = None,
) -> Panel:
    """The panel of the first ``n`` firms of ``seed`` over ``periods`` (quarters), records up to ``today``."""
    catalogue = catalogue or load_catalogue()
    frames = {}
    for period in periods:
        frames[period] = panel_frame(n, seed, period, catalogue)
        if progress:
            progress(1)
    listed = np.logical_or.reduce([alive(n, seed, p) for p in periods])  # in some file: records can name it
    parts = [part for quarter in _record_quarters(periods, today) for part in _quarter_records(
        n, seed, quarter, today, catalogue, listed)]  # fmt: skip
    if progress:
        progress(1)
    records = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["uscc", "date"])
    if len(records):
        records = _numbered(records.sort_values(["date", "uscc", "type"], ignore_index=True))
    return Panel(periods, frames, records)


def _record_quarters(periods: list[str], today: date) -> Iterator[str]:
    """Quarters from ``HISTORY_QUARTERS`` before the first period to the end of the last, up to ``today``."""
    first = period_start(periods[0])
    quarter = f"{first.year - HISTORY_QUARTERS // 4}Q{(first.month - 1) // 3 + 1}"
    last = min(period_end(periods[-1]), today)
    while period_start(quarter) <= last:
        yield quarter
        quarter = next_period(quarter)


def _quarter_records(
    n: int, seed: int, quarter: str, today: date, catalogue: Catalogue, listed: np.ndarray
) -> list[pd.DataFrame]:
    """The records decided in ``quarter`` (up to ``today``) of the firms alive in it and ``listed`` (in some
    period's file: a record of a firm that no file names could not be stored)."""
    who = firms(n, seed)
    ctx = make_context(who, seed, quarter, episode_shift(n, seed, quarter, 0.0))
    facts = generate(n, seed=seed, period=quarter, catalogue=catalogue,
                     quality_shift=episode_shift(n, seed, quarter, RECORD_LEAD))  # fmt: skip
    living = (alive(n, seed, quarter) & listed).astype(np.int64)
    rng = np.random.default_rng([seed, 0x9A7E1, int(period_ordinal(quarter))])
    size = np.sqrt(np.maximum(ctx.headcount, 1) / 60.0).clip(0.4, 6.0)
    end = min(period_end(quarter), today)
    days = (end - period_start(quarter)).days + 1
    season = SEASON[int(quarter[5])]
    parts = []
    for kind in catalogue.record_types:
        rate = BASE_RATE.get(kind.code, DEFAULT_RATE) / QUARTERS_IN_SPAN * size * days / 91.0
        bad = kind.tiers[next(iter(kind.tiers))].points < 0
        rate = rate * np.exp((-1.1 if bad else 1.2) * ctx.quality)
        if kind.code in HAZARDOUS:
            rate = rate * ctx.hazard()
        if kind.code.startswith(SEASONAL):
            rate = rate * season
        count = rng.poisson(rate) * _eligible(catalogue, kind, facts) * living
        rows = np.repeat(np.arange(n), count)
        if len(rows):
            parts.append(_records_of(kind, rows, who.frame, rng, end, span_days=days))
    return parts
