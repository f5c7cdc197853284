"""Reads and appends on the store. Every function takes an open connection;
the caller (lrc.service) owns the transaction, so a failure leaves nothing
half-written."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Table, and_, func, insert, or_, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from lrc.errors import ConflictError
from lrc.normalise import document_number, spellings
from lrc.periods import period_key
from lrc.scope import Scope
from lrc.store.catalogue_items import ensure_items
from lrc.store.columns import RECORD_FIELDS, RESULT_COLUMNS
from lrc.store.driver import in_transaction
from lrc.store.match_counts import match_count
from lrc.store.period_order import period_order
from lrc.store.ranking_sql import (
    LATER_MAX,
    PK_INDEX,
    Conditions,
    FilterValues,
    filter_sql,
    first_totals_sql,
    scope_sql,
)
from lrc.store.ranking_sql import where as where_sql
from lrc.store.sql_text import CHUNK, MAX_ID, PARAMETER, chunks, in_list
from lrc.store.tables import (
    CatalogueVersion,
    Enterprise,
    IngestBatch,
    Record,
    RecordClosure,
    RecordDelivery,
    ScoreResult,
    ScoreRun,
    Submission,
)

log = logging.getLogger(__name__)
SQLITE_MATERIALIZED = sqlite3.sqlite_version_info >= (3, 35, 0)  # older: the same answer, the planner's order

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has none: SQLite's own locking alone there
    fcntl = None  # type: ignore[assignment]


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One transaction for a whole write. If another writer got there first (same new
    enterprise, same submission version, a locked SQLite file), nothing is kept and the
    user is told to try again."""
    try:
        with one_sqlite_writer(engine), engine.begin() as conn:
            yield conn
    except IntegrityError as exc:
        raise ConflictError(
            "另一个导入或评分同时写入了相同的数据,本次未写入任何内容,请重试 (concurrent write, nothing stored; retry)"
        ) from exc
    except OperationalError as exc:
        if "locked" in str(exc).lower():
            raise ConflictError("数据库正被其他任务写入,本次未写入任何内容,请稍后重试 (database busy; retry)") from exc
        raise


@contextmanager
def one_sqlite_writer(engine: Engine) -> Iterator[None]:
    """On a SQLite file, one write transaction at a time across processes (the API's workers, a CLI run),
    queued on a kernel lock beside the file. SQLite's own lock makes a second writer poll and sleep (up to
    100 ms a turn), or fail outright when its snapshot went stale; a queued writer starts as soon as the
    one before it ends. PostgreSQL needs none of this."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or fcntl is None:
        yield
        return
    fd = os.open(f"{database}.writer", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def now() -> datetime:
    return datetime.now(UTC)


def nullable_text(values: Iterable[Any]) -> list[str | None]:
    """Text for the database: pandas' NaN/NA become None (NULL), never the string 'NaN'. A column's
    ``tolist`` first: iterating pandas' Arrow-backed text makes each value four times slower."""
    listed = values.tolist() if isinstance(values, pd.Series | pd.Index) else values
    return [v if type(v) is str else None if v is None or pd.isna(v) else str(v) for v in listed]


def ensure_catalogue(conn: Connection, version: str, content_hash: str, document: str) -> None:
    """Store a catalogue copy once, with its items and indicators as rows for SQL readers."""
    exists = conn.scalar(select(CatalogueVersion.content_hash).where(CatalogueVersion.content_hash == content_hash))
    if exists is None:
        conn.execute(
            insert(CatalogueVersion).values(
                content_hash=content_hash, version=version, document=document, stored_at=now()
            )
        )
    ensure_items(conn, content_hash, version, document)


def catalogue_document(conn: Connection, content_hash: str) -> tuple[str, str] | None:
    row = conn.execute(
        select(CatalogueVersion.version, CatalogueVersion.document).where(CatalogueVersion.content_hash == content_hash)
    ).first()
    return (row.version, row.document) if row else None


def enterprise_ids(conn: Connection, usccs: Sequence[str]) -> dict[str, int]:
    """Ids of the given codes that are known. Many codes against a table not much larger are found by one
    scan; fewer by the unique index a part at a time (a file read in chunks asks for each chunk's codes: a
    scan of a million enterprises per chunk would cost more than it)."""
    ids: dict[str, int] = {}
    wanted = list(usccs)
    if len(wanted) > CHUNK and 4 * len(wanted) >= (conn.scalar(select(func.count()).select_from(Enterprise)) or 0):
        chosen = set(wanted)
        ids.update({r.uscc: r.id for r in conn.execute(select(Enterprise.uscc, Enterprise.id)) if r.uscc in chosen})
    else:
        for part in chunks(wanted):
            rows = conn.execute(select(Enterprise.uscc, Enterprise.id).where(Enterprise.uscc.in_(part)))
            ids.update({r.uscc: r.id for r in rows})
    return ids


def add_enterprises(conn: Connection, usccs: Sequence[str]) -> dict[str, int]:
    """Append the enterprises of codes the caller has just looked up and not found (``enterprise_ids``, in
    its transaction), and return their ids: appended in bulk, then read back above the highest id before
    them. They are not looked up again (at 1M, 2 s of a 44 s ingest); a concurrent writer that added one
    of them meanwhile breaks the unique index, and ``writing`` says to retry."""
    missing = list(dict.fromkeys(usccs))
    if not missing:
        return {}
    before = conn.scalar(select(func.max(Enterprise.id))) or 0
    stamp = now()
    bulk_insert(conn, cast(Table, Enterprise.__table__), [{"uscc": u, "created_at": stamp} for u in missing])
    if conn.dialect.name == "sqlite":  # one writer (``writing``): the rows took the next ids, in order
        span = conn.execute(select(func.count(), func.max(Enterprise.id)).where(Enterprise.id > before)).one()
        if tuple(span) == (len(missing), before + len(missing)):
            return dict(zip(missing, range(before + 1, before + len(missing) + 1), strict=True))
    added = set(missing)
    rows = conn.execute(select(Enterprise.uscc, Enterprise.id).where(Enterprise.id > before))
    return {r.uscc: r.id for r in rows if r.uscc in added}


def latest_hashes(conn: Connection, period: str, ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """enterprise id -> (latest version, its content hash) in ``period``, looked up a part at a time."""
    found: dict[int, tuple[int, str]] = {}
    for part in chunks(sorted(set(ids))):
        query = select(Submission.enterprise_id, Submission.version, Submission.content_hash)
        rows = conn.execute(_newest_submissions(query, period, part, ordered=False))
        found.update({r.enterprise_id: (r.version, r.content_hash) for r in rows})
    return found


def _new_id(conn: Connection, statement: Any) -> int:
    key = conn.execute(statement).inserted_primary_key
    if key is None:
        raise RuntimeError("the database returned no primary key")
    return int(key[0])


def add_batch(conn: Connection, id: int | None = None, **values: Any) -> int:  # noqa: A002 - the column's name
    """Append an ingest batch row, under ``id`` when ``reserve_batch`` gave one."""
    if id is not None:
        values["id"] = id
    return _new_id(conn, insert(IngestBatch).values(ingested_at=now(), **values))


@dataclass(frozen=True)
class BoundRows:
    """Rows as the database driver takes them: a tuple of the values of ``names`` each, every value through
    its column type's bind processor (``bound_columns``). Made where the rows are built (a period run's
    second process), so that the writer only writes them."""

    names: tuple[str, ...]
    values: list[tuple[Any, ...]]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.names, v, strict=True)) for v in self.values]


