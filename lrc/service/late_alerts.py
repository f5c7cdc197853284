"""Alerts about something late rather than about a new result: an improvement-plan action past its due date
(rule kind ``plan_overdue``), an objection or a credit repair not decided by its deadline (``case_overdue``).

An alert names a run: the enterprise's current result's in its newest scored period (the alert is not caused
by it, the detail says so). The alerts' unique key (rule, run, enterprise) allows one alert per enterprise and
run: a second late thing of the same enterprise joins the detail of the first alert of this check, or raises
none when an earlier check's alert holds the key (both are answered as ``joined``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from indicators.alert_rules import AlertRules, load_alert_rules
from lrc.periods import period_key
from lrc.service.alerts import alert_events
from lrc.store import outbox
from lrc.store import repository as repo
from lrc.store.tables import Alert, ScoreResult, ScoreRun


@dataclass(frozen=True)
class Late:
    key: int  # the late thing's id, as answered
    enterprise_id: int
    uscc: str
    what: str  # what is late, in Chinese


@dataclass(frozen=True)
class LateAlerts:
    raised: int
    without_result: list[int]  # keys of late things whose enterprise has no result to name
    joined: list[int]  # keys that joined another alert (of this check or an earlier one)


def newest_result(conn: Connection, enterprise_id: int) -> Any:
    """The enterprise's current result in its newest scored period (by the calendar, not by run: an old quarter
    scored last is history): run id, name, region, total, grade, period."""
    runs = select(ScoreRun.period, func.max(ScoreRun.id)).join(ScoreResult, ScoreResult.run_id == ScoreRun.id)
    newest = max(
        conn.execute(runs.where(ScoreResult.enterprise_id == enterprise_id).group_by(ScoreRun.period)).all(),
        key=lambda row: period_key(str(row[0])),
        default=None,
    )
    if newest is None:
        return None
    query = select(
        ScoreResult.run_id,
        ScoreResult.name,
        ScoreResult.region_code,
        ScoreResult.total,
        ScoreResult.grade,
        ScoreRun.period,
    ).join(ScoreRun, ScoreRun.id == ScoreResult.run_id)
    return (
        conn.execute(query.where(ScoreResult.enterprise_id == enterprise_id, ScoreResult.run_id == newest[1]))
        .mappings()
        .first()
    )


def raise_late(conn: Connection, kind: str, late: Sequence[Late], rules: AlertRules | None = None) -> LateAlerts:
    """One alert per late thing and rule of ``kind`` (see the module's docstring), in the caller's
    transaction, with its outbox event."""
    rules = rules or load_alert_rules()
    chosen = [r for r in rules.rules if r.kind == kind]
    raised: dict[tuple[str, int, int], dict[str, Any]] = {}
    without: list[int] = []
    joined: list[int] = []
    at = repo.now()
    for thing in late:
        newest = newest_result(conn, thing.enterprise_id)
        if newest is None:
            without.append(thing.key)
            continue
        for rule in chosen:
            key = (rule.code, int(newest["run_id"]), thing.enterprise_id)
            if key in raised:
                raised[key]["detail"] = f"{raised[key]['detail']};{thing.what}"
                joined.append(thing.key)
                continue
            taken = conn.scalar(select(Alert.id).where(Alert.rule_code == key[0], Alert.run_id == key[1],
                                                       Alert.enterprise_id == key[2]))  # fmt: skip
            if taken is not None:
                joined.append(thing.key)
                continue
            note = f"(关联该企业最新评分结果:{newest['period']} 批次 {newest['run_id']},非评分引起)"
            raised[key] = {
                "rule_code": rule.code, "rules_version": rules.version, "severity": rule.severity,
                "enterprise_id": key[2], "uscc": thing.uscc, "name": str(newest["name"]),
                "region_code": str(newest["region_code"]), "period": str(newest["period"]), "run_id": key[1],
                "record_id": None, "before_total": None, "after_total": int(newest["total"]), "before_grade": None,
                "after_grade": str(newest["grade"]), "detail": thing.what + note, "status": "new", "raised_at": at,
            }  # fmt: skip
    alerts = list(raised.values())
    if alerts:
        ids = conn.execute(insert(Alert).returning(Alert.id, sort_by_parameter_order=True), alerts).scalars().all()
        outbox.add_events(conn, alert_events(rules, alerts, ids))
    return LateAlerts(len(alerts), without, sorted(set(joined)))
