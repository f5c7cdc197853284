"""Run summaries: what the overview pages show of a period run's current results, kept per city and industry.

A page about a run at a million enterprises cannot read the run: the headline figures, the city and industry
tables, the points lost per item and an enterprise's place among its peers come from a few hundred rows
instead, one per city and industry (``run_summaries``), each holding counts and histograms that add up:

- how many enterprises, red lines, each grade, and a histogram of totals (so means, medians and ranks are
  exact, not estimated);
- per item, the sum of points and how many lost some;
- per first-level indicator, a histogram of its points (an industry's medians).

They are written while a period run is scored (a part at a time, as it streams), and changed in the same
transaction by every one-enterprise rescoring of the period (the old current results taken out, the new ones
added; ``through`` is the newest run applied). A summary missing (a run scored before summaries existed) or
not up to date is made from the run's current results when first asked for.

How a run changed against another (the overview's previous period, the monitoring page's baseline) is kept
the same way, per city now and then (``run_changes``): counts, and the top of each list the pages show, kept
longer than shown so that a rescoring can take entries out. It is stored while a period run is scored against
its baseline (whose results the run reads anyway for its alerts), and against the previous period's newest run
when that is another; a rescoring of either run changes it in its transaction; one missing or not up to date is
made from the two runs' results (a few columns) when first asked for.

Scopes: cities partition the province, so the province or a city sums its rows, each enterprise counted in the
city of its current result; a district or an enterprise is not a sum of cities, and its reader reads its own
(few) results instead, as ``load_results`` reads a scope (``summary`` returns None).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from indicators import Catalogue
from lrc.reference import CITIES, city_of
from lrc.scope import Scope
from lrc.service.access import Principal
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import RunChangePart, RunSummaryPart, ScoreRun

SUMMARIES = cast(Table, RunSummaryPart.__table__)
CHANGES = cast(Table, RunChangePart.__table__)
FEW_RESULTS = 64  # results summed one at a time (a rescoring's); more are grouped by pandas
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
        return json.dumps(
            {
                "n": self.n,
                "red_lines": self.red_lines,
                "grades": dict(self.grades),
                "totals": {str(k): v for k, v in self.totals.items()},
                "item_sums": self.item_sums.tolist(),
                "item_losing": self.item_losing.tolist(),
                "level1": [{str(k): v for k, v in c.items()} for c in self.level1],
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


Key = tuple[str, str]  # (city code, industry)


def parts_of(catalogue: Catalogue, frame: pd.DataFrame, points: np.ndarray, level1: np.ndarray) -> dict[Key, Part]:
    """The parts of some results: ``frame`` (city_code, industry, total in tenths, grade, red_line), with
    each result's item points and first-level points (tenths) as rows of ``points`` and ``level1``."""
    if not len(frame):
        return {}
    maximum = np.array([i.points_tenths for i in catalogue.items], dtype=np.int64)
    is_add = np.array([i.kind == "add" for i in catalogue.items])
    losing = np.where(is_add, points != maximum, points != 0)
    if len(frame) <= FEW_RESULTS:  # a rescoring's few results: one at a time (grouping costs more)
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
    keys = pd.MultiIndex.from_arrays([frame["city_code"].astype(str), frame["industry"].astype(str)])
    codes, uniques = pd.factorize(keys)
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
    ``result``: their ``scoring.ScoreResult``), as ``runs.result_rows`` would store them."""
    frame = pd.DataFrame({
        "city_code": [city_of(r) or r for r in subs["region_code"]], "industry": subs["industry"].to_numpy(),
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


# ---- the store -------------------------------------------------------------------------


def write(conn: Connection, run_id: int, through: int, parts: dict[Key, Part]) -> None:
    """Replace the summary of ``run_id`` with ``parts`` (empty ones dropped)."""
    table = SUMMARIES
    conn.execute(delete(table).where(table.c.run_id == run_id))
    rows = [
        {"run_id": run_id, "city_code": c, "industry": i, "through": through, "body": p.to_json()}
        for (c, i), p in sorted(parts.items())
        if p.n
    ]
    if rows:
        conn.execute(insert(table), rows)


def _read(conn: Connection, run_id: int, prefix: str | None = None) -> dict[Key, str]:
    """The stored parts of a run's summary (of the cities starting with ``prefix``), as JSON."""
    table = SUMMARIES
    query = select(table.c.city_code, table.c.industry, table.c.body).where(table.c.run_id == run_id)
    if prefix:
        query = query.where(table.c.city_code.like(prefix + "%"))
    return {(r.city_code, r.industry): r.body for r in conn.execute(query)}


