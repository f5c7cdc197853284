"""CSR hearings: candidates and their reasons, hearings with attachments and outcome, improvement plans with
the item's points before and after, overdue actions, permissions and the audit log (SQLite and PostgreSQL),
and the commands end to end."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from lrc.errors import ConflictError, NotFoundError, PermissionDenied, UsageError
from lrc.scope import Scope
from lrc.service import explain, load_results
from lrc.service.access import Principal, Role
from lrc.service.alerts import list_alerts
from lrc.service.audit import audit_log
from lrc.service.hearing_candidates import propose
from lrc.service.hearing_files import stored_file
from lrc.service.hearings import (
    MAX_BYTES,
    MEDIA_TYPES,
    add_hearing,
    attach,
    get_hearing,
    list_hearings,
    record_outcome,
)
from lrc.service.plans import add_action, plan_of, raise_overdue, update_action
from lrc.service.records import receive_objects
from lrc.store.tables import Attachment, OutboxEvent, PlanActionEvent, RiskModel
from tests.conftest import ADMIN, StoreBuild, module_store_build, scored_sample
from tests.test_cli import lrc

Q3, Q4 = "2026Q3", "2026Q4"
DALIAN = "210200"
HEARD = date(2026, 10, 15)  # after 2026Q3 ended, before 2026Q4 ends
PDF = b"%PDF-1.4\n% a CSR report\n"


def _two_periods(engine: Engine, directory: Path) -> pd.DataFrame:
    """40 enterprises scored in 2026Q3 and 2026Q4 (the same enterprises, facts moved on); the 2026Q4 results."""
    scored_sample(engine, directory, 40, 11, Q3)
    scored_sample(engine, directory, 40, 11, Q4)
    return load_results(engine, ADMIN, Q4)[1]


store_build = module_store_build(_two_periods, "two-periods")


@pytest.fixture
def store(engine: Engine, store_build: StoreBuild) -> tuple[Engine, pd.DataFrame]:
    """A copy of the store of 40 enterprises scored in 2026Q3 and 2026Q4; the 2026Q4 results."""
    return engine, store_build.value(engine)


def _fatal(uscc: str) -> dict[str, Any]:
    return {"uscc": uscc, "type": "FATAL_ACCIDENT_RESPONSIBLE", "date": "2026-09-15", "workers": 1,
            "source": "沈阳市应急管理局", "ref": "沈应急罚〔2026〕7号", "severity": "严重"}  # fmt: skip


def test_a_fatal_accident_makes_a_candidate_with_the_red_line_and_record_reasons(
    store: tuple[Engine, pd.DataFrame],
) -> None:
    engine, _ = store
    q3 = load_results(engine, ADMIN, Q3)[1]
    top = str(q3[~q3["red_line"]].iloc[0]["uscc"])  # the best result: no reason to hear it before
    assert top not in {c.uscc for c in propose(engine, ADMIN, Q3)}
    receive_objects(engine, ADMIN, [_fatal(top)])
    found = {c.uscc: c for c in propose(engine, ADMIN, Q3)}
    assert top in found
    reasons = found[top].reasons
    assert any("触及红线" in r for r in reasons)
    assert any("本期有 1 条" in r and "事故" in r for r in reasons)
    assert found[top].group is None


def test_candidates_are_exactly_the_enterprises_with_a_reason(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, q4 = store
    q3 = load_results(engine, ADMIN, Q3)[1]
    order = {"A": 0, "B": 1, "C": 2, "D": 3}
    both = q4.merge(q3[["uscc", "grade", "total"]], on="uscc", suffixes=("", "_before"))
    fell = {u for u, g, b in zip(both["uscc"], both["grade"], both["grade_before"], strict=True) if order[g] > order[b]}
    lowest = set(q4.loc[q4["grade"] == "D", "uscc"]) | set(q4.loc[q4["red_line"], "uscc"])
    found = propose(engine, ADMIN, Q4)
    assert {c.uscc for c in found if any("降为" in r for r in c.reasons)} == fell
    assert lowest <= {c.uscc for c in found}
    assert all(c.reasons for c in found) and fell | lowest
    drops = [c for c in found if any("降幅居前" in r for r in c.reasons)]
    assert 0 < len(drops) <= 10
    totals = dict(zip(q4["uscc"], q4["total"], strict=True))
    assert all(c.total == totals[c.uscc] for c in found)


def test_candidates_group_and_narrow_to_a_region(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, q4 = store
    grouped = propose(engine, ADMIN, Q4, group_by="industry")
    industry = dict(zip(q4["uscc"], q4["industry"], strict=True))
    assert grouped and all(c.group is not None and c.group.startswith(industry[c.uscc]) for c in grouped)
    groups = [str(c.group) for c in grouped]
    assert groups == sorted(groups)
    one_each = propose(engine, ADMIN, Q4, group_by="industry", limit=1)
    assert len(one_each) == len(set(groups)) and len({c.group for c in one_each}) == len(one_each)
    region = dict(zip(q4["uscc"], q4["region_code"], strict=True))
    assert all(region[c.uscc].startswith("2102") for c in propose(engine, ADMIN, Q4, region=DALIAN))
    with pytest.raises(UsageError, match="industry、size 或 ownership"):
        propose(engine, ADMIN, Q4, group_by="colour")
    empty = "210199"  # a county of Shenyang with no enterprise: nothing to hear (it was an internal error)
    assert empty not in set(q4["region_code"].astype(str))
    assert propose(engine, ADMIN, Q4, region=empty) == [] == propose(engine, ADMIN, Q4, region=empty, group_by="size")
    city = Principal("dl", Role.analyst, Scope(DALIAN))
    assert propose(engine, city, Q4, region="210100") == []  # another city, from inside Dalian: none of its own


def test_a_high_risk_from_the_stored_model_is_a_reason_and_proposing_never_trains(
    store: tuple[Engine, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lrc.service import hearing_candidates
    from lrc.service.risk import Forecast, RiskOut, RiskReason

    engine, q4 = store
    calm = str(q4.iloc[0]["uscc"])  # the best result of the period
    assert calm not in {c.uscc for c in propose(engine, ADMIN, Q4)}  # no model stored: no risk reason
    assert _count(engine, RiskModel) == 0  # … and none trained

    def risky(*_: Any, **__: Any) -> Forecast:
        why = RiskReason(feature="complaints", value=2.0, contribution=0.9, text_zh="本期投诉 2 件")
        item = RiskOut(uscc=calm, name="x", region_code="210102", period=Q4, grade="A", risk=0.8, reasons=[why])
        return Forecast(model_id=1, period=Q4, trained_now=False, items=[item])

    monkeypatch.setattr(hearing_candidates, "model_id_for", lambda *_: 1)
    monkeypatch.setattr(hearing_candidates, "forecast", risky)
    found = {c.uscc: c for c in propose(engine, ADMIN, Q4)}
    assert found[calm].reasons == ["预警模型预测下期等级下降的概率为 80%:本期投诉 2 件 (high risk)"]


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_a_hearing_is_recorded_with_files_stored_once_and_its_outcome(
    store: tuple[Engine, pd.DataFrame], tmp_path: Path
) -> None:
    engine, q4 = store
    two = [str(u) for u in q4["uscc"].iloc[:2]]
    made = add_hearing(engine, ADMIN, kind="collective", held_on=HEARD, title="制造业集体听证",
                       enterprises=",".join(two), chair="县总工会主席", participants="职工代表、人大代表")  # fmt: skip
    assert made.status == "planned" and sorted(e.uscc for e in made.enterprises) == sorted(two)
    report = tmp_path / "社会责任报告.pdf"
    report.write_bytes(PDF)
    first = attach(engine, ADMIN, made.id, report, "csr_report", two[0])
    copy = tmp_path / "minutes.pdf"
    copy.write_bytes(PDF)
    again = attach(engine, ADMIN, made.id, copy, "minutes")
    assert (first.stored_before, again.stored_before) == (False, True) and first.id == again.id
    assert _count(engine, Attachment) == 1
    # the same report attached again for the same enterprise is a repeat: listed once, answered as first made
    repeat = attach(engine, Principal("dl", Role.analyst), made.id, report, "csr_report", two[0])
    assert repeat.attached_before and (repeat.id, repeat.added_by, repeat.name) == (first.id, ADMIN.name, first.name)
    listed = [(a.id, a.kind, a.uscc) for a in get_hearing(engine, ADMIN, made.id).attachments]
    assert listed == [(first.id, "csr_report", two[0]), (first.id, "minutes", None)]
    assert first.sha256 == hashlib.sha256(PDF).hexdigest()
    for name in ("notes.txt", "tool.exe"):
        (tmp_path / name).write_bytes(b"x")
        with pytest.raises(UsageError, match=name.replace(".", r"\.")):
            attach(engine, ADMIN, made.id, tmp_path / name, "minutes")
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(UsageError, match="big.pdf.*20 MB"):
        attach(engine, ADMIN, made.id, big, "minutes")
    with pytest.raises(UsageError, match="--uscc"):
        attach(engine, ADMIN, made.id, report, "csr_report")
    done = record_outcome(engine, ADMIN, made.id, "职工代表认为加班偏多", "限期整改")
    shown = get_hearing(engine, ADMIN, made.id)
    assert done.status == shown.status == "held" and shown.conclusions == "限期整改"
    assert [a.kind for a in shown.attachments] == ["csr_report", "minutes"]
    assert [h.id for h in list_hearings(engine, ADMIN)] == [made.id]
    assert sorted(e.uscc for e in get_hearing(engine, ADMIN, made.id).enterprises) == sorted(two)
    with pytest.raises(UsageError, match="个别听证只能有一家"):
        add_hearing(engine, ADMIN, kind="individual", held_on=HEARD, title="t", enterprises=two)
    with pytest.raises(NotFoundError, match="91210100MA0000000X"):
        add_hearing(engine, ADMIN, kind="individual", held_on=HEARD, title="t", enterprises="91210100MA0000000X")
    with pytest.raises(UsageError, match="至少要有两家"):  # one enterprise named twice is one enterprise
        add_hearing(engine, ADMIN, kind="collective", held_on=HEARD, title="t", enterprises=[two[0], two[0].lower()])
    for day in (date(1990, 10, 15), date(2036, 10, 15)):  # a typo of the year is not a hearing
        with pytest.raises(UsageError, match="应在 2014-12-01 之后、一年之内"):
            add_hearing(engine, ADMIN, kind="collective", held_on=day, title="t", enterprises=two)
    ahead = add_hearing(engine, ADMIN, kind="individual", held_on=date.today() + timedelta(days=30), title="待举行",
                        enterprises=two[:1])  # fmt: skip
    with pytest.raises(UsageError, match="尚未举行"):  # its outcome is recorded once it has taken place
        record_outcome(engine, ADMIN, ahead.id, "意见", "结论")
    assert get_hearing(engine, ADMIN, ahead.id).status != "held"
    entries = [e for e in audit_log(engine, ADMIN, action="hearing") if e.target == f"hearing:{made.id}"]
    assert sum(e.outcome == "ok" for e in entries) == 5  # created, three attachings (one a repeat), the outcome
    assert any(e.outcome == "error" for e in audit_log(engine, ADMIN, action="hearing"))


def _changed_item(engine: Engine, usccs: list[str]) -> tuple[str, str, float, float]:
    """An enterprise and an item whose points differ between 2026Q3 and 2026Q4, per ``explain``."""
    for uscc in usccs:
        before = {i["code"]: i["points"] for i in explain(engine, ADMIN, uscc, Q3).items}
        after = {i["code"]: i["points"] for i in explain(engine, ADMIN, uscc, Q4).items}
        for code in before:
            if before[code] != after[code]:
                return uscc, code, before[code], after[code]
    pytest.fail("no item changed between the periods")


def test_a_plan_shows_the_items_points_before_and_after(store: tuple[Engine, pd.DataFrame], tmp_path: Path) -> None:
    engine, q4 = store
    uscc, code, before, after = _changed_item(engine, [str(u) for u in q4["uscc"]])
    hearing = add_hearing(engine, ADMIN, kind="individual", held_on=HEARD, title="个别听证", enterprises=uscc)
    made = add_action(engine, ADMIN, hearing.id, uscc, item=code, action="整改", due="2026-12-31")
    shown = plan_of(engine, ADMIN, uscc)
    assert [a.id for a in shown] == [made.id] and shown[0].status == "open"
    assert shown[0].before is not None and shown[0].after is not None
    assert (shown[0].before.period, shown[0].before.points) == (Q3, before)
    assert (shown[0].after.period, shown[0].after.points) == (Q4, after)
    with pytest.raises(UsageError, match="Z9.9.9"):
        add_action(engine, ADMIN, hearing.id, uscc, item="Z9.9.9", action="x", due="2026-12-31")
    with pytest.raises(UsageError, match="早于听证日期"):
        add_action(engine, ADMIN, hearing.id, uscc, item=code, action="x", due="2026-01-01")
    coming = add_action(engine, ADMIN, hearing.id, uscc, item=code, action="培训",
                        due=(date.today() + timedelta(days=60)).isoformat())  # fmt: skip
    with pytest.raises(UsageError, match="还没到,不能标为逾期"):  # not late before its due date
        update_action(engine, ADMIN, coming.id, status="late", note="x")
    update_action(engine, ADMIN, coming.id, status="dropped", note="并入上一项")
    proof = tmp_path / "proof.png"
    proof.write_bytes(b"\x89PNG\r\n\x1a\n proof")
    done = update_action(engine, ADMIN, made.id, status="done", note="已整改", evidence=proof)
    assert done.status == "done" and done.evidence_name == "proof.png"
    with pytest.raises(ConflictError):
        update_action(engine, ADMIN, made.id, status="late", note="x")
    with engine.connect() as conn:
        history = conn.execute(select(PlanActionEvent.status).where(PlanActionEvent.action_id == made.id)).scalars()
        assert list(history) == ["open", "done"]


def test_an_overdue_action_turns_late_and_raises_one_alert(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, q4 = store
    uscc = str(q4["uscc"].iloc[3])
    hearing = add_hearing(engine, ADMIN, kind="individual", held_on=HEARD, title="t", enterprises=uscc)
    late = add_action(engine, ADMIN, hearing.id, uscc, item="B1.1.5", action="补签劳动合同", due="2026-11-01")
    also = add_action(engine, ADMIN, hearing.id, uscc, item="A1.1.1", action="体检", due="2026-11-02")
    later = add_action(engine, ADMIN, hearing.id, uscc, item="B1.1.5", action="培训", due="2027-06-30")
    events = _count(engine, OutboxEvent)
    checked = raise_overdue(engine, ADMIN, today=date(2026, 12, 1))
    assert checked.late == [late.id, also.id] and checked.alerts == 1 and checked.in_other_alert == [also.id]
    statuses = {a.id: a.status for a in plan_of(engine, ADMIN, uscc)}
    assert statuses == {late.id: "late", also.id: "late", later.id: "open"}
    alerts = [a for a in list_alerts(engine, ADMIN) if a.rule_code == "PLAN_ACTION_OVERDUE"]
    assert len(alerts) == 1 and alerts[0].uscc == uscc and alerts[0].status == "new"
    assert f"改进措施 {late.id}" in alerts[0].detail and f"改进措施 {also.id}" in alerts[0].detail
    assert _count(engine, OutboxEvent) == events + 1
    again = raise_overdue(engine, ADMIN, today=date(2026, 12, 2))
    assert again.late == [] and again.alerts == 0
    with engine.connect() as conn:
        history = conn.execute(select(PlanActionEvent.status).where(PlanActionEvent.action_id == late.id)).scalars()
        assert list(history) == ["open", "late"]


def test_who_may_hear_and_see(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, q4 = store
    in_dalian = q4["region_code"].astype(str).str.startswith("2102")
    dalian, other = str(q4[in_dalian]["uscc"].iloc[0]), str(q4[~in_dalian]["uscc"].iloc[0])
    viewer = Principal("vv", Role.viewer)
    city = Principal("dl", Role.analyst, Scope(DALIAN))
    firm = Principal("firm", Role.enterprise, Scope(uscc=dalian))
    for who in (viewer, firm):
        with pytest.raises(PermissionDenied):
            add_hearing(engine, who, kind="individual", held_on=HEARD, title="t", enterprises=dalian)
    for outside in (other, "91210100MA0XXXXX10"):  # outside the scope is answered as an unknown one is
        with pytest.raises(NotFoundError, match="不存在,或不在你的范围 大连市 \\(210200\\) 内"):
            add_hearing(engine, city, kind="individual", held_on=HEARD, title="t", enterprises=outside)
    mine = add_hearing(engine, city, kind="individual", held_on=HEARD, title="大连", enterprises=dalian)
    theirs = add_hearing(engine, ADMIN, kind="individual", held_on=HEARD, title="外市", enterprises=other)
    both = add_hearing(engine, ADMIN, kind="collective", held_on=HEARD, title="两市", enterprises=[dalian, other])
    assert {h.id for h in list_hearings(engine, city)} == {mine.id, both.id}
    assert [e.uscc for e in get_hearing(engine, city, both.id).enterprises] == [dalian]
    with pytest.raises(NotFoundError):
        get_hearing(engine, city, theirs.id)
    with pytest.raises(PermissionDenied):
        record_outcome(engine, city, both.id, "意见", "结论")
    with pytest.raises(PermissionDenied):
        add_action(engine, viewer, mine.id, dalian, item="B1.1.5", action="x", due="2026-12-31")
    action = add_action(engine, city, mine.id, dalian, item="B1.1.5", action="x", due="2026-12-31")
    assert [a.id for a in plan_of(engine, firm, dalian)] == [action.id]
    for outside in (other, "91210100MA0XXXXX10"):  # heard there but outside the scope, or never heard: alike
        with pytest.raises(UsageError, match=f"不是听证 {both.id} 中你范围内的企业"):
            add_action(engine, city, both.id, outside, item="B1.1.5", action="x", due="2026-12-31")
    with pytest.raises(NotFoundError):
        plan_of(engine, firm, other)
    with pytest.raises(NotFoundError):
        plan_of(engine, city, other)
    denied = audit_log(engine, ADMIN, action="hearing", outcome="denied")
    assert {e.actor for e in denied} == {"vv", "firm", "dl"}
    reads = {(e.actor, e.target) for e in audit_log(engine, ADMIN, action="read", outcome="denied")}
    assert {("dl", f"hearing:{theirs.id}"), ("dl", f"enterprise:{other}"), ("firm", f"enterprise:{other}")} <= reads


def test_an_attached_file_comes_back_to_whoever_may_see_its_hearing(
    store: tuple[Engine, pd.DataFrame], tmp_path: Path
) -> None:
    engine, q4 = store
    in_dalian = q4["region_code"].astype(str).str.startswith("2102")
    dalian, other = str(q4[in_dalian]["uscc"].iloc[0]), str(q4[~in_dalian]["uscc"].iloc[0])
    city = Principal("dl", Role.analyst, Scope(DALIAN))
    viewer = Principal("vv", Role.viewer)
    mine = add_hearing(engine, ADMIN, kind="individual", held_on=HEARD, title="大连", enterprises=dalian)
    theirs = add_hearing(engine, ADMIN, kind="individual", held_on=HEARD, title="外市", enterprises=other)
    (tmp_path / "报告.pdf").write_bytes(PDF)
    (tmp_path / "minutes.pdf").write_bytes(PDF + b"minutes")
    (tmp_path / "proof.png").write_bytes(b"\x89PNG\r\n\x1a\n proof")
    report = attach(engine, ADMIN, mine.id, tmp_path / "报告.pdf", "csr_report")
    minutes = attach(engine, ADMIN, theirs.id, tmp_path / "minutes.pdf", "minutes")
    got = stored_file(engine, viewer, report.id)
    assert (got.name, got.content, got.sha256, got.media_type) == ("报告.pdf", PDF, report.sha256, "application/pdf")
    assert stored_file(engine, city, report.id).content == PDF
    for missing in (minutes.id, 999_999, 0):
        with pytest.raises(NotFoundError, match=f"附件 {missing} 不存在"):
            stored_file(engine, city, missing)
    action = add_action(engine, ADMIN, theirs.id, other, item="B1.1.5", action="补签", due="2026-12-31")
    done = update_action(engine, ADMIN, action.id, status="done", note="内部说明", evidence=tmp_path / "proof.png")
    assert done.evidence_id is not None
    assert stored_file(engine, viewer, done.evidence_id).name == "proof.png"
    with pytest.raises(NotFoundError):
        stored_file(engine, city, done.evidence_id)
    exports = [e for e in audit_log(engine, ADMIN, action="export") if e.target == f"attachment:{report.id}"]
    assert {e.actor for e in exports} == {"vv", "dl"} and all(report.sha256 in (e.detail or "") for e in exports)
    denied = audit_log(engine, ADMIN, action="read", outcome="denied")
    refused = {f"attachment:{minutes.id}", f"attachment:{done.evidence_id}"}
    assert {e.target for e in denied if e.actor == "dl"} == refused


def test_an_enterprise_s_file_at_a_collective_hearing_stays_within_scope(
    store: tuple[Engine, pd.DataFrame], tmp_path: Path
) -> None:
    """A hearing of enterprises of two cities: each city sees the hearing, its minutes and its own enterprises'
    reports; another city's report is neither listed nor handed out (it was both)."""
    engine, q4 = store
    in_dalian = q4["region_code"].astype(str).str.startswith("2102")
    dalian, other = str(q4[in_dalian]["uscc"].iloc[1]), str(q4[~in_dalian]["uscc"].iloc[1])
    city = Principal("dl", Role.analyst, Scope(DALIAN))
    both = add_hearing(engine, ADMIN, kind="collective", held_on=HEARD, title="两市", enterprises=f"{dalian},{other}")
    files = {"大连报告.pdf": PDF + b"dalian", "外市报告.pdf": PDF + b"secret", "纪要.pdf": PDF + b"min"}
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
    mine = attach(engine, ADMIN, both.id, tmp_path / "大连报告.pdf", "csr_report", dalian)
    theirs = attach(engine, ADMIN, both.id, tmp_path / "外市报告.pdf", "csr_report", other)
    minutes = attach(engine, ADMIN, both.id, tmp_path / "纪要.pdf", "minutes")
    shown = get_hearing(engine, city, both.id)
    assert [a.id for a in shown.attachments] == [mine.id, minutes.id]
    assert [e.uscc for e in shown.enterprises] == [dalian]
    listed = next(h for h in list_hearings(engine, city) if h.id == both.id)
    assert [a.id for a in listed.attachments] == [mine.id, minutes.id]
    assert stored_file(engine, city, mine.id).content == PDF + b"dalian"
    assert stored_file(engine, city, minutes.id).content == PDF + b"min"
    with pytest.raises(NotFoundError, match=f"附件 {theirs.id} 不存在"):
        stored_file(engine, city, theirs.id)
    assert [a.id for a in get_hearing(engine, ADMIN, both.id).attachments] == [mine.id, theirs.id, minutes.id]


