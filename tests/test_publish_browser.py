"""Publishing in a real browser (`lrc dashboard` on a store with accounts, Debian's Chromium): a viewer and
an analyst are not offered 发布 and its URL shows nothing of it; a publisher previews and publishes; a
viewer then reads the publication as published on the rankings page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lrc.samples import DEMO_PERIODS
from lrc.service import accounts, load_results
from lrc.service.publications import list_publications, publish
from lrc.store import make_engine
from tests.conftest import ADMIN, demo_store
from tests.test_access_browser import main_text, navigation, settle, sign_in

pytestmark = pytest.mark.browser
LATEST = DEMO_PERIODS[-1]
PASSWORDS = {"boss": "boss-password", "pp": "publisher-pass", "an": "analyst-pass", "vv": "viewer-pass"}
WAIT = 60_000  # milliseconds: the machine is slow
PUBLISH_LINK = '[data-testid="stSidebarNav"] a[href$="/publish"]'


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = demo_store(tmp_path_factory.mktemp("publish-browser"), n=60)
    engine = make_engine(url)
    accounts.add_user(engine, ADMIN, "boss", "admin", PASSWORDS["boss"])
    accounts.add_user(engine, ADMIN, "pp", "publisher", PASSWORDS["pp"])
    accounts.add_user(engine, ADMIN, "an", "analyst", PASSWORDS["an"])
    accounts.add_user(engine, ADMIN, "vv", "viewer", PASSWORDS["vv"])
    engine.dispose()
    return url


def enter(page: Any, base_url: str, name: str, path: str) -> None:
    sign_in(page, base_url, name, PASSWORDS[name], path=path)
    page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=WAIT)
    settle(page)


@pytest.mark.parametrize("name", ["vv", "an"])
def test_a_viewer_or_an_analyst_is_not_offered_publishing(page: Any, base_url: str, name: str) -> None:
    enter(page, base_url, name, "publish")
    page.get_by_role("heading", name="总览").first.wait_for(timeout=WAIT)  # the URL falls back to the first page
    settle(page)
    assert "排名" in navigation(page) and "发布" not in navigation(page)
    assert not page.locator(PUBLISH_LINK).count()
    assert not page.get_by_role("heading", name="发布", exact=True).count()
    text = main_text(page)
    assert "我已核对预览" not in text and "列出企业" not in text and "确认发布" not in text
    assert not page.get_by_role("button", name="发布", exact=True).count()


def test_a_publisher_previews_and_publishes(page: Any, base_url: str, store_url: str) -> None:
    engine = make_engine(store_url)
    _, everyone = load_results(engine, ADMIN, LATEST)
    before = len(list_publications(engine, ADMIN))
    enter(page, base_url, "pp", "publish")
    page.get_by_role("heading", name="发布", exact=True).first.wait_for(timeout=WAIT)
    assert page.locator(PUBLISH_LINK).count() == 1
    listed = page.locator('[data-testid="stMetric"]').filter(has_text="列出企业")
    listed.wait_for(timeout=WAIT)
    assert f"{len(everyone):,}" in listed.inner_text()
    button = page.get_by_role("button", name="发布", exact=True)
    button.wait_for(timeout=WAIT)
    assert button.is_disabled()  # nothing to press before the confirmation
    page.get_by_text("我已核对预览,确认发布").click()
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('button')).some(b =>
            b.innerText.trim() === '发布' && !b.disabled)""",
        timeout=WAIT,
    )
    button.click()
    page.get_by_text(re.compile(r"^已发布 .+\(发布编号 \d+\)")).first.wait_for(timeout=WAIT)
    page.get_by_text(f"发布记录({before + 1} 份)").first.wait_for(timeout=WAIT)  # the list is read again
    settle(page)
    made = list_publications(engine, ADMIN)
    assert len(made) == before + 1
    newest = made[0]
    assert newest.publisher == "pp" and newest.entries == len(everyone) and newest.period == LATEST
    text = main_text(page)
    assert newest.number in text and newest.hash in text


def test_an_admin_is_offered_publishing(page: Any, base_url: str) -> None:
    enter(page, base_url, "boss", "overview")
    page.get_by_role("heading", name="总览").first.wait_for(timeout=WAIT)
    assert page.locator(PUBLISH_LINK).count() == 1


def test_a_viewer_reads_the_publication_as_published(page: Any, base_url: str, store_url: str) -> None:
    engine = make_engine(store_url)
    made = list_publications(engine, ADMIN) or [publish(engine, accounts.acting(engine, "pp"), LATEST)]
    newest = made[0]
    enter(page, base_url, "vv", "rankings")
    page.get_by_text("正在查看:当前结果").first.wait_for(timeout=WAIT)
    page.get_by_text("已发布版本", exact=True).click()
    page.get_by_text(f"正在查看:已发布版本 {newest.number}").first.wait_for(timeout=WAIT)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=WAIT)  # its frozen entries
    assert "当前结果(未发布" not in main_text(page)