def rescored(
    conn: Connection, catalogue: Catalogue, period: str, run_id: int, before: pd.DataFrame, parts: dict
) -> None:
    """Bring the summary of ``period``'s period run up to date with one-enterprise run ``run_id`` (written
    in ``conn``'s transaction): ``before`` are the replaced current results (``STORED`` columns), ``parts``
    the new results' parts. A summary that was not up to date before this run is dropped (made again when
    first asked for); none is made here."""
    period_run = repo.latest_run_id(conn, period)
    if period_run is None or period_run > run_id:
        return
    table = SUMMARIES
    mine = table.c.run_id == period_run
    states = select(table.c.through).where(mine)
    through = set(conn.scalars(states.with_for_update() if conn.dialect.name == "postgresql" else states))
    if not through:
        return
    if through != {_last_before(conn, period, period_run, run_id)}:
        write(conn, period_run, period_run, {})  # not up to date already: made again when asked for
        return
    keys = sorted({*stored_keys(before), *parts})
    where = mine & tuple_(table.c.city_code, table.c.industry).in_(keys)
    bodies = {
        (r[0], r[1]): r[2] for r in conn.execute(select(table.c.city_code, table.c.industry, table.c.body).where(where))
    }
    changed = {key: Part.from_json(bodies[key]) if key in bodies else Part() for key in keys}
    add_parts(changed, stored_parts(catalogue, before), -1)
    add_parts(changed, parts)
    for (city, industry), part in changed.items():
        where = (table.c.run_id == period_run) & (table.c.city_code == city) & (table.c.industry == industry)
        conn.execute(delete(table).where(where))
        if part.n:
            row = {"run_id": period_run, "city_code": city, "industry": industry, "through": run_id}
            conn.execute(insert(table).values(**row, body=part.to_json()))
    conn.execute(update(table).where(table.c.run_id == period_run).values(through=run_id))


def stored_keys(rows: pd.DataFrame) -> set[Key]:
    return {(str(c), str(i)) for c, i in zip(rows["city_code"], rows["industry"], strict=True)} if len(rows) else set()


def current_rows(conn: Connection, period: str, enterprise_ids: Sequence[int]) -> pd.DataFrame:
    """The current results (``STORED`` columns) of some enterprises in ``period``'s newest period run, if any."""
    period_run = repo.latest_run_id(conn, period)
    if period_run is None:
        return pd.DataFrame(columns=list(STORED))
    runs = repo.current_runs(conn, repo.run_row(conn, period_run))
    parts = [repo.results(conn, runs, STORED, enterprise_ids=list(p)) for p in repo.chunks(list(enterprise_ids))]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(STORED))


def has_summary(conn: Connection, period: str) -> bool:
    """Whether ``period``'s newest period run has a summary to keep up to date."""
    period_run = repo.latest_run_id(conn, period)
    table = SUMMARIES
    return (
        period_run is not None
        and conn.scalar(select(table.c.run_id).where(table.c.run_id == period_run).limit(1)) is not None
    )


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
    """The summary of a period run's current results inside ``who``'s scope, made now if missing or not up to
    date; None for a scope that is not the province or a city (its reader reads its own results)."""
    if not summable(who.scope):
        return None
    require_schema(engine)
    with engine.connect() as conn:
        run = repo.run_row(conn, run_id)
        if run is None or run.kind != "period":
            return None
        last = repo.current_runs(conn, run).last
        table = SUMMARIES
        state = conn.execute(
            select(func.min(table.c.through), func.max(table.c.through)).where(table.c.run_id == run_id)
        ).one()
        bodies = _read(conn, run_id, who.scope.prefix) if tuple(state) == (last, last) else None
    if bodies is None:  # (every row of a summary carries the same ``through``: one city may have none)
        bodies = _made(engine, run_id, who.scope.prefix)
    return Summary(run_id, {key: Part.from_json(body) for key, body in bodies.items()})


def _made(engine: Engine, run_id: int, prefix: str | None) -> dict[Key, str]:
    """Make and store the summary of a run from its current results (every city: it is kept for everyone)."""
    from lrc.service.runs import catalogue_for_run

    with engine.connect() as conn:
        run = repo.run_row(conn, run_id)
        catalogue = catalogue_for_run(conn, run)
        runs = repo.current_runs(conn, run)
        parts: dict[Key, Part] = {}
        rows = repo.results(conn, runs, STORED)
    for start in range(0, len(rows), PART_ROWS):  # decoded a part at a time: memory stays bounded
        add_parts(parts, stored_parts(catalogue, rows.iloc[start : start + PART_ROWS]))
    del rows
    try:
        with repo.writing(engine) as conn:
            still = repo.current_runs(conn, repo.run_row(conn, run_id)).last
            if still == runs.last:  # (a rescoring since: the next reader makes it again)
                write(conn, run_id, runs.last, parts)
    except IntegrityError:  # another reader stored it at the same moment
        pass
    return {k: p.to_json() for k, p in parts.items() if p.n and (not prefix or k[0].startswith(prefix))}


