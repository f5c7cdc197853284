"""The days of objections and repairs, on SQLite and PostgreSQL: staff may date a filing received on paper back,
never to before the result or the record it is about existed; and migration 0023 gives the cases stored before
it their filing day."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, Table, func, insert, select

from lrc.errors import UsageError
from lrc.service.objections import file_objection, get_objection, list_objections
from lrc.service.publications import publish
from lrc.service.repairs import decide_repair, get_repair, request_repair
from lrc.store import upgrade
from tests.conftest import ADMIN, StoreBuild, clock_at, module_store_build, scored_sample

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
    in UTC is the next day in Beijing). The readers then read the column: a repair decided before its day, so
    filled, is refused."""
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
    assert get_objection(engine, ADMIN, given.id).filed_on == "2026-10-05"
    assert get_objection(engine, ADMIN, old["objection"]).filed_on == "2026-11-01"
    assert get_repair(engine, ADMIN, asked.id).filed_on == "2026-11-28"
    assert get_repair(engine, ADMIN, old["repair"]).filed_on == "2026-11-30"
    with pytest.raises(UsageError, match=f"早于修复申请 {old['repair']} 的申请日期 2026-11-30"):
        decide_repair(engine, ADMIN, old["repair"], approve=False, note="x", today=date(2026, 11, 29))
    with engine.connect() as conn:
        for name in ("objections", "repairs"):
            table = Table(name, MetaData(), autoload_with=conn)
            assert not table.c.filed_on.nullable
            assert conn.scalar(select(func.count()).select_from(table).where(table.c.filed_on.is_(None))) == 0
