"""Reads and writes of accounts, tokens and the audit log. As in ``repository``, the caller owns the
transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, inspect, select, update

from lrc.store.repository import _frame, _new_id, now
from lrc.store.tables import ApiToken, AuditEntry, Draft, User

USER_FIELDS = (
    "id", "name", "display_name", "role", "region", "uscc", "active", "failed_logins", "locked_until",
    "created_by", "created_at", "changed_at",
)  # fmt: skip


def has_accounts_table(conn: Connection) -> bool:
    """Whether the store has the accounts tables (a store made before them has none: single-user mode). A
    table once made is never dropped, so a yes is kept per store (the audit of every API call asks)."""
    url = str(conn.engine.url)
    if url not in _WITH_ACCOUNTS and inspect(conn).has_table("users"):
        _WITH_ACCOUNTS.add(url)
    return url in _WITH_ACCOUNTS


_WITH_ACCOUNTS: set[str] = set()


def user_count(conn: Connection) -> int:
    """How many accounts exist (0 also before the accounts table does: single-user mode)."""
    if not has_accounts_table(conn):
        return 0
    return int(conn.scalar(select(func.count()).select_from(User)) or 0)


def user_by_name(conn: Connection, name: str) -> Any:
    return conn.execute(select(User).where(User.name == name)).first()


def add_user(conn: Connection, **values: Any) -> int:
    stamp = now()
    return _new_id(conn, insert(User).values(created_at=stamp, changed_at=stamp, **values))


def change_user(conn: Connection, user_id: int, **values: Any) -> None:
    conn.execute(update(User).where(User.id == user_id).values(changed_at=now(), **values))


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts, with None (never NaN) for NULL."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def users(conn: Connection, name: str | None = None) -> list[dict[str, Any]]:
    """Every account (or the one named), oldest first, without its password hash."""
    query = select(*[User.__table__.c[c] for c in USER_FIELDS]).order_by(User.id)
    return rows(_frame(conn, query if name is None else query.where(User.name == name)))


def active_admins(conn: Connection) -> list[str]:
    return list(conn.scalars(select(User.name).where(User.role == "admin", User.active.is_(True))))


def add_token(conn: Connection, **values: Any) -> int:
    return _new_id(conn, insert(ApiToken).values(created_at=now(), **values))


def token_row(conn: Connection, *, token_id: int | None = None, digest: str | None = None) -> Any:
    """A token with its user's name (``user_name``), by id or by the hash of its text."""
    query = select(ApiToken, User.name.label("user_name")).join(User, User.id == ApiToken.user_id)
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    if digest is not None:
        query = query.where(ApiToken.token_hash == digest)
    return conn.execute(query).first()


def token_user(conn: Connection, digest: str) -> Any:
    """The user of the token with the hash ``digest`` (its ``users`` columns), with the token's ``token_id`` and
    ``token_revoked_at``: one statement for every API call."""
    query = select(User, ApiToken.id.label("token_id"), ApiToken.revoked_at.label("token_revoked_at"))
    return conn.execute(query.join(ApiToken, ApiToken.user_id == User.id).where(ApiToken.token_hash == digest)).first()


def revoke_token(conn: Connection, token_id: int, by: str) -> None:
    conn.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=now(), revoked_by=by))


def revoke_user_tokens(conn: Connection, user_id: int, by: str) -> int:
    """Revoke every token of a user still in force; how many were."""
    live = (ApiToken.user_id == user_id) & ApiToken.revoked_at.is_(None)
    return conn.execute(update(ApiToken).where(live).values(revoked_at=now(), revoked_by=by)).rowcount or 0


def tokens(conn: Connection, user_name: str | None = None, token_id: int | None = None) -> list[dict[str, Any]]:
    """Tokens (never their hash), oldest first: every user's, one user's, or one."""
    query = (
        select(
            ApiToken.id, User.name.label("user"), ApiToken.label, ApiToken.created_by, ApiToken.created_at,
            ApiToken.revoked_at, ApiToken.revoked_by,
        )
        .join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.id)
    )  # fmt: skip
    if user_name is not None:
        query = query.where(User.name == user_name)
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    return rows(_frame(conn, query))


def add_audit(conn: Connection, **values: Any) -> int:
    return _new_id(conn, insert(AuditEntry).values(at=now(), **values))


def audit_entries(
    conn: Connection,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    outcome: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Audit entries, newest first."""
    table = AuditEntry.__table__
    query = select(table).order_by(table.c.id.desc())
    if actor is not None:
        query = query.where(table.c.actor == actor)
    if action is not None:
        query = query.where(table.c.action == action)
    if since is not None:
        query = query.where(table.c.at >= since)
    if outcome is not None:
        query = query.where(table.c.outcome == outcome)
    if limit is not None:
        query = query.limit(limit)
    return rows(_frame(conn, query))


def draft(conn: Connection, user: str, uscc: str, period: str) -> Any:
    return conn.execute(
        select(Draft).where(Draft.user_name == user, Draft.uscc == uscc, Draft.period == period)
    ).first()


def save_draft(conn: Connection, user: str, uscc: str, period: str, values: str) -> int:
    found = draft(conn, user, uscc, period)
    if found is None:
        return _new_id(conn, insert(Draft).values(user_name=user, uscc=uscc, period=period, values=values,
                                                  saved_at=now()))  # fmt: skip
    conn.execute(update(Draft).where(Draft.id == found.id).values(values=values, saved_at=now()))
    return int(found.id)


def drop_draft(conn: Connection, user: str, uscc: str, period: str) -> None:
    conn.execute(delete(Draft).where(Draft.user_name == user, Draft.uscc == uscc, Draft.period == period))
