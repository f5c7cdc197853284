"""Reads and appends on the store. Every function takes an open connection;
the caller (lrc.service) owns the transaction, so a failure leaves nothing
half-written."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from lrc.errors import ConflictError
from lrc.store.tables import (
    CatalogueVersion,
    Enterprise,
    IngestBatch,
    ScoreResult,
    ScoreRun,
    Submission,
)

CHUNK = 5_000


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One transaction for a whole write. If another writer got there first (same new
    enterprise, same submission version, a locked SQLite file), nothing is kept and the
    user is told to try again."""
    try:
        with engine.begin() as conn:
            yield conn
    except IntegrityError as exc:
        raise ConflictError(
            "另一个导入或评分同时写入了相同的数据,本次未写入任何内容,请重试 (concurrent write, nothing stored; retry)"
        ) from exc
    except OperationalError as exc:
        if "locked" in str(exc).lower():
            raise ConflictError("数据库正被其他任务写入,本次未写入任何内容,请稍后重试 (database busy; retry)") from exc
        raise


def now() -> datetime:
    return datetime.now(UTC)


def nullable_text(values: Iterable[Any]) -> list[str | None]:
    """Text for the database: pandas' NaN/NA become None (NULL), never the string 'NaN'."""
    return [None if v is None or pd.isna(v) else str(v) for v in values]


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def ensure_catalogue(conn: Connection, version: str, content_hash: str, document: str) -> None:
    exists = conn.scalar(select(CatalogueVersion.content_hash).where(CatalogueVersion.content_hash == content_hash))
    if exists is None:
        conn.execute(
            insert(CatalogueVersion).values(
                content_hash=content_hash, version=version, document=document, stored_at=now()
            )
        )


def catalogue_document(conn: Connection, content_hash: str) -> tuple[str, str] | None:
    row = conn.execute(
        select(CatalogueVersion.version, CatalogueVersion.document).where(CatalogueVersion.content_hash == content_hash)
    ).first()
    return (row.version, row.document) if row else None


def enterprise_ids(conn: Connection, usccs: Sequence[str], create: bool) -> dict[str, int]:
    """Ids of the given codes, inserting the unknown ones when ``create``."""
    ids: dict[str, int] = {}
    if len(usccs) > CHUNK:  # a big file: one scan of the table beats many large IN lists
        wanted = set(usccs)
        rows = conn.execute(select(Enterprise.uscc, Enterprise.id))
        ids.update({r.uscc: r.id for r in rows if r.uscc in wanted})
    else:
        rows = conn.execute(select(Enterprise.uscc, Enterprise.id).where(Enterprise.uscc.in_(usccs)))
        ids.update({r.uscc: r.id for r in rows})
    missing = [u for u in usccs if u not in ids]
    if missing and create:
        stamp = now()
        for part in chunks(missing):
            conn.execute(insert(Enterprise), [{"uscc": u, "created_at": stamp} for u in part])
        ids.update(enterprise_ids(conn, missing, create=False))
    return ids


def _latest_versions(period: str) -> Any:
    """Subquery: each enterprise's newest submission version in ``period``."""
    return (
        select(Submission.enterprise_id, func.max(Submission.version).label("version"))
        .where(Submission.period == period)
        .group_by(Submission.enterprise_id)
        .subquery()
    )


