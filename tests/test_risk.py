"""The multi-period sample panel and the risk forecast: the generator's dynamics and limits, a forecast that
never reads the future, training and forecasting through the store (both backends), scope, permissions and
the CLI end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from indicators import Catalogue
from lrc.errors import ConflictError, PermissionDenied
from lrc.periods import period_range
from lrc.risk.features import LABEL, NAMES, features_upto, learnable
from lrc.risk.model import fit, top_measures
from lrc.samples import write_sample
from lrc.samples.panel import RECORD_LEAD, episode_shift, generate_panel
from lrc.samples.records import write_records
from lrc.scope import Scope
from lrc.service import risk
from lrc.service.access import Principal, Role, single_user
from lrc.service.ingesting import ingest_file
from lrc.service.records import ingest_records
from lrc.service.runs import score_period
from tests.conftest import StoreBuild
from tests.test_cli import lrc

ADMIN = single_user()
PERIODS = period_range("2025Q1..2026Q2")
TODAY = date(2026, 5, 20)  # inside the last period: its records stop here
N, SEED = 260, 5


@pytest.fixture(scope="module")
def panel(catalogue: Catalogue):  # noqa: ANN201 - a Panel
    return generate_panel(N, seed=SEED, periods=PERIODS, today=TODAY, catalogue=catalogue)


def load_panel(engine: Engine, panel, directory: Path) -> None:  # noqa: ANN001 - a Panel
    for period in PERIODS:
        path = directory / f"enterprises-{period}.csv"
        write_sample(panel.frames[period], path)
        ingest_file(engine, ADMIN, path, period)
    write_records(panel.records, directory / "records.csv")
    ingest_records(engine, ADMIN, directory / "records.csv")
    for period in PERIODS:
        score_period(engine, ADMIN, period)


# ---- the panel --------------------------------------------------------------------------------------


def test_the_panel_has_entries_exits_and_no_record_after_today(panel) -> None:  # noqa: ANN001
    first, last = (set(panel.frames[p]["uscc"]) for p in (PERIODS[0], PERIODS[-1]))
    assert first - last and last - first  # some leave, some enter
    dates = pd.to_datetime(panel.records["date"])
    assert dates.max() <= pd.Timestamp(TODAY)
    assert (dates > pd.Timestamp("2026-04-01")).any()  # the unfinished period has records up to today
    named = set().union(*(set(f["uscc"]) for f in panel.frames.values()))
    assert set(panel.records["uscc"]) <= named  # every record can be stored


def test_the_panel_is_the_same_every_time_and_a_period_does_not_depend_on_the_range(catalogue: Catalogue) -> None:
    one = generate_panel(80, seed=9, periods=period_range("2025Q3..2025Q4"), today=TODAY, catalogue=catalogue)
    again = generate_panel(80, seed=9, periods=period_range("2025Q3..2025Q4"), today=TODAY, catalogue=catalogue)
    longer = generate_panel(80, seed=9, periods=period_range("2025Q2..2026Q1"), today=TODAY, catalogue=catalogue)
    assert one.frames["2025Q4"].equals(again.frames["2025Q4"]) and one.records.equals(again.records)
    assert one.frames["2025Q4"].equals(longer.frames["2025Q4"])


def test_deterioration_shows_in_records_before_it_shows_in_the_facts() -> None:
    records_see = episode_shift(5000, 3, "2025Q3", 0.0)
    facts_see = episode_shift(5000, 3, "2025Q3", RECORD_LEAD)
    assert (records_see <= facts_see).all() and (records_see < facts_see).any()
    later = episode_shift(5000, 3, "2026Q1", RECORD_LEAD)  # two quarters on, the facts catch up
    started = records_see < 0
    assert np.allclose(later[started & (records_see == records_see.min())], records_see.min(), atol=0.8)


def test_the_cli_writes_one_file_per_period_and_the_records(tmp_path: Path) -> None:
    out = tmp_path / "panel"
    lrc(tmp_path, "sample", "--n", "40", "--seed", "2", "--periods", "2025Q3..2026Q1", "--as-of", "2026-02-10",
        "--output", str(out))  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == [
        "enterprises-2025Q3.csv", "enterprises-2025Q4.csv", "enterprises-2026Q1.csv", "records.csv"
    ]  # fmt: skip
    records = pd.read_csv(out / "records.csv", encoding="utf-8-sig", dtype=str)
    assert pd.to_datetime(records["date"]).max() <= pd.Timestamp("2026-02-10")
    bad = lrc(tmp_path, "sample", "--periods", "2026Q1..2025Q1", "--output", str(tmp_path / "x"), ok=False)
    assert bad.returncode == 2 and "起点晚于终点" in bad.stderr and "Traceback" not in bad.stderr
    months = lrc(tmp_path, "sample", "--periods", "2025M01..2025M03", "--output", str(tmp_path / "y"), ok=False)
    assert months.returncode != 0 and "季度" in months.stderr
    for other in (("--records", "r.csv"), ("--period", "2026Q1")):  # a contradiction is refused, not ignored
        both = lrc(tmp_path, "sample", "--periods", "2025Q3..2026Q1", *other, "--output", str(tmp_path / "z"), ok=False)
        assert both.returncode == 2 and other[0] in both.stderr and "--periods" in both.stderr, both.stderr
    assert not (tmp_path / "z").exists() and not (tmp_path / "r.csv").exists()
    # a shorter panel into the same folder would leave 2025Q3's file beside it: refused, the folder unchanged
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    again = lrc(tmp_path, "sample", "--n", "40", "--periods", "2025Q4..2026Q1", "--as-of", "2026-02-10",
                "--output", str(out), ok=False)  # fmt: skip
    assert again.returncode == 2 and "enterprises-2025Q3.csv" in again.stderr, again.stderr
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before


# ---- the forecast never reads the future ------------------------------------------------------------


def _frames(panel, catalogue: Catalogue) -> tuple[pd.DataFrame, pd.DataFrame]:  # noqa: ANN001
    """Results and records as the store would give them, scored in memory from the panel."""
    from lrc.samples.records import stored_form
    from scoring.engine import score
    from scoring.records import live_mask, record_counts

    ids = {u: k for k, u in enumerate(sorted(set().union(*(set(f["uscc"]) for f in panel.frames.values()))))}
    kept = stored_form(panel.records, catalogue).assign(enterprise_id=lambda f: f["uscc"].map(ids))
    kept["decision_date"] = pd.to_datetime(kept["decision_date"]).dt.date
    parts = []
    for period in PERIODS:
        from lrc.periods import period_end

        frame = panel.frames[period].set_index("uscc")
        live = kept[live_mask(catalogue, kept, period_end(period))]
        facts = frame.drop(columns=["name", "region_code", "industry", "size", "ownership"]).astype("float64")
        facts = facts.join(record_counts(catalogue, live, period_end(period), facts.index).astype(np.float64))
        result = score(catalogue, facts)
        parts.append(pd.DataFrame({
            "period": period, "enterprise_id": [ids[u] for u in frame.index], "uscc": frame.index,
            "name": frame["name"].to_numpy(), "region_code": frame["region_code"].to_numpy(),
            "headcount": frame["headcount"].to_numpy(), "total": result.total, "grade": result.grade,
            "red_line": result.red_line,
        }))  # fmt: skip
    return pd.concat(parts, ignore_index=True), kept[["enterprise_id", "type", "decision_date"]]


def _forecast(results: pd.DataFrame, records: pd.DataFrame, catalogue: Catalogue, period: str) -> np.ndarray:
    frame = features_upto(results, records, catalogue, period)
    model = fit(learnable(frame))
    return model.predict(frame[frame["period"] == period])


def test_shuffling_the_future_does_not_change_a_forecast(panel, catalogue: Catalogue) -> None:  # noqa: ANN001
    results, records = _frames(panel, catalogue)
    at = PERIODS[3]
    before = _forecast(results, records, catalogue, at)
    rng = np.random.default_rng(0)
    future = results["period"].isin(PERIODS[4:])
    shuffled = results.copy()
    for column in ("total", "grade", "red_line", "headcount"):
        shuffled.loc[future, column] = rng.permutation(shuffled.loc[future, column].to_numpy())
    late = pd.to_datetime(records["decision_date"]) > pd.Timestamp("2025-12-31")
    moved = records.copy()
    moved.loc[late, "enterprise_id"] = rng.permutation(moved.loc[late, "enterprise_id"].to_numpy())
    moved = pd.concat([moved, moved[late].assign(type="COMPLAINT_VERIFIED_UNION")], ignore_index=True)
    assert np.array_equal(before, _forecast(shuffled, moved, catalogue, at))
    # and the same change in the past does change it: the test can fail
    past = results["period"] == PERIODS[1]
    changed = results.copy()
    changed.loc[past, "total"] = rng.permutation(changed.loc[past, "total"].to_numpy())
    assert not np.array_equal(before, _forecast(changed, records, catalogue, at))


def test_labels_and_features_line_up(panel, catalogue: Catalogue) -> None:  # noqa: ANN001
    results, records = _frames(panel, catalogue)
    frame = features_upto(results, records, catalogue, PERIODS[-1])
    assert frame[frame["period"] == PERIODS[-1]][LABEL].isna().all()  # no next period: no label
    assert set(NAMES) <= set(frame.columns)
    row = frame[(frame["period"] == PERIODS[1]) & frame[LABEL].notna()].iloc[0]
    later = results[(results["period"] == PERIODS[2]) & (results["enterprise_id"] == row["enterprise_id"])]
    order = {g.grade: k for k, g in enumerate(catalogue.grades)}
    assert row[LABEL] == float(order[later["grade"].iloc[0]] > order[row["grade"]])


def test_precision_at_the_top_counts_ties_fairly() -> None:
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0] * 2, dtype=float)
    flat = np.ones(20)
    assert top_measures(y, flat, 0.1) == pytest.approx((0.2, 0.1 * 20 * 0.2 / 4))
    perfect = y.copy()
    assert top_measures(y, perfect, 0.2)[0] == pytest.approx(1.0)


def catalogue_of(engine: Engine) -> Catalogue:
    from indicators import load_catalogue

    return load_catalogue()


# ---- through the store ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_build(panel, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreBuild]:  # noqa: ANN001
    built = StoreBuild(lambda engine, directory: load_panel(engine, panel, directory), tmp_path_factory.mktemp("p"))
    yield built
    built.close()


@pytest.fixture
def panel_store(engine: Engine, store_build: StoreBuild) -> Engine:
    """A copy of a store holding the panel (built once per backend)."""
    return engine


def test_train_forecast_and_history_through_the_store(panel_store: Engine) -> None:
    engine = panel_store
    made = risk.train(engine, ADMIN, PERIODS[-2])
    assert made.label_period == PERIODS[-2] and made.train_periods == PERIODS[:-2]
    assert 0 < made.positives < made.rows and made.metrics["backtest"]["judged_on"] == PERIODS[-3]
    again = risk.train(engine, ADMIN, PERIODS[-2])
    assert again.input_hash == made.input_hash and again.id != made.id  # the same data, the same input
    forecast = risk.forecast(engine, ADMIN, PERIODS[-2])
    assert forecast.model_id == again.id and not forecast.trained_now
    risks = [i.risk for i in forecast.items]
    assert risks == sorted(risks, reverse=True) and 0 <= min(risks) and max(risks) <= 1
    top = forecast.items[0]
    assert top.reasons and all(r.text_zh and r.contribution > 0 for r in top.reasons)
    bottom = [i for i in forecast.items if i.grade == "D"]
    assert bottom and all(i.risk == 0 and i.reasons[0].feature == "at_bottom" for i in bottom)
    # a period without a model trains one first
    latest = risk.forecast(engine, ADMIN, PERIODS[-1], limit=5)
    assert latest.trained_now and len(latest.items) == 5
    with engine.connect() as conn:  # one enterprise's rows read alone are the province's rows
        whole = risk.panel(conn, catalogue_of(engine), PERIODS[-1])
        entrant = whole[(whole["is_new"] == 1) & (whole["period"] != PERIODS[0])]["uscc"].iloc[0]
        for uscc in (top.uscc, entrant):
            alone = risk.panel(conn, catalogue_of(engine), PERIODS[-1], uscc=uscc).reset_index(drop=True)
            expected = whole[whole["uscc"] == uscc].reset_index(drop=True)
            pd.testing.assert_frame_equal(alone, expected, check_dtype=False, check_exact=True)
    history = risk.history(engine, ADMIN, top.uscc)
    assert [h["period"] for h in history] == [PERIODS[-2], PERIODS[-1]][: len(history)] and history
    assert history[0]["risk"] == pytest.approx(top.risk, abs=1e-4)


def test_scope_and_permissions(panel_store: Engine) -> None:
    engine = panel_store
    viewer = Principal(name="vv", role=Role.viewer)
    with pytest.raises(PermissionDenied):
        risk.forecast(engine, viewer, PERIODS[-2])  # nothing stored: a viewer may not train one
    city = Principal(name="dl", role=Role.analyst, scope=Scope("210200"))
    with pytest.raises(PermissionDenied, match="全省"):
        risk.train(engine, city, PERIODS[-2])
    risk.train(engine, ADMIN, PERIODS[-2])
    everyone = risk.forecast(engine, viewer, PERIODS[-2])
    mine = risk.forecast(engine, city, PERIODS[-2])
    assert mine.items and all(i.region_code.startswith("2102") for i in mine.items)
    province = {i.uscc: i.risk for i in everyone.items}
    assert all(province[i.uscc] == i.risk for i in mine.items)  # the same model and numbers, fewer rows
    outside = next(i.uscc for i in everyone.items if not i.region_code.startswith("2102"))
    assert risk.history(engine, city, outside) == []


def test_too_little_history_is_a_clear_refusal(engine: Engine, panel, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "one.csv"
    write_sample(panel.frames[PERIODS[0]], path)
    ingest_file(engine, ADMIN, path, PERIODS[0])
    score_period(engine, ADMIN, PERIODS[0])
    with pytest.raises(ConflictError, match="至少两个连续评分的期间"):
        risk.train(engine, ADMIN)


def test_the_cli_end_to_end(panel, tmp_path: Path) -> None:  # noqa: ANN001
    from lrc.store import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    upgrade(engine)
    load_panel(engine, panel, tmp_path)
    made = lrc(tmp_path, "risk", "train", "--period", PERIODS[-2], "--db", url)
    model_id = made.stdout.strip().splitlines()[-1]
    assert model_id.isdigit() and "回测" in made.stdout
    as_json = lrc(tmp_path, "risk", "train", "--db", url, "--format", "json")
    assert json.loads(as_json.stdout)["id"] == int(model_id) + 1
    listed = lrc(tmp_path, "risk", "models", "--db", url, "--format", "json")
    assert [m["id"] for m in json.loads(listed.stdout)] == [int(model_id) + 1, int(model_id)]
    forecast = lrc(tmp_path, "risk", "--period", PERIODS[-2], "--db", url, "--format", "json", "--limit", "3")
    entries = json.loads(forecast.stdout)
    assert len(entries) == 3 and {"uscc", "name", "risk", "reasons"} <= set(entries[0])
    assert {"feature", "contribution", "text_zh"} <= set(entries[0]["reasons"][0])
    text = lrc(tmp_path, "risk", "--period", PERIODS[-2], "--db", url)
    assert entries[0]["uscc"] in text.stdout
    bad = lrc(tmp_path, "risk", "--period", "2030Q1", "--db", url, ok=False)
    assert bad.returncode != 0 and "还没有评分结果" in bad.stderr and "Traceback" not in bad.stderr
