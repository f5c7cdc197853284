"""Improvement plans (履行社会责任改进计划): the actions an enterprise commits to at a hearing, one catalogue
item each, with a due date; their status (open → done | late | dropped) and its history; and, once the
enterprise has a result in a period after the hearing, the item's points before and after.

An open action past its due date is marked late by ``raise_overdue`` (``lrc plan check-overdue``), which
raises one alert of each ``plan_overdue`` rule for it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, computed_field
from sqlalchemy import Connection, Engine, insert, select, update

from indicators import Catalogue, load_catalogue
from lrc.errors import ConflictError, Hidden, NotFoundError, UsageError, shorten
from lrc.normalise import free_text
from lrc.periods import period_end, sort_periods
from lrc.publication.commitments import Commitment
from lrc.service.access import Action, Principal
from lrc.service.audit import check, guarded, refusals
from lrc.service.hearings import known_enterprises, members_of, read_attachment_file, store_file, usccs_of
from lrc.service.json_times import ChinaTime
from lrc.service.late_alerts import Late, raise_late
from lrc.service.runs import catalogue_for_run, unpack
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import Attachment, Hearing, PlanAction, PlanActionEvent, ScoreResult, ScoreRun
from lrc.times import today_in_china

STATUSES = ("open", "done", "late", "dropped")
STATUS_ZH = {"open": "进行中", "done": "已完成", "late": "逾期", "dropped": "已放弃"}
FINAL = ("done", "dropped")
TEXT_CHARS = 2000


class ItemPoints(BaseModel):
    period: str
    points: float


class PlanActionOut(BaseModel):
    id: int
    hearing_id: int
    uscc: str
    item_code: str
    item_name_zh: str
    action: str
    due: date
    status: str
    evidence_id: int | None
    evidence_name: str | None
    evidence_sha256: str | None
    note: str | None  # internal: not for publication
    updated_by: str
    updated_at: ChinaTime
    before: ItemPoints | None = None  # the item's points in the newest result of a period ended by the hearing
    after: ItemPoints | None = None  # … and in the newest result of a period ending after it

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, self.status)


class OverdueOut(BaseModel):
    late: list[int]  # the actions marked late now
    alerts: int  # alerts raised
    without_result: list[int]  # late actions whose enterprise has no result an alert could name
    in_other_alert: list[int]  # late actions named in another action's alert (same enterprise and run)


def _due(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"完成期限 {shorten(str(value))} 应为 YYYY-MM-DD 格式的日期 (bad date)") from None


def add_action(
    engine: Engine,
    who: Principal,
    hearing_id: int,
    uscc: str,
    *,
    item: str,
    action: str,
    due: date | str,
    catalogue: Catalogue | None = None,
) -> PlanActionOut:
    """A new action of ``uscc``'s improvement plan, committed at hearing ``hearing_id`` for catalogue item
    ``item`` (of the current catalogue), due on ``due``."""
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    code = item.strip().upper()
    if code not in {i.code for i in catalogue.items}:
        raise UsageError(f"指标代码 {shorten(item)} 不在指标体系 {catalogue.version} 中 (unknown item code)")
    text = str(free_text(action, "整改措施 (action)", limit=TEXT_CHARS, required=True))
    due_on = _due(due)
    codes = usccs_of(uscc)
    enterprise = codes[0] if codes else ""
    with guarded(engine, who, Action.hearing, f"hearing:{hearing_id}") as entry:
        with engine.connect() as conn:
            members = members_of(engine, conn, who, hearing_id, change=False)
            held_on = conn.scalar(select(Hearing.held_on).where(Hearing.id == hearing_id))
        heard = {m[1]: m for m in members}
        outside = enterprise in heard and not who.scope.contains(heard[enterprise][2], enterprise)
        if enterprise not in heard or outside:  # alike: that another city's enterprise was heard is not told
            raise UsageError(
                f"企业 {shorten(enterprise)} 不是听证 {hearing_id} 中你范围内的企业 (not heard here, in your scope)"
            )
        if held_on is not None and due_on < held_on:
            raise UsageError(f"完成期限 {due_on} 早于听证日期 {held_on} (due before the hearing)")
        with repo.writing(engine) as conn:
            values = {"hearing_id": hearing_id, "enterprise_id": heard[enterprise][0], "uscc": enterprise,
                      "region_code": heard[enterprise][2], "item_code": code, "action": text, "due_on": due_on,
                      "status": "open", "evidence_id": None, "note": None, "updated_by": who.name,
                      "updated_at": repo.now()}  # fmt: skip
            action_id = int(conn.execute(insert(PlanAction).returning(PlanAction.id), values).scalar_one())
            _event(conn, who, action_id, "open", None, f"承诺:{text[:200]}")
            entry.target = f"plan_action:{action_id}"
            entry.detail = f"hearing {hearing_id} {enterprise} {code} due {due_on}"
            entry.write(conn)
            return _outs(conn, [action_id], catalogue)[0]


def _event(
    conn: Connection, who: Principal, action_id: int, status: str, evidence: int | None, note: str | None
) -> None:
    conn.execute(insert(PlanActionEvent), {"action_id": action_id, "status": status, "evidence_id": evidence,
                                           "note": note, "actor": who.name, "at": repo.now()})  # fmt: skip


def update_action(
    engine: Engine,
    who: Principal,
    action_id: int,
    *,
    status: str,
    note: str,
    evidence: Path | None = None,
    catalogue: Catalogue | None = None,
) -> PlanActionOut:
    """A new status (done, late or dropped) with a note, and optionally a file proving it; done and dropped
    are final."""
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    status = status.strip().lower()
    if status not in ("done", "late", "dropped"):
        raise UsageError(f"状态 {shorten(status)} 应为 done(已完成)、late(逾期)或 dropped(已放弃)(unknown status)")
    said = str(free_text(note, "情况说明 (note)", limit=TEXT_CHARS, required=True))
    upload = read_attachment_file(evidence) if evidence is not None else None
    with guarded(engine, who, Action.hearing, f"plan_action:{action_id}") as entry, repo.writing(engine) as conn:
        row = _in_scope(conn, who, action_id)
        if row["status"] in FINAL or row["status"] == status:
            raise ConflictError(f"措施 {action_id} {STATUS_ZH[row['status']]},不能改为{STATUS_ZH[status]} (final)")
        if status == "late" and row["due_on"] >= today_in_china():
            raise UsageError(f"措施 {action_id} 的完成期限 {row['due_on']} 还没到,不能标为逾期 (not due yet)")
        file_id = row["evidence_id"]
        if upload is not None and evidence is not None:
            file_id = store_file(conn, who, Path(evidence).name, *upload)[0]
        conn.execute(update(PlanAction).where(PlanAction.id == action_id).values(
            status=status, note=said, evidence_id=file_id, updated_by=who.name, updated_at=repo.now()))  # fmt: skip
        _event(conn, who, action_id, status, file_id, said)
        entry.detail = f"{row['status']} -> {status}: {said[:200]}"
        entry.write(conn)
        return _outs(conn, [action_id], catalogue)[0]


def _in_scope(conn: Connection, who: Principal, action_id: int) -> Any:
    table = PlanAction.__table__
    inside = repo.scope_conditions(who.scope, table.c.region_code, table.c.uscc)
    found = None
    if 1 <= action_id <= repo.MAX_ID:
        query = select(table).where(table.c.id == action_id, *inside).with_for_update()  # (case_row's lock)
        found = conn.execute(query).mappings().first()
    if found is None:
        missing = f"改进措施 {action_id} 不存在,或你无权查看 (no such action, or not permitted)"
        raise Hidden(missing) if repo.row_exists(conn, table.c.id, action_id) else NotFoundError(missing)
    return found


def plan_of(engine: Engine, who: Principal, uscc: str, *, catalogue: Catalogue | None = None) -> list[PlanActionOut]:
    """Every action of an enterprise's improvement plans, by due date, with the item's points before and after."""
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    codes = usccs_of(uscc)
    code = codes[0] if codes else ""
    check(engine, who, Action.read, f"enterprise:{code}")
    with refusals(engine, who, Action.read, f"enterprise:{code}"), engine.connect() as conn:
        known = known_enterprises(conn, [code]).get(code)
        missing = f"企业 {shorten(code)} 不存在,或你无权查看 (enterprise not found or not permitted)"
        if known is None:
            raise NotFoundError(missing)
        if not who.scope.contains(known.region_code, known.uscc):
            raise Hidden(missing)
        query = select(PlanAction.id).where(PlanAction.enterprise_id == known.id)
        ids = list(conn.scalars(query.order_by(PlanAction.due_on, PlanAction.id)))
        return _outs(conn, ids, catalogue, with_points=True)


def _outs(conn: Connection, ids: list[int], catalogue: Catalogue, with_points: bool = False) -> list[PlanActionOut]:
    if not ids:
        return []
    table = PlanAction.__table__
    query = (
        select(table, Attachment.name.label("evidence_name"), Attachment.sha256.label("evidence_sha256"),
               Hearing.held_on)  # fmt: skip
        .join(Hearing, Hearing.id == table.c.hearing_id)
        .outerjoin(Attachment, Attachment.id == table.c.evidence_id)
        .where(table.c.id.in_(ids))
    )
    rows = {int(r["id"]): r for r in conn.execute(query).mappings()}
    names = {i.code: i.name_zh for i in catalogue.items}
    history: dict[int, list[tuple[str, dict[str, float]]]] = {}
    listed = []
    for action_id in ids:
        r = rows[action_id]
        values = {k: v for k, v in dict(r).items() if k in PlanActionOut.model_fields}
        out = PlanActionOut(due=r["due_on"], item_name_zh=names.get(r["item_code"], r["item_code"]), **values)
        if with_points:
            if int(r["enterprise_id"]) not in history:
                history[int(r["enterprise_id"])] = item_history(conn, int(r["enterprise_id"]))
            out.before, out.after = before_after(history[int(r["enterprise_id"])], r["held_on"], r["item_code"])
        listed.append(out)
    return listed


def public_commitments(engine: Engine, who: Principal, *, catalogue: Catalogue | None = None) -> list[Commitment]:
    """The plan actions the public site shows: those of hearings whose outcome is recorded (the plan is
    published with the outcome), inside ``who``'s scope, by enterprise and due date; no internal notes."""
    require_schema(engine)
    check(engine, who, Action.read, "plans:public")
    names = {i.code: i.name_zh for i in (catalogue or load_catalogue()).items}
    inside = repo.scope_conditions(who.scope, PlanAction.region_code, PlanAction.uscc)
    query = (
        select(PlanAction.uscc, PlanAction.item_code, PlanAction.action, PlanAction.due_on, PlanAction.status,
               Hearing.title, Hearing.held_on)  # fmt: skip
        .join(Hearing, Hearing.id == PlanAction.hearing_id)
        .where(Hearing.status == "held", *inside)
        .order_by(PlanAction.uscc, PlanAction.due_on, PlanAction.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        Commitment(uscc=str(r.uscc), hearing_title=str(r.title), hearing_date=r.held_on.isoformat(),
                   item_code=str(r.item_code), item_name_zh=names.get(str(r.item_code), str(r.item_code)),
                   action=str(r.action), due=r.due_on.isoformat(), status_zh=STATUS_ZH.get(r.status, r.status))
        for r in rows
    ]  # fmt: skip


def item_history(conn: Connection, enterprise_id: int) -> list[tuple[str, dict[str, float]]]:
    """Each scored period (oldest first) in which the enterprise has a current result, with the points of
    every item of that result (read from the stored result, with the catalogue its run used)."""
    periods = sort_periods(set(conn.scalars(
        select(ScoreRun.period).join(ScoreResult, ScoreResult.run_id == ScoreRun.id)
        .where(ScoreResult.enterprise_id == enterprise_id)
    )))  # fmt: skip
    found = []
    for period in periods:
        run_id = repo.latest_run_id(conn, period)
        run = repo.run_row(conn, run_id) if run_id is not None else None
        if run is None:
            continue
        rows = repo.results(conn, repo.current_runs(conn, run), ("items",), enterprise_ids=[enterprise_id])
        if rows.empty:
            continue
        catalogue = catalogue_for_run(conn, run)
        tenths = unpack(str(rows["items"].iloc[0]))
        found.append((period, {i.code: int(v) / 10 for i, v in zip(catalogue.items, tenths, strict=True)}))
    return found


def before_after(
    history: list[tuple[str, dict[str, float]]], held_on: date, item: str
) -> tuple[ItemPoints | None, ItemPoints | None]:
    """The item's points in the newest period that ended by the hearing, and, when there is one, in the
    newest period ending after it (a period without the item counts as none)."""
    before = [(p, points) for p, points in history if period_end(p) <= held_on and item in points]
    after = [(p, points) for p, points in history if period_end(p) > held_on and item in points]
    return (
        ItemPoints(period=before[-1][0], points=before[-1][1][item]) if before else None,
        ItemPoints(period=after[-1][0], points=after[-1][1][item]) if after else None,
    )


def raise_overdue(engine: Engine, who: Principal, *, today: date | None = None) -> OverdueOut:
    """Mark every open action inside ``who``'s scope whose due date has passed (Beijing time) as late, with
    an event in its history, and raise one alert of each ``plan_overdue`` rule for it, in one transaction."""
    require_schema(engine)
    day = today or today_in_china()
    table = PlanAction.__table__
    inside = repo.scope_conditions(who.scope, table.c.region_code, table.c.uscc)
    with guarded(engine, who, Action.hearing, "plans:overdue") as entry, repo.writing(engine) as conn:
        due = conn.execute(
            select(table)
            .where(table.c.status == "open", table.c.due_on < day, *inside)
            .order_by(table.c.id)
            .with_for_update()  # (an update at the same moment waits, or is waited for)
        ).mappings().all()
        for row in due:
            conn.execute(update(PlanAction).where(PlanAction.id == row["id"]).values(
                status="late", updated_by=who.name, updated_at=repo.now()))  # fmt: skip
            _event(conn, who, int(row["id"]), "late", None, f"逾期未完成(期限 {row['due_on']},检查日 {day})")
        overdue = [Late(int(r["id"]), int(r["enterprise_id"]), str(r["uscc"]),
                        f"改进措施 {r['id']}(听证 {r['hearing_id']},指标 {r['item_code']})"
                        f"应于 {r['due_on']} 完成,逾期未完成") for r in due]  # fmt: skip
        found = raise_late(conn, "plan_overdue", overdue)
        raised, without, joined = found.raised, found.without_result, found.joined
        entry.detail = f"{len(due)} late, {raised} alerts" + (f", no result: {without}" if without else "")
        entry.detail += f", in another alert: {joined}" if joined else ""
        entry.write(conn)
    late = [int(r["id"]) for r in due]
    return OverdueOut(late=late, alerts=raised, without_result=without, in_other_alert=joined)


__all__ = [
    "OverdueOut", "PlanActionOut", "add_action", "plan_of", "public_commitments", "raise_overdue", "update_action",
]  # fmt: skip
