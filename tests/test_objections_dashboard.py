"""The 异议与信用修复 page and what the enterprise and rankings pages show of objections and repairs (AppTest,
signed in as real accounts): an enterprise user files an objection for itself and sees only its own cases;
an analyst reads the queue with its deadlines and overturns an objection, which makes a new result that
supersedes the old one (the enterprise page says so and links to the newer one) and that a publication,
unchanged, marks as corrected; a routed objection names the authority; the deadline check alerts once."""

from __future__ import annotations

import doctest
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import APP_PATH, case_forms
from dashboard.text import plain
from lrc.labels import COLUMN_LABELS
from lrc.samples import DEMO_PERIODS
from lrc.service import accounts, explain, load_results, publication_views
from lrc.service.objections import file_objection, list_objections
from lrc.service.publications import publish
from lrc.service.records import receive_objects
from lrc.service.repairs import repairable_records, request_repair
from lrc.store import make_engine
from tests.conftest import ADMIN, clock_at, demo_store, sqlite_copy
from tests.test_dashboard_app import TIMEOUT, texts

LATEST = DEMO_PERIODS[-1]
PASSWORDS = {"boss": "boss-password", "an": "analyst-pass", "qa": "enterprise-a", "qb": "enterprise-b"}
UNION_ITEM, PENALTY_ITEM = "C2.2.3", "H2.1.1"
BUILT_DAYS_AGO = 90


def union_complaint(uscc: str) -> dict[str, str]:
    """A worker's complaint the union verified: the union's own record, which an overturn revokes."""
    return {"uscc": uscc, "type": "COMPLAINT_VERIFIED_UNION", "date": "2026-09-10", "source": "沈阳市总工会",
            "ref": "沈工核〔2026〕11号", "severity": "一般", "workers": "3"}  # fmt: skip


def penalty(uscc: str, decided: date) -> dict[str, str]:
    """An inspection's penalty: another authority's decision (an objection is routed), repairable later."""
    return {"uscc": uscc, "type": "LABOUR_PENALTY", "date": decided.isoformat(), "source": "沈阳市人力资源和社会保障局",
            "ref": "沈人社监罚〔2026〕5号", "severity": "一般"}  # fmt: skip


def cases_store(directory: Path) -> tuple[str, str, str]:
    """A demo store (30 enterprises) where enterprise A has a union record and B a penalty, with accounts:
    boss (admin), an (analyst), qa (enterprise A), qb (enterprise B). The URL and A's and B's USCC. Stored
    ``BUILT_DAYS_AGO``: an objection received on paper since may be dated back (to when its result existed)."""
    with clock_at(date.today() - timedelta(days=BUILT_DAYS_AGO)):
        url = demo_store(directory, n=30)
        engine = make_engine(url)
        _, ranked = load_results(engine, ADMIN, LATEST)
        a, b = ranked["uscc"].iloc[3], ranked["uscc"].iloc[5]
        receive_objects(engine, ADMIN, [union_complaint(a), penalty(b, date(2026, 4, 10))])
    accounts.add_user(engine, ADMIN, "boss", "admin", PASSWORDS["boss"])
    accounts.add_user(engine, ADMIN, "an", "analyst", PASSWORDS["an"])
    accounts.add_user(engine, ADMIN, "qa", "enterprise", PASSWORDS["qa"], uscc=a)
    accounts.add_user(engine, ADMIN, "qb", "enterprise", PASSWORDS["qb"], uscc=b)
    engine.dispose()
    return url, a, b


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    return cases_store(tmp_path_factory.mktemp("cases"))


@pytest.fixture
def store(built: tuple[str, str, str], tmp_path: Path) -> tuple[str, str, str]:
    """A copy of the cases' store (built once for the module): its URL, and A's and B's USCC."""
    url, a, b = built
    return sqlite_copy(url, tmp_path / "store"), a, b


