"""Alerts: the rules (``indicators/alert_rules``) checked against every new result, in the transaction
that stores it, and the steps people take on them (acknowledge, close with a note), each audited.

A result is compared with the enterprise's result just before it: for a record or a submission, its
current result in the period; for a period run, its current result in the run before (the period's last
run, else the previous scored period's). A rule is met at most once per result (a unique key); a record
delivered twice makes no new result, so it raises nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from pydantic import BaseModel, computed_field
from sqlalchemy import Connection, Engine, insert, select, update

from indicators import Catalogue
from indicators.alert_rules import SEVERITY_ZH, AlertRule, AlertRules, load_alert_rules
from lrc.errors import ConflictError, Hidden, NotFoundError, UsageError, shorten
from lrc.normalise import ascii_form, free_text
from lrc.periods import previous_period, submission_deadline
from lrc.reference import city_of
from lrc.scope import Scope
from lrc.service.access import Action, Principal, Role
from lrc.service.audit import check, guarded
from lrc.service.json_times import ChinaTime
from lrc.store import outbox, require_schema
from lrc.store import repository as repo
from lrc.store.tables import Alert, Record
from lrc.times import CHINA, today_in_china

STATUSES = ("new", "acknowledged", "closed")
STATUS_ZH = {"new": "新", "acknowledged": "已确认", "closed": "已关闭"}
STEP_ZH = {"acknowledged": "确认", "closed": "关闭"}
BEFORE_COLUMNS = ("enterprise_id", "total", "grade", "red_line")
EVENT = "alert.raised"  # the outbox event of a new alert (lrc.service.webhooks delivers it)


class AlertOut(BaseModel):
    id: int
    rule_code: str
    title_zh: str
    severity: str
    uscc: str
    name: str
    region_code: str
    period: str
    run_id: int
    record_id: int | None
    before_total: float | None
    after_total: float | None  # None: no new result (data still missing after the deadline)
    before_grade: str | None
    after_grade: str | None
    detail: str
    status: str
    raised_at: ChinaTime
    acked_by: str | None
    acked_at: ChinaTime
    closed_by: str | None
    closed_at: ChinaTime
    close_note: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, self.status)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def severity_zh(self) -> str:
        return SEVERITY_ZH.get(self.severity, self.severity)


Prior = dict[int, tuple[int, str, bool]]  # enterprise id -> (total, grade, red line) just before


def prior_results(before: pd.DataFrame | None) -> Prior:
    """Each enterprise's result just before (``BEFORE_COLUMNS``) by enterprise id."""
    if before is None or not len(before):
        return {}
    columns = [before[c].tolist() for c in BEFORE_COLUMNS]
    return {int(e): (int(t), str(g), bool(r)) for e, t, g, r in zip(*columns, strict=True)}


def raise_alerts(
    conn: Connection,
    catalogue: Catalogue,
    period: str,
    run_id: int,
    rows: list[dict[str, Any]],
    before: pd.DataFrame | Prior | None,
    rules: AlertRules | None = None,
) -> int:
    """Store an alert for every rule each new result meets, and its event in the outbox (same transaction:
    both are kept or neither); how many were raised. Plain Python over the rows: one result costs
    microseconds, a period run of 100,000 a fraction of its scoring. ``before`` is each enterprise's result
    just before, as read (``BEFORE_COLUMNS``) or as ``prior_results`` made it once for several calls."""
    rules = rules or load_alert_rules()
    prior = before if isinstance(before, dict) else prior_results(before)
    order = {g.grade: k for k, g in enumerate(catalogue.grades)}  # best first
    raised: list[dict[str, Any]] = []
    at = repo.now()  # one moment for the alerts of one transaction
    for row in rows:
        was = prior.get(int(row["enterprise_id"]))
        for rule in rules.rules:
            if _meets(conn, rule, row, was, order):
                raised.append(_alert_row(rules, rule, row, was, period, run_id, order, at))
    if raised:
        ids = conn.execute(insert(Alert).returning(Alert.id, sort_by_parameter_order=True), raised).scalars().all()
        outbox.add_events(conn, alert_events(rules, raised, ids))
    return len(raised)


