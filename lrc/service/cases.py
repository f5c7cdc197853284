"""What objections and credit repairs share: their history (``case_events``, append-only), deadlines in
working days, evidence files, and the daily check that raises an alert for a case past its deadline."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, insert, select

from lrc.errors import Hidden, NotFoundError, UsageError, shorten
from lrc.normalise import ascii_form
from lrc.service.access import ROLE_ZH, Action, Principal, permitted
from lrc.service.audit import deny, guarded
from lrc.service.hearings import read_attachment_file, store_file
from lrc.service.late_alerts import Late, raise_late
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import Attachment, CaseEvent, Objection, Repair
from lrc.times import china_iso, not_after_today, today_in_china

OVERDUE = "overdue"  # an event, not a status: the case's deadline passed and an alert was raised for it


class EventOut(BaseModel):
    status: str
    note: str | None
    detail: dict[str, Any] | None
    actor: str
    at: str  # China Standard Time, ISO 8601


class FileOut(BaseModel):
    id: int
    name: str
    media_type: str
    size: int
    sha256: str


def case_day(engine: Engine, who: Principal, action: Action, target: str, given: date | None) -> date:
    """The day a case step is taken on: today in Beijing, or ``given``. A day to come is refused (a repair
    asked for before its minimum period, a deadline counted from a day not yet come). An earlier day is for
    those who decide cases only: staff entering an objection or a request received on paper on that day (the
    deadline counts from it), and tests and demonstrations replaying dates; an enterprise acts on the day it
    acts, and is refused (recorded as denied)."""
    today = today_in_china()
    if given is None or given == today:
        return today
    not_after_today(given, "日期", "不能按未到的日期办理")
    if not permitted(who.role, Action.decide):
        deny(engine, who, action, target, f"无权操作:{ROLE_ZH[who.role]} ({who.role.value}) 只能按当天的日期办理,"
                                          f"不能指定日期 {given} (only today's date)")  # fmt: skip
    return given


def add_event(
    conn: Connection, kind: str, case_id: int, status: str, actor: str, note: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    conn.execute(insert(CaseEvent), {
        "case_kind": kind, "case_id": case_id, "status": status, "note": note, "actor": actor, "at": repo.now(),
        "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail is not None else None,
    })  # fmt: skip


def events_of(conn: Connection, kind: str, case_ids: list[int]) -> dict[int, list[EventOut]]:
    found: dict[int, list[EventOut]] = {i: [] for i in case_ids}
    for part in repo.chunks(case_ids):
        query = select(CaseEvent).where(CaseEvent.case_kind == kind, CaseEvent.case_id.in_(list(part)))
        for row in conn.execute(query.order_by(CaseEvent.id)).mappings():
            found[int(row["case_id"])].append(EventOut(
                status=row["status"], note=row["note"], detail=json.loads(row["detail"]) if row["detail"] else None,
                actor=row["actor"], at=china_iso(row["at"]),
            ))  # fmt: skip
    return found


def files_of(conn: Connection, ids: list[int | None]) -> dict[int, FileOut]:
    wanted = sorted({int(i) for i in ids if i is not None})
    if not wanted:
        return {}
    query = select(Attachment.id, Attachment.name, Attachment.media_type, Attachment.size, Attachment.sha256)
    rows = conn.execute(query.where(Attachment.id.in_(wanted))).mappings()
    return {int(r["id"]): FileOut(**r) for r in rows}


def store_evidence(conn: Connection, who: Principal, path: Path | None) -> int | None:
    """Store an evidence file (PDF, Word, image) once by its hash; its id (None: no file given)."""
    if path is None:
        return None
    content, media = read_attachment_file(Path(path))
    return store_file(conn, who, Path(path).name, content, media)[0]


def case_row(conn: Connection, table: Any, who: Principal, case_id: int, missing: str, *, lock: bool = False) -> Any:
    """The objection or repair (``table``) if it exists inside ``who``'s scope; else ``missing`` is said, as
    NotFoundError, or, for a case outside the scope, as ``Hidden``: answered like unknown, so a case's
    existence is not told, and recorded as a refusal. With ``lock`` (a decision about to change it),
    the row is locked until the transaction ends before it is read (PostgreSQL's FOR UPDATE; SQLite has one
    writer at a time): two decisions made at the same moment are taken one after the other, and the second
    reads the first's outcome, so it is refused instead of overwriting it."""
    query = select(table).where(table.id == case_id)
    row = None
    if 1 <= case_id <= repo.MAX_ID:  # (a larger number is no id, and PostgreSQL refuses to compare it)
        row = conn.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFoundError(missing)
    if not who.scope.contains(row["region_code"], row["uscc"]):
        raise Hidden(missing)
    return row


