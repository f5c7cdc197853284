"""Aggregates the dashboard needs, read from the stored results of immutable runs.

Nothing here scores: points, totals, grades and red lines are the stored ones
(``score_results``); per-item statistics decode the packed ``items`` column.
Readers take an engine; summaries are pure functions of frames and matrices,
so a front end can cache them by run id (a run never changes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypedDict

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from indicators import Catalogue
from lrc.errors import NotFoundError, shorten
from lrc.labels import add_place_names
from lrc.normalise import ascii_form
from lrc.periods import check_period, period_key, previous_period, sort_periods
from lrc.scope import Scope
from lrc.service import audit
from lrc.service.access import Action, Principal
from lrc.service.results import ranked
from lrc.service.runs import catalogue_for_run, get_run, newest_period
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import Enterprise, ScoreResult, ScoreRun

__all__ = [
    "baseline_run",
    "compare_runs",
    "decode_packed",
    "enterprise_history",
    "enterprise_trend",
    "enterprises_in_run",
    "Headline",
    "group_summary",
    "headline",
    "item_losses",
    "item_losses_of",
    "known_periods",
    "latest_runs",
    "level1_maxima",
    "level1_rates",
    "packed_matrix",
    "peer_ranks",
    "previous_period_run",
    "ranked",
    "run_catalogue",
    "results_revision",
    "runs_table",
    "top_share",
]

Packed = Literal["items", "level1"]


# ---- readers -----------------------------------------------------------------


def runs_table(engine: Engine, who: Principal, period: str | None = None, *, every_kind: bool = False) -> pd.DataFrame:
    """Every run that scored a whole period (of ``period`` if given), oldest first (id, period, catalogue
    version, count, times); with ``every_kind`` also the later runs (a record's, a submission's, an objection's,
    a repair's, an expiry's or a removal's rescoring, an import). Period runs are province-wide acts every role
    may see; a later run names enterprises by what it rescored (and who did it), so a user whose scope is
    narrower than the province sees only those holding a result inside it (``repo.runs``)."""
    require_schema(engine)
    period = check_period(period) if period else None
    with engine.connect() as conn:
        return repo.runs(conn, period, kind=None if every_kind else "period", scope=who.scope)


def results_revision(engine: Engine) -> int:
    """Changes whenever a record re-scores an enterprise (a run's current results then change)."""
    require_schema(engine)
    with engine.connect() as conn:
        return repo.newest_rescoring(conn)


def scored_periods(engine: Engine, who: Principal) -> list[str]:
    """Periods with a run, oldest first (run metadata: every role may read it)."""
    require_schema(engine)
    with engine.connect() as conn:
        return sort_periods(repo.scored_periods(conn))


def newest_scored_period(engine: Engine, who: Principal) -> str:
    """The newest period with a run (``runs.newest_period``); not found before the first."""
    require_schema(engine)
    with engine.connect() as conn:
        return newest_period(conn)


def known_periods(engine: Engine) -> list[str]:
    """Periods with submissions or runs, oldest first."""
    require_schema(engine)
    with engine.connect() as conn:
        return sort_periods(set(repo.periods(conn)) | set(repo.scored_periods(conn)))


def run_catalogue(engine: Engine, run_id: int) -> Catalogue:
    """The catalogue a run was scored with (its stored copy)."""
    require_schema(engine)
    with engine.connect() as conn:
        return catalogue_for_run(conn, get_run(conn, None, run_id))


def enterprises_in_run(engine: Engine, who: Principal, run_id: int, usccs: Sequence[str]) -> pd.DataFrame:
    """The current results in a run of the enterprises ``usccs`` inside ``who``'s scope (each read by its index,
    not the run), as ``load_results`` shows them but without ranks: points, city and industry names."""
    require_schema(engine)
    with engine.connect() as conn:
        runs = repo.current_runs(conn, get_run(conn, None, run_id))
        found = [repo.results(conn, runs, uscc=u.strip().upper(), scope=who.scope) for u in usccs]
    found = [f for f in found if len(f)]
    frame = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=list(repo.RESULT_COLUMNS))
    frame["total"] = frame["total"].astype("float64") / 10
    frame["red_line"] = frame["red_line"].astype(bool)
    add_place_names(frame)
    return frame


def packed_matrix(engine: Engine, who: Principal, run_id: int, column: Packed = "items") -> tuple[pd.Index, np.ndarray]:
    """The USCCs of a run inside ``who``'s scope and its packed ``items`` (or ``level1``) column as an
    int32 matrix of tenths, one row per enterprise in USCC order."""
    require_schema(engine)
    with engine.connect() as conn:
        rows = repo.packed(conn, repo.current_runs(conn, get_run(conn, None, run_id)), column, who.scope)
    usccs = pd.Index([r[0] for r in rows], dtype="string", name="uscc")
    return usccs, decode_packed([r[1] for r in rows])


def decode_packed(texts: Sequence[str]) -> np.ndarray:
    """Comma-separated rows of integers as one (n, width) int32 matrix, parsed in one pass.

    >>> decode_packed(["10,-5,0", "20,0,-50"]).tolist()
    [[10, -5, 0], [20, 0, -50]]
    """
    if not texts:
        return np.zeros((0, 0), dtype=np.int32)
    width = texts[0].count(",") + 1
    flat = np.fromstring(",".join(texts), dtype=np.int32, sep=",")
    if flat.size != width * len(texts):
        raise ValueError(f"packed rows are not all {width} values wide")
    return flat.reshape(len(texts), width)


def enterprise_trend(engine: Engine, who: Principal, uscc: str) -> pd.DataFrame:
    """One enterprise's total, grade and red line in the newest run of every scored period (the periods in
    which it lay inside ``who``'s scope). The USCC is read in NFKC form, as everywhere (``ascii_form``)."""
    require_schema(engine)
    return _trend(engine, who.scope, ascii_form(uscc).upper())


def _trend(engine: Engine, scope: Scope, code: str) -> pd.DataFrame:
    result = ScoreResult.__table__
    query = (
        select(ScoreRun.period, result.c.run_id, result.c.total, result.c.grade, result.c.red_line)
        .join(ScoreRun, ScoreRun.id == result.c.run_id)
        .join(Enterprise, Enterprise.id == result.c.enterprise_id)
        .where(Enterprise.uscc == code, *repo.scope_conditions(scope, result.c.region_code, result.c.uscc))
        .order_by(ScoreRun.period, result.c.run_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=["period", "run_id", "total", "grade", "red_line"])
    frame = chronological(frame.drop_duplicates("period", keep="last"))
    frame["total"] = frame["total"] / 10
    frame["red_line"] = frame["red_line"].astype(bool)
    return frame


def enterprise_history(engine: Engine, who: Principal, uscc: str) -> tuple[str, pd.DataFrame]:
    """The USCC as read and its ``enterprise_trend``; NotFoundError when it has no result in ``who``'s scope,
    the same answer whether it does not exist or lies outside the scope (the audit log says which)."""
    require_schema(engine)
    code = ascii_form(uscc).upper()
    frame = _trend(engine, who.scope, code)
    if frame.empty:
        if not who.scope.everything and not _trend(engine, Scope(), code).empty:
            audit.record(engine, who, Action.read, f"enterprise:{code}", "denied", "outside scope")
        raise NotFoundError(f"没有企业 {shorten(code)} 的评分结果,或你无权查看 (not found or not permitted)")
    return code, frame


# ---- runs and periods ----------------------------------------------------------


def chronological(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by their ``period`` in time (not as strings), stable within a period."""
    keys = [period_key(p) for p in frame["period"]]
    return frame.iloc[sorted(range(len(keys)), key=keys.__getitem__)].reset_index(drop=True)


def latest_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The newest run of each period, periods oldest first."""
    if runs.empty:
        return runs
    return chronological(runs.sort_values("id").drop_duplicates("period", keep="last"))


def previous_period_run(runs: pd.DataFrame, period: str) -> int | None:
    """The newest run of the scored period before ``period``, or None."""
    newest = latest_runs(runs)
    before = previous_period(period, newest["period"]) if not newest.empty else None
    return None if before is None else int(newest.loc[newest["period"] == before, "id"].iloc[-1])


def baseline_run(runs: pd.DataFrame, run_id: int) -> int | None:
    """What a run is compared with: the run before it in the same period (a re-score),
    else the newest run of the previous period."""
    if runs.empty:
        return None
    period = runs.loc[runs["id"] == run_id, "period"]
    if period.empty:
        return None
    same = runs[(runs["period"] == period.iloc[0]) & (runs["id"] < run_id)]
    if not same.empty:
        return int(same["id"].max())
    return previous_period_run(runs, str(period.iloc[0]))


# ---- summaries of one run -------------------------------------------------------


class Headline(TypedDict):
    enterprises: int
    mean: float
    median: float
    red_lines: int
    grades: dict[str, int]


def headline(frame: pd.DataFrame, grades: Sequence[str]) -> Headline:
    """Count, mean and median total, red-line count and enterprises per grade."""
    counts = frame["grade"].value_counts()
    return {
        "enterprises": len(frame),
        "mean": float(frame["total"].mean()) if len(frame) else float("nan"),
        "median": float(frame["total"].median()) if len(frame) else float("nan"),
        "red_lines": int(frame["red_line"].sum()),
        "grades": {g: int(counts.get(g, 0)) for g in grades},
    }


def group_summary(frame: pd.DataFrame, by: str, grades: Sequence[str]) -> pd.DataFrame:
    """Per group of ``by``: enterprises, mean and median total, red lines, and the
    count of each grade (one column per grade, best first)."""
    grouped = frame.groupby(by, observed=True, sort=True)
    out = grouped["total"].agg(enterprises="size", mean="mean", median="median")
    out["red_lines"] = grouped["red_line"].sum().astype(int)
    mix = pd.crosstab(frame[by], frame["grade"]).reindex(columns=list(grades), fill_value=0)
    return out.join(mix).reset_index()


def item_losses(catalogue: Catalogue, points: np.ndarray) -> pd.DataFrame:
    """Points lost per item across enterprises: deductions taken and add points
    missed, against each item's maximum. Worst item first."""
    maximum = np.array([i.points_tenths for i in catalogue.items], dtype=np.int64)
    is_add = np.array([i.kind == "add" for i in catalogue.items])
    sums = points.sum(axis=0, dtype=np.int64)
    losing = np.where(is_add, (points != maximum).sum(axis=0), (points != 0).sum(axis=0))
    return item_losses_of(catalogue, points.shape[0], sums, losing)


def item_losses_of(catalogue: Catalogue, n: int, sums: np.ndarray, losing: np.ndarray) -> pd.DataFrame:
    """``item_losses`` of ``n`` enterprises from each item's sum of points and count of enterprises that
    lost some of it (a run summary holds these, ``lrc.service.summaries``)."""
    maximum = np.array([i.points_tenths for i in catalogue.items], dtype=np.int64)
    is_add = np.array([i.kind == "add" for i in catalogue.items])
    if not len(sums):
        sums, losing = np.zeros(len(maximum), dtype=np.int64), np.zeros(len(maximum), dtype=np.int64)
    lost = np.where(is_add, n * maximum - sums, -sums)
    level1 = [catalogue.ancestry(i)[0] for i in catalogue.items]
    names = catalogue.node_names
    frame = pd.DataFrame(
        {
            "code": catalogue.item_codes,
            "name_zh": [i.name_zh for i in catalogue.items],
            "level1": level1,
            "level1_name": [names[c] for c in level1],
            "kind": [i.kind for i in catalogue.items],
            "max_points": maximum / 10,
            "lost_total": lost / 10,
            "lost_mean": lost / 10 / n if n else 0.0,
            "losing": losing,
            "losing_share": losing / n if n else 0.0,
        }
    )
    return frame.sort_values(["lost_total", "code"], ascending=[False, True], ignore_index=True)


def peer_ranks(frame: pd.DataFrame) -> pd.DataFrame:
    """Each enterprise's rank (ties share the best) and group size in the province,
    its city and its industry, indexed by USCC."""
    out = pd.DataFrame(index=pd.Index(frame["uscc"], name="uscc"))
    out["province_rank"] = frame["total"].rank(method="min", ascending=False).astype(int).to_numpy()
    out["province_n"] = len(frame)
    for key, column in (("city", "city_code"), ("industry", "industry")):
        groups = frame.groupby(column, observed=True)["total"]
        out[f"{key}_rank"] = groups.rank(method="min", ascending=False).astype(int).to_numpy()
        out[f"{key}_n"] = groups.transform("size").astype(int).to_numpy()
    return out


def top_share(rank: int, n: int) -> float | None:
    """The share of a group at or above ``rank`` (rank 1 of 4 is the top 25%), or None
    when the group has one enterprise and a percentile says nothing."""
    if n <= 1:
        return None
    return min(max(rank, 1), n) / n


# ---- first-level scores against what they can reach ---------------------------------


def level1_maxima(catalogue: Catalogue) -> pd.Series:
    """The add points attainable under each first-level indicator (the sum of its add
    items' points), indexed by level-1 code in catalogue order."""
    maxima = dict.fromkeys((n.code for n in catalogue.level1), 0)
    for item in catalogue.items:
        if item.kind == "add":
            maxima[catalogue.ancestry(item)[0]] += item.points_tenths
    return pd.Series(maxima, dtype="float64", name="max_points") / 10


def level1_rates(catalogue: Catalogue, points: Sequence[float]) -> pd.DataFrame:
    """First-level scores (points, in catalogue order) as a percentage of each indicator's
    attainable add points: ``rate`` is the true share (negative when deductions outweigh
    the points earned; NaN when nothing can be earned), ``shown`` is it clipped at 0."""
    maxima = level1_maxima(catalogue)
    if len(points) != len(maxima):
        raise ValueError(f"{len(points)} first-level scores for {len(maxima)} indicators")
    frame = pd.DataFrame(
        {
            "code": maxima.index,
            "name_zh": [catalogue.node_names[c] for c in maxima.index],
            "points": np.asarray(points, dtype=np.float64),
            "max_points": maxima.to_numpy(),
        }
    )
    reachable = frame["max_points"] > 0
    frame["rate"] = 100 * frame["points"] / frame["max_points"].where(reachable)
    frame["shown"] = frame["rate"].clip(lower=0).fillna(0.0)
    return frame


# ---- comparing two runs -----------------------------------------------------------

COMPARE_KEEP = ("uscc", "name", "city", "industry", "industry_name", "total", "grade", "red_line")


def compare_runs(current: pd.DataFrame, previous: pd.DataFrame, grades: Sequence[str]) -> pd.DataFrame:
    """Enterprises in both runs with their change: ``delta`` in total, ``grade_steps``
    (positive = fell that many grades), ``new_red_line`` (hit now, not before)."""
    from lrc.service.comparisons import joined

    now = current[list(COMPARE_KEEP)]
    before = previous[["uscc", "total", "grade", "red_line"]]
    both = joined(now, before, grades)
    delta = (both["total"].astype("float64") - both["total_prev"].astype("float64")).round(1)
    both.insert(len(now.columns) + len(before.columns) - 1, "delta", delta)
    return both
