"""Objections (异议): an enterprise disputes one item of one of its results.

filed → under_review → upheld (the result stands) | overturned (corrected facts, or a record the union
decided is revoked, make a new result that supersedes the old one, linked to the objection) | withdrawn.
One decided while filed is accepted for review by the decider first: the history always holds both steps.
An objection about a record another authority decided (an inspection, an award, a court, the credit
platform: ``decided_by_others`` in the policy) is not the union's to decide: it is closed at once as
``routed``, naming the authority and the document number, where the enterprise must apply for review.
The decision is due within the policy's working days; ``lrc objection check-overdue`` raises an alert
for one that is not. Every step is by a named user with a note, audited, and kept in ``case_events``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, computed_field
from sqlalchemy import Connection, Engine, insert, select, update

from indicators import Catalogue
from indicators.redress_policy import RedressPolicy, load_redress_policy
from lrc.errors import ConflictError, Hidden, NotFoundError, UsageError, shorten
from lrc.ingest import read_object
from lrc.normalise import ascii_form, free_text
from lrc.periods import check_period
from lrc.service.access import Action, Principal
from lrc.service.audit import guarded, refusals
from lrc.service.cases import (
    EventOut,
    FileOut,
    add_event,
    case_day,
    case_ids,
    case_row,
    events_of,
    files_of,
    store_evidence,
)
from lrc.service.closures import Closing, close
from lrc.service.forms import submission_values
from lrc.service.ingesting import store_batch
from lrc.service.objection_windows import NoticeWindowOut, covering, is_late, notices
from lrc.service.rescoring import RescoredOut, caused_by, rescore
from lrc.service.runs import catalogue_for_run, get_run
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import Objection, ScoreRun
from lrc.times import china_iso, in_china, stored_date, today_in_china
from lrc.workdays import add_working_days, due_note

STATUSES = ("filed", "under_review", "upheld", "overturned", "withdrawn", "routed")
OPEN = ("filed", "under_review")
STATUS_ZH = {
    "filed": "已提出", "under_review": "复核中", "upheld": "维持原结果", "overturned": "异议成立,结果已更正",
    "withdrawn": "已撤回", "routed": "非工会认定,已告知原决定机关",
}  # fmt: skip
MAX_TEXT = 2000
REVIEWED_ON_DECIDING = "决定时一并受理复核 (accepted for review by the decider)"


class RoutedOut(BaseModel):
    record_id: int
    type: str
    authority: str  # the kind of authority, in Chinese
    source: str  # the deciding body as the record names it
    ref: str  # its document number
    decision_date: str


class ObjectionOut(BaseModel):
    objection_id: int
    uscc: str
    name: str
    period: str
    item: str
    item_name: str
    run_id: int  # the run holding the result objected to
    record_id: int | None
    reason: str
    evidence: FileOut | None
    status: str
    status_zh: str
    due_on: str
    due_note: str
    overdue: bool
    routed_to: list[RoutedOut]
    result_run_id: int | None  # the new result an overturn made
    filed_by: str
    filed_at: str
    filed_on: str  # the day it was filed as (an earlier day staff gave for a filing received on paper)
    publication: NoticeWindowOut | None  # the newest notice listing the result objected to by that day
    late: bool  # filed after that notice's last day for objections: accepted against the current result
    decided_by: str | None
    decided_at: str | None
    note: str | None
    events: list[EventOut]
    results: list[RescoredOut] = []  # the new results its decision made (an overturn's), beside those superseded

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> int:
        return self.objection_id


def file_objection(
    engine: Engine,
    who: Principal,
    uscc: str,
    period: str,
    item: str,
    reason: str,
    *,
    evidence: Path | None = None,
    record_id: int | None = None,
    today: date | None = None,
) -> ObjectionOut:
    """File an objection to one item of the enterprise's current result in ``period``. An enterprise user
    files for itself only; analysts may file on an enterprise's behalf (within their scope), on an earlier
    ``today`` when it was received on paper then (``case_day``)."""
    require_schema(engine)
    code = ascii_form(uscc).upper()[:18]
    period = check_period(period)
    item = item.strip().upper()
    reason = _text(reason, "异议理由 (reason)")
    policy = load_redress_policy()
    day = case_day(engine, who, Action.object, f"enterprise:{code}", today)
    with guarded(engine, who, Action.object, f"enterprise:{code}") as entry, repo.writing(engine) as conn:
        run = get_run(conn, period, None)
        catalogue = catalogue_for_run(conn, run)
        if item not in catalogue.item_codes:
            raise UsageError(f"指标 {shorten(item)} 不在指标体系 {catalogue.version} 中 (unknown item)")
        columns = ("uscc", "enterprise_id", "region_code", "name", "run_id", "records")
        runs = repo.current_runs(conn, run)
        found = repo.results(conn, runs, columns, uscc=code, scope=who.scope)
        if found.empty:
            missing = (
                f"期间 {period} 没有企业 {shorten(code)} 的评分结果,或你无权为它提出异议 (no result or not permitted)"
            )
            outside = not who.scope.everything and not repo.results(conn, runs, ("uscc",), uscc=code).empty
            raise Hidden(missing) if outside else NotFoundError(missing)
        result = found.iloc[0]
        enterprise, run_id = int(result["enterprise_id"]), int(result["run_id"])
        repo.lock_enterprises(conn, [enterprise])
        _not_pending(conn, enterprise, period, item, run_id)
        concerned = _records_concerned(conn, catalogue, item, result, record_id)
        _existed_on(conn, day, run_id, concerned)
        routed = [r for r in concerned if policy.routed(_source_kind(catalogue, r["type"]))]
        due = add_working_days(day, policy.objection.decide_within_working_days)
        notice = covering(conn, period, run_id, enterprise, day)
        values = {
            "enterprise_id": enterprise, "uscc": code, "region_code": str(result["region_code"]), "period": period,
            "item_code": item, "run_id": run_id, "record_id": record_id, "reason": reason,
            "evidence_id": store_evidence(conn, who, evidence), "status": "filed", "due_on": due.day,
            "filed_by": who.name, "filed_at": repo.now(), "filed_on": day,
            "publication_id": notice[0] if notice else None, "window_until": notice[1] if notice else None,
        }  # fmt: skip
        objection_id = int(conn.execute(insert(Objection).returning(Objection.id), values).scalar_one())
        late = notice is not None and is_late(day, notice[1])
        window = {"publication_id": notice[0], "window_until": notice[1].isoformat(), "late": late} if notice else {}
        add_event(conn, "objection", objection_id, "filed", who.name, reason,
                  {"due_on": due.day.isoformat(), "filed_on": day.isoformat(), **window})  # fmt: skip
        if routed and len(routed) == len(concerned):
            _route(conn, who, objection_id, catalogue, routed)
        entry.target = f"objection:{objection_id}"
        entry.detail = f"enterprise {code} period {period} item {item} run {run_id}"
        entry.detail += f"; late: after publication {window['publication_id']}'s window" if late else ""
        entry.detail += f" routed to {len(routed)} records" if routed and len(routed) == len(concerned) else ""
        entry.write(conn)
        return _outs(conn, [objection_id])[0]


def _text(value: str, what: str) -> str:
    return str(free_text(value, what, limit=MAX_TEXT, required=True))


def _not_pending(conn: Connection, enterprise: int, period: str, item: str, run_id: int) -> None:
    """Refuse a second open objection to the item, and one to an item of a result already upheld."""
    same = conn.scalar(
        select(Objection.id).where(
            Objection.enterprise_id == enterprise, Objection.period == period, Objection.item_code == item,
            Objection.status.in_(OPEN),
        )
    )  # fmt: skip
    if same is not None:
        raise ConflictError(f"该企业对 {period} 指标 {item} 已有未结异议 {same},请等待决定 (already open)")
    upheld = conn.scalar(
        select(Objection.id).where(
            Objection.enterprise_id == enterprise, Objection.item_code == item, Objection.status == "upheld",
            Objection.run_id == run_id,
        )
    )  # fmt: skip
    if upheld is not None:  # the same result, decided: a new objection needs a new result (new data, a record)
        raise ConflictError(
            f"异议 {upheld} 已就该结果的指标 {item} 作出维持原结果的决定,结果此后未变,不能再次提出;"
            "有新的事实请先补报数据或记录,结果变化后可再提出 (decided on this very result)"
        )


def _existed_on(conn: Connection, day: date, run_id: int, records: list[dict[str, Any]]) -> None:
    """Refuse a filing day before the result objected to was stored, or before a record it is about was
    decided or received: there was nothing to object to on that day (staff may give an earlier day for an
    objection received on paper, never one before what it objects to existed)."""
    stored = in_china(conn.scalar(select(ScoreRun.finished_at).where(ScoreRun.id == run_id))).date()
    if day < stored:
        raise UsageError(
            f"异议提出日期 {day} 早于所异议的结果生成之日 {stored}(评分批次 {run_id}),当日该结果尚不存在,"
            "不能按更早的日期提出 (a filing day before the result objected to existed)"
        )
    for record in records:
        decided, received = pd.Timestamp(record["decision_date"]).date(), in_china(record["received_at"]).date()
        if day < max(decided, received):
            raise UsageError(
                f"异议提出日期 {day} 早于记录 #{record['id']} 的决定日期 {decided} 或收到日期 {received},"
                "当日该记录尚不存在,不能按更早的日期提出 (a filing day before the record existed)"
            )


def _source_kind(catalogue: Catalogue, record_type: str) -> str:
    kind = catalogue.record_type_map.get(record_type)
    return kind.source_kind if kind else ""


def _records_concerned(
    conn: Connection, catalogue: Catalogue, item: str, result: Any, record_id: int | None
) -> list[dict[str, Any]]:
    """The records behind the item in the result objected to (or the one named), oldest first."""
    counted = [int(i) for i in str(result["records"] or "").split(",") if i]
    if record_id is not None:
        named = repo.records_of(conn, [int(result["enterprise_id"])], ids=[record_id])
        if named.empty:
            raise NotFoundError(f"该企业没有记录 #{record_id} (no such record of this enterprise)")
        row = named.iloc[0].to_dict()
        kind = catalogue.record_type_map.get(str(row["type"]))
        if kind is None or kind.item != item:
            where = kind.item if kind else "(本版本不计分)"
            raise UsageError(f"记录 #{record_id} 计入指标 {where},不是 {item} (the record scores another item)")
        return [row]
    types = {code for code, kind in catalogue.record_type_map.items() if kind.item == item}
    if not counted or not types:
        return []
    records = repo.records_of(conn, ids=counted)
    return [r for r in records.to_dict("records") if r["type"] in types]


def _route(conn: Connection, who: Principal, objection_id: int, catalogue: Catalogue, routed: list[dict]) -> None:
    to = [
        RoutedOut(
            record_id=int(r["id"]), type=str(r["type"]),
            authority=RedressPolicy.authority_zh(_source_kind(catalogue, str(r["type"]))), source=str(r["source"]),
            ref=str(r["ref"]), decision_date=pd.Timestamp(r["decision_date"]).date().isoformat(),
        )
        for r in routed
    ]  # fmt: skip
    pointer = ";".join(f"{r.source}({r.authority}){r.ref}" for r in to)
    note = (
        f"该项扣分依据其他机关作出的决定:{pointer}。工会不对其作出认定;如有异议,请向原决定机关申请复核,"
        "或依法申请行政复议、提起行政诉讼;原决定被撤销或变更的,凭撤销或变更文书更正 (not ours to decide)"
    )
    conn.execute(
        update(Objection).where(Objection.id == objection_id).values(
            status="routed", routed_to=json.dumps([r.model_dump() for r in to], ensure_ascii=False),
            decided_by=who.name, decided_at=repo.now(), note=note,
        )
    )  # fmt: skip
    add_event(conn, "objection", objection_id, "routed", who.name, note, {"records": [r.record_id for r in to]})


def review(engine: Engine, who: Principal, objection_id: int, note: str) -> ObjectionOut:
    """filed → under_review, by an analyst, with a note."""
    return _step(engine, who, objection_id, "under_review", _text(note, "说明 (note)"), Action.decide, ("filed",))


def withdraw(engine: Engine, who: Principal, objection_id: int, note: str) -> ObjectionOut:
    """An open objection withdrawn by the enterprise (or an analyst on its written request)."""
    return _step(engine, who, objection_id, "withdrawn", _text(note, "说明 (note)"), Action.object, OPEN)


def _step(
    engine: Engine, who: Principal, objection_id: int, status: str, note: str, action: Action, from_: tuple[str, ...]
) -> ObjectionOut:
    require_schema(engine)
    with guarded(engine, who, action, f"objection:{objection_id}") as entry, repo.writing(engine) as conn:
        row = _row(conn, who, objection_id, lock=True)
        _expect(row, from_)
        final = {"decided_by": who.name, "decided_at": repo.now(), "note": note} if status not in OPEN else {}
        conn.execute(update(Objection).where(Objection.id == objection_id).values(status=status, **final))
        add_event(conn, "objection", objection_id, status, who.name, note)
        entry.detail = f"{row['status']} -> {status}"
        entry.write(conn)
        return _outs(conn, [objection_id])[0]


def _row(conn: Connection, who: Principal, objection_id: int, *, lock: bool = False) -> Any:
    """The objection, if inside ``who``'s scope (outside is answered like unknown); locked with ``lock``."""
    missing = f"没有异议 {objection_id},或你无权查看 (no such objection or not permitted)"
    return case_row(conn, Objection, who, objection_id, missing, lock=lock)


