"""Webhooks: other systems told of every new alert. An alert's event is written to the outbox in the
transaction that raises it (``lrc.service.alerts``); the sender here delivers each webhook the events
after its cursor, in id order, one signed POST each (``lrc.webhooks``).

A 2xx answer moves the cursor past the event. Anything else stops that webhook until a back-off has passed
(doubling, at most ``Backoff.cap``), and the same event is sent again then: nothing is skipped and nothing
lost while a receiver is down, and receivers drop a repeat by its ``Idempotency-Key``. Two senders never
deliver to one webhook at once (a lease on its row, taken for one pass and extended with every event).

Only admins add, list and remove webhooks and run the sender (``Action.webhooks``); each add and remove is
in the audit log with its change, and so is each pass that delivered something. A secret is shown once,
when its webhook is added, and is never listed."""

from __future__ import annotations

import logging
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, computed_field
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from lrc.errors import ConflictError, NotFoundError
from lrc.service.access import Action, Principal
from lrc.service.audit import check, guarded, record
from lrc.store import outbox, require_schema
from lrc.store import repository as repo
from lrc.times import china_iso
from lrc.webhooks import Backoff, Outcome, Sender, check_secret, check_url, redacted

log = logging.getLogger("lrc.webhooks")
BATCH = 500  # events per webhook per pass, so that one long backlog does not hold up the others
STATES_ZH = {
    "delivered": "已送达",
    "idle": "无待送",
    "failed": "失败,稍后重试",
    "waiting": "等待重试",
    "busy": "另一发送进程处理中",
}


class WebhookOut(BaseModel):
    id: int
    url: str
    active: bool
    cursor: int  # the last outbox event delivered
    pending: int  # events after the cursor
    delivered: int
    attempts: int  # failures in a row
    next_attempt_at: str | None  # Beijing time, ISO
    last_status: int | None
    last_error: str | None
    last_delivered_at: str | None
    created_by: str
    created_at: str
    removed_by: str | None
    removed_at: str | None


class NewWebhook(WebhookOut):
    secret: str  # shown this once


class HookPass(BaseModel):
    """What one pass did for one webhook."""

    id: int
    url: str
    state: str  # delivered | idle | failed | waiting | busy
    delivered: int
    pending: int
    error: str | None = None
    next_attempt_at: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state_zh(self) -> str:
        return STATES_ZH[self.state]


class PassReport(BaseModel):
    at: str
    hooks: list[HookPass]
    more: bool  # a webhook has events it can take at once (the next pass should not wait)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def delivered(self) -> int:
        return sum(h.delivered for h in self.hooks)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pending(self) -> int:
        return sum(h.pending for h in self.hooks)


@dataclass(frozen=True)
class Delivery:
    """How passes run: the sender and back-off, the clock and the randomness of the jitter (tests inject
    them to live through an hour's outage in a second)."""

    sender: Sender = field(default_factory=Sender)
    backoff: Backoff = field(default_factory=Backoff)
    clock: Callable[[], datetime] = repo.now
    rand: Callable[[], float] = random.random
    batch: int = BATCH

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=max(60.0, 6 * self.sender.timeout))

    def now(self) -> datetime:
        return _utc(self.clock())


