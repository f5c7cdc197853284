"""Record closures: a record stops counting from a date, and every enterprise whose current result counts it gets
a new result at once. Four causes: repaired (an approved credit repair), revoked (an objection overturned a
record the union decided), expired (its display period ended while it still counted in the enterprise's newest
result; no one has to act) and removed (the authority that listed it removed it).

Which periods change: a closure takes effect from ``effective_from``; a period whose last day is on or after
it no longer counts the record. A revocation takes effect from the decision date (the record never stood);
repairs and removals, acts at a moment, from the first day of the enterprise's newest scored period, or the
closing date if earlier, so the result shown changes now and earlier periods keep the results they had.
Expiry, which nobody decides and every period run looks for, takes effect from the first day of the
enterprise's standing period (the newest it has reported for and that is due, scored or not:
``standing_periods``), and only while that period is current (``lrc.periods.is_current``): an old quarter
loaded and scored late is history and keeps the records of its own window, so history loaded in order gives
the results it gives loaded at once, and periods loaded at once give the same results in whatever order they
are scored."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Connection, Engine, select

from indicators import Catalogue, load_catalogue
from indicators.redress_policy import load_redress_policy
from lrc.errors import ConflictError
from lrc.periods import is_current, period_end, period_key, period_start, sort_periods, submission_deadline
from lrc.service.access import Action, Principal
from lrc.service.audit import guarded
from lrc.service.explanation import CAUSE_ZH
from lrc.service.rescoring import RescoredOut, current_of, rescore
from lrc.service.runs import catalogue_for_run, get_run
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import ScoreResult, ScoreRun, Submission
from lrc.times import not_after_today, today_in_china
from lrc.workdays import add_working_days
from scoring.records import live_mask, shown_until

RUN_KIND = {"repaired": "repair", "revoked": "objection", "expired": "expiry", "removed": "removal"}


@dataclass(frozen=True)
class Closing:
    record_id: int
    enterprise_id: int
    cause: str  # repaired | revoked | expired | removed
    effective_from: date
    case_id: int | None = None
    ref: str | None = None


def standing_periods(conn: Connection, enterprise_ids: Sequence[int], day: date) -> dict[int, str]:
    """Each enterprise's standing period on ``day``: the newest it has reported for whose submission deadline
    has passed, scored or not (every result comes from a submission of its period), else the newest it has
    reported for. What the data says, not which periods happen to be scored: the periods before it are
    history whatever order they are scored in (five quarters loaded at once and scored newest first gave 20
    of 243 enterprises other results than oldest first), and a quarter still open, which enterprises may
    report early, does not make the last one history before it is due."""
    reported: dict[int, set[str]] = {}
    for part in repo.chunks(sorted(set(enterprise_ids))):
        query = select(Submission.enterprise_id, Submission.period).where(Submission.enterprise_id.in_(part))
        for enterprise, period in conn.execute(query.distinct()):
            reported.setdefault(int(enterprise), set()).add(str(period))
    standing = {}
    for enterprise, periods in reported.items():
        ordered = sort_periods(periods)
        due = [p for p in ordered if submission_deadline(p) < day]
        standing[enterprise] = due[-1] if due else ordered[-1]
    return standing


def newest_period(conn: Connection, enterprise_id: int) -> str | None:
    """The newest scored period in which the enterprise has a result."""
    query = (
        select(ScoreRun.period).distinct().join(ScoreResult, ScoreResult.run_id == ScoreRun.id)
        .where(ScoreResult.enterprise_id == enterprise_id)
    )  # fmt: skip
    periods = sort_periods(conn.scalars(query))
    return periods[-1] if periods else None


def standing_from(conn: Connection, enterprise_id: int, day: date) -> date:
    """When a repair or a removal decided on ``day`` takes effect: the first day of the enterprise's newest
    scored period, or ``day`` if earlier. A decision is an act at a moment: the result shown now changes at
    once (a quarter reported and due but not scored yet would leave the shown result as it was until its
    period run), and earlier periods keep their results."""
    newest = newest_period(conn, enterprise_id)
    return min(day, period_start(newest)) if newest else day


def store_closures(conn: Connection, closings: Sequence[Closing], *, actor: str) -> None:
    """Append the closures, in the caller's transaction (``close`` also re-scores what counted them)."""
    at = repo.now()
    repo.add_closures(conn, [
        {"record_id": c.record_id, "cause": c.cause, "effective_from": c.effective_from, "case_id": c.case_id,
         "ref": c.ref, "actor": actor, "at": at} for c in closings
    ])  # fmt: skip


