"""The 听证 page (AppTest, single-user mode: admin): candidates with their reasons, a hearing created from a
candidate, its outcome, a plan action and its progress, a dossier to download; the hearings by date,
upcoming first; the enterprise page shows the plan with the item's points before and after the hearing;
a hostile title and action show as text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.hearing_list import by_date
from dashboard.text import plain
from lrc.samples import DEMO_PERIODS
from lrc.service import explain
from lrc.service.hearing_candidates import propose
from lrc.service.hearings import HearingOut, add_hearing, list_hearings
from lrc.service.plans import add_action, plan_of
from lrc.store import make_engine
from tests.conftest import ADMIN, demo_store
from tests.test_dashboard_app import open_page, texts
from tests.test_publish_dashboard import app_on

EARLIER, LATEST = DEMO_PERIODS
HEARD = date(2026, 7, 15)  # after 2026Q2 ended, before 2026Q3 ended
HOSTILE = "[点我](javascript:alert(1)) **听证**"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_store(tmp_path_factory.mktemp("hearings-dashboard"), n=60)


def changed_item(url: str, uscc: str) -> tuple[str, float, float]:
    """An item whose points differ between the two demo periods, per ``explain``."""
    engine = make_engine(url)
    before = {i["code"]: i["points"] for i in explain(engine, ADMIN, uscc, EARLIER).items}
    after = {i["code"]: i["points"] for i in explain(engine, ADMIN, uscc, LATEST).items}
    changed = [code for code in before if before[code] != after[code]]
    if not changed:
        pytest.skip("no item of the candidate changed between the periods")
    return changed[0], before[changed[0]], after[changed[0]]


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_hearing_from_a_candidate_to_its_plan_and_dossier(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(app_on(url, monkeypatch), "hearings")
    assert at.title[0].value == "听证" and not at.error
    click(at, "hear_propose_go")
    proposed = frame_with(at, "主要原因")
    expected = propose(make_engine(url), ADMIN, LATEST, limit=20)
    assert list(proposed["统一社会信用代码"]) == [c.uscc for c in expected]
    uscc = expected[0].uscc
    at.date_input(key="hear_date").set_value(HEARD)
    at.text_input(key="hear_title").input(HOSTILE)
    at.multiselect(key="hear_pick").select(uscc)
    at.text_input(key="hear_chair").input("县总工会主席")
    click(at, "hear_new_go")
    (made,) = list_hearings(make_engine(url), ADMIN)
    assert made.title == HOSTILE and [e.uscc for e in made.enterprises] == [uscc] and made.date == HEARD
    assert f"已登记听证 #{made.id}" in texts(at.success)
    assert HOSTILE not in texts(at.subheader) and "\\[点我\\]" in texts(at.subheader)  # shown as text
    at.text_area(key=f"hear_opinions_{made.id}").input("职工代表认为加班偏多")
    at.text_area(key=f"hear_conclusions_{made.id}").input("限期整改")
    click(at, f"hear_outcome_go_{made.id}")
    assert "听证结论:限期整改" in texts(at.text)
    assert "结果只记录一次" in texts(at.caption)  # recorded once: no form to write over it
    assert f"hear_outcome_go_{made.id}" not in {b.key for b in at.button}
    code, before, after = changed_item(url, uscc)
    at.selectbox(key=f"hear_plan_item_{made.id}").set_value(code)
    at.text_area(key=f"hear_plan_text_{made.id}").input("与全体职工补签书面劳动合同")
    click(at, f"hear_action_go_{made.id}")
    plan = frame_with(at, "整改措施")
    assert list(plan["整改措施"]) == ["与全体职工补签书面劳动合同"]
    assert list(plan["听证前得分"]) == [f"{EARLIER} · {before:.1f}"]
    assert list(plan["其后得分"]) == [f"{LATEST} · {after:.1f}"]
    assert list(plan["变化"]) == [f"{after - before:+.1f}"]
    (action,) = plan_of(make_engine(url), ADMIN, uscc)
    at.selectbox(key=f"hear_progress_status_{made.id}").set_value("done")
    at.text_area(key=f"hear_progress_note_{made.id}").input("内部说明:已核实")
    click(at, f"hear_progress_go_{made.id}")
    assert plan_of(make_engine(url), ADMIN, uscc)[0].status == "done"
    assert "已完成 1 / 1 项" in str([p.proto.text for p in at.get("progress")])
    assert "内部说明" not in str(frame_with(at, "整改措施").to_dict())  # the note stays internal
    at.radio(key=f"hear_ds_fmt_{made.id}").set_value(".html")
    click(at, f"hear_ds_go_{made.id}")
    (download,) = [d for d in at.get("download_button") if "听证材料" in str(d.proto.label)]
    assert download.proto.label == f"下载 {plain(f'听证材料-{uscc}-{LATEST}.html')}" and action.status == "open"


def test_the_enterprise_page_shows_the_plan_with_points_before_and_after(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(url)
    uscc = propose(engine, ADMIN, LATEST)[-1].uscc
    code, before, after = changed_item(url, uscc)
    heard = add_hearing(engine, ADMIN, kind="individual", held_on=HEARD, title="个别听证", enterprises=uscc)
    add_action(engine, ADMIN, heard.id, uscc, item=code, action="整改", due="2026-12-31")
    at = open_page(app_on(url, monkeypatch), "enterprise")
    at.text_input(key="ent_query").input(uscc).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "听证改进计划与效果" in texts(at.subheader)
    plan = frame_with(at, "听证前得分")
    assert list(plan["改进指标"].str.split().str[0]) == [code] and list(plan["进展"]) == ["进行中"]
    assert list(plan["听证前得分"]) == [f"{EARLIER} · {before:.1f}"]
    assert list(plan["其后得分"]) == [f"{LATEST} · {after:.1f}"]


def _hearing(hearing_id: int, day: date) -> HearingOut:
    return HearingOut(id=hearing_id, kind="individual", date=day, title="t", chair=None, participants=None,
                      status="planned", opinions=None, conclusions=None, outcome_by=None, outcome_at=None,
                      created_by="x", created_at="2026-01-01", enterprises=[], attachments=[])  # fmt: skip


def test_hearings_are_listed_upcoming_first_soonest_first_then_the_earlier_newest_first() -> None:
    days = {1: date(2026, 12, 1), 2: date(2026, 11, 20), 3: date(2026, 11, 1), 4: date(2026, 10, 2)}
    upcoming, earlier = by_date([_hearing(i, d) for i, d in days.items()], date(2026, 11, 20))
    assert [h.id for h in upcoming] == [2, 1] and [h.id for h in earlier] == [3, 4]


def test_the_page_runs_with_no_hearing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = demo_store(tmp_path, n=20)
    at = open_page(app_on(url, monkeypatch), "hearings")
    assert "还没有听证。" in texts(at.caption) and not at.error


def test_a_collective_hearing_of_typed_codes_and_its_collective_dossier(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(url)
    two = [c.uscc for c in propose(engine, ADMIN, LATEST)[1:3]]
    at = open_page(app_on(url, monkeypatch), "hearings")
    at.radio(key="hear_kind").set_value("collective")
    at.date_input(key="hear_date").set_value(date(2026, 7, 20))
    at.text_input(key="hear_title").input("制造业集体听证")
    at.text_input(key="hear_usccs").input(",".join(two))
    click(at, "hear_new_go")
    made = next(h for h in list_hearings(engine, ADMIN) if h.title == "制造业集体听证")
    assert made.kind == "collective" and sorted(e.uscc for e in made.enterprises) == sorted(two)
    assert at.selectbox(key="hear_chosen").value == made.id  # the new hearing is shown
    assert at.selectbox(key=f"hear_ds_{made.id}").value == ""  # the whole hearing first
    at.radio(key=f"hear_ds_fmt_{made.id}").set_value(".html")
    click(at, f"hear_ds_go_{made.id}")
    (download,) = [d for d in at.get("download_button") if "听证材料" in str(d.proto.label)]
    assert download.proto.label == f"下载 {plain(f'听证材料-听证{made.id}-{LATEST}.html')}"
    at.text_input(key="hear_title").input("个别听证不能有两家")
    at.radio(key="hear_kind").set_value("individual")
    at.text_input(key="hear_usccs").input(",".join(two))
    click(at, "hear_new_go")
    assert "个别听证只能有一家企业" in texts(at.error)  # the service's message, one line