def latest_hashes(conn: Connection, period: str, ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """enterprise id -> (latest version, its content hash) in ``period``."""
    latest = _latest_versions(period)
    wanted = set(ids)
    rows = conn.execute(
        select(Submission.enterprise_id, Submission.version, Submission.content_hash)
        .join(
            latest,
            (Submission.enterprise_id == latest.c.enterprise_id) & (Submission.version == latest.c.version),
        )
        .where(Submission.period == period)
    )
    return {r.enterprise_id: (r.version, r.content_hash) for r in rows if r.enterprise_id in wanted}


def _new_id(conn: Connection, statement: Any) -> int:
    key = conn.execute(statement).inserted_primary_key
    if key is None:
        raise RuntimeError("the database returned no primary key")
    return int(key[0])


def add_batch(conn: Connection, **values: Any) -> int:
    return _new_id(conn, insert(IngestBatch).values(ingested_at=now(), **values))


def add_submissions(conn: Connection, rows: list[dict[str, Any]], progress: Any = None) -> None:
    for part in chunks(rows):
        conn.execute(insert(Submission), list(part))
        if progress:
            progress(len(part))


def latest_submissions(conn: Connection, period: str) -> pd.DataFrame:
    """The newest version of every enterprise's submission for ``period``."""
    latest = _latest_versions(period)
    query = (
        select(Submission.uscc, Submission.enterprise_id, *_submission_columns())
        .join(IngestBatch, IngestBatch.id == Submission.batch_id)
        .join(
            latest,
            (Submission.enterprise_id == latest.c.enterprise_id) & (Submission.version == latest.c.version),
        )
        .where(Submission.period == period)
        .order_by(Submission.uscc)
    )
    return _frame(conn, query).set_index("uscc")


def _submission_columns() -> tuple[Any, ...]:
    """What scoring and verification read of a submission: identity as submitted, the hash,
    the facts and the field order of its batch."""
    return (
        Submission.id.label("submission_id"),
        Submission.content_hash,
        Submission.name,
        Submission.region_code,
        Submission.industry,
        Submission.size,
        Submission.ownership,
        Submission.facts,
        IngestBatch.fields,
    )


def submissions_by_id(conn: Connection, ids: Sequence[int]) -> pd.DataFrame:
    """Submissions with the USCC each was submitted under and its enterprise's USCC (verify compares both)."""
    frames = [
        _frame(
            conn,
            select(
                *_submission_columns(),
                Submission.uscc.label("submitted_uscc"),
                Enterprise.uscc.label("enterprise_uscc"),
            )
            .join(IngestBatch, IngestBatch.id == Submission.batch_id)
            .join(Enterprise, Enterprise.id == Submission.enterprise_id)
            .where(Submission.id.in_(part)),
        )
        for part in chunks(list(ids))
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def add_run(conn: Connection, **values: Any) -> int:
    return _new_id(conn, insert(ScoreRun).values(**values))


def add_results(conn: Connection, rows: list[dict[str, Any]], progress: Any = None) -> None:
    for part in chunks(rows):
        conn.execute(insert(ScoreResult), list(part))
        if progress:
            progress(len(part))


def runs(conn: Connection, period: str | None = None) -> pd.DataFrame:
    query = select(ScoreRun).order_by(ScoreRun.id)
    if period:
        query = query.where(ScoreRun.period == period)
    return _frame(conn, query)


MAX_ID = 2**31 - 1  # ids are INTEGER columns; a larger number names no row (and would overflow the driver)


def run_row(conn: Connection, run_id: int) -> Any:
    if not 1 <= run_id <= MAX_ID:
        return None
    return conn.execute(select(ScoreRun).where(ScoreRun.id == run_id)).first()


def latest_run_id(conn: Connection, period: str) -> int | None:
    return conn.scalar(select(func.max(ScoreRun.id)).where(ScoreRun.period == period))


def periods(conn: Connection) -> list[str]:
    """Periods with at least one submission, oldest first."""
    return list(conn.scalars(select(Submission.period).distinct().order_by(Submission.period)))


def scored_periods(conn: Connection) -> list[str]:
    return list(conn.scalars(select(ScoreRun.period).distinct().order_by(ScoreRun.period)))


RESULT_COLUMNS = (
    "uscc",
    "name",
    "region_code",
    "city_code",
    "industry",
    "size",
    "ownership",
    "headcount",
    "total",
    "grade",
    "red_line",
    "completeness",
)


def results(
    conn: Connection,
    run_id: int,
    columns: Sequence[str] = RESULT_COLUMNS,
    uscc: str | None = None,
) -> pd.DataFrame:
    table = ScoreResult.__table__
    query = select(*[table.c[c] for c in columns]).where(table.c.run_id == run_id)
    if uscc is not None:
        query = query.where(table.c.uscc == uscc)
    return _frame(conn, query)


def _frame(conn: Connection, query: Any) -> pd.DataFrame:
    """Rows as a frame. Columns are built one at a time (about twice as fast as letting
    pandas transpose the row tuples), with the same dtypes pandas would infer."""
    result = conn.execute(query)
    keys, rows = list(result.keys()), result.fetchall()
    if not rows:
        return pd.DataFrame(columns=keys)
    columns = zip(*rows, strict=True)
    return pd.DataFrame({k: np.array(v, dtype=object) for k, v in zip(keys, columns, strict=True)}).infer_objects()