def _expect(row: Any, allowed: tuple[str, ...]) -> None:
    if row["status"] not in allowed:
        raise ConflictError(
            f"异议 {row['id']} 当前状态为{STATUS_ZH[row['status']]}({row['status']}),不能进行此操作 (wrong status)"
        )


def fact_pairs(pairs: Iterable[str], given_as: str) -> dict[str, str]:
    """Corrected facts written ``FIELD=VALUE`` (one per ``--fact`` option, or one per line of a form; blank
    ones skipped) as ``decide`` takes them; ``given_as`` names where they were typed in a refusal.

    >>> fact_pairs(["worker_satisfaction_rate = 0.98", "", "union_established=是"], "--fact")
    {'worker_satisfaction_rate': '0.98', 'union_established': '是'}
    """
    facts: dict[str, str] = {}
    for pair in pairs:
        if not pair.strip():
            continue
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(
                f"{given_as} {shorten(pair.strip())} 应写作 字段=值,如 worker_satisfaction_rate=0.98 (FIELD=VALUE)"
            )
        if name.strip() in facts:
            raise UsageError(f"{given_as} 字段 {shorten(name.strip())} 给了两次 (given twice)")
        facts[name.strip()] = value.strip()
    return facts


def decide(
    engine: Engine,
    who: Principal,
    objection_id: int,
    *,
    uphold: bool,
    note: str,
    facts: dict[str, str] | None = None,
) -> ObjectionOut:
    """Uphold (the result stands) or overturn an open objection (a filed one is accepted for review first, by
    the decider: ``_reviewed_on_deciding``). An overturn gives the corrected facts
    (``facts``: field name → value spelled as in input files) or, for an objection about records the union
    decided, revokes them; either way a new result supersedes the old one, linked to the objection."""
    require_schema(engine)
    note = _text(note, "决定说明 (note)")
    facts = {k.strip(): str(v).strip() for k, v in (facts or {}).items()}
    if uphold and facts:
        raise UsageError("维持原结果时不能给出更正事实 --fact (facts only with --overturn)")
    with guarded(engine, who, Action.decide, f"objection:{objection_id}") as entry, repo.writing(engine) as conn:
        row = _row(conn, who, objection_id, lock=True)
        _expect(row, OPEN)
        steps = _reviewed_on_deciding(conn, who, row)
        repo.lock_enterprises(conn, [int(row["enterprise_id"])])
        results: list[RescoredOut] = []
        detail: dict[str, Any] = {}
        if not uphold:
            results, detail = _overturn(conn, who, row, facts)
        status = "upheld" if uphold else "overturned"
        ours = [r.run_id for r in results if r.period == row["period"]]
        conn.execute(update(Objection).where(Objection.id == objection_id).values(
            status=status, decided_by=who.name, decided_at=repo.now(), note=note,
            result_run_id=ours[-1] if ours else None))  # fmt: skip
        add_event(conn, "objection", objection_id, status, who.name, note, detail or None)
        entry.detail = " -> ".join([*steps, status]) + (f"; new results in runs {sorted({r.run_id for r in results})}"
                                                        if results else "")  # fmt: skip
        entry.write(conn)
        return _outs(conn, [objection_id])[0]


