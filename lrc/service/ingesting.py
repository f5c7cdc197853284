"""Ingest service: validate a file, then append new submission versions in one transaction."""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from indicators import Catalogue, load_catalogue
from lrc.ingest import IngestBatch, read_records
from lrc.periods import check_period
from lrc.store import facts_codec, require_schema
from lrc.store import repository as repo

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


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def content_hashes(frame: pd.DataFrame, facts: list[str]) -> list[str]:
    columns = [frame[c].astype("string").fillna("").tolist() for c in IDENTITY]
    keys = ["\x1f".join(values) for values in zip(*columns, strict=True)]
    return [hashlib.sha256(f"{k}\x1e{f}".encode()).hexdigest() for k, f in zip(keys, facts, strict=True)]


def ingest_file(
    engine: Engine,
    path: Path,
    period: str,
    *,
    actor: str | None = None,
    accept_uscc: frozenset[str] = frozenset(),
    catalogue: Catalogue | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Validate ``path`` whole, then store every new or changed submission.

    A file with any bad row raises InputValidationError before anything is
    written; an enterprise whose facts are unchanged gets no new version, so
    ingesting the same file twice leaves the same state."""
    period = check_period(period)
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    batch = read_records(Path(path), catalogue, period=period, accept_uscc=accept_uscc)
    facts = facts_codec.encode(batch.frame, catalogue)
    hashes = content_hashes(batch.frame, facts)
    usccs = batch.frame.index.tolist()
    batch_id = None
    with repo.writing(engine) as conn:
        ids = repo.enterprise_ids(conn, usccs, create=False)
        latest = repo.latest_hashes(conn, period, ids.values())
        fresh = [k for k, u in enumerate(usccs) if u not in ids or latest.get(ids[u], (0, ""))[1] != hashes[k]]
        if fresh:
            ids.update(repo.enterprise_ids(conn, [usccs[k] for k in fresh], create=True))
            batch_id = repo.add_batch(
                conn,
                period=period,
                file_name=Path(path).name,
                file_sha256=batch.sha256,
                fields=json.dumps(facts_codec.field_names(batch.frame, catalogue)),
                rows=len(usccs),
                new_versions=len(fresh),
                actor=actor or default_actor(),
            )
            rows = _submission_rows(batch, period, batch_id, fresh, ids, latest, facts, hashes)
            repo.add_submissions(conn, rows, progress)
    return IngestSummary(
        file=str(path),
        period=period,
        rows=len(usccs),
        new_versions=len(fresh),
        unchanged=len(usccs) - len(fresh),
        batch_id=batch_id,
        overridden_uscc=list(batch.overridden_uscc),
    )


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
