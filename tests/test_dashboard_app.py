"""Every dashboard page through Streamlit's AppTest, on a scored sample store.

The store (200 enterprises, two periods, made by `lrc demo`'s code) is built once
per session; the app finds it through LRC_DATABASE_URL, read at run time."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from streamlit.testing.v1 import AppTest

from dashboard import APP_PATH
from lrc.demo import run_demo
from lrc.labels import COLUMN_LABELS
from lrc.samples import DEMO_PERIODS, generate, write_sample
from lrc.service import Filters, explain, ingest_file, load_results, ranking
from lrc.store import make_engine, upgrade

LATEST, EARLIER = DEMO_PERIODS[-1], DEMO_PERIODS[0]
TIMEOUT = 60


@pytest.fixture(scope="session")
def sample_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    directory = tmp_path_factory.mktemp("dashboard-store")
    url = f"sqlite:///{directory / 'lrc.db'}"
    engine = make_engine(url)
    run_demo(engine, Console(file=io.StringIO()), n=200, directory=directory / "demo")
    engine.dispose()
    return url


@pytest.fixture
def app(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("LRC_DATABASE_URL", sample_url)
    return AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)


def open_page(at: AppTest, page: str) -> AppTest:
    """Run the app, switch to ``views/<page>.py`` and check it ran cleanly."""
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def texts(elements: object) -> str:
    return "\n".join(str(e.value) for e in elements)  # type: ignore[attr-defined]


# ---- overview ----------------------------------------------------------------------


def test_overview_counts_match_the_stored_results(app: AppTest, sample_url: str) -> None:
    at = open_page(app, "overview")
    _, frame = load_results(make_engine(sample_url), LATEST)
    assert at.title[0].value == "总览"
    assert metric(at, "参评企业") == f"{len(frame):,}"
    assert metric(at, "平均分") == f"{frame['total'].mean():.1f}"
    assert metric(at, "中位数") == f"{frame['total'].median():.1f}"
    assert metric(at, "触及红线企业") == f"{int(frame['red_line'].sum()):,}"
    assert len(at.get("plotly_chart")) >= 4  # map, grades, industries, item losses
    assert not at.error


def test_overview_draws_bars_when_the_city_outlines_are_missing(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dashboard.geo.city_geojson", lambda: None)
    at = open_page(app, "overview")
    assert "无法读取地图边界数据" in texts(at.caption)
    assert len(at.get("plotly_chart")) >= 4


def test_overview_follows_the_period_picked_in_the_sidebar(app: AppTest, sample_url: str) -> None:
    at = open_page(app, "overview")
    at.sidebar.selectbox(key="period").select(EARLIER).run()
    _, frame = load_results(make_engine(sample_url), EARLIER)
    assert EARLIER in texts(at.caption)
    assert metric(at, "参评企业") == f"{len(frame):,}"
    assert "没有上一期间的评分结果" in texts(at.info)


def test_the_language_toggle_switches_to_english(app: AppTest) -> None:
    at = open_page(app, "overview")
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert at.title[0].value == "Overview"
    assert any(m.label == "Enterprises scored" for m in at.metric)


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("rankings", "Rankings"),
        ("enterprise", "Enterprise"),
        ("monitoring", "Monitoring"),
        ("methodology", "Methodology"),
    ],
)
def test_every_page_runs_in_english(app: AppTest, page: str, title: str) -> None:
    app.session_state["lang_en"] = True
    at = open_page(app, page)
    assert at.title[0].value == title
    assert not at.error


# ---- rankings -----------------------------------------------------------------------


def shown_ranking(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def test_ranking_first_row_matches_the_service(app: AppTest, sample_url: str) -> None:
    at = open_page(app, "rankings")
    _, expected = ranking(make_engine(sample_url), LATEST)
    table = shown_ranking(at)
    assert len(table) == 50
    assert table[COLUMN_LABELS["uscc"]].tolist() == expected["uscc"].head(50).tolist()
    assert table[COLUMN_LABELS["total"]].iloc[0] == expected["total"].iloc[0]
    assert f"共 {len(expected):,} 家企业" in texts(at.caption)


def test_ranking_filters_match_the_service(app: AppTest, sample_url: str) -> None:
    at = open_page(app, "rankings")
    at.selectbox(key="rank_city").select("210200").run()
    at.selectbox(key="rank_size").select("小型").run()
    _, expected = ranking(make_engine(sample_url), LATEST, Filters(region="210200", size="小型"))
    table = shown_ranking(at)
    assert table[COLUMN_LABELS["uscc"]].tolist() == expected["uscc"].head(50).tolist()
    assert table[COLUMN_LABELS["rank"]].tolist() == expected["rank"].head(50).tolist()
    assert set(table[COLUMN_LABELS["city"]]) == {"大连市"}


def test_ranking_search_sort_and_pages(app: AppTest, sample_url: str) -> None:
    at = open_page(app, "rankings")
    _, everyone = ranking(make_engine(sample_url), LATEST)
    at.selectbox(key="rank_sort").select("total_asc").run()
    assert shown_ranking(at)[COLUMN_LABELS["uscc"]].iloc[0] == everyone["uscc"].iloc[-1]
    at.selectbox(key="rank_sort").select("total_desc").run()
    at.get("pagination")[0].set_value(2).run()
    assert shown_ranking(at)[COLUMN_LABELS["uscc"]].tolist() == everyone["uscc"].iloc[50:100].tolist()
    target = everyone.iloc[7]
    at.text_input(key="rank_search").input(target["uscc"]).run()
    table = shown_ranking(at)
    assert table[COLUMN_LABELS["uscc"]].tolist() == [target["uscc"]]


def test_ranking_with_no_match_says_so(app: AppTest) -> None:
    at = open_page(app, "rankings")
    at.text_input(key="rank_search").input("不存在的企业名称").run()
    assert "没有符合条件的企业" in texts(at.warning)
    assert not at.dataframe


def test_ranking_exports_are_excel_friendly(sample_url: str) -> None:
    from dashboard.tables import csv_bytes, xlsx_bytes

    _, frame = ranking(make_engine(sample_url), LATEST, Filters(industry="C"))
    shown = frame[["rank", "uscc", "name", "total"]].rename(columns=COLUMN_LABELS)
    data = csv_bytes(shown)
    assert data.startswith("\ufeff".encode())
    assert pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"统一社会信用代码": str}).equals(shown)
    back = pd.read_excel(io.BytesIO(xlsx_bytes(shown)), dtype={"统一社会信用代码": str}, engine="openpyxl")
    assert back["统一社会信用代码"].tolist() == shown["统一社会信用代码"].tolist()


# ---- enterprise ----------------------------------------------------------------------


def test_enterprise_page_total_matches_explain(app: AppTest, sample_url: str) -> None:
    engine = make_engine(sample_url)
    _, frame = ranking(engine, LATEST)
    target = frame.iloc[len(frame) // 2]
    at = open_page(app, "enterprise")
    at.text_input(key="ent_query").input(target["uscc"]).run()
    expected = explain(engine, target["uscc"], LATEST)
    assert metric(at, "总分") == f"{float(expected.total):.1f}"
    assert metric(at, "等级") == f"{expected.grade} {expected.grade_label}"
    assert metric(at, "全省排名") == f"{int(target['province_rank']):,} / {len(frame):,}"
    assert len(at.get("plotly_chart")) == 3  # sunburst, radar, trend
    lost = [i for i in expected.items if (i["kind"] == "deduct" and i["points"]) or i["points"] < i["max_points"]]
    tables = [t.value for t in at.table]
    assert tables and len(tables[0]) == len(lost)


def test_enterprise_search_by_name_offers_matches(app: AppTest) -> None:
    at = open_page(app, "enterprise")
    at.text_input(key="ent_query").input("有限公司").run()
    pick = at.selectbox(key="ent_pick")
    assert len(pick.options) > 1
    assert any(m.label == "总分" for m in at.metric)


def test_unknown_uscc_is_a_clear_warning(app: AppTest) -> None:
    at = open_page(app, "enterprise")
    at.text_input(key="ent_query").input("91210000000000000X").run()
    assert "找不到" in texts(at.warning)
    assert not at.exception and not at.metric


# ---- monitoring -----------------------------------------------------------------------


def test_monitoring_counts_grade_falls_and_new_red_lines(app: AppTest, sample_url: str) -> None:
    engine = make_engine(sample_url)
    _, now = load_results(engine, LATEST)
    _, before = load_results(engine, EARLIER)
    both = now.merge(before, on="uscc", suffixes=("", "_prev"))
    order = {g: k for k, g in enumerate(sorted(set(now["grade"]) | set(before["grade"])))}
    fell = int((both["grade"].map(order) > both["grade_prev"].map(order)).sum())
    new_red = int((both["red_line"] & ~both["red_line_prev"]).sum())
    at = open_page(app, "monitoring")
    assert metric(at, "等级下降") == f"{fell:,}"
    assert metric(at, "新触红线") == f"{new_red:,}"


def test_watchlist_add_and_remove(app: AppTest, sample_url: str) -> None:
    _, frame = ranking(make_engine(sample_url), LATEST)
    code = frame["uscc"].iloc[3]
    at = open_page(app, "monitoring")
    at.text_input(key="watch_query").input(code)
    at.get("form_submit_button")[0].click().run()
    assert at.session_state["watchlist"] == [code]
    assert code in at.dataframe[-1].value[COLUMN_LABELS["uscc"]].tolist()
    at.multiselect(key="watch_remove").select(code)
    at.button(key="watch_remove_button").click().run()
    assert at.session_state["watchlist"] == []


def test_enterprise_page_adds_to_the_watchlist(app: AppTest) -> None:
    at = open_page(app, "enterprise")
    at.button[0].click().run()
    assert len(at.session_state["watchlist"]) == 1


# ---- methodology -----------------------------------------------------------------------


def test_methodology_browses_all_75_items(app: AppTest) -> None:
    at = open_page(app, "methodology")
    level1 = at.get("button_group")[0]
    seen = []
    for code in "ABCDEFGH":
        level1.set_value([code] if isinstance(level1.value, list) else code)
        at.run()
        seen += at.table[0].value["编码"].tolist()
        level1 = at.get("button_group")[0]
    assert len(seen) == len(set(seen)) == 75
    assert "只发布了一个版本" in texts(at.info)
    assert "红线一票否决" in texts(at.markdown)


# ---- messages instead of tracebacks ------------------------------------------------------

PAGES = ("overview", "rankings", "enterprise", "monitoring")


@pytest.fixture
def empty_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(url)
    upgrade(engine)
    yield url
    engine.dispose()


@pytest.mark.parametrize("page", PAGES)
def test_an_empty_store_says_how_to_fill_it(page: str, empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LRC_DATABASE_URL", empty_url)
    at = open_page(AppTest.from_file(APP_PATH, default_timeout=TIMEOUT), page)
    assert "还没有评分结果" in texts(at.info)
    assert not at.error


@pytest.mark.parametrize("page", PAGES)
def test_an_uninitialised_database_is_an_error_message(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "blank.db").touch()
    monkeypatch.setenv("LRC_DATABASE_URL", f"sqlite:///{tmp_path / 'blank.db'}")
    at = open_page(AppTest.from_file(APP_PATH, default_timeout=TIMEOUT), page)
    assert "lrc init" in texts(at.error)


def test_a_missing_database_file_is_an_error_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LRC_DATABASE_URL", f"sqlite:///{tmp_path / 'nowhere.db'}")
    at = open_page(AppTest.from_file(APP_PATH, default_timeout=TIMEOUT), "overview")
    assert "数据库文件不存在" in texts(at.error)
    assert not (tmp_path / "nowhere.db").exists()


def test_a_period_without_a_run_is_a_warning(empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "only-ingested.csv"
    write_sample(generate(20, seed=5, period=LATEST), path)
    ingest_file(make_engine(empty_url), path, LATEST, actor="test")
    monkeypatch.setenv("LRC_DATABASE_URL", empty_url)
    at = open_page(AppTest.from_file(APP_PATH, default_timeout=TIMEOUT), "rankings")
    assert f"lrc score --period {LATEST}" in texts(at.warning)
