"""Sign-in, roles and scope in a real browser: `lrc dashboard` on a store with accounts, driven in
Debian's Chromium. Each `goto` opens a new Streamlit session, so each visit signs in again."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from browser_support import RUNNING

from lrc.samples import DEMO_PERIODS
from lrc.service import accounts, load_results
from lrc.store import make_engine
from tests.conftest import ADMIN, demo_store

pytestmark = pytest.mark.browser
DALIAN = "210200"
PASSWORDS = {"boss": "boss-password", "dl": "dalian-pass", "vv": "viewer-pass", "locked": "locked-pass"}


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = demo_store(tmp_path_factory.mktemp("access-browser"), n=120)
    engine = make_engine(url)
    accounts.add_user(engine, ADMIN, "boss", "admin", PASSWORDS["boss"])
    accounts.add_user(engine, ADMIN, "dl", "analyst", PASSWORDS["dl"], region=DALIAN)
    accounts.add_user(engine, ADMIN, "vv", "viewer", PASSWORDS["vv"], display_name="<b>查看</b>")
    accounts.add_user(engine, ADMIN, "locked", "viewer", PASSWORDS["locked"])
    engine.dispose()
    return url


def settle(page: Any, timeout: float = 60.0) -> None:
    """Wait for the script run to end: no running indicator, and the main area's text the same at two
    looks 300 ms apart. The indicator alone is not enough on a loaded machine: it shows only after a
    delay, and the browser can draw a rerun's last elements after it is gone."""
    deadline = time.monotonic() + timeout
    before = None
    while True:
        page.wait_for_function(f"() => !document.querySelector('{RUNNING}')", timeout=30_000, polling=50)
        page.wait_for_timeout(300)
        now = None if page.locator(RUNNING).count() else main_text(page)
        if now is not None and now == before or time.monotonic() > deadline:
            return
        before = now


def sign_in(page: Any, base_url: str, name: str, password: str | None = None, path: str = "") -> None:
    page.goto(f"{base_url}/{path}")
    page.get_by_role("heading", name="企业劳动关系信用评价 · 登录").wait_for(timeout=30_000)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password or PASSWORDS[name])
    page.get_by_role("button", name="登录").click()
    settle(page)


def navigation(page: Any) -> str:
    return str(page.locator('[data-testid="stSidebarNav"]').inner_text())


def main_text(page: Any) -> str:
    return str(page.locator('[data-testid="stMain"]').inner_text())