def alert_events(rules: AlertRules, alerts: Sequence[dict[str, Any]], ids: Sequence[int]) -> list[dict[str, Any]]:
    """The outbox row of each new alert: its idempotency key (``alert:<rule>:<run>:<enterprise>``, the
    alert's own unique key) and the alert as compact UTF-8 JSON, the body receivers get."""
    titles = {r.code: r.title_zh for r in rules.rules}
    stamp = repo.now()
    shown: dict[datetime, str] = {}  # raised_at in Beijing time, formatted once per moment
    events = []
    for alert, alert_id in zip(alerts, ids, strict=True):
        when = alert["raised_at"]
        if when not in shown:
            shown[when] = when.astimezone(CHINA).isoformat(timespec="seconds")
        key = f"alert:{alert['rule_code']}:{alert['run_id']}:{alert['enterprise_id']}"
        before = alert["before_total"]
        body = {
            "event": EVENT, "idempotency_key": key, "alert_id": int(alert_id), "rule": alert["rule_code"],
            "title_zh": titles.get(alert["rule_code"], alert["rule_code"]), "severity": alert["severity"],
            "uscc": alert["uscc"], "name": alert["name"], "region": alert["region_code"], "period": alert["period"],
            "run_id": alert["run_id"], "record_id": alert["record_id"],
            "before_total": _points(before), "after_total": _points(alert["after_total"]),
            "before_grade": alert["before_grade"], "after_grade": alert["after_grade"], "detail": alert["detail"],
            "raised_at": shown[when],
        }  # fmt: skip
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        events.append({"event": EVENT, "idempotency_key": key, "payload": payload,
                       "region_code": alert["region_code"], "created_at": stamp})  # fmt: skip
    return events


def _points(tenths: int | None) -> float | None:
    return None if tenths is None else tenths / 10


def raise_missing(
    conn: Connection, period: str, run_id: int, present: set[int], rules: AlertRules | None = None
) -> int:
    """For a period run made after ``period``'s submission deadline: an alert of each ``missing_after_deadline``
    rule for every enterprise with a current result in the previous period of the same kind that has no data
    in this run (``present``: the enterprise ids it scored), unless one is still open for it and the period.
    The alert has the last result as "before" and no "after"; its event goes to the outbox like every alert."""
    rules = rules or load_alert_rules()
    chosen = [r for r in rules.rules if r.kind == "missing_after_deadline"]
    deadline = submission_deadline(period)
    if not chosen or today_in_china() <= deadline:
        return 0
    earlier = previous_period(period, repo.scored_periods(conn))
    last_run = repo.latest_run_id(conn, earlier) if earlier else None
    if earlier is None or last_run is None:
        return 0
    columns = ("enterprise_id", "uscc", "name", "region_code", "total", "grade")
    before = repo.results(conn, repo.current_runs(conn, repo.run_row(conn, last_run)), columns)
    absent = before[~before["enterprise_id"].astype(int).isin(present)] if len(before) else before
    if absent.empty:
        return 0
    at = repo.now()
    raised: list[dict[str, Any]] = []
    for rule in chosen:
        still_open = set(conn.scalars(select(Alert.enterprise_id).where(
            Alert.rule_code == rule.code, Alert.period == period, Alert.status != "closed")))  # fmt: skip
        for e, uscc, name, region, total, grade in absent.loc[:, list(columns)].itertuples(index=False):
            if int(e) in still_open:
                continue
            detail = (f"{period} 报送截止日 {deadline.isoformat()} 已过仍未报送数据"
                      f"(上期 {earlier} 总分 {int(total) / 10:.1f},等级 {grade})")  # fmt: skip
            raised.append({
                "rule_code": rule.code, "rules_version": rules.version, "severity": rule.severity,
                "enterprise_id": int(e), "uscc": str(uscc), "name": str(name), "region_code": str(region),
                "period": period, "run_id": run_id, "record_id": None, "before_total": int(total),
                "after_total": None, "before_grade": str(grade), "after_grade": None, "detail": detail,
                "status": "new", "raised_at": at,
            })  # fmt: skip
    if raised:
        ids = conn.execute(insert(Alert).returning(Alert.id, sort_by_parameter_order=True), raised).scalars().all()
        outbox.add_events(conn, alert_events(rules, raised, ids))
    return len(raised)