def signed_in(url: str, name: str, monkeypatch: pytest.MonkeyPatch, page: str = "objections") -> AppTest:
    """The app as ``name`` (signed in through the form), on ``views/<page>.py``."""
    monkeypatch.setenv("LRC_DATABASE_URL", url)
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    at.run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORDS[name])
    at.button[0].click().run()
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def who(url: str, name: str) -> Any:
    return accounts.acting(make_engine(url), name, "dashboard")


def queue(at: AppTest) -> pd.DataFrame:
    (frame,) = [d.value for d in at.dataframe if "决定期限" in d.value.columns and "案件" in d.value.columns]
    return frame


def ran(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---- an enterprise user ----


def test_an_enterprise_user_files_an_objection_and_sees_only_its_own(
    store: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, a, b = store
    engine = make_engine(url)
    theirs = file_objection(engine, who(url, "an"), b, LATEST, PENALTY_ITEM, "另一家企业的异议")
    at = signed_in(url, "qa", monkeypatch)
    assert at.title[0].value == "异议与信用修复" and not at.error
    assert "没有符合条件的异议或信用修复申请" in texts(at.info)  # B's case is not in A's queue
    assert at.text_input(key="case_uscc_fixed").value == a and at.text_input(key="case_uscc_fixed").disabled
    options = at.selectbox(key="case_item").options
    lost = [o for o in options if "失 " in o]
    assert options[: len(lost)] == lost and any(o.startswith(f"{UNION_ITEM} ") for o in lost)  # lost points first
    at.selectbox(key="case_item").select(UNION_ITEM)
    at.text_area(key="case_reason").input("该投诉经查不属实,已提交工会复核说明")
    at.button(key="case_object_go").click().run()
    ran(at)
    (mine,) = list_objections(engine, ADMIN, uscc=a)
    assert (mine.filed_by, mine.item, mine.status, mine.period) == ("qa", UNION_ITEM, "filed", LATEST)
    assert f"已提出异议 {mine.id}(已提出),决定期限 {mine.due_on}" in texts(at.success)
    assert at.text_area(key="case_reason").value in ("", None)  # emptied once filed
    at.selectbox(key="case_item").select(UNION_ITEM)
    at.text_area(key="case_reason").input("同一指标再次提出")
    at.button(key="case_object_go").click().run()
    assert "已有未结异议" in texts(at.error) and at.text_area(key="case_reason").value == "同一指标再次提出"  # kept
    shown = queue(at)
    assert shown["统一社会信用代码"].tolist() == [a] and shown["案件"].tolist() == [f"异议 {mine.id}"]
    assert shown["决定期限"].tolist() == [mine.due_on] and shown["理由或依据"].iloc[0].startswith("该投诉经查不属实")
    assert b not in "\n".join(texts(e) for e in (at.markdown, at.caption, at.info, at.subheader))
    assert theirs.id not in {o.id for o in list_objections(engine, who(url, "qa"))}
    keys = {str(button.key) for button in at.button}
    assert "case_overdue" not in keys and not [k for k in keys if k.startswith("case_decide_go")]  # no deciding
    with pytest.raises(KeyError):  # and A cannot be the one who objects for B: no field to name another
        at.text_input(key="case_uscc")


def test_an_enterprise_user_cannot_object_for_another_enterprise(
    store: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, a, b = store
    at = signed_in(url, "qa", monkeypatch, "enterprise")
    at.text_input(key="ent_query").input(b).run()
    ran(at)
    assert b not in texts(at.subheader) and "找不到" in texts(at.warning)  # outside its scope: not found
    with pytest.raises(Exception, match="无权|没有"):
        file_objection(make_engine(url), who(url, "qa"), b, LATEST, PENALTY_ITEM, "冒充")


def test_a_repair_request_needs_evidence_and_a_pledge_and_lists_when_it_may_be_made(
    store: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _, b = store
    listed = repairable_records(make_engine(url), who(url, "qb"), b)
    (record,) = listed
    assert record.type == "LABOUR_PENALTY" and record.repair_from
    too_early = repairable_records(make_engine(url), who(url, "qb"), b, today=date(2026, 5, 1))
    assert too_early[0].repair_from == record.repair_from  # listed with its date; the service refuses before it
    at = signed_in(url, "qb", monkeypatch)
    (label,) = at.selectbox(key="case_record").options
    assert f"#{record.record_id}" in label and f"可申请自 {record.repair_from}" in label
    at.button(key="case_repair_go").click().run()
    ran(at)
    assert "须上传整改证明材料和书面信用承诺" in texts(at.error)


# ---- an analyst ----


def test_an_analyst_overturns_an_objection_and_the_old_result_is_marked(
    store: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, a, _ = store
    engine = make_engine(url)
    made = publish(engine, ADMIN, LATEST)
    filed = file_objection(engine, who(url, "qa"), a, LATEST, UNION_ITEM, "投诉不属实")
    before = explain(engine, ADMIN, a, LATEST, current=True)
    at = signed_in(url, "an", monkeypatch)
    shown = queue(at)
    assert shown["案件"].tolist() == [f"异议 {filed.id}"] and shown["状态"].tolist() == ["已提出"]
    assert at.selectbox(key="case_pick").value == f"objection:{filed.id}"
    assert "投诉不属实" in texts(at.markdown)
    at.radio(key=f"case_decision_{filed.id}").set_value("revoke")
    at.text_area(key=f"case_note_{filed.id}").input("经复核,投诉所涉事项不属实,撤销该记录")
    at.button(key=f"case_decide_go_{filed.id}").click().run()
    ran(at)
    assert f"异议 {filed.id}:异议成立,结果已更正" in texts(at.success)
    (new,) = [t.value for t in at.table if "新结果" in t.value.columns]
    row = new.iloc[0]
    assert (row["期间"], row["统一社会信用代码"]) == (LATEST, a)  # a table of text: each cell as ``plain`` writes it
    assert row["原结果"] == plain(f"{float(before.total):.1f} {before.grade}") and row["新结果"] != row["原结果"]
    old = explain(engine, ADMIN, a, LATEST, run_id=before.result_run_id)
    assert old.superseded_by is not None and old.superseded and old.superseded["kind"] == "objection"
    assert row["评分批次"] == plain(f"#{old.superseded_by}")
    # the enterprise page, opened on the old result, says it was superseded and links to the newer one
    at.query_params["uscc"] = a
    at.query_params["run"] = str(before.result_run_id)
    at.switch_page("views/enterprise.py").run()
    ran(at)
    assert f"已被取代:{plain(f'异议成立后更正(异议 {filed.id})')},新结果在评分批次 #{old.superseded_by}" in texts(
        at.warning
    )
    assert any(link.label == "查看最新结果" for link in at.page_link)
    # the publication stays as published, and marks the entry as corrected
    marks = publication_views.corrections(engine, ADMIN, made.id)
    assert marks.set_index("uscc").at[a, "corrected"] == f"已更正(异议 {filed.id})"
    time.sleep(3.5)  # the dashboard notices a rescoring within RUNS_TTL seconds
    at.query_params.clear()
    at.session_state["rank_view"] = "published"
    at.switch_page("views/rankings.py").run()
    ran(at)
    (table,) = [d.value for d in at.dataframe if "更正与修复" in d.value.columns]
    table = table.set_index(COLUMN_LABELS["uscc"])
    assert table.at[a, "更正与修复"] == f"已更正(异议 {filed.id})"
    assert table.at[a, COLUMN_LABELS["total"]] == float(before.total)  # as published
    assert any(plain(f"已更正(异议 {filed.id})") in link.label for link in at.page_link)


def test_a_routed_objection_names_the_authority_and_the_queue_filters_by_status(
    store: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, a, b = store
    engine = make_engine(url)
    routed = file_objection(engine, who(url, "qb"), b, LATEST, PENALTY_ITEM, "处罚有误")
    pending = file_objection(engine, who(url, "qa"), a, LATEST, UNION_ITEM, "投诉不属实")
    paper = tmp_path / "承诺书.pdf"
    paper.write_bytes(b"%PDF-1.4\n")
    (record,) = repairable_records(engine, ADMIN, b)
    repair = request_repair(engine, who(url, "qb"), b, record.record_id, evidence=paper, pledge=paper)
    assert routed.status == "routed"
    at = signed_in(url, "an", monkeypatch)
    shown = queue(at).set_index("案件")  # open cases by default, the most urgent first
    assert set(shown.index) == {f"异议 {pending.id}", f"信用修复申请 {repair.id}"}
    _, ranked = load_results(engine, ADMIN, LATEST)
    assert shown.at[f"信用修复申请 {repair.id}", "企业名称"] == ranked.set_index("uscc").at[b, "name"]
    at.selectbox(key="case_status").select("objection:filed").run()
    assert queue(at)["案件"].tolist() == [f"异议 {pending.id}"]
    at.selectbox(key="case_status").select("objection:routed").run()
    assert queue(at)["案件"].tolist() == [f"异议 {routed.id}"]
    assert "沈人社监罚〔2026〕5号" in texts(at.info)
    assert not [b for b in at.button if str(b.key).startswith("case_decide_go")]  # closed: nothing to decide
    at.selectbox(key="case_status").select("all").run()
    assert set(queue(at)["案件"]) == {f"异议 {routed.id}", f"异议 {pending.id}", f"信用修复申请 {repair.id}"}


def test_an_analyst_approves_a_repair_and_the_record_stops_counting(
    store: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, _, b = store
    engine = make_engine(url)
    paper = tmp_path / "整改证明.pdf"
    paper.write_bytes(b"%PDF-1.4\n")
    (record,) = repairable_records(engine, ADMIN, b)
    with pytest.raises(Exception, match=f"最早可于 {record.repair_from} 申请"):  # before the waiting period
        request_repair(engine, who(url, "an"), b, record.record_id, evidence=paper, pledge=paper,
                       today=date.fromisoformat(record.repair_from) - timedelta(days=1))  # fmt: skip
    asked = request_repair(engine, who(url, "qb"), b, record.record_id, evidence=paper, pledge=paper)
    before = explain(engine, ADMIN, b, LATEST, current=True)
    at = signed_in(url, "an", monkeypatch)
    assert at.selectbox(key="case_pick").value == f"repair:{asked.id}"
    assert [b.label for b in at.get("download_button")] == ["下载证明材料:整改证明\\.pdf(9 字节)",
                                                            "下载信用承诺书:整改证明\\.pdf(9 字节)"]  # fmt: skip
    at.radio(key=f"case_repair_choice_{asked.id}").set_value("approve")
    at.text_area(key=f"case_repair_note_{asked.id}").input("已整改并履行义务,同意修复")
    at.button(key=f"case_repair_go_{asked.id}").click().run()
    ran(at)
    assert f"信用修复申请 {asked.id}:已批准修复" in texts(at.success)
    after = explain(engine, ADMIN, b, LATEST, current=True)
    assert after.result_run_id != before.result_run_id and after.total > before.total
    (new,) = [t.value for t in at.table if "新结果" in t.value.columns]
    assert plain(f"{float(after.total):.1f} {after.grade}") in new["新结果"].tolist()
    assert repairable_records(engine, ADMIN, b) == []  # closed: nothing left to repair


def test_the_deadline_check_alerts_once_for_an_overdue_case(
    store: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, a, _ = store
    engine = make_engine(url)
    late = file_objection(engine, who(url, "an"), a, LATEST, UNION_ITEM, "投诉不属实",
                          today=date.today() - timedelta(days=60))  # received on paper then, entered by an analyst
    at = signed_in(url, "an", monkeypatch)
    assert queue(at)["决定期限"].tolist() == [f"{late.due_on} 已逾期"]
    at.button(key="case_overdue").click().run()
    ran(at)
    assert "逾期异议 1 项" in texts(at.success) and "新预警 1 条" in texts(at.success)
    at.button(key="case_overdue").click().run()
    assert "逾期异议 0 项" in texts(at.success)
    assert "逾期未决定,已预警" in queue_events(at)


def test_an_objection_filed_after_the_notice_s_window_is_shown_late(
    store: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Accepted (it is about the current result) but not silently: the queue's filing day and the case say so,
    naming the notice and its last day; one filed within the window says it was."""
    url, a, b = store
    engine = make_engine(url)
    with clock_at(date.today() - timedelta(days=BUILT_DAYS_AGO - 5)):
        made = publish(engine, ADMIN, LATEST)
    in_time = file_objection(engine, who(url, "an"), b, LATEST, PENALTY_ITEM, "处罚有误",
                             today=date.today() - timedelta(days=BUILT_DAYS_AGO - 10))  # fmt: skip
    filing = signed_in(url, "qa", monkeypatch)  # the enterprise files today, through the form
    filing.selectbox(key="case_item").select(UNION_ITEM)
    filing.text_area(key="case_reason").input("投诉不属实")
    filing.button(key="case_object_go").click().run()
    ran(filing)
    (late,) = list_objections(engine, ADMIN, uscc=a)
    assert late.late and late.publication is not None and not in_time.late
    said = texts(filing.success)
    assert f"已提出异议 {late.id}" in said and f"已超过公告 {plain(made.number)}" in said
    at = signed_in(url, "an", monkeypatch)
    at.selectbox(key="case_status").select("all").run()
    days = queue(at).set_index("案件")["提出日期"]
    assert days[f"异议 {late.id}"] == f"{late.filed_on} 逾期提出" and days[f"异议 {in_time.id}"] == in_time.filed_on
    at.selectbox(key="case_pick").select(f"objection:{late.id}").run()
    ran(at)
    until = late.publication.until
    assert f"已超过公告 {plain(made.number)}" in texts(at.warning) and f"异议期限至 {until}" in texts(at.warning)
    at.selectbox(key="case_pick").select(f"objection:{in_time.id}").run()
    assert f"在公告 {plain(made.number)}" in texts(at.caption) and not texts(at.warning)


def queue_events(at: AppTest) -> str:
    return "\n".join("\n".join(d.value["环节"].astype(str)) for d in at.dataframe if "环节" in d.value.columns)


def test_the_enterprise_page_shows_open_cases(store: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    url, a, _ = store
    filed = file_objection(make_engine(url), who(url, "qa"), a, LATEST, UNION_ITEM, "投诉不属实")
    at = signed_in(url, "qa", monkeypatch, "enterprise")
    (frame,) = [d.value for d in at.dataframe if "案件" in d.value.columns]
    assert frame["案件"].tolist() == [f"异议 {filed.id}"] and frame["决定期限"].tolist() == [filed.due_on]


# ---- pure parts ----


def test_facts_are_typed_one_a_line() -> None:
    assert case_forms.parse_facts("a=1\n b = 是 \n\n") == {"a": "1", "b": "是"}
    for bad in ("no equals sign", "=1", "a=1\na=2"):
        with pytest.raises(Exception, match="字段"):
            case_forms.parse_facts(bad)
    assert doctest.testmod(case_forms).failed == 0 and doctest.testmod(publication_views).failed == 0


def test_markup_in_a_reason_stays_text_and_the_page_runs_in_english(
    store: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, a, _ = store
    nasty = "![](http://example.invalid/p.png) **理由** <b>x</b> :red[y]"
    file_objection(make_engine(url), who(url, "qa"), a, LATEST, UNION_ITEM, nasty)
    at = signed_in(url, "an", monkeypatch)
    assert f"异议理由:{plain(nasty)}" in texts(at.markdown) and nasty not in texts(at.markdown)
    assert queue(at)["理由或依据"].tolist() == [nasty]  # a table cell holds the text as it is
    at.session_state["lang_en"] = True
    at.run()
    ran(at)
    assert at.title[0].value == "Objections and credit repair" and not at.error
    assert any("Decide by" in d.value.columns for d in at.dataframe)