def file_content(engine: Engine, who: Principal, kind: str, case_id: int, file_id: int) -> tuple[str, str, bytes]:
    """An evidence or pledge file of a case the principal may see: (name, media type, bytes)."""
    table = Objection if kind == "objection" else Repair
    columns = ("evidence_id",) if kind == "objection" else ("evidence_id", "pledge_id")
    with guarded(engine, who, Action.read, f"{kind}:{case_id} file:{file_id}"), engine.connect() as conn:
        missing = f"没有附件 {file_id},或你无权查看 (no such file or not permitted)"
        row = case_row(conn, table, who, case_id, missing)
        if file_id not in {row[c] for c in columns}:
            raise NotFoundError(missing)
        stored = conn.execute(select(Attachment).where(Attachment.id == file_id)).mappings().one()
    return str(stored["name"]), str(stored["media_type"]), bytes(stored["content"])


def case_ids(
    conn: Connection, table: Any, who: Principal, statuses: tuple[str, ...], status: str | None, uscc: str | None
) -> list[int]:
    """Ids of the objections or repairs (``table``) inside ``who``'s scope, of a status and an enterprise when
    given, newest first."""
    if status is not None and status not in statuses:
        raise UsageError(f"状态 {shorten(status)} 应为 {'、'.join(statuses)} 之一 (unknown status)")
    columns = table.__table__.c
    conditions = repo.scope_conditions(who.scope, columns.region_code, columns.uscc)
    if status:
        conditions.append(columns.status == status)
    if uscc:
        conditions.append(columns.uscc == ascii_form(uscc).upper()[:18])
    return [int(i) for i in conn.scalars(select(columns.id).where(*conditions).order_by(columns.id.desc()))]


class OverdueCasesOut(BaseModel):
    as_of: str
    objections: list[int]  # open objections past their deadline, alerted now
    repairs: list[int]
    alerts: int
    without_result: list[str]  # "objection:3": the enterprise has no result an alert could name


def check_overdue(engine: Engine, who: Principal, *, today: date | None = None) -> OverdueCasesOut:
    """Raise one ``case_overdue`` alert for every open objection or repair inside ``who``'s scope whose
    deadline has passed (Beijing time), once per case (an ``overdue`` event marks it), in one transaction."""
    require_schema(engine)
    day = case_day(engine, who, Action.decide, "cases:overdue", today)
    with guarded(engine, who, Action.decide, "cases:overdue") as entry, repo.writing(engine) as conn:
        late: list[Late] = []
        found: dict[str, list[int]] = {"objection": [], "repair": []}
        for kind, table, open_ in (
            ("objection", Objection, ("filed", "under_review")),
            ("repair", Repair, ("requested",)),
        ):
            inside = repo.scope_conditions(who.scope, table.region_code, table.uscc)
            rows = (
                conn.execute(
                    select(table).where(table.status.in_(open_), table.due_on < day, *inside).order_by(table.id)
                )
                .mappings()
                .all()
            )
            alerted = _alerted(conn, kind, [int(r["id"]) for r in rows])
            for row in rows:
                if int(row["id"]) in alerted:
                    continue
                name = "异议" if kind == "objection" else "信用修复申请"
                what = f"{name} {row['id']} 应于 {row['due_on']} 前作出决定,逾期未决定"
                late.append(Late(len(late), int(row["enterprise_id"]), str(row["uscc"]), what))
                found[kind].append(int(row["id"]))
                add_event(conn, kind, int(row["id"]), OVERDUE, who.name, f"检查日 {day} 已过决定期限 {row['due_on']}")
        keys = [f"{k}:{i}" for k in ("objection", "repair") for i in found[k]]
        alerts = raise_late(conn, "case_overdue", late)
        entry.detail = f"{len(late)} overdue, {alerts.raised} alerts"
        entry.write(conn)
    return OverdueCasesOut(as_of=day.isoformat(), objections=found["objection"], repairs=found["repair"],
                           alerts=alerts.raised, without_result=[keys[k] for k in alerts.without_result])  # fmt: skip


def any_overdue(engine: Engine, day: date) -> bool:
    """Whether an open objection or repair anywhere is past its deadline and not alerted yet."""
    with engine.connect() as conn:
        for table, open_ in ((Objection, ("filed", "under_review")), (Repair, ("requested",))):
            ids = [int(i) for i in conn.scalars(select(table.id).where(table.status.in_(open_), table.due_on < day))]
            if set(ids) - _alerted(conn, "objection" if table is Objection else "repair", ids):
                return True
    return False


def _alerted(conn: Connection, kind: str, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    query = select(CaseEvent.case_id).where(
        CaseEvent.case_kind == kind, CaseEvent.status == OVERDUE, CaseEvent.case_id.in_(ids)
    )
    return {int(i) for i in conn.scalars(query)}
