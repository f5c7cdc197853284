"""Where the store is: the database URL a command uses (read before SQLAlchemy or any driver loads)."""

from __future__ import annotations

import os

DEFAULT_URL = "sqlite:///lrc.db"


def database_url(url: str | None = None) -> str:
    """The store to use: an explicit URL, else ``LRC_DATABASE_URL``, else ``lrc.db`` here."""
    return url or os.environ.get("LRC_DATABASE_URL") or DEFAULT_URL
