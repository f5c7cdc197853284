"""Reading published results: rankings and per-enterprise explanations."""

from __future__ import annotations

import threading
from bisect import bisect_left
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from lrc.errors import ConflictError, NotFoundError, shorten
from lrc.labels import add_place_names
from lrc.normalise import ascii_form
from lrc.periods import check_period
from lrc.reference import city_of
from lrc.scope import Scope
from lrc.service import audit
from lrc.service.access import Action, Principal
from lrc.service.explanation import Explanation, assemble, superseded_note
from lrc.service.filters import Filters, check_filters
from lrc.service.recent import Recent
from lrc.service.run_info import RunInfo, runs_zh
from lrc.service.runs import catalogue_for_run, chosen_run, get_run
from lrc.store import facts_codec, require_schema
from lrc.store import repository as repo
from lrc.store.columns import EXPLAINED_COLUMNS
from lrc.store.ranking_sql import EQUAL_FILTERS
from scoring import explain_row


def run_info(run: Any, runs: repo.RunRange | None = None) -> RunInfo:
    """What a ranking says of its run; with ``runs`` (its current results), the newest later run among them."""
    through = runs.last if runs is not None and runs.last > run.id else None
    return RunInfo(run.id, run.period, run.catalogue_version, run.input_hash, run.finished_at, through)


def load_results(
    engine: Engine, who: Principal, period: str, run_id: int | None = None, *, region: str | None = None
) -> tuple[RunInfo, pd.DataFrame]:
    """Every enterprise of a run (the newest of ``period`` by default) inside ``who``'s scope, best
    first, with its rank in the whole province (computed from every total, shown only for these). A province
    user's ``region`` (a city or district code: a ranking's filter) reads only that region's results, as a
    scope would.

    The province's current results are read once per run and kept; a later call reads only the results
    of the one-enterprise runs (records, submissions) it has not read yet, so a ranking after a
    submission costs a few rows, not the whole province again."""
    require_schema(engine)
    with engine.connect() as conn:
        run = get_run(conn, check_period(period) if period else None, run_id)
        runs = repo.current_runs(conn, run)
        region = ascii_form(region or "") or None
        scope = Scope(region) if who.scope.everything and region and city_of(region) else who.scope
        if scope.everything:
            frame = current_results(conn, run, runs).shown()
        else:  # only what is inside the scope is read; the province's totals rank it
            rows = repo.results(conn, runs, scope=scope)
            frame = _shown(rows, province_totals(conn, run, runs))
    return run_info(run, runs), frame.copy(deep=False)


_TOTALS = Recent()


def province_totals(conn: Connection, run: Any, runs: repo.RunRange) -> np.ndarray:
    """Every current total of the province, which ranks a scope's results: the kept results' when this process
    keeps them, else read alone and kept per run range (a city user's whole ranking at a million enterprises
    read the province's every row and column into a frame, 15 s of 27, for its totals)."""
    held = kept_results(conn, run, runs)
    if held is not None:
        return held.state.totals
    key = (*_key(conn, run), runs.last)
    totals = _TOTALS.get(key)
    if totals is None:
        totals = repo.current_totals(conn, runs)
        _TOTALS.put(key, totals)
    return totals


def kept_results(conn: Connection, run: Any, runs: repo.RunRange | None = None) -> _Current | None:
    """``current_results`` when this process keeps them already, else None (nothing is read)."""
    return current_results(conn, run, runs) if _LOADED.get(_key(conn, run)) is not None else None


def _key(conn: Connection, run: Any) -> tuple[str, int, str, str]:
    return (str(conn.engine.url), run.id, run.input_hash, str(run.finished_at))


def current_results(conn: Connection, run: Any, runs: repo.RunRange | None = None) -> _Current:
    """The current results of a period run's enterprises, kept per run and brought up to date with the
    one-enterprise runs not read yet (``runs``: the run's ``repo.current_runs``, when the caller read them
    already). Call it before writing a result in the same transaction: what a transaction has not committed
    must not be kept."""
    key = _key(conn, run)
    kept = _LOADED.get(key)
    current = runs or repo.current_runs(conn, run)
    if kept is None:
        later = set(repo.later_runs(conn, current)) if current.last > current.first else set()  # before results
        kept = _Current(repo.results(conn, current, CURRENT_COLUMNS), later)
        _LOADED.put(key, kept)
        return kept
    with kept.lock:
        unread = set(repo.later_runs(conn, current, kept.read)) if current.last > current.first else set()
        if unread:
            kept.patch(repo.results(conn, sorted(unread), CURRENT_COLUMNS), unread)
    return kept


