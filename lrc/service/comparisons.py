"""Run comparisons: how a period run's current results changed against another run's (the overview's previous
period, the monitoring page's baseline), kept per city now and then.

A comparison (``run_changes``) holds counts, and the top of each list the pages show, kept longer than shown so
that the entries of rescored enterprises can be taken out. It is stored while a period run is scored against its
baseline (whose results the run reads anyway for its alerts), and against the previous period's newest run when
that is another. Rescorings of either run write nothing here: the first reader after them brings it forward as
``summaries`` does (each rescored enterprise's pair as it was at ``through``/``previous_through`` out, as it is
now in); one missing, too far behind, or whose list became too short to show its top is made from the two runs'
results (a few columns).

Scopes as in ``lrc.service.summaries``: the province or a city sums its rows; a district or an enterprise reads
its own (few) results. The rows are read and written by ``lrc.store.comparisons``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from indicators import Catalogue
from lrc.labels import add_place_names
from lrc.reference import city_codes
from lrc.scope import Scope
from lrc.service.access import Principal
from lrc.service.summaries import CATCH_UP, summable
from lrc.store import comparisons as store
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.summaries import Key

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
    now = now.sort_values(["total", "uscc"], ascending=[False, True], kind="stable")
    both = joined(now, before, grades)
    d = both["total"].astype(np.int64) - both["total_prev"].astype(np.int64)
    both.insert(len(now.columns) + len(before.columns) - 1, "d", d)  # where it stood before the two below
    return both


def joined(now: pd.DataFrame, before: pd.DataFrame, grades: Sequence[str]) -> pd.DataFrame:
    """The enterprises of ``now`` also in ``before`` (its columns suffixed ``_prev``), with ``grade_steps``
    (positive: fell that many grades) and ``new_red_line`` (hit now, not before)."""
    order = {g: k for k, g in enumerate(grades)}
    both = now.merge(before, on="uscc", how="inner", suffixes=("", "_prev"))
    # mapped explicitly to numbers: an empty join (no enterprise in both runs) keeps the
    # grades' string dtype through ``map``, and strings cannot be subtracted
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
    out = entries.reset_index(drop=True).copy()
    add_place_names(out)
    d = out["total"].astype(np.int64) - out["total_prev"].astype(np.int64)
    out["delta"] = (d / 10).astype("float64")
    out["total"] = out["total"].astype(np.int64) / 10
    out["total_prev"] = out["total_prev"].astype(np.int64) / 10
    return out


def _read_both(
    conn: Connection, runs: repo.RunRange, earlier: repo.RunRange, scope: Scope
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two ranges' current results inside ``scope`` (``NOW_COLUMNS``, ``BEFORE_COLUMNS``)."""
    return repo.results(conn, runs, NOW_COLUMNS, scope=scope), repo.results(conn, earlier, BEFORE_COLUMNS, scope=scope)


def _named(conn: Connection, runs: repo.RunRange, now: pd.DataFrame, parts: dict[Key, Change]) -> None:
    """Fill in the names of the enterprises in the parts' lists (read for those alone)."""
    wanted = {e[0] for p in parts.values() for entries in p.lists.values() for e in entries}
    ids = now.loc[now["uscc"].isin(wanted), "enterprise_id"].astype(int).tolist()
    names: dict[str, str] = {}
    for chunk in repo.chunks(ids):
        found = repo.results(conn, runs, ("uscc", "name"), enterprise_ids=list(chunk))
        names.update(zip(found["uscc"].tolist(), found["name"].tolist(), strict=True))
    for part in parts.values():
        part.lists = {k: [(e[0], names.get(e[0], ""), *e[2:]) for e in v] for k, v in part.lists.items()}


def _compare(
    conn: Connection, runs: repo.RunRange, earlier: repo.RunRange, scope: Scope, grades: Sequence[str]
) -> dict[Key, Change]:
    now, before = _read_both(conn, runs, earlier, scope)
    parts = {EVERY: Change(), **_by_city(compared(now, before, grades))}
    _named(conn, runs, now, parts)
    return parts


def _ranges(conn: Connection, run_id: int, previous_id: int) -> tuple[repo.RunRange, repo.RunRange]:
    return repo.current_runs(conn, repo.run_row(conn, run_id)), repo.current_runs(conn, repo.run_row(conn, previous_id))


def _settled(engine: Engine, run_id: int, previous_id: int) -> tuple[repo.RunRange, repo.RunRange]:
    """``_ranges`` once every run of each range is committed (``repo.settled_runs``)."""
    with engine.connect() as conn:
        run, previous = repo.run_row(conn, run_id), repo.run_row(conn, previous_id)
    return repo.settled_runs(engine, run), repo.settled_runs(engine, previous)