def _reviewed_on_deciding(conn: Connection, who: Principal, row: Any) -> list[str]:
    """An objection decided while still filed is accepted for review by the decider first, so that its history
    always reads filed → under_review → decision (the dashboard and ``lrc objection decide`` offer a decision
    on a filed one; refusing it would only add a step the decider takes anyway). The steps taken so far."""
    if row["status"] != "filed":
        return [str(row["status"])]
    add_event(conn, "objection", int(row["id"]), "under_review", who.name, REVIEWED_ON_DECIDING)
    return ["filed", "under_review"]


def _overturn(
    conn: Connection, who: Principal, row: Any, facts: dict[str, str]
) -> tuple[list[RescoredOut], dict[str, Any]]:
    run = get_run(conn, None, int(row["run_id"]))
    catalogue = catalogue_for_run(conn, run)
    result = repo.results(conn, int(row["run_id"]), ("uscc", "enterprise_id", "submission_id", "records"),
                          enterprise_ids=[int(row["enterprise_id"])]).iloc[0]  # fmt: skip
    policy = load_redress_policy()
    concerned = _records_concerned(conn, catalogue, str(row["item_code"]), result, row["record_id"])
    ours = [r for r in concerned if not policy.routed(_source_kind(catalogue, str(r["type"])))]
    if not facts and not ours:
        raise UsageError(
            "异议成立须给出更正后的事实(--fact 字段=值),或该项扣分须来自工会认定的记录(可撤销) "
            "(an overturn needs corrected facts, or records the union decided)"
        )
    results: list[RescoredOut] = []
    detail: dict[str, Any] = {}
    if ours:
        closings = [
            Closing(int(r["id"]), int(row["enterprise_id"]), "revoked", pd.Timestamp(r["decision_date"]).date(),
                    case_id=int(row["id"]))  # fmt: skip
            for r in ours
        ]
        results += close(conn, closings, actor=who.name)
        detail["revoked_records"] = [c.record_id for c in closings]
    if facts:
        results += _corrected(conn, who, row, catalogue, facts)
        detail["facts"] = facts
    return results, detail


