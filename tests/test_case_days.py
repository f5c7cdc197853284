"""The days of objections and repairs, on SQLite and PostgreSQL: staff may date a filing received on paper back,
never to before the result or the record it is about existed; an objection filed after the window of the notice
that published its result is accepted (it is about the current result) but marked late, naming the notice; the
notice says so; and migration 0023 gives the cases stored before it their filing day."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, Table, func, insert, select

from lrc.errors import UsageError
from lrc.service import publications
from lrc.service.objections import file_objection, get_objection, list_objections
from lrc.service.publications import get_publication, publish, verify_publication
from lrc.service.repairs import decide_repair, get_repair, request_repair
from lrc.store import upgrade
from tests.conftest import ADMIN, StoreBuild, clock_at, module_store_build, scored_sample
from tests.test_cli import lrc

PERIOD = "2026Q3"
SCORED_ON, PUBLISHED_ON, UNTIL = date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 17)  # 发布之日起 15 日内
PDF = b"%PDF-1.4\n% evidence\n"


def build(engine: Engine, directory: Path) -> dict[str, Any]:
    """30 enterprises scored on ``SCORED_ON``, published (province) on ``PUBLISHED_ON``."""
    with clock_at(SCORED_ON):
        sample = scored_sample(engine, directory, 30, 17, PERIOD)
    with clock_at(PUBLISHED_ON):
        made = publish(engine, ADMIN, PERIOD)
    return {"usccs": sorted(sample["uscc"].astype(str)), "publication": made.id, "number": made.number}


store_build = module_store_build(build, "case-days")


def add_record(
    engine: Engine, uscc: str, kind: str, severity: str, decided: str, ref: str, on: date | None = None
) -> Any:
    """A record of ``uscc`` delivered today, or ``on`` that day (the services' and the store's clocks set to it)."""
    import lrc.service.records as records_service

    values = {"uscc": uscc, "type": kind, "date": decided, "source": "大连市人力资源和社会保障局", "ref": ref,
              "severity": severity, "workers": "", "amount": "", "note": ""}  # fmt: skip
    if on is None:
        return records_service.add_record(engine, ADMIN, values)
    with pytest.MonkeyPatch.context() as patch, clock_at(on):
        patch.setattr(records_service, "today_in_china", lambda: on)
        return records_service.add_record(engine, ADMIN, values)


def test_an_objection_is_not_dated_before_the_result_or_the_record_it_is_about(
    store_build: StoreBuild, engine: Engine, tmp_path: Path
) -> None:
    """A paper filing may be entered with the day it was received, but not with a day before the result objected
    to was stored (that day there was nothing to object to: it was accepted, its deadline counted from then), nor
    before the record it names was received. Nothing is stored for a refused filing."""
    usccs = store_build.value(engine)["usccs"]
    with pytest.raises(UsageError, match=f"异议提出日期 2026-09-30 早于所异议的结果生成之日 {SCORED_ON}"):
        file_objection(engine, ADMIN, usccs[0], PERIOD, "A1.1.1", "书面异议", today=date(2026, 9, 30))
    assert list_objections(engine, ADMIN, uscc=usccs[0]) == []
    first_day = file_objection(engine, ADMIN, usccs[0], PERIOD, "A1.1.1", "书面异议", today=SCORED_ON)
    assert first_day.filed_on == SCORED_ON.isoformat() and first_day.events[0].detail["filed_on"] == "2026-10-01"
    # a record received after its display ended: it counts nowhere, and made no newer result
    late = add_record(engine, usccs[1], "LABOUR_PENALTY", "轻微", "2026-07-14", "大连人社监〔2026〕7001号",
                      on=date(2026, 11, 20))  # fmt: skip
    assert late.ended == [late.id] and late.results == []
    with pytest.raises(UsageError, match=f"早于记录 #{late.id} 的决定日期 2026-07-14 或收到日期 2026-11-20"):
        file_objection(engine, ADMIN, usccs[1], PERIOD, "H2.1.1", "处罚有误", record_id=late.id,
                       today=date(2026, 11, 10))  # fmt: skip
    assert list_objections(engine, ADMIN, uscc=usccs[1]) == []
    routed = file_objection(engine, ADMIN, usccs[1], PERIOD, "H2.1.1", "处罚有误", record_id=late.id,
                            today=date(2026, 11, 20))  # fmt: skip
    assert routed.status == "routed" and routed.filed_on == "2026-11-20"
    # a repair cannot be asked for before the record was decided either (its minimum period counts from then)
    found = add_record(engine, usccs[2], "WAGE_ARREARS_FINDING", "一般", "2026-08-28", "大连人社监〔2026〕7002号")
    paper = tmp_path / "承诺书.pdf"
    paper.write_bytes(PDF)
    with pytest.raises(UsageError, match="最早可于 2026-11-28 申请"):
        request_repair(engine, ADMIN, usccs[2], found.id, evidence=paper, pledge=paper, today=date(2026, 8, 1))


def test_an_objection_after_the_notice_s_window_is_accepted_and_marked_late(
    store_build: StoreBuild, engine: Engine
) -> None:
    """The notice of 2026-10-02 took objections until 2026-10-17 (inclusive): one filed later is still accepted
    against the current result, marked late, naming the notice; one received before the notice, or about a result
    no notice listed, has no window."""
    value = store_build.value(engine)
    usccs, number = value["usccs"], value["number"]
    in_time = file_objection(engine, ADMIN, usccs[3], PERIOD, "A1.1.1", "期内", today=date(2026, 10, 10))
    last_day = file_objection(engine, ADMIN, usccs[3], PERIOD, "A1.1.2", "最后一日", today=UNTIL)
    late = file_objection(engine, ADMIN, usccs[4], PERIOD, "A1.1.1", "逾期")  # today, after 2026-10-17
    for case in (in_time, last_day, late):
        assert case.publication is not None and case.status == "filed"
        assert (case.publication.number, case.publication.published_on) == (number, PUBLISHED_ON.isoformat())
        assert case.publication.until == UNTIL.isoformat()
    assert (in_time.late, last_day.late, late.late) == (False, False, True)
    assert late.events[0].detail == {"due_on": late.due_on, "filed_on": late.filed_on, "late": True,
                                     "publication_id": value["publication"], "window_until": "2026-10-17"}  # fmt: skip
    before = file_objection(engine, ADMIN, usccs[5], PERIOD, "A1.1.1", "公告前收到", today=SCORED_ON)
    assert before.publication is None and not before.late
    newer = add_record(engine, usccs[6], "WAGE_ARREARS_FINDING", "一般", "2026-08-20", "大连人社监〔2026〕7003号")
    assert newer.results  # a newer result, which no notice listed
    unpublished = file_objection(engine, ADMIN, usccs[6], PERIOD, "A1.1.1", "新结果")
    assert unpublished.publication is None and not unpublished.late
    listed = {o.id: o for o in list_objections(engine, ADMIN)}
    flags = [listed[o.id].late for o in (in_time, last_day, late, before, unpublished)]
    assert flags == [False, False, True, False, False]
    assert get_objection(engine, ADMIN, late.id).model_dump() == late.model_dump()


def test_the_cli_refuses_a_day_before_the_result_and_says_an_objection_is_late(
    store_build: StoreBuild, db_url: str, engine: Engine, tmp_path: Path
) -> None:
    value = store_build.value(engine)
    uscc, number = value["usccs"][7], value["number"]
    env = {"LRC_DATABASE_URL": db_url}
    args = ("objection", "file", uscc, "--period", PERIOD, "--item", "A1.1.1", "--reason", "书面异议")
    early = lrc(tmp_path, *args, "--today", "2026-09-30", ok=False, env=env)
    assert early.returncode == 2 and "Traceback" not in early.stderr
    assert f"异议提出日期 2026-09-30 早于所异议的结果生成之日 {SCORED_ON}(评分批次" in early.stderr, early.stderr
    filed = json.loads(lrc(tmp_path, *args, "--format", "json", env=env).stdout)
    assert filed["late"] and filed["publication"]["number"] == number and filed["publication"]["until"] == "2026-10-17"
    shown = lrc(tmp_path, "objection", "show", str(filed["id"]), env=env).stdout
    assert f"已超过公告 {number}({PUBLISHED_ON} 发布)的异议期限至 {UNTIL};按对当前结果的异议受理" in shown
    listed = lrc(tmp_path, "objections", env=env).stdout
    assert "提出日期" in listed and f"{filed['filed_on']} 逾期提出" in listed
    assert json.loads(lrc(tmp_path, "objections", "--format", "json", env=env).stdout)[0]["late"] is True


OLD_WORDS = [
    "评价依据:企业劳动关系信用评价指标体系 2027.1;公开发布规则 2026.1。",
    "对本结果有异议的,请于 2026-12-16 前(发布之日起 15 日内)向辽宁省总工会书面提出,并附证明材料;"
    "异议处理期间结果照常公开并注明。",
]


def test_a_notice_says_a_late_objection_is_still_accepted_and_one_in_the_old_words_still_verifies(
    store_build: StoreBuild, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window the notice states is the one objections are held to; after it they are accepted, marked late
    (the old words implied they were not, and that the frozen notice would note them). A notice published in the
    old words keeps them and still verifies: a notice is checked as stored, never rebuilt."""
    value = store_build.value(engine)
    _, content = get_publication(engine, ADMIN, value["publication"])
    (how,) = [note for note in content.footnotes if "异议" in note]
    assert f"请自发布之日起 15 日内(至 {UNTIL} 止)" in how and "逾期提出的,仍予受理,并记明逾期" in how
    assert "异议成立的,在公开网站本公告该企业条目旁注明更正后的结果" in how and "照常公开并注明" not in how
    with monkeypatch.context() as patch:
        patch.setattr(publications, "_footnotes", lambda *_: OLD_WORDS)
        older = publish(engine, ADMIN, PERIOD)
    assert get_publication(engine, ADMIN, older.id)[1].footnotes == OLD_WORDS
    for made in (older.id, value["publication"]):
        assert verify_publication(engine, ADMIN, made).verified


