"""Credit repair (信用修复): an enterprise that has put a record's cause right asks that it stop counting
before its display period ends.

Whether a record can be repaired, and from when, is record-type data: per tier ``repair_after_months``
from the decision date (null: never; it stops counting when its display period ends). A request needs
evidence of the correction and a written pledge (the policy's conditions); one made before the minimum
period is refused with the earliest date. An approval closes the record (``lrc.service.closures``): it
stops counting from the enterprise's current standing on, a new result is made at once, linked to the
repair, and the record leaves what is published from then on. History keeps everything."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, computed_field
from sqlalchemy import Connection, Engine, insert, select, update

from indicators import Catalogue, load_catalogue
from indicators.record_types import TIER_ZH
from indicators.redress_policy import CONDITION_ZH, load_redress_policy
from lrc.errors import ConflictError, NotFoundError, UsageError, shorten
from lrc.normalise import ascii_form, free_text
from lrc.periods import sort_periods
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
from lrc.service.closures import Closing, close, standing_from
from lrc.service.rescoring import RescoredOut, caused_by
from lrc.service.runs import catalogue_for_run, get_run
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import Repair
from lrc.times import china_iso, stored_date, today_in_china
from lrc.workdays import add_working_days, due_note
from scoring.records import display_until

STATUSES = ("requested", "approved", "rejected")
STATUS_ZH = {"requested": "待决定", "approved": "已批准修复", "rejected": "不予修复"}
MAX_NOTE = 2000


class RepairRecordOut(BaseModel):
    record_id: int
    type: str
    type_name: str
    tier: str
    tier_zh: str
    decision_date: str
    source: str
    ref: str
    repair_from: str | None  # the first day a repair may be requested (None: not repairable)
    display_until: str  # the first day it stops counting by itself


class Condition(BaseModel):
    code: str
    text_zh: str


class RepairOut(BaseModel):
    repair_id: int
    uscc: str
    record: RepairRecordOut
    evidence: FileOut | None
    pledge: FileOut | None
    conditions: list[Condition]
    status: str
    status_zh: str
    due_on: str
    due_note: str
    overdue: bool
    result_run_id: int | None
    requested_by: str
    requested_at: str
    filed_on: str  # the day it was requested as (an earlier day staff gave for a request received on paper)
    decided_by: str | None
    decided_at: str | None
    note: str | None
    events: list[EventOut]
    results: list[RescoredOut] = []  # the new results its approval made, beside those superseded

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> int:
        return self.repair_id


def _scoring_catalogues(conn: Connection) -> list[Catalogue]:
    """The catalogues of the scored periods, newest period first (each read once per call)."""
    found: dict[str, Catalogue] = {}
    for period in reversed(sort_periods(repo.scored_periods(conn))):
        run = get_run(conn, period, None)
        if run.catalogue_hash not in found:
            found[run.catalogue_hash] = catalogue_for_run(conn, run)
    return list(found.values())


def _catalogue_for(catalogues: list[Catalogue], record_type: str, edition: str) -> Catalogue:
    """The catalogue that scores the record now: the newest scored period's that knows its type, else the
    edition it was checked against."""
    return next((c for c in catalogues if record_type in c.record_type_map), None) or load_catalogue(edition)


def _windows(catalogue: Catalogue, record: dict[str, Any]) -> tuple[date | None, date]:
    """(first day a repair may be asked for, or None; first day the record no longer counts)."""
    rule = catalogue.record_type_map[str(record["type"])].tiers[record["tier"]]
    decided = pd.Timestamp(record["decision_date"]).date()
    after = rule.repair_after_months
    return (display_until(decided, after) if after is not None else None), display_until(decided, rule.display_months)


def request_repair(
    engine: Engine,
    who: Principal,
    uscc: str,
    record_id: int,
    *,
    evidence: Path,
    pledge: Path,
    today: date | None = None,
) -> RepairOut:
    """Ask for the repair of one record of the enterprise (an enterprise for itself; analysts on its behalf)."""
    require_schema(engine)
    if evidence is None or pledge is None:
        raise UsageError("信用修复申请须附整改证明 --evidence 和书面信用承诺 --pledge (evidence and pledge needed)")
    code = ascii_form(uscc).upper()[:18]
    day = case_day(engine, who, Action.object, f"record:{record_id}", today)
    policy = load_redress_policy()
    with guarded(engine, who, Action.object, f"record:{record_id}") as entry, repo.writing(engine) as conn:
        found = repo.records_of(conn, ids=[record_id], uscc=code, scope=who.scope)
        if found.empty:
            raise NotFoundError(
                f"企业 {shorten(code)} 没有记录 #{record_id},或你无权为它申请修复 (no such record or not permitted)"
            )
        record = found.iloc[0].to_dict()
        enterprise = int(record["enterprise_id"])
        repo.lock_enterprises(conn, [enterprise])
        _repairable_on(conn, record, day, "申请")
        open_ = conn.scalar(select(Repair.id).where(Repair.record_id == record_id, Repair.status == "requested"))
        if open_ is not None:
            raise ConflictError(f"记录 #{record_id} 已有待决定的修复申请 {open_} (already requested)")
        due = add_working_days(day, policy.repair.decide_within_working_days)
        region = repo.latest_regions(conn, [enterprise]).get(enterprise, "")
        values = {
            "record_id": record_id, "enterprise_id": enterprise, "uscc": code, "region_code": region,
            "evidence_id": store_evidence(conn, who, evidence), "pledge_id": store_evidence(conn, who, pledge),
            "status": "requested", "due_on": due.day, "requested_by": who.name, "requested_at": repo.now(),
            "filed_on": day,
        }  # fmt: skip
        repair_id = int(conn.execute(insert(Repair).returning(Repair.id), values).scalar_one())
        add_event(conn, "repair", repair_id, "requested", who.name, None,
                  {"due_on": due.day.isoformat(), "filed_on": day.isoformat()})  # fmt: skip
        entry.target = f"repair:{repair_id}"
        entry.detail = f"record {record_id} enterprise {code} due {due.day}"
        entry.write(conn)
        return _outs(conn, [repair_id])[0]


def _repairable_on(conn: Connection, record: dict[str, Any], day: date, doing: str) -> None:
    """Refuse the repair of ``record`` on ``day`` (``doing``: 申请 a request, 批准 an approval) unless it may be
    repaired then: a repairable type and tier, its minimum period over, its display period not, still counting.
    Checked again at approval: the day and the record-type data may differ from the request's."""
    record_id = int(record["id"])
    catalogue = _catalogue_for(_scoring_catalogues(conn), str(record["type"]), str(record["edition"]))
    if str(record["type"]) not in catalogue.record_type_map:
        raise ConflictError(f"记录 #{record_id} 的类型 {record['type']} 在现行指标体系中不计分,无需修复")
    earliest, until = _windows(catalogue, record)
    if earliest is None:
        raise UsageError(
            f"记录 #{record_id}({catalogue.record_type_map[str(record['type'])].name_zh})按规定不可修复,"
            f"将于 {until.isoformat()} 展示期满后自动停止计分 (not repairable)"
        )
    if day < earliest:
        raise UsageError(
            f"记录 #{record_id} 尚未满最短公示期,最早可于 {earliest.isoformat()} {doing}信用修复 "
            f"(too early: earliest {earliest.isoformat()})"
        )
    if day >= until:
        raise ConflictError(f"记录 #{record_id} 已于 {until.isoformat()} 展示期满,不再计分,无需修复 (expired)")
    if repo.closures_of(conn, [record_id]):
        raise ConflictError(f"记录 #{record_id} 已停止计分,无需修复 (closed already)")


