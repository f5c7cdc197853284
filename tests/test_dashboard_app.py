"""Every dashboard page through Streamlit's AppTest, on a scored sample store.

The store (200 enterprises, two periods, made by `lrc demo`'s code) is built once
per session; the app finds it through LRC_DATABASE_URL, read at run time."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import APP_DIR, APP_PATH
from indicators import load_catalogue
from lrc.labels import COLUMN_LABELS
from lrc.reference import CITIES
from lrc.samples import DEMO_PERIODS, generate, write_sample
from lrc.service import Filters, explain, ingest_file, load_results, ranking, score_period
from lrc.service import analytics as an
from lrc.service.access import single_user
from lrc.service.watchlists import unwatch, watched
from lrc.store import make_engine, upgrade
from tests.conftest import ADMIN, demo_store

LATEST, EARLIER = DEMO_PERIODS[-1], DEMO_PERIODS[0]
TIMEOUT = 60


@pytest.fixture(scope="session")
def sample_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_store(tmp_path_factory.mktemp("dashboard-store"))


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


def figures(at: AppTest) -> list[dict]:
    """The plotly figures of the page, as the JSON the browser receives."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def open_enterprise(at: AppTest, uscc: str) -> AppTest:
    open_page(at, "enterprise")
    at.text_input(key="ent_query").input(uscc).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---- every page ------------------------------------------------------------------------


def test_no_material_icons_that_would_be_fetched_from_google() -> None:
    """`:material/…:` icons make the browser fetch the page icon (favicon) from
    fonts.gstatic.com, which fails offline: the dashboard uses none."""
    used = [
        f"{path.relative_to(APP_DIR)}:{k}"
        for path in sorted(APP_DIR.rglob("*.py"))
        for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ":material/" in line
    ]
    assert not used, used


@pytest.mark.parametrize("page", ["overview", "rankings", "enterprise", "monitoring", "hearings", "methodology"])
def test_no_page_sends_a_material_icon(app: AppTest, page: str) -> None:
    at = open_page(app, page)
    protos = [str(node.proto) for node in _walk(at._tree) if getattr(node, "proto", None) is not None]
    assert protos and not [p for p in protos if ":material/" in p]


def _walk(node: object) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


# ---- overview ----------------------------------------------------------------------


def test_overview_counts_match_the_stored_results(app: AppTest, sample_url: str) -> None:
    at = open_page(app, "overview")
    _, frame = load_results(make_engine(sample_url), ADMIN, LATEST)
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


