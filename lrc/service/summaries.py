"""Run summaries: what the overview pages show of a period run's current results, kept per city and industry.

A page about a run at a million enterprises cannot read the run: the headline figures, the city and industry
tables, the points lost per item and an enterprise's place among its peers come from a few hundred rows
instead, one per city and industry (``run_summaries``), each holding counts and histograms that add up:

- how many enterprises, red lines, each grade, and a histogram of totals (so means, medians and ranks are
  exact, not estimated);
- per item, the sum of points and how many lost some;
- per first-level indicator, a histogram of its points (an industry's medians).

They are written while a period run is scored (a part at a time, as it streams); ``through`` is the newest run
of the period run's range they hold. A one-enterprise rescoring writes nothing here (a record or a submission
costs no more for it): the first reader after it brings the summary forward, taking out the rescored
enterprises' results as they were at ``through`` and adding them as they are now, over a range whose runs have
all committed (``repo.settled_runs``: on PostgreSQL a rescoring that drew a smaller run id can commit after one
with a larger). A summary missing (a run scored before summaries existed), or too far behind, is made from the
run's current results.

How a run changed against another is kept the same way (``lrc.service.comparisons``).

Scopes: cities partition the province, so the province or a city sums its rows, each enterprise counted in the
city of its current result; a district or an enterprise is not a sum of cities, and its reader reads its own
(few) results instead, as ``load_results`` reads a scope (``summary`` returns None).

The rows are read and written by ``lrc.store.summaries``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from indicators import Catalogue
from lrc.reference import CITIES, city_codes
from lrc.scope import Scope
from lrc.service.access import Principal
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store import summaries as store
from lrc.store.summaries import Key

FEW_RESULTS = 64  # results summed one at a time (a few rescored enterprises'); more are grouped by pandas
PART_ROWS = 100_000  # stored results decoded together when a summary is made from them
STORED = ("city_code", "industry", "total", "grade", "red_line", "items", "level1")  # what a summary reads


@dataclass
class Part:
    """The enterprises of one city and industry: counts, and histograms keyed by tenths of a point."""

    n: int = 0
    red_lines: int = 0
    grades: Counter[str] = field(default_factory=Counter)
    totals: Counter[int] = field(default_factory=Counter)
    item_sums: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    item_losing: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    level1: list[Counter[int]] = field(default_factory=list)

    def add(self, other: Part, sign: int = 1) -> None:
        """Add ``other`` (``sign`` -1: take it out); counts that fall to zero are dropped."""
        self.n += sign * other.n
        self.red_lines += sign * other.red_lines
        _merge(self.grades, other.grades, sign)
        _merge(self.totals, other.totals, sign)
        if not len(self.item_sums):
            self.item_sums = np.zeros(len(other.item_sums), dtype=np.int64)
            self.item_losing = np.zeros(len(other.item_losing), dtype=np.int64)
        if len(other.item_sums):
            self.item_sums = self.item_sums + sign * other.item_sums
            self.item_losing = self.item_losing + sign * other.item_losing
        while len(self.level1) < len(other.level1):
            self.level1.append(Counter())
        for mine, theirs in zip(self.level1, other.level1, strict=False):
            _merge(mine, theirs, sign)

    def to_json(self) -> str:
        """The part as JSON, its counts in order of their keys: the same bytes whatever order the results came in."""
        return json.dumps(
            {
                "n": self.n,
                "red_lines": self.red_lines,
                "grades": dict(sorted(self.grades.items())),
                "totals": {str(k): v for k, v in sorted(self.totals.items())},
                "item_sums": self.item_sums.tolist(),
                "item_losing": self.item_losing.tolist(),
                "level1": [{str(k): v for k, v in sorted(c.items())} for c in self.level1],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Part:
        data = json.loads(text)
        return cls(
            n=int(data["n"]),
            red_lines=int(data["red_lines"]),
            grades=Counter(data["grades"]),
            totals=Counter({int(k): int(v) for k, v in data["totals"].items()}),
            item_sums=np.asarray(data["item_sums"], dtype=np.int64),
            item_losing=np.asarray(data["item_losing"], dtype=np.int64),
            level1=[Counter({int(k): int(v) for k, v in c.items()}) for c in data["level1"]],
        )


def _merge(mine: Counter[Any], theirs: Counter[Any], sign: int) -> None:
    for key, count in theirs.items():
        value = mine.get(key, 0) + sign * count
        if value:
            mine[key] = value
        else:
            mine.pop(key, None)


def parts_of(catalogue: Catalogue, frame: pd.DataFrame, points: np.ndarray, level1: np.ndarray) -> dict[Key, Part]:
    """The parts of some results: ``frame`` (city_code, industry, total in tenths, grade, red_line), with
    each result's item points and first-level points (tenths) as rows of ``points`` and ``level1``."""
    if not len(frame):
        return {}
    maximum = np.array([i.points_tenths for i in catalogue.items], dtype=np.int64)
    is_add = np.array([i.kind == "add" for i in catalogue.items])
    losing = np.where(is_add, points != maximum, points != 0)
    if len(frame) <= FEW_RESULTS:  # a few rescored enterprises' results: one at a time (grouping costs more)
        out: dict[Key, Part] = {}
        columns = [frame[c].tolist() for c in ("city_code", "industry", "total", "grade", "red_line")]
        for k, (city, industry, total, grade, red) in enumerate(zip(*columns, strict=True)):
            one = Part(
                n=1, red_lines=int(bool(red)), grades=Counter({str(grade): 1}), totals=Counter({int(total): 1}),
                item_sums=points[k].astype(np.int64), item_losing=losing[k].astype(np.int64),
                level1=[Counter({int(v): 1}) for v in level1[k]],
            )  # fmt: skip
            out.setdefault((str(city), str(industry)), Part()).add(one)
        return out
    cities, city_names = pd.factorize(frame["city_code"].astype(str))  # (a MultiIndex's factorize: 6x slower)
    industries, industry_names = pd.factorize(frame["industry"].astype(str))
    codes, pairs = pd.factorize(cities.astype(np.int64) * len(industry_names) + industries)
    uniques = [(city_names[p // len(industry_names)], industry_names[p % len(industry_names)]) for p in pairs]
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques)))
    sums = np.add.reduceat(points[order].astype(np.int64), bounds, axis=0)
    lost = np.add.reduceat(losing[order].astype(np.int64), bounds, axis=0)
    totals = frame["total"].to_numpy(dtype=np.int64)
    grades = frame["grade"].astype(str).to_numpy()
    red = frame["red_line"].astype(bool).to_numpy()
    out = {}
    ends = [*bounds[1:], len(order)]
    for k, key in enumerate(uniques):
        rows = order[bounds[k] : ends[k]]
        out[(str(key[0]), str(key[1]))] = Part(
            n=len(rows),
            red_lines=int(red[rows].sum()),
            grades=Counter(grades[rows].tolist()),
            totals=Counter(totals[rows].tolist()),
            item_sums=sums[k],
            item_losing=lost[k],
            level1=[Counter(column.tolist()) for column in level1[rows].astype(np.int64).T],
        )
    return out


