"""Alert rules as data, and alerts raised on every new result (record, submission, period run), on SQLite
and PostgreSQL; acknowledging and closing them, in scope and audited; the CLI."""

from __future__ import annotations

import json
import re
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine

from indicators.alert_rules import load_alert_rules, parse_alert_rules
from lrc.errors import CatalogueError, ConflictError, NotFoundError, PermissionDenied, UsageError
from lrc.samples import write_sample
from lrc.service import accounts, ingest_file, ranking, score_period
from lrc.service.alerts import acknowledge, close, list_alerts
from lrc.service.audit import audit_log
from lrc.service.records import receive_objects
from lrc.service.submitting import submit
from lrc.service.watchlists import unwatch, watch, watched
from tests.conftest import ADMIN, StoreBuild, module_store_build, office_accounts, scored_sample
from tests.test_cli import lrc

PERIOD = "2026Q3"
RULE = {"code": "A1", "kind": "grade_fell", "steps": 1, "title_zh": "降级", "title_en": "fell", "severity": "high",
        "notify": {"roles": ["analyst"], "scope": "region"}}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"steps": None}, "rules[A1]: 等级下降规则缺少 steps"),
        ({"points": 5}, "rules[A1]: 等级下降规则不用 points"),
        ({"colour": "red"}, "rules[A1].colour"),
        ({"severity": "extreme"}, "rules[A1].severity"),
        ({"kind": "records_within", "steps": None, "record_type": "NO_SUCH", "count": 2, "days": 30},
         "rules[A1].record_type: 未知的记录类型 NO_SUCH"),  # fmt: skip
        ({"kind": "total_dropped", "steps": None, "points": "2.25"}, "rules[A1].points"),
        ({"notify": {"roles": [], "scope": "region"}}, "rules[A1].notify.roles"),
    ],
)
def test_a_bad_rule_is_refused_naming_it(change: dict[str, Any], says: str) -> None:
    rule = {k: v for k, v in {**RULE, **change}.items() if v is not None}
    with pytest.raises(CatalogueError) as caught:
        parse_alert_rules({"version": "t", "rules": [rule]}, "rules.yaml")
    assert "rules.yaml: 预警规则无效" in str(caught.value) and says in str(caught.value)


def test_shipped_rules_load_and_codes_are_unique() -> None:
    rules = load_alert_rules()
    assert {r.kind for r in rules.rules} == {
        "grade_fell", "red_line", "total_dropped", "records_within", "missing_after_deadline", "plan_overdue",
        "case_overdue",
    }  # fmt: skip
    assert rules.version == "2026.4" and len(load_alert_rules("2026.3").rules) == len(rules.rules) - 1
    assert len(load_alert_rules("2026.1").rules) == len(rules.rules) - 3
    with pytest.raises(CatalogueError, match="重复"):
        parse_alert_rules({"version": "t", "rules": [RULE, RULE]})


def _office(engine: Engine, directory: Path) -> pd.DataFrame:
    """40 scored sample enterprises and the office accounts."""
    sample = scored_sample(engine, directory, 40, 11, PERIOD)
    office_accounts(engine)
    return sample


store_build = module_store_build(_office, "office")


@pytest.fixture
def store(engine: Engine, store_build: StoreBuild) -> tuple[Engine, pd.DataFrame]:
    """A copy of the office's store: 40 scored sample enterprises and the office accounts."""
    return engine, store_build.value(engine)


def _fatal(uscc: str, ref: str) -> dict[str, Any]:
    return {"uscc": uscc, "type": "FATAL_ACCIDENT_RESPONSIBLE", "date": "2026-09-15", "workers": 1,
            "source": "沈阳市应急管理局", "ref": ref, "severity": "严重"}  # fmt: skip


def _codes(engine: Engine, uscc: str) -> list[str]:
    return sorted(a.rule_code for a in list_alerts(engine, ADMIN) if a.uscc == uscc)