# ---- the commands, as a user runs them ----


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cwd = tmp_path_factory.mktemp("hearings")
    lrc(cwd, "init")
    for period in (Q3, Q4):
        lrc(cwd, "sample", "--n", "40", "--seed", "11", "--period", period, "--output", f"{period}.csv")
        lrc(cwd, "ingest", f"{period}.csv", "--period", period)
        lrc(cwd, "score", "--period", period)
    return cwd


def test_the_commands_end_to_end(workdir: Path) -> None:
    found = json.loads(lrc(workdir, "hearing", "propose", "--period", Q4, "--format", "json").stdout)
    assert found and all(set(c) == {"uscc", "name", "grade", "total", "group", "reasons"} for c in found)
    assert all(c["group"] is None and c["reasons"] for c in found)
    grouped = json.loads(lrc(workdir, "hearing", "propose", "--period", Q4, "--group-by", "size", "--limit", "1",
                             "--format", "json").stdout)  # fmt: skip
    assert all(c["group"] for c in grouped) and len({c["group"] for c in grouped}) == len(grouped)
    uscc = found[0]["uscc"]
    added = lrc(workdir, "hearing", "add", "--kind", "individual", "--date", "2026-10-15", "--title", "个别听证",
                "--enterprises", uscc, "--chair", "工会主席")  # fmt: skip
    hearing_id = int(added.stdout.strip().splitlines()[-1])
    as_json = json.loads(lrc(workdir, "hearing", "add", "--kind", "collective", "--date", "2026-10-16", "--title",
                             "集体", "--enterprises", ",".join(c["uscc"] for c in found[:2]), "--format",
                             "json").stdout)  # fmt: skip
    assert as_json["id"] == hearing_id + 1 and as_json["kind"] == "collective"
    shown = json.loads(lrc(workdir, "hearing", "show", str(hearing_id), "--format", "json").stdout)
    assert shown["id"] == hearing_id and [e["uscc"] for e in shown["enterprises"]] == [uscc]
    listed = json.loads(lrc(workdir, "hearings", "--format", "json").stdout)
    assert [h["id"] for h in listed] == [hearing_id + 1, hearing_id]
    (workdir / "report.pdf").write_bytes(PDF)
    lrc(workdir, "hearing", "attach", str(hearing_id), "--file", "report.pdf", "--kind", "csr_report")
    lrc(workdir, "hearing", "outcome", str(hearing_id), "--opinions", "意见", "--conclusions", "结论")
    made = lrc(workdir, "plan", "add", str(hearing_id), uscc, "--item", "B1.1.5", "--action", "补签", "--due",
               "2026-12-31")  # fmt: skip
    action_id = int(made.stdout.strip().splitlines()[-1])
    plan = json.loads(lrc(workdir, "plan", "show", uscc, "--format", "json").stdout)
    assert [a["id"] for a in plan] == [action_id]
    assert plan[0]["before"]["period"] == Q3 and plan[0]["after"]["period"] == Q4
    updated = lrc(workdir, "plan", "update", str(action_id), "--status", "done", "--note", "已完成")
    assert updated.stdout.strip().splitlines()[-1] == str(action_id)
    shown = json.loads(lrc(workdir, "hearing", "show", str(hearing_id), "--format", "json").stdout)
    assert shown["status"] == "held" and shown["attachments"][0]["name"] == "report.pdf"
    file_id = str(shown["attachments"][0]["id"])
    got = lrc(workdir, "hearing", "attachment", file_id, "--output", "back.pdf")
    assert got.stdout.strip().splitlines()[-1] == "back.pdf" and (workdir / "back.pdf").read_bytes() == PDF
    as_json = json.loads(lrc(workdir, "hearing", "attachment", file_id, "-o", "again.pdf", "--format", "json").stdout)
    assert as_json["sha256"] == shown["attachments"][0]["sha256"] and "content" not in as_json
    lrc(workdir, "plan", "check-overdue")