@pytest.fixture(scope="session")
def one_city_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A scored store whose enterprises are all in one city (Dalian)."""
    directory = tmp_path_factory.mktemp("one-city-store")
    url = f"sqlite:///{directory / 'lrc.db'}"
    engine = make_engine(url)
    upgrade(engine)
    sample = generate(80, seed=11, period=LATEST)
    sample = sample[sample["region_code"].astype(str).str.startswith("2102")]
    assert len(sample) >= 2
    write_sample(sample, directory / "dalian.csv")
    ingest_file(engine, ADMIN, directory / "dalian.csv", LATEST)
    score_period(engine, ADMIN, LATEST)
    engine.dispose()
    return url


def test_the_map_draws_all_14_cities_when_only_one_has_data(one_city_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LRC_DATABASE_URL", one_city_url)
    at = open_page(AppTest.from_file(APP_PATH, default_timeout=TIMEOUT), "overview")
    fig = next(f for f in figures(at) if f["data"] and f["data"][0]["type"] == "choropleth")
    drawn = [code for trace in fig["data"] for code in trace["locations"]]
    assert sorted(drawn) == sorted(CITIES)
    grey, data = fig["data"]
    assert data["locations"] == ["210200"]
    assert len(grey["locations"]) == 13 and "210200" not in grey["locations"]
    assert "无数据" in grey["hovertemplate"] and not grey["showscale"]
    assert {c for _, c in grey["colorscale"]} == {"#d9d9d9"}


def test_overview_follows_the_period_picked_in_the_sidebar(app: AppTest, sample_url: str) -> None:
    at = open_page(app, "overview")
    at.sidebar.selectbox(key="period").select(EARLIER).run()
    _, frame = load_results(make_engine(sample_url), ADMIN, EARLIER)
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
    _, expected = ranking(make_engine(sample_url), ADMIN, LATEST)
    table = shown_ranking(at)
    assert len(table) == 50
    assert table[COLUMN_LABELS["uscc"]].tolist() == expected["uscc"].head(50).tolist()
    assert table[COLUMN_LABELS["total"]].iloc[0] == expected["total"].iloc[0]
    assert f"共 {len(expected):,} 家企业" in texts(at.caption)


def test_ranking_filters_match_the_service(app: AppTest, sample_url: str) -> None:
    at = open_page(app, "rankings")
    at.selectbox(key="rank_city").select("210200").run()
    at.selectbox(key="rank_size").select("小型").run()
    _, expected = ranking(make_engine(sample_url), ADMIN, LATEST, Filters(region="210200", size="小型"))
    table = shown_ranking(at)
    assert table[COLUMN_LABELS["uscc"]].tolist() == expected["uscc"].head(50).tolist()
    assert table[COLUMN_LABELS["rank"]].tolist() == expected["rank"].head(50).tolist()
    assert set(table[COLUMN_LABELS["city"]]) == {"大连市"}


def test_ranking_search_sort_and_pages(app: AppTest, sample_url: str) -> None:
    at = open_page(app, "rankings")
    _, everyone = ranking(make_engine(sample_url), ADMIN, LATEST)
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
    from lrc.export import csv_bytes, xlsx_bytes

    _, frame = ranking(make_engine(sample_url), ADMIN, LATEST, Filters(industry="C"))
    shown = frame[["rank", "uscc", "name", "total"]].rename(columns=COLUMN_LABELS)
    data = csv_bytes(shown)
    assert data.startswith("\ufeff".encode())
    assert pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"统一社会信用代码": str}).equals(shown)
    back = pd.read_excel(io.BytesIO(xlsx_bytes(shown)), dtype={"统一社会信用代码": str}, engine="openpyxl")
    assert back["统一社会信用代码"].tolist() == shown["统一社会信用代码"].tolist()


# ---- enterprise ----------------------------------------------------------------------


def test_enterprise_page_total_matches_explain(app: AppTest, sample_url: str) -> None:
    engine = make_engine(sample_url)
    _, frame = ranking(engine, ADMIN, LATEST)
    target = frame.iloc[len(frame) // 2]
    at = open_page(app, "enterprise")
    at.text_input(key="ent_query").input(target["uscc"]).run()
    expected = explain(engine, ADMIN, target["uscc"], LATEST)
    assert metric(at, "总分") == f"{float(expected.total):.1f}"
    assert metric(at, "等级") == f"{expected.grade} {expected.grade_label}"
    assert metric(at, "全省排名") == f"{int(target['province_rank']):,} / {len(frame):,}"
    assert len(at.get("plotly_chart")) == 3  # sunburst, radar, trend
    lost = [i for i in expected.items if (i["kind"] == "deduct" and i["points"]) or i["points"] < i["max_points"]]
    tables = [t.value for t in at.table]
    assert tables and len(tables[0]) == len(lost)


def test_partly_earned_add_items_are_not_called_unearned(app: AppTest, sample_url: str) -> None:
    engine = make_engine(sample_url)
    _, frame = ranking(engine, ADMIN, LATEST)
    for uscc in frame["uscc"]:
        expected = explain(engine, ADMIN, uscc, LATEST)
        adds = [i for i in expected.items if i["kind"] == "add" and i["points"] < i["max_points"]]
        if any(i["points"] > 0 for i in adds) and any(i["points"] == 0 for i in adds):
            break
    else:
        pytest.fail("no enterprise with both partly earned and unearned add items")
    at = open_enterprise(app, uscc)
    table = at.table[0].value.set_index("编码")
    for item in adds:
        want = "加分项未得满分" if item["points"] > 0 else "加分项未得分"
        assert table.at[item["code"], "类型"] == want, item
    deducted = [i["code"] for i in expected.items if i["kind"] == "deduct" and i["points"]]
    assert (table.loc[deducted, "类型"] == "扣分项").all()


def test_the_red_line_banner_names_each_item(app: AppTest, sample_url: str) -> None:
    engine = make_engine(sample_url)
    _, frame = ranking(engine, ADMIN, LATEST)
    uscc = frame.loc[frame["red_line"], "uscc"].iloc[0]
    expected = explain(engine, ADMIN, uscc, LATEST)
    names = {i["code"]: i["name_zh"] for i in expected.items}
    at = open_enterprise(app, uscc)
    banner = texts(at.error)
    assert expected.red_line_items
    for code in expected.red_line_items:
        assert f"{code} {names[code]}" in banner


def test_ranks_show_a_share_only_among_peers(app: AppTest, sample_url: str) -> None:
    _, frame = ranking(make_engine(sample_url), ADMIN, LATEST)
    ranks = an.peer_ranks(frame)
    alone = ranks.index[ranks["industry_n"] == 1]
    assert len(alone), "the sample store has no industry with a single enterprise"
    at = open_enterprise(app, alone[0])
    industry = next(m for m in at.metric if m.label == "行业排名")
    assert industry.value == "1 / 1"
    assert industry.delta == "仅 1 家"
    at = open_enterprise(app, frame["uscc"].iloc[0])
    province = next(m for m in at.metric if m.label == "全省排名")
    assert province.delta == f"前 {1 / len(frame):.1%}"
    assert not [m.delta for m in at.metric if m.delta and m.delta.startswith("前 100")]


def test_the_radar_plots_each_first_level_score_as_a_share_of_its_maximum(app: AppTest, sample_url: str) -> None:
    engine = make_engine(sample_url)
    _, frame = ranking(engine, ADMIN, LATEST)
    uscc = frame["uscc"].iloc[len(frame) // 3]
    expected = explain(engine, ADMIN, uscc, LATEST)
    maxima: dict[str, float] = {}
    for item in an.run_catalogue(engine, expected.run.run_id).items:
        if item.kind == "add":
            maxima[item.code[0]] = maxima.get(item.code[0], 0.0) + float(item.points)
    at = open_enterprise(app, uscc)
    radar = next(f for f in figures(at) if f["data"] and f["data"][0]["type"] == "scatterpolar")
    assert "一级指标得分率" in radar["layout"]["title"]["text"]
    mine, median = radar["data"]
    assert median["name"] == "行业中位数"
    want = [max(0.0, 100 * n["points"] / maxima[n["code"]]) for n in expected.levels["level1"]]
    assert mine["r"][:-1] == pytest.approx(want)
    for trace in (mine, median):
        assert all(0 <= r <= 100 for r in trace["r"])
    for node, text in zip(expected.levels["level1"], mine["text"], strict=False):
        assert f"得分 {node['points']:g} / 加分满分 {maxima[node['code']]:g}" in text
    assert radar["layout"]["polar"]["radialaxis"]["range"] == [0, 100]


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
    _, now = load_results(engine, ADMIN, LATEST)
    _, before = load_results(engine, ADMIN, EARLIER)
    both = now.merge(before, on="uscc", suffixes=("", "_prev"))
    order = {g: k for k, g in enumerate(sorted(set(now["grade"]) | set(before["grade"])))}
    fell = int((both["grade"].map(order) > both["grade_prev"].map(order)).sum())
    new_red = int((both["red_line"] & ~both["red_line_prev"]).sum())
    at = open_page(app, "monitoring")
    assert metric(at, "等级下降") == f"{fell:,}"
    assert metric(at, "新触红线") == f"{new_red:,}"


def test_monitoring_trains_the_risk_model_and_lists_the_highest_risks(app: AppTest, sample_url: str) -> None:
    from lrc.service import risk

    engine = make_engine(sample_url)
    at = open_page(app, "monitoring")
    if risk.model_id_for(engine, ADMIN, LATEST) is None:
        at.button(key="risk_train").click().run()
        assert not at.exception, [e.value for e in at.exception]
    assert risk.model_id_for(engine, ADMIN, LATEST) is not None
    forecast = risk.forecast(engine, ADMIN, LATEST, limit=20)
    shown = next(d.value for d in at.dataframe if "下期降级风险 %" in d.value.columns)
    assert shown[COLUMN_LABELS["uscc"]].tolist() == [i.uscc for i in forecast.items]
    assert shown["下期降级风险 %"].tolist() == [round(100 * i.risk, 1) for i in forecast.items]
    top = forecast.items[0]
    assert shown["主要原因"].iloc[0] == ";".join(r.text_zh for r in top.reasons)
    page = open_enterprise(AppTest.from_file(APP_PATH, default_timeout=TIMEOUT), top.uscc)
    chart = next(f for f in figures(page) if "降级风险" in json.dumps(f, ensure_ascii=False))
    assert chart["data"][0]["text"] == [f"{100 * top.risk:.1f}%"]  # the one period with a model


def test_watchlist_add_and_remove(app: AppTest, sample_url: str) -> None:
    _, frame = ranking(make_engine(sample_url), ADMIN, LATEST)
    code = frame["uscc"].iloc[3]
    at = open_page(app, "monitoring")
    at.text_input(key="watch_query").input(code)
    at.get("form_submit_button")[0].click().run()
    assert code in watched(make_engine(sample_url), single_user())  # kept in the store, not the session
    assert code in at.dataframe[-1].value[COLUMN_LABELS["uscc"]].tolist()
    at.multiselect(key="watch_remove").select(code)
    at.button(key="watch_remove_button").click().run()
    assert code not in watched(make_engine(sample_url), single_user())


def test_enterprise_page_adds_to_the_watchlist(app: AppTest, sample_url: str) -> None:
    engine = make_engine(sample_url)
    before = set(watched(engine, single_user()))
    at = open_page(app, "enterprise")
    at.button[0].click().run()
    added = set(watched(engine, single_user())) - before
    assert len(added) == 1
    unwatch(engine, single_user(), added.pop())


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
    assert "红线一票否决" in texts(at.markdown)
    frames = [d.value for d in at.dataframe]
    types = next(f for f in frames if "记录类型" in f.columns)
    assert len(types) == len(load_catalogue().record_types) and types["红线"].sum() == 6
    diff = next(f for f in frames if "变化" in f.columns)
    assert {"新增", "删除", "修改"} <= set(diff["变化"])  # 2026.1 → 2027.1 by default


def test_methodology_explains_an_edition_without_records(app: AppTest) -> None:
    at = open_page(app, "methodology")
    at.selectbox(key="method_version").set_value("2026.1").run()
    assert "不计记录" in texts(at.info)


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
    ingest_file(make_engine(empty_url), ADMIN, path, LATEST)
    monkeypatch.setenv("LRC_DATABASE_URL", empty_url)
    at = open_page(AppTest.from_file(APP_PATH, default_timeout=TIMEOUT), "rankings")
    assert f"lrc score --period {LATEST}" in texts(at.warning)


SCORERS = {"viewer": False, "enterprise": False, "city-analyst": False, "analyst": True}  # may score a period


def store_with_accounts(url: str, directory: Path, ingested: bool) -> None:
    """Accounts of every kind in SCORERS (and an admin) on the empty store at ``url``; with ``ingested``,
    a period's data, not scored."""
    from lrc.service import accounts

    sample = generate(20, seed=5, period=LATEST)
    engine = make_engine(url)
    upgrade(engine)
    made = [("boss", "admin", None, None), ("viewer", "viewer", None, None),
            ("enterprise", "enterprise", None, sample["uscc"].iloc[0]),
            ("city-analyst", "analyst", "210200", None), ("analyst", "analyst", None, None)]  # fmt: skip
    for user, role, region, uscc in made:
        accounts.add_user(engine, ADMIN, user, role, "a-long-password", region=region, uscc=uscc)
    if ingested:
        write_sample(sample, directory / "facts.csv")
        ingest_file(engine, ADMIN, directory / "facts.csv", LATEST)
    engine.dispose()


