"""Records: receive them (one, or a file, all or nothing), store each once, and re-score at once the
enterprises they concern, for every scored period whose end falls inside their display window.

A record for an unknown enterprise or dated in the future is refused; one older than its window is
stored but changes nothing (``lrc records`` and ``explain`` say why)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, computed_field
from sqlalchemy import Connection, Engine

from indicators import Catalogue, load_catalogue
from lrc.errors import ConflictError, InputValidationError, RowProblem
from lrc.ingest.readers import read_table
from lrc.ingest.records import (
    RECORD_HEADERS,
    RecordRow,
    check_records,
    command_line_table,
    objects_table,
    record_hash,
)
from lrc.periods import period_end, sort_periods
from lrc.service.access import Action, Principal
from lrc.service.audit import Entry, guarded
from lrc.service.rescoring import RescoredOut, rescore
from lrc.service.runs import Marks, catalogue_for_run, newest_run
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.times import today_in_china
from lrc.uscc import validate_uscc
from scoring.records import shown_until

Progress = Callable[[int], None]
ANSWERED = 1_000  # records: a delivery up to this size keeps what it wrote (an answer needs no second read)
RETRIES = 5  # a concurrent writer of the same enterprises: try again on its committed state


class NoResult(BaseModel):
    """An enterprise whose new record counts at the end of some scored periods, in none of which it has a current
    result (not in their period runs: it left the panel, or came after): nothing was rescored for it."""

    uscc: str
    periods: list[str]


class RecordsSummary(BaseModel):
    file: str
    received: int
    stored: list[int]  # ids of the records stored now
    already: list[int]  # ids of records delivered before (same source and document number)
    results: list[RescoredOut]
    already_removed: list[int] = []  # ids of listings a removal delivered again had removed before (a no-op)
    no_result: list[NoResult] = []  # enterprises of new records with no current result where the records count
    removed: list[int] = []  # ids of listings a credit-platform feed removed now (they stop counting)
    ended: list[int] = []  # ids of records stored now whose display period had already ended (never counted)
    delivery_id: int | None = None  # the delivery (``lrc records --delivery N``); None: nothing was delivered
    single: bool = Field(default=False, exclude=True)  # one record typed or posted (not a file or a batch)
    stored_rows: list[dict[str, Any]] = Field(default=[], exclude=True, repr=False)  # as written, with ids

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> int | None:
        """What the call created: the record's id for one record (``lrc record add``, ``POST /records``), else
        the delivery's (a file, a feed, a batch)."""
        ids = self.stored + self.already
        return ids[0] if self.single and len(ids) == 1 else self.delivery_id


def add_record(
    engine: Engine, who: Principal, values: dict[str, str], *, catalogue: Catalogue | None = None
) -> RecordsSummary:
    """One record from the command line (or an API call), checked like a file row."""
    catalogue = catalogue or load_catalogue()
    with guarded(engine, who, Action.record, "record") as entry:
        rows = check_records(command_line_table(values), catalogue, absent=_absent(engine, who))
        summary = _receive(engine, entry, rows, "命令行 (command line)", None, catalogue)
        return summary.model_copy(update={"single": True})


def receive_objects(
    engine: Engine,
    who: Principal,
    values: list[dict[str, Any]],
    *,
    source: str = "API",
    catalogue: Catalogue | None = None,
) -> RecordsSummary:
    """Records given as objects (the HTTP API), checked like file rows, all or nothing; a record already
    stored (same source and document number, same content) is answered, not stored again."""
    catalogue = catalogue or load_catalogue()
    with guarded(engine, who, Action.record, f"request:{source[:80]}") as entry:
        rows = check_records(objects_table(values, source), catalogue, absent=_absent(engine, who))
        return _receive(engine, entry, rows, source, source, catalogue)


