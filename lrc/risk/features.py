"""What the risk forecast sees of an enterprise in a period, and what it predicts.

Features of (enterprise, period t) use only the enterprise's results in t and in the scored period before it,
and records decided on or before the last day of t. The label of (e, t) is whether e's grade in the next
scored period is worse than in t (missing when e has no result then). So a forecast for t never reads
anything from after t, and a model trained for t (labels ending at t) reads nothing after t either."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from indicators import Catalogue
from lrc.periods import period_end, period_key, period_kind, period_start, sort_periods

__all__ = [
    "BOTTOM", "FEATURES", "LABEL", "NAMES", "Feature", "features_upto", "forecast_periods", "learnable",
    "panel_features", "record_categories",
]  # fmt: skip

LABEL = "fell_next"
BOTTOM = "at_bottom"  # in the lowest grade: it cannot fall, so it is neither learned from nor forecast
RESULT_COLUMNS = ("period", "enterprise_id", "uscc", "name", "region_code", "headcount", "total", "grade", "red_line")
RECORD_COLUMNS = ("enterprise_id", "type", "decision_date")


@dataclass(frozen=True)
class Feature:
    name: str
    text_zh: str  # a sentence about the enterprise with its value in {v}
    binary: bool = False  # a yes/no feature: a reason only when it is yes


FEATURES: tuple[Feature, ...] = (
    Feature("total", "本期总分 {v:.1f}"),
    Feature("grade_rank", "本期等级位次 {v:.0f}(0 为最高等级)"),
    Feature("red_line", "本期触及红线", binary=True),
    Feature("margin", "总分仅高出本等级下限 {v:.1f} 分"),
    Feature("change", "总分较上期变化 {v:+.1f}"),
    Feature("is_new", "上期没有评分结果(新进入)", binary=True),
    Feature("fell", "本期等级较上期下降", binary=True),
    Feature("complaints", "本期核实投诉 {v:.0f} 件"),
    Feature("findings", "本期劳动监察查处 {v:.0f} 件"),
    Feature("disputes", "本期争议败诉 {v:.0f} 件"),
    Feature("accidents", "本期事故或职业病认定 {v:.0f} 件"),
    Feature("adverse_prev", "上期不良记录 {v:.0f} 条"),
    Feature("adverse_year", "近一年不良记录 {v:.0f} 条"),
    Feature("honours_year", "近一年表彰 {v:.0f} 项"),
    Feature("log_headcount", "职工规模(对数){v:.1f}"),
    Feature("season_q1", "本期为第一季度(春节前后欠薪高发)", binary=True),
    Feature("season_q4", "本期为第四季度(年底欠薪高发)", binary=True),
)
NAMES = [f.name for f in FEATURES]


def features_upto(
    results: pd.DataFrame,
    records: pd.DataFrame,
    catalogue: Catalogue,
    upto: str,
    periods: Iterable[str] | None = None,
) -> pd.DataFrame:
    """``panel_features`` of what was known at the end of ``upto``: results of periods up to it, records decided
    by its last day. Whatever ``results`` and ``records`` hold about later periods is never read. ``periods``:
    every scored period (default: those in ``results``), so that a few enterprises' rows give the same
    features as the whole province's."""
    everything = results["period"].unique() if periods is None else periods
    kept = [p for p in forecast_periods(everything) if period_key(p) <= period_key(upto)]
    known = results[results["period"].isin(kept)]
    days = pd.to_datetime(records["decision_date"]).to_numpy().astype("datetime64[D]")
    decided = records[days <= np.datetime64(period_end(upto))]
    return panel_features(known, decided, catalogue, kept)