def bound_columns(
    dialect: Any, table: Table, columns: dict[str, list[Any]], order_by: str | None = None
) -> BoundRows:
    """``columns`` (name -> values, all of one length) as ``BoundRows`` for ``dialect``, a column at a time,
    in the order of the values of ``order_by`` when given."""
    bound = dict(columns)
    for name, values in columns.items():
        proc = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            once = _same_value_once(proc)
            bound[name] = [None if v is None else once(v) for v in values]
    rows = list(zip(*bound.values(), strict=True))
    if order_by is not None:
        position = list(columns).index(order_by)
        rows.sort(key=lambda row: row[position])
    return BoundRows(tuple(columns), rows)


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], progress: Any = None) -> None:
    """Append many rows (every one with the same keys, every column given) through the driver: COPY on
    PostgreSQL, executemany on tuples elsewhere (SQLAlchemy's per-row parameter handling cost as much as
    SQLite's insert). Values go through each column type's bind processor (datetimes on SQLite), as
    SQLAlchemy would send them."""
    if not rows:
        return
    names = list(rows[0])
    dialect = conn.dialect
    processors = [(k, table.c[n].type.dialect_impl(dialect).bind_processor(dialect)) for k, n in enumerate(names)]
    processors = [(k, _same_value_once(proc)) for k, proc in processors if proc is not None]
    values = [tuple(row.values()) for row in rows]
    if processors:
        values = [tuple(_processed(v, processors)) for v in values]
    insert_bound(conn, table, BoundRows(tuple(names), values), progress)


def insert_bound(conn: Connection, table: Table, rows: BoundRows, progress: Any = None) -> None:
    """Append ``rows`` (``BoundRows`` for this connection's dialect) through the driver, as ``bulk_insert``."""
    dialect, names = conn.dialect, rows.names
    if dialect.name == "postgresql":  # COPY, on the transaction's own connection: several times faster
        raw: Any = conn.connection.driver_connection
        statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
        try:
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for part in chunks(rows.values):
                    for cells in part:
                        copy.write_row(cells)
                    if progress:
                        progress(len(part))
        except dialect.loaded_dbapi.Error as exc:  # as SQLAlchemy gives it (a duplicate: IntegrityError)
            raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error, dialect=dialect) from None
        return
    marks = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([marks] * len(names))})"  # noqa: S608
    for part in chunks(rows.values):
        conn.exec_driver_sql(sql, part)
        if progress:
            progress(len(part))


def _processed(values: tuple[Any, ...], processors: list[tuple[int, Any]]) -> list[Any]:
    out = list(values)
    for k, proc in processors:
        if out[k] is not None:
            out[k] = proc(out[k])
    return out