CURRENT_COLUMNS = (*repo.RESULT_COLUMNS, "enterprise_id", "run_id")


class _Kept:
    """One consistent state of a period run's current results: the rows as first read (``base``, whose
    positions never change), the newer rows replacing some of them (``later``, at positions ``later_at``),
    each position's current total, and every position ordered best first (total down, USCC up) as sorted
    keys ``-total * width + code``, ``code`` being the position's USCC order among ``base``'s. A patch makes
    a new state from a few rows (no sort of the whole run); readers take one state and keep it."""

    def __init__(self, base: pd.DataFrame) -> None:
        self.base = base.reset_index(drop=True)
        self.later = self.base.iloc[:0]
        self.later_at = np.zeros(0, dtype=np.int64)
        self.ids = self.base["enterprise_id"].to_numpy(dtype=np.int64)
        self.totals = self.base["total"].to_numpy(dtype=np.int64)
        self.run_ids = self.base["run_id"].to_numpy(dtype=np.int64)
        self.usccs = self.base["uscc"].to_numpy(dtype=object)
        by_code = np.argsort(self.usccs, kind="stable")  # code k: the position of the k-th USCC in order
        self.by_code = by_code.astype(np.int64)
        self.codes = np.empty(len(by_code), dtype=np.int64)
        self.codes[by_code] = np.arange(len(by_code), dtype=np.int64)
        self.width = max(len(by_code), 1)
        self.keys = np.sort(-self.totals * self.width + self.codes)
        self.id_order = np.argsort(self.ids, kind="stable")
        self.sorted_ids = self.ids[self.id_order]  # once, not per patch (100,000 ids gathered: ~0.5 ms)
        self._raw: pd.DataFrame | None = None if len(self.base) else self.base

    def positions(self, enterprise_ids: np.ndarray) -> np.ndarray:
        """Each enterprise's position in ``base`` (-1: not there)."""
        sorted_ids = self.sorted_ids
        at = np.searchsorted(sorted_ids, enterprise_ids).clip(0, max(len(sorted_ids) - 1, 0))
        if not len(sorted_ids):
            return np.full(len(enterprise_ids), -1, dtype=np.int64)
        found = sorted_ids[at] == enterprise_ids
        return np.where(found, self.id_order[at], -1).astype(np.int64)

    def patched(self, newest: pd.DataFrame) -> _Kept | None:
        """A new state with ``newest`` (one row per enterprise) replacing older rows; None when a row is of an
        enterprise not in ``base`` or under another USCC (the caller rebuilds the whole state)."""
        at = self.positions(newest["enterprise_id"].to_numpy(dtype=np.int64))
        if (at < 0).any() or (self.usccs[at.clip(0)] != newest["uscc"].to_numpy(dtype=object)).any():
            return None
        newer = newest["run_id"].to_numpy(dtype=np.int64) > self.run_ids[at]
        if not newer.any():
            return self
        rows, at = newest[newer], at[newer]
        state = object.__new__(_Kept)
        state.__dict__.update(self.__dict__)
        kept = ~np.isin(self.later_at, at)
        state.later = pd.concat([self.later[kept], rows], ignore_index=True)
        state.later_at = np.concatenate([self.later_at[kept], at])
        state.totals, state.run_ids = self.totals.copy(), self.run_ids.copy()
        state.totals[at] = rows["total"].to_numpy(dtype=np.int64)
        state.run_ids[at] = rows["run_id"].to_numpy(dtype=np.int64)
        gone = np.searchsorted(self.keys, -self.totals[at] * self.width + self.codes[at])
        keys = np.delete(self.keys, gone)
        added = np.sort(-state.totals[at] * self.width + self.codes[at])
        state.keys = np.insert(keys, np.searchsorted(keys, added), added)
        state._raw = None
        return state

    @property
    def raw(self) -> pd.DataFrame:
        """One row per enterprise, its current result (CURRENT_COLUMNS)."""
        if self._raw is None:
            keep = np.ones(len(self.base), dtype=bool)
            keep[self.later_at] = False
            self._raw = pd.concat([self.base[keep], self.later], ignore_index=True)
        return self._raw

    def ordered(self) -> np.ndarray:
        """Every position, best first."""
        return self.by_code[self.keys % self.width]

    def higher(self, totals: np.ndarray, keys: np.ndarray | None = None) -> np.ndarray:
        """For each of ``totals``, how many of ``keys`` (default: every current result) have a higher total."""
        return np.searchsorted(self.keys if keys is None else keys, -totals.astype(np.int64) * self.width)

    def rows(self, positions: np.ndarray) -> pd.DataFrame:
        """The current rows at ``positions``, in that order."""
        replaced = np.isin(positions, self.later_at)
        if not replaced.any():
            return self.base.take(positions).reset_index(drop=True)
        where = {int(p): k for k, p in enumerate(self.later_at)}
        newer = self.later.take([where[int(p)] for p in positions[replaced]])
        older = self.base.take(positions[~replaced])
        both = pd.concat([part for part in (older, newer) if len(part)], ignore_index=True)
        at = np.empty(len(positions), dtype=np.int64)  # each position's row in ``both``
        at[~replaced] = np.arange(len(older))
        at[replaced] = len(older) + np.arange(len(newer))
        return both.take(at).reset_index(drop=True)  # one concat, not one per row (a page of 50: ~10 ms)