def _meets(
    conn: Connection, rule: AlertRule, row: dict[str, Any], was: tuple[int, str, bool] | None, order: dict[str, int]
) -> bool:
    if rule.kind == "red_line":
        return bool(row["red_line"]) and not (was is not None and was[2])
    if rule.kind == "records_within":
        return _records_met(conn, rule, row)
    if rule.kind in ("missing_after_deadline", "plan_overdue", "case_overdue"):  # not about a new result: see
        return False  # raise_missing and lrc.service.late_alerts
    if was is None:  # no result before: nothing fell
        return False
    if rule.kind == "grade_fell":
        return _steps(order, str(row["grade"]), was[1]) >= (rule.steps or 1)
    return was[0] - int(row["total"]) >= rule.points_tenths  # total_dropped


def _steps(order: dict[str, int], now: str, before: str) -> int:
    """Grades fallen from ``before`` to ``now`` (0 when either is not a grade of the catalogue)."""
    return order[now] - order[before] if now in order and before in order else 0


def _records_met(conn: Connection, rule: AlertRule, row: dict[str, Any]) -> bool:
    """A result caused by a record of the rule's type that brings that type to ``count`` within ``days``
    (by decision date, up to the newest), while no alert of the rule is open for the enterprise."""
    cause = row.get("cause_record_id")
    if cause is None:
        return False
    query = select(Record.id, Record.decision_date).where(
        Record.enterprise_id == int(row["enterprise_id"]), Record.type == rule.record_type, Record.id <= int(cause)
    )
    dates = {int(i): d for i, d in conn.execute(query)}
    if int(cause) not in dates:
        return False
    since = max(dates.values()) - timedelta(days=(rule.days or 1) - 1)
    within = sum(d >= since for d in dates.values())
    return within >= (rule.count or 2) and dates[int(cause)] >= since and not _open(conn, rule.code, row)


def _open(conn: Connection, code: str, row: dict[str, Any]) -> bool:
    query = select(Alert.id).where(
        Alert.rule_code == code, Alert.enterprise_id == int(row["enterprise_id"]), Alert.status != "closed"
    )
    return conn.execute(query.limit(1)).first() is not None


def _alert_row(
    rules: AlertRules,
    rule: AlertRule,
    row: dict[str, Any],
    was: tuple[int, str, bool] | None,
    period: str,
    run_id: int,
    order: dict[str, int],
    at: datetime,
) -> dict[str, Any]:
    total, grade = int(row["total"]), str(row["grade"])
    before_total, before_grade = (was[0], was[1]) if was is not None else (None, None)
    change = f"总分 {total / 10:.1f}" if before_total is None else f"总分 {before_total / 10:.1f} → {total / 10:.1f}"
    if rule.kind == "grade_fell":
        detail = f"等级 {before_grade} → {grade},下降 {_steps(order, grade, str(before_grade))} 级({change})"
    elif rule.kind == "total_dropped":
        detail = f"总分下降 {((before_total or 0) - total) / 10:.1f} 分({change})"
    elif rule.kind == "red_line":
        detail = f"触及红线,等级 {grade}({change})"
    else:
        detail = f"{rule.days} 天内 {rule.record_type} 记录达到 {rule.count} 条({change})"
    return {
        "rule_code": rule.code, "rules_version": rules.version, "severity": rule.severity,
        "enterprise_id": int(row["enterprise_id"]), "uscc": str(row["uscc"]), "name": str(row["name"]),
        "region_code": str(row["region_code"]), "period": period, "run_id": run_id,
        "record_id": row.get("cause_record_id"), "before_total": before_total, "after_total": total,
        "before_grade": before_grade, "after_grade": grade, "detail": detail, "status": "new", "raised_at": at,
    }  # fmt: skip


def _visible(who: Principal, rule: AlertRule | None) -> bool:
    """Whether the rule notifies this user's role (an admin sees every alert) at this user's level."""
    if who.role is Role.admin:
        return True
    if rule is None or who.role.value not in rule.notify.roles:
        return False
    return rule.notify.scope == "region" or who.scope.everything