def test_nothing_is_shown_before_a_login(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/rankings")
    page.get_by_role("heading", name="企业劳动关系信用评价 · 登录").wait_for(timeout=30_000)
    settle(page)
    assert not page.locator('[data-testid="stSidebarNav"]').count()
    assert "排名" not in main_text(page) and not page.locator('[data-testid="stDataFrame"]').count()


def test_an_analyst_sees_the_analyst_pages_and_only_the_city(page: Any, base_url: str, store_url: str) -> None:
    sign_in(page, base_url, "dl", path="rankings")
    page.get_by_role("heading", name="排名").first.wait_for(timeout=30_000)
    settle(page)
    nav = navigation(page)
    assert all(title in nav for title in ("总览", "排名", "企业画像", "监测预警", "指标体系"))
    assert "用户与审计" not in nav
    assert "分析员" in str(page.locator('[data-testid="stSidebar"]').inner_text())
    _, everyone = load_results(make_engine(store_url), ADMIN, DEMO_PERIODS[-1])
    dalian = int((everyone["city_code"] == DALIAN).sum())
    page.get_by_text(f"共 {dalian:,} 家企业").first.wait_for(timeout=30_000)
    assert f"共 {dalian:,} 家企业" in main_text(page)
    other = everyone.loc[everyone["city_code"] != DALIAN, "uscc"].iloc[0]
    sign_in(page, base_url, "dl", path=f"enterprise?uscc={other}")
    page.get_by_role("heading", name="企业画像").first.wait_for(timeout=30_000)
    page.get_by_text(re.compile("无权查看|找不到")).first.wait_for(timeout=30_000)
    settle(page)
    text = main_text(page)
    assert "无权查看" in text or "找不到" in text
    assert str(everyone.loc[everyone["uscc"] == other, "name"].iloc[0]) not in text


def test_a_viewer_has_no_write_control_and_a_crafted_request_is_refused(page: Any, base_url: str) -> None:
    sign_in(page, base_url, "vv", path="monitoring")
    page.get_by_role("heading", name="监测预警").first.wait_for(timeout=30_000)
    settle(page)
    page.get_by_text("关注清单供分析员使用").first.wait_for(timeout=30_000)  # drawn after the page settles
    assert "关注清单供分析员使用" in main_text(page)
    assert not page.get_by_role("button", name="加入关注").count()
    # the admin page by its URL: not offered to a viewer, and nothing of it is shown
    sign_in(page, base_url, "vv", path="admin")
    settle(page)
    assert "用户与审计" not in navigation(page)
    assert not page.get_by_role("heading", name="用户与审计").count()
    assert "boss" not in main_text(page)


def test_an_admin_manages_users_and_reads_the_audit_log(page: Any, base_url: str) -> None:
    sign_in(page, base_url, "boss", path="admin")
    page.get_by_role("heading", name="用户与审计").first.wait_for(timeout=30_000)
    settle(page)
    page.get_by_text("审计日志").first.wait_for(timeout=30_000)
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for(timeout=30_000)
    assert "审计日志" in main_text(page)
    assert page.locator('[data-testid="stDataFrame"]').count() == 2


def test_five_wrong_passwords_lock_the_account_in_the_browser(page: Any, base_url: str) -> None:
    for attempt in range(5):
        sign_in(page, base_url, "locked", f"wrong-{attempt}")
    page.get_by_text("锁定").first.wait_for(timeout=30_000)  # drawn once the sign-in has been checked
    assert "锁定" in main_text(page)
    sign_in(page, base_url, "locked")
    page.get_by_text("锁定").first.wait_for(timeout=30_000)
    assert "锁定" in main_text(page) and not page.locator('[data-testid="stSidebarNav"]').count()


def test_sign_out_ends_the_session(page: Any, base_url: str) -> None:
    sign_in(page, base_url, "vv", path="overview")
    page.get_by_role("heading", name="总览").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("heading", name="企业劳动关系信用评价 · 登录").wait_for(timeout=30_000)
    page.get_by_text("已退出登录").first.wait_for(timeout=30_000)  # the old page's elements go a moment later
    assert "已退出登录" in main_text(page)
    page.wait_for_function("() => !document.body.innerText.includes('参评企业')", timeout=30_000)


def test_a_record_posted_through_the_api_shows_its_alert_without_a_reload(
    page: Any, base_url: str, store_url: str, tmp_path: Any
) -> None:
    from tests.test_api_server import call, serving

    engine = make_engine(store_url)
    token = accounts.create_token(engine, accounts.acting(engine, "boss"), "boss").token
    _, frame = load_results(engine, ADMIN, DEMO_PERIODS[-1])
    target = frame[~frame["red_line"]]["uscc"].iloc[0]
    sign_in(page, base_url, "boss", path="monitoring")
    page.get_by_role("heading", name="监测预警").wait_for(timeout=30_000)
    with serving(store_url, tmp_path) as api:
        record = {"uscc": target, "type": "FATAL_ACCIDENT_RESPONSIBLE", "date": "2026-09-20", "workers": 1,
                  "source": "沈阳市应急管理局", "ref": "沈应急罚〔2026〕监测1号", "severity": "严重"}  # fmt: skip
        status, _ = call(api, "POST", "/api/v1/records", token, record)
        posted = time.monotonic()
        assert status == 201
        page.get_by_text(target, exact=False).first.wait_for(timeout=10_000)  # no reload: the panel refreshes
        shown = time.monotonic() - posted
    assert shown < 5.0, f"the alert took {shown:.1f} s to show"
    assert "新触及红线" in main_text(page)