def _corrected(
    conn: Connection, who: Principal, row: Any, catalogue: Catalogue, facts: dict[str, str]
) -> list[RescoredOut]:
    """A new submission version, scored at once: the enterprise's newest of the period with the corrected facts.
    Not the version objected to: a version submitted since (scored, and current) would be undone by the
    correction of one item."""
    unknown = [name for name in facts if name not in catalogue.field_map]
    if unknown:
        raise UsageError(
            f"字段 {'、'.join(shorten(n) or '' for n in unknown[:5])} 不在指标体系 {catalogue.version} 的数据字段中;"
            "请按数据模板的英文字段名填写,如 --fact worker_satisfaction_rate=0.98 (unknown field)"
        )
    disputed = catalogue.item(str(row["item_code"]))
    allowed = _fields_read(catalogue, disputed)
    outside = [name for name in facts if name not in allowed]
    if outside:  # a correction elsewhere would change other items than the one the objection is about
        readable = "、".join(allowed) if allowed else "(该项按记录计分,不读取报送字段)"
        raise UsageError(
            f"异议针对指标 {disputed.code},只能更正该项读取的字段:{readable};"
            f"{'、'.join(shorten(n) or '' for n in outside[:5])} 不属于该项 (facts outside the disputed item)"
        )
    period = str(row["period"])
    subs = repo.latest_submissions(conn, period, [int(row["enterprise_id"])])
    values = {k: v for k, v in submission_values(subs, catalogue).items() if v is not None}
    values.update(facts)
    source = f"异议 {row['id']} (objection {row['id']})"
    batch = read_object(values, catalogue, period=period, source=source)
    batch.sha256 = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()
    stored = store_batch(conn, who, batch, period, catalogue)
    if not stored.fresh:
        raise UsageError("更正后的事实与该企业本期最新报送的数据相同,结果不会改变 (the corrected facts change nothing)")
    return rescore(conn, period, [int(row["enterprise_id"])], kind="objection", actor=who.name,
                   cause_id=int(row["id"]), newest_submission=True)  # fmt: skip


