"""The web form (填报) in a real browser: an enterprise account opens its own data, a bad value is
refused at its field with a Chinese reason and nothing is stored, a good one is stored and scored at
once and the page shows the score and the item-by-item explanation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import text

from indicators import load_catalogue
from lrc.samples import DEMO_PERIODS, DEMO_SEED, generate, write_sample
from lrc.service import accounts, ingest_file, load_results, score_period
from lrc.service.forms import layout
from lrc.store import make_engine
from tests.conftest import ADMIN, demo_store
from tests.test_access_browser import main_text, settle, sign_in

pytestmark = pytest.mark.browser
PERIOD = "2026Q4"  # open for enterprises until 30 days after it ends (the demo's periods are past it)
FIELD = "employees_tenure_3y_plus"  # at most the headcount


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    directory = tmp_path_factory.mktemp("report-browser")
    url = demo_store(directory, n=60)
    engine = make_engine(url)
    write_sample(generate(60, seed=DEMO_SEED, period=PERIOD), directory / "q4.csv")
    ingest_file(engine, ADMIN, directory / "q4.csv", PERIOD)
    score_period(engine, ADMIN, PERIOD)
    accounts.add_user(engine, ADMIN, "boss", "admin", "boss-password")
    firm = load_results(engine, ADMIN, PERIOD)[1]["uscc"].iloc[10]
    accounts.add_user(engine, ADMIN, "firm", "enterprise", "firm-password", uscc=firm)
    engine.dispose()
    return url


def submissions(store_url: str) -> int:
    with make_engine(store_url).connect() as conn:
        return int(conn.scalar(text("SELECT count(*) FROM submissions")) or 0)


def field_box(page: Any, label: str) -> Any:
    return page.get_by_label(re.compile("^" + re.escape(label))).first


def test_an_enterprise_submits_its_data_and_sees_its_score(page: Any, base_url: str, store_url: str) -> None:
    catalogue = load_catalogue()
    field = catalogue.field_map[FIELD]
    group = next(g.name for g in layout(catalogue) if any(f.name == FIELD for f in g.fields))
    sign_in(page, base_url, "firm", "firm-password", path="report")
    page.get_by_role("heading", name="填报").first.wait_for(timeout=30_000)
    page.get_by_label("报告期").fill(PERIOD)
    page.get_by_label("报告期").press("Enter")
    page.get_by_text("已载入已报送的数据").first.wait_for(timeout=30_000)
    settle(page)
    page.get_by_role("tab", name=group).click()
    before = submissions(store_url)
    box = field_box(page, field.name_zh)
    box.fill("999999")
    box.press("Enter")
    page.get_by_text("不能大于").first.wait_for(timeout=30_000)  # at the field, as it is entered
    page.get_by_role("button", name="提交并评分").click()
    page.get_by_text("需要更正").first.wait_for(timeout=30_000)
    settle(page)
    assert submissions(store_url) == before
    box = field_box(page, field.name_zh)
    box.fill("1")
    box.press("Enter")
    page.get_by_text("不能大于").first.wait_for(state="detached", timeout=30_000)
    settle(page)
    page.get_by_role("button", name="提交并评分").click()
    page.get_by_text("已提交并评分").wait_for(timeout=30_000)
    page.get_by_text("全省排名").first.wait_for(timeout=30_000)  # the score is drawn just after the message
    settle(page)
    text = main_text(page)
    assert "总分" in text and "全省排名" in text and "逐项得分" in text
    assert submissions(store_url) == before + 1


def test_past_the_deadline_an_enterprise_cannot_submit(page: Any, base_url: str) -> None:
    sign_in(page, base_url, "firm", "firm-password", path="report")
    page.get_by_role("heading", name="填报").first.wait_for(timeout=30_000)
    page.get_by_label("报告期").fill(DEMO_PERIODS[-1])
    page.get_by_label("报告期").press("Enter")
    page.get_by_text("已过报送截止日期").first.wait_for(timeout=30_000)
    settle(page)  # the notice can be drawn before the rest of the rerun reaches the button
    disabled = (
        "() => [...document.querySelectorAll('button')].some(b => b.innerText.includes('提交并评分') && b.disabled)"
    )
    page.wait_for_function(disabled, timeout=30_000, polling=100)
    assert page.get_by_role("button", name="提交并评分").is_disabled()


def test_a_viewer_has_no_form(page: Any, base_url: str, store_url: str) -> None:
    engine = make_engine(store_url)
    accounts.add_user(engine, accounts.acting(engine, "boss"), "vv", "viewer", "viewer-pass")
    sign_in(page, base_url, "vv", "viewer-pass", path="report")
    settle(page)
    assert not page.get_by_role("heading", name="填报").count()
    assert "填报" not in str(page.locator('[data-testid="stSidebarNav"]').inner_text())
