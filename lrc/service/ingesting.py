"""Ingest service: validate a file, then append new submission versions in one transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators import Catalogue, load_catalogue
from lrc.errors import InputValidationError, PermissionDenied, RowProblem
from lrc.ingest import IngestBatch, read_records
from lrc.ingest.validate import IDENTITY_ZH
from lrc.periods import check_period, submission_deadline
from lrc.service.access import Action, Principal, Role
from lrc.service.audit import guarded
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


def content_hashes(frame: pd.DataFrame, facts: list[str]) -> list[str]:
    columns = [frame[c].astype("string").fillna("").tolist() for c in IDENTITY]
    keys = ["\x1f".join(values) for values in zip(*columns, strict=True)]
    return [hashlib.sha256(f"{k}\x1e{f}".encode()).hexdigest() for k, f in zip(keys, facts, strict=True)]


def ingest_file(
    engine: Engine,
    who: Principal,
    path: Path,
    period: str,
    *,
    accept_uscc: frozenset[str] = frozenset(),
    catalogue: Catalogue | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Validate ``path`` whole, then store every new or changed submission.

    A file with any bad row raises InputValidationError before anything is
    written; an enterprise whose facts are unchanged gets no new version, so
    ingesting the same file twice leaves the same state. A user with a city, district or
    enterprise scope may submit only enterprises inside it (and not move one in from outside)."""
    period = check_period(period)
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    with guarded(engine, who, Action.ingest, f"period:{period}") as entry:
        batch = read_records(Path(path), catalogue, period=period, accept_uscc=accept_uscc)
        with repo.writing(engine) as conn:
            stored = store_batch(conn, who, batch, period, catalogue, progress)
            name = Path(path).name[:100]
            entry.detail = (
                f"{name} sha256:{batch.sha256[:16]} rows {len(batch.frame)} new {len(stored.fresh)} "
                f"batch {stored.batch_id}"
            )
            entry.write(conn)
    usccs, fresh, batch_id = batch.frame.index.tolist(), stored.fresh, stored.batch_id
    return IngestSummary(
        file=str(path),
        period=period,
        rows=len(usccs),
        new_versions=len(fresh),
        unchanged=len(usccs) - len(fresh),
        batch_id=batch_id,
        overridden_uscc=list(batch.overridden_uscc),
    )


@dataclass(frozen=True)
class Stored:
    """What storing a checked batch did: the new versions' positions in the batch, the ingest batch row
    (None when nothing changed) and the enterprise ids by USCC."""

    fresh: list[int]
    batch_id: int | None
    ids: dict[str, int]


def store_batch(
    conn: Connection,
    who: Principal,
    batch: IngestBatch,
    period: str,
    catalogue: Catalogue,
    progress: Progress | None = None,
) -> Stored:
    """Append the new or changed submissions of a checked batch, inside the caller's transaction.
    An enterprise account past the period's deadline is refused: late data needs an analyst."""
    if who.role is Role.enterprise and today_in_china() > submission_deadline(period):
        raise PermissionDenied(
            f"期间 {period} 的报送截止日期 {submission_deadline(period)} 已过,请联系分析员补报 (past the deadline)"
        )
    facts = facts_codec.encode(batch.frame, catalogue)
    hashes = content_hashes(batch.frame, facts)
    usccs = batch.frame.index.tolist()
    batch_id = None
    ids = repo.enterprise_ids(conn, usccs, create=False)
    if not who.scope.everything:
        _refuse_outside_scope(conn, who, batch.file, batch, ids)
    latest = repo.latest_hashes(conn, period, ids.values())
    fresh = [k for k, u in enumerate(usccs) if u not in ids or latest.get(ids[u], (0, ""))[1] != hashes[k]]
    if fresh:
        ids.update(repo.enterprise_ids(conn, [usccs[k] for k in fresh], create=True))
        batch_id = repo.add_batch(
            conn,
            period=period,
            file_name=batch.file,
            file_sha256=batch.sha256,
            fields=json.dumps(facts_codec.field_names(batch.frame, catalogue)),
            rows=len(usccs),
            new_versions=len(fresh),
            actor=who.name,
        )
        rows = _submission_rows(batch, period, batch_id, fresh, ids, latest, facts, hashes)
        repo.add_submissions(conn, rows, progress)
    return Stored(fresh, batch_id, ids)


OUTSIDE = "不在你的权限范围 {scope} 内 (outside your scope)"
MOVED_IN = "该企业现登记在你的权限范围之外;跨地区变更须由省级用户导入 (registered outside your scope)"


def _refuse_outside_scope(conn: Any, who: Principal, file: str, batch: IngestBatch, ids: dict[str, int]) -> None:
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
            problems.append(RowProblem(file, batch.source_rows[k], IDENTITY_ZH[column], value, reason))
        elif uscc in ids and ids[uscc] in known and not scope.contains(known[ids[uscc]], uscc):
            reason = MOVED_IN  # where it is registered is not told: that is data outside the scope
            problems.append(RowProblem(file, batch.source_rows[k], IDENTITY_ZH["region_code"], region, reason))
    if problems:
        raise InputValidationError(problems, file)


def _submission_rows(
    batch: IngestBatch,
    period: str,
    batch_id: int,
    fresh: list[int],
    ids: dict[str, int],
    latest: dict[int, tuple[int, str]],
    facts: list[str],
    hashes: list[str],
) -> list[dict[str, Any]]:
    """New submission rows for the ``fresh`` positions of the batch (next version of each)."""
    usccs = batch.frame.index.tolist()
    identity = {c: repo.nullable_text(batch.frame[c].tolist()) for c in IDENTITY}
    overridden, stamp = set(batch.overridden_uscc), repo.now()
    return [
        {
            "enterprise_id": ids[usccs[k]],
            "period": period,
            "version": latest.get(ids[usccs[k]], (0, ""))[0] + 1,
            "uscc": usccs[k],
            "batch_id": batch_id,
            "source_row": batch.source_rows[k],
            "content_hash": hashes[k],
            **{c: identity[c][k] for c in IDENTITY},
            "uscc_override": usccs[k] in overridden,
            "facts": facts[k],
            "submitted_at": stamp,
        }
        for k in fresh
    ]