# ---- figures -------------------------------------------------------------------------------


def _sorted_values(histogram: Counter[int]) -> tuple[np.ndarray, np.ndarray]:
    values = np.array(sorted(histogram), dtype=np.int64)
    return values, np.cumsum([histogram[v] for v in values]).astype(np.int64)


def _at(values: np.ndarray, ends: np.ndarray, k: int) -> int:
    """The ``k``-th (from 0) smallest value of a histogram."""
    return int(values[np.searchsorted(ends, k, side="right")])


def median_tenths(histogram: Counter[int]) -> float:
    """The median of a histogram of tenths, in points, as pandas' ``median`` of the points gives it."""
    n = sum(histogram.values())
    if not n:
        return float("nan")
    values, ends = _sorted_values(histogram)
    low, high = _at(values, ends, (n - 1) // 2), _at(values, ends, n // 2)
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
        values, ends = _sorted_values(histogram)
        low, high = _at(values, ends, (part.n - 1) // 2), _at(values, ends, part.n // 2)
        out.append((low + high) / 2 / 10)
    return out


def higher(histogram: Counter[int], total: int) -> int:
    """How many of a histogram's totals are above ``total``."""
    return sum(c for v, c in histogram.items() if v > total)


def peer_ranks(summary: Summary, city_code: str, industry: str, total: int) -> dict[str, int]:
    """``analytics.peer_ranks`` of one result (``total`` in tenths) among the summary's enterprises."""
    province = summary.total()
    city = summary.groups("city_code").get(city_code, Part())
    trade = summary.groups("industry").get(industry, Part())
    out: dict[str, int] = {}
    for key, part in (("province", province), ("city", city), ("industry", trade)):
        out[f"{key}_rank"] = higher(part.totals, total) + 1
        out[f"{key}_n"] = part.n
    return out


# ---- changes against another run ----------------------------------------------------------

NOW_COLUMNS = ("enterprise_id", "uscc", "city_code", "industry", "total", "grade", "red_line")
BEFORE_COLUMNS = ("uscc", "city_code", "total", "grade", "red_line")
ENTRY = ("uscc", "name", "city_code", "industry", "total", "total_prev", "grade", "grade_prev", "grade_steps")
LISTS = {"rises": 10, "falls": 50, "fell": 50, "red": 50}  # the most of each list a page shows
KEPT = 2  # each part keeps this many times as many (a rescoring may take some out of a list)
COUNTS = ("both", "delta_sum", "grade_up", "grade_down", "new_red_lines", "score_fell")
EVERY = ("", "")  # the row every stored comparison has, so that one with no enterprise in common is stored too


Entry = tuple[Any, ...]  # one enterprise in a list: the values of ``ENTRY``


@dataclass
class Change:
    """Enterprises in both runs: counts (``delta_sum`` in tenths), and the top of each list (``ENTRY`` tuples,
    in the list's order)."""

    both: int = 0
    delta_sum: int = 0
    grade_up: int = 0
    grade_down: int = 0
    new_red_lines: int = 0
    score_fell: int = 0
    lists: dict[str, list[Entry]] = field(default_factory=dict)

    @property
    def mean_delta(self) -> float:
        return self.delta_sum / 10 / self.both if self.both else float("nan")

    def to_json(self) -> str:
        counts = {k: getattr(self, k) for k in COUNTS}
        return json.dumps({**counts, "lists": {k: list(v) for k, v in self.lists.items()}}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Change:
        data = json.loads(text)
        lists = {k: [tuple(e) for e in v] for k, v in data.pop("lists").items()}
        return cls(**data, lists=lists)


def compared(now: pd.DataFrame, before: pd.DataFrame, grades: Sequence[str]) -> pd.DataFrame:
    """The enterprises of ``now`` (``NOW_COLUMNS``, totals in tenths) also in ``before`` (``BEFORE_COLUMNS``),
    in the ranking's order (total down, USCC up), with ``d`` (the change, tenths), ``grade_steps`` (positive:
    fell) and ``new_red_line``, joined as ``analytics.compare_runs`` joins them."""
    order = {g: k for k, g in enumerate(grades)}
    now = now.sort_values(["total", "uscc"], ascending=[False, True], kind="stable")
    both = now.merge(before, on="uscc", how="inner", suffixes=("", "_prev"))
    both["d"] = both["total"].astype(np.int64) - both["total_prev"].astype(np.int64)
    steps = both["grade"].map(order).astype("float64") - both["grade_prev"].map(order).astype("float64")
    both["grade_steps"] = steps.fillna(0).astype(int)
    both["new_red_line"] = both["red_line"].astype(bool) & ~both["red_line_prev"].astype(bool)
    return both


def _key(name: str) -> Any:
    """The order of list ``name`` on entries; ties in the ranking's order (total down, USCC up)."""
    if name == "rises":
        return lambda e: (e[5] - e[4], -e[4], e[0])
    if name == "fell":
        return lambda e: (-e[8], e[4] - e[5], -e[4], e[0])
    return lambda e: (e[4] - e[5], -e[4], e[0])  # falls, red


FEW = 2_000  # rows of a part sorted as Python tuples; more are narrowed by pandas first


def _top(rows: pd.DataFrame, name: str, keep: int) -> list[Entry]:
    """The first ``keep`` of ``compared`` rows (with names) in list ``name``'s order."""
    if name == "fell":
        rows = rows[rows["grade_steps"] > 0]
    if len(rows) > FEW:  # only the candidates (every row with the lowest key of the ones kept) are made tuples
        d = rows["total"].astype(np.int64) - rows["total_prev"].astype(np.int64)
        key = {"rises": -d, "falls": d, "red": d, "fell": -rows["grade_steps"] * 10**7 + d}[name]
        rows = rows[key <= key.nsmallest(keep).max()]
    columns = [rows[c].tolist() for c in ENTRY]
    entries = [
        (str(u), str(n), str(c), str(i), int(t), int(p), str(g), str(q), int(s))
        for u, n, c, i, t, p, g, q, s in zip(*columns, strict=True)
    ]
    return _listed(entries, name, keep)


def _listed(entries: list[Entry], name: str, keep: int) -> list[Entry]:
    """The first ``keep`` of ``entries`` in list ``name``'s order."""
    return sorted(entries, key=_key(name))[:keep]


def change_of(both: pd.DataFrame) -> Change:
    """The counts and lists of ``compared`` rows (names, when ``both`` has none, filled in later)."""
    entries = both if "name" in both else both.assign(name="")
    lists = {n: _top(entries, n, KEPT * k) for n, k in LISTS.items() if n != "red"}
    lists["red"] = _top(entries[entries["new_red_line"]], "red", KEPT * LISTS["red"])
    return Change(
        both=len(both),
        delta_sum=int(both["d"].sum()),
        grade_up=int((both["grade_steps"] < 0).sum()),
        grade_down=int((both["grade_steps"] > 0).sum()),
        new_red_lines=int(both["new_red_line"].sum()),
        score_fell=int((both["d"] < 0).sum()),
        lists=lists,
    )


CANDIDATES = {"rises": "both", "falls": "both", "fell": "grade_down", "red": "new_red_lines"}  # each list's size


def whole(change: Change, name: str) -> bool:
    """Whether list ``name`` holds every candidate (not only the top of them)."""
    return len(change.lists.get(name, ())) >= getattr(change, CANDIDATES[name])


def merged_list(name: str, lists: Sequence[tuple[list[Entry], bool]], keep: int) -> list[Entry]:
    """The top ``keep`` of the union of disjoint lists ``name``, each (entries, whether whole), as far as
    they tell it: a list that is not whole is the top of its set, so nothing after its last entry is known."""
    key = _key(name)
    merged = sorted((e for entries, _ in lists for e in entries), key=key)
    for entries, complete in lists:
        if not complete:
            last = key(entries[-1]) if entries else None
            merged = [e for e in merged if last is not None and key(e) <= last]
    return merged[:keep]


def add_change(into: Change, other: Change) -> None:
    """Add a disjoint ``other`` (another part of a period run) to ``into``."""
    lists = {
        n: merged_list(
            n, [(into.lists.get(n, []), whole(into, n)), (other.lists.get(n, []), whole(other, n))], KEPT * k
        )
        for n, k in LISTS.items()
    }
    for name in COUNTS:
        setattr(into, name, getattr(into, name) + getattr(other, name))
    into.lists = lists


def replace_change(into: Change, removed: Change, added: Change, gone: set[str]) -> bool:
    """Take out of ``into`` the pairs ``removed`` (of the enterprises with USCCs ``gone``) and add ``added``
    (their new pairs: a rescoring). False when a list has become too short to show its top (the comparison
    must then be made again from the results)."""
    lists = {}
    for name, k in LISTS.items():
        kept = ([e for e in into.lists.get(name, []) if e[0] not in gone], whole(into, name))
        lists[name] = merged_list(name, [kept, (added.lists.get(name, []), whole(added, name))], KEPT * k)
    for name in COUNTS:
        setattr(into, name, getattr(into, name) - getattr(removed, name) + getattr(added, name))
    into.lists = lists
    return all(len(lists[n]) >= min(k, getattr(into, CANDIDATES[n])) for n, k in LISTS.items())


@dataclass(frozen=True)
class Changes:
    """How a run's current results changed against another's inside a scope, summed over its cities."""

    both: int
    mean_delta: float
    grade_up: int
    grade_down: int
    new_red_lines: int
    score_fell: int
    lists: dict[str, pd.DataFrame]  # the top of each list (``LISTS``), as ``shown`` gives rows

    @classmethod
    def of(cls, parts: Iterable[Change], grades: Sequence[str]) -> Changes:
        out = Change()
        chosen = list(parts)
        for part in chosen:
            for name in COUNTS:
                setattr(out, name, getattr(out, name) + getattr(part, name))
        lists = {}
        for name, k in LISTS.items():
            sources = [(p.lists.get(name, []), whole(p, name)) for p in chosen]
            lists[name] = shown(pd.DataFrame(merged_list(name, sources, k), columns=list(ENTRY)), grades)
        counts = {k: getattr(out, k) for k in COUNTS if k not in ("both", "delta_sum")}
        return cls(both=out.both, mean_delta=out.mean_delta, lists=lists, **counts)


def shown(entries: pd.DataFrame, grades: Sequence[str]) -> pd.DataFrame:
    """List entries (``ENTRY``) as ``analytics.compare_runs`` rows: points, city and industry names, change."""
    from lrc.reference import INDUSTRIES

    out = entries.reset_index(drop=True).copy()
    out["city"] = out["city_code"].map(CITIES).fillna(out["city_code"])
    out["industry_name"] = out["industry"].map(INDUSTRIES)
    d = out["total"].astype(np.int64) - out["total_prev"].astype(np.int64)
    out["delta"] = (d / 10).astype("float64")
    out["total"] = out["total"].astype(np.int64) / 10
    out["total_prev"] = out["total_prev"].astype(np.int64) / 10
    return out


def _read_both(
    conn: Connection, run_id: int, previous_id: int, scope: Scope
) -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """The two runs' current results inside ``scope`` (``NOW_COLUMNS``, ``BEFORE_COLUMNS``) and their ranges'
    newest runs."""
    runs = repo.current_runs(conn, repo.run_row(conn, run_id))
    earlier = repo.current_runs(conn, repo.run_row(conn, previous_id))
    now = repo.results(conn, runs, NOW_COLUMNS, scope=scope)
    before = repo.results(conn, earlier, BEFORE_COLUMNS, scope=scope)
    return now, before, runs.last, earlier.last


def _named(conn: Connection, run_id: int, now: pd.DataFrame, parts: dict[Key, Change]) -> None:
    """Fill in the names of the enterprises in the parts' lists (read for those alone)."""
    wanted = {e[0] for p in parts.values() for entries in p.lists.values() for e in entries}
    ids = now.loc[now["uscc"].isin(wanted), "enterprise_id"].astype(int).tolist()
    runs = repo.current_runs(conn, repo.run_row(conn, run_id))
    names: dict[str, str] = {}
    for chunk in repo.chunks(ids):
        found = repo.results(conn, runs, ("uscc", "name"), enterprise_ids=list(chunk))
        names.update(zip(found["uscc"].tolist(), found["name"].tolist(), strict=True))
    for part in parts.values():
        part.lists = {k: [(e[0], names.get(e[0], ""), *e[2:]) for e in v] for k, v in part.lists.items()}


def _compare(
    conn: Connection, run_id: int, previous_id: int, scope: Scope, grades: Sequence[str]
) -> tuple[dict[Key, Change], int, int]:
    now, before, last, previous_last = _read_both(conn, run_id, previous_id, scope)
    both = compared(now, before, grades)
    parts = {EVERY: Change(), **_by_city(both)}
    _named(conn, run_id, now, parts)
    return parts, last, previous_last


def changes(engine: Engine, who: Principal, run_id: int, previous_id: int, grades: Sequence[str]) -> Changes:
    """How run ``run_id``'s current results inside ``who``'s scope changed against run ``previous_id``'s (as
    ``analytics.compare_runs`` of the two, counted and listed): for the province or a city from the stored
    comparison, made for the province when missing or not up to date; for a district or an enterprise from
    the scope's own results."""
    require_schema(engine)
    if not summable(who.scope):
        with engine.connect() as conn:
            parts = _compare(conn, run_id, previous_id, who.scope, grades)[0]
        return Changes.of(parts.values(), grades)
    with engine.connect() as conn:
        bodies = _stored_changes(conn, run_id, previous_id)
    if bodies is None:
        bodies = store_changes(engine, run_id, previous_id, grades)
    prefix = who.scope.prefix
    chosen = [
        Change.from_json(body)
        for key, body in bodies.items()
        if key == EVERY or not prefix or (key[0].startswith(prefix) and key[1].startswith(prefix))
    ]
    return Changes.of(chosen, grades)


def _stored_changes(conn: Connection, run_id: int, previous_id: int) -> dict[Key, str] | None:
    """The stored comparison of two runs, if it is up to date with both."""
    table = CHANGES
    rows = conn.execute(
        select(table.c.city_code, table.c.previous_city, table.c.through, table.c.previous_through, table.c.body).where(
            table.c.run_id == run_id, table.c.previous_id == previous_id
        )
    ).all()
    if not rows:
        return None
    last = repo.current_runs(conn, repo.run_row(conn, run_id)).last
    previous_last = repo.current_runs(conn, repo.run_row(conn, previous_id)).last
    if {(r.through, r.previous_through) for r in rows} != {(last, previous_last)}:
        return None
    return {(r.city_code, r.previous_city): r.body for r in rows}


def store_changes(engine: Engine, run_id: int, previous_id: int, grades: Sequence[str]) -> dict[Key, str]:
    """Compare two runs' current results in the whole province, store the comparison per city (now and then)
    and return it (made when a period run is scored, and again when a rescoring has changed either run)."""
    with engine.connect() as conn:
        parts, last, previous_last = _compare(conn, run_id, previous_id, Scope(), grades)
    bodies = {key: part.to_json() for key, part in parts.items()}
    try:
        with repo.writing(engine) as conn:
            still = (
                repo.current_runs(conn, repo.run_row(conn, run_id)).last,
                repo.current_runs(conn, repo.run_row(conn, previous_id)).last,
            )
            if still == (last, previous_last):  # (a rescoring since: the next reader compares again)
                write_changes(conn, run_id, previous_id, last, previous_last, parts)
    except IntegrityError:  # another reader stored it at the same moment
        pass
    return bodies


def compared_with(engine: Engine, run_id: int, period: str) -> None:
    """Store a new period run's comparisons with the runs the pages compare it with that are not stored yet:
    the run before it in its period (or the previous period's newest run: the monitoring page's baseline,
    stored while the run was scored), and the previous period's newest run (the overview's)."""
    from lrc.service.analytics import baseline_run, previous_period_run
    from lrc.service.runs import catalogue_for_run

    with engine.connect() as conn:
        runs = repo.runs(conn)
        grades = [g.grade for g in catalogue_for_run(conn, repo.run_row(conn, run_id)).grades]
        wanted = {baseline_run(runs, run_id), previous_period_run(runs, period)} - {None}
        missing = [int(p) for p in wanted if p is not None and _stored_changes(conn, run_id, int(p)) is None]
    for previous in missing:
        store_changes(engine, run_id, previous, grades)


def scored_now(subs: pd.DataFrame, result: Any) -> pd.DataFrame:
    """Results just scored (``scored_parts``' arguments) as ``NOW_COLUMNS`` and their names."""
    return pd.DataFrame({
        "enterprise_id": subs["enterprise_id"].astype(np.int64).to_numpy(), "uscc": subs.index.astype(str),
        "city_code": [city_of(r) or r for r in subs["region_code"]], "industry": subs["industry"].to_numpy(),
        "total": np.asarray(result.total), "grade": np.asarray(result.grade), "red_line": np.asarray(result.red_line),
        "name": subs["name"].to_numpy(),
    })  # fmt: skip


def add_compared(into: dict[Key, Change], now: pd.DataFrame, before: pd.DataFrame, catalogue: Catalogue) -> None:
    """Add a part of a period run (``scored_now``) compared with its baseline's current results (``before``:
    ``BEFORE_COLUMNS``) to the comparison ``into``, by city now and then."""
    both = compared(now, before[list(BEFORE_COLUMNS)], [g.grade for g in catalogue.grades])
    for key, part in _by_city(both).items():
        if key in into:
            add_change(into[key], part)
        else:
            into[key] = part


def write_changes(
    conn: Connection, run_id: int, previous_id: int, through: int, previous_through: int, parts: dict[Key, Change]
) -> None:
    """Store the comparison of two runs (``parts`` by city now and then), replacing any stored before."""
    table = CHANGES
    conn.execute(delete(table).where(table.c.run_id == run_id, table.c.previous_id == previous_id))
    every = {EVERY: Change(), **parts}
    conn.execute(insert(table), [
        {"run_id": run_id, "previous_id": previous_id, "city_code": c, "previous_city": p,
         "through": through, "previous_through": previous_through, "body": part.to_json()}
        for (c, p), part in every.items()
    ])  # fmt: skip


# ---- keeping them up to date -------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """What a one-enterprise rescoring of ``period`` replaces, read before its results are written."""

    period: str
    period_run: int
    enterprise_ids: list[int]
    replaced: pd.DataFrame | None  # the summary's rows (``STORED``), when the period run has a summary
    pairs: dict[tuple[int, int], list[Pair]]  # each stored comparison with the period run: its pairs now
    ranges: dict[int, repo.RunRange]  # the ranges of the runs compared (the period run's as it was)


def before_rescoring(conn: Connection, period: str, enterprise_ids: Sequence[int]) -> Pending | None:
    """Read, before a rescoring of ``enterprise_ids`` in ``period`` writes anything, what its results replace in
    the period run's summary and in the comparisons with it; None when there is nothing to keep up to date."""
    period_run = repo.latest_run_id(conn, period)
    if period_run is None:
        return None
    ids = [int(e) for e in enterprise_ids]
    replaced = current_rows(conn, period, ids) if has_summary(conn, period) else None
    compared = _comparisons(conn, period_run)
    ranges = {r: repo.current_runs(conn, repo.run_row(conn, r)) for r in {r for key in compared for r in key}}
    pairs = {key: _pairs(conn, ranges[key[0]], ranges[key[1]], ids) for key in compared}
    if replaced is None and not pairs:
        return None
    return Pending(period, period_run, ids, replaced, pairs, ranges)


def after_rescoring(
    conn: Connection, pending: Pending, catalogue: Catalogue, run_id: int, parts: dict[Key, Part]
) -> None:
    """Bring the summary and the comparisons up to date with rescoring run ``run_id`` (its results written in
    ``conn``'s transaction; ``parts``: theirs)."""
    if pending.replaced is not None:
        rescored(conn, catalogue, pending.period, run_id, pending.replaced, parts)
    table = CHANGES
    before_last = _last_before(conn, pending.period, pending.period_run, run_id)
    ranges = {**pending.ranges, pending.period_run: repo.RunRange(pending.period, pending.period_run, run_id)}
    for (now_id, previous_id), old in pending.pairs.items():
        mine = (table.c.run_id == now_id) & (table.c.previous_id == previous_id)
        states = select(table.c.through, table.c.previous_through).where(mine)
        if conn.dialect.name == "postgresql":
            states = states.with_for_update()
        through = {(int(a), int(b)) for a, b in conn.execute(states)}
        other_last = ranges[previous_id if now_id == pending.period_run else now_id].last
        expected = (before_last, other_last) if now_id == pending.period_run else (other_last, before_last)
        if through != {expected}:
            conn.execute(delete(table).where(mine))  # not up to date already: made again when asked for
            continue
        new = _pairs(conn, ranges[now_id], ranges[previous_id], pending.enterprise_ids)
        old_parts, new_parts = _pairs_by_city(old), _pairs_by_city(new)
        keys = sorted({*old_parts, *new_parts} - {EVERY})
        rows = (
            conn.execute(
                select(table.c.city_code, table.c.previous_city, table.c.body).where(
                    mine, tuple_(table.c.city_code, table.c.previous_city).in_(keys)
                )
            ).all()
            if keys
            else []
        )
        stored = {(r[0], r[1]): Change.from_json(r[2]) for r in rows}
        gone = {e[0] for e, _, _ in (*old, *new)}
        whole_again = True
        for key in keys:
            part = stored.setdefault(key, Change())
            whole_again &= replace_change(part, old_parts.get(key, Change()), new_parts.get(key, Change()), gone)
        if not whole_again:
            conn.execute(delete(table).where(mine))
            continue
        after = (run_id, other_last) if now_id == pending.period_run else (other_last, run_id)
        for (city, previous_city), part in stored.items():
            where = mine & (table.c.city_code == city) & (table.c.previous_city == previous_city)
            conn.execute(delete(table).where(where))
            if part.both:
                conn.execute(insert(table).values(
                    run_id=now_id, previous_id=previous_id, city_code=city, previous_city=previous_city,
                    through=after[0], previous_through=after[1], body=part.to_json(),
                ))  # fmt: skip
        conn.execute(update(table).where(mine).values(through=after[0], previous_through=after[1]))


def _last_before(conn: Connection, period: str, period_run: int, run_id: int) -> int:
    """The newest run of a period run's range before ``run_id`` (the period run itself when there is none)."""
    previous = conn.scalar(
        select(func.max(ScoreRun.id)).where(
            ScoreRun.period == period, ScoreRun.kind != "period", ScoreRun.id > period_run, ScoreRun.id < run_id
        )
    )
    return int(previous or period_run)


def _comparisons(conn: Connection, period_run: int) -> list[tuple[int, int]]:
    table = CHANGES
    query = (
        select(table.c.run_id, table.c.previous_id)
        .where((table.c.run_id == period_run) | (table.c.previous_id == period_run))
        .distinct()
    )
    return [(int(r[0]), int(r[1])) for r in conn.execute(query)]


_GRADES: dict[tuple[str, int], dict[str, int]] = {}  # each period run's grades, best first, by store and run
Pair = tuple[Entry, str, bool]  # an enterprise in both runs: its entry, its city then, whether a new red line


def _pairs(conn: Connection, runs: repo.RunRange, earlier: repo.RunRange, enterprise_ids: list[int]) -> list[Pair]:
    """Some enterprises in two runs' current results (the ranges ``runs`` and ``earlier``), joined as
    ``compared`` joins them, read by their ids."""
    from lrc.service.runs import catalogue_for_run

    kept = (str(conn.engine.url), runs.first)
    order = _GRADES.get(kept)
    if order is None:  # (a run's catalogue never changes: its grades are kept by store and run)
        grades = catalogue_for_run(conn, repo.run_row(conn, runs.first)).grades
        order = _GRADES[kept] = {g.grade: k for k, g in enumerate(grades)}
    before = {r[0]: r for r in repo.newest_rows(conn, earlier, BEFORE_COLUMNS, enterprise_ids)}
    pairs = []
    for uscc, name, city, industry, total, grade, red in repo.newest_rows(
        conn, runs, ("uscc", "name", "city_code", "industry", "total", "grade", "red_line"), enterprise_ids
    ):
        was = before.get(uscc)
        if was is None:
            continue
        _, city_then, total_then, grade_then, red_then = was
        now_at, then_at = order.get(grade), order.get(grade_then)
        steps = 0 if now_at is None or then_at is None else now_at - then_at
        entry = (
            str(uscc),
            str(name),
            str(city),
            str(industry),
            int(total),
            int(total_then),
            str(grade),
            str(grade_then),
            steps,
        )
        pairs.append((entry, str(city_then), bool(red) and not bool(red_then)))
    return pairs


def _pairs_by_city(pairs: list[Pair]) -> dict[Key, Change]:
    """``change_of`` a few pairs, by city now and then."""
    grouped: dict[Key, list[Pair]] = {}
    for pair in pairs:
        grouped.setdefault((pair[0][2], pair[1]), []).append(pair)
    out = {}
    for key, group in grouped.items():
        entries = [e for e, _, _ in group]
        changes = [e[4] - e[5] for e in entries]
        out[key] = Change(
            both=len(entries),
            delta_sum=sum(changes),
            grade_up=sum(e[8] < 0 for e in entries),
            grade_down=sum(e[8] > 0 for e in entries),
            new_red_lines=sum(red for _, _, red in group),
            score_fell=sum(d < 0 for d in changes),
            lists={
                "rises": _listed(entries, "rises", KEPT * LISTS["rises"]),
                "falls": _listed(entries, "falls", KEPT * LISTS["falls"]),
                "fell": _listed([e for e in entries if e[8] > 0], "fell", KEPT * LISTS["fell"]),
                "red": _listed([e for e, _, red in group if red], "red", KEPT * LISTS["red"]),
            },
        )
    return out


def _by_city(both: pd.DataFrame) -> dict[Key, Change]:
    return {(str(k[0]), str(k[1])): change_of(g) for k, g in both.groupby(["city_code", "city_code_prev"], sort=True)}
