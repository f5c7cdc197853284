"""Where the store is, and what to say when it cannot be used (read before SQLAlchemy or any driver loads)."""

from __future__ import annotations

import os

from lrc.errors import StoreError

DEFAULT_URL = "sqlite:///lrc.db"


def database_url(url: str | None = None) -> str:
    """The store to use: an explicit URL, else ``LRC_DATABASE_URL``, else ``lrc.db`` here."""
    return url or os.environ.get("LRC_DATABASE_URL") or DEFAULT_URL


def unusable(said_by: BaseException, kind: str) -> StoreError:
    """The store cannot be used: what the database said (``said_by``, its driver's error), in one line (a
    missing database, a file that is not one, a refused connection), without the statement or the URL's
    password; ``kind``: the error's class as named in the message."""
    said = str(said_by).strip().splitlines()
    reason = said[0].strip() if said else kind
    hint = ""
    if "file is not a database" in reason:
        hint = ":该文件不是 lrc 的 SQLite 数据库 (not an lrc SQLite store)"
    elif "does not exist" in reason and "database" in reason:
        hint = ":数据库不存在,须先创建 (the database does not exist: create it first)"
        then = "创建数据库后运行 `lrc init` (create the database, then run `lrc init`)"
        return StoreError(f"无法使用数据库 (cannot use the database){hint}。{kind}: {reason[:300]}", cli_hint=then)
    return StoreError(f"无法使用数据库 (cannot use the database){hint}。{kind}: {reason[:300]}")