def add_parts(into: dict[Key, Part], parts: dict[Key, Part], sign: int = 1) -> None:
    for key, part in parts.items():
        into.setdefault(key, Part()).add(part, sign)


def scored_parts(catalogue: Catalogue, subs: pd.DataFrame, result: Any) -> dict[Key, Part]:
    """The parts of results just scored (``subs``: the submissions, with region_code and industry;
    ``result``: their ``scoring.Scores``), as ``runs.result_rows`` would store them."""
    frame = pd.DataFrame({
        "city_code": city_codes(subs["region_code"]), "industry": subs["industry"].to_numpy(),
        "total": result.total, "grade": result.grade, "red_line": result.red_line,
    })  # fmt: skip
    return parts_of(catalogue, frame, np.asarray(result.points), result.level("level1").to_numpy())


def stored_parts(catalogue: Catalogue, rows: pd.DataFrame) -> dict[Key, Part]:
    """The parts of stored results (``STORED`` columns; packed items and first-level points)."""
    from lrc.service.analytics import decode_packed

    if not len(rows):
        return {}
    points = decode_packed(rows["items"].tolist())
    level1 = decode_packed(rows["level1"].tolist())
    return parts_of(catalogue, rows, points, level1)


# ---- stored summaries -------------------------------------------------------------------------


