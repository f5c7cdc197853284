"""The history store: SQLite by default, PostgreSQL in production."""

from lrc.store.engine import (
    DEFAULT_URL,
    current_revision,
    database_url,
    head_revision,
    make_engine,
    require_schema,
    upgrade,
)

__all__ = [
    "DEFAULT_URL",
    "current_revision",
    "head_revision",
    "database_url",
    "make_engine",
    "require_schema",
    "upgrade",
]
