"""Driving the real dashboard: start `lrc dashboard` on a free port and visit its
pages with Playwright on Debian's Chromium (used by the browser tests and the bench)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {  # url path: Chinese title
    "overview": "总览",
    "rankings": "排名",
    "enterprise": "企业画像",
    "monitoring": "监测预警",
    "methodology": "指标体系",
}
CHART = '[data-testid="stPlotlyChart"] svg.main-svg, .js-plotly-plot svg.main-svg'
TABLE = '[data-testid="stDataFrame"] canvas'
CONTENT = {  # what shows that a page has rendered: a drawn chart, or a drawn table
    "overview": CHART,
    "rankings": TABLE,
    "enterprise": CHART,
    "monitoring": TABLE,
    "methodology": CHART,
}
RUNNING = '[data-testid="stStatusWidget"]'


def drawn(selector: str) -> str:
    """A JS predicate: some element of ``selector`` is laid out (and an SVG has shapes)."""
    return f"""() => Array.from(document.querySelectorAll('{selector}')).some(el =>
        el.getBoundingClientRect().width > 0 && (el.tagName !== 'svg' || el.querySelector('path, rect')))"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lrc_command() -> list[str]:
    found = shutil.which("lrc") or str(Path(sys.executable).with_name("lrc"))
    if Path(found).exists():
        return [found]
    return [sys.executable, "-c", "from lrc.cli import main; main()"]


def wait_for_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"the dashboard did not answer at {url} within {timeout:.0f} s")


@contextmanager
def dashboard(db_url: str, *, log: Path | None = None) -> Iterator[str]:
    """`lrc dashboard --port P` on ``db_url`` as a subprocess; yields its base URL, stops it after."""
    port = free_port()
    env = {**os.environ, "LRC_DATABASE_URL": db_url}
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*lrc_command(), "dashboard", "--port", str(port)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/_stcore/health")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if log:
            out.close()  # type: ignore[union-attr]


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_until_done(page: Any, title: str, content: str, *, timeout: float = 30_000) -> None:
    """Wait for the script run to end: the title is shown, the running indicator is
    gone and the page's ``content`` (a chart or table) is drawn."""
    page.get_by_role("heading", name=title).first.wait_for(timeout=timeout)
    page.wait_for_function(f"() => !document.querySelector('{RUNNING}')", timeout=timeout, polling=50)
    page.wait_for_function(drawn(content), timeout=timeout, polling=50)


def visit(page: Any, base: str, path: str) -> float:
    """Open a page and return the seconds until it has rendered."""
    started = time.perf_counter()
    page.goto(f"{base}/{path}")
    wait_until_done(page, PAGES[path], CONTENT[path])
    return time.perf_counter() - started


def screenshot(page: Any, path: Path) -> None:
    """The whole page: the viewport is stretched to the height of Streamlit's scrolling
    main area first (a full-page capture of the document would cut it at the fold)."""
    size = page.viewport_size
    height = page.evaluate(
        """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]', 'section.main']
            .map(s => document.querySelector(s)).filter(Boolean).map(el => el.scrollHeight), 800)"""
    )
    page.set_viewport_size({"width": size["width"], "height": int(height) + 40})
    page.wait_for_timeout(1500)  # charts re-layout to the new size
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


@contextmanager
def recording_tab(requested: list[str]) -> Iterator[Any]:
    """A Chromium tab (1500×1000, zh-CN) that appends every URL it requests to ``requested``."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        tab = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
        tab.on("request", lambda request: requested.append(request.url))
        yield tab
        browser.close()