def list_alerts(
    engine: Engine,
    who: Principal,
    *,
    status: str | None = None,
    rule: str | None = None,
    region: str | None = None,
    limit: int = 500,
) -> list[AlertOut]:
    """Alerts inside ``who``'s scope whose rule notifies ``who``'s role, newest first."""
    require_schema(engine)
    check(engine, who, Action.read, "alerts")
    if status is not None and status not in STATUSES:
        raise UsageError(f"状态 {status[:20]!r} 应为 {'、'.join(STATUSES)} 之一 (unknown status)")
    region = ascii_form(region) if region else None
    if region and city_of(region) is None:
        raise UsageError(f"地区代码 {region[:10]!r} 不是辽宁省的市或区县代码 (unknown region)")
    rules = load_alert_rules()
    table = Alert.__table__
    code = rule.strip().upper() if rule else None
    if code and code not in {r.code for r in rules.rules}:  # (or of rules an earlier version had, still stored)
        with engine.connect() as conn:
            if conn.scalar(select(table.c.id).where(table.c.rule_code == code).limit(1)) is None:
                codes = "、".join(r.code for r in rules.rules)
                raise UsageError(f"没有预警规则 {shorten(code)},可用 {codes} (unknown rule)")
    query = select(table).order_by(table.c.id.desc()).limit(max(1, min(limit, 10_000)))
    query = query.where(*repo.scope_conditions(who.scope, table.c.region_code, table.c.uscc))
    if region:
        query = query.where(*repo.scope_conditions(Scope(region=region), table.c.region_code, table.c.uscc))
    if status:
        query = query.where(table.c.status == status)
    if code:
        query = query.where(table.c.rule_code == code)
    known = {r.code: r for r in rules.rules}
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [_out(row, known.get(row["rule_code"])) for row in rows if _visible(who, known.get(row["rule_code"]))]


def _out(row: Any, rule: AlertRule | None) -> AlertOut:
    values = dict(row)
    values["before_total"] = _points(values["before_total"])
    values["after_total"] = _points(values["after_total"])
    title = rule.title_zh if rule else values["rule_code"]
    return AlertOut(title_zh=title, **{k: v for k, v in values.items() if k in AlertOut.model_fields})


def acknowledge(engine: Engine, who: Principal, alert_id: int) -> AlertOut:
    """new → acknowledged, by ``who``."""
    return _step(engine, who, alert_id, "acknowledged", None)


def close(engine: Engine, who: Principal, alert_id: int, note: str) -> AlertOut:
    """→ closed with a note (what was done or found), by ``who``."""
    said = str(free_text(note, "处理情况 (note)", limit=2000, required=True))
    return _step(engine, who, alert_id, "closed", said)


def _step(engine: Engine, who: Principal, alert_id: int, status: str, note: str | None) -> AlertOut:
    require_schema(engine)
    with guarded(engine, who, Action.alert, f"alert:{alert_id}") as entry, repo.writing(engine) as conn:
        found = _in_scope(conn, who, alert_id)
        if not found:
            missing = f"预警 {alert_id} 不存在,或你无权查看 (no such alert, or not permitted)"
            raise Hidden(missing) if repo.row_exists(conn, Alert.id, alert_id) else NotFoundError(missing)
        current = found[0]["status"]
        if current == "closed" or current == status:
            reason = f"预警 {alert_id} {STATUS_ZH[current]},不能再{STEP_ZH[status]} (already {current})"
            raise ConflictError(reason)
        values: dict[str, Any] = {"status": status}
        if status == "acknowledged":
            values.update(acked_by=who.name, acked_at=repo.now())
        else:
            values.update(closed_by=who.name, closed_at=repo.now(), close_note=note)
        conn.execute(update(Alert).where(Alert.id == alert_id).values(**values))
        entry.detail = f"{current} -> {status}" + (f": {note[:200]}" if note else "")
        entry.write(conn)
        row = conn.execute(select(Alert.__table__).where(Alert.id == alert_id)).mappings().one()
    rule = {r.code: r for r in load_alert_rules().rules}.get(row["rule_code"])
    return _out(row, rule)


def _in_scope(conn: Connection, who: Principal, alert_id: int) -> list[Any]:
    if not 1 <= alert_id <= repo.MAX_ID:
        return []
    table = Alert.__table__
    inside = repo.scope_conditions(who.scope, table.c.region_code, table.c.uscc)
    query = select(table).where(table.c.id == alert_id, *inside).with_for_update()  # (case_row's lock)
    rules = {r.code: r for r in load_alert_rules().rules}
    return [row for row in conn.execute(query).mappings().all() if _visible(who, rules.get(row["rule_code"]))]