def _fields_read(catalogue: Catalogue, item: Any) -> list[str]:
    """The fields an item reads, with those of the items it builds on (``requires``), in that order."""
    fields: list[str] = []
    while item is not None:
        fields += [f for f in item.uses if f not in fields]
        item = catalogue.item(item.requires) if item.requires else None
    return fields


def list_objections(
    engine: Engine, who: Principal, *, status: str | None = None, uscc: str | None = None
) -> list[ObjectionOut]:
    """Objections inside ``who``'s scope, newest first."""
    require_schema(engine)
    with engine.connect() as conn:
        return _outs(conn, case_ids(conn, Objection, who, STATUSES, status, uscc))


def get_objection(engine: Engine, who: Principal, objection_id: int) -> ObjectionOut:
    require_schema(engine)
    with refusals(engine, who, Action.read, f"objection:{objection_id}"), engine.connect() as conn:
        _row(conn, who, objection_id)
        return _outs(conn, [objection_id])[0]


def open_objections(conn: Connection, enterprise_ids: list[int]) -> dict[int, list[int]]:
    """enterprise id → its open objections' ids (what a publication marks and a dossier lists)."""
    found: dict[int, list[int]] = {}
    for part in repo.chunks(enterprise_ids):
        query = select(Objection.enterprise_id, Objection.id).where(
            Objection.enterprise_id.in_(list(part)), Objection.status.in_(OPEN)
        )
        for enterprise, objection in conn.execute(query.order_by(Objection.id)):
            found.setdefault(int(enterprise), []).append(int(objection))
    return found


