"""Publication in the dashboard (AppTest, single-user mode: admin): the preview counts what publishing would
list, confirming publishes exactly one publication, and the rankings page shows a publication as published,
marking an enterprise a record re-scored after it with its current result and a link to it. Who may
publish: the service refuses a viewer or an analyst (the preview too) and the CLI says so."""

from __future__ import annotations

import doctest
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import APP_PATH
from dashboard.loaders import RUNS_TTL
from dashboard.text import plain
from lrc.errors import PermissionDenied
from lrc.labels import COLUMN_LABELS
from lrc.reference import INDUSTRIES
from lrc.samples import DEMO_PERIODS
from lrc.service import accounts, load_results, publication_views
from lrc.service.access import Principal, Role
from lrc.service.audit import audit_log
from lrc.service.publication_views import preview, since_published
from lrc.service.publications import get_publication, list_publications, publish
from lrc.service.records import receive_objects
from lrc.store import make_engine
from tests.conftest import ADMIN, demo_store, office_accounts, sqlite_copy
from tests.test_cli import lrc
from tests.test_dashboard_app import TIMEOUT, metric, open_page, texts
from tests.test_dashboard_hardening import NASTY, build_store

LATEST = DEMO_PERIODS[-1]
DALIAN = "210200"
PUBLISHER = Principal(name="pub", role=Role.publisher)


@pytest.fixture(scope="module")
def shared_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo store the tests of this module share: they read, preview and are refused (nothing published)."""
    return demo_store(tmp_path_factory.mktemp("publish-read"), n=60)


@pytest.fixture(scope="module")
def built_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo store made once, never used itself: each test that writes has a copy."""
    return demo_store(tmp_path_factory.mktemp("publish-built"), n=60)


@pytest.fixture
def own_url(built_url: str, tmp_path: Path) -> str:
    """A demo store of the test's own (a copy), which it publishes into and records change."""
    return sqlite_copy(built_url, tmp_path / "store")


def app_on(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("LRC_DATABASE_URL", url)
    return AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)


TABLES = {  # a table of the pages, by a column only it has
    "preview": COLUMN_LABELS["red_line"], "lists": "原因", "publications": "文号", "published": "发布后变化",
    "ranking": COLUMN_LABELS["completeness"],
}  # fmt: skip


def tables_of(at: AppTest, kind: str) -> list[pd.DataFrame]:
    """The tables of one kind on the page, in page order."""
    return [d.value for d in at.dataframe if TABLES[kind] in d.value.columns]


def frame_of(at: AppTest, kind: str) -> pd.DataFrame:
    (frame,) = tables_of(at, kind)
    return frame


def fatal(uscc: str, ref: str) -> dict[str, Any]:
    """A fatal accident the enterprise is responsible for: a red line, so its grade falls to D."""
    return {"uscc": uscc, "type": "FATAL_ACCIDENT_RESPONSIBLE", "date": "2026-09-15", "workers": 1,
            "source": "沈阳市应急管理局", "ref": ref, "severity": "严重"}  # fmt: skip


# ---- the publish page ---------------------------------------------------------------------------------


