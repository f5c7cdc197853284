"""Alerts: the rules (``indicators/alert_rules``) checked against every new result, in the transaction
that stores it, and the steps people take on them (acknowledge, close with a note), each audited.

A result is compared with the enterprise's result just before it: for a record or a submission, its
current result in the period; for a period run, its current result in the run before (the period's last
run, else the previous scored period's). A rule is met at most once per result (a unique key); a record
delivered twice makes no new result, so it raises nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, computed_field
from sqlalchemy import Connection, Engine, insert, select, update

from indicators import Catalogue
from indicators.alert_rules import SEVERITY_ZH, AlertRule, AlertRules, load_alert_rules
from lrc.errors import ConflictError, NotFoundError, UsageError
from lrc.scope import Scope
from lrc.service.access import Action, Principal, Role
from lrc.service.audit import check, guarded
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import Alert

STATUSES = ("new", "acknowledged", "closed")
STATUS_ZH = {"new": "新", "acknowledged": "已确认", "closed": "已关闭"}
STEP_ZH = {"acknowledged": "确认", "closed": "关闭"}
BEFORE_COLUMNS = ("enterprise_id", "total", "grade", "red_line")


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
    after_total: float
    before_grade: str | None
    after_grade: str
    detail: str
    status: str
    raised_at: Any
    acked_by: str | None
    acked_at: Any
    closed_by: str | None
    closed_at: Any
    close_note: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, self.status)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def severity_zh(self) -> str:
        return SEVERITY_ZH.get(self.severity, self.severity)


def grade_steps(now: pd.Series, before: pd.Series, grades: list[str]) -> np.ndarray:
    """How many grades each result fell (positive) or rose (negative); 0 where either is unknown."""
    order = {g: k for k, g in enumerate(grades)}
    steps = now.map(order).astype("float64") - before.map(order).astype("float64")
    return steps.fillna(0).to_numpy(dtype=np.int64)


def raise_alerts(
    conn: Connection,
    catalogue: Catalogue,
    period: str,
    run_id: int,
    rows: list[dict[str, Any]],
    before: pd.DataFrame | None,
    rules: AlertRules | None = None,
) -> int:
    """Store an alert for every rule each new result meets; how many were raised."""
    rules = rules or load_alert_rules()
    now = pd.DataFrame(rows)
    if now.empty:
        return 0
    prior = before if before is not None and len(before) else pd.DataFrame(columns=list(BEFORE_COLUMNS))
    both = now.merge(prior[list(BEFORE_COLUMNS)], on="enterprise_id", how="left", suffixes=("", "_before"))
    seen = both["total_before"].notna().to_numpy()
    grades = [g.grade for g in catalogue.grades]
    steps = grade_steps(both["grade"], both["grade_before"], grades)
    drop = np.where(seen, pd.to_numeric(both["total_before"]).fillna(0) - both["total"], 0)
    red = both["red_line"].astype(bool).to_numpy() & ~both["red_line_before"].fillna(False).astype(bool).to_numpy()
    raised: list[dict[str, Any]] = []
    for rule in rules.rules:
        if rule.kind == "grade_fell":
            met = seen & (steps >= (rule.steps or 1))
        elif rule.kind == "total_dropped":
            met = seen & (drop >= rule.points_tenths)
        elif rule.kind == "red_line":
            met = red
        else:
            met = _records_met(conn, rule, both)
        for k in np.flatnonzero(met):
            raised.append(_alert_row(rules, rule, both.iloc[k], period, run_id, int(steps[k]), int(drop[k])))
    if raised:
        conn.execute(insert(Alert), raised)
    return len(raised)


def _records_met(conn: Connection, rule: AlertRule, both: pd.DataFrame) -> np.ndarray:
    """Results caused by a record of the rule's type that brings that type to ``count`` within ``days``
    (by decision date), where no alert of the rule is still open for the enterprise."""
    met = np.zeros(len(both), dtype=bool)
    causes = both["cause_record_id"] if "cause_record_id" in both else pd.Series([None] * len(both))
    for k, (enterprise, cause) in enumerate(zip(both["enterprise_id"], causes, strict=True)):
        if cause is None or pd.isna(cause):
            continue
        records = repo.records_of(conn, [int(enterprise)], upto=int(cause))
        cause_row = records[records["id"] == int(cause)]
        if cause_row.empty or not (records["type"] == rule.record_type).any():
            continue
        newest = pd.to_datetime(records.loc[records["type"] == rule.record_type, "decision_date"]).max()
        since = newest - timedelta(days=(rule.days or 1) - 1)
        of_type = records[records["type"] == rule.record_type]
        within = (pd.to_datetime(of_type["decision_date"]) >= since).sum()
        fresh = bool((pd.to_datetime(cause_row["decision_date"]) >= since).any())
        if within >= (rule.count or 2) and fresh and not _open(conn, rule.code, int(enterprise)):
            met[k] = True
    return met


def _open(conn: Connection, code: str, enterprise: int) -> bool:
    query = select(Alert.id).where(Alert.rule_code == code, Alert.enterprise_id == enterprise, Alert.status != "closed")
    return conn.execute(query.limit(1)).first() is not None


def _alert_row(
    rules: AlertRules, rule: AlertRule, row: pd.Series, period: str, run_id: int, steps: int, drop: int
) -> dict[str, Any]:
    before_total = None if pd.isna(row["total_before"]) else int(row["total_before"])
    before_grade = None if pd.isna(row["grade_before"]) else str(row["grade_before"])
    total, grade = int(row["total"]), str(row["grade"])
    change = f"总分 {total / 10:.1f}" if before_total is None else f"总分 {before_total / 10:.1f} → {total / 10:.1f}"
    detail = {
        "grade_fell": f"等级 {before_grade} → {grade},下降 {steps} 级({change})",
        "total_dropped": f"总分下降 {drop / 10:.1f} 分({change})",
        "red_line": f"触及红线,等级 {grade}({change})",
        "records_within": f"{rule.days} 天内 {rule.record_type} 记录达到 {rule.count} 条({change})",
    }[rule.kind]
    cause = row.get("cause_record_id")
    return {
        "rule_code": rule.code, "rules_version": rules.version, "severity": rule.severity,
        "enterprise_id": int(row["enterprise_id"]), "uscc": str(row["uscc"]), "name": str(row["name"]),
        "region_code": str(row["region_code"]), "period": period, "run_id": run_id,
        "record_id": None if cause is None or pd.isna(cause) else int(cause),
        "before_total": before_total, "after_total": total, "before_grade": before_grade, "after_grade": grade,
        "detail": detail, "status": "new", "raised_at": repo.now(),
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
    rules = load_alert_rules()
    table = Alert.__table__
    query = select(table).order_by(table.c.id.desc()).limit(max(1, min(limit, 10_000)))
    query = query.where(*repo.scope_conditions(who.scope, table.c.region_code, table.c.uscc))
    if region:
        query = query.where(*repo.scope_conditions(Scope(region=region), table.c.region_code, table.c.uscc))
    if status:
        query = query.where(table.c.status == status)
    if rule:
        query = query.where(table.c.rule_code == rule.strip().upper())
    known = {r.code: r for r in rules.rules}
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [_out(row, known.get(row["rule_code"])) for row in rows if _visible(who, known.get(row["rule_code"]))]


def _out(row: Any, rule: AlertRule | None) -> AlertOut:
    values = dict(row)
    values["before_total"] = None if values["before_total"] is None else values["before_total"] / 10
    values["after_total"] = values["after_total"] / 10
    title = rule.title_zh if rule else values["rule_code"]
    return AlertOut(title_zh=title, **{k: v for k, v in values.items() if k in AlertOut.model_fields})


def acknowledge(engine: Engine, who: Principal, alert_id: int) -> AlertOut:
    """new → acknowledged, by ``who``."""
    return _step(engine, who, alert_id, "acknowledged", None)


def close(engine: Engine, who: Principal, alert_id: int, note: str) -> AlertOut:
    """→ closed with a note (what was done or found), by ``who``."""
    note = note.strip()
    if not note:
        raise UsageError("关闭预警须写明处理情况 --note (a note is required)")
    return _step(engine, who, alert_id, "closed", note[:2000])


def _step(engine: Engine, who: Principal, alert_id: int, status: str, note: str | None) -> AlertOut:
    require_schema(engine)
    with guarded(engine, who, Action.alert, f"alert:{alert_id}") as entry, repo.writing(engine) as conn:
        found = _in_scope(conn, who, alert_id)
        if not found:
            raise NotFoundError(f"预警 {alert_id} 不存在,或你无权查看 (no such alert, or not permitted)")
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
    query = select(table).where(table.c.id == alert_id, *inside)
    rules = {r.code: r for r in load_alert_rules().rules}
    return [row for row in conn.execute(query).mappings().all() if _visible(who, rules.get(row["rule_code"]))]