def changes(engine: Engine, who: Principal, run_id: int, previous_id: int, grades: Sequence[str]) -> Changes:
    """How run ``run_id``'s current results inside ``who``'s scope changed against run ``previous_id``'s (as
    ``analytics.compare_runs`` of the two, counted and listed): for the province or a city from the stored
    comparison, brought forward over the rescorings since it was kept (made for the province when missing);
    for a district or an enterprise from the scope's own results."""
    require_schema(engine)
    if not summable(who.scope):
        with engine.connect() as conn:
            parts = _compare(conn, *_ranges(conn, run_id, previous_id), who.scope, grades)
        return Changes.of(parts.values(), grades)
    with engine.connect() as conn:
        bodies = _stored_changes(conn, run_id, previous_id)
    if bodies is None:
        bodies = _brought_forward(engine, run_id, previous_id, grades)
    prefix = who.scope.prefix
    chosen = [
        Change.from_json(body)
        for key, body in bodies.items()
        if key == EVERY or not prefix or (key[0].startswith(prefix) and key[1].startswith(prefix))
    ]
    return Changes.of(chosen, grades)


def _stored_changes(conn: Connection, run_id: int, previous_id: int) -> dict[Key, str] | None:
    """The stored comparison of two runs, if it is up to date with both."""
    rows = store.change_rows(conn, run_id, previous_id)
    if not rows:
        return None
    runs, earlier = _ranges(conn, run_id, previous_id)
    if {(r.through, r.previous_through) for r in rows} != {(runs.last, earlier.last)}:
        return None
    return {(r.city_code, r.previous_city): r.body for r in rows}


def _brought_forward(engine: Engine, run_id: int, previous_id: int, grades: Sequence[str]) -> dict[Key, str]:
    """Bring the stored comparison of two runs forward over the rescorings of either since it was kept: each
    rescored enterprise's pair is taken out as it was then and put back as it is now. Made whole again when there
    is none, too many were rescored, or a list has become too short to show its top."""
    runs, earlier = _settled(engine, run_id, previous_id)
    with repo.writing(engine) as conn:
        through = store.locked_change_throughs(conn, run_id, previous_id)  # (one reader at a time)
        kept = next(iter(through)) if len(through) == 1 else None
        if kept is not None and kept[0] <= runs.last and kept[1] <= earlier.last:
            changed = sorted({
                *repo.rescored_enterprises(conn, runs.period, kept[0], runs.last),
                *repo.rescored_enterprises(conn, earlier.period, kept[1], earlier.last),
            })  # fmt: skip
            if len(changed) <= CATCH_UP and _moved(conn, run_id, previous_id, runs, earlier, kept, changed):
                return {(r.city_code, r.previous_city): r.body for r in store.change_rows(conn, run_id, previous_id)}
    return store_changes(engine, run_id, previous_id, grades, (runs, earlier))


def _moved(
    conn: Connection,
    run_id: int,
    previous_id: int,
    runs: repo.RunRange,
    earlier: repo.RunRange,
    kept: tuple[int, int],
    changed: list[int],
) -> bool:
    """Replace, in the stored comparison kept through runs ``kept``, the pairs of the ``changed`` enterprises as
    they were then by their pairs now (``runs``, ``earlier``); False when a list became too short (nothing
    written)."""
    if not changed:
        store.rewrite_change_parts(conn, run_id, previous_id, (runs.last, earlier.last), {})
        return True
    then = repo.RunRange(runs.period, runs.first, kept[0]), repo.RunRange(earlier.period, earlier.first, kept[1])
    old, new = _pairs(conn, *then, changed), _pairs(conn, runs, earlier, changed)
    old_parts, new_parts = _pairs_by_city(old), _pairs_by_city(new)
    keys = sorted({*old_parts, *new_parts} - {EVERY})
    stored = {key: Change.from_json(body) for key, body in store.change_bodies(conn, run_id, previous_id, keys).items()}
    gone = {e[0] for e, _, _ in (*old, *new)}
    for key in keys:
        part = stored.setdefault(key, Change())
        if not replace_change(part, old_parts.get(key, Change()), new_parts.get(key, Change()), gone):
            return False
    bodies = {key: part.to_json() if part.both else None for key, part in stored.items()}
    store.rewrite_change_parts(conn, run_id, previous_id, (runs.last, earlier.last), bodies)
    return True


def store_changes(
    engine: Engine,
    run_id: int,
    previous_id: int,
    grades: Sequence[str],
    ranges: tuple[repo.RunRange, repo.RunRange] | None = None,
) -> dict[Key, str]:
    """Compare two runs' current results in the whole province, store the comparison per city (now and then)
    and return it (made when a period run is scored, and again when one kept cannot be brought forward);
    ``ranges``: the two runs' settled ranges, when read."""
    runs, earlier = ranges if ranges is not None else _settled(engine, run_id, previous_id)
    with engine.connect() as conn:
        parts = _compare(conn, runs, earlier, Scope(), grades)
    bodies = {key: part.to_json() for key, part in parts.items()}
    try:
        with repo.writing(engine) as conn:
            store.locked_change_throughs(conn, run_id, previous_id)  # (after any reader bringing it forward now)
            write_changes(conn, run_id, previous_id, runs.last, earlier.last, parts)  # later runs: brought forward
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
        "city_code": city_codes(subs["region_code"]), "industry": subs["industry"].to_numpy(),
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
    every = {EVERY: Change(), **parts}
    bodies = {key: part.to_json() for key, part in every.items()}
    store.replace_changes(conn, run_id, previous_id, through, previous_through, bodies)


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
