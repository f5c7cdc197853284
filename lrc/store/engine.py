"""Engine factory and schema upgrades. No module-level engine: callers pass one in."""

from __future__ import annotations

import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from lrc.errors import StoreError
from lrc.store.location import database_url, unusable
from lrc.store.revision import alembic_config, head_revision

SQLITE_CACHE_KIB = 65536  # each SQLite connection's page cache, in KiB


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        engine = create_engine(url)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"无法使用数据库地址 {url!r} (bad database URL): {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # SQLite's default page cache is 2 MB: a period run's rows go into indexes ordered by total and by USCC,
    # in no order of theirs, and each insert re-read index pages from the operating system (1M results:
    # 26 s of inserts with 2 MB, 14 s with 64 MB; a larger cache gained nothing more). Taken only as used.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def upgrade(engine: Engine) -> str:
    """Create or upgrade the schema to the newest migration; returns its revision."""
    from alembic import command

    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise StoreError(f"数据库升级失败 (schema upgrade failed): {exc.__class__.__name__}: {exc}") from None
    return head_revision()


def current_revision(engine: Engine) -> str | None:
    """The schema revision the store is at (None before `lrc init`), read from alembic's version table."""
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError as exc:
        raise unreachable(exc) from None
    if len(versions) > 1:
        raise StoreError(f"数据库有多个结构版本 {sorted(versions)} (more than one schema head)")
    return str(versions[0]) if versions else None


def _missing_sqlite_file(engine: Engine) -> str | None:
    """The path of a SQLite database file that does not exist yet (connecting would create it)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if database and database != ":memory:" and not database.startswith("file:") and not Path(database).exists():
        return database
    return None


def unreachable(exc: SQLAlchemyError) -> StoreError:
    """The store cannot be used: what the database said (``location.unusable``)."""
    return unusable(getattr(exc, "orig", None) or exc, exc.__class__.__name__)


def store_exists(engine: Engine) -> bool:
    """False for a SQLite file not created yet (looking inside would create it)."""
    return _missing_sqlite_file(engine) is None


INIT_HINT = "请先运行 `lrc init` (run `lrc init` first)"  # what the CLI adds (a message names no command)
SCHEMA_RECHECK = 2.0  # seconds an engine's store, once found at the newest schema, is not asked again
_AT_HEAD: weakref.WeakKeyDictionary[Engine, float] = weakref.WeakKeyDictionary()


def require_schema(engine: Engine) -> None:
    """Fail with a clear message unless the database is at the newest schema
    (without creating an empty SQLite file on the way). A store found at the newest schema is taken to be
    there for ``SCHEMA_RECHECK`` seconds (a request calls this two or three times; each asked the database)."""
    missing = _missing_sqlite_file(engine)
    if missing:
        raise StoreError(f"数据库文件 {missing} 不存在 (database file not found)", cli_hint=INIT_HINT)
    seen = _AT_HEAD.get(engine)
    if seen is not None and time.monotonic() - seen < SCHEMA_RECHECK:
        return
    current = current_revision(engine)
    if current is None:
        raise StoreError("数据库尚未初始化 (database not initialised)", cli_hint=INIT_HINT)
    if current != head_revision():
        raise StoreError(
            f"数据库结构版本 {current} 不是最新 {head_revision()},须先升级 (schema not at the newest: upgrade it)",
            cli_hint="升级:运行 `lrc init` (run `lrc init` to upgrade)",
        )
    _AT_HEAD[engine] = time.monotonic()