def close(conn: Connection, closings: Sequence[Closing], *, actor: str) -> list[RescoredOut]:
    """Store the closures and re-score, in the caller's transaction, every scored period whose current result
    of the enterprise counts a closed record and ends on or after the closure's date."""
    if not closings:
        return []
    taken = repo.closures_of(conn, [c.record_id for c in closings])
    if taken:
        first = next(iter(taken.values()))
        raise ConflictError(
            f"记录 #{first['record_id']} 已于 {first['at']:%Y-%m-%d} 因{CAUSE_ZH.get(first['cause'], first['cause'])}"
            "停止计分 (the record is closed already)"
        )
    store_closures(conn, closings, actor=actor)
    out: list[RescoredOut] = []
    for period in sort_periods(repo.scored_periods(conn)):
        end = period_end(period)
        live = [c for c in closings if end >= c.effective_from]
        if not live:
            continue
        current = current_of(conn, period, sorted({c.enterprise_id for c in live}))  # (in bounded parts)
        counted = {int(e): _ids(r) for e, r in zip(current["enterprise_id"], current["records"], strict=True)}
        for kind in sorted({RUN_KIND[c.cause] for c in live}):
            chosen = [c for c in live if RUN_KIND[c.cause] == kind and c.record_id in counted.get(c.enterprise_id, ())]
            if not chosen:
                continue
            cases = {c.case_id for c in chosen}
            out.extend(rescore(
                conn, period, sorted({c.enterprise_id for c in chosen}), kind=kind, actor=actor,
                cause_records={c.enterprise_id: c.record_id for c in chosen},
                cause_id=cases.pop() if len(cases) == 1 else None,
            ))  # fmt: skip
    return out


def ended_on_arrival(
    conn: Connection, arrived: Sequence[tuple[int, int, str, str, date]], day: date
) -> list[Closing]:
    """The closings of records stored just now (record id, enterprise id, type, tier, decision date) whose
    display had ended by ``day`` though their enterprise's standing period, still current, would count them:
    from that period's first day, as the expiry would close them at its next run (before, they counted in the
    results of the delivery's rescoring until then)."""
    standing = standing_periods(conn, sorted({a[1] for a in arrived}), day)
    scored = set(repo.scored_periods(conn))
    catalogues: dict[str, Catalogue] = {}
    out = []
    for record_id, enterprise, kind, tier, decided in arrived:
        stands = standing.get(enterprise)
        if stands is None or not is_current(stands, day):
            continue
        if stands not in catalogues:
            catalogues[stands] = _catalogue_of(conn, stands, scored, None)
        until = shown_until(catalogues[stands], kind, tier, decided)
        if until is not None and decided <= period_end(stands) < until <= day:
            out.append(Closing(record_id, enterprise, "expired", min(until, period_start(stands))))
    return out


def _catalogue_of(conn: Connection, period: str, scored: Collection[str], default: Catalogue | None) -> Catalogue:
    """The catalogue that decides a record's window in ``period``: its period run's, else the one its coming
    period run will score with (``default``, else the newest edition)."""
    return catalogue_for_run(conn, get_run(conn, period, None)) if period in scored else default or load_catalogue()


def _ids(text: Any) -> set[int]:
    return {int(i) for i in str(text or "").split(",") if i}


class ExpiredOut(BaseModel):
    record_id: int
    uscc: str
    type: str
    decision_date: str
    display_until: str  # the first day it no longer counts
    remove_by: str  # the policy's deadline: this many working days after display_until
    late: bool  # found after remove_by (the daily run was missed)
    period: str  # the newest period whose result still counted it, or whose coming period run would


class ExpiryOut(BaseModel):
    as_of: str
    expired: list[ExpiredOut]
    results: list[RescoredOut]


def expire(
    engine: Engine, who: Principal, *, today: date | None = None, catalogue: Catalogue | None = None
) -> ExpiryOut:
    """Close every record whose display period has ended by ``today`` (Beijing) but that still counts in
    its enterprise's newest result, and re-score those enterprises (runs of kind ``expiry``). Made by the
    period run and the daily ``lrc records expire``; nothing is asked of anyone."""
    require_schema(engine)
    # closures are for good: a day to come would close records still shown
    day = not_after_today(today or today_in_china(), "检查日", "不能提前使记录期满")
    with guarded(engine, who, Action.score, f"expiry:{day}") as entry, repo.writing(engine) as conn:
        found = expired_records(conn, day, catalogue)
        results = close(conn, [c for c, _ in found], actor=who.name)
        entry.detail = f"as of {day}: {len(found)} records expired, {len(results)} new results"
        entry.write(conn)
    return ExpiryOut(as_of=day.isoformat(), expired=[e for _, e in found], results=results)


def expire_if_due(
    engine: Engine, who: Principal, *, today: date | None = None, catalogue: Catalogue | None = None
) -> ExpiryOut | None:
    """``expire`` when a record is due to expire (what a period run does first, under the ``catalogue`` it
    scores with, and the hourly housekeeping); None when none is, so that nothing more is written."""
    day = today or today_in_china()
    with engine.connect() as conn:
        if not expired_records(conn, day, catalogue):
            return None
    return expire(engine, who, today=day, catalogue=catalogue)


