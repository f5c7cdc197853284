"""The dashboard in a real browser: `lrc dashboard` on the sample store, every page
visited with Playwright on Debian's Chromium, a screenshot of each kept in
artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import CHART, PAGES, TABLE, drawn, screenshot, visit

from lrc.service import score_period
from lrc.store import make_engine
from tests.conftest import ADMIN, demo_store

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
CHART_PAGES = ("overview", "enterprise", "methodology")


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_store(tmp_path_factory.mktemp("browser-store"))  # its own: a test adds a run


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_in_chinese(page: Any, base_url: str, path: str) -> None:
    visit(page, base_url, path)
    assert page.get_by_role("heading", name=PAGES[path]).first.is_visible()
    assert not page.locator('[data-testid="stException"]').count()
    if path in CHART_PAGES:
        assert page.evaluate(drawn(CHART)), f"{path}: no chart was drawn"
        assert page.locator(CHART).count() >= 1
    else:
        assert page.evaluate(drawn(TABLE)), f"{path}: no table was drawn"
    screenshot(page, SCREENSHOTS / f"{path}.png")
    assert (SCREENSHOTS / f"{path}.png").stat().st_size > 10_000


def test_overview_draws_every_chart_including_the_city_map(page: Any, base_url: str) -> None:
    visit(page, base_url, "overview")
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .choroplethlayer path').length >= 14")
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 8")  # 4 charts
    fonts = page.evaluate("() => getComputedStyle(document.querySelector('.js-plotly-plot text')).fontFamily")
    assert "Noto Sans CJK SC" in fonts


def test_root_url_opens_the_overview(page: Any, base_url: str) -> None:
    page.goto(base_url)
    page.get_by_role("heading", name="总览").first.wait_for()
    page.wait_for_url("**/overview")


def test_ranking_search_updates_the_table(page: Any, base_url: str) -> None:
    visit(page, base_url, "rankings")
    caption = page.locator('[data-testid="stCaptionContainer"]', has_text="家企业 · 第").first
    before = caption.inner_text()
    box = page.get_by_placeholder("输入名称关键字或信用代码开头")
    box.fill("沈阳")
    box.press("Enter")
    page.wait_for_function(
        "(before) => { const el = Array.from(document.querySelectorAll('[data-testid=stCaptionContainer]'))"
        ".find(e => e.innerText.includes('家企业 · 第')); return el && el.innerText !== before; }",
        arg=before,
    )
    assert caption.inner_text() != before


LOCAL = ("http://localhost", "http://127.0.0.1", "ws://localhost", "ws://127.0.0.1", "data:", "blob:")


def test_no_request_leaves_localhost(page: Any, base_url: str, requested: list[str]) -> None:
    """The dashboard works offline: no font, icon (e.g. a Material Symbols favicon from
    fonts.gstatic.com), map or script is fetched from another host."""
    for path in PAGES:
        visit(page, base_url, path)
        page.wait_for_timeout(500)  # late requests (favicon, fonts) of the page
        links = page.evaluate(
            "() => Array.from(document.querySelectorAll('link[href], img[src], script[src]'))"
            ".map(el => el.href || el.src)"
        )
        outside = [url for url in links if not url.startswith(LOCAL)]
        assert not outside, f"{path} links to {outside}"
    assert requested, "no request was recorded"
    outside = sorted({url for url in requested if not url.startswith(LOCAL)})
    assert not outside, f"requests outside localhost: {outside}"


def test_monitoring_shows_a_new_run_without_reloading(page: Any, base_url: str, store_url: str) -> None:
    """Runs last: it adds a run to the shared store."""
    visit(page, base_url, "monitoring")
    summary = score_period(make_engine(store_url), ADMIN, "2026Q3")
    page.get_by_text(f"评分批次 #{summary.run_id}").first.wait_for(timeout=30_000)
