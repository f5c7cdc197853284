"""The aggregates behind the dashboard (lrc.service.analytics) against plain recomputation."""

from __future__ import annotations

import io

import numpy as np
import pytest
from rich.console import Console

from indicators import RULE_TYPES, load_catalogue, parse_catalogue
from lrc.demo import run_demo
from lrc.service import Filters, catalogues, explain, load_results, ranking
from lrc.service import analytics as an
from lrc.store import make_engine
from tests.conftest import ADMIN

LATEST, EARLIER = "2026Q3", "2026Q2"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - sqlalchemy Engine
    directory = tmp_path_factory.mktemp("analytics-store")
    eng = make_engine(f"sqlite:///{directory / 'lrc.db'}")
    run_demo(eng, ADMIN, Console(file=io.StringIO()), n=120, directory=directory / "demo")
    yield eng
    eng.dispose()


def latest_run(engine) -> int:  # noqa: ANN001
    runs = an.runs_table(engine, ADMIN)
    return int(runs.loc[runs["period"] == LATEST, "id"].max())


def test_decode_packed_reads_every_row() -> None:
    rows = ["1,-2,30", "0,0,0", "-50,7,8"]
    assert an.decode_packed(rows).tolist() == [[1, -2, 30], [0, 0, 0], [-50, 7, 8]]
    assert an.decode_packed([]).shape == (0, 0)
    with pytest.raises(ValueError, match="wide"):
        an.decode_packed(["1,2", "3"])


def test_packed_matrix_equals_the_stored_items(engine) -> None:  # noqa: ANN001
    run_id = latest_run(engine)
    usccs, matrix = an.packed_matrix(engine, ADMIN, run_id)
    first = explain(engine, ADMIN, usccs[0], LATEST)
    assert matrix.shape == (120, 75) and matrix.dtype == np.int32
    assert matrix[0].tolist() == [int(round(i["points"] * 10)) for i in first.items]
    level1 = an.packed_matrix(engine, ADMIN, run_id, "level1")[1]
    assert (level1.sum(axis=1) == matrix.sum(axis=1)).all()


def test_item_losses_add_up_to_the_points_missing_from_the_maximum(engine) -> None:  # noqa: ANN001
    run_id = latest_run(engine)
    catalogue = an.run_catalogue(engine, run_id)
    _, matrix = an.packed_matrix(engine, ADMIN, run_id)
    losses = an.item_losses(catalogue, matrix).set_index("code")
    _, frame = load_results(engine, ADMIN, LATEST)
    deductions = -losses.loc[losses["kind"] == "deduct", "lost_total"].sum()
    missed = losses.loc[losses["kind"] == "add", "lost_total"].sum()
    assert frame["total"].sum() == pytest.approx(float(catalogue.max_total) * len(frame) - missed + deductions)
    assert (losses["lost_total"] >= 0).all()
    assert losses["lost_total"].is_monotonic_decreasing


def test_ranked_equals_the_ranking_service(engine) -> None:  # noqa: ANN001
    _, frame = load_results(engine, ADMIN, LATEST)
    for filters in (Filters(), Filters(region="210100"), Filters(industry="C", grade="B"), Filters(search="有限")):
        _, expected = ranking(engine, ADMIN, LATEST, filters)
        got = an.ranked(frame, filters)
        assert got[["rank", "uscc", "total"]].equals(expected[["rank", "uscc", "total"]])


def test_headline_and_groups(engine) -> None:  # noqa: ANN001
    _, frame = load_results(engine, ADMIN, LATEST)
    grades = ["A", "B", "C", "D"]
    head = an.headline(frame, grades)
    assert head["enterprises"] == len(frame) and sum(head["grades"].values()) == len(frame)
    cities = an.group_summary(frame, "city_code", grades)
    assert cities["enterprises"].sum() == len(frame)
    assert (cities[grades].sum(axis=1) == cities["enterprises"]).all()
    shenyang = frame[frame["city_code"] == cities["city_code"].iloc[0]]
    assert cities["mean"].iloc[0] == pytest.approx(shenyang["total"].mean())


def test_peer_ranks_agree_with_filtered_rankings(engine) -> None:  # noqa: ANN001
    _, frame = load_results(engine, ADMIN, LATEST)
    ranks = an.peer_ranks(frame)
    row = frame.iloc[17]
    _, city = ranking(engine, ADMIN, LATEST, Filters(region=row["city_code"]))
    _, industry = ranking(engine, ADMIN, LATEST, Filters(industry=row["industry"]))
    assert ranks.at[row["uscc"], "city_rank"] == city.set_index("uscc").at[row["uscc"], "rank"]
    assert ranks.at[row["uscc"], "industry_n"] == len(industry)


