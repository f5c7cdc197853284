"""The history store: SQLite by default, PostgreSQL in production.

The names below load on first use: a read answered by the database driver alone (``lrc.store.driver``)
must not pay for SQLAlchemy's import."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'lrc.store' has no attribute {name!r}")
