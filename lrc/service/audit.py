"""The audit log: every write, every denied attempt and every export, with who, where and the outcome.

``guarded`` is how a service function acts: it checks the permission table (and, for province-wide
actions, the scope), records a refusal before raising it, and records the outcome of the work.
A write may put its ``ok`` entry in its own transaction (``Entry.write``), so that the change and
its record are kept or lost together."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, NoReturn

from pydantic import BaseModel
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from lrc.errors import Hidden, LrcError, PermissionDenied, UsageError
from lrc.service.access import ACTION_ZH, PROVINCE_WIDE, ROLE_ZH, Action, Principal, permitted
from lrc.store import accounts, require_schema
from lrc.store.repository import one_sqlite_writer
from lrc.times import CHINA, china_iso

log = logging.getLogger("lrc.audit")
DETAIL_CHARS = 500
OUTCOMES = ("ok", "denied", "error")


@dataclass
class Entry:
    """The record of one guarded action, filled in while it runs."""

    who: Principal
    action: Action
    target: str | None
    detail: str | None = None
    written: bool = False

    def write(self, conn: Connection) -> None:
        """Record success inside the caller's transaction (kept or rolled back with the change)."""
        _add(conn, self.who, self.action, self.target, "ok", self.detail)
        self.written = True


def _add(conn: Connection, who: Principal, action: str, target: str | None, outcome: str, detail: str | None) -> None:
    accounts.add_audit(
        conn,
        actor=who.name[:128],
        role=who.role.value,
        door=who.door,
        action=str(action),
        target=None if target is None else target[:200],
        outcome=outcome,
        detail=None if detail is None else detail[:DETAIL_CHARS],
        address=who.address,
    )


def record(engine: Engine, who: Principal, action: str, target: str | None, outcome: str, detail: str | None) -> None:
    """One entry in its own transaction (a refusal, an error, an export)."""
    try:
        with one_sqlite_writer(engine), engine.begin() as conn:
            if accounts.has_accounts_table(conn):
                _add(conn, who, action, target, outcome, detail)
    except SQLAlchemyError:  # the refusal or error itself must still reach the user
        log.exception("audit entry not written: %s %s %s %s", who.name, action, target, outcome)


def deny(engine: Engine, who: Principal, action: Action, target: str | None, reason: str) -> NoReturn:
    record(engine, who, action, target, "denied", reason)
    raise PermissionDenied(reason)


def refusal(who: Principal, action: Action) -> str | None:
    """Why ``who`` may not do ``action`` at all, or None."""
    doing = f"{ACTION_ZH[action]} ({action.value})"
    if not permitted(who.role, action):
        return f"无权操作:{ROLE_ZH[who.role]} ({who.role.value}) 不能{doing} (permission denied)"
    if action in PROVINCE_WIDE and not who.scope.everything:
        return f"无权操作:{doing}作用于全省,你的范围是 {who.scope.label()} (needs province scope)"
    return None


WHO_SCORES_ZH = "评分作用于全省,须由全省范围的分析人员运行"
WHO_SCORES_EN = "scoring acts on the whole province: a province-wide analyst runs it"


def may_score(who: Principal) -> bool:
    """Whether ``who`` may score a period (a province-wide act); if not, say ``WHO_SCORES_ZH``, not the command."""
    return refusal(who, Action.score) is None


def check(engine: Engine, who: Principal, action: Action, target: str | None = None) -> None:
    reason = refusal(who, action)
    if reason is not None:
        deny(engine, who, action, target, reason)


@contextmanager
def guarded(engine: Engine, who: Principal, action: Action, target: str | None = None) -> Iterator[Entry]:
    """Check, run and record one action (see the module's docstring)."""
    check(engine, who, action, target)
    entry = Entry(who, action, target)
    try:
        yield entry
    except PermissionDenied:
        raise  # recorded where it was decided
    except Hidden:
        record(engine, who, action, entry.target, "denied", "outside scope")
        raise
    except LrcError as exc:
        record(engine, who, action, entry.target, "error", str(exc))
        raise
    except Exception as exc:
        record(engine, who, action, entry.target, "error", f"internal error: {exc.__class__.__name__}")
        raise
    if not entry.written:
        record(engine, who, action, entry.target, "ok", entry.detail)


@contextmanager
def refusals(engine: Engine, who: Principal, action: Action, target: str | None) -> Iterator[None]:
    """A read not otherwise logged: a refusal it answers as not found (``Hidden``) is recorded as denied."""
    try:
        yield
    except Hidden:
        record(engine, who, action, target, "denied", "outside scope")
        raise


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    role: str
    door: str
    action: str
    target: str | None
    outcome: str
    detail: str | None
    address: str | None


def audit_log(
    engine: Engine,
    who: Principal,
    *,
    user: str | None = None,
    action: str | None = None,
    since: date | None = None,
    outcome: str | None = None,
    limit: int | None = 1000,
) -> list[AuditOut]:
    """Audit entries, newest first (admin only; reading it is not itself logged)."""
    require_schema(engine)
    check(engine, who, Action.audit)
    if outcome is not None and outcome not in OUTCOMES:
        raise UsageError(f"--outcome {outcome!r} 应为 ok、denied 或 error (unknown outcome)")
    start = datetime.combine(since, time(0), tzinfo=CHINA).astimezone(UTC) if since else None  # stored in UTC
    with engine.connect() as conn:
        listed = accounts.audit_entries(conn, actor=user, action=action, since=start, outcome=outcome, limit=limit)
    return [_entry_out(r) for r in listed]


def _text(value: Any) -> str | None:
    return None if value is None or value != value else str(value)  # NULL, or NaN from pandas


def _entry_out(r: dict[str, Any]) -> AuditOut:
    return AuditOut(
        id=int(r["id"]),
        at=china_iso(r["at"]),
        actor=str(r["actor"]),
        role=str(r["role"]),
        door=str(r["door"]),
        action=str(r["action"]),
        target=_text(r["target"]),
        outcome=str(r["outcome"]),
        detail=_text(r["detail"]),
        address=_text(r["address"]),
    )


def exported(engine: Engine, who: Principal, what: str, detail: str) -> None:
    """Data leaving the system (a file, a download): permitted, and recorded."""
    check(engine, who, Action.export, what)
    record(engine, who, Action.export, what, "ok", detail)