def overview_as(url: str, name: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The overview page as ``name``, signed in through the form."""
    monkeypatch.setenv("LRC_DATABASE_URL", url)
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    at.run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input("a-long-password")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("name", SCORERS)
def test_the_empty_and_unscored_messages_give_the_command_only_to_who_may_score(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A viewer, an enterprise or a city analyst may not score (a province-wide act): told who does it, not
    `lrc score`; a province-wide analyst is given the command."""
    empty, unscored = f"sqlite:///{tmp_path / 'empty.db'}", f"sqlite:///{tmp_path / 'unscored.db'}"
    store_with_accounts(empty, tmp_path, ingested=False)
    store_with_accounts(unscored, tmp_path, ingested=True)
    said = [texts(overview_as(empty, name, monkeypatch).info), texts(overview_as(unscored, name, monkeypatch).warning)]
    for text in said:
        assert "还没有评分结果" in text
        assert ("lrc score" in text) is SCORERS[name] and ("全省范围的分析人员" in text) is not SCORERS[name], text


@pytest.fixture(scope="session")
def thin_data_url(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A store with one enterprise whose total reaches A but whose report leaves too many
    facts blank for A (93% of items reported; A needs 95%)."""
    directory = tmp_path_factory.mktemp("thin-data-store")
    url = f"sqlite:///{directory / 'lrc.db'}"
    engine = make_engine(url)
    upgrade(engine)
    sample = generate(2000, seed=2014, period=LATEST)
    uscc = "912101142761556363"
    write_sample(sample[sample["uscc"] == uscc], directory / "one.csv")
    ingest_file(engine, ADMIN, directory / "one.csv", LATEST)
    score_period(engine, ADMIN, LATEST)
    engine.dispose()
    return url, uscc


def test_a_grade_held_down_by_missing_data_is_explained(
    thin_data_url: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, uscc = thin_data_url
    expl = explain(make_engine(url), ADMIN, uscc, LATEST)
    assert expl.total >= 85 and expl.grade == "B" and "95%" in expl.grade_note
    monkeypatch.setenv("LRC_DATABASE_URL", url)
    at = open_enterprise(AppTest.from_file(APP_PATH, default_timeout=TIMEOUT), uscc)
    assert expl.grade_note in texts(at.warning)
