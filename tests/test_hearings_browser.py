"""The 听证 page in a real browser (`lrc dashboard` on a store with accounts, Debian's Chromium): an analyst
creates a hearing of an enterprise and downloads its dossier, a PDF whose text names the enterprise; a
viewer who tries to create one is refused by the service and sees why, and nothing is created. The analyst
also attaches the CSR report and gets the same bytes back."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from lrc.samples import DEMO_PERIODS
from lrc.service import accounts, load_results
from lrc.service.audit import audit_log
from lrc.service.hearings import list_hearings
from lrc.store import make_engine
from tests.conftest import ADMIN, demo_store
from tests.test_access_browser import main_text, settle, sign_in
from tests.test_dossier import poppler, squash

pytestmark = pytest.mark.browser
LATEST = DEMO_PERIODS[-1]
PASSWORDS = {"boss": "boss-password", "an": "analyst-pass", "vv": "viewer-pass"}
WAIT = 90_000  # milliseconds: the machine is slow, and a dossier is typeset
HEARING_LINK = '[data-testid="stSidebarNav"] a[href$="/hearings"]'


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = demo_store(tmp_path_factory.mktemp("hearings-browser"), n=60)
    engine = make_engine(url)
    accounts.add_user(engine, ADMIN, "boss", "admin", PASSWORDS["boss"])
    accounts.add_user(engine, ADMIN, "an", "analyst", PASSWORDS["an"])
    accounts.add_user(engine, ADMIN, "vv", "viewer", PASSWORDS["vv"])
    engine.dispose()
    return url


def enter(page: Any, base_url: str, name: str) -> None:
    sign_in(page, base_url, name, PASSWORDS[name], path="hearings")
    page.get_by_role("heading", name="听证", exact=True).first.wait_for(timeout=WAIT)
    page.get_by_role("heading", name="听证日程").first.wait_for(timeout=WAIT)
    settle(page)


def fill_new_hearing(page: Any, title: str, uscc: str) -> None:
    page.get_by_label("听证标题").fill(title)
    page.get_by_label("其他企业(统一社会信用代码,逗号分隔)").fill(uscc)
    page.get_by_label("主持人").fill("县总工会主席")
    page.get_by_role("button", name="登记听证").click()


def test_an_analyst_creates_a_hearing_and_downloads_its_dossier(
    page: Any, base_url: str, store_url: str, tmp_path: Path
) -> None:
    engine = make_engine(store_url)
    _, results = load_results(engine, ADMIN, LATEST)
    uscc, name = str(results["uscc"].iloc[-1]), str(results["name"].iloc[-1])
    enter(page, base_url, "an")
    assert page.locator(HEARING_LINK).count() == 1
    fill_new_hearing(page, "浏览器个别听证", uscc)
    page.get_by_text(re.compile(r"^已登记听证 #\d+")).first.wait_for(timeout=WAIT)
    (made,) = [h for h in list_hearings(engine, ADMIN) if h.title == "浏览器个别听证"]
    assert [e.uscc for e in made.enterprises] == [uscc] and made.created_by == "an" and made.chair == "县总工会主席"
    page.get_by_role("heading", name=f"#{made.id} 浏览器个别听证").first.wait_for(timeout=WAIT)
    page.get_by_role("button", name="生成听证材料").click()
    download_button = page.get_by_role("button", name=re.compile("^下载 听证材料"))
    download_button.wait_for(timeout=WAIT)
    with page.expect_download(timeout=WAIT) as info:
        download_button.click()
    path = tmp_path / "dossier.pdf"
    info.value.save_as(path)
    assert info.value.suggested_filename == f"听证材料-{uscc}-{LATEST}.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    text = squash(poppler("pdftotext", path, "-"))
    assert squash(name) in text and uscc in text
    attach_and_get_back(page, tmp_path)


def attach_and_get_back(page: Any, folder: Path) -> None:
    """Upload the enterprise's CSR report to the hearing shown, then get the same bytes back."""
    report = folder / "社会责任报告.pdf"
    report.write_bytes(b"%PDF-1.4\n% a CSR report from the browser\n")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(report))
    page.get_by_text("社会责任报告.pdf").first.wait_for(timeout=WAIT)
    page.get_by_role("button", name="上传附件").click()
    page.get_by_text(re.compile(r"^已上传 社会责任报告")).first.wait_for(timeout=WAIT)
    page.get_by_role("button", name="取出文件").click()
    button = page.get_by_role("button", name="下载 社会责任报告.pdf")
    button.wait_for(timeout=WAIT)
    with page.expect_download(timeout=WAIT) as info:
        button.click()
    back = folder / "back.pdf"
    info.value.save_as(back)
    assert back.read_bytes() == report.read_bytes()


def test_a_viewer_cannot_create_a_hearing_and_is_told_why(page: Any, base_url: str, store_url: str) -> None:
    engine = make_engine(store_url)
    _, results = load_results(engine, ADMIN, LATEST)
    before = len(list_hearings(engine, ADMIN))
    enter(page, base_url, "vv")
    assert "你的角色只能查看听证" in main_text(page)
    fill_new_hearing(page, "查看员的听证", str(results["uscc"].iloc[0]))
    refusal = page.locator('[data-testid="stAlert"]').filter(has_text="出错了:无权操作")
    refusal.first.wait_for(timeout=WAIT)
    assert "查看员" in refusal.first.inner_text() or "viewer" in refusal.first.inner_text()
    settle(page)
    assert len(list_hearings(engine, ADMIN)) == before
    denied = audit_log(engine, ADMIN, action="hearing", outcome="denied")
    assert any(e.actor == "vv" and e.target == "hearing:new" for e in denied)