def write(conn: Connection, run_id: int, through: int, parts: dict[Key, Part]) -> None:
    """Replace the summary of ``run_id`` with ``parts`` (empty ones dropped)."""
    store.replace_summary(conn, run_id, through, {key: p.to_json() for key, p in sorted(parts.items()) if p.n})


def stored_keys(rows: pd.DataFrame) -> set[Key]:
    return {(str(c), str(i)) for c, i in zip(rows["city_code"], rows["industry"], strict=True)} if len(rows) else set()


# ---- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """A run's parts inside a scope (the province, or a city): ``parts`` by (city code, industry)."""

    run_id: int
    parts: dict[Key, Part]

    def total(self, keys: Iterable[Key] | None = None) -> Part:
        out = Part()
        for key in self.parts if keys is None else keys:
            out.add(self.parts[key])
        return out

    def groups(self, by: str) -> dict[str, Part]:
        """The parts summed per city (``by`` "city_code") or per industry ("industry")."""
        at = 0 if by == "city_code" else 1
        out: dict[str, Part] = {}
        for key, part in self.parts.items():
            out.setdefault(key[at], Part()).add(part)
        return out


def summable(scope: Scope) -> bool:
    """Whether a summary of ``scope`` is a sum of cities: the province, or one city."""
    return scope.everything or (scope.uscc is None and scope.region in CITIES)


def summary(engine: Engine, who: Principal, run_id: int) -> Summary | None:
    """The summary of a period run's current results inside ``who``'s scope, brought forward over the
    one-enterprise runs since it was kept (or made, when missing); None for a scope that is not the province or
    a city (its reader reads its own results)."""
    if not summable(who.scope):
        return None
    require_schema(engine)
    with engine.connect() as conn:
        run = repo.run_row(conn, run_id)
        if run is None or run.kind != "period":
            return None
        last = repo.current_runs(conn, run).last
        state = store.summary_through(conn, run_id)
        bodies = store.summary_bodies(conn, run_id, who.scope.prefix) if state == (last, last) else None
    if bodies is None:  # (every row of a summary carries the same ``through``: one city may have none)
        bodies = _brought_forward(engine, run, who.scope.prefix)
    return Summary(run_id, {key: Part.from_json(body) for key, body in bodies.items()})


def _brought_forward(engine: Engine, run: Any, prefix: str | None) -> dict[Key, str]:
    """Bring a run's stored summary forward to its current results: the parts of the enterprises rescored since
    it was kept are taken out as they were then and added as they are now; made whole again when there is none
    or too many were rescored."""
    from lrc.service.runs import catalogue_for_run

    runs = repo.settled_runs(engine, run)
    with repo.writing(engine) as conn:
        through = store.locked_summary_throughs(conn, run.id)  # (one reader brings it forward at a time)
        kept = next(iter(through)) if len(through) == 1 else None
        changed = repo.rescored_enterprises(conn, run.period, kept, runs.last) if kept is not None else []
        if kept is not None and kept <= runs.last and len(changed) <= CATCH_UP:
            if kept < runs.last:
                catalogue = catalogue_for_run(conn, run)
                then = repo.RunRange(run.period, runs.first, kept)
                old, new = (repo.results_of(conn, r, STORED, changed) for r in (then, runs))
                keys = sorted(stored_keys(old) | stored_keys(new))
                bodies = store.summary_bodies(conn, run.id, keys=keys)
                parts = {key: Part.from_json(bodies[key]) if key in bodies else Part() for key in keys}
                add_parts(parts, stored_parts(catalogue, old), -1)
                add_parts(parts, stored_parts(catalogue, new))
                moved = {key: part.to_json() if part.n else None for key, part in parts.items()}
                store.rewrite_summary_parts(conn, run.id, runs.last, moved)
            return store.summary_bodies(conn, run.id, prefix)
    return _made(engine, run, runs, prefix)


CATCH_UP = 50_000  # enterprises rescored since a summary (or a comparison) was kept, up to which it is brought forward


