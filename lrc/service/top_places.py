"""The first places of a ranking, read through the database driver alone: ``lrc rank --top N``.

A one-shot command pays for its imports before any work: SQLAlchemy and pandas took 0.4 s of the 1.1 s
``lrc rank --top 10`` needed at a million enterprises, its queries 0.05 s. This module imports neither (nor
the catalogue's models): the same rows, ranks, province ranks and match count as ``results.ranking_page``
at offset 0, by the same indexed SQL (``ix_score_results_ranking``) and the same filter text
(``lrc.store.ranking_sql``), with the same scope rules. ``tests/test_read_path.py`` compares the two on
every filter, scope and later result.

It answers only what it can answer plainly (``driver_reads``: who acts, which run, its catalogue copy
checked against its hash). Anything else gives None and the caller asks ``ranking_page``, which says exactly
what is wrong or does what this does not: a store the driver cannot open (``driver.open_store``), a user who
must be refused (the refusal is written to the audit log), a period not scored, a run not found, a catalogue
copy missing or altered, too many later results. An unknown filter value is refused here, in
``ranking_page``'s own words (``check_filters``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrc.reference import CITIES, INDUSTRIES
from lrc.service.access import Principal
from lrc.service.driver_reads import info_of, reading
from lrc.service.filters import Filters, check_filters
from lrc.service.run_info import RunInfo
from lrc.store.driver import DriverStore
from lrc.store.ranking_sql import (
    COUNTS_KEPT,
    EQUAL_FILTERS,
    LATER_MAX,
    PK_INDEX,
    Conditions,
    filter_sql,
    first_totals_sql,
    match_count_sql,
    scope_sql,
    where,
)
from lrc.store.sql_text import chunks, in_list

FIELDS = (
    "enterprise_id", "uscc", "name", "region_code", "city_code", "industry", "size", "ownership", "total", "grade",
    "red_line", "completeness",
)  # fmt: skip


@dataclass(frozen=True)
class TopPlaces:
    """The first places of a ranking: ``rows`` as ``lrc.render.RANK_COLUMNS`` (total in points), best first;
    ``matched``: how many enterprises match (when asked)."""

    info: RunInfo
    rows: list[dict[str, Any]]
    matched: int | None


def top_places(
    db: str | None,
    name: str | None,
    period: str,
    filters: Filters,
    *,
    limit: int,
    run_id: int | None = None,
    count: bool = True,
) -> TopPlaces | None:
    """Places 1 to ``limit`` of ``period``'s current ranking (or run ``run_id``'s) inside the scope of the user
    ``name`` (``--as``), as ``ranking_page`` gives them; None: ask ``ranking_page`` (see the module's text)."""
    with reading(db, name, period, run_id) as read:
        if read is None:
            return None
        chosen = check_filters(filters, [str(g["grade"]) for g in read.catalogue[1]["grades"]])
        return _top(read.store, read.who, read.run, chosen, limit, count)


LATER_RUNS = (
    "run_id > :first AND run_id <= :last"
    " AND run_id IN (SELECT id FROM score_runs WHERE period = :period AND id > :first AND id <= :last)"
)  # the one-enterprise runs of a range, as ``repository.ranking_rows`` names them


def _top(
    store: DriverStore, who: Principal, run: dict[str, Any], filters: Filters, limit: int, count: bool
) -> TopPlaces | None:
    """``repository.ranking_rows`` and ``results._page`` at offset 0: the period run's best rows inside the
    scope and filters, less those an enterprise's later result replaces, merged with the later results."""
    first, last = int(run["id"]), int(run["last"])
    span = {"first": first, "last": last, "period": run["period"]}
    wanted = (filters.region, {c: getattr(filters, c) for c in EQUAL_FILTERS}, filters.search)
    scoped = scope_sql(who.scope)
    matching = where(scoped, filter_sql(store.dialect, *wanted))
    newest = _newest_later(store, span) if last > first else {}
    if newest is None:
        return None
    later = _later(store, span, scoped, matching, newest)
    replaced = set(newest)  # every enterprise with a later result: its period-run row is not current
    passing = [r for r in later if r["passes"]]
    replaced_totals = _first_totals(store, first, sorted(newest), ([], {}))  # every enterprise with a later result
    replaced_matching = _first_totals(store, first, sorted(replaced), matching)  # those inside the scope and filters
    text, params = _where(matching, "run_id = :first")
    params = {**params, "first": first}
    order = 'uscc COLLATE "C"' if store.dialect == "postgresql" else "uscc"  # the index's order
    window = store.dicts(
        f"SELECT {', '.join(FIELDS)} FROM score_results WHERE {text} ORDER BY total DESC, {order} LIMIT :size",
        {**params, "size": limit + len(replaced_matching)},
    )
    merged = [r for r in window if int(r["enterprise_id"]) not in replaced] + passing
    page = sorted(merged, key=lambda r: (-int(r["total"]), str(r["uscc"])))[:limit]
    matched = None
    if count:  # the period run's matches (from its counts where kept: ``match_count_sql``), corrected as above
        kept = store.one(COUNTS_KEPT, {"first": first}) is not None
        sql, named = match_count_sql(store.dialect, who.scope, wanted, counts=kept)
        counted = store.one(sql, {**named, "first": first})
        matched = int(counted[0] if counted else 0) - len(replaced_matching) + len(passing)
    province = _province_counts(store, first, min(int(r["total"]) for r in page)) if page else {}
    later_totals = [total for _, total in newest.values()]
    rows = []
    for row in page:
        total = int(row["total"])
        higher = sum(n for t, n in province.items() if t > total)
        higher += sum(t > total for t in later_totals) - sum(t > total for t in replaced_totals)
        rows.append(_shown(row, 1 + sum(int(r["total"]) > total for r in page), 1 + higher))
    return TopPlaces(info_of(run), rows, matched)


def _newest_later(store: DriverStore, span: dict[str, Any]) -> dict[int, tuple[int, int]] | None:
    """Enterprise → (run, total) of its newest later result in the province; None when there are more than
    ``LATER_MAX`` later results (``ranking_page`` then reads the whole run)."""
    found = store.rows(
        f"SELECT enterprise_id, run_id, total FROM score_results WHERE {LATER_RUNS} LIMIT :most",
        {**span, "most": LATER_MAX + 1},
    )
    if len(found) > LATER_MAX:
        return None
    newest: dict[int, tuple[int, int]] = {}
    for enterprise, later_run, total in found:
        if enterprise not in newest or later_run > newest[enterprise][0]:
            newest[int(enterprise)] = (int(later_run), int(total))
    return newest


def _first_totals(store: DriverStore, first: int, ids: list[int], conditions: Conditions) -> list[int]:
    """The period run's totals of the enterprises ``ids`` whose rows meet ``conditions``."""
    totals: list[int] = []
    pk_index = (store.one(PK_INDEX) or (None,))[0] if store.dialect == "sqlite" and ids else None
    for part in chunks(ids):
        listed, named = in_list("e", part)
        query, params = first_totals_sql(store.dialect, pk_index, listed, conditions)
        totals += [int(t) for t, _ in store.rows(query, {**params, **named, "first": first})]
    return totals


def _later(
    store: DriverStore,
    span: dict[str, Any],
    scoped: Conditions,
    matching: Conditions,
    newest: dict[int, tuple[int, int]],
) -> list[dict[str, Any]]:
    """The current results of the enterprises with a later one (``newest``: each one's newest run in the
    province) that lie inside the scope, as ``repository.results`` reads them, with ``passes``: whether the row
    passes the filters. An enterprise whose newest result lies outside the scope has none here."""
    current: list[dict[str, Any]] = []
    passing: set[tuple[int, int]] = set()
    for part in chunks(sorted(newest)):
        listed, named = in_list("e", part)
        text, params = _where(scoped, f"enterprise_id IN {listed}", LATER_RUNS)
        query = f"SELECT {', '.join(FIELDS)}, run_id FROM score_results WHERE {text}"
        rows = store.dicts(query, {**params, **named, **span})
        current += [r for r in rows if int(r["run_id"]) == newest[int(r["enterprise_id"])][0]]
        text, params = _where(matching, f"enterprise_id IN {listed}", LATER_RUNS)
        query = f"SELECT enterprise_id, run_id FROM score_results WHERE {text}"
        passing.update((int(e), int(r)) for e, r in store.rows(query, {**params, **named, **span}))
    for row in current:
        row["passes"] = (int(row["enterprise_id"]), int(row["run_id"])) in passing
    return current


def _shown(row: dict[str, Any], rank: int, province_rank: int) -> dict[str, Any]:
    """A result as a ranking shows it (``lrc.render.RANK_COLUMNS``, as ``results._shown`` makes them)."""
    return {
        "rank": rank, "uscc": row["uscc"], "name": row["name"],
        "city": CITIES.get(row["city_code"], row["city_code"]), "city_code": row["city_code"],
        "region_code": row["region_code"], "industry": row["industry"],
        "industry_name": INDUSTRIES.get(row["industry"]), "size": row["size"], "ownership": row["ownership"],
        "total": int(row["total"]) / 10, "grade": row["grade"],
        "red_line": bool(row["red_line"]), "completeness": float(row["completeness"]), "province_rank": province_rank,
    }  # fmt: skip


def _where(conditions: Conditions, *more: str) -> tuple[str, dict[str, Any]]:
    fragments, params = conditions
    return " AND ".join([*more, *fragments]), params


def _province_counts(store: DriverStore, first: int, lowest: int) -> dict[int, int]:
    """How many of the period run's results have each total from ``lowest`` up (``repository.totals_from``)."""
    found = store.rows(
        "SELECT total, count(*) FROM score_results WHERE run_id = :first AND total >= :lowest GROUP BY total",
        {"first": first, "lowest": lowest},
    )
    return {int(t): int(n) for t, n in found}
