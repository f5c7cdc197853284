"""The enterprise page shows a record's effect at once: grade, the record with its document and window,
and where each fact came from (AppTest on a store of its own, since records change it)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.loaders import RUNS_TTL
from dashboard.text import plain
from lrc.samples import DEMO_PERIODS
from lrc.service import ranking
from lrc.service.records import add_record
from lrc.store import make_engine
from tests.conftest import ADMIN, demo_store
from tests.test_dashboard_app import APP_PATH, TIMEOUT, metric, open_enterprise

LATEST = DEMO_PERIODS[-1]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = demo_store(tmp_path, n=60)
    monkeypatch.setenv("LRC_DATABASE_URL", url)
    return url


def test_a_new_record_shows_on_the_enterprise_page(store: str) -> None:
    engine = make_engine(store)
    _, frame = ranking(engine, ADMIN, LATEST)
    top = frame.iloc[0]
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    open_enterprise(at, top["uscc"])
    assert metric(at, "等级").startswith(top["grade"]) and top["grade"] != "D"
    values = {
        "uscc": top["uscc"], "type": "FATAL_ACCIDENT_RESPONSIBLE", "date": date(2026, 9, 2).isoformat(),
        "source": "大连市应急管理局", "ref": "大应急罚〔2026〕5号", "severity": "严重",
    }  # fmt: skip
    record = add_record(engine, ADMIN, values).id
    time.sleep(RUNS_TTL + 0.5)  # the dashboard notices a rescoring within RUNS_TTL seconds
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "等级") == "D 不和谐"
    assert any(f"由记录 #{record} 引起" in str(c.value) for c in at.caption)
    shown = "\n".join(t.value.to_csv() for t in at.table)  # st.table cells hold their Markdown-escaped text
    for text in ("大应急罚〔2026〕5号", "2029-09-02", "大连市应急管理局", "企业自报"):
        assert plain(text) in shown, text