def _stored_before_0023(engine: Engine, objection_id: int, repair_id: int, at: dict[str, datetime]) -> dict[str, int]:
    """At revision 0022: an objection and a repair request like the given ones, stored at ``at`` as cases were
    before the filing day was kept (their first event names no ``filed_on``); their ids."""
    made = {}
    with engine.begin() as conn:
        meta = MetaData()
        events = Table("case_events", meta, autoload_with=conn)
        for kind, table_name, case_id, stored in (("objection", "objections", objection_id, "filed_at"),
                                                  ("repair", "repairs", repair_id, "requested_at")):  # fmt: skip
            table = Table(table_name, meta, autoload_with=conn)
            assert "filed_on" not in table.c
            row = dict(conn.execute(select(table).where(table.c.id == case_id)).mappings().one())
            row.pop("id")
            row.update({stored: at[kind], "status": "filed" if kind == "objection" else "requested"})
            row.update({"item_code": "A1.1.2"} if kind == "objection" else {})
            made[kind] = int(conn.execute(insert(table).returning(table.c.id), row).scalar_one())
            conn.execute(insert(events), {"case_kind": kind, "case_id": made[kind], "status": row["status"],
                                          "note": None, "actor": "old", "at": at[kind],
                                          "detail": json.dumps({"due_on": str(row["due_on"])})})  # fmt: skip
    return made


