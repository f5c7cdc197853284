"""Dashboard hardening: runs that share no enterprise, errors as messages with an id
(tracebacks only in the log), data values shown as plain text, and the port probe.

Pages run through Streamlit's AppTest, as in test_dashboard_app.py."""

from __future__ import annotations

import html
import re
import socket
import time
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from sqlalchemy import insert
from streamlit.config import ShowErrorDetailsConfigOptions
from streamlit.testing.v1 import AppTest

from dashboard import APP_PATH, profile
from dashboard.text import JOINER, plain
from lrc.dashboard_server import command, port_free
from lrc.labels import COLUMN_LABELS
from lrc.samples import generate, write_sample
from lrc.service import analytics as an
from lrc.service import explain, ingest_file, load_results, score_period
from lrc.service.access import single_user
from lrc.service.watchlists import watched
from lrc.store import make_engine, upgrade
from lrc.store.repository import now
from lrc.store.tables import Watch
from tests.conftest import ADMIN

EARLIER, LATEST = "2026Q2", "2026Q3"
TIMEOUT = 60
NASTY = (
    "![](http://example.invalid/p.png)",
    "**粗体**",
    "[链接](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "$x^2$",
    ":smile:",
    "[/]",
)


def build_store(directory: Path, seeds: dict[str, int], names: tuple[str, ...] = ()) -> str:
    """A scored SQLite store: 30 sample enterprises per period (``seeds``: period → seed;
    the same seed gives the same enterprises), the first ones renamed to ``names``."""
    url = f"sqlite:///{directory / 'lrc.db'}"
    engine = make_engine(url)
    upgrade(engine)
    for period, seed in seeds.items():
        sample = generate(30, seed=seed, period=period)
        sample.loc[sample.index[: len(names)], "name"] = list(names)
        write_sample(sample, directory / f"{period}.csv")
        ingest_file(engine, ADMIN, directory / f"{period}.csv", period)
        score_period(engine, ADMIN, period)
    engine.dispose()
    return url


def open_page(url: str, page: str, monkeypatch: pytest.MonkeyPatch, *, check: bool = True) -> AppTest:
    monkeypatch.setenv("LRC_DATABASE_URL", url)
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements: object) -> str:
    return "\n".join(str(e.value) for e in elements)  # type: ignore[attr-defined]


def markdown_texts(at: AppTest) -> list[str]:
    """Everything Streamlit renders as Markdown, as the app sent it."""
    bodies = [
        str(e.value)
        for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
        for e in at.get(kind)
    ]
    bodies += [m.label for m in at.metric] + [str(m.value) for m in at.metric]
    bodies += [t.label for t in at.tabs] + [x.label for x in at.expander]
    return bodies


# ---- 1. two runs that share no enterprise ---------------------------------------------


@pytest.fixture(scope="module")
def disjoint_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_store(tmp_path_factory.mktemp("disjoint-store"), {EARLIER: 1, LATEST: 2})


def test_compare_runs_of_runs_without_a_common_enterprise(disjoint_url: str) -> None:
    engine = make_engine(disjoint_url)
    _, now = load_results(engine, ADMIN, LATEST)
    _, before = load_results(engine, ADMIN, EARLIER)
    assert not set(now["uscc"]) & set(before["uscc"])
    both = an.compare_runs(now, before, ["A", "B", "C", "D"])
    assert both.empty
    assert {"delta", "grade_steps", "new_red_line", "total_prev", "grade_prev"} <= set(both.columns)
    assert pd.api.types.is_float_dtype(both["delta"])
    assert pd.api.types.is_integer_dtype(both["grade_steps"])
    assert pd.api.types.is_bool_dtype(both["new_red_line"])


def test_compare_runs_of_empty_string_typed_frames() -> None:
    """pandas 3 keeps an empty join's grades as strings through ``map``."""
    empty = pd.DataFrame({c: pd.Series([], dtype="str") for c in an.COMPARE_KEEP})
    empty = empty.astype({"total": "float64", "red_line": "bool"})
    both = an.compare_runs(empty, empty, ["A", "B"])
    assert both.empty and both["grade_steps"].dtype.kind == "i"


