"""Data values as plain text in a real browser: `lrc dashboard` on a store whose
enterprise names are Markdown, each enterprise page opened in Chromium. The browser
must fetch nothing from another host, and show every name as it is."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHART, RUNNING, drawn

from dashboard.text import JOINER
from lrc.service import load_results
from lrc.store import make_engine
from tests.conftest import ADMIN
from tests.test_dashboard_hardening import EARLIER, LATEST, NASTY, build_store

pytestmark = pytest.mark.browser

LOCAL = ("http://localhost", "http://127.0.0.1", "ws://localhost", "ws://127.0.0.1", "data:", "blob:")


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_store(tmp_path_factory.mktemp("nasty-browser-store"), {EARLIER: 7, LATEST: 7}, NASTY)


def codes(store_url: str) -> dict[str, str]:
    _, frame = load_results(make_engine(store_url), ADMIN, LATEST)
    return {name: uscc for name, uscc in zip(frame["name"], frame["uscc"], strict=True) if name in NASTY}


def visible(locator: Any) -> str:
    """What a reader sees: the text, without the invisible word joiners ``plain`` adds."""
    return str(locator.inner_text()).replace(JOINER, "")


@pytest.mark.parametrize("name", NASTY)
def test_an_enterprise_named_in_markdown_is_shown_literally_and_fetches_nothing(
    page: Any, base_url: str, store_url: str, requested: list[str], name: str, tmp_path: Path
) -> None:
    requested.clear()
    page.goto(f"{base_url}/enterprise?uscc={codes(store_url)[name]}")
    page.get_by_role("heading", name="企业画像").first.wait_for(timeout=30_000)
    page.wait_for_function(f"() => !document.querySelector('{RUNNING}')", timeout=30_000, polling=50)
    page.wait_for_function(drawn(CHART), timeout=30_000, polling=50)
    page.wait_for_timeout(500)  # late requests of the page
    heading = page.locator('[data-testid="stHeading"] h3').first
    assert visible(heading) == name
    assert name in visible(page.locator('[data-testid="stMain"]'))
    assert not page.locator('[data-testid="stException"]').count()
    main = page.locator('[data-testid="stMain"]')
    links = main.evaluate(
        "el => Array.from(el.querySelectorAll('a[href], img[src]')).map(e => e.getAttribute('href') || e.src)"
    )
    inside = re.compile(r"^[a-z_]+(\?[A-Za-z0-9_=&%.-]*)?$")  # another page of this app (st.page_link)
    assert not [link for link in links if not link.startswith(("#", *LOCAL)) and not inside.match(link)], links
    assert not main.locator(".katex, strong, em").count()
    assert requested, "no request was recorded"
    outside = sorted({url for url in requested if not url.startswith(LOCAL)})
    assert not outside, f"requests outside localhost: {outside}"