def expired_records(
    conn: Connection, day: date, catalogue: Catalogue | None = None
) -> list[tuple[Closing, ExpiredOut]]:
    """The records whose display period ended by ``day`` and that count in their enterprise's standing result,
    while its standing period is current on ``day``: the result of the standing period (``standing_periods``),
    or, while that is not scored yet, the newest scored before it (a period scored early, after the standing
    one, does not decide: what is closed depends on the data, not on the order periods are scored in) and the
    records that its coming period run would count under ``catalogue`` (default: the newest edition). Without
    these, a quarter scored first counted records that had ended before it was scored, until the next expiry
    run: the period run looks for expiries before it scores, when no result counted them yet."""
    scored = sort_periods(repo.scored_periods(conn))
    results: dict[int, dict[str, tuple[str, set[int]]]] = {}  # enterprise → period → (uscc, records counted)
    for period in scored:
        runs = repo.current_runs(conn, get_run(conn, period, None))
        for part in repo.chunks(repo.enterprises_with_records(conn, runs)):  # bounded IN lists
            current = current_of(conn, period, list(part))
            for e, u, r in zip(current["enterprise_id"], current["uscc"], current["records"], strict=True):
                results.setdefault(int(e), {})[period] = (str(u), _ids(r))
    holders = repo.enterprises_with_open_records(conn)
    standing = standing_periods(conn, sorted(set(results) | set(holders)), day)
    newest: dict[int, tuple[str, str, set[int]]] = {}  # enterprise → (period, uscc, records counted)
    for enterprise, by_period in results.items():
        stands = standing.get(enterprise)
        before = [p for p in by_period if stands is None or period_key(p) <= period_key(stands)]  # up to it
        if before:
            chosen = max(before, key=period_key)
            newest[enterprise] = (chosen, *by_period[chosen])
    waiting = {e: s for e, s in standing.items() if e in holders and s not in scored and is_current(s, day)}
    coming = _counted_when_scored(conn, waiting, catalogue or load_catalogue())
    for enterprise, (period, uscc, ids) in coming.items():
        was = newest.get(enterprise)
        newest[enterprise] = (period, uscc, ids | (was[2] if was else set()))
    wanted = sorted({i for _, _, ids in newest.values() for i in ids})
    if not wanted:
        return []
    records = pd.concat([repo.records_of(conn, ids=list(part)) for part in repo.chunks(wanted)], ignore_index=True)
    closed = repo.closures_of(conn, wanted)
    policy = load_redress_policy()
    found = []
    catalogues: dict[str, Any] = {}
    for r in records.to_dict("records"):
        enterprise = int(r["enterprise_id"])
        period, uscc, ids = newest.get(enterprise, ("", "", set()))
        stands = standing.get(enterprise, period)
        if int(r["id"]) not in ids or int(r["id"]) in closed or not is_current(stands, day):
            continue
        if period not in catalogues:
            catalogues[period] = _catalogue_of(conn, period, scored, catalogue)
        decided = pd.Timestamp(r["decision_date"]).date()
        until = shown_until(catalogues[period], str(r["type"]), str(r["tier"]), decided)
        if until is None or until > day:
            continue
        remove_by = add_working_days(until, policy.expiry.remove_within_working_days).day
        closing = Closing(int(r["id"]), enterprise, "expired", min(until, period_start(stands)))
        found.append((closing, ExpiredOut(
            record_id=int(r["id"]), uscc=uscc, type=str(r["type"]), decision_date=decided.isoformat(),
            display_until=until.isoformat(), remove_by=remove_by.isoformat(), late=day > remove_by, period=period,
        )))  # fmt: skip
    return found


def _counted_when_scored(
    conn: Connection, waiting: dict[int, str], catalogue: Catalogue
) -> dict[int, tuple[str, str, set[int]]]:
    """enterprise → (its standing period, USCC, the ids of its records not closed that a run of that period
    under ``catalogue`` would count), for the enterprises of ``waiting`` (enterprise → a period not scored)."""
    out: dict[int, tuple[str, str, set[int]]] = {}
    if not waiting:
        return out
    watermark = repo.closure_watermark(conn)
    for part in repo.chunks(sorted(waiting)):
        records = repo.records_of(conn, list(part), closures=watermark)
        if records.empty:
            continue
        periods = np.array([waiting[int(e)] for e in records["enterprise_id"]])
        for period in set(periods.tolist()):
            mine = records[periods == period]
            live = mine[live_mask(catalogue, mine, period_end(period))]
            for e, u, i in zip(live["enterprise_id"], live["uscc"], live["id"], strict=True):
                out.setdefault(int(e), (period, str(u), set()))[2].add(int(i))
    return out