def ingest_records(
    engine: Engine,
    who: Principal,
    path: Path,
    *,
    catalogue: Catalogue | None = None,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> RecordsSummary:
    """Every record of a CSV/XLSX/JSON file (of a workbook, worksheet ``sheet`` when named), all or nothing."""
    catalogue = catalogue or load_catalogue()
    with guarded(engine, who, Action.record, f"file:{Path(path).name[:100]}") as entry:
        headers = {"uscc", RECORD_HEADERS["uscc"]}
        table = read_table(Path(path), key_headers=headers, sheet=sheet)
        rows = check_records(table, catalogue, absent=_absent(engine, who))
        return _receive(engine, entry, rows, table.file, Path(path).name, catalogue, progress)


def _receive(
    engine: Engine,
    entry: Entry,
    rows: list[RecordRow],
    file: str,
    file_name: str | None,
    catalogue: Catalogue,
    progress: Progress | None = None,
) -> RecordsSummary:
    require_schema(engine)
    for attempt in range(RETRIES):
        try:
            with repo.writing(engine) as conn:
                summary = _store_and_rescore(conn, entry.who, rows, file, file_name, catalogue, progress)
                entry.detail = (
                    f"received {summary.received} stored {len(summary.stored)} already {len(summary.already)} "
                    f"rescored {len(summary.results)}; ids {','.join(map(str, summary.stored[:20]))}"
                )
                entry.write(conn)
                return summary
        except ConflictError:
            if attempt == RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _attributable(conn: Connection, who: Principal, codes: list[str]) -> dict[str, int]:
    """The enterprise id of each of ``codes`` that ``who`` may add records to: known to the store and inside
    the scope (outside the scope is answered like unknown: its existence is not told)."""
    ids = repo.enterprise_ids(conn, codes)
    if not who.scope.everything:
        regions = repo.latest_regions(conn, list(ids.values()))
        ids = {u: i for u, i in ids.items() if who.scope.contains(regions.get(i), u)}
    return ids


def _absent(engine: Engine, who: Principal) -> Callable[[list[str]], dict[str, str]]:
    """``check_records``' question to the store: which USCCs no record of ``who`` can be attributed to, and
    why (asked only of a refused file, so that its problem list names the unknown enterprises too; a file
    otherwise right is checked again inside the transaction that stores it)."""
    reason = UNKNOWN if who.scope.everything else UNKNOWN_OR_OUTSIDE

    def absent(codes: list[str]) -> dict[str, str]:
        require_schema(engine)
        with engine.connect() as conn:
            known = _attributable(conn, who, codes)
        return {code: unknown_reason(code, reason) for code in codes if code not in known}

    return absent


def unknown_reason(code: str, reason: str) -> str:
    """Why a record's USCC is taken by no enterprise: ``reason``, after a wrong check character if that is one
    (a code mistyped is the likelier cause, and a facts file says so too)."""
    try:
        validate_uscc(code)
    except ValueError as exc:
        return f"{exc};{reason}"
    return reason


UNKNOWN = "库中没有该企业(尚无任何报送数据),记录无法归属 (unknown enterprise)"
UNKNOWN_OR_OUTSIDE = "库中没有该企业,或该企业不在你的权限范围内 (unknown enterprise or outside your scope)"


def _store_and_rescore(
    conn: Connection,
    who: Principal,
    rows: list[RecordRow],
    file: str,
    file_name: str | None,
    catalogue: Catalogue,
    progress: Progress | None,
) -> RecordsSummary:
    actor = who.name
    ids = _attributable(conn, who, list({r.uscc for r in rows}))
    unknown = [r for r in rows if r.uscc not in ids]
    if unknown:
        reason = UNKNOWN if who.scope.everything else UNKNOWN_OR_OUTSIDE
        problems = [
            RowProblem(file, r.row, "uscc", r.uscc, unknown_reason(r.uscc, reason), record=file_name is None)
            for r in unknown
        ]
        raise InputValidationError(problems, file)
    repo.lock_enterprises(conn, list({ids[r.uscc] for r in rows}))
    stored = repo.records_by_identity(conn, [(r.source, r.ref) for r in rows])
    # a record stored before refs had one spelling was hashed with its ref as typed: compared as stored
    hashes = [record_hash(_hashed(r) | _as_stored(stored.get((r.source, r.ref)))) for r in rows]
    _refuse_changed_repeats(file, file_name, rows, hashes, stored, ids)
    fresh = [(r, h) for r, h in zip(rows, hashes, strict=True) if (r.source, r.ref) not in stored]
    received = repo.now()
    delivery = repo.add_delivery(
        conn, source=file[:100], received=len(rows), stored=len(fresh), already=len(rows) - len(fresh),
        actor=actor, received_at=received,
    )  # fmt: skip
    written = [_record_row(r, h, ids[r.uscc], catalogue, file_name, actor, received, delivery) for r, h in fresh]
    new_ids = repo.add_records(conn, written)
    if progress:
        progress(len(rows))
    ended = _close_ended(conn, fresh, new_ids, ids, actor)
    causes: dict[int, tuple[int, list[tuple[int, RecordRow]]]] = {}
    for (record, _), record_id in zip(fresh, new_ids, strict=True):
        cause, concerned = causes.setdefault(ids[record.uscc], (record_id, []))
        concerned.append((record_id, record))
        causes[ids[record.uscc]] = (max(cause, record_id), concerned)
    scored = _scored_periods(conn) if causes else []
    results = _rescore(conn, scored, causes, actor, ended) if causes else []
    return RecordsSummary(
        file=file,
        received=len(rows),
        stored=new_ids,
        already=[stored[(r.source, r.ref)][0] for r in rows if (r.source, r.ref) in stored],
        results=results,
        ended=sorted(ended),
        no_result=_no_result(scored, [r for (r, _), i in zip(fresh, new_ids, strict=True) if i not in ended], results),
        delivery_id=delivery,
        stored_rows=[{**row, "id": record_id} for row, record_id in zip(written, new_ids, strict=True)]
        if len(written) <= ANSWERED
        else [],
    )


def _close_ended(
    conn: Connection, fresh: list[tuple[RecordRow, str]], new_ids: list[int], ids: dict[str, int], actor: str
) -> dict[int, date]:
    """Close, as expired, the records just stored whose display had ended by today though they would count in
    their enterprise's current standing period (``closures.ended_on_arrival``): record id → closed from."""
    from lrc.service.closures import ended_on_arrival, store_closures  # (closures imports modules this one uses)

    arrived = [(i, ids[r.uscc], r.type, r.tier, r.decision_date) for (r, _), i in zip(fresh, new_ids, strict=True)]
    closings = ended_on_arrival(conn, arrived, today_in_china())
    if closings:  # records stored just now: no closure nor result has them yet, so nothing to check or re-score
        store_closures(conn, closings, actor=actor)
    return {c.record_id: c.effective_from for c in closings}


def _as_stored(known: tuple[int, str, int, str] | None) -> dict[str, Any]:
    return {"ref": known[3]} if known is not None else {}


def _hashed(record: RecordRow) -> dict[str, Any]:
    return {
        "uscc": record.uscc, "type": record.type, "tier": record.tier, "decision_date": record.decision_date,
        "source": record.source, "ref": record.ref, "workers": record.workers, "amount": record.amount,
        "note": record.note,
    }  # fmt: skip


def _record_row(
    record: RecordRow,
    content: str,
    enterprise_id: int,
    catalogue: Catalogue,
    file_name: str | None,
    actor: str,
    at: Any,
    delivery: int,
) -> dict[str, Any]:
    return {
        **_hashed(record),
        "enterprise_id": enterprise_id,
        "edition": catalogue.version,
        "content_hash": content,
        "file_name": file_name,
        "source_row": record.row if file_name else None,
        "actor": actor,
        "received_at": at,
        "delivery_id": delivery,
    }


def _refuse_changed_repeats(
    file: str,
    file_name: str | None,
    rows: list[RecordRow],
    hashes: list[str],
    stored: dict[tuple[str, str], Any],
    ids: dict[str, int],
) -> None:
    """A delivery of a stored (source, ref) must say the same; a different one is an error, not an update. The
    stored record is named only when it is of the same enterprise: another enterprise's record (perhaps outside
    the deliverer's scope) is neither numbered nor described."""
    problems = []
    for record, content in zip(rows, hashes, strict=True):
        known = stored.get((record.source, record.ref))
        if known is not None and known[1] != content:
            reason = (
                f"决定机关和文书编号与已存记录 #{known[0]} 相同但内容不同;记录只增不改,更正请走异议或修复流程 "
                "(same source and document number as a stored record, different content)"
            ) if known[2] == ids[record.uscc] else (
                "决定机关和文书编号已用于另一家企业的记录:一份文书只对应一条记录,请核对文书编号 "
                "(source and document number already used for another enterprise's record)"
            )  # fmt: skip
            problems.append(RowProblem(file, record.row, "ref", record.ref, reason, record=file_name is None))
    if problems:
        raise InputValidationError(problems, file)


@dataclass(frozen=True)
class _ScoredPeriod:
    """A scored period as a record delivery needs it: its newest run and range, catalogue and last day."""

    period: str
    run: Any
    runs: repo.RunRange
    catalogue: Catalogue
    end: date


def _scored_periods(conn: Connection) -> list[_ScoredPeriod]:
    out = []
    for period in sort_periods(repo.scored_periods(conn)):
        run, runs = newest_run(conn, period)
        out.append(_ScoredPeriod(period, run, runs, catalogue_for_run(conn, run), period_end(period)))
    return out


def _rescore(
    conn: Connection,
    scored: list[_ScoredPeriod],
    causes: dict[int, tuple[int, list[tuple[int, RecordRow]]]],
    actor: str,
    ended: dict[int, date],
) -> list[RescoredOut]:
    """A new result for each concerned enterprise in every scored period whose end falls inside the
    window of one of its new records (the period's own catalogue decides) and not after the closure of a record
    that had ended on arrival (``ended``: record id → closed from), linked to the newest record."""
    out: list[RescoredOut] = []
    marks = Marks(*repo.watermarks(conn))
    for p in scored:
        concerned = [
            e for e, (_, recs) in causes.items()
            if any(_counts_at(p.catalogue, r, p.end) and (i not in ended or p.end < ended[i]) for i, r in recs)
        ]  # fmt: skip
        if concerned:
            cause_records = {e: causes[e][0] for e in concerned}
            out.extend(rescore(conn, p.period, concerned, kind="records", actor=actor, cause_records=cause_records,
                               marks=marks, run=p.run, runs=p.runs, catalogue=p.catalogue))  # fmt: skip
    return out


def _no_result(scored: list[_ScoredPeriod], records: list[RecordRow], results: list[RescoredOut]) -> list[NoResult]:
    """The enterprises of new ``records`` rescored nowhere (``results``) although one of their records counts at
    the end of some scored periods (the period's own catalogue decides): they have no current result there."""
    rescored = {r.uscc for r in results}
    waiting = [r for r in records if r.uscc not in rescored]
    periods: dict[str, list[str]] = {}
    for p in scored:
        for uscc in dict.fromkeys(r.uscc for r in waiting if _counts_at(p.catalogue, r, p.end)):
            periods.setdefault(uscc, []).append(p.period)
    return [NoResult(uscc=uscc, periods=found) for uscc, found in periods.items()]


def _counts_at(catalogue: Catalogue, record: RecordRow, end: date) -> bool:
    until = shown_until(catalogue, record.type, record.tier, record.decision_date)
    return until is not None and record.decision_date <= end < until