def test_compare_runs_and_baselines(engine) -> None:  # noqa: ANN001
    runs = an.runs_table(engine, ADMIN)
    now_id = latest_run(engine)
    before_id = an.previous_period_run(runs, LATEST)
    assert an.baseline_run(runs, now_id) == before_id
    assert an.previous_period_run(runs, EARLIER) is None
    _, now = load_results(engine, ADMIN, LATEST)
    _, before = load_results(engine, ADMIN, EARLIER)
    both = an.compare_runs(now, before, ["A", "B", "C", "D"]).set_index("uscc")
    code = both.index[0]
    assert both.at[code, "delta"] == pytest.approx(
        now.set_index("uscc").at[code, "total"] - before.set_index("uscc").at[code, "total"]
    )
    assert both["new_red_line"].sum() == (both["red_line"] & ~both["red_line_prev"]).sum()


def test_enterprise_trend_has_one_row_per_period(engine) -> None:  # noqa: ANN001
    _, frame = load_results(engine, ADMIN, LATEST)
    code = frame["uscc"].iloc[0]
    trend = an.enterprise_trend(engine, ADMIN, code)
    assert trend["period"].tolist() == [EARLIER, LATEST]
    assert trend["total"].iloc[-1] == frame["total"].iloc[0]


def test_catalogue_items_and_rules_in_words() -> None:
    catalogue = load_catalogue()
    items = catalogues.catalogue_items(catalogue)
    assert len(items) == 75 and items["code"].is_unique
    assert items["rule"].str.len().gt(0).all()
    assert set(items["rule_type"]) <= set(RULE_TYPES)
    records = items[items["rule_type"] == "records"]
    assert len(records) and records["rule"].str.contains("每条").all() and records["rule"].str.contains("个月").all()


def test_catalogue_diff_names_each_changed_field() -> None:
    old = load_catalogue()
    document = old.model_dump(mode="json")
    document["version"] = "2099.1"
    document["changelog"] = [*document["changelog"], {"version": "2099.1", "date": "2099-01-01",
                                                      "changes_zh": ["测试"]}]  # fmt: skip
    item = document["items"][0]
    item["name_zh"] = item["name_zh"] + "(修订)"
    new = parse_catalogue(document)
    diff = catalogues.catalogue_diff(old, new)
    assert diff[["code", "change", "field"]].values.tolist() == [[item["code"], "修改", "名称"]]
    assert catalogues.catalogue_diff(old, old).empty


def test_top_share_needs_peers_and_never_puts_the_first_at_100_percent() -> None:
    assert an.top_share(1, 1) is None
    assert an.top_share(1, 0) is None
    assert an.top_share(1, 2) == 0.5
    assert an.top_share(1, 200) == pytest.approx(0.005)
    assert an.top_share(200, 200) == 1.0
    for n in range(2, 50):
        assert an.top_share(1, n) < 1.0


def test_level1_maxima_are_the_add_points_under_each_indicator() -> None:
    catalogue = load_catalogue()
    maxima = an.level1_maxima(catalogue)
    assert maxima.index.tolist() == [n.code for n in catalogue.level1]
    expected = {n.code: 0.0 for n in catalogue.level1}
    for item in catalogue.items:
        if item.kind == "add":
            expected[catalogue.ancestry(item)[0]] += float(item.points)
    assert maxima.to_dict() == pytest.approx(expected)
    assert maxima.sum() == pytest.approx(float(catalogue.max_total))
    assert (maxima > 0).all()


def test_level1_rates_are_shares_of_the_maximum_clipped_at_zero() -> None:
    catalogue = load_catalogue()
    maxima = an.level1_maxima(catalogue)
    points = [float(m) / 2 for m in maxima]
    points[0] = float(maxima.iloc[0])  # full marks
    points[1] = -float(maxima.iloc[1])  # deductions twice the points earned
    rates = an.level1_rates(catalogue, points)
    assert rates["code"].tolist() == maxima.index.tolist()
    assert rates["name_zh"].tolist() == [n.name_zh for n in catalogue.level1]
    assert rates["max_points"].tolist() == maxima.tolist()
    assert rates["rate"].tolist() == pytest.approx([100.0, -100.0, *[50.0] * (len(points) - 2)])
    assert rates["shown"].tolist() == pytest.approx([100.0, 0.0, *[50.0] * (len(points) - 2)])
    with pytest.raises(ValueError, match="first-level"):
        an.level1_rates(catalogue, points[:3])


def test_level1_rates_of_stored_results_stay_within_0_and_100(engine) -> None:  # noqa: ANN001
    run_id = latest_run(engine)
    catalogue = an.run_catalogue(engine, run_id)
    _, level1 = an.packed_matrix(engine, ADMIN, run_id, "level1")
    for row in level1[:40]:
        rates = an.level1_rates(catalogue, (row / 10).tolist())
        assert (rates["shown"] >= 0).all() and (rates["shown"] <= 100).all()
        assert (rates["rate"] <= 100).all()