def decide_repair(
    engine: Engine, who: Principal, repair_id: int, *, approve: bool, note: str, today: date | None = None
) -> RepairOut:
    """Approve (the record stops counting; a new result, linked) or reject a requested repair, on ``today``
    (``case_day``: not a day to come, nor one before the request). An approval checks the record again as a
    request does: a request made under other data, or before this check existed, is not approved early."""
    require_schema(engine)
    note = str(free_text(note, "决定说明 (note)", limit=MAX_NOTE, required=True))
    day = case_day(engine, who, Action.decide, f"repair:{repair_id}", today)
    with guarded(engine, who, Action.decide, f"repair:{repair_id}") as entry, repo.writing(engine) as conn:
        row = _row(conn, who, repair_id, lock=True)
        if row["status"] != "requested":
            said = STATUS_ZH[row["status"]].removeprefix("已")  # (已批准修复: not 已已批准修复)
            raise ConflictError(f"修复申请 {repair_id} 已{said},不能再次决定 (decided already)")
        _not_before_request(row, day)
        repo.lock_enterprises(conn, [int(row["enterprise_id"])])
        results = _approve(conn, who, row, day) if approve else []
        status = "approved" if approve else "rejected"
        newest = max((r.run_id for r in results), default=None)
        conn.execute(update(Repair).where(Repair.id == repair_id).values(
            status=status, decided_by=who.name, decided_at=repo.now(), note=note, result_run_id=newest))  # fmt: skip
        runs = sorted({r.run_id for r in results})
        detail = {"record": int(row["record_id"]), "runs": runs} if approve else {}
        add_event(conn, "repair", repair_id, status, who.name, note, {**detail, "decided_on": day.isoformat()})
        entry.detail = f"requested -> {status} on {day}" + (f"; new results in runs {runs}" if approve else "")
        entry.write(conn)
        return _outs(conn, [repair_id])[0]