def _outs(conn: Connection, ids: list[int]) -> list[ObjectionOut]:
    if not ids:
        return []
    rows = {int(r["id"]): r for r in conn.execute(select(Objection).where(Objection.id.in_(ids))).mappings()}
    events = events_of(conn, "objection", ids)
    made = caused_by(conn, "objection", {i: int(r["enterprise_id"]) for i, r in rows.items()})
    files = files_of(conn, [r["evidence_id"] for r in rows.values()])
    names = _names(conn, list(rows.values()))
    windows = notices(conn, list(rows.values()))
    today = today_in_china()
    out = []
    for i in ids:
        r = rows[i]
        due, filed = stored_date(r["due_on"]), stored_date(r["filed_on"])
        catalogue_name = names[i]
        window = windows.get(i)
        out.append(ObjectionOut(
            objection_id=i, uscc=r["uscc"], name=catalogue_name[0], period=r["period"], item=r["item_code"],
            item_name=catalogue_name[1], run_id=int(r["run_id"]), record_id=r["record_id"], reason=r["reason"],
            evidence=files.get(r["evidence_id"]) if r["evidence_id"] else None, status=r["status"],
            status_zh=STATUS_ZH[r["status"]], due_on=due.isoformat(),
            due_note=due_note(due), overdue=r["status"] in OPEN and today > due,
            routed_to=[RoutedOut(**x) for x in json.loads(r["routed_to"] or "[]")],
            result_run_id=r["result_run_id"], filed_by=r["filed_by"],
            filed_at=china_iso(r["filed_at"]), filed_on=filed.isoformat(), publication=window,
            late=window is not None and is_late(filed, stored_date(r["window_until"])), decided_by=r["decided_by"],
            decided_at=china_iso(r["decided_at"]),
            note=r["note"], events=events[i], results=made[i],
        ))  # fmt: skip
    return out


def _names(conn: Connection, rows: list[Any]) -> dict[int, tuple[str, str]]:
    """objection id → (the enterprise's name in the result objected to, the item's Chinese name in that run's
    catalogue); each run's catalogue and names are read once."""
    catalogues: dict[int, Catalogue] = {}
    enterprises: dict[int, dict[int, str]] = {}
    for run_id in {int(r["run_id"]) for r in rows}:
        catalogues[run_id] = catalogue_for_run(conn, get_run(conn, None, run_id))
        wanted = sorted({int(r["enterprise_id"]) for r in rows if int(r["run_id"]) == run_id})
        named = repo.results(conn, run_id, ("enterprise_id", "name"), enterprise_ids=wanted)
        enterprises[run_id] = {int(e): str(n) for e, n in zip(named["enterprise_id"], named["name"], strict=True)}
    return {
        int(r["id"]): (
            enterprises[int(r["run_id"])].get(int(r["enterprise_id"]), ""),
            catalogues[int(r["run_id"])].node_names.get(str(r["item_code"]), ""),
        )
        for r in rows
    }