@pytest.mark.parametrize("page", ["overview", "monitoring"])
def test_pages_render_when_the_periods_share_no_enterprise(
    disjoint_url: str, page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(disjoint_url, page, monkeypatch)
    assert "没有共同参评的企业" in texts(at.info)
    assert not at.error
    assert "nan" not in " ".join(m.value for m in at.metric)


# ---- 2. unexpected errors: a message with an id, the traceback in the log -----------------

SECRET = "/srv/secret/lrc/module.py"
BROKEN = {  # page: the loader it calls directly
    "overview": "headline",
    "rankings": "ranking_page",
    "enterprise": "ranking_page",
    "monitoring": "changes",  # inside the auto-refreshing fragment
    "methodology": "shipped_catalogues",
}


def _all_text(at: AppTest) -> str:
    """The text of every element the page sent (protobuf text form)."""
    out, stack = [], [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        stack.extend(getattr(node, "children", {}).values())
    return "\n".join(out)


@pytest.mark.parametrize("page", list(BROKEN))
def test_an_unexpected_error_is_a_message_with_an_id_and_a_logged_traceback(
    disjoint_url: str, page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"boom in {SECRET}")

    monkeypatch.setenv("LRC_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(f"dashboard.loaders.{BROKEN[page]}", broken)
    at = open_page(disjoint_url, page, monkeypatch)
    message = texts(at.error)
    found = re.search(r"错误编号 ([0-9a-f]{8})", message)
    assert found, message
    shown = _all_text(at)
    assert "Traceback" not in shown and SECRET not in shown and "boom" not in shown
    assert not re.search(r"File \"|\.py\b", shown)
    log = (tmp_path / "lrc.log").read_text(encoding="utf-8")
    entry = log[log.index(f"[{found.group(1)}]") :]
    assert "Traceback (most recent call last)" in entry
    assert f"RuntimeError: boom in {SECRET}" in entry


def test_the_server_never_shows_error_details() -> None:
    args = command(8501, headless=True)
    value = args[args.index("--client.showErrorDetails") + 1]
    assert value == ShowErrorDetailsConfigOptions.NONE


# ---- 3. data values as plain text ---------------------------------------------------------

MORE = ("http://x.invalid/a", "www.example.com", "a@b.com", ":streamlit:", "a -> b", "A&amp;B", "x\\y", "# h", "1. x")


def rendered(markdown: str) -> str:
    """CommonMark (plus GFM tables and strikethrough) as HTML, the word joiners removed."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    return md.render(markdown).replace(JOINER, "")


def paragraph(text: str) -> str:
    """``text`` as the one paragraph of plain text that CommonMark makes of it."""
    return f"<p>{html.escape(text, quote=False)}</p>\n"


@pytest.mark.parametrize("value", [*NASTY, *MORE])
def test_plain_renders_as_exactly_the_text(value: str) -> None:
    assert rendered(plain(value)) == paragraph(value)


@pytest.mark.parametrize("value", [*NASTY, *MORE])
def test_plain_leaves_nothing_that_streamlit_rewrites_after_parsing(value: str) -> None:
    """Emoji and logo shortcodes, Material icons, autolinks and arrows are replaced in the
    parsed text, where escapes no longer count: a word joiner breaks each of them."""
    text = re.sub(r"\\(.)", r"\1", plain(value))
    for pattern in (
        r":[\w+-]+:",
        r":material/",
        r"https?://",
        r"(?i)www\.",
        r"\w@\w",
        r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)",
    ):
        assert not re.search(pattern, text), (value, pattern)
    assert text.replace(JOINER, "") == value


def test_plain_keeps_ordinary_text_and_makes_one_line() -> None:
    assert plain("沈阳市某某有限公司") == "沈阳市某某有限公司"
    assert plain("2026Q3") == "2026Q3"
    assert plain("a\nb\r\nc") == "a b c"
    assert plain(None) == ""


@pytest.fixture(scope="module")
def nasty_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Two periods of the same enterprises, seven of them with names that are Markdown."""
    return build_store(tmp_path_factory.mktemp("nasty-store"), {EARLIER: 7, LATEST: 7}, NASTY)


@pytest.fixture(scope="module")
def nasty_codes(nasty_url: str) -> dict[str, str]:
    _, frame = load_results(make_engine(nasty_url), ADMIN, LATEST)
    codes = dict(zip(frame["name"], frame["uscc"], strict=True))
    assert set(NASTY) <= set(codes)
    return {name: codes[name] for name in NASTY}


def assert_never_raw(at: AppTest, value: str) -> None:
    """``value`` appears in no Markdown element except escaped by ``plain``."""
    for body in markdown_texts(at):
        assert value not in body.replace(plain(value), ""), (value, body)


@pytest.mark.parametrize("name", NASTY)
def test_the_enterprise_page_shows_a_markdown_name_literally(
    name: str, nasty_url: str, nasty_codes: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(nasty_url, "enterprise", monkeypatch)
    at.text_input(key="ent_query").input(nasty_codes[name]).run()
    assert not at.exception
    assert at.subheader[0].value == plain(name)
    assert rendered(at.subheader[0].value) == paragraph(name)
    assert_never_raw(at, name)


def test_the_enterprise_search_echoes_what_was_typed_as_text(nasty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(nasty_url, "enterprise", monkeypatch)
    typed = "![](http://example.invalid/q.png) 不存在"
    at.text_input(key="ent_query").input(typed).run()
    assert plain(typed) in texts(at.warning)
    assert_never_raw(at, typed)


def test_enterprise_table_texts_are_plain(
    nasty_url: str, nasty_codes: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``st.table`` renders Markdown in its cells: the reasons go through ``plain``."""
    uscc = nasty_codes[NASTY[0]]
    at = open_page(nasty_url, "enterprise", monkeypatch)
    at.text_input(key="ent_query").input(uscc).run()
    lost = profile.lost_points(explain(make_engine(nasty_url), ADMIN, uscc, LATEST))
    table = at.table[0].value
    assert table["原因"].tolist() == [plain(r) for r in lost["reason"]]
    assert table["编码"].tolist() == lost["code"].tolist()


@pytest.mark.parametrize("name", NASTY)
def test_the_ranking_shows_a_markdown_name_literally(
    name: str, nasty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(nasty_url, "rankings", monkeypatch)
    at.text_input(key="rank_search").input(name).run()
    assert not at.exception
    assert name in at.dataframe[0].value[COLUMN_LABELS["name"]].tolist()
    assert_never_raw(at, name)


def test_monitoring_shows_markdown_names_and_typed_text_literally(
    nasty_url: str, nasty_codes: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(nasty_url, "monitoring", monkeypatch)
    for name in NASTY:
        at.text_input(key="watch_query").input(name)
        at.get("form_submit_button")[0].click().run()
    assert watched(make_engine(nasty_url), single_user()) == list(nasty_codes.values())
    assert set(NASTY) <= set(at.dataframe[-1].value[COLUMN_LABELS["name"]])
    typed = "[链接](javascript:alert(2))"
    at.text_input(key="watch_query").input(typed)
    at.get("form_submit_button")[0].click().run()
    assert plain(typed) in texts(at.warning)
    for value in (*NASTY, typed):
        assert_never_raw(at, value)


def test_monitoring_names_missing_codes_as_text(nasty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LRC_DATABASE_URL", nasty_url)
    gone = [{"user_name": single_user().name, "uscc": c, "added_at": now()} for c in ("[/]", "**x**")]
    with make_engine(nasty_url).begin() as conn:  # watched once, no longer in the run (codes as stored)
        conn.execute(insert(Watch), gone)
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("views/monitoring.py").run()
    assert not at.exception
    assert f"{plain('[/]')}、{plain('**x**')}" in texts(at.caption)


# ---- 4. the port probe ------------------------------------------------------------------


def _listener(host: str = "127.0.0.1") -> socket.socket:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the dashboard's server does
    server.bind((host, 0))
    server.listen()
    return server


def test_a_port_left_in_time_wait_is_free() -> None:
    server = _listener()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server side closes first: its end of the connection waits in TIME_WAIT
    client.recv(1)
    client.close()
    server.close()
    time.sleep(0.05)
    assert port_free(port)


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_a_listening_port_is_busy(host: str) -> None:
    server = _listener(host)
    try:
        assert not port_free(server.getsockname()[1])
    finally:
        server.close()


def test_the_run_caption_gives_beijing_time_from_either_store() -> None:
    """SQLite keeps naive UTC, PostgreSQL an aware time: the caption shows both as Beijing time."""
    from datetime import UTC, datetime

    from dashboard.controls import RunChoice

    for finished in (datetime(2026, 12, 1, 3, 27), datetime(2026, 12, 1, 3, 27, tzinfo=UTC)):
        run = RunChoice("sqlite://", single_user(), 3, "2026Q3", "2027.1", 500, finished, None)
        assert "评分于 2026-12-01 11:27" in run.caption()
