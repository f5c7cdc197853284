"""The history store: SQLite by default, PostgreSQL in production.

The names below load on first use: a read answered by the database driver alone (``lrc.store.driver``)
must not pay for SQLAlchemy's import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrc.lazy import lazy_names

if TYPE_CHECKING:
    from lrc.store.engine import current_revision, make_engine, require_schema, upgrade
    from lrc.store.location import DEFAULT_URL, database_url
    from lrc.store.revision import head_revision

_WHERE = {
    "DEFAULT_URL": "lrc.store.location",
    "database_url": "lrc.store.location",
    "head_revision": "lrc.store.revision",
    "current_revision": "lrc.store.engine",
    "make_engine": "lrc.store.engine",
    "require_schema": "lrc.store.engine",
    "upgrade": "lrc.store.engine",
}

__all__ = [
    "DEFAULT_URL",
    "current_revision",
    "head_revision",
    "database_url",
    "make_engine",
    "require_schema",
    "upgrade",
]


__getattr__ = lazy_names(__name__, _WHERE)