def test_migration_0023_gives_the_cases_stored_before_it_their_filing_day(
    store_build: StoreBuild, engine: Engine, tmp_path: Path
) -> None:
    """From the first event: the day it names (a day staff gave), else the Beijing date of its time (an evening
    in UTC is the next day in Beijing); an objection also gets the notice whose window it was filed in or after.
    The readers then read the column: a repair decided before its day, so filled, is refused."""
    from alembic import command

    from lrc.store.revision import alembic_config

    usccs = store_build.value(engine)["usccs"]
    given = file_objection(engine, ADMIN, usccs[8], PERIOD, "A1.1.1", "书面", today=date(2026, 10, 5))
    found = add_record(engine, usccs[9], "WAGE_ARREARS_FINDING", "一般", "2026-08-28", "大连人社监〔2026〕7004号")
    paper = tmp_path / "承诺书.pdf"
    paper.write_bytes(PDF)
    asked = request_repair(engine, ADMIN, usccs[9], found.id, evidence=paper, pledge=paper, today=date(2026, 11, 28))
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0022")
    evenings = {"objection": datetime(2026, 10, 31, 17, 30, tzinfo=UTC),
                "repair": datetime(2026, 11, 29, 16, 5, tzinfo=UTC)}  # fmt: skip
    old = _stored_before_0023(engine, given.id, asked.id, evenings)
    upgrade(engine)
    again = get_objection(engine, ADMIN, given.id)
    assert again.filed_on == "2026-10-05" and not again.late
    assert again.publication is not None and again.publication.until == "2026-10-17"
    older = get_objection(engine, ADMIN, old["objection"])
    assert older.filed_on == "2026-11-01" and older.late and older.publication is not None
    assert older.publication.number == store_build.value(engine)["number"]
    assert get_repair(engine, ADMIN, asked.id).filed_on == "2026-11-28"
    assert get_repair(engine, ADMIN, old["repair"]).filed_on == "2026-11-30"
    with pytest.raises(UsageError, match=f"早于修复申请 {old['repair']} 的申请日期 2026-11-30"):
        decide_repair(engine, ADMIN, old["repair"], approve=False, note="x", today=date(2026, 11, 29))
    with engine.connect() as conn:
        for name in ("objections", "repairs"):
            table = Table(name, MetaData(), autoload_with=conn)
            assert not table.c.filed_on.nullable
            assert conn.scalar(select(func.count()).select_from(table).where(table.c.filed_on.is_(None))) == 0
