"""Reading the store through its database driver alone (``sqlite3``, ``psycopg``), without SQLAlchemy.

A one-shot command such as ``lrc rank --top 10`` spends most of its time importing: SQLAlchemy and pandas
took 0.4 s of a 1 s command at a million enterprises, its queries 0.05 s. The few reads that must answer a
whole process within half a second open the store here instead (``open_store``). Anything this cannot open
as plainly as SQLAlchemy would (another driver, a URL with options, a file that is missing, a schema not at
the newest revision, a refused connection) gives None: the caller then takes the SQLAlchemy path, which
opens it or says exactly what is wrong. Writes never come here.

SQL is written once with ``:name`` parameters (as SQLAlchemy's ``text()`` takes them) and passed to the
driver in its own style."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lrc.errors import StoreError
from lrc.store.location import database_url, unusable
from lrc.store.revision import head_revision
from lrc.store.sql_text import PARAMETER

log = logging.getLogger(__name__)

DISABLE = "LRC_DRIVER_READS"  # "0": every read through SQLAlchemy (to compare the two, or as a way out)


class DriverStore:
    """One open connection of a store, for reading: ``rows`` and ``one`` run a query with ``:name``
    parameters. ``dialect`` is "sqlite" or "postgresql", as SQLAlchemy names them."""

    def __init__(self, connection: Any, dialect: str) -> None:
        self.connection, self.dialect = connection, dialect

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with self._cursor(sql, params) as cursor:
            return list(cursor.fetchall())

    def named_rows(self, sql: str, params: Mapping[str, Any] | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The column names and the rows, as tuples."""
        with self._cursor(sql, params) as cursor:
            return [d[0] for d in cursor.description], list(cursor.fetchall())

    def dicts(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """The rows as dicts by column name."""
        with self._cursor(sql, params) as cursor:
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    @contextmanager
    def _cursor(self, sql: str, params: Mapping[str, Any] | None) -> Iterator[Any]:
        """A cursor that ran ``sql``; what the database says of it as a ``StoreError``, as the SQLAlchemy path
        says it (one line, without the statement)."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(self._native(sql), dict(params or {}))
            yield cursor
        except Exception as exc:  # noqa: BLE001 - sqlite3.Error, psycopg.Error: the driver's own classes
            if isinstance(exc, StoreError) or not _driver_error(exc):
                raise
            raise unusable(exc, exc.__class__.__name__) from None
        finally:
            cursor.close()

    def one(self, sql: str, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def close(self) -> None:
        self.connection.close()

    def _native(self, sql: str) -> str:
        if self.dialect == "sqlite":
            return sql  # sqlite3 takes :name itself
        return PARAMETER.sub(r"%(\1)s", sql.replace("%", "%%"))

    def __enter__(self) -> DriverStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def in_transaction(conn: Any) -> DriverStore:
    """The driver's own connection under a SQLAlchemy ``Connection``, in its transaction (not to be closed):
    a bulk read of plain numbers and text there gives tuples without SQLAlchemy's rows (a million rows of
    five columns: 2.3 s where the same query through SQLAlchemy took 4.4 s)."""
    return DriverStore(conn.connection.driver_connection, conn.dialect.name)


def _driver_error(exc: Exception) -> bool:
    return type(exc).__module__.split(".")[0] in ("sqlite3", "psycopg")


def driver_reads_enabled() -> bool:
    return os.environ.get(DISABLE, "1").strip() != "0"


def open_store(url: str | None = None) -> DriverStore | None:
    """The store of ``url`` (``--db``; else ``LRC_DATABASE_URL``, else ``lrc.db``) open for reading through
    its driver, checked to be at the newest schema; None when the SQLAlchemy path must open it instead."""
    if not driver_reads_enabled():
        return None
    url = database_url(url)
    try:
        store = _connect(url)
    except Exception as exc:  # noqa: BLE001 - whatever the driver says, the SQLAlchemy path says it properly
        log.debug("store read through SQLAlchemy: the driver could not open it (%s)", exc.__class__.__name__)
        return None
    if store is None:
        return None
    try:
        versions = store.rows("SELECT version_num FROM alembic_version")
    except Exception:  # noqa: BLE001 - not initialised, not an lrc store: the SQLAlchemy path explains
        log.debug("store read through SQLAlchemy: no schema version readable")
        store.close()
        return None
    if [v for (v,) in versions] != [head_revision()]:
        store.close()
        return None
    return store


def _connect(url: str) -> DriverStore | None:
    if url.startswith("sqlite:///"):
        path = unquote(url.removeprefix("sqlite:///"))  # as SQLAlchemy reads the URL: "a%20b.db" is "a b.db"
        if not path or "?" in path or path == ":memory:" or path.startswith("file:") or not Path(path).is_file():
            return None
        import sqlite3

        lite = sqlite3.connect(path, isolation_level=None)  # autocommit: each read sees what is committed
        lite.execute("PRAGMA query_only=ON")
        return DriverStore(lite, "sqlite")
    for scheme in ("postgresql://", "postgresql+psycopg://"):
        if url.startswith(scheme):
            import psycopg

            connection = psycopg.connect("postgresql://" + url.removeprefix(scheme), autocommit=True)
            return DriverStore(connection, "postgresql")
    return None
