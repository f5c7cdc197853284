"""Objections and credit repair end to end through the CLI, on SQLite and PostgreSQL: an overturn makes a new
result that supersedes the old one while the publication stays frozen and verifies; an objection about an
inspection's record is routed to that authority; a union record is revoked; a repair before its waiting
period is refused with the date, and an approved one stops the record counting; a record past its display
period stops counting on the next period run without anyone acting; every decision is audited; an
enterprise user sees and objects for itself only; an undecided objection past its deadline raises one
alert."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lrc.workdays import add_working_days, is_working_day
from tests.conftest import ADMIN, _pg_database, clock_at
from tests.test_cli import lrc

PERIOD = "2026Q3"
SCORED_ON = date(2026, 10, 1)  # the period run's day: an objection received on paper since may be dated back to it
PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any]]:
    """A period of 60 sample enterprises scored on ``SCORED_ON`` and an admin account: the working folder and a
    caller."""
    from lrc.service import ingest_file, score_period
    from lrc.store import make_engine

    cwd = tmp_path_factory.mktemp(f"objections-{request.param}")
    databases = _pg_database() if request.param == "postgresql" else None
    url = next(databases) if databases else f"sqlite:///{cwd / 'lrc.db'}"
    call = _caller(cwd, {"LRC_DATABASE_URL": url})
    call.url = url  # type: ignore[attr-defined]
    call("init", who=None)  # no account yet: the machine's user acts
    call("sample", "--n", "60", "--seed", "13", "--period", PERIOD, "--output", "facts.csv", who=None)
    engine = make_engine(url)
    with clock_at(SCORED_ON):
        ingest_file(engine, ADMIN, cwd / "facts.csv", PERIOD)
        score_period(engine, ADMIN, PERIOD)
    engine.dispose()
    call("user", "add", "boss", "--role", "admin", "--password-stdin", who=None, stdin="boss-password\n")
    (cwd / "evidence.pdf").write_bytes(PDF)
    (cwd / "pledge.pdf").write_bytes(PDF + b"% pledge\n")
    yield cwd, call
    if databases:
        databases.close()  # drops the database


def _caller(cwd: Path, env: dict[str, str]) -> Any:
    def call(*args: str, ok: bool = True, who: str | None = "boss", stdin: str | None = None) -> Any:
        acting = ("--as", who) if who else ()
        return lrc(cwd, *args, *acting, ok=ok, env=env, stdin=stdin)

    return call


def as_json(call: Any, *args: str, who: str = "boss") -> Any:
    return json.loads(call(*args, "--format", "json", who=who).stdout)


def results(call: Any) -> list[dict]:
    return as_json(call, "rank", "--period", PERIOD)


def on_the_period_run(call: Any, start: int) -> str:
    """The first enterprise from ``start`` on in the ranking whose current result is still the period run's
    (stored on ``SCORED_ON``: an objection to it may be dated back to then)."""
    period_run = min(r["id"] for r in as_json(call, "runs") if r["period"] == PERIOD)
    return next(r["uscc"] for r in results(call)[start:]
                if as_json(call, "explain", r["uscc"], "--period", PERIOD)["result_run_id"] == period_run)  # fmt: skip


def item(explained: dict, code: str) -> dict:
    return next(i for i in explained["items"] if i["code"] == code)


def explained_both_ways(cwd: Path, call: Any, uscc: str) -> dict:
    """``lrc explain -f json`` (through the driver alone), checked equal to the same through SQLAlchemy."""
    args = ("explain", uscc, "--period", PERIOD, "--format", "json", "--as", "boss")
    driver = json.loads(call(*args[:-2]).stdout)
    other = lrc(cwd, *args, env={"LRC_DATABASE_URL": call.url, "LRC_DRIVER_READS": "0"})
    assert json.loads(other.stdout) == driver
    return driver


def test_an_overturn_supersedes_the_result_and_the_publication_stays_frozen(store: Any) -> None:
    cwd, call = store
    published = as_json(call, "publish", "--period", PERIOD)
    ranked = results(call)
    chosen = None
    for row in ranked:
        explained = as_json(call, "explain", row["uscc"], "--period", PERIOD)
        roster = item(explained, "A1.1.2")
        if roster["points"] == 0 and not roster["gap"]:
            chosen = explained
            break
    assert chosen is not None, "the sample has an enterprise without a roster"
    uscc, old_run = chosen["uscc"], chosen["result_run_id"]
    filed = as_json(call, "objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.2",
                    "--reason", "我单位已建立职工名册,附名册复印件", "--evidence", "evidence.pdf")  # fmt: skip
    assert filed["status"] == "filed" and filed["evidence"]["name"] == "evidence.pdf" and filed["run_id"] == old_run
    text = call("objection", "review", str(filed["id"]), "--note", "受理").stdout
    assert "复核中" in text and text.strip().splitlines()[-1] == str(filed["id"])  # the case acted on, last
    # a corrected fact that would be refused in a file is refused here the same way: column, value, reason
    bad = call("objection", "decide", str(filed["id"]), "--overturn", "--note", "核实", "--fact",
               "employee_roster_kept=也许", ok=False)  # fmt: skip
    assert bad.returncode == 4 and "列 employee_roster_kept" in bad.stderr and "'也许'" in bad.stderr, bad.stderr
    assert "Traceback" not in bad.stderr
    elsewhere = call("objection", "decide", str(filed["id"]), "--overturn", "--note", "核实", "--fact",
                     "union_established=是", ok=False)  # another item's field: it would change another item
    assert elsewhere.returncode == 2 and "只能更正该项读取的字段:employee_roster_kept" in elsewhere.stderr
    decided = as_json(call, "objection", "decide", str(filed["id"]), "--overturn", "--note", "核实名册属实",
                      "--fact", "employee_roster_kept=是")  # fmt: skip
    assert decided["status"] == "overturned" and decided["result_run_id"] > old_run
    new = as_json(call, "explain", uscc, "--period", PERIOD)
    assert new["result_run_id"] == decided["result_run_id"]
    assert item(new, "A1.1.2")["points"] == item(chosen, "A1.1.2")["max_points"]
    assert round(new["total"] - chosen["total"], 1) == item(chosen, "A1.1.2")["max_points"]
    old = as_json(call, "explain", uscc, "--period", PERIOD, "--run", str(old_run))
    assert old["total"] == chosen["total"] and old["superseded_by"] == decided["result_run_id"]
    assert old["superseded"]["kind"] == "objection" and old["superseded"]["cause_id"] == filed["id"]
    assert "取代" in call("explain", uscc, "--period", PERIOD, "--run", str(old_run)).stdout
    # the publication is frozen: the same content, still verifying; the new run verifies too
    shown = as_json(call, "publication", "show", str(published["id"]))
    entry = next(e for e in shown["content"]["entries"] if e["uscc"] == uscc)
    assert entry["total"] == chosen["total"]
    call("verify", "--publication", str(published["id"]))
    call("verify", str(decided["result_run_id"]))
    # the history and the audit log
    shown = as_json(call, "objection", "show", str(filed["id"]))
    assert [e["status"] for e in shown["events"]] == ["filed", "under_review", "overturned"]
    assert shown["results"] == decided["results"] and shown["results"][-1]["run_id"] == decided["result_run_id"]
    assert f"新结果 {PERIOD} 批次 {decided['result_run_id']}" in call("objection", "show", str(filed["id"])).stdout
    audit = as_json(call, "audit")
    mine = [a for a in audit if a["target"] == f"objection:{filed['id']}"]
    assert {a["action"] for a in mine} >= {"object", "decide"} and all(a["actor"] == "boss" for a in mine)
    again = call("objection", "decide", str(filed["id"]), "--uphold", "--note", "再次", ok=False)
    assert again.returncode != 0 and "异议成立" in again.stderr and "Traceback" not in again.stderr
    runs = as_json(call, "runs")  # the run the overturn made names its objection by id (it said 1.0)
    assert [r["cause_id"] for r in runs if r["kind"] == "objection"][-1] == filed["id"]
    assert all(r["cause_id"] is None or type(r["cause_id"]) is int for r in runs)


def _record(call: Any, uscc: str, kind: str, severity: str, day: str, source: str, ref: str) -> dict:
    return as_json(call, "record", "add", uscc, "--type", kind, "--severity", severity, "--date", day,
                   "--source", source, "--ref", ref)  # fmt: skip


def _record_delivered_on(
    call: Any, day: date, uscc: str, kind: str, severity: str, decided: str, source: str, ref: str
) -> dict:
    """A record delivered on ``day`` (the service's and the store's clocks set to it for this one delivery, and
    the result it makes): one still shown that day counts until its display ends; delivered after that, it never
    counts in the current result."""
    import lrc.service.records as records_service
    from lrc.service.access import Principal, Role
    from lrc.store import make_engine

    engine = make_engine(call.url)
    values = {"uscc": uscc, "type": kind, "date": decided, "source": source, "ref": ref, "severity": severity,
              "workers": "", "amount": "", "note": ""}  # fmt: skip
    try:
        with pytest.MonkeyPatch.context() as patch, clock_at(day):
            patch.setattr(records_service, "today_in_china", lambda: day)
            summary = records_service.add_record(engine, Principal(name="boss", role=Role.admin), values)
    finally:
        engine.dispose()
    return {"id": summary.id, "ended": summary.ended}


def test_a_union_record_is_revoked_and_an_inspection_record_is_routed(store: Any) -> None:
    cwd, call = store
    ranked = results(call)
    union, inspected = ranked[5]["uscc"], ranked[6]["uscc"]
    complaint = _record(call, union, "COMPLAINT_VERIFIED_UNION", "一般", "2026-09-02", "大连市总工会",
                        "大连工会核〔2026〕9001号")  # fmt: skip
    penalty = _record(call, inspected, "LABOUR_PENALTY", "一般", "2026-06-01", "大连市人力资源和社会保障局",
                      "大连人社监〔2026〕9002号")  # fmt: skip
    before = as_json(call, "explain", union, "--period", PERIOD)
    assert item(before, "C2.2.3")["points"] < 0
    filed = as_json(call, "objection", "file", union, "--period", PERIOD, "--item", "C2.2.3", "--reason", "投诉不实")
    decided = as_json(call, "objection", "decide", str(filed["id"]), "--overturn", "--note", "复查投诉不属实")
    assert decided["status"] == "overturned"
    after = explained_both_ways(cwd, call, union)  # a revoked record, through either reader
    assert item(after, "C2.2.3")["points"] == 0 and after["total"] > before["total"]
    shown = next(r for r in after["records"] if r["id"] == complaint["id"])
    assert shown["closed"]["cause"] == "revoked" and not shown["counted"]
    routed = as_json(call, "objection", "file", inspected, "--period", PERIOD, "--item", "H2.1.1", "--reason", "过重")
    assert routed["status"] == "routed" and routed["routed_to"][0]["ref"] == "大连人社监〔2026〕9002号"
    assert routed["routed_to"][0]["record_id"] == penalty["id"] and "行政复议" in routed["note"]
    listed = as_json(call, "objections", "--status", "routed")
    assert [o["id"] for o in listed] == [routed["id"]]
    no = call("objection", "decide", str(routed["id"]), "--overturn", "--note", "x", ok=False)
    assert no.returncode != 0 and "不能进行此操作" in no.stderr


def test_a_repair_before_its_waiting_period_is_refused_with_the_date_and_an_approval_stops_the_record(
    store: Any,
) -> None:
    cwd, call = store
    uscc = results(call)[8]["uscc"]
    found = _record(call, uscc, "WAGE_ARREARS_FINDING", "一般", "2026-08-28", "大连市人力资源和社会保障局",
                    "大连人社监〔2026〕9003号")  # fmt: skip
    early = call("repair", "request", uscc, "--record", str(found["id"]), "--evidence", "evidence.pdf",
                 "--pledge", "pledge.pdf", "--today", "2026-11-27", ok=False)  # fmt: skip
    assert early.returncode == 2 and "2026-11-28" in early.stderr
    before = as_json(call, "explain", uscc, "--period", PERIOD)
    asked = as_json(call, "repair", "request", uscc, "--record", str(found["id"]), "--evidence", "evidence.pdf",
                    "--pledge", "pledge.pdf", "--today", "2026-11-28")  # fmt: skip
    assert asked["status"] == "requested" and asked["record"]["repair_from"] == "2026-11-28"
    assert [c["code"] for c in asked["conditions"]] == ["rectified", "obligations_met", "pledge"]
    assert asked["due_on"] == add_working_days(date(2026, 11, 28), 15).day.isoformat()
    approved = as_json(call, "repair", "decide", str(asked["id"]), "--approve", "--note", "已全额支付并公开承诺",
                       "--today", "2026-11-28")  # fmt: skip
    assert approved["status"] == "approved" and approved["result_run_id"]
    shown = as_json(call, "repair", "show", str(asked["id"]))  # the new result, as the approval answered
    assert shown["results"] == approved["results"] and shown["results"][-1]["run_id"] == approved["result_run_id"]
    after = as_json(call, "explain", uscc, "--period", PERIOD)
    assert after["total"] > before["total"] and after["result_run_id"] == approved["result_run_id"]
    listed = as_json(call, "records", "--uscc", uscc)
    assert next(r for r in listed if r["id"] == found["id"])["closed"]["cause"] == "repaired"
    call("verify", str(approved["result_run_id"]))
    twice = call("repair", "request", uscc, "--record", str(found["id"]), "--evidence", "evidence.pdf",
                 "--pledge", "pledge.pdf", "--today", "2026-11-29", ok=False)  # fmt: skip
    assert twice.returncode != 0 and "停止计分" in twice.stderr
    serious = _record(call, uscc, "FATAL_ACCIDENT_RESPONSIBLE", "严重", "2026-08-01", "大连市应急管理局",
                      "大连应急〔2026〕9004号")  # fmt: skip
    never = call("repair", "request", uscc, "--record", str(serious["id"]), "--evidence", "evidence.pdf",
                 "--pledge", "pledge.pdf", ok=False)  # fmt: skip
    assert never.returncode == 2 and "不可修复" in never.stderr
    types = as_json(call, "record", "types")
    wage = next(t for t in types if t["code"] == "WAGE_ARREARS_FINDING")
    assert wage["repairable"] and wage["repair_conditions"] and wage["tiers"][0]["repair_after"]
    assert {t["tier"]: t["display_years"] for t in wage["tiers"]} == wage["display_years"]


def _sql(url: str, statement: str) -> None:
    from sqlalchemy import text

    from lrc.store import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def test_a_case_is_not_dated_ahead_nor_decided_before_its_request_and_an_approval_checks_the_period(
    store: Any,
) -> None:
    """``--today`` is never a day to come: a repair asked for a year before its minimum period with a date ahead
    was accepted and then approved, without the date, at once. An earlier day is for the staff who decide
    (a filing received on paper), not an enterprise (its objection was overdue at once); a repair is not decided
    before it was requested; and an approval checks the minimum period again (a request stored before this
    check, or under other record-type data)."""
    cwd, call = store
    uscc = results(call)[3]["uscc"]
    serious = _record(call, uscc, "WAGE_ARREARS_FINDING", "严重", "2026-05-10", "大连市人力资源和社会保障局",
                      "大连人社监〔2026〕9010号")  # repair from 2027-05-10  # fmt: skip
    ahead = call("repair", "request", uscc, "--record", str(serious["id"]), "--evidence", "evidence.pdf",
                 "--pledge", "pledge.pdf", "--today", "2027-05-10", ok=False)  # fmt: skip
    assert ahead.returncode == 2 and "2027-05-10 晚于今天" in ahead.stderr and "Traceback" not in ahead.stderr
    assert as_json(call, "repairs", "--uscc", uscc) == []
    later = call("objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "x",
                 "--today", "2099-01-01", ok=False)  # fmt: skip
    assert later.returncode == 2 and "晚于今天" in later.stderr
    assert call("objection", "check-overdue", "--today", "2099-01-01", ok=False).returncode == 2
    me = f"e{uscc[-6:]}".lower()
    call("user", "add", me, "--role", "enterprise", "--uscc", uscc, "--password-stdin", stdin="some-password\n")
    backdated = call("objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "x",
                     "--today", "2026-10-01", who=me, ok=False)  # fmt: skip
    assert backdated.returncode == 9 and "只能按当天的日期办理" in backdated.stderr
    assert as_json(call, "objections", "--uscc", uscc) == []
    assert (f"enterprise:{uscc}", "denied") in {(a["target"], a["outcome"]) for a in as_json(call, "audit")
                                                if a["actor"] == me}  # fmt: skip
    general = _record(call, uscc, "WAGE_ARREARS_FINDING", "一般", "2026-08-01", "大连市人力资源和社会保障局",
                      "大连人社监〔2026〕9011号")  # repair from 2026-11-01  # fmt: skip
    asked = as_json(call, "repair", "request", uscc, "--record", str(general["id"]), "--evidence", "evidence.pdf",
                    "--pledge", "pledge.pdf", who=me)  # fmt: skip
    before = call("repair", "decide", str(asked["id"]), "--reject", "--note", "x", "--today", "2026-11-01", ok=False)
    assert before.returncode == 2 and f"早于修复申请 {asked['id']} 的申请日期" in before.stderr
    _sql(call.url, f"UPDATE repairs SET record_id = {serious['id']} WHERE id = {asked['id']}")  # an early request
    early = call("repair", "decide", str(asked["id"]), "--approve", "--note", "x", ok=False)
    assert early.returncode == 2 and "最早可于 2027-05-10 批准信用修复" in early.stderr
    assert as_json(call, "repair", "show", str(asked["id"]))["status"] == "requested"
    still = as_json(call, "explain", uscc, "--period", PERIOD)["records"]
    assert next(r for r in still if r["id"] == serious["id"])["counted"]
    rejected = as_json(call, "repair", "decide", str(asked["id"]), "--reject", "--note", "未满最短公示期")
    assert rejected["status"] == "rejected" and rejected["events"][-1]["detail"]["decided_on"]


def test_an_objection_is_not_dated_before_the_result_it_objects_to(store: Any) -> None:
    """Staff may enter a filing received on paper with the day it was received, not with a day before the result
    objected to was stored: it was accepted, its deadline counted from a day the result did not exist."""
    cwd, call = store
    uscc = on_the_period_run(call, 44)
    args = ("objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "书面异议")
    early = call(*args, "--today", "2026-09-30", ok=False)
    assert early.returncode == 2 and "Traceback" not in early.stderr
    assert f"异议提出日期 2026-09-30 早于所异议的结果生成之日 {SCORED_ON}(评分批次" in early.stderr, early.stderr
    assert as_json(call, "objections", "--uscc", uscc) == []
    filed = as_json(call, *args, "--today", SCORED_ON.isoformat())  # the day it was stored: accepted
    assert filed["events"][0]["detail"]["filed_on"] == SCORED_ON.isoformat()


def test_a_case_s_file_is_written_only_to_a_file_in_a_folder_that_exists(store: Any) -> None:
    """``objection evidence`` and ``repair file`` check ``--output`` as ``hearing attachment`` does (a folder that
    does not exist, or a folder named, was an internal error, exit 70)."""
    cwd, call = store
    uscc = results(call)[4]["uscc"]
    filed = as_json(call, "objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "附证明",
                    "--evidence", "evidence.pdf")  # fmt: skip
    minor = _record(call, uscc, "LABOUR_PENALTY", "轻微", "2026-09-20", "大连市人力资源和社会保障局",
                    "大连人社监〔2026〕9012号")  # fmt: skip
    asked = as_json(call, "repair", "request", uscc, "--record", str(minor["id"]), "--evidence", "evidence.pdf",
                    "--pledge", "pledge.pdf")  # fmt: skip
    (cwd / "a-folder").mkdir()
    commands = {
        "evidence.pdf": ("objection", "evidence", str(filed["id"])),
        "pledge.pdf": ("repair", "file", str(asked["id"]), "--which", "pledge"),
    }
    for original, command in commands.items():
        missing = call(*command, "--output", "no-such-folder/x.pdf", ok=False)
        assert missing.returncode == 2 and "输出目录 no-such-folder 不存在" in missing.stderr, missing.stderr
        folder = call(*command, "--output", "a-folder", ok=False)
        assert folder.returncode == 2 and "a-folder 是文件夹,请给出文件名" in folder.stderr, folder.stderr
        assert "Traceback" not in missing.stderr + folder.stderr
        call(*command, "--output", f"a-folder/{original}")
        assert (cwd / "a-folder" / original).read_bytes() == (cwd / original).read_bytes()


def test_evidence_and_a_pledge_are_refused_when_their_content_is_not_what_their_name_says(store: Any) -> None:
    cwd, call = store
    uscc = results(call)[7]["uscc"]
    (cwd / "hello.pdf").write_bytes(b"hello\n")
    (cwd / "evil.png").write_bytes(b"<html><script>alert(1)</script></html>")
    text = call("objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "x", "--evidence",
                "hello.pdf", ok=False)  # fmt: skip
    assert text.returncode == 2 and "文件 hello.pdf 的内容不是 PDF 文件,看起来是 纯文本" in text.stderr, text.stderr
    assert as_json(call, "objections", "--uscc", uscc) == []
    minor = _record(call, uscc, "LABOUR_PENALTY", "轻微", "2026-09-21", "大连市人力资源和社会保障局",
                    "大连人社监〔2026〕9013号")  # fmt: skip
    page = call("repair", "request", uscc, "--record", str(minor["id"]), "--evidence", "evidence.pdf", "--pledge",
                "evil.png", ok=False)  # fmt: skip
    assert page.returncode == 2 and "文件 evil.png 的内容不是 PNG 图片,看起来是 网页或 XML" in page.stderr
    assert as_json(call, "repairs", "--uscc", uscc) == []


def test_an_objection_decided_while_filed_is_reviewed_by_the_decider_first(store: Any) -> None:
    """The documented steps, filed → under_review → decision, are always in the history: an objection decided
    straight from filed (the dashboard and the CLI offer it) was kept as filed → upheld."""
    cwd, call = store
    uscc = results(call)[9]["uscc"]
    filed = as_json(call, "objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "直接决定")
    decided = as_json(call, "objection", "decide", str(filed["id"]), "--uphold", "--note", "登记信息一致,维持")
    assert decided["status"] == "upheld"
    events = as_json(call, "objection", "show", str(filed["id"]))["events"]
    assert [e["status"] for e in events] == ["filed", "under_review", "upheld"]
    assert events[1]["actor"] == "boss" and "决定时一并受理复核" in events[1]["note"]
    audit = [a for a in as_json(call, "audit") if a["target"] == f"objection:{filed['id']}" and a["action"] == "decide"]
    assert audit[-1]["detail"] == "filed -> under_review -> upheld"


def test_a_record_past_its_display_period_stops_counting_in_the_current_result(store: Any) -> None:
    """Display ended 2026-10-14: the daily expiry (or the housekeeping, or the next period run, which run the
    same) closes it while 2026Q3 is the enterprise's current result; the next period then never counts it.
    The same kind of record delivered after its display ended never counts in the current result at all."""
    cwd, call = store
    uscc = results(call)[10]["uscc"]
    minor = _record_delivered_on(call, date(2026, 10, 1), uscc, "LABOUR_PENALTY", "轻微", "2026-07-14",
                                 "大连市人力资源和社会保障局", "大连人社监〔2026〕9005号")  # fmt: skip
    assert minor["ended"] == []
    late_uscc = next(r["uscc"] for r in results(call) if r["uscc"] != uscc)
    before_late = as_json(call, "explain", late_uscc, "--period", PERIOD)
    late = _record(call, late_uscc, "LABOUR_PENALTY", "轻微", "2026-07-14", "大连市人力资源和社会保障局",
                   "大连人社监〔2026〕9015号")  # fmt: skip
    assert late["ended"] == [late["id"]] and late["results"] == [] == late["no_result"]  # ended 2026-10-14
    after_late = as_json(call, "explain", late_uscc, "--period", PERIOD)
    assert late["id"] not in item(after_late, "H2.1.1")["records"] and after_late["total"] == before_late["total"]
    counted = as_json(call, "explain", uscc, "--period", PERIOD)
    assert minor["id"] in item(counted, "H2.1.1")["records"]
    expired = as_json(call, "record", "expire", "--as-of", "2026-11-30")["expired"]
    assert minor["id"] in [e["record_id"] for e in expired]
    call("ingest", "facts.csv", "--period", "2026Q4")
    call("score", "--period", "2026Q4")
    assert minor["id"] not in item(as_json(call, "explain", uscc, "--period", "2026Q4"), "H2.1.1")["records"]
    now = explained_both_ways(cwd, call, uscc)  # an expired record, through either reader
    assert minor["id"] not in item(now, "H2.1.1")["records"] and now["total"] > counted["total"]
    old = as_json(call, "explain", uscc, "--period", PERIOD, "--run", str(counted["result_run_id"]))
    assert old["superseded"]["kind"] == "expiry"
    shown = next(r for r in now["records"] if r["id"] == minor["id"])
    assert shown["closed"]["cause"] == "expired" and "展示期满(显示至 2026-10-14,不含)" in shown["status_zh"]
    assert as_json(call, "record", "expire", "--as-of", "2026-11-30")["expired"] == []  # once only
    ahead = call("record", "expire", "--as-of", "2099-01-01", ok=False)  # would close live records for good
    assert ahead.returncode == 2 and "晚于今天" in ahead.stderr


def test_an_enterprise_user_sees_and_objects_for_itself_only(store: Any) -> None:
    cwd, call = store
    ranked = results(call)
    own, other = ranked[12]["uscc"], ranked[13]["uscc"]
    me = f"e{own[-6:]}".lower()
    call("user", "add", me, "--role", "enterprise", "--uscc", own, "--password-stdin", stdin="some-password\n")
    theirs = as_json(call, "objection", "file", other, "--period", PERIOD, "--item", "A1.1.1", "--reason", "代为提出")
    mine = as_json(call, "objection", "file", own, "--period", PERIOD, "--item", "A1.1.1", "--reason", "本企业提出",
                   who=me)  # fmt: skip
    assert mine["uscc"] == own and mine["filed_by"] == me
    refused = call("objection", "file", other, "--period", PERIOD, "--item", "A1.1.1", "--reason", "x", who=me,
                   ok=False)  # fmt: skip
    assert refused.returncode != 0 and "无权" in refused.stderr
    seen = as_json(call, "objections", who=me)
    assert [o["uscc"] for o in seen] == [own]
    hidden = call("objection", "show", str(theirs["id"]), who=me, ok=False)
    assert hidden.returncode != 0 and "无权" in hidden.stderr
    cannot = call("objection", "decide", str(mine["id"]), "--uphold", "--note", "自己决定", who=me, ok=False)
    assert cannot.returncode != 0
    withdrawn = as_json(call, "objection", "withdraw", str(mine["id"]), "--note", "已与工会沟通", who=me)
    assert withdrawn["status"] == "withdrawn"
    # another enterprise's case is answered as an unknown one, and the audit log keeps it as a refusal
    foreign = call("objection", "withdraw", str(theirs["id"]), "--note", "x", who=me, ok=False)
    unknown = call("objection", "withdraw", "99999", "--note", "x", who=me, ok=False)
    assert foreign.returncode == unknown.returncode == 5
    assert foreign.stderr.replace(str(theirs["id"]), "N") == unknown.stderr.replace("99999", "N")
    logged = {(a["target"], a["outcome"]) for a in as_json(call, "audit") if a["actor"] == me}
    assert (f"objection:{theirs['id']}", "denied") in logged and (f"objection:{theirs['id']}", "error") not in logged
    assert ("objection:99999", "error") in logged
    assert (f"enterprise:{other}", "denied") in logged and (f"enterprise:{other}", "error") not in logged


def test_an_upheld_objection_is_not_filed_again_on_the_same_result(store: Any) -> None:
    """Once an objection about an item is upheld, the same item of the same result cannot be objected to again
    (it could be, at once, without end); a new result (new data, a record) opens it again."""
    cwd, call = store
    uscc = results(call)[26]["uscc"]
    first = as_json(call, "objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "第一次")
    call("objection", "decide", str(first["id"]), "--uphold", "--note", "维持")
    again = call("objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "再提", ok=False)
    assert again.returncode != 0 and f"异议 {first['id']} 已就该结果" in again.stderr
    assert "Traceback" not in again.stderr
    other = as_json(call, "objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.2", "--reason", "另一项")
    assert other["status"] == "filed"  # another item of the same result is another question


def test_an_objection_past_its_deadline_raises_one_alert(store: Any) -> None:
    cwd, call = store
    uscc = on_the_period_run(call, 15)
    filed = as_json(call, "objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "x",
                    "--today", "2026-11-02")  # fmt: skip
    due = date.fromisoformat(filed["due_on"])
    assert due == add_working_days(date(2026, 11, 2), 15).day
    day_after = date.fromordinal(due.toordinal() + 1).isoformat()
    on_time = as_json(call, "objection", "check-overdue", "--today", filed["due_on"])
    assert filed["id"] not in on_time["objections"]
    late = as_json(call, "objection", "check-overdue", "--today", day_after)
    assert late["objections"] == [filed["id"]] and late["alerts"] == 1
    assert as_json(call, "objection", "check-overdue", "--today", day_after)["alerts"] == 0
    alerts = as_json(call, "alerts")
    assert any(a["rule_code"] == "CASE_DECISION_OVERDUE" and a["uscc"] == uscc for a in alerts)


def test_working_days_follow_the_published_schedule_and_say_when_a_year_is_not_published() -> None:
    after_national_day = add_working_days(date(2026, 9, 30), 1)
    assert after_national_day.day >= date(2026, 10, 8) and after_national_day.official  # 1–7 October are off
    assert is_working_day(after_national_day.day) == (True, True)
    later = add_working_days(date(2030, 3, 1), 5)  # a Friday; the year is not published
    assert later.day == date(2030, 3, 8) and not later.official and "尚未公布" in later.note_zh


def test_a_removal_in_the_credit_platform_feed_stops_the_listing_counting(store: Any) -> None:
    cwd, call = store
    ranked = results(call)
    without = [r["uscc"] for r in ranked[20:] if not as_json(call, "records", "--uscc", r["uscc"])]
    listed, clean = without[0], without[1]  # no record yet: the listing's cost is all its own
    (cwd / "listing.csv").write_text(
        "uscc,list_type,decision_date,authority,document_no\n"
        f"{listed},wage_arrears_blacklist,2026-06-01,大连市人力资源和社会保障局,大连人社失信〔2026〕9006号\n",
        encoding="utf-8",
    )
    stored = as_json(call, "exchange", "import", "listing.csv")
    record = stored["stored"][0]
    before = as_json(call, "explain", listed, "--period", PERIOD)
    assert record in [r["id"] for r in before["records"] if r["counted"]]
    header = "uscc,list_type,decision_date,authority,document_no,removes\n"
    (cwd / "bad.csv").write_text(
        header + f"{clean},removal,2026-10-01,大连市人力资源和社会保障局,大连人社移〔2026〕1号,\n", encoding="utf-8"
    )
    bad = call("exchange", "import", "bad.csv", ok=False)
    assert bad.returncode != 0 and "bad.csv" in bad.stderr and "uscc" in bad.stderr and "名单" in bad.stderr
    ends = "大连人社失信〔2026〕9006号"
    wrong = {  # another authority's removal, and one dated before the listing: refused, nothing stored
        "other.csv": (f"{listed},removal,2026-09-15,沈阳市人力资源和社会保障局,沈移〔2026〕3号,{ends}", "应由该机关"),
        "early.csv": (f"{listed},removal,2026-05-01,大连市人力资源和社会保障局,大移〔2026〕4号,{ends}", "早于列入日期"),
    }
    for name, (line, reason) in wrong.items():
        (cwd / name).write_text(header + line + "\n", encoding="utf-8")
        refused = call("exchange", "import", name, ok=False)
        assert refused.returncode != 0 and name in refused.stderr and reason in refused.stderr, refused.stderr
    assert record in [r["id"] for r in as_json(call, "explain", listed, "--period", PERIOD)["records"] if r["counted"]]
    removal = header + f"{listed},removal,2026-09-15,大连市人力资源和社会保障局,大连人社移〔2026〕2号,{ends}\n"
    (cwd / "removal.csv").write_text(removal, encoding="utf-8")
    done = as_json(call, "exchange", "import", "removal.csv")
    assert done["removed"] == [record] and done["results"]
    after = as_json(call, "explain", listed, "--period", PERIOD)
    assert after["total"] > before["total"] and after["superseded"] is None
    shown = next(r for r in after["records"] if r["id"] == record)
    assert shown["closed"]["cause"] == "removed" and not shown["counted"]
    assert as_json(call, "exchange", "import", "removal.csv")["removed"] == []  # delivered again: nothing new


def test_the_dossier_lists_the_enterprise_s_objections_and_repairs(store: Any) -> None:
    cwd, call = store
    uscc = results(call)[25]["uscc"]
    _record(call, uscc, "LABOUR_PENALTY", "一般", "2026-06-03", "大连市人社局", "大连人社监〔2026〕9007号")
    routed = as_json(call, "objection", "file", uscc, "--period", PERIOD, "--item", "H2.1.1", "--reason", "<b>过重</b>")
    pending = as_json(call, "objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "待复核")
    call("dossier", uscc, "--period", PERIOD, "--output", "dossier.html")
    page = (cwd / "dossier.html").read_text(encoding="utf-8")
    assert "异议与信用修复" in page and f"#{routed['id']}" in page and f"#{pending['id']}" in page
    assert "大连人社监〔2026〕9007号" in page and "&lt;b&gt;过重&lt;/b&gt;" in page and "<b>过重" not in page
    cases = page[page.rindex("异议与信用修复"):]
    assert cases.index(f"<td>#{pending['id']}</td>") < cases.index(f"<td>#{routed['id']}</td>")  # open ones first


def test_housekeeping_expires_and_alerts_by_itself_once_and_is_silent_when_nothing_is_due(store: Any) -> None:
    from lrc.housekeeping import housekeeping
    from lrc.store import make_engine

    cwd, call = store
    uscc = results(call)[30]["uscc"]
    minor = _record_delivered_on(call, date(2026, 10, 9), uscc, "LABOUR_PENALTY", "轻微", "2026-08-20",
                                 "大连市人社局", "大连人社监〔2026〕9008号")  # fmt: skip
    filed = as_json(call, "objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "x",
                    "--today", "2026-10-09")  # fmt: skip
    engine = make_engine(call.url)
    try:
        done = housekeeping(engine, today=date(2026, 11, 30))  # the record's display ended on 2026-11-20
        assert done.expired >= 1 and done.overdue_cases >= 1 and done.alerts >= 1
        assert minor["id"] not in item(as_json(call, "explain", uscc, "--period", PERIOD), "H2.1.1")["records"]
        audit = as_json(call, "audit")
        mine = {a["target"] for a in audit if a["actor"] == "lrc-housekeeping"}
        assert mine == {"cases:overdue", "expiry:2026-11-30"}
        again = housekeeping(engine, today=date(2026, 11, 30))
        assert (again.expired, again.overdue_cases) == (0, 0)
        assert len(as_json(call, "audit")) == len(audit)  # nothing due: nothing written
        assert as_json(call, "objection", "show", str(filed["id"]))["overdue"]
    finally:
        engine.dispose()


def test_a_repaired_listing_leaves_the_public_site_and_the_published_entry_is_marked_corrected(store: Any) -> None:
    cwd, call = store
    ranked = results(call)
    uscc = next(r["uscc"] for r in ranked[35:] if not as_json(call, "records", "--uscc", r["uscc"]))
    ref = "大连人社失信〔2026〕9009号"
    listing = _record(call, uscc, "WAGE_ARREARS_BLACKLIST", "严重", "2026-03-02", "大连市人社局", ref)
    call("ingest", "facts.csv", "--period", "2026Q4")  # the newest period is the standing a repair changes
    call("score", "--period", "2026Q4")
    published = as_json(call, "publish", "--period", "2026Q4")
    call("site", "build", "--output", "site-before")
    page = f"e/{uscc}.html"
    assert ref in (cwd / "site-before" / page).read_text(encoding="utf-8")
    asked = as_json(call, "repair", "request", uscc, "--record", str(listing["id"]), "--evidence", "evidence.pdf",
                    "--pledge", "pledge.pdf", "--today", "2026-11-30")  # fmt: skip
    as_json(call, "repair", "decide", str(asked["id"]), "--approve", "--note", "提前移出条件已满足")
    call("site", "build", "--output", "site")
    site = cwd / "site"
    firm = (site / page).read_text(encoding="utf-8")
    assert ref not in firm and "不再公示" in firm and "本结果发布后已修复" in firm
    ranking = (site / "p" / f"{published['id']}.html").read_text(encoding="utf-8")
    assert f"已修复(修复申请 {asked['id']})" in ranking and ref not in ranking
    data = site / "data" / f"{published['id']}.json"
    assert data.read_bytes() == (cwd / "site-before" / "data" / f"{published['id']}.json").read_bytes()
    call("verify", "--publication", str(published["id"]))


def test_each_objection_names_its_own_enterprise_when_several_share_a_run_and_an_item(store: Any) -> None:
    cwd, call = store
    ranked = results(call)[40:43]
    filed = [as_json(call, "objection", "file", r["uscc"], "--period", PERIOD, "--item", "A1.1.2", "--reason", "同批")
             for r in ranked]  # fmt: skip
    assert len({f["run_id"] for f in filed}) == 1  # one period run holds all three results
    listed = {o["id"]: o for o in as_json(call, "objections", "--status", "filed")}
    assert [listed[f["id"]]["name"] for f in filed] == [r["name"] for r in ranked]


def _second_waits_and_is_refused(url: str, first: str, second: Any) -> None:
    """``first`` (SQL changing a case row) is made and held uncommitted; ``second`` (a service call deciding
    the same case) must wait for it, then read its outcome and be refused, not overwrite it."""
    import threading

    from sqlalchemy import text

    from lrc.errors import ConflictError
    from lrc.store import make_engine

    engine = make_engine(url)
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            second(engine)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - what the second decision met is the test's finding
            outcome.append(exc)

    with engine.connect() as held:
        held.execute(text(first))  # the row is locked until this transaction ends
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(1.5)
        assert thread.is_alive(), f"the second decision did not wait for the first: {outcome}"
        held.commit()
    thread.join(30)
    engine.dispose()
    assert len(outcome) == 1 and isinstance(outcome[0], ConflictError), outcome


@pytest.mark.parametrize("store", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_decisions_on_one_case_at_the_same_moment_are_taken_one_after_the_other(store: Any) -> None:
    """On PostgreSQL several connections write at once (SQLite lets one writer in at a time, ``writing``, so
    two decisions there cannot read the same status): a decision locks its case before reading its status,
    so a second one made at the same moment is refused (before, both were stored: an overturn applied
    under a case marked upheld)."""
    cwd, call = store
    assert call.url.startswith("postgresql")
    from lrc.service import alerts as alert_service
    from lrc.service import objections

    uscc = results(call)[20]["uscc"]
    filed = as_json(call, "objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "同时决定")
    _second_waits_and_is_refused(
        call.url,
        f"UPDATE objections SET status = 'upheld', decided_by = 'rival', note = 'rival' WHERE id = {filed['id']}",
        lambda engine: objections.decide(engine, ADMIN, filed["id"], uphold=True, note="second"),
    )
    shown = as_json(call, "objection", "show", str(filed["id"]))
    assert (shown["status"], shown["note"]) == ("upheld", "rival")

    other = on_the_period_run(call, 21)
    call("objection", "file", other, "--period", PERIOD, "--item", "A1.1.1", "--reason", "x", "--today", "2026-11-02")
    call("objection", "check-overdue")  # an alert to close (due 15 working days after 2026-11-02)
    alert = next(a for a in as_json(call, "alerts") if a["uscc"] == other and a["status"] != "closed")
    _second_waits_and_is_refused(
        call.url,
        f"UPDATE alerts SET status = 'closed', closed_by = 'rival', close_note = 'rival' WHERE id = {alert['id']}",
        lambda engine: alert_service.close(engine, ADMIN, int(alert["id"]), "second"),
    )


def test_a_late_case_alerts_on_the_newest_period_s_result_when_an_older_one_was_scored_last(tmp_path: Path) -> None:
    """A case alert names the enterprise's current result in its newest scored period: with 2025Q3 scored after
    2026Q3, an objection to the 2026Q3 result alerted on the 2025Q3 result (its period, run, total and grade)."""
    call = _caller(tmp_path, {"LRC_DATABASE_URL": f"sqlite:///{tmp_path / 'lrc.db'}"})
    call("init", who=None)
    for period in (PERIOD, "2025Q3"):
        call("sample", "--n", "20", "--seed", "13", "--period", period, "--output", f"{period}.csv", who=None)
        call("ingest", f"{period}.csv", "--period", period, who=None)
    with clock_at(SCORED_ON):  # (the objection below is dated back to a day after it)
        newest, older = (as_json(call, "score", "--period", p, who="")["id"] for p in (PERIOD, "2025Q3"))
    entry = as_json(call, "rank", "--period", PERIOD, who="")[0]
    filed = as_json(call, "objection", "file", entry["uscc"], "--period", PERIOD, "--item", "A1.1.1",
                    "--reason", "x", "--today", "2026-11-02", who="")  # fmt: skip
    day_after = date.fromordinal(date.fromisoformat(filed["due_on"]).toordinal() + 1).isoformat()
    assert as_json(call, "objection", "check-overdue", "--today", day_after, who="")["alerts"] == 1
    (alert,) = as_json(call, "alerts", "--rule", "CASE_DECISION_OVERDUE", who="")
    assert (alert["period"], alert["run_id"], alert["after_total"]) == (PERIOD, newest, entry["total"]), older
    assert f"{PERIOD} 批次 {newest}" in alert["detail"]


def test_an_overturn_corrects_the_newest_version_and_keeps_what_was_submitted_since(tmp_path: Path) -> None:
    """The corrected facts go onto the enterprise's newest version of the period: built on the version objected
    to, an overturn undid a version submitted and scored since (here a satisfaction rate), and the overturned
    objection lowered the total."""
    import csv

    call = _caller(tmp_path, {"LRC_DATABASE_URL": f"sqlite:///{tmp_path / 'lrc.db'}"})
    call("init", who=None)
    call("sample", "--n", "40", "--seed", "9", "--period", PERIOD, "--output", "s.csv", who=None)
    call("ingest", "s.csv", "--period", PERIOD, who=None)
    call("score", "--period", PERIOD, who=None)
    with (tmp_path / "s.csv").open(encoding="utf-8-sig", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["employee_roster_kept"] == "否")
    uscc = row["uscc"]
    filed = as_json(call, "objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.2", "--reason", "有名册",
                    who="")  # fmt: skip
    with (tmp_path / "v2.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow({**row, "worker_satisfaction_rate": "0.99"})  # a version submitted since
    call("ingest", "v2.csv", "--period", PERIOD, who=None)
    call("score", "--period", PERIOD, who=None)
    before = as_json(call, "explain", uscc, "--period", PERIOD, who="")
    call("objection", "decide", str(filed["id"]), "--overturn", "--note", "核实", "--fact", "employee_roster_kept=是",
         who=None)  # fmt: skip
    after = as_json(call, "explain", uscc, "--period", PERIOD, who="")
    changed = {i["code"]: (b["points"], i["points"]) for b, i in zip(before["items"], after["items"], strict=True)
               if b["points"] != i["points"]}  # fmt: skip
    assert list(changed) == ["A1.1.2"] and after["total"] > before["total"], changed
