"""Reads and writes of the outbox (events for other systems) and of the webhooks that deliver it. As in
``repository``, the caller owns the transaction.

An event's id is its place in the order of delivery and a webhook's cursor the last id it delivered, so
ids must become visible in id order: an event committed after a later id was delivered would be skipped.
SQLite has one writer at a time; on PostgreSQL a writer takes a transaction-scoped advisory lock before it
adds events, so no later id can commit before an earlier one (the lock is held only from the events to
the commit, and only by transactions that add events)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from lrc.store.repository import _new_id
from lrc.store.tables import OutboxEvent, Webhook

OUTBOX_LOCK = 0x6C72_6308  # the advisory lock key of the outbox ("lrc", 0008)
WEBHOOK_FIELDS = (
    "id", "url", "active", "created_by", "created_at", "removed_by", "removed_at", "cursor", "delivered",
    "last_delivered_at", "attempts", "next_attempt_at", "last_status", "last_error",
)  # fmt: skip


def add_events(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Append events (``event``, ``idempotency_key``, ``payload``, ``region_code``, ``created_at``) in
    the order given."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(OUTBOX_LOCK)))
    conn.execute(insert(OutboxEvent), list(rows))


def events_after(conn: Connection, cursor: int, limit: int) -> list[Any]:
    """Up to ``limit`` events after ``cursor``, in id order."""
    table = OutboxEvent.__table__
    query = select(table.c.id, table.c.event, table.c.idempotency_key, table.c.payload)
    return list(conn.execute(query.where(table.c.id > cursor).order_by(table.c.id).limit(limit)))


def newest_event(conn: Connection) -> int:
    """The id of the newest event (0 when there is none)."""
    return int(conn.scalar(select(func.max(OutboxEvent.id))) or 0)


def pending(conn: Connection, cursor: int) -> int:
    """How many events lie after ``cursor``."""
    return int(conn.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.id > cursor)) or 0)


def add_webhook(conn: Connection, **values: Any) -> int:
    fresh = {"active": True, "delivered": 0, "attempts": 0}
    return _new_id(conn, insert(Webhook).values(**fresh, **values))


def webhooks(conn: Connection, webhook_id: int | None = None, *, active: bool | None = None) -> list[dict[str, Any]]:
    """Webhooks (without their secret), oldest first, each with ``pending``: its events not delivered."""
    table = Webhook.__table__
    waiting = select(func.count()).where(OutboxEvent.id > table.c.cursor).scalar_subquery()
    query = select(*[table.c[c] for c in WEBHOOK_FIELDS], waiting.label("pending")).order_by(table.c.id)
    if webhook_id is not None:
        query = query.where(table.c.id == webhook_id)
    if active is not None:
        query = query.where(table.c.active.is_(active))
    return [dict(row) for row in conn.execute(query).mappings()]


def leased(conn: Connection, webhook_id: int) -> Any:
    """What a sender needs of a webhook it holds: ``url``, ``secret``, ``cursor``, ``attempts``."""
    query = select(Webhook.url, Webhook.secret, Webhook.cursor, Webhook.attempts).where(Webhook.id == webhook_id)
    return conn.execute(query).one()


def remove(conn: Connection, webhook_id: int, by: str, at: datetime) -> None:
    values = {"active": False, "removed_by": by, "removed_at": at, "lease": None, "leased_until": None}
    conn.execute(update(Webhook).where(Webhook.id == webhook_id).values(**values))


def claim(conn: Connection, webhook_id: int, lease: str, at: datetime, until: datetime) -> bool:
    """Take the webhook for one sender until ``until``, unless another holds it or it was removed."""
    free = or_(Webhook.lease.is_(None), Webhook.leased_until.is_(None), Webhook.leased_until < at)
    query = update(Webhook).where(Webhook.id == webhook_id, Webhook.active.is_(True), free)
    return conn.execute(query.values(lease=lease, leased_until=until)).rowcount == 1


def advance(
    conn: Connection, webhook_id: int, lease: str, *, after: int, to: int, status: int, at: datetime, until: datetime
) -> bool:
    """Event ``to`` was taken: the cursor moves from ``after`` to it, the failures are forgotten and the
    lease extended. False (and nothing changed) when the lease was lost or the cursor moved meanwhile."""
    query = update(Webhook).where(Webhook.id == webhook_id, Webhook.lease == lease, Webhook.cursor == after)
    values = {
        "cursor": to, "delivered": Webhook.delivered + 1, "last_delivered_at": at, "attempts": 0,
        "next_attempt_at": None, "last_status": status, "last_error": None, "leased_until": until,
    }  # fmt: skip
    return conn.execute(query.values(**values)).rowcount == 1


def failed(
    conn: Connection, webhook_id: int, lease: str, *, attempts: int, retry_at: datetime, status: int | None, error: str
) -> None:
    """A delivery failed: count it, wait until ``retry_at``, and let the lease go."""
    values = {"attempts": attempts, "next_attempt_at": retry_at, "last_status": status, "last_error": error[:500]}
    query = update(Webhook).where(Webhook.id == webhook_id, Webhook.lease == lease)
    conn.execute(query.values(**values, lease=None, leased_until=None))


def release(conn: Connection, webhook_id: int, lease: str) -> None:
    query = update(Webhook).where(Webhook.id == webhook_id, Webhook.lease == lease)
    conn.execute(query.values(lease=None, leased_until=None))