def _rebuilt(raw: pd.DataFrame, rows: pd.DataFrame) -> _Kept:
    merged = pd.concat([raw, rows], ignore_index=True)
    newest = merged.sort_values("run_id", kind="stable").drop_duplicates("enterprise_id", keep="last")
    return _Kept(newest.reset_index(drop=True))


class _Current:
    """The current results of one period run's enterprises, as this process last read them: ``state``
    (replaced whole by a patch, so a reader holding one sees it unchanged), the one-enterprise runs already
    applied (``read``), and the rows as shown, made when first asked for after a change (``view``)."""

    def __init__(self, raw: pd.DataFrame, read: set[int]) -> None:
        self.state, self.read, self.lock = _Kept(raw), read, threading.Lock()
        self.view: pd.DataFrame | None = None

    @property
    def raw(self) -> pd.DataFrame:
        """CURRENT_COLUMNS, one row per enterprise (in no particular order)."""
        return self.state.raw

    def patch(self, rows: pd.DataFrame, runs: set[int]) -> None:
        """Apply newer results (each enterprise's newest of ``rows``); a run read twice changes nothing."""
        if len(rows):
            newest = rows.sort_values("run_id", kind="stable").drop_duplicates("enterprise_id", keep="last")
            state = self.state.patched(newest)
            self.state = state if state is not None else _rebuilt(self.state.raw, rows)
        self.read |= runs
        self.view = None

    def shown(self) -> pd.DataFrame:
        with self.lock:
            if self.view is None:
                self.view = _shown(self.raw.drop(columns=["enterprise_id", "run_id"]))
            return self.view


_LOADED = Recent()


def _shown(frame: pd.DataFrame, totals: np.ndarray | None = None, ranks: np.ndarray | None = None) -> pd.DataFrame:
    """Stored results as shown: points, names, best first, with the province rank among ``totals`` (the
    province's, when ``frame`` is not the whole province), or the given ``ranks``."""
    frame["province_rank"] = province_ranks(frame["total"].to_numpy(), totals) if ranks is None else ranks
    frame["total"] = frame["total"] / 10
    frame["red_line"] = frame["red_line"].astype(bool)
    add_place_names(frame)
    frame = frame.sort_values(["total", "uscc"], ascending=[False, True], ignore_index=True)
    return frame[["province_rank", *[c for c in frame.columns if c != "province_rank"]]]