def _approve(conn: Connection, who: Principal, row: Any, day: date) -> list[RescoredOut]:
    """The record, checked again (``_repairable_on``), stops counting; the new results."""
    record = repo.records_of(conn, ids=[int(row["record_id"])]).iloc[0].to_dict()
    _repairable_on(conn, record, day, "批准")
    enterprise = int(row["enterprise_id"])
    closing = Closing(int(row["record_id"]), enterprise, "repaired", standing_from(conn, enterprise, day),
                      case_id=int(row["id"]))  # fmt: skip
    return close(conn, [closing], actor=who.name)


def _not_before_request(row: Any, day: date) -> None:
    requested = stored_date(row["filed_on"])
    if day < requested:
        raise UsageError(
            f"决定日期 {day} 早于修复申请 {row['id']} 的申请日期 {requested},不能在申请之前作出决定 "
            "(a decision before the request)"
        )


def _row(conn: Connection, who: Principal, repair_id: int, *, lock: bool = False) -> Any:
    missing = f"没有信用修复申请 {repair_id},或你无权查看 (no such repair or not permitted)"
    return case_row(conn, Repair, who, repair_id, missing, lock=lock)


def list_repairs(
    engine: Engine, who: Principal, *, status: str | None = None, uscc: str | None = None
) -> list[RepairOut]:
    """Repair requests inside ``who``'s scope, newest first."""
    require_schema(engine)
    with engine.connect() as conn:
        return _outs(conn, case_ids(conn, Repair, who, STATUSES, status, uscc))


def get_repair(engine: Engine, who: Principal, repair_id: int) -> RepairOut:
    require_schema(engine)
    with refusals(engine, who, Action.read, f"repair:{repair_id}"), engine.connect() as conn:
        _row(conn, who, repair_id)
        return _outs(conn, [repair_id])[0]