def _utc(value: datetime) -> datetime:
    """A stored or given time in UTC (SQLite keeps stored times without a zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _out(row: dict[str, Any]) -> dict[str, Any]:
    times = ("next_attempt_at", "last_delivered_at", "created_at", "removed_at")
    shown = {"url": redacted(str(row["url"])), "active": bool(row["active"])}
    return {**row, **{t: china_iso(row[t]) for t in times}, **shown}


def add_webhook(
    engine: Engine, who: Principal, url: str, secret: str | None = None, *, from_start: bool = False
) -> NewWebhook:
    """A new webhook, delivered every event raised from now on (``from_start``: every event in the
    outbox); its secret is generated unless given, and returned this once."""
    require_schema(engine)
    with guarded(engine, who, Action.webhooks, "webhook") as entry, repo.writing(engine) as conn:
        url = check_url(url)
        key = secrets.token_urlsafe(32) if secret is None else check_secret(secret)
        start = 0 if from_start else outbox.newest_event(conn)
        webhook_id = outbox.add_webhook(
            conn, url=url, secret=key, created_by=who.name, created_at=repo.now(), cursor=start
        )
        entry.target = f"webhook:{webhook_id}"
        entry.detail = f"add {redacted(url)[:300]}, after event {start}"
        entry.write(conn)
        row = outbox.webhooks(conn, webhook_id)[0]
    return NewWebhook(secret=key, **_out(row))


def list_webhooks(engine: Engine, who: Principal) -> list[WebhookOut]:
    """Every webhook, removed ones too, oldest first, without secrets."""
    require_schema(engine)
    check(engine, who, Action.webhooks, "webhooks")
    with engine.connect() as conn:
        return [WebhookOut(**_out(row)) for row in outbox.webhooks(conn)]


def remove_webhook(engine: Engine, who: Principal, webhook_id: int) -> WebhookOut:
    """Stop delivering to a webhook (kept, inactive, with what it was delivered)."""
    require_schema(engine)
    with guarded(engine, who, Action.webhooks, f"webhook:{webhook_id}") as entry, repo.writing(engine) as conn:
        found = outbox.webhooks(conn, webhook_id) if 1 <= webhook_id <= repo.MAX_ID else []
        if not found:
            raise NotFoundError(f"推送地址 {webhook_id} 不存在 (no such webhook)")
        if not found[0]["active"]:
            raise ConflictError(f"推送地址 {webhook_id} 已删除 (already removed)")
        outbox.remove(conn, webhook_id, who.name, repo.now())
        entry.detail = f"remove {redacted(str(found[0]['url']))[:300]}"
        entry.write(conn)
        row = outbox.webhooks(conn, webhook_id)[0]
    return WebhookOut(**_out(row))


def deliver(engine: Engine, who: Principal, how: Delivery | None = None) -> PassReport:
    """One pass: each active webhook that is due is sent the events after its cursor (up to a batch)."""
    require_schema(engine)
    check(engine, who, Action.webhooks, "webhooks")
    return _pass(engine, who, how or Delivery())


def run(
    engine: Engine,
    who: Principal,
    how: Delivery | None = None,
    *,
    interval: float = 5.0,
    sleep: Callable[[float], object] = time.sleep,
    on_pass: Callable[[PassReport], None] | None = None,
    until: Callable[[], bool] | None = None,
) -> int:
    """Pass after pass, ``interval`` seconds apart (none when events are waiting that can go at once), until
    ``until()`` holds (by default never: stop it with Ctrl+C); how many events were delivered. A pass the
    database could not serve (down, busy) is logged and tried again after ``interval``."""
    require_schema(engine)
    check(engine, who, Action.webhooks, "webhooks")
    how = how or Delivery()
    total = 0
    while True:
        try:
            report = _pass(engine, who, how)
        except (SQLAlchemyError, ConflictError):
            log.exception("webhook pass failed; retrying in %s s", interval)
            sleep(interval)
            continue
        total += report.delivered
        if on_pass is not None:
            on_pass(report)
        if until is not None and until():
            return total
        if not report.more:
            sleep(interval)


def _pass(engine: Engine, who: Principal, how: Delivery) -> PassReport:
    with engine.connect() as conn:
        hooks = outbox.webhooks(conn, active=True)
    done = [_deliver_to(engine, who, hook, how) for hook in hooks]
    more = any(h.state == "delivered" and h.pending > 0 for h in done)
    return PassReport(at=china_iso(how.now()), hooks=done, more=more)


def _deliver_to(engine: Engine, who: Principal, hook: dict[str, Any], how: Delivery) -> HookPass:
    """The events after this webhook's cursor, in order, until one is not taken."""
    start = how.now()
    due = None if hook["next_attempt_at"] is None else _utc(hook["next_attempt_at"])
    if due is not None and start < due:
        return _hook(hook, "waiting", 0, hook["pending"], hook["last_error"], due)
    if not hook["pending"]:
        return _hook(hook, "idle", 0, 0)
    lease = secrets.token_hex(8)
    with repo.writing(engine) as conn:
        if not outbox.claim(conn, hook["id"], lease, start, start + how.lease):
            return _hook(hook, "busy", 0, hook["pending"])
        state = outbox.leased(conn, hook["id"])
    try:
        cursor, delivered, failure = _send(engine, hook["id"], lease, state, how)
    finally:
        with repo.writing(engine) as conn:
            outbox.release(conn, hook["id"], lease)
    if delivered:
        record(engine, who, Action.webhooks, f"webhook:{hook['id']}", "ok", f"delivered {delivered}, cursor {cursor}")
    with engine.connect() as conn:
        left = outbox.pending(conn, cursor)
    if failure is not None:
        return _hook(hook, "failed", delivered, left, failure[0], failure[1])
    return _hook(hook, "delivered" if delivered else "idle", delivered, left)


def _send(
    engine: Engine, webhook_id: int, lease: str, state: Any, how: Delivery
) -> tuple[int, int, tuple[str, datetime] | None]:
    """POST the events after the leased cursor; the cursor reached, the events delivered, and the error and
    retry time when one failed (recorded on the webhook)."""
    cursor, delivered = int(state.cursor), 0
    with engine.connect() as conn:
        events = outbox.events_after(conn, cursor, how.batch)
    for event in events:
        body = event.payload.encode("utf-8")
        stamp = int(how.now().timestamp())
        outcome = how.sender.post(
            state.url, state.secret, event=event.event, key=event.idempotency_key, body=body, timestamp=stamp
        )
        if not outcome.ok:
            failures = (0 if delivered else int(state.attempts)) + 1
            return cursor, delivered, _failed(engine, webhook_id, lease, outcome, failures, how)
        at = how.now()
        with repo.writing(engine) as conn:
            moved = outbox.advance(
                conn, webhook_id, lease, after=cursor, to=int(event.id), status=outcome.status or 200, at=at,
                until=at + how.lease,
            )  # fmt: skip
        if not moved:  # removed, or the lease ran out and another sender took over
            break
        cursor, delivered = int(event.id), delivered + 1
    return cursor, delivered, None


def _failed(
    engine: Engine, webhook_id: int, lease: str, outcome: Outcome, failures: int, how: Delivery
) -> tuple[str, datetime]:
    error = outcome.error or f"HTTP {outcome.status}"
    retry_at = how.now() + timedelta(seconds=how.backoff.delay(failures, how.rand()))
    with repo.writing(engine) as conn:
        outbox.failed(conn, webhook_id, lease, attempts=failures, retry_at=retry_at, status=outcome.status, error=error)
    return error, retry_at


def _hook(
    hook: dict[str, Any], state: str, delivered: int, pending: int, error: str | None = None, due: Any = None
) -> HookPass:
    return HookPass(
        id=int(hook["id"]), url=redacted(str(hook["url"])), state=state, delivered=delivered, pending=pending,
        error=error, next_attempt_at=china_iso(due),
    )  # fmt: skip