def _made(engine: Engine, run: Any, runs: repo.RunRange, prefix: str | None) -> dict[Key, str]:
    """Make and store the summary of a run from its current results in ``runs`` (settled: every run of the range
    committed), for every city: it is kept for everyone."""
    from lrc.service.runs import catalogue_for_run

    with engine.connect() as conn:
        catalogue = catalogue_for_run(conn, run)
        parts: dict[Key, Part] = {}
        rows = repo.results(conn, runs, STORED)
    for start in range(0, len(rows), PART_ROWS):  # decoded a part at a time: memory stays bounded
        add_parts(parts, stored_parts(catalogue, rows.iloc[start : start + PART_ROWS]))
    del rows
    try:
        with repo.writing(engine) as conn:
            store.locked_summary_throughs(conn, run.id)  # (after any reader bringing it forward now)
            write(conn, run.id, runs.last, parts)  # later runs: brought forward by the next reader
    except IntegrityError:  # another reader stored it at the same moment
        pass
    return {k: p.to_json() for k, p in parts.items() if p.n and (not prefix or k[0].startswith(prefix))}


# ---- figures -------------------------------------------------------------------------------


def _sorted_values(histogram: Counter[int]) -> tuple[np.ndarray, np.ndarray]:
    values = np.array(sorted(histogram), dtype=np.int64)
    return values, np.cumsum([histogram[v] for v in values]).astype(np.int64)


def _middle(histogram: Counter[int], n: int) -> tuple[int, int]:
    """The two middle values (equal for an odd ``n``) of a histogram of ``n`` values."""
    values, ends = _sorted_values(histogram)
    low, high = np.searchsorted(ends, [(n - 1) // 2, n // 2], side="right")
    return int(values[low]), int(values[high])


def median_tenths(histogram: Counter[int]) -> float:
    """The median of a histogram of tenths, in points, as pandas' ``median`` of the points gives it."""
    n = sum(histogram.values())
    if not n:
        return float("nan")
    low, high = _middle(histogram, n)
    return (low / 10 + high / 10) / 2


def mean_tenths(histogram: Counter[int]) -> float:
    n = sum(histogram.values())
    return sum(v * c for v, c in histogram.items()) / 10 / n if n else float("nan")


def headline(part: Part, grades: Sequence[str]) -> dict[str, Any]:
    """``analytics.headline`` of the enterprises of ``part``."""
    return {
        "enterprises": part.n,
        "mean": mean_tenths(part.totals),
        "median": median_tenths(part.totals),
        "red_lines": part.red_lines,
        "grades": {g: int(part.grades.get(g, 0)) for g in grades},
    }


def group_summary(summary: Summary, by: str, grades: Sequence[str]) -> pd.DataFrame:
    """``analytics.group_summary`` by city code or industry."""
    rows = [
        {by: key, "enterprises": p.n, "mean": mean_tenths(p.totals), "median": median_tenths(p.totals),
         "red_lines": p.red_lines, **{g: int(p.grades.get(g, 0)) for g in grades}}
        for key, p in sorted(summary.groups(by).items()) if p.n
    ]  # fmt: skip
    columns = [by, "enterprises", "mean", "median", "red_lines", *grades]
    return pd.DataFrame(rows, columns=columns)


def level1_medians(part: Part) -> list[float]:
    """Median first-level scores (points) of ``part``'s enterprises, as ``np.median`` of the tenths gives them."""
    if not part.n:
        return []
    out = []
    for histogram in part.level1:
        low, high = _middle(histogram, part.n)
        out.append((low + high) / 2 / 10)
    return out


def higher(histogram: Counter[int], total: int) -> int:
    """How many of a histogram's totals are above ``total``."""
    return sum(c for v, c in histogram.items() if v > total)


def peer_ranks(summary: Summary, city_code: str, industry: str, total: int) -> dict[str, int]:
    """``analytics.peer_ranks`` of one result (``total`` in tenths) among the summary's enterprises: each
    part's count above ``total`` summed where it lies (the province, the city, the industry), no part merged
    (merging every part's histograms three times took a tenth of a second a page at a million)."""
    above = {"province": 0, "city": 0, "industry": 0}
    n = dict.fromkeys(above, 0)
    for (city, trade), part in summary.parts.items():
        count = higher(part.totals, total)
        for key, inside in (("province", True), ("city", city == city_code), ("industry", trade == industry)):
            if inside:
                above[key] += count
                n[key] += part.n
    out: dict[str, int] = {}
    for key in above:
        out[f"{key}_rank"] = above[key] + 1
        out[f"{key}_n"] = n[key]
    return out