def _outs(conn: Connection, ids: list[int]) -> list[RepairOut]:
    if not ids:
        return []
    rows = {int(r["id"]): r for r in conn.execute(select(Repair).where(Repair.id.in_(ids))).mappings()}
    records = {int(r["id"]): r for r in repo.records_of(conn, ids=[int(r["record_id"]) for r in rows.values()])
               .to_dict("records")}  # fmt: skip
    events = events_of(conn, "repair", ids)
    made = caused_by(conn, "repair", {i: int(r["enterprise_id"]) for i, r in rows.items()})
    files = files_of(conn, [x for r in rows.values() for x in (r["evidence_id"], r["pledge_id"])])
    conditions = [Condition(code=c, text_zh=CONDITION_ZH[c]) for c in load_redress_policy().repair.conditions]
    today = today_in_china()
    catalogues = _scoring_catalogues(conn)
    out = []
    for i in ids:
        r = rows[i]
        record = records[int(r["record_id"])]
        catalogue = _catalogue_for(catalogues, str(record["type"]), str(record["edition"]))
        kind = catalogue.record_type_map.get(str(record["type"]))
        earliest, until = _windows(catalogue, record) if kind else (None, date.max)
        due = stored_date(r["due_on"])
        out.append(RepairOut(
            repair_id=i, uscc=r["uscc"],
            record=RepairRecordOut(
                record_id=int(record["id"]), type=str(record["type"]), type_name=kind.name_zh if kind else "",
                tier=str(record["tier"]), tier_zh=TIER_ZH.get(str(record["tier"]), ""),
                decision_date=pd.Timestamp(record["decision_date"]).date().isoformat(), source=str(record["source"]),
                ref=str(record["ref"]), repair_from=earliest.isoformat() if earliest else None,
                display_until=until.isoformat(),
            ),
            evidence=files.get(r["evidence_id"]), pledge=files.get(r["pledge_id"]), conditions=conditions,
            status=r["status"], status_zh=STATUS_ZH[r["status"]], due_on=due.isoformat(), due_note=due_note(due),
            overdue=r["status"] == "requested" and today > due, result_run_id=r["result_run_id"],
            requested_by=r["requested_by"], requested_at=china_iso(r["requested_at"]),
            filed_on=stored_date(r["filed_on"]).isoformat(), decided_by=r["decided_by"],
            decided_at=china_iso(r["decided_at"]),
            note=r["note"], events=events[i], results=made[i],
        ))  # fmt: skip
    return out


def repairable_records(
    engine: Engine, who: Principal, uscc: str, *, today: date | None = None
) -> list[RepairRecordOut]:
    """The enterprise's records (inside ``who``'s scope) a repair may be asked for: of a repairable type and
    tier, still counting (not closed, display period not over by ``today``), each with the first day a request
    is possible (a request before it is refused with that date)."""
    require_schema(engine)
    code = ascii_form(uscc).upper()[:18]
    day = today or today_in_china()
    with engine.connect() as conn:
        found = repo.records_of(conn, uscc=code, scope=who.scope)
        if found.empty:
            return []
        closed = repo.closures_of(conn, found["id"].astype(int).tolist())
        catalogues = _scoring_catalogues(conn)
        out = []
        for record in found.to_dict("records"):
            catalogue = _catalogue_for(catalogues, str(record["type"]), str(record["edition"]))
            kind = catalogue.record_type_map.get(str(record["type"]))
            if kind is None or int(record["id"]) in closed or record["tier"] not in kind.tiers:
                continue
            earliest, until = _windows(catalogue, record)
            if earliest is None or day >= until:
                continue
            out.append(RepairRecordOut(
                record_id=int(record["id"]), type=str(record["type"]), type_name=kind.name_zh, tier=str(record["tier"]),
                tier_zh=TIER_ZH.get(str(record["tier"]), ""),
                decision_date=pd.Timestamp(record["decision_date"]).date().isoformat(), source=str(record["source"]),
                ref=str(record["ref"]), repair_from=earliest.isoformat(), display_until=until.isoformat(),
            ))  # fmt: skip
        return out