def test_the_preview_counts_what_publishing_would_list(shared_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(shared_url)
    _, everyone = load_results(engine, ADMIN, LATEST)
    at = open_page(app_on(shared_url, monkeypatch), "publish")
    assert at.title[0].value == "发布" and not at.error
    assert metric(at, "列出企业") == f"{len(everyone):,}"
    expected = preview(engine, ADMIN, LATEST, "province", "")
    assert metric(at, "红榜") == f"{len(expected.honour):,}" and metric(at, "曝光台") == f"{len(expected.exposure):,}"
    top = frame_of(at, "preview")
    assert top[COLUMN_LABELS["uscc"]].tolist() == everyone["uscc"].head(20).tolist()
    assert top[COLUMN_LABELS["total"]].tolist() == everyone["total"].head(20).tolist()
    assert tables_of(at, "lists")[-1][COLUMN_LABELS["uscc"]].tolist() == [e.uscc for e in expected.exposure]
    assert expected.number in texts(at.caption) and any("异议" in str(c.value) for c in at.caption)
    at.radio(key="pub_scope").set_value("city").run()
    at.selectbox(key="pub_city").select(DALIAN).run()
    assert not at.exception, [e.value for e in at.exception]
    dalian = everyone[everyone["city_code"] == DALIAN]
    assert 0 < len(dalian) < len(everyone)
    assert metric(at, "列出企业") == f"{len(dalian):,}"
    assert set(frame_of(at, "preview")[COLUMN_LABELS["city"]]) == {"大连市"}
    assert at.button(key="pub_go").disabled  # nothing to press before the confirmation
    at.radio(key="pub_scope").set_value("industry").run()
    at.selectbox(key="pub_industry").select(next(c for c in INDUSTRIES if c not in set(everyone["industry"]))).run()
    assert "无可发布" in texts(at.error) and not at.button  # an empty scope: said, and nothing to publish
    assert "还没有任何发布" in texts(at.caption)  # the list below is drawn all the same
    assert list_publications(engine, ADMIN) == []  # a preview writes nothing


def test_the_publish_page_and_the_published_view_run_in_english(own_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(make_engine(own_url), PUBLISHER, LATEST)
    at = app_on(own_url, monkeypatch)
    at.session_state["lang_en"] = True
    open_page(at, "publish")
    assert at.title[0].value == "Publish" and metric(at, "Enterprises listed") and not at.error
    at.session_state["rank_view"] = "published"  # (AppTest formats options outside a run: in Chinese)
    at.switch_page("views/rankings.py").run()
    assert not at.exception and not at.error
    assert "Showing: as published in" in texts(at.info)
    assert any("Changed since publication" in d.value.columns for d in at.dataframe)


def test_confirming_publishes_exactly_one_publication(own_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(own_url)
    at = open_page(app_on(own_url, monkeypatch), "publish")
    at.text_input(key="pub_title").input("<b>**本季度**</b> 评价结果").run()
    assert at.button(key="pub_go").disabled  # not before the confirmation
    at.checkbox(key="pub_confirm").check().run()
    at.button(key="pub_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    made = list_publications(engine, ADMIN)
    assert len(made) == 1
    _, everyone = load_results(engine, ADMIN, LATEST)
    (one,) = made
    assert (one.period, one.scope, one.entries) == (LATEST, "province", len(everyone))
    assert one.title == "<b>**本季度**</b> 评价结果"  # the title typed, stored as typed
    assert f"已发布 {one.number}(发布编号 {one.id})" in texts(at.success)
    assert one.hash in texts(at.markdown)
    assert at.checkbox(key="pub_confirm").value is False  # a second click needs a second confirmation
    at.run()
    assert len(list_publications(engine, ADMIN)) == 1
    assert frame_of(at, "publications")["文号"].tolist() == [one.number]
    following = preview(engine, ADMIN, LATEST, "province", "").number
    assert following != one.number and plain(following) in texts(at.caption)  # the preview moved on at once
    assert "预览之后结果有变化" not in texts(at.warning)


# ---- as published on the rankings page ----------------------------------------------------------------


def test_as_published_shows_the_frozen_entries_and_marks_a_later_change(
    own_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(own_url)
    made = publish(engine, PUBLISHER, LATEST)
    _, content = get_publication(engine, ADMIN, made.id)
    at = open_page(app_on(own_url, monkeypatch), "rankings")
    assert "正在查看:当前结果(未发布,可能变化)" in texts(at.info)
    at.radio(key="rank_view").set_value("published").run()
    assert f"正在查看:已发布版本 {plain(content.number)}" in texts(at.info)
    table = frame_of(at, "published")
    assert table[COLUMN_LABELS["uscc"]].tolist() == [e.uscc for e in content.entries[:50]]
    assert table[COLUMN_LABELS["total"]].tolist() == [e.total for e in content.entries[:50]]
    assert (table["发布后变化"] == "").all() and not at.page_link
    target = next(e for e in content.entries[1:50] if e.grade != "D" and not e.red_line)
    receive_objects(engine, ADMIN, [fatal(target.uscc, "沈应急罚〔2026〕发布1号")])
    _, now = load_results(engine, ADMIN, LATEST)
    current = now.set_index("uscc").loc[target.uscc]
    assert current["grade"] == "D" and current["total"] != target.total
    time.sleep(RUNS_TTL + 0.5)  # the dashboard notices a rescoring within RUNS_TTL seconds
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = frame_of(at, "published").set_index(COLUMN_LABELS["uscc"])
    assert table.at[target.uscc, COLUMN_LABELS["total"]] == target.total  # still as published
    assert table.at[target.uscc, "发布后变化"] == f"现 {current['total']:.1f} · D"
    assert set(table.index[table["发布后变化"] != ""]) == {target.uscc}
    (link,) = at.page_link
    assert link.proto.page == "enterprise"
    assert parse_qs(link.proto.query_string) == {"uscc": [target.uscc]}
    assert link.label.startswith(plain(target.name))
    at.checkbox(key="published_changed_only").check().run()
    assert frame_of(at, "published")[COLUMN_LABELS["uscc"]].tolist() == [target.uscc]
    at.radio(key="rank_view").set_value("current").run()
    assert "正在查看:当前结果" in texts(at.info)
    shown = frame_of(at, "ranking").set_index(COLUMN_LABELS["uscc"])
    assert shown.at[target.uscc, COLUMN_LABELS["total"]] == current["total"]
    at.query_params["uscc"] = target.uscc  # where the link goes: the enterprise page shows the newer result
    at.switch_page("views/enterprise.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "总分") == f"{current['total']:.1f}" and metric(at, "等级").startswith("D")


def test_since_published_compares_total_and_grade_and_skips_what_the_reader_cannot_see() -> None:
    was = pd.DataFrame({"uscc": ["a", "b", "c", "d"], "total": [90.0, 80.0, 70.0, 60.0], "grade": list("AABC")})
    now = pd.DataFrame({"uscc": ["a", "b", "c"], "total": [90.0, 80.04, 70.0], "grade": ["A", "A", "C"]})
    out = since_published(was, now)
    assert out["changed"].tolist() == [False, False, True, False]  # d: outside the reader's scope
    assert out["current_grade"].tolist()[:3] == ["A", "A", "C"] and pd.isna(out["current_total"].iloc[3])
    assert doctest.testmod(publication_views).failed == 0


def test_markup_in_names_and_titles_stays_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = build_store(tmp_path, {LATEST: 3}, NASTY)
    engine = make_engine(url)
    publish(engine, PUBLISHER, LATEST, title="[点我](javascript:alert(1))")
    _, ranked = load_results(engine, ADMIN, LATEST)
    nasty = ranked[ranked["name"].isin(NASTY) & ~ranked["red_line"]].iloc[0]
    receive_objects(engine, ADMIN, [fatal(nasty["uscc"], "沈应急罚〔2026〕发布2号")])
    time.sleep(RUNS_TTL + 0.5)
    at = open_page(app_on(url, monkeypatch), "rankings")
    at.radio(key="rank_view").set_value("published").run()
    (link,) = at.page_link
    assert link.label.startswith(plain(nasty["name"]) + ":")
    at = open_page(app_on(url, monkeypatch), "publish")
    names = frame_of(at, "preview")[COLUMN_LABELS["name"]].tolist()
    assert set(NASTY) & set(names)  # the table holds the names as they are (a table shows text)
    title = "![](http://example.invalid/p.png) **季度** <b>结果</b>"
    at.text_input(key="pub_title").input(title).run()
    captions = texts(at.caption)
    assert plain(title) in captions and title not in captions


# ---- who may publish ----------------------------------------------------------------------------------


def test_only_publishers_and_admins_may_preview_and_a_refusal_is_recorded(shared_url: str) -> None:
    engine = make_engine(shared_url)
    for role in (Role.viewer, Role.analyst):
        who = Principal(name=f"a-{role.value}", role=role, door="dashboard")
        with pytest.raises(PermissionDenied):
            preview(engine, who, LATEST, "province", "")
        with pytest.raises(PermissionDenied):
            publish(engine, who, LATEST)
        refused = audit_log(engine, ADMIN, user=who.name, outcome="denied")
        assert {e.action for e in refused} == {"publish"} and len(refused) == 2
    assert preview(engine, PUBLISHER, LATEST, "city:210200", "").entries
    assert list_publications(engine, ADMIN) == []


def test_a_viewer_or_an_analyst_cannot_publish_from_the_cli(own_url: str, tmp_path: Path) -> None:
    engine = make_engine(own_url)
    office_accounts(engine)  # boss (admin), dl (Dalian analyst), vv (viewer)
    accounts.add_user(engine, ADMIN, "pp", "publisher", "publisher-pass")
    accounts.add_user(engine, ADMIN, "pa", "analyst", "analyst-pass")
    for name in ("vv", "dl", "pa"):
        refused = lrc(tmp_path, "publish", "--period", LATEST, "--db", own_url, "--as", name, ok=False)
        assert refused.returncode == 9 and "无权" in refused.stderr and "Traceback" not in refused.stderr
    assert list_publications(engine, ADMIN) == []
    done = lrc(tmp_path, "publish", "--period", LATEST, "--db", own_url, "--as", "pp")
    (one,) = list_publications(engine, ADMIN)
    assert one.publisher == "pp" and done.stdout.strip().splitlines()[-1] == str(one.id)
