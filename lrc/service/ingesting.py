"""Ingest service: validate a file, then append new submission versions in one transaction."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators import Catalogue, load_catalogue
from lrc.errors import InputValidationError, PermissionDenied, RowProblem
from lrc.ingest import CheckedRows, RecordChunks
from lrc.periods import check_reporting_period, submission_deadline
from lrc.service.access import Action, Principal, Role
from lrc.service.audit import guarded, may_score
from lrc.service.read_ahead import checked_batches
from lrc.store import facts_codec, require_schema
from lrc.store import repository as repo
from lrc.times import today_in_china

IDENTITY = ("name", "region_code", "industry", "size", "ownership")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class IngestSummary:
    file: str
    period: str
    rows: int
    new_versions: int
    unchanged: int
    batch_id: int | None
    overridden_uscc: list[str] = field(default_factory=list)
    absent_columns: list[str] = field(default_factory=list)  # optional columns the file lacks: not reported
    scored_run: int | None = None  # the period's newest period run, when new versions came after it
    scored_through: int | None = None  # the newest later run of its range (current results: runs scored_run to it)
    may_score: bool = False  # whether the one who ingested may score the period again (a province-wide act)


def content_hashes(frame: pd.DataFrame, facts: list[str]) -> list[str]:
    columns = [frame[c].astype("string").fillna("").tolist() for c in IDENTITY]
    return [content_hash(identity, f) for identity, f in zip(zip(*columns, strict=True), facts, strict=True)]


def content_hash(identity: Sequence[str | None], facts: str) -> str:
    """A submission's hash: its identity (``IDENTITY``, missing as "") and its stored facts line."""
    key = "\x1f".join("" if v is None else v for v in identity)
    return hashlib.sha256(f"{key}\x1e{facts}".encode()).hexdigest()