def province_ranks(totals: np.ndarray, everyone: np.ndarray | None = None) -> np.ndarray:
    """Each total's rank among ``everyone`` (ties share the best rank: 1 + how many are higher).

    >>> province_ranks(np.array([50, 70]), np.array([90, 70, 70, 50])).tolist()
    [4, 2]
    """
    pool = np.sort(totals if everyone is None else everyone)
    higher = len(pool) - np.searchsorted(pool, totals, side="right")
    return (higher + 1).astype(int)


def apply_filters(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    return frame[filter_mask(frame, filters)]


def filter_mask(frame: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Which rows of ``frame`` (stored results) ``filters`` keep."""
    mask = np.ones(len(frame), dtype=bool)
    if filters.region:
        mask &= (frame["city_code"] == filters.region).to_numpy() | (frame["region_code"] == filters.region).to_numpy()
    for column in ("industry", "size", "ownership", "grade"):
        wanted = getattr(filters, column)
        if wanted:
            mask &= (frame[column] == wanted).to_numpy()
    if filters.search:
        needle = filters.search.strip()
        mask &= (
            frame["name"].str.contains(needle, regex=False).to_numpy()
            | frame["uscc"].str.startswith(needle.upper()).to_numpy()
        )
    return mask


def ranking(
    engine: Engine,
    who: Principal,
    period: str,
    filters: Filters = Filters(),
    *,
    top: int | None = None,
    run_id: int | None = None,
) -> tuple[RunInfo, pd.DataFrame]:
    """The ranking as shown: filtered, ranked 1..n within the filter (ties share a rank)."""
    info, frame = load_results(engine, who, period, run_id, region=filters.region)
    with engine.connect() as conn:
        catalogue = catalogue_for_run(conn, get_run(conn, None, info.run_id))
    shown = ranked(frame, check_filters(filters, [g.grade for g in catalogue.grades]))
    return info, shown if top is None else shown.head(top)


def ranking_page(
    engine: Engine,
    who: Principal,
    period: str | None,
    filters: Filters = Filters(),
    *,
    limit: int,
    offset: int = 0,
    run_id: int | None = None,
    count: bool = True,
) -> tuple[RunInfo, pd.DataFrame, int | None]:
    """Places ``offset + 1`` to ``offset + limit`` of ``ranking`` (the same rows, ranks and columns) and, with
    ``count``, how many enterprises match, read by indexed SQL instead of the whole run (``period`` None: the
    newest scored period).

    The current results are the period run's, but for the few enterprises with a later one-enterprise result.
    The period run's best rows inside the scope and filters come from ``ix_score_results_ranking`` (as many
    more as there are later results, since those replace some); the later results are merged in, and ranks
    are counted: within the filter, every higher total is among the rows read; in the province, the period
    run's higher totals are counted from the index and corrected for the later results.

    When this process keeps the period's current results already (``current_results``: a submission, a
    whole ranking), a province-wide page comes from them instead, brought up to date with the later runs
    not read yet: the later results no longer widen what is read (each made a page cost about a row more)."""
    require_schema(engine)
    with engine.connect() as conn:
        run, newest = chosen_run(conn, period, run_id)
        chosen = check_filters(filters, [g.grade for g in catalogue_for_run(conn, run).grades])
        runs = newest or repo.current_runs(conn, run)
        kept = kept_results(conn, run, runs) if who.scope.everything else None
        if kept is not None:  # this process keeps the current results: the page from them, nothing more read
            frame, found = _kept_page(kept.state, chosen, offset, limit)
            return run_info(run, runs), frame, found if count else None
        values = {c: getattr(chosen, c) for c in EQUAL_FILTERS}
        wanted = (chosen.region, values, chosen.search)
        conditions = repo.ranking_conditions(conn, *wanted)
        rows = repo.ranking_rows(
            conn, runs, who.scope, wanted, lambda f: apply_filters(f, chosen), offset, limit, count
        )
        if rows is not None:
            page = _page(rows, offset, limit)
            totals = page["total"].to_numpy(dtype=np.int64)
            lowest = int(totals.min()) if len(totals) else 0
            province = repo.totals_from(conn, runs.first, lowest) if len(totals) else None
            within = None
            if offset and len(totals):  # ranks within the filter: every higher total is counted
                within = repo.totals_from(conn, runs.first, lowest, who.scope, conditions)
    if rows is None:  # too many later results: the whole run, as ranking() reads it
        info, frame = ranking(engine, who, run.period, filters, run_id=run_id)
        return info, frame.iloc[offset : offset + limit].reset_index(drop=True), len(frame)
    province_ranks = np.zeros(len(totals), dtype=int)
    if province is not None:
        province_ranks = _higher(totals, province, rows.replaced_totals, rows.later_totals) + 1
    shown = _shown(page.drop(columns=["enterprise_id"]), ranks=province_ranks)
    if within is not None:
        replaced = rows.replaced_matching["total"].astype("int64").tolist()
        later = rows.later["total"].astype("int64").tolist()
        shown.insert(0, "rank", _higher(totals, within, replaced, later) + 1)
    else:
        shown = ranked(shown, Filters())
    matched = None
    if rows.matched_first is not None:
        matched = rows.matched_first - len(rows.replaced_matching) + len(rows.later)
    return run_info(run, runs), shown.reset_index(drop=True), matched


def _kept_page(state: _Kept, filters: Filters, offset: int, limit: int) -> tuple[pd.DataFrame, int]:
    """Places ``offset + 1`` to ``offset + limit`` of the province-wide ``ranking`` from kept current results,
    and how many match: the rows the filters keep in the kept order, ranked among themselves and in the
    province. (A scoped ranking counts each enterprise's newest result inside the scope, as ``results``
    reads it: not what is kept.)"""
    keys = state.keys
    if not any(getattr(filters, f) for f in ("region", "industry", "size", "ownership", "grade", "search")):
        page_at, found = state.by_code[keys[offset : offset + limit] % state.width], len(keys)  # the page alone
    else:
        order = state.ordered()
        mask = filter_mask(state.base, filters)
        if len(state.later_at):
            mask[state.later_at] = filter_mask(state.later, filters)
        inside = mask[order]
        order, keys = order[inside], keys[inside]
        page_at, found = order[offset : offset + limit], len(order)
    page = state.rows(page_at)
    totals = page["total"].to_numpy(dtype=np.int64)
    shown = _shown(page[list(repo.RESULT_COLUMNS)], ranks=state.higher(totals) + 1)
    shown.insert(0, "rank", state.higher(totals, keys) + 1)
    return shown.reset_index(drop=True), found


def _page(rows: repo.RankingRows, offset: int, limit: int) -> pd.DataFrame:
    """The current results at places ``offset`` to ``offset + limit`` (best first) from a window of the period
    run's rows and the later results: each row's place is counted among the period run's rows before it,
    less the replaced ones, plus the later ones."""
    window, later = rows.window, rows.later
    if rows.replaced:
        window = window[~window["enterprise_id"].isin(rows.replaced)]
    keys = [(-int(t), str(u)) for t, u in zip(rows.window["total"], rows.window["uscc"], strict=True)]
    gone = sorted(
        (-int(t), str(u)) for t, u in zip(rows.replaced_matching["total"], rows.replaced_matching["uscc"], strict=True)
    )
    new = sorted((-int(t), str(u)) for t, u in zip(later["total"], later["uscc"], strict=True))
    places: list[tuple[int, int, int]] = []  # (place, 0 window / 1 later, row)
    for index, key in enumerate(keys):
        places.append((rows.start + index - bisect_left(gone, key) + bisect_left(new, key), 0, index))
    for index, (total, uscc) in enumerate(zip(later["total"], later["uscc"], strict=True)):
        key = (-int(total), str(uscc))
        if (rows.start and keys and key < keys[0]) or (rows.full and keys and key > keys[-1]):
            continue  # outside the window: not on the page
        before = rows.start + bisect_left(keys, key)
        places.append((before - bisect_left(gone, key) + bisect_left(new, key), 1, index))
    kept = set(window.index)
    chosen = [
        (place, source, index)
        for place, source, index in sorted(places)
        if offset <= place < offset + limit and (source == 1 or rows.window.index[index] in kept)
    ]
    parts = [
        rows.window.iloc[[i for _, s, i in chosen if s == 0]],
        later.iloc[[i for _, s, i in chosen if s == 1]],
    ]
    frame = (
        pd.concat([p for p in parts if len(p)], ignore_index=True)
        if any(len(p) for p in parts)
        else rows.window.iloc[:0]
    )
    frame = frame.sort_values(["total", "uscc"], ascending=[False, True], kind="stable")
    return frame.infer_objects().reset_index(drop=True)


def _higher(totals: np.ndarray, counted: pd.DataFrame, removed: list[int], added: list[int]) -> np.ndarray:
    """For each of ``totals``, how many are higher: ``counted`` (columns total, n: from the store) less the
    ``removed`` totals plus the ``added`` ones."""
    values = np.concatenate([counted["total"].to_numpy(dtype=np.int64), np.asarray(removed + added, dtype=np.int64)])
    weights = np.concatenate([
        counted["n"].to_numpy(dtype=np.int64), np.full(len(removed), -1, dtype=np.int64),
        np.ones(len(added), dtype=np.int64),
    ])  # fmt: skip
    return np.array([int(weights[values > t].sum()) for t in totals], dtype=int)


def ranked(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """A loaded ``load_results`` frame filtered and ranked 1..n within the filter
    (ties share a rank), best first."""
    shown = apply_filters(frame, filters).copy()
    shown.insert(0, "rank", shown["total"].rank(method="min", ascending=False).astype(int))
    return shown.reset_index(drop=True)


def explain(
    engine: Engine,
    who: Principal,
    uscc: str,
    period: str | None,
    *,
    run_id: int | None = None,
    current: bool = False,
) -> Explanation:
    """Every point of one enterprise's current result (or its result in ``run_id``; with ``current``, its
    newest result since that run), recomputed from its stored facts and records with the run's own
    catalogue and checked against the stored result. ``period`` None: the newest scored period."""
    require_schema(engine)
    code = ascii_form(uscc).upper()
    columns = EXPLAINED_COLUMNS
    with engine.connect() as conn:
        run, newest = chosen_run(conn, period, run_id)
        runs = newest or (repo.current_runs(conn, run) if current else run.id)
        catalogue = catalogue_for_run(conn, run)
        record = repo.result_of(conn, runs, columns, code, who.scope)
        hidden = record is None and not who.scope.everything and repo.result_of(conn, runs, ("uscc",), code) is not None
        if record is None:
            message = (
                f"期间 {run.period} 的{_results_zh(run, runs)}中没有企业 {shorten(code)},或你无权查看"
                " (enterprise not found or not permitted)"
            )
            if hidden:  # the same answer (and exit code) as not found; the audit log says what happened
                audit.record(engine, who, Action.read, f"enterprise:{code}", "denied", "outside scope")
            raise NotFoundError(message)
        submission = repo.submission_line(conn, int(record["submission_id"]))
        if submission is None:
            raise ConflictError(f"企业 {code} 的结果所依据的报送数据缺失 (the scored submission is missing)")
        line, fields, origin = submission
        records = repo.records_of(conn, [int(record["enterprise_id"])])
        closed = repo.closures_of(conn, records["id"].astype(int).tolist()) if len(records) else {}
        enterprise = int(record["enterprise_id"])  # (no run given: the current result, which nothing supersedes)
        newer = None if run_id is None else repo.newer_result_run(conn, run.period, int(record["run_id"]), enterprise)
        superseding = superseded_note(repo.run_row(conn, int(newer))) if newer is not None else None
    facts = facts_codec.typed(facts_codec.decode_one(line, fields), catalogue)
    listed = records.to_dict("records") if len(records) else []  # once, not once per item (an empty frame: 0.7 ms)
    return assemble(
        catalogue,
        run_info(run, runs if isinstance(runs, repo.RunRange) else None),
        record,
        facts,
        origin,
        listed,
        closed,
        explain_row,
        newer=int(newer) if newer is not None else None,
        superseding=superseding,
    )


def _results_zh(run: Any, runs: repo.Runs) -> str:
    """Where an explanation looked, in words: the current results of a run range, or one run's results."""
    if isinstance(runs, repo.RunRange):
        return f"当前结果({runs_zh(runs.first, runs.last)})"
    return runs_zh(run.id)