SECRET = "内部说明SECRET-PLAN-NOTE-8812"


def test_the_public_site_shows_the_plan_of_a_held_hearing_and_no_internal_note(workdir: Path) -> None:
    lrc(workdir, "publish", "--period", Q4)
    uscc = json.loads(lrc(workdir, "hearing", "propose", "--period", Q4, "--format", "json").stdout)[-1]["uscc"]
    held = json.loads(lrc(workdir, "hearing", "add", "--kind", "individual", "--date", "2026-10-20", "--title",
                          "公开听证", "--enterprises", uscc, "--format", "json").stdout)["id"]  # fmt: skip
    planned = json.loads(lrc(workdir, "hearing", "add", "--kind", "individual", "--date", "2026-12-20", "--title",
                             "尚未举行", "--enterprises", uscc, "--format", "json").stdout)["id"]  # fmt: skip
    lrc(workdir, "hearing", "outcome", str(held), "--opinions", "意见", "--conclusions", "限期整改")
    done = lrc(workdir, "plan", "add", str(held), uscc, "--item", "B1.1.5", "--action", "公开承诺的整改措施", "--due",
               "2026-12-31").stdout.strip().splitlines()[-1]  # fmt: skip
    (workdir / f"{SECRET}.png").write_bytes(b"\x89PNG\r\n\x1a\n proof")
    lrc(workdir, "plan", "update", done, "--status", "done", "--note", SECRET, "--evidence", f"{SECRET}.png")
    lrc(workdir, "plan", "add", str(planned), uscc, "--item", "A1.1.1", "--action", "未举行听证的措施", "--due",
        "2027-01-31")  # fmt: skip
    lrc(workdir, "site", "build", "--output", "site")
    page = (workdir / "site" / "e" / f"{uscc}.html").read_text(encoding="utf-8")
    plan = page.split('id="plan"')[1].split("</section>")[0]
    assert "公开承诺的整改措施" in plan and "公开听证" in plan and "2026-10-20" in plan and "已完成" in plan
    assert "未举行听证的措施" not in page  # published with the outcome
    everything = b"".join(f.read_bytes() for f in (workdir / "site").rglob("*") if f.is_file())
    assert b"SECRET-PLAN-NOTE-8812" not in everything and "限期整改".encode() not in everything


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["hearing", "add", "--kind", "weird", "--date", "2026-10-15", "--title", "t", "--enterprises", "x"],
         "听证类型"),  # fmt: skip
        (["hearing", "add", "--kind", "individual", "--date", "2026-13-01", "--title", "t", "--enterprises", "x"],
         "YYYY-MM-DD"),  # fmt: skip
        (["hearing", "show", "999"], "听证 999 不存在"),
        (["plan", "update", "999", "--status", "done", "--note", "x"], "改进措施 999 不存在"),
        (["hearing", "attachment", "999", "--output", "x.pdf"], "附件 999 不存在"),
        (["hearing", "attachment", "1", "--output", "no/such/folder/x.pdf"], "输出目录"),
        (["hearing", "propose", "--period", Q4, "--group-by", "colour"], "industry、size 或 ownership"),
    ],
)
def test_bad_input_gives_one_chinese_line(workdir: Path, args: list[str], says: str) -> None:
    done = lrc(workdir, *args, ok=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and says in lines[0] and lines[0].startswith("错误")


# ---- what a file is: its content, not only its name ----

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


def _zip(*names: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<w:document/>")
    return buffer.getvalue()


WELL_MADE = {  # each kind the README lists, as it is
    "report.pdf": (PDF, "application/pdf"),
    "photo.png": (PNG, "image/png"),
    "photo.jpg": (JPEG, "image/jpeg"),
    "scan.jpeg": (JPEG + b"scan", "image/jpeg"),
    "minutes.docx": (_zip("[Content_Types].xml", "word/document.xml"), MEDIA_TYPES[".docx"]),
    "minutes.doc": (OLE + "WordDocument".encode("utf-16-le"), "application/msword"),
}
MISNAMED = {  # each kind, named so but something else: (content, what it looks like)
    "hello.pdf": (b"hello, this is text\n", "纯文本"),
    "evil.png": (b"<html><script>alert(1)</script></html>", "网页或 XML"),
    "photo.jpg": (PNG + b"named .jpg", "PNG 图片"),
    "anim.jpeg": (b"GIF89a\x01\x00\x01\x00", "GIF 图片"),
    "fake.docx": (b"not a zip at all\n", "纯文本"),
    "sheet.docx": (_zip("[Content_Types].xml", "xl/workbook.xml"), "ZIP 压缩包(不是 Word 文档)"),
    "sheet.doc": (OLE + "Workbook".encode("utf-16-le"), "其他 Office 文件(不是 Word 文档)"),
    "tool.pdf": (b"MZ\x90\x00\x03\x00\x00\x00", "Windows 程序"),
}


@pytest.fixture(scope="module")
def heard(workdir: Path) -> str:
    uscc = json.loads(lrc(workdir, "hearing", "propose", "--period", Q4, "--format", "json").stdout)[0]["uscc"]
    added = lrc(workdir, "hearing", "add", "--kind", "individual", "--date", "2026-10-21", "--title", "文件类型",
                "--enterprises", uscc)  # fmt: skip
    return added.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("name", list(WELL_MADE))
def test_a_file_whose_content_is_what_its_name_says_is_stored_and_served_as_that(
    workdir: Path, heard: str, name: str
) -> None:
    content, media = WELL_MADE[name]
    (workdir / name).write_bytes(content)
    file_id = lrc(workdir, "hearing", "attach", heard, "--file", name, "--kind", "minutes").stdout.split()[-1]
    back = json.loads(lrc(workdir, "hearing", "attachment", file_id, "-o", f"back-{name}", "-f", "json").stdout)
    assert back["media_type"] == media and (workdir / f"back-{name}").read_bytes() == content


@pytest.mark.parametrize("name", list(MISNAMED))
def test_a_file_whose_content_is_not_what_its_name_says_is_refused_naming_it(
    workdir: Path, heard: str, name: str
) -> None:
    """Checked by the content's first bytes (a .docx: a zip holding word/document.xml; a .doc: an OLE file
    holding a WordDocument stream): a text named .pdf, a web page named .png were stored and served as such."""
    content, looks = MISNAMED[name]
    (workdir / "bad").mkdir(exist_ok=True)
    (workdir / "bad" / name).write_bytes(content)
    refused = lrc(workdir, "hearing", "attach", heard, "--file", f"bad/{name}", "--kind", "minutes", ok=False)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"文件 {name} 的内容不是" in refused.stderr and f"看起来是 {looks}" in refused.stderr, refused.stderr
    shown = json.loads(lrc(workdir, "hearing", "show", heard, "--format", "json").stdout)
    assert hashlib.sha256(content).hexdigest() not in {a["sha256"] for a in shown["attachments"]}


def test_plan_evidence_is_checked_the_same_way(store: tuple[Engine, pd.DataFrame], tmp_path: Path) -> None:
    engine, q4 = store
    uscc = str(q4["uscc"].iloc[5])
    hearing = add_hearing(engine, ADMIN, kind="individual", held_on=HEARD, title="t", enterprises=uscc)
    action = add_action(engine, ADMIN, hearing.id, uscc, item="B1.1.5", action="补签", due="2026-12-31")
    (tmp_path / "proof.jpg").write_bytes(b"<svg onload=alert(1)>")
    with pytest.raises(UsageError, match="文件 proof.jpg 的内容不是 JPEG 图片,看起来是 网页或 XML"):
        update_action(engine, ADMIN, action.id, status="done", note="x", evidence=tmp_path / "proof.jpg")
    assert plan_of(engine, ADMIN, uscc)[0].status == "open"


def test_a_hearing_s_outcome_is_recorded_once_and_a_correction_is_attached_as_minutes(workdir: Path) -> None:
    """Plans, objections and repairs keep every step; a second outcome silently replaced the first (the public
    site publishes the plan with it). It is refused; the first stays, and a correction is kept as minutes."""
    uscc = json.loads(lrc(workdir, "hearing", "propose", "--period", Q4, "--format", "json").stdout)[1]["uscc"]
    heard = lrc(workdir, "hearing", "add", "--kind", "individual", "--date", "2026-10-22", "--title", "结果一次",
                "--enterprises", uscc).stdout.strip().splitlines()[-1]  # fmt: skip
    lrc(workdir, "hearing", "outcome", heard, "--opinions", "职工代表认为加班偏多", "--conclusions", "限期整改")
    again = lrc(workdir, "hearing", "outcome", heard, "--opinions", "改写", "--conclusions", "不再整改", ok=False)
    assert again.returncode == 6 and "Traceback" not in again.stderr
    assert f"听证 {heard} 的结果已由" in again.stderr and "不能再次记录" in again.stderr and "minutes" in again.stderr
    shown = json.loads(lrc(workdir, "hearing", "show", heard, "--format", "json").stdout)
    assert (shown["opinions"], shown["conclusions"], shown["status"]) == ("职工代表认为加班偏多", "限期整改", "held")
    (workdir / "更正说明.pdf").write_bytes(PDF + b"correction")
    lrc(workdir, "hearing", "attach", heard, "--file", "更正说明.pdf", "--kind", "minutes")
    shown = json.loads(lrc(workdir, "hearing", "show", heard, "--format", "json").stdout)
    assert [a["name"] for a in shown["attachments"]] == ["更正说明.pdf"] and shown["conclusions"] == "限期整改"
    audit = json.loads(lrc(workdir, "audit", "--format", "json").stdout)
    refused = [a for a in audit if a["target"] == f"hearing:{heard}" and a["outcome"] == "error"]
    assert len(refused) == 1 and "不能再次记录" in refused[0]["detail"]