def learnable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows a model learns from: with a label, and not in the lowest grade (which cannot fall)."""
    return frame[frame[LABEL].notna() & ~frame[BOTTOM].astype(bool)]


def record_categories(catalogue: Catalogue) -> dict[str, str]:
    """Record type → ``complaints``, ``findings``, ``disputes``, ``accidents``, ``other`` (adverse) or
    ``honours`` (a type that adds points)."""
    kinds: dict[str, str] = {}
    for kind in catalogue.record_types:
        if next(iter(kind.tiers.values())).points > 0:
            kinds[kind.code] = "honours"
        elif "COMPLAINT" in kind.code:
            kinds[kind.code] = "complaints"
        elif kind.source_kind == "labour_inspection":
            kinds[kind.code] = "findings"
        elif kind.source_kind in ("arbitration", "court"):
            kinds[kind.code] = "disputes"
        elif kind.source_kind in ("work_safety", "health"):
            kinds[kind.code] = "accidents"
        else:
            kinds[kind.code] = "other"
    return kinds


def panel_features(
    results: pd.DataFrame, records: pd.DataFrame, catalogue: Catalogue, periods: Iterable[str] | None = None
) -> pd.DataFrame:
    """One row per (period, enterprise) of ``results`` (columns ``RESULT_COLUMNS``: each period's current
    results, totals in tenths), with every feature of ``FEATURES`` and ``LABEL`` (1.0, 0.0, or NaN when the
    enterprise has no result in the next scored period of the same kind) and ``BOTTOM`` (in the lowest grade),
    in period then enterprise order."""
    order = {g.grade: k for k, g in enumerate(catalogue.grades)}
    floor = {g.grade: float(g.min_total) for g in catalogue.grades if g.min_total is not None}
    frame = results.loc[:, list(RESULT_COLUMNS)].copy()
    frame["enterprise_id"] = frame["enterprise_id"].astype(np.int64)
    frame["rank"] = frame["grade"].map(order).astype("float64")
    frame["points"] = frame["total"].astype("float64") / 10.0
    periods = forecast_periods(frame["period"].unique() if periods is None else periods)
    frame = frame[frame["period"].isin(periods)]
    parts = []
    kinds = record_categories(catalogue)
    dated = _dated(records, kinds)
    for k, period in enumerate(periods):
        now = frame[frame["period"] == period].sort_values("enterprise_id")
        ids = now["enterprise_id"].to_numpy()
        before = _aligned(frame, periods[k - 1] if k else None, ids)
        after = _aligned(frame, periods[k + 1] if k + 1 < len(periods) else None, ids)
        part = pd.DataFrame({"period": period, "enterprise_id": ids})
        for column in ("uscc", "name", "region_code", "grade"):
            part[column] = now[column].to_numpy()
        part["total"] = now["points"].to_numpy()
        part["grade_rank"] = now["rank"].to_numpy()
        part["red_line"] = now["red_line"].astype(bool).to_numpy().astype(np.float64)
        part[BOTTOM] = (now["grade"] == catalogue.lowest_grade).to_numpy()
        part["margin"] = np.maximum(part["total"] - now["grade"].map(floor).astype("float64").fillna(0).to_numpy(), 0)
        had = before["points"].notna().to_numpy()
        part["change"] = np.where(had, part["total"] - before["points"].to_numpy(), 0.0)
        part["is_new"] = (~had).astype(np.float64)
        part["fell"] = (had & (part["grade_rank"].to_numpy() > before["rank"].to_numpy())).astype(np.float64)
        start, end = np.datetime64(period_start(period)), np.datetime64(period_end(period))
        previous_start = np.datetime64(period_start(periods[k - 1])) if k else start
        year_start = np.datetime64(period_end(period) - timedelta(days=364))
        for name in ("complaints", "findings", "disputes", "accidents"):
            part[name] = _count(dated, ids, start, end, (name,))
        adverse = ("complaints", "findings", "disputes", "accidents", "other")
        part["adverse_prev"] = _count(dated, ids, previous_start, start - 1, adverse) if k else 0.0
        part["adverse_year"] = _count(dated, ids, year_start, end, adverse)
        part["honours_year"] = _count(dated, ids, year_start, end, ("honours",))
        headcount = pd.to_numeric(now["headcount"], errors="coerce").fillna(0).to_numpy(dtype=np.float64)
        part["log_headcount"] = np.log1p(np.maximum(headcount, 0))
        quarter = int(period[5]) if period_kind(period) == "Q" else 0
        part["season_q1"], part["season_q4"] = float(quarter == 1), float(quarter == 4)
        later = after["rank"].to_numpy()
        part[LABEL] = np.where(np.isnan(later), np.nan, (later > part["grade_rank"].to_numpy()).astype(np.float64))
        parts.append(part)
    if not parts:
        columns = ["period", "enterprise_id", "uscc", "name", "region_code", "grade", BOTTOM, *NAMES, LABEL]
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)


def forecast_periods(periods: Iterable[str]) -> list[str]:
    """The periods a forecast works over, in order: the quarters, or where none is scored, the periods of
    the newest one's kind (a label compares one period with the next of the same kind)."""
    ordered = sort_periods(set(periods))
    kind = "Q" if any(period_kind(p) == "Q" for p in ordered) else (period_kind(ordered[-1]) if ordered else "Q")
    return [p for p in ordered if period_kind(p) == kind]


def _aligned(frame: pd.DataFrame, period: str | None, ids: np.ndarray) -> pd.DataFrame:
    """``points`` and ``rank`` of ``period``'s results for ``ids`` (NaN where an enterprise has none)."""
    if period is None:
        return pd.DataFrame({"points": np.full(len(ids), np.nan), "rank": np.full(len(ids), np.nan)})
    there = frame[frame["period"] == period].set_index("enterprise_id")[["points", "rank"]]
    return there.reindex(ids)


def _dated(records: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """Records as (enterprise_id, category, day) with days as datetime64, of the types the catalogue knows."""
    if records.empty:
        return pd.DataFrame({"enterprise_id": np.array([], dtype=np.int64), "category": [], "day": []})
    known = records[records["type"].isin(kinds)]
    return pd.DataFrame(
        {
            "enterprise_id": known["enterprise_id"].astype(np.int64).to_numpy(),
            "category": known["type"].map(kinds).to_numpy(),
            "day": pd.to_datetime(known["decision_date"]).to_numpy().astype("datetime64[D]"),
        }
    )


def _count(
    dated: pd.DataFrame, ids: np.ndarray, first: np.datetime64, last: np.datetime64, categories: tuple[str, ...]
) -> np.ndarray:
    """Records per enterprise of ``ids`` in the given categories decided from ``first`` to ``last``."""
    if dated.empty:
        return np.zeros(len(ids))
    days = dated["day"].to_numpy()
    chosen = dated["enterprise_id"].to_numpy()[
        (days >= first) & (days <= last) & dated["category"].isin(categories).to_numpy()
    ]
    counts = pd.Series(chosen).value_counts()
    return counts.reindex(ids, fill_value=0).to_numpy(dtype=np.float64)
