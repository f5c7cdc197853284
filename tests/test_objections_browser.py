"""Objections in a real browser (`lrc dashboard` on a store with accounts, Debian's Chromium): an enterprise
user files an objection with evidence and never sees another enterprise's case; an analyst downloads the
evidence and overturns the objection, and the new result replaces the old one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from lrc.service import accounts, explain
from lrc.service.objections import file_objection, list_objections
from lrc.store import make_engine
from tests.conftest import ADMIN
from tests.test_access_browser import main_text, settle, sign_in
from tests.test_objections_dashboard import LATEST, PASSWORDS, PENALTY_ITEM, UNION_ITEM, cases_store

pytestmark = pytest.mark.browser
WAIT = 60_000  # milliseconds: the machine is slow


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    return cases_store(tmp_path_factory.mktemp("objections-browser"))


@pytest.fixture(scope="module")
def store_url(store: tuple[str, str, str]) -> str:
    return store[0]


def enter(page: Any, base_url: str, name: str) -> None:
    sign_in(page, base_url, name, PASSWORDS[name], path="objections")
    page.get_by_role("heading", name="异议与信用修复", exact=True).first.wait_for(timeout=WAIT)
    page.get_by_role("heading", name="办理队列").first.wait_for(timeout=WAIT)
    settle(page)


def test_an_enterprise_files_an_objection_and_an_analyst_overturns_it(
    page: Any, base_url: str, store: tuple[str, str, str], tmp_path: Path
) -> None:
    url, a, b = store
    engine = make_engine(url)
    theirs = file_objection(engine, accounts.acting(engine, "qb"), b, LATEST, PENALTY_ITEM, "乙企业的异议理由")
    before = explain(engine, ADMIN, a, LATEST, current=True)
    # the enterprise A: its queue is empty (B's case is not shown), it files with evidence
    enter(page, base_url, "qa")
    page.get_by_text("没有符合条件的异议或信用修复申请").first.wait_for(timeout=WAIT)
    text = main_text(page)
    assert "没有符合条件的异议或信用修复申请" in text and b not in text and "乙企业的异议理由" not in text
    assert not page.get_by_role("button", name="检查逾期并预警").count()
    item = page.get_by_label("有异议的指标条目")
    item.click()
    item.fill(UNION_ITEM)
    item.press("Enter")
    page.get_by_label("异议理由").fill("该投诉经查不属实,附工会复核记录")
    evidence = tmp_path / "复核记录.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% the union's review, from the browser\n")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(evidence))
    page.get_by_text("复核记录.pdf").first.wait_for(timeout=WAIT)
    page.get_by_role("button", name="提出异议").click()
    page.get_by_text(re.compile(r"^已提出异议 \d+")).first.wait_for(timeout=WAIT)
    settle(page)
    (mine,) = list_objections(engine, ADMIN, uscc=a)
    assert (mine.filed_by, mine.item, mine.status) == ("qa", UNION_ITEM, "filed")
    assert mine.evidence is not None and mine.evidence.name == "复核记录.pdf"
    assert b not in main_text(page) and theirs.id != mine.id
    # the analyst: the open case is shown first, its evidence comes back as filed, the overturn rescoring A
    enter(page, base_url, "an")
    page.get_by_role("heading", name=re.compile(f"^异议 {mine.id}:{a}")).first.wait_for(timeout=WAIT)
    button = page.get_by_role("button", name=re.compile("^下载证明材料"))
    with page.expect_download(timeout=WAIT) as info:
        button.click()
    got = tmp_path / "got.pdf"
    info.value.save_as(got)
    assert got.read_bytes() == evidence.read_bytes() and info.value.suggested_filename == "复核记录.pdf"
    page.get_by_text("异议成立:撤销工会认定的记录").click()
    page.get_by_label("决定说明(记入办理过程和审计日志)").fill("经复核,投诉所涉事项不属实,撤销该记录")
    page.get_by_role("button", name="作出决定").click()
    page.get_by_text(f"异议 {mine.id}:异议成立,结果已更正").first.wait_for(timeout=WAIT)
    settle(page)
    (decided,) = list_objections(engine, ADMIN, uscc=a)
    assert decided.status == "overturned" and decided.decided_by == "an" and decided.result_run_id
    after = explain(engine, ADMIN, a, LATEST, current=True)
    assert after.result_run_id == decided.result_run_id and after.total != before.total
    assert f"{float(after.total):.1f} {after.grade}" in main_text(page)  # the new result, before → after