def _same_value_once(proc: Any) -> Any:
    """``proc`` that formats the same object as the row before only once: the rows of one write share their
    timestamp object (SQLite's datetime formatting was 7% of a province's ingest). Identity, not equality:
    equal values of other types (1 and True, 1 and 1.0) may format differently."""
    last: list[Any] = [object(), None]

    def processed(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, proc(value)
        return last[1]

    return processed


def add_submissions(conn: Connection, rows: list[dict[str, Any]], progress: Any = None) -> None:
    bulk_insert(conn, cast(Table, Submission.__table__), rows, progress)


def reserve_batch(conn: Connection) -> int:
    """An ingest batch id for submissions written before their batch row, which ``add_batch(conn, id=…)``
    appends later in the same transaction (a file read in chunks: the row names the file's counts, known
    after the last chunk, and the table is append-only). The transaction checks the submissions' reference
    to it at commit (migration 0020). On SQLite the next id is the highest plus one: ``writing`` lets one
    writer at a time in, and nothing is ever deleted from the table."""
    if conn.dialect.name == "postgresql":
        batch_id = conn.scalar(text("SELECT nextval(pg_get_serial_sequence('ingest_batches', 'id'))"))
        conn.exec_driver_sql("SET CONSTRAINTS submissions_batch_id_fkey DEFERRED")
    else:
        batch_id = (conn.scalar(select(func.max(IngestBatch.id))) or 0) + 1
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # until this transaction ends
    return int(batch_id)


def latest_submissions(conn: Connection, period: str, enterprise_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """The newest version of every enterprise's (or only ``enterprise_ids``') submission for ``period``."""
    query = select(Submission.uscc, Submission.enterprise_id, *_submission_columns())
    frame = _frame(conn, _newest_submissions(query, period, enterprise_ids))
    return _with_fields(conn, frame).set_index("uscc")


# A submission that is its enterprise's newest of ``:period``: no later version of the period follows it (one
# look-up along the (enterprise, period, version) key; a join to each enterprise's grouped maximum took 2.5
# times as long on SQLite at 1M, sorting the period's submissions to group them).
NEWEST_OF_PERIOD = (
    "submissions.period = :period AND NOT EXISTS (SELECT 1 FROM submissions later WHERE later.enterprise_id ="
    " submissions.enterprise_id AND later.period = :period AND later.version > submissions.version)"
)


def _newest_submissions(
    query: Any, period: str, enterprise_ids: Sequence[int] | None = None, *, ordered: bool = True
) -> Any:
    """``query`` over submissions kept to each enterprise's newest version in ``period`` (``NEWEST_OF_PERIOD``;
    of ``enterprise_ids`` if given; by USCC when ``ordered``)."""
    query = query.where(text(NEWEST_OF_PERIOD).bindparams(period=period))
    if enterprise_ids is not None:
        query = query.where(Submission.enterprise_id.in_(list(enterprise_ids)))
    return query.order_by(Submission.uscc) if ordered else query


def latest_submission_keys(conn: Connection, period: str) -> pd.DataFrame:
    """What a period run reads of every enterprise's newest submission before its facts, by USCC in order:
    ``enterprise_id``, ``submission_id``, ``content_hash`` and ``batch_id``. Read through the driver and
    sorted here: at 1M on SQLite 5 s where the same query through SQLAlchemy, sorted by SQLite, took 10 s
    (``tests/test_store.py`` holds it equal to the grouped maximum)."""
    sql = (
        "SELECT uscc, enterprise_id, id AS submission_id, content_hash, batch_id FROM submissions"
        f" WHERE {NEWEST_OF_PERIOD}"
    )
    names, rows = in_transaction(conn).named_rows(sql, {"period": period})
    if not rows:
        return pd.DataFrame(columns=names).set_index("uscc")
    return pd.DataFrame.from_records(rows, columns=names).set_index("uscc").sort_index()


def batch_fields(conn: Connection, batch_ids: Sequence[int]) -> list[str]:
    """The distinct ``fields`` documents (JSON lists of fact names) of some ingest batches."""
    found: set[str] = set()
    for part in chunks([int(b) for b in batch_ids]):
        found.update(conn.scalars(select(IngestBatch.fields).where(IngestBatch.id.in_(part)).distinct()))
    return sorted(found)


def submission_facts(conn: Connection, ids: Sequence[int]) -> pd.DataFrame:
    """Identity as submitted, facts and field order of some submissions, indexed by submission id (not their
    hashes: a period run has them from ``latest_submission_keys``, and 64 MB of text a million)."""
    names = [str(c.key) for c in _submission_columns() if c.key not in ("submission_id", "content_hash")]
    listed = ", ".join(("id AS submission_id", *names))  # the key under the name the columns give it
    store, frames = in_transaction(conn), []
    for part in chunks(list(ids)):  # through the driver: SQLAlchemy's rows were a fifth of a period run's reading
        values, params = in_list("id", part)
        found, rows = store.named_rows(f"SELECT {listed} FROM submissions WHERE id IN {values}", params)  # noqa: S608
        frames.append(pd.DataFrame.from_records(rows, columns=found) if rows else pd.DataFrame(columns=found))
    return _with_fields(conn, _joined(frames)).set_index("submission_id")


def _submission_columns() -> tuple[Any, ...]:
    """What scoring and verification read of a submission: identity as submitted, the hash, the facts and
    its batch (``_with_fields`` puts the batch's field order in its place)."""
    return (
        Submission.id.label("submission_id"),
        Submission.content_hash,
        Submission.name,
        Submission.region_code,
        Submission.industry,
        Submission.size,
        Submission.ownership,
        Submission.facts,
        Submission.batch_id,
    )


def _with_fields(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (rows of ``_submission_columns``) with its ``batch_id`` replaced by the batch's ``fields``
    document, read once a batch and kept as a category. Joined in SQL, the same 1.7 kB of JSON came with
    every row: 1.7 GB read and made into text for a province (41% of a period run on PostgreSQL)."""
    batches = frame.pop("batch_id")
    if frame.empty:
        frame["fields"] = pd.Series(dtype=object)
        return frame
    codes, ids = pd.factorize(batches.astype("int64"))
    found: dict[int, str] = {}
    for part in chunks(ids.tolist()):  # bounded IN lists: a period of web-form submissions has a batch each
        found.update(conn.execute(select(IngestBatch.id, IngestBatch.fields).where(IngestBatch.id.in_(part))).all())
    documents, distinct = pd.factorize(np.array([found[int(i)] for i in ids], dtype=object))  # batches alike
    frame["fields"] = pd.Categorical.from_codes(documents[codes], categories=distinct)
    return frame


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
            .join(Enterprise, Enterprise.id == Submission.enterprise_id)
            .where(Submission.id.in_(part)),
        )
        for part in chunks(list(ids))
    ]
    return _with_fields(conn, _joined(frames)) if frames else pd.DataFrame()


def _joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames read a part at a time, as one (a single part as it is: a concat costs a rescoring ~0.3 ms)."""
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def add_run(conn: Connection, **values: Any) -> int:
    return _new_id(conn, insert(ScoreRun).values(**values))


def result_values(dialect: Any, columns: dict[str, list[Any]]) -> BoundRows:
    """Result rows (``runs.result_columns``) bound for ``dialect``, in enterprise id order: each row's foreign
    keys and the primary key are then looked up in the order of the enterprises' and submissions' own ids,
    not at random (a slice comes in USCC order). 1M rows into an empty copy of the table on PostgreSQL: the
    server's COPY 56 s in USCC order, 42 s so. ``lrc score`` of 1M, two interleaved pairs (README): SQLite 4
    to 11% faster, PostgreSQL 9 to 13%."""
    return bound_columns(dialect, cast(Table, ScoreResult.__table__), columns, order_by="enterprise_id")


def add_results(conn: Connection, rows: BoundRows, progress: Any = None) -> None:
    """Append result rows (``result_values``)."""
    insert_bound(conn, cast(Table, ScoreResult.__table__), rows, progress)


def runs(
    conn: Connection, period: str | None = None, kind: str | None = "period", scope: Scope | None = None
) -> pd.DataFrame:
    """Score runs, oldest first: the runs that scored a whole period by default, every run with ``kind=None``.
    With a ``scope`` narrower than the province, the period runs (province-wide acts) and only those later runs
    (records, submission, objection, repair, expiry, removal, import) that hold a result inside it."""
    query = select(ScoreRun).order_by(ScoreRun.id)
    if period:
        query = query.where(ScoreRun.period == period)
    if kind:
        query = query.where(ScoreRun.kind == kind)
    if scope is not None and not scope.everything:
        query = query.where(or_(ScoreRun.kind == "period", _holds_result_in(scope)))
    frame = _frame(conn, query)
    frame["cause_id"] = frame["cause_id"].astype("Int64")  # an id, or none: never 1.0 (NaN made it float)
    return frame


def _holds_result_in(scope: Scope) -> Any:
    """A condition on ``score_runs``: the run holds a result of an enterprise inside ``scope`` (one look-up
    along the ranking index, which starts with the run id and holds the region code and USCC)."""
    table = ScoreResult.__table__
    inside = scope_conditions(scope, table.c.region_code, table.c.uscc)
    return select(table.c.run_id).where(table.c.run_id == ScoreRun.id, *inside).exists()


@dataclass(frozen=True)
class RunRange:
    """The runs of ``period`` with ids ``first`` to ``last``: a period run and the one-enterprise
    rescoring runs after it. A snapshot: ``last`` is the newest when it was read, so it keys caches."""

    period: str
    first: int
    last: int


Runs = int | Sequence[int] | RunRange


def current_runs(conn: Connection, run: Any) -> RunRange:
    """A period run and the one-enterprise rescoring runs of its period made after it (and before the
    next period run), caused by a record or a submission: together they hold the current result of
    each of its enterprises. Queries name the range, never the (growing) list of its runs."""
    if run.kind != "period":
        return RunRange(run.period, run.id, run.id)
    # one statement: this is asked for by every read of current results
    return RunRange(run.period, run.id, conn.scalar(_range_last(run.period, run.id)) or run.id)


def _range_last(period: str, first: Any) -> Any:
    """The newest one-enterprise run of ``period`` after the period run ``first`` (an id, or an expression
    giving one) and before the next period run; NULL when there is none."""
    next_full = (
        select(func.min(ScoreRun.id))
        .where(ScoreRun.period == period, ScoreRun.kind == "period", ScoreRun.id > first)
        .scalar_subquery()
    )
    return select(func.max(ScoreRun.id)).where(
        ScoreRun.period == period,
        ScoreRun.kind != "period",
        ScoreRun.id > first,
        ScoreRun.id < func.coalesce(next_full, MAX_ID + 1),
    )


def _period_key(period: str) -> Any:
    return func.hashtext(f"lrc-period:{period}")


def refresh_statistics(engine: Engine, tables: Sequence[str], *, vacuum: bool = True) -> None:
    """After a bulk write on PostgreSQL, its planner statistics for ``tables`` (a sample: about a second at a
    million rows) and, with ``vacuum``, their visibility maps (so a count reads an index alone, without
    visiting each row). Autovacuum does this in time, unless it is off or behind: planned on the counts of an
    empty store, a read may walk a whole table. SQLite plans without statistics, by its indexes."""
    if engine.dialect.name != "postgresql":
        return
    command = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in tables:
                conn.exec_driver_sql(f'{command} "{name}"')  # names of this module's tables, never input
    except SQLAlchemyError:  # what was written is committed; the statistics wait for autovacuum
        log.warning("%s %s failed", command, ",".join(tables), exc_info=True)


STATISTICS_EVERY = 1000  # run ids between two refreshes of the statistics of what one-enterprise runs grow
GROWN_BY_RESCORING = ("score_runs", "alerts", "records")


def keep_statistics(conn: Connection, run_id: int) -> threading.Thread | None:
    """On PostgreSQL, at every ``STATISTICS_EVERY``-th run id, the planner statistics of the tables each
    one-enterprise run adds rows to, refreshed beside the caller (returned: the thread doing it). Planned on
    counts from before thousands of rescorings (autovacuum off or behind), a read of a period's newest run
    walked every one-enterprise run of the period instead of a step back along the ids (1.1 ms after 3,000,
    0.07 ms with fresh statistics), and an open-alert check every alert of its rule. The large tables
    (results, submissions) hardly change in proportion between period runs, which refresh them."""
    if conn.dialect.name != "postgresql" or run_id % STATISTICS_EVERY:
        return None
    job = threading.Thread(target=_refresh_once_committed, args=(conn.engine, run_id), name="lrc-stats", daemon=True)
    job.start()
    return job


def _refresh_once_committed(engine: Engine, run_id: int, wait: float = 60.0) -> None:
    """``refresh_statistics`` of ``GROWN_BY_RESCORING`` once run ``run_id`` is committed (so the counts take in
    the run that asked); nothing if it is not within ``wait`` seconds (rolled back, or a long transaction)."""
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if conn.scalar(select(ScoreRun.id).where(ScoreRun.id == run_id)) is not None:
                    break
            time.sleep(0.2)
        else:
            return
    except SQLAlchemyError:
        log.warning("statistics not refreshed after run %s", run_id, exc_info=True)
        return
    refresh_statistics(engine, GROWN_BY_RESCORING, vacuum=False)


def hold_period(conn: Connection, period: str) -> None:
    """Mark ``conn``'s transaction, until it ends, as one adding a run of ``period`` (call it before the run's
    id is drawn). On PostgreSQL a shared advisory lock, which ``settled_runs`` waits for: a transaction that drew
    a smaller id may commit after one that drew a larger. SQLite commits one writer at a time, in id order."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock_shared(_period_key(period))))


def settled_runs(engine: Engine, run: Any) -> RunRange:
    """``current_runs`` of a period run once every run of the range is committed (none of its ids will appear
    later): what is kept up to date through the range's ``last`` can then be brought forward from it alone.
    PostgreSQL: taken while no transaction holds ``hold_period`` for the period (a moment's exclusive lock)."""
    with engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            return current_runs(conn, run)
        key = _period_key(run.period)
        conn.execute(select(func.pg_advisory_lock(key)))
        try:
            return current_runs(conn, run)
        finally:
            conn.execute(select(func.pg_advisory_unlock(key)))
            conn.commit()


def rescored_enterprises(conn: Connection, period: str, after: int, upto: int) -> list[int]:
    """The enterprises with a result in a one-enterprise run of ``period`` with an id above ``after``, up to
    ``upto``."""
    query = (
        select(ScoreResult.enterprise_id)
        .distinct()
        .join(ScoreRun, ScoreRun.id == ScoreResult.run_id)
        .where(ScoreResult.run_id > after, ScoreResult.run_id <= upto, ScoreRun.period == period)
        .where(ScoreRun.kind != "period")
    )
    return [int(e) for e in conn.scalars(query)]


def _one_run(runs: Runs) -> bool:
    if isinstance(runs, int):
        return True
    return runs.first == runs.last if isinstance(runs, RunRange) else len(runs) == 1


def _in_runs(column: Any, runs: Runs) -> list[Any]:
    """Conditions keeping rows of ``runs`` (by their run id ``column``)."""
    if isinstance(runs, int):
        return [column == runs]
    if not isinstance(runs, RunRange):
        return [column == runs[0]] if len(runs) == 1 else [column.in_(list(runs))]
    if runs.first == runs.last:
        return [column == runs.first]
    ids = select(ScoreRun.id).where(ScoreRun.period == runs.period, ScoreRun.id >= runs.first, ScoreRun.id <= runs.last)
    return [column >= runs.first, column <= runs.last, column.in_(ids)]


def _newest(query: Any, runs: Runs, *conditions: Any, few: bool = False) -> Any:
    """``query`` on score_results narrowed to ``runs`` (and ``conditions``), keeping each enterprise's
    newest result. The conditions narrow the grouping too, so one enterprise costs an index look-up.

    ``few``: the conditions name a few enterprises. Their rows in the range's ids are then read first (a
    materialised CTE) and only their runs looked up: a planner left to choose may walk every run of the
    period instead, one look-up each (SQLite always did; PostgreSQL did on statistics from before the
    rescorings), which made every one-enterprise read slower with every rescoring, 3 ms after 5,000."""
    table = ScoreResult.__table__
    query = query.where(*conditions)
    if _one_run(runs):
        return query.where(*_in_runs(table.c.run_id, runs))
    if few and isinstance(runs, RunRange):
        mine = (
            select(table.c.enterprise_id, table.c.run_id)
            .where(table.c.run_id >= runs.first, table.c.run_id <= runs.last, *conditions)
            .cte("mine")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        if SQLITE_MATERIALIZED:
            mine = mine.prefix_with("MATERIALIZED", dialect="sqlite")
        newest = (
            select(mine.c.enterprise_id, func.max(mine.c.run_id).label("run_id"))
            .select_from(mine.join(ScoreRun.__table__, ScoreRun.id == mine.c.run_id))
            .where(ScoreRun.period == runs.period)
            .group_by(mine.c.enterprise_id)
            .subquery()
        )
    else:
        newest = (
            select(table.c.enterprise_id, func.max(table.c.run_id).label("run_id"))
            .where(*_in_runs(table.c.run_id, runs), *conditions)
            .group_by(table.c.enterprise_id)
            .subquery()
        )
    return query.join(newest, (table.c.enterprise_id == newest.c.enterprise_id) & (table.c.run_id == newest.c.run_id))


def row_exists(conn: Connection, id_column: Any, row_id: int) -> bool:
    """Whether a row of ``id_column``'s table has ``row_id``, whatever scope is asking (to tell a row
    outside the scope, answered as unknown but refused in the audit log, from one that does not exist)."""
    return 1 <= row_id <= MAX_ID and conn.scalar(select(id_column).where(id_column == row_id)) is not None


def run_row(conn: Connection, run_id: int) -> Any:
    if not 1 <= run_id <= MAX_ID:
        return None
    return conn.execute(select(ScoreRun).where(ScoreRun.id == run_id)).first()


def latest_run_id(conn: Connection, period: str) -> int | None:
    """The newest run that scored the whole period."""
    return conn.scalar(_latest_id(period))


def latest_run(conn: Connection, period: str) -> Any:
    """The row of the newest run that scored the whole period (None before its first)."""
    return conn.execute(select(ScoreRun).where(ScoreRun.id == _latest_id(period).scalar_subquery())).first()


def latest_run_range(conn: Connection, period: str) -> tuple[Any, RunRange] | None:
    """``latest_run`` and its ``current_runs`` in one statement (None before the period's first run): what
    every read of one enterprise's current result asks first."""
    latest = _latest_id(period).scalar_subquery()
    last = _range_last(period, latest).scalar_subquery()
    row = conn.execute(select(ScoreRun, last.label("range_last")).where(ScoreRun.id == latest)).first()
    if row is None:
        return None
    return row, RunRange(row.period, row.id, row.range_last or row.id)


def _latest_id(period: str) -> Any:
    return select(func.max(ScoreRun.id)).where(ScoreRun.period == period, ScoreRun.kind == "period")


def periods(conn: Connection) -> list[str]:
    """Periods with at least one submission, oldest first."""
    return list(conn.scalars(select(Submission.period).distinct().order_by(Submission.period)))


def scored_periods(conn: Connection) -> list[str]:
    """Periods with a period run (a period has results only from its first one; its one-enterprise runs, which
    grow with every record, are not read: ``ix_score_runs_kind_period``)."""
    query = select(ScoreRun.period).where(ScoreRun.kind == "period").distinct().order_by(ScoreRun.period)
    return list(conn.scalars(query))


def results(
    conn: Connection,
    run_id: Runs,
    columns: Sequence[str] = RESULT_COLUMNS,
    uscc: str | None = None,
    enterprise_ids: Sequence[int] | None = None,
    scope: Scope | None = None,
) -> pd.DataFrame:
    """Results of one run, or (a list, or a ``RunRange`` from ``current_runs``) each enterprise's newest
    among those runs; only those inside ``scope`` when given."""
    return _frame(conn, _results_query(run_id, columns, uscc, enterprise_ids, scope))


def current_totals(conn: Connection, runs: RunRange) -> np.ndarray:
    """Each enterprise's newest total among ``runs`` (tenths, in no order): one column, not ``results``' frame."""
    query = _newest(select(ScoreResult.__table__.c.total), runs)
    return np.fromiter(conn.scalars(query), dtype=np.int64)


def _results_query(
    runs: Runs, columns: Sequence[str], uscc: str | None, enterprise_ids: Sequence[int] | None, scope: Scope | None
) -> Any:
    table = ScoreResult.__table__
    conditions = [] if scope is None else scope_conditions(scope, table.c.region_code, table.c.uscc)
    if uscc is not None:
        conditions.append(table.c.uscc == uscc)
    if enterprise_ids is not None:
        conditions.append(table.c.enterprise_id.in_(list(enterprise_ids)))
    few = uscc is not None or enterprise_ids is not None
    query = _newest(select(*[table.c[c] for c in columns]), runs, *conditions, few=few)
    if scope is not None and not scope.everything and isinstance(runs, RunRange) and not _one_run(runs):
        query = query.where(~_newer_result(runs))  # the newest inside the scope, unless a newer one is outside it
    return query


def _newer_result(runs: RunRange) -> Any:
    """A condition on score_results: the row's enterprise has a newer result in ``runs``. Under a scope, each
    enterprise's newest result inside it is current only when none is newer: an enterprise that moved to
    another region by a later submission is that region's, not still the old one's with its old result."""
    table = ScoreResult.__table__
    newer = table.alias("newer")
    return (
        select(newer.c.run_id)
        .where(
            newer.c.enterprise_id == table.c.enterprise_id,
            newer.c.run_id > table.c.run_id,
            newer.c.run_id <= runs.last,
            newer.c.run_id.in_(select(ScoreRun.id).where(ScoreRun.period == runs.period, ScoreRun.id > runs.first)),
        )
        .exists()
    )


def result_of(
    conn: Connection, runs: Runs, columns: Sequence[str], uscc: str, scope: Scope | None = None
) -> dict[str, Any] | None:
    """One enterprise's ``results`` row as a dict (None: no result, or outside ``scope``): no frame for a
    row that one explanation reads."""
    row = conn.execute(_results_query(runs, columns, uscc, None, scope)).mappings().first()
    return None if row is None else dict(row)


def results_of(conn: Connection, run_id: Runs, columns: Sequence[str], enterprise_ids: Sequence[int]) -> pd.DataFrame:
    """``results`` of some enterprises, read a part at a time (an IN list stays within what PostgreSQL and
    SQLite accept); with ``columns`` even when there are none."""
    parts = [results(conn, run_id, columns, enterprise_ids=list(p)) for p in chunks(list(enterprise_ids))]
    parts = [p for p in parts if len(p)]
    return _joined(parts) if parts else pd.DataFrame(columns=list(columns))


def newest_rows(conn: Connection, runs: Runs, columns: Sequence[str], enterprise_ids: Sequence[int]) -> list[tuple]:
    """``results`` of some enterprises as plain tuples (no frame: a rescoring reads a few rows many times)."""
    table = ScoreResult.__table__
    rows: list[tuple] = []
    for part in chunks(list(enterprise_ids)):
        query = _newest(select(*[table.c[c] for c in columns]), runs, table.c.enterprise_id.in_(list(part)), few=True)
        rows.extend(tuple(r) for r in conn.execute(query))
    return rows


def enterprises_with_records(conn: Connection, runs: Runs) -> list[int]:
    """Enterprises with a result in ``runs`` that counted a record (its current result may not: check it)."""
    table = ScoreResult.__table__
    query = (
        select(table.c.enterprise_id)
        .distinct()
        .where(*_in_runs(table.c.run_id, runs), table.c.records.is_not(None), table.c.records != "")
    )
    return sorted(int(v) for v in conn.scalars(query))


def packed(conn: Connection, run_ids: Runs, column: str, scope: Scope) -> list[tuple[str, str]]:
    """(USCC, packed ``items`` or ``level1``) of the current results inside ``scope``, in USCC order."""
    table = ScoreResult.__table__
    conditions = scope_conditions(scope, table.c.region_code, table.c.uscc)
    query = _newest(select(table.c.uscc, table.c[column]), run_ids, *conditions).order_by(table.c.uscc)
    return [(r[0], r[1]) for r in conn.execute(query)]


def _frame(conn: Connection, query: Any) -> pd.DataFrame:
    """Rows as a frame. Columns are built one at a time (about twice as fast as letting
    pandas transpose the row tuples), with the same dtypes pandas would infer."""
    result = conn.execute(query)
    keys, rows = list(result.keys()), result.fetchall()
    if not rows:
        return pd.DataFrame(columns=keys)
    columns = zip(*rows, strict=True)
    return pd.DataFrame({k: np.array(v, dtype=object) for k, v in zip(keys, columns, strict=True)}).infer_objects()


# ---- records -------------------------------------------------------------------------


def lock_enterprises(conn: Connection, ids: Sequence[int]) -> None:
    """Serialise writers of the same enterprises until this transaction ends (PostgreSQL row locks;
    SQLite has one writer at a time and takes its lock at the first write)."""
    if conn.dialect.name == "postgresql" and ids:
        conn.execute(
            select(Enterprise.id).where(Enterprise.id.in_(sorted(ids))).order_by(Enterprise.id).with_for_update()
        )


def records_by_identity(
    conn: Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, str, int, str]]:
    """(source, ref) → (record id, content hash, enterprise id, ref as stored) of the stored ones among ``keys``
    (refs in their one spelling, ``document_number``; a record stored with the year in other brackets or in
    lower case, as earlier versions kept what was typed, is found under it)."""
    found: dict[tuple[str, str], tuple[int, str, int, str]] = {}
    for part in chunks(list(keys), 500):
        refs = sorted({form for _, ref in part for form in spellings(ref)})
        rows = conn.execute(
            select(Record.source, Record.ref, Record.id, Record.content_hash, Record.enterprise_id).where(
                Record.ref.in_(refs)
            )
        )
        wanted = set(part)
        for r in rows:
            key = (r.source, document_number(r.ref))
            if key in wanted and (key not in found or r.id < found[key][0]):  # the first stored, if several
                found[key] = (r.id, r.content_hash, r.enterprise_id, r.ref)
    return found


def add_delivery(conn: Connection, **values: Any) -> int:
    """A delivery of records (``RecordDelivery``'s columns but ``id``); its new id."""
    return _new_id(conn, insert(RecordDelivery).values(**values))


def add_records(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows``; their new ids in the same order."""
    ids: list[int] = []
    for part in chunks(rows, 1_000):
        result = conn.execute(insert(Record).returning(Record.id, sort_by_parameter_order=True), list(part))
        ids.extend(int(r[0]) for r in result)
    return ids


def record_watermark(conn: Connection) -> int:
    """The newest record id this transaction sees (0 when there is none)."""
    return int(conn.scalar(select(func.coalesce(func.max(Record.id), 0))) or 0)


def closure_watermark(conn: Connection) -> int:
    """The newest record closure id this transaction sees (0 when there is none)."""
    return int(conn.scalar(select(func.coalesce(func.max(RecordClosure.id), 0))) or 0)


def watermarks(conn: Connection) -> tuple[int, int]:
    """``record_watermark`` and ``closure_watermark`` in one statement (every rescoring asks for both)."""
    newest = [select(func.coalesce(func.max(t.id), 0)).scalar_subquery() for t in (Record, RecordClosure)]
    row = conn.execute(select(*newest)).one()
    return int(row[0] or 0), int(row[1] or 0)


def add_closures(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert record closures; their new ids in the same order."""
    if not rows:
        return []
    result = conn.execute(insert(RecordClosure).returning(RecordClosure.id, sort_by_parameter_order=True), rows)
    return [int(r[0]) for r in result]


def enterprises_with_open_records(conn: Connection) -> set[int]:
    """Enterprises with a stored record that no closure took out of the count."""
    closed = select(RecordClosure.record_id)
    return {int(v) for v in conn.scalars(select(Record.enterprise_id).distinct().where(Record.id.not_in(closed)))}


def closures_of(conn: Connection, record_ids: Sequence[int]) -> dict[int, Any]:
    """record id → its closure row (cause, effective_from, case_id, ref, actor, at), for the closed ones."""
    found: dict[int, Any] = {}
    for part in chunks(list(record_ids)):
        rows = conn.execute(select(RecordClosure).where(RecordClosure.record_id.in_(list(part)))).mappings()
        found.update({int(r["record_id"]): r for r in rows})
    return found


def records_of(
    conn: Connection,
    enterprise_ids: Sequence[int] | None = None,
    *,
    upto: int | None = None,
    uscc: str | None = None,
    since: Any = None,
    ids: Sequence[int] | None = None,
    scope: Scope | None = None,
    closures: int | None = None,
    delivery: int | None = None,
) -> pd.DataFrame:
    """Stored records, oldest id first: of some enterprises, up to a watermark, decided since a date, by id,
    of one delivery, of enterprises inside a scope. With ``closures`` (a closure watermark), each record's
    ``closed_from``: the date a closure up to that id took it out of the count (NaT when none did)."""
    query = select(*[Record.__table__.c[c] for c in RECORD_FIELDS]).order_by(Record.id)
    if closures is not None:
        joined = (RecordClosure.record_id == Record.id) & (RecordClosure.id <= closures)
        query = query.add_columns(RecordClosure.effective_from.label("closed_from")).outerjoin(RecordClosure, joined)
    if scope is not None and not scope.everything:
        query = query.where(Record.enterprise_id.in_(in_scope_enterprises(scope)))
    if enterprise_ids is not None:
        query = query.where(Record.enterprise_id.in_(list(enterprise_ids)))
    if upto is not None:
        query = query.where(Record.id <= upto)
    if uscc is not None:
        query = query.where(Record.uscc == uscc)
    if since is not None:
        query = query.where(Record.decision_date >= since)
    if ids is not None:
        query = query.where(Record.id.in_(list(ids)))
    if delivery is not None:
        query = query.where(Record.delivery_id == delivery)
    frame = _frame(conn, query)
    columns = [*RECORD_FIELDS, *(["closed_from"] if closures is not None else [])]
    return frame if not frame.empty or list(frame.columns) == columns else pd.DataFrame(columns=columns)


def scored_enterprises(conn: Connection, run_ids: Sequence[int], enterprise_ids: Sequence[int]) -> set[int]:
    """Which of ``enterprise_ids`` have a result in ``run_ids``."""
    query = select(ScoreResult.enterprise_id).where(
        ScoreResult.run_id.in_(list(run_ids)), ScoreResult.enterprise_id.in_(list(enterprise_ids))
    )
    return {int(v) for v in conn.scalars(query)}


def submission_line(conn: Connection, submission_id: int) -> tuple[str, str, tuple[str, int, int]] | None:
    """A submission's stored facts, its batch's field list, and its origin: (file name, row as the user saw
    it, ingest batch id). One statement for what an explanation reads of it."""
    row = conn.execute(
        select(Submission.facts, IngestBatch.fields, IngestBatch.file_name, Submission.source_row, Submission.batch_id)
        .join(IngestBatch, IngestBatch.id == Submission.batch_id)
        .where(Submission.id == submission_id)
    ).first()
    return None if row is None else (str(row[0]), str(row[1]), (str(row[2]), int(row[3]), int(row[4])))


def newer_result_run(conn: Connection, period: str, run_id: int, enterprise_id: int) -> int | None:
    """The newest run of ``period`` after run ``run_id`` holding a result for the enterprise (it supersedes)."""
    return conn.scalar(
        select(func.max(ScoreResult.run_id))
        .join(ScoreRun, ScoreRun.id == ScoreResult.run_id)
        .where(ScoreRun.period == period, ScoreRun.id > run_id, ScoreResult.enterprise_id == enterprise_id)
    )


def later_result_runs(conn: Connection, period: str, after_run_id: int, enterprise_ids: Sequence[int]) -> pd.DataFrame:
    """The runs of ``period`` after ``after_run_id`` holding a result of one of the enterprises: columns
    ``enterprise_id``, ``run_id``, ``kind``, ``cause_id``, oldest run first (what superseded a result)."""
    rows: list[tuple[Any, ...]] = []
    for part in chunks(list(enterprise_ids)):
        query = (
            select(ScoreResult.enterprise_id, ScoreRun.id, ScoreRun.kind, ScoreRun.cause_id)
            .join(ScoreRun, ScoreRun.id == ScoreResult.run_id)
            .where(ScoreRun.period == period, ScoreRun.id > after_run_id, ScoreResult.enterprise_id.in_(list(part)))
        )
        rows.extend(tuple(r) for r in conn.execute(query))
    frame = pd.DataFrame(rows, columns=["enterprise_id", "run_id", "kind", "cause_id"])
    return frame.sort_values(["run_id", "enterprise_id"], ignore_index=True)


def newest_rescoring(conn: Connection) -> int:
    """The newest one-enterprise rescoring run id (0 when there is none): when it changes, current results did."""
    return int(conn.scalar(select(func.coalesce(func.max(ScoreRun.id), 0)).where(ScoreRun.kind != "period")) or 0)


def newest_submissions(conn: Connection, enterprise_ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    """Each enterprise's newest period and its newest submission there (period, submission id): where the
    enterprise stands now. The newest period by the calendar (``period_key``), not the file stored last: an
    old quarter loaded late does not move an enterprise back to the region, or the name, it had then."""
    newest: dict[int, tuple[tuple[int, int, int], str, int]] = {}
    for part in chunks(sorted(set(enterprise_ids))):
        query = (
            select(Submission.enterprise_id, Submission.period, func.max(Submission.id))
            .where(Submission.enterprise_id.in_(list(part)))
            .group_by(Submission.enterprise_id, Submission.period)
        )
        for enterprise, period, submission in conn.execute(query):
            key = period_key(str(period))
            found = newest.get(int(enterprise))
            if found is None or key > found[0]:
                newest[int(enterprise)] = (key, str(period), int(submission))
    return {enterprise: (period, submission) for enterprise, (_, period, submission) in newest.items()}


def latest_regions(conn: Connection, enterprise_ids: Sequence[int]) -> dict[int, str]:
    """Each enterprise's region code in its newest submission (``newest_submissions``): where it is registered."""
    by_submission = {s: e for e, (_, s) in newest_submissions(conn, enterprise_ids).items()}
    found: dict[int, str] = {}
    for part in chunks(sorted(by_submission)):
        rows = conn.execute(select(Submission.id, Submission.region_code).where(Submission.id.in_(list(part))))
        found.update({by_submission[int(r[0])]: str(r[1]) for r in rows})
    return found


def scope_conditions(scope: Scope, region: Any, uscc: Any) -> list[Any]:
    """SQL conditions keeping only rows inside ``scope``, given the row's region-code and USCC columns."""
    conditions = []
    if scope.uscc is not None:
        conditions.append(uscc == scope.uscc)
    if scope.prefix is not None:
        conditions.append(region == scope.region if len(scope.prefix) == 6 else region.like(scope.prefix + "%"))
    return conditions


def in_scope_enterprises(scope: Scope) -> Any:
    """A subquery of the enterprises registered inside ``scope`` (records carry no region): by their newest
    submission (``newest_submissions``), not by any they ever made: an enterprise that moved away is no longer
    its old city's, whose users saw its records for ever."""
    newer = Submission.__table__.alias("newer")
    mine, theirs = period_order(Submission.period), period_order(newer.c.period)
    superseded = (
        select(newer.c.id)
        .where(
            newer.c.enterprise_id == Submission.enterprise_id,
            or_(theirs > mine, and_(theirs == mine, newer.c.id > Submission.id)),
        )
        .exists()
    )
    inside = scope_conditions(scope, Submission.region_code, Submission.uscc)
    return select(Submission.enterprise_id).where(*inside, ~superseded)


def newest_period_of(conn: Connection, enterprise_id: int) -> str | None:
    """The newest period an enterprise has reported for (by the calendar, not by when it was stored)."""
    newest = newest_submissions(conn, [enterprise_id])
    return newest[enterprise_id][0] if enterprise_id in newest else None


def later_runs(conn: Connection, runs: RunRange, known: set[int] | None = None) -> list[int]:
    """The one-enterprise runs of a range (all but its first, the period run). Given the ``known`` ones
    (read before, all inside the range), those not known, read without listing the known again: counted
    first, then the ones after the newest known, and only when runs committed out of id order are still
    missing, every one."""
    query = select(ScoreRun.id).where(
        ScoreRun.period == runs.period, ScoreRun.id > runs.first, ScoreRun.id <= runs.last
    )
    if not known:
        return list(conn.scalars(query))
    count = int(conn.scalar(select(func.count()).select_from(query.subquery())) or 0)
    if count == len(known):
        return []
    newer = list(conn.scalars(query.where(ScoreRun.id > max(known))))
    if count == len(known) + len(newer):
        return newer
    return [r for r in conn.scalars(query) if r not in known]


# ---- rankings by SQL -----------------------------------------------------------------

RANKING_FIELDS = (*RESULT_COLUMNS, "enterprise_id")


@dataclass(frozen=True)
class RankingRows:
    """What a page of a ranking needs, read without reading the whole run (``ranking_rows``)."""

    window: pd.DataFrame  # the period run's rows inside the scope and filters at places start.. (RANKING_FIELDS)
    start: int  # the place (from 0) of the window's first row among the period run's rows
    full: bool  # the window holds as many rows as asked (there may be more after it)
    later: pd.DataFrame  # every enterprise's newest later result inside the scope and filters (RANKING_FIELDS)
    replaced: set[int]  # enterprises with a later result: their period-run row is not current
    replaced_matching: pd.DataFrame  # their period-run rows inside the scope and filters (total, uscc)
    replaced_totals: list[int]  # the period run's totals of the enterprises with a later result (the province's)
    later_totals: list[int]  # their current totals (the province's, not scoped)
    matched_first: int | None  # the period run's rows inside the scope and filters, counted (when asked)


def ranking_conditions(
    conn: Connection, region: str | None, values: dict[str, str | None], search: str | None
) -> list[Any]:
    """SQL conditions on score_results for a ranking's filters (``ranking_sql.filter_sql``, the same text a
    read through the driver alone uses)."""
    fragments, params = filter_sql(conn.dialect.name, region, values, search)
    return [text(f).bindparams(**{k: params[k] for k in PARAMETER.findall(f)}) for f in fragments]


def ranking_rows(
    conn: Connection,
    runs: RunRange,
    scope: Scope,
    filters: FilterValues,
    keep: Callable[[pd.DataFrame], pd.DataFrame],
    offset: int,
    limit: int,
    count: bool,
) -> RankingRows | None:
    """The rows and counts places ``offset`` to ``offset + limit`` of a ranking need: the period run's rows
    around those places by ``ix_score_results_ranking`` and the (few) later results; None when the later
    results are too many to be worth it. ``filters``: region, equal values and search, as ``ranking_conditions``
    takes them; ``keep`` applies them to the later results. The later results move the period run's rows by at
    most as many places as there are of them inside the scope and filters, so the window read reaches that far
    on each side. The period run's matches are counted by ``match_counts.match_count``."""
    table = ScoreResult.__table__
    conditions = ranking_conditions(conn, *filters)
    fields = [table.c[c] for c in RANKING_FIELDS]
    scoped = scope_conditions(scope, table.c.region_code, table.c.uscc)
    later_runs = [
        table.c.run_id > runs.first,
        table.c.run_id <= runs.last,
        table.c.run_id.in_(
            select(ScoreRun.id).where(
                ScoreRun.period == runs.period, ScoreRun.id > runs.first, ScoreRun.id <= runs.last
            )
        ),
    ]
    newest: dict[int, tuple[int, int]] = {}  # enterprise → (run, total) of its newest later result
    if runs.last > runs.first:
        rows = conn.execute(
            select(table.c.enterprise_id, table.c.run_id, table.c.total).where(*later_runs).limit(LATER_MAX + 1)
        ).all()
        if len(rows) > LATER_MAX:
            return None
        for enterprise, run, total in rows:
            if enterprise not in newest or run > newest[enterprise][0]:
                newest[enterprise] = (int(run), int(total))
    where = [table.c.run_id == runs.first, *scoped, *conditions]
    later = pd.DataFrame(columns=RANKING_FIELDS)
    matching = pd.DataFrame({"total": pd.Series([], dtype="int64"), "uscc": pd.Series([], dtype=object)})
    replaced: set[int] = set()
    replaced_totals: list[int] = []
    if newest:
        ids = sorted(newest)
        picked = [
            _frame(conn, select(*fields, table.c.run_id).where(*later_runs, *scoped, table.c.enterprise_id.in_(part)))
            for part in chunks(ids)
        ]
        frame = pd.concat(picked, ignore_index=True)
        replaced = set(ids)  # every enterprise with a later result: its period-run row is not current
        if len(frame):  # its newest result, where that lies inside the scope (as ``results`` reads it)
            pairs = zip(frame["enterprise_id"], frame["run_id"], strict=True)
            frame = frame[[int(r) == newest[int(e)][0] for e, r in pairs]]
            later = keep(frame.drop(columns=["run_id"]).reset_index(drop=True)).reset_index(drop=True)
        inside = where_sql(scope_sql(scope), filter_sql(conn.dialect.name, *filters))
        mine = _first_totals(conn, runs.first, sorted(replaced), inside)
        matching = pd.concat([matching, *[m for m in mine if len(m)]], ignore_index=True)
        replaced_totals += [int(v) for part in _first_totals(conn, runs.first, ids, ([], {})) for v in part["total"]]
    order = table.c.uscc.collate("C") if conn.dialect.name == "postgresql" else table.c.uscc
    start = max(0, offset - len(later))
    size = limit + len(later) + len(matching)
    query = select(*fields).where(*where).order_by(table.c.total.desc(), order).limit(size).offset(start)
    window = _frame(conn, query)
    matched = match_count(conn, runs.first, scope, filters) if count else None
    return RankingRows(
        window=window,
        start=start,
        full=len(window) == size,
        later=later,
        replaced=replaced,
        replaced_matching=matching,
        replaced_totals=replaced_totals,
        later_totals=[total for _, total in newest.values()],
        matched_first=matched,
    )


def _first_totals(conn: Connection, first: int, ids: list[int], conditions: Conditions) -> list[pd.DataFrame]:
    """The run ``first``'s totals and USCCs of the enterprises ``ids`` meeting ``conditions``, a part at a time
    (``ranking_sql.first_totals_sql``: on SQLite by the primary key's index)."""
    pk_index = conn.exec_driver_sql(PK_INDEX).scalar() if conn.dialect.name == "sqlite" and ids else None
    frames = []
    for part in chunks(ids):
        listed, named = in_list("e", part)
        query, params = first_totals_sql(conn.dialect.name, pk_index, listed, conditions)
        frames.append(_frame(conn, text(query).bindparams(**params, **named, first=first)))
    return frames


def totals_from(
    conn: Connection, run_id: int, lowest: int, scope: Scope | None = None, conditions: Sequence[Any] = ()
) -> pd.DataFrame:
    """How many results of ``run_id`` (inside ``scope`` and ``conditions``) have each total from ``lowest``
    up (columns total, n), read from ``ix_score_results_ranking`` alone."""
    table = ScoreResult.__table__
    scoped = [] if scope is None else scope_conditions(scope, table.c.region_code, table.c.uscc)
    query = (
        select(table.c.total, func.count().label("n"))
        .where(table.c.run_id == run_id, table.c.total >= lowest, *scoped, *conditions)
        .group_by(table.c.total)
    )
    frame = _frame(conn, query)
    return frame if len(frame) else pd.DataFrame({"total": [], "n": []})