def test_a_red_line_raises_each_rule_it_meets_once_and_a_repeat_raises_none(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, _ = store
    _, ranked = ranking(engine, ADMIN, PERIOD)
    top = ranked["uscc"].iloc[0]
    receive_objects(engine, ADMIN, [_fatal(top, "沈应急罚〔2026〕1号")])
    assert _codes(engine, top) == ["GRADE_FELL", "RED_LINE", "TOTAL_DROP_10"]
    raised = [a for a in list_alerts(engine, ADMIN) if a.uscc == top]
    assert all(a.status == "new" and a.record_id is not None and a.before_grade != a.after_grade for a in raised)
    receive_objects(engine, ADMIN, [_fatal(top, "沈应急罚〔2026〕1号")])  # the same record delivered again
    assert _codes(engine, top) == ["GRADE_FELL", "RED_LINE", "TOTAL_DROP_10"]
    closed = close(engine, ADMIN, acknowledge(engine, ADMIN, raised[0].id).id, "已核实").model_dump(mode="json")
    for when in ("raised_at", "acked_at", "closed_at"):  # as every time in JSON, on both stores
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", closed[when]), (when, closed[when])


def test_records_piling_up_raise_once_while_the_alert_is_open(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, sample = store
    uscc = sample["uscc"].iloc[3]
    day = date(2026, 8, 1)  # inside the scored period: each finding re-scores it

    def finding(k: int) -> dict[str, Any]:
        return {"uscc": uscc, "type": "WAGE_ARREARS_FINDING", "date": (day + timedelta(days=k)).isoformat(),
                "source": "辽宁省人社厅", "ref": f"辽人社监〔2026〕{k}号", "severity": "一般",
                "workers": 3}  # fmt: skip

    receive_objects(engine, ADMIN, [finding(0)])
    assert "WAGE_ARREARS_REPEATED" not in _codes(engine, uscc)
    receive_objects(engine, ADMIN, [finding(5)])
    assert _codes(engine, uscc).count("WAGE_ARREARS_REPEATED") == 1
    receive_objects(engine, ADMIN, [finding(9)])  # still open: not raised again
    assert _codes(engine, uscc).count("WAGE_ARREARS_REPEATED") == 1


def test_a_submission_and_a_period_run_raise_against_the_result_before(
    store: tuple[Engine, pd.DataFrame], tmp_path: Path
) -> None:
    engine, sample = store
    _, ranked = ranking(engine, ADMIN, PERIOD)
    first, second = ranked["uscc"].iloc[0], ranked["uscc"].iloc[1]
    worse = {"wages_paid_on_time_in_full": False, "social_insurance_paid_on_time": False, "wage_ledger_kept": False,
             "overtime_pay_statutory": False, "weekly_rest_guaranteed": False}  # fmt: skip
    row = {k: v for k, v in sample[sample["uscc"] == first].iloc[0].to_dict().items() if not pd.isna(v)}
    submit(engine, ADMIN, {**row, **worse}, period=PERIOD)
    assert "GRADE_FELL" in _codes(engine, first) and "TOTAL_DROP_10" in _codes(engine, first)
    changed = sample.copy()
    for column, value in worse.items():
        changed.loc[changed["uscc"] == second, column] = value
    write_sample(changed, tmp_path / "again.csv")
    ingest_file(engine, ADMIN, tmp_path / "again.csv", PERIOD)
    run = score_period(engine, ADMIN, PERIOD)
    by_run = [a for a in list_alerts(engine, ADMIN) if a.run_id == run.run_id]
    assert {a.uscc for a in by_run} == {second}  # the first was already at its new result before this run
    assert {a.rule_code for a in by_run} >= {"GRADE_FELL"}


def test_data_still_missing_after_the_deadline_raises_once_per_enterprise_and_period(
    store: tuple[Engine, pd.DataFrame], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lrc.service import alerts as alerts_module

    engine, sample = store  # 40 enterprises scored in 2026Q3
    later = "2026Q4"  # its deadline is 2027-01-30
    kept = sample.iloc[:30]
    write_sample(kept, tmp_path / "q4.csv")
    ingest_file(engine, ADMIN, tmp_path / "q4.csv", later)
    monkeypatch.setattr(alerts_module, "today_in_china", lambda: date(2027, 1, 30))
    score_period(engine, ADMIN, later)  # on the deadline: not yet missing
    assert not [a for a in list_alerts(engine, ADMIN) if a.rule_code == "FACTS_MISSING_AFTER_DEADLINE"]
    monkeypatch.setattr(alerts_module, "today_in_china", lambda: date(2027, 1, 31))
    run = score_period(engine, ADMIN, later)
    missing = [a for a in list_alerts(engine, ADMIN) if a.rule_code == "FACTS_MISSING_AFTER_DEADLINE"]
    assert sorted(a.uscc for a in missing) == sorted(sample["uscc"].iloc[30:])
    assert all(a.run_id == run.run_id and a.period == later and a.after_total is None and a.before_total is not None
               and "2027-01-30" in a.detail for a in missing)  # fmt: skip
    score_period(engine, ADMIN, later)  # open alerts are not raised again
    assert len([a for a in list_alerts(engine, ADMIN) if a.rule_code == "FACTS_MISSING_AFTER_DEADLINE"]) == 10
    close(engine, ADMIN, missing[0].id, "已电话催报")
    score_period(engine, ADMIN, later)  # closed and still missing: raised again, for that one only
    again = [a for a in list_alerts(engine, ADMIN) if a.rule_code == "FACTS_MISSING_AFTER_DEADLINE"]
    assert len(again) == 11 and again[0].uscc == missing[0].uscc
    analyst = accounts.acting(engine, "dl")  # the Dalian analyst sees only Dalian's
    seen = [a for a in list_alerts(engine, analyst) if a.rule_code == "FACTS_MISSING_AFTER_DEADLINE"]
    assert all(a.region_code.startswith("2102") for a in seen)


def test_acknowledge_and_close_are_scoped_checked_and_audited(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, sample = store
    dalian = sample[sample["region_code"].astype(str).str.startswith("2102")]["uscc"].iloc[0]
    other = sample[~sample["region_code"].astype(str).str.startswith("2102")]["uscc"].iloc[0]
    receive_objects(engine, ADMIN, [_fatal(dalian, "大应急罚〔2026〕1号"), _fatal(other, "沈应急罚〔2026〕2号")])
    dl, vv = accounts.acting(engine, "dl"), accounts.acting(engine, "vv")
    seen = list_alerts(engine, dl)
    assert seen and {a.uscc for a in seen} == {dalian}
    assert list_alerts(engine, vv) == []  # no rule notifies viewers
    theirs = next(a for a in list_alerts(engine, ADMIN) if a.uscc == other)
    with pytest.raises(NotFoundError):
        acknowledge(engine, dl, theirs.id)
    with pytest.raises(PermissionDenied):
        acknowledge(engine, vv, seen[0].id)
    done = acknowledge(engine, dl, seen[0].id)
    assert (done.status, done.acked_by) == ("acknowledged", "dl")
    with pytest.raises(UsageError):
        close(engine, dl, seen[0].id, "  ")
    closed = close(engine, dl, seen[0].id, "已约谈企业负责人")
    assert (closed.status, closed.closed_by, closed.close_note) == ("closed", "dl", "已约谈企业负责人")
    with pytest.raises(ConflictError):
        acknowledge(engine, dl, seen[0].id)
    steps = [e.outcome for e in audit_log(engine, ADMIN, user="dl") if e.action == "alert"]
    assert steps.count("ok") == 2  # acknowledged, closed
    assert [a.id for a in list_alerts(engine, dl, status="closed")] == [seen[0].id]
    assert list_alerts(engine, ADMIN, region="210200") == [a for a in list_alerts(engine, ADMIN) if a.uscc == dalian]
    for bad in ({"status": "open"}, {"region": "999999"}):
        with pytest.raises(UsageError):
            list_alerts(engine, ADMIN, **bad)


def test_cli_lists_acknowledges_and_closes(tmp_path: Path) -> None:
    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "30", "--seed", "4", "--period", PERIOD, "--output", "s.csv")
    lrc(tmp_path, "ingest", "s.csv", "--period", PERIOD)
    lrc(tmp_path, "score", "--period", PERIOD)
    top = json.loads(lrc(tmp_path, "rank", "--period", PERIOD, "--format", "json").stdout)[0]["uscc"]
    fatal = _fatal(top, "沈应急罚〔2026〕5号")
    lrc(tmp_path, "record", "add", top, "--type", fatal["type"], "--date", fatal["date"], "--source", fatal["source"],
        "--ref", fatal["ref"], "--severity", "严重", "--workers", "1")  # fmt: skip
    listed = json.loads(lrc(tmp_path, "alerts", "--status", "new", "--format", "json").stdout)
    assert {a["rule_code"] for a in listed} == {"GRADE_FELL", "RED_LINE", "TOTAL_DROP_10"}
    first = listed[0]["id"]
    assert lrc(tmp_path, "alert", "ack", str(first)).stdout.strip().splitlines()[-1] == str(first)
    closed = json.loads(lrc(tmp_path, "alert", "close", str(first), "--note", "已核实", "--format", "json").stdout)
    assert (closed["id"], closed["status"], closed["close_note"]) == (first, "closed", "已核实")
    again = lrc(tmp_path, "alert", "ack", str(first), ok=False)
    assert again.returncode != 0 and "已关闭" in again.stderr and "Traceback" not in again.stderr
    assert "预警" in lrc(tmp_path, "alerts").stdout
    red = json.loads(lrc(tmp_path, "alerts", "--rule", "red_line", "--format", "json").stdout)
    assert {a["rule_code"] for a in red} == {"RED_LINE"}
    unknown = lrc(tmp_path, "alerts", "--rule", "NOPE", ok=False)  # an empty list said nothing was wrong
    assert unknown.returncode == 2 and "没有预警规则 NOPE" in unknown.stderr and "GRADE_FELL" in unknown.stderr


def test_two_records_for_one_enterprise_at_once_are_each_checked_against_the_other(
    store: tuple[Engine, pd.DataFrame],
) -> None:
    engine, _ = store
    _, ranked = ranking(engine, ADMIN, PERIOD)
    top = ranked["uscc"].iloc[0]
    finding = {"uscc": top, "type": "WAGE_ARREARS_FINDING", "date": "2026-08-03", "workers": 2,
               "source": "辽宁省人社厅", "ref": "辽人社监〔2026〕77号", "severity": "一般"}  # fmt: skip
    barrier, errors = threading.Barrier(2), []

    def deliver(values: dict[str, Any]) -> None:
        try:
            barrier.wait()
            receive_objects(engine, ADMIN, [values])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(r,)) for r in (_fatal(top, "沈应急罚〔2026〕7号"), finding)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    raised = [a for a in list_alerts(engine, ADMIN) if a.uscc == top]
    assert len({a.run_id for a in raised}) >= 1 and len({a.record_id for a in raised}) >= 1
    # whichever committed first, the accident is a new red line exactly once, a fall of grade exactly once
    assert [a.rule_code for a in raised].count("RED_LINE") == 1
    assert [a.rule_code for a in raised].count("GRADE_FELL") >= 1
    red = next(a for a in raised if a.rule_code == "RED_LINE")
    assert red.before_grade != "D" and red.after_grade == "D"


def test_watchlists_are_kept_per_user_and_only_inside_the_scope(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, sample = store
    dalian = sample[sample["region_code"].astype(str).str.startswith("2102")]["uscc"].iloc[0]
    other = sample[~sample["region_code"].astype(str).str.startswith("2102")]["uscc"].iloc[0]
    dl, vv, boss = (accounts.acting(engine, name) for name in ("dl", "vv", "boss"))
    watch(engine, dl, dalian)
    watch(engine, dl, f" {dalian.lower()} ")  # the same enterprise, written otherwise: there once
    assert watched(engine, dl) == [dalian] and watched(engine, boss) == []
    with pytest.raises(NotFoundError):  # another city's enterprise is answered like an unknown one
        watch(engine, dl, other)
    with pytest.raises(PermissionDenied):
        watch(engine, vv, dalian)
    watch(engine, boss, other)
    unwatch(engine, dl, dalian)
    assert watched(engine, dl) == [] and watched(engine, boss) == [other]
    outcomes = [e.outcome for e in audit_log(engine, ADMIN, action="watchlist")]
    assert outcomes.count("ok") == 4 and outcomes.count("denied") == 1