def ingest_file(
    engine: Engine,
    who: Principal,
    path: Path,
    period: str,
    *,
    accept_uscc: frozenset[str] = frozenset(),
    catalogue: Catalogue | None = None,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> IngestSummary:
    """Validate ``path`` whole, then store every new or changed submission.

    A file with any bad row raises InputValidationError and nothing is kept; an enterprise whose facts
    are unchanged gets no new version, so ingesting the same file twice leaves the same state. A user
    with a city, district or enterprise scope may submit only enterprises inside it (and not move one in
    from outside). A large CSV is read, checked and written a chunk at a time in one transaction
    (``RecordChunks``), so memory stays bounded, and read ahead in a second process while the chunks before
    are written (``read_ahead``); a file of one chunk is checked before the store is
    opened for writing. New versions for a period scored already count once it is scored again
    (``scored_run`` to ``scored_through`` hold the current results until then, and ``may_score`` says whether
    the one who ingested may do it): a file may change every enterprise, which is a period run's work; unlike
    a submission (web form, API), an ingest re-scores nobody at once, whoever ingests. ``sheet`` names a
    workbook's worksheet to read (``lrc.ingest.readers.data_sheet`` chooses otherwise)."""
    period = check_reporting_period(period, today_in_china())
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    with guarded(engine, who, Action.ingest, f"period:{period}") as entry:
        records = RecordChunks(Path(path), catalogue, period=period, accept_uscc=accept_uscc, sheet=sheet)
        # a large file is read ahead in a second process while its chunks are written; closed however this ends
        with closing(checked_batches(records)) as batches:
            first = next(batches, None)
            if first is None or not records.streamed:
                records.raise_problems()
            with repo.writing(engine) as conn:
                more = itertools.chain([first], batches) if first is not None else batches
                batch_id, new = store_chunks(conn, who, records, more, period, catalogue, progress)
                name, digest = Path(path).name[:100], records.sha256[:16]
                entry.detail = f"{name} sha256:{digest} rows {records.rows} new {new} batch {batch_id}"
                entry.write(conn)
    repo.refresh_statistics(engine, ("enterprises", "submissions", "ingest_batches"))
    scored = None
    if new:
        with engine.connect() as conn:
            found = repo.latest_run_range(conn, period)
        scored = found[1] if found is not None else None
    return IngestSummary(
        file=str(path),
        period=period,
        rows=records.rows,
        new_versions=new,
        unchanged=records.rows - new,
        batch_id=batch_id,
        overridden_uscc=list(dict.fromkeys(records.overridden)),
        absent_columns=records.absent,
        scored_run=scored.first if scored else None,
        scored_through=scored.last if scored else None,
        may_score=may_score(who),
    )


@dataclass(frozen=True)
class Stored:
    """What storing a checked batch did: the new versions' positions in the batch, the ingest batch row
    (None when nothing changed), the enterprise ids by USCC and each enterprise's newest version now."""

    fresh: list[int]
    batch_id: int | None
    ids: dict[str, int]
    versions: dict[int, int]


def store_batch(
    conn: Connection,
    who: Principal,
    batch: CheckedRows,
    period: str,
    catalogue: Catalogue,
    progress: Progress | None = None,
) -> Stored:
    """Append the new or changed submissions of a checked batch (one enterprise's form, an objection's
    corrected facts), inside the caller's transaction."""
    fresh, ids, rows, latest = new_rows(conn, who, batch, period, catalogue)
    check_deadline(who, period)  # after the scope: another enterprise's data is refused as such, not as late
    batch_id = None
    if rows:
        batch_id = _append(conn, who, batch, period, catalogue, len(batch.frame), rows, progress)
    versions = {enterprise: version for enterprise, (version, _) in latest.items()}
    versions.update({row["enterprise_id"]: row["version"] for row in rows})
    return Stored(fresh, batch_id, ids, versions)


def store_chunks(
    conn: Connection,
    who: Principal,
    records: RecordChunks,
    batches: Iterable[CheckedRows],
    period: str,
    catalogue: Catalogue,
    progress: Progress | None = None,
) -> tuple[int | None, int]:
    """Append the new or changed submissions of a file's checked chunks: (ingest batch id, new versions).
    Each chunk's rows are written as soon as it is checked, under a batch id reserved for the file; the batch
    row, which names the file's counts, comes after the last chunk (``repo.reserve_batch``). Once any chunk
    has a problem nothing more is written, but every chunk is still read and checked, so that every problem
    in the file is reported; the caller's transaction then keeps nothing."""
    sample: CheckedRows | None = None
    batch_id: int | None = None
    new = 0
    for batch in batches:
        if records.problems:  # nothing more is written; the rows outside the user's scope are still told
            _scope_problems(conn, who, records, batch)
            continue
        try:
            _, _, rows, _ = new_rows(conn, who, batch, period, catalogue)
        except InputValidationError as exc:  # rows outside the user's scope
            records.problems.extend(exc.problems)
            continue
        if rows:
            batch_id = repo.reserve_batch(conn) if batch_id is None else batch_id
            for row in rows:
                row["batch_id"] = batch_id
            repo.add_submissions(conn, rows, progress)
        sample, new = batch, new + len(rows)
    records.raise_problems()
    check_deadline(who, period)  # after the scope: another enterprise's rows are refused as such, not as late
    if sample is None or batch_id is None:
        return None, 0
    _batch_row(conn, who, sample, period, catalogue, records.rows, new, batch_id)
    return batch_id, new


def _scope_problems(conn: Connection, who: Principal, records: RecordChunks, batch: CheckedRows) -> None:
    """The rows of ``batch`` outside the user's scope, added to ``records.problems`` (nothing is written)."""
    if who.scope.everything:
        return
    try:
        _refuse_outside_scope(conn, who, batch.file, batch, repo.enterprise_ids(conn, batch.frame.index.tolist()))
    except InputValidationError as exc:
        records.problems.extend(exc.problems)


def check_deadline(who: Principal, period: str) -> None:
    """An enterprise account past the period's deadline is refused: late data needs an analyst."""
    if who.role is Role.enterprise and today_in_china() > submission_deadline(period):
        raise PermissionDenied(
            f"期间 {period} 的报送截止日期 {submission_deadline(period)} 已过,请联系分析员补报 (past the deadline)"
        )


def new_rows(
    conn: Connection, who: Principal, batch: CheckedRows, period: str, catalogue: Catalogue
) -> tuple[list[int], dict[str, int], list[dict[str, Any]], dict[int, tuple[int, str]]]:
    """The batch's new or changed submissions: their positions in the batch, every enterprise id by USCC
    (new enterprises are added), the submission rows, still without their ingest batch, and the known
    enterprises' newest (version, content hash) before them."""
    facts, hashes = encoded(batch, catalogue)
    usccs = batch.frame.index.tolist()
    ids = repo.enterprise_ids(conn, usccs)
    if not who.scope.everything:
        _refuse_outside_scope(conn, who, batch.file, batch, ids)
    latest = repo.latest_hashes(conn, period, ids.values())
    fresh = [k for k, u in enumerate(usccs) if u not in ids or latest.get(ids[u], (0, ""))[1] != hashes[k]]
    if not fresh:
        return fresh, ids, [], latest
    ids.update(repo.add_enterprises(conn, [usccs[k] for k in fresh if usccs[k] not in ids]))
    return fresh, ids, _submission_rows(batch, period, fresh, ids, latest, facts, hashes), latest


def encoded(batch: CheckedRows, catalogue: Catalogue) -> tuple[list[str], list[str]]:
    """The stored facts line and the content hash of each row of ``batch``."""
    if batch.rows is not None:  # checked in plain Python: its values, not read back from its frame (~3 ms)
        facts = [facts_codec.encode_values(row, catalogue) for row in batch.rows]
        hashes = [content_hash([row[c] for c in IDENTITY], f) for row, f in zip(batch.rows, facts, strict=True)]
        return facts, hashes
    facts = facts_codec.encode(batch.frame, catalogue)
    return facts, content_hashes(batch.frame, facts)


def _batch_row(
    conn: Connection,
    who: Principal,
    sample: CheckedRows,
    period: str,
    catalogue: Catalogue,
    rows: int,
    new: int,
    batch_id: int | None = None,
) -> int:
    return repo.add_batch(
        conn,
        id=batch_id,
        period=period,
        file_name=sample.file,
        file_sha256=sample.sha256,
        fields=json.dumps(facts_codec.field_names(sample.frame, catalogue)),
        rows=rows,
        new_versions=new,
        actor=who.name,
    )


def _append(
    conn: Connection,
    who: Principal,
    sample: CheckedRows,
    period: str,
    catalogue: Catalogue,
    rows: int,
    submissions: list[dict[str, Any]],
    progress: Progress | None,
) -> int:
    batch_id = _batch_row(conn, who, sample, period, catalogue, rows, len(submissions))
    for row in submissions:
        row["batch_id"] = batch_id
    repo.add_submissions(conn, submissions, progress)
    return batch_id


OUTSIDE = "不在你的权限范围 {scope} 内 (outside your scope)"
MOVED_IN = "该企业现登记在你的权限范围之外;跨地区变更须由省级用户导入 (registered outside your scope)"


def _refuse_outside_scope(conn: Any, who: Principal, file: str, batch: CheckedRows, ids: dict[str, int]) -> None:
    """Every row refused whose enterprise is, or is registered, outside the user's scope."""
    scope, frame = who.scope, batch.frame
    inside = scope.mask(frame["region_code"], pd.Series(frame.index, index=frame.index))
    known = repo.latest_regions(conn, [ids[u] for u in frame.index if u in ids])
    problems = []
    for k, (uscc, region) in enumerate(zip(frame.index, frame["region_code"], strict=True)):
        if not inside[k]:
            column = "uscc" if scope.uscc is not None and uscc != scope.uscc else "region_code"
            value = uscc if column == "uscc" else region
            reason = OUTSIDE.format(scope=scope.label())
            problems.append(RowProblem(file, batch.source_rows[k], batch.column(column), value, reason))
        elif uscc in ids and ids[uscc] in known and not scope.contains(known[ids[uscc]], uscc):
            reason = MOVED_IN  # where it is registered is not told: that is data outside the scope
            problems.append(RowProblem(file, batch.source_rows[k], batch.column("region_code"), region, reason))
    if problems:
        raise InputValidationError(problems, file)


def _submission_rows(
    batch: CheckedRows,
    period: str,
    fresh: list[int],
    ids: dict[str, int],
    latest: dict[int, tuple[int, str]],
    facts: list[str],
    hashes: list[str],
) -> list[dict[str, Any]]:
    """New submission rows for the ``fresh`` positions of the batch (next version of each), without a batch."""
    usccs = batch.frame.index.tolist()
    identity = {c: repo.nullable_text(batch.frame[c].tolist()) for c in IDENTITY}
    overridden, stamp = set(batch.overridden_uscc), repo.now()
    return [
        {
            "enterprise_id": ids[usccs[k]],
            "period": period,
            "version": latest.get(ids[usccs[k]], (0, ""))[0] + 1,
            "uscc": usccs[k],
            "source_row": batch.source_rows[k],
            "content_hash": hashes[k],
            **{c: identity[c][k] for c in IDENTITY},
            "uscc_override": usccs[k] in overridden,
            "facts": facts[k],
            "submitted_at": stamp,
        }
        for k in fresh
    ]
