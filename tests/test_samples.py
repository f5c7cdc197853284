"""The synthetic sample generator: deterministic, realistic, readable by ingest, scored believably."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from stdnum import numdb

from indicators import Catalogue, available_versions, load_catalogue, parse_catalogue
from lrc import reference
from lrc.errors import LrcError
from lrc.ingest import read_records
from lrc.periods import period_end
from lrc.samples import DEMO_PERIODS, DEMO_SEED, HANDLED, IDENTITY_COLUMNS, generate, write_sample
from lrc.samples.records import DEMO_AS_OF, generate_records, stored_form, write_records
from lrc.samples.tables import DISTRICTS, LEGAL_FORMS
from lrc.uscc import make_uscc, uscc_valid_mask, validate_uscc
from scoring import score
from scoring.records import record_counts

CATALOGUE = load_catalogue()
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
PERIOD = "2026Q3"
PEOPLE = [f.name for f in CATALOGUE.fields if f.unit == "人" and f.name not in ("headcount", "total_workforce")]


@pytest.fixture(scope="module")
def big() -> pd.DataFrame:
    return generate(2000, seed=DEMO_SEED, period=PERIOD)


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return {p: generate(500, seed=DEMO_SEED, period=p) for p in DEMO_PERIODS}


def with_records(frame: pd.DataFrame, period: str, n: int) -> pd.DataFrame:
    """The sample's facts and the counts of its sample records live at the period's end (as a run scores)."""
    records = stored_form(generate_records(n, seed=DEMO_SEED, today=DEMO_AS_OF), CATALOGUE)
    indexed = frame.set_index("uscc", drop=False)
    return indexed.join(record_counts(CATALOGUE, records, period_end(period), indexed.index))


def facts_of(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[f.name for f in CATALOGUE.fields]]


def test_every_field_has_a_deliberate_maker() -> None:
    """Every field of every edition shipped (2026.1 stays selectable), and no maker for a field none has."""
    fields = {f.name for version in available_versions() for f in load_catalogue(version).fields}
    assert sorted(HANDLED) == sorted(fields)


def test_columns_and_types() -> None:
    frame = generate(50, seed=3, period=PERIOD)
    assert list(frame.columns) == [*IDENTITY_COLUMNS, *(f.name for f in CATALOGUE.fields)]
    expected = {"bool": "boolean", "int": "Int64", "number": "Float64"}
    assert all(frame[c].dtype == "string" for c in IDENTITY_COLUMNS)
    assert {f.name: str(frame[f.name].dtype) for f in CATALOGUE.fields} == {
        f.name: expected[f.type] for f in CATALOGUE.fields
    }
    for f in CATALOGUE.fields:
        values = frame[f.name].dropna()
        if f.min is not None:
            assert (values >= f.min).all(), f.name
        if f.max is not None:
            assert (values <= f.max).all(), f.name


def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_sample(generate(300, seed=7, period=PERIOD), first)
    write_sample(generate(300, seed=7, period=PERIOD), second)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes().startswith(b"\xef\xbb\xbfuscc,name,region_code,")
    assert not generate(300, seed=8, period=PERIOD)["uscc"].equals(generate(300, seed=7, period=PERIOD)["uscc"])


def test_a_larger_sample_keeps_the_first_enterprises() -> None:
    small, large = generate(300, seed=11, period=PERIOD), generate(1500, seed=11, period=PERIOD)
    pd.testing.assert_frame_equal(small, large.iloc[:300])


def test_periods_share_the_enterprises_and_their_facts_evolve(demo: dict[str, pd.DataFrame]) -> None:
    before, after = (demo[p] for p in DEMO_PERIODS)
    pd.testing.assert_frame_equal(before[list(IDENTITY_COLUMNS)], after[list(IDENTITY_COLUMNS)])
    drift = after["headcount"].astype(float) / before["headcount"].astype(float)
    assert drift.between(0.8, 1.25).all() and (drift != 1).any()
    change = score(CATALOGUE, after).summary()["total"] - score(CATALOGUE, before).summary()["total"]
    assert (change.abs() <= 5).mean() > 0.6, "most firms are stable"
    assert (change > 5).sum() >= 10 and (change < -5).sum() >= 10, "some improve, some deteriorate"
    later = score(CATALOGUE, generate(500, seed=DEMO_SEED, period="2027Q4")).summary()["total"]
    assert ((later - score(CATALOGUE, before).summary()["total"]).abs() > 5).mean() > (change.abs() > 5).mean()


def test_every_code_is_valid_and_unique(big: pd.DataFrame) -> None:
    codes = big["uscc"].tolist()
    assert uscc_valid_mask(codes).all() and big["uscc"].is_unique
    assert all(validate_uscc(c) == c and make_uscc(c[2:8], c[8:16]) == c for c in codes)
    assert (big["uscc"].str[2:8] == big["region_code"]).all() and (big["uscc"].str[:2] == "91").all()


def test_regions_are_current_liaoning_divisions(big: pd.DataFrame) -> None:
    table = numdb.get("cn/loc")
    for city, districts in DISTRICTS.items():
        assert city in reference.CITIES and districts[0][0] == city
        for code, name, _ in districts:
            assert reference.city_of(code) == city
            current = table.info(code)[1][1]["county"].split(",")[-1]
            assert not re.match(r"^\[\d*-\d{4}\]", current), f"{code} is no longer in use"
            assert re.sub(r"^\[[\d-]*\]", "", current) == name, code
    assert set(big["region_code"]) <= {code for ds in DISTRICTS.values() for code, _, _ in ds}


def test_all_cities_sections_sizes_and_ownerships_appear(big: pd.DataFrame) -> None:
    cities = big["region_code"].map(reference.city_of)
    assert set(cities) == set(reference.CITIES)
    assert set(cities.value_counts().index[:2]) == {"210100", "210200"}
    assert set(big["industry"]) == set(reference.INDUSTRIES)
    assert set(big["industry"].value_counts().index[:4]) == {"C", "F", "E", "G"}
    assert set(big["size"]) == set(reference.SIZES) and set(big["ownership"]) <= set(reference.OWNERSHIPS)
    for seed in (1, 2, 3):
        assert "T" in set(generate(500, seed=seed, period=PERIOD)["industry"])


def test_headcount_fits_the_size(big: pd.DataFrame) -> None:
    heads = big["headcount"].astype(int)
    ranges = {"微型": (1, 19), "小型": (10, 299), "中型": (300, 999), "大型": (1000, 200_000)}
    for size, (low, high) in ranges.items():
        assert heads[big["size"] == size].between(low, high).all(), size
    assert heads[big["size"] == "大型"].max() > 5000


def test_names_are_unique_and_well_formed(big: pd.DataFrame) -> None:
    assert big["name"].is_unique
    shorts = tuple(c.removesuffix("市") for c in reference.CITIES.values()) + ("辽宁",)
    assert big["name"].str.startswith(shorts).all()
    assert big["name"].str.endswith(LEGAL_FORMS).all()
    assert big.loc[big["name"].str.endswith("集团有限公司"), "size"].eq("大型").all()


def test_people_counts_are_consistent(big: pd.DataFrame) -> None:
    heads = big["headcount"]
    for name in PEOPLE:
        assert (big[name].dropna() <= heads[big[name].notna()]).all(), name
    old = generate(2000, seed=DEMO_SEED, period=PERIOD, catalogue=load_catalogue("2026.1"))
    both = old[["employees_with_contract", "dispatched_workers", "total_workforce"]].dropna()
    expected = (both["employees_with_contract"] + both["dispatched_workers"]).clip(lower=1)
    assert (both["total_workforce"] == expected).all()
    past = big[["employees_past_first_month", "employees_past_first_month_with_contract"]].dropna()
    assert (past.iloc[:, 1] <= past.iloc[:, 0]).all() and (past.iloc[:, 0] <= heads[past.index]).all()
    dispatch = (big["dispatched_workers"] / heads).dropna()
    assert (dispatch <= 0.15).mean() > 0.95 and (dispatch > 0.1).any()
    no_union = big["union_established"].eq(False).fillna(False)
    assert (big.loc[no_union, "union_members"].dropna() == 0).all()


def test_missing_cells_are_a_realistic_few(big: pd.DataFrame) -> None:
    facts = facts_of(big)
    assert 0.03 <= facts.isna().to_numpy().mean() <= 0.06
    assert big["headcount"].notna().all()
    per_firm = facts.isna().sum(axis=1)
    assert (per_firm == 0).mean() > 0.5 and (per_firm > 15).any()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_written_files_are_read_back_by_ingest(tmp_path: Path, suffix: str) -> None:
    frame = generate(120, seed=5, period=PERIOD)
    path = tmp_path / f"sample{suffix}"
    write_sample(frame, path)
    batch = read_records(path, CATALOGUE, period=PERIOD)
    expected = frame.set_index("uscc")
    pd.testing.assert_frame_equal(batch.frame, expected, check_index_type=False)


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LrcError, match="不支持"):
        write_sample(generate(2, seed=1, period=PERIOD), tmp_path / "sample.xls")


@pytest.mark.parametrize("period", DEMO_PERIODS)
def test_committed_samples_equal_a_fresh_generation(tmp_path: Path, demo: dict[str, pd.DataFrame], period: str) -> None:
    fresh = tmp_path / "fresh.csv"
    write_sample(demo[period], fresh)
    hint = f"regenerate: lrc sample --n 500 --seed {DEMO_SEED} --period {period} --output data/samples/..."
    assert (SAMPLES / f"enterprises-{period}.csv").read_bytes() == fresh.read_bytes(), hint
    batch = read_records(SAMPLES / f"enterprises-{period}.xlsx", CATALOGUE, period=period)
    pd.testing.assert_frame_equal(batch.frame, demo[period].set_index("uscc"), check_index_type=False)


@pytest.mark.parametrize("period", DEMO_PERIODS)
def test_demo_sample_has_a_believable_grade_spread(demo: dict[str, pd.DataFrame], period: str) -> None:
    summary = score(CATALOGUE, with_records(demo[period], period, 500)).summary()
    shares = summary["grade"].value_counts(normalize=True)
    assert set(shares.index) == {g.grade for g in CATALOGUE.grades}
    assert shares["B"] + shares["C"] > 0.5 and shares["A"] >= 0.05 and 0.05 <= shares["D"] <= 0.35
    assert 60 <= summary["total"].mean() <= 80
    assert 0.01 <= summary["red_line"].mean() <= 0.05
    assert (summary.loc[summary["red_line"], "grade"] == CATALOGUE.lowest_grade).all()


def test_red_lines_hit_a_few_percent_and_some_are_new(big: pd.DataFrame) -> None:
    """Red lines come from records (2027.1): a few percent of firms, some new since the last period."""
    now = score(CATALOGUE, with_records(big, PERIOD, 2000)).summary()["red_line"]
    earlier = generate(2000, seed=DEMO_SEED, period="2026Q2")
    before = score(CATALOGUE, with_records(earlier, "2026Q2", 2000)).summary()["red_line"]
    assert 0.01 <= now.mean() <= 0.05
    assert (now & ~before).any() and (now & before).any()


def test_sample_records_are_dated_sourced_and_never_in_the_future() -> None:
    records = generate_records(500, seed=DEMO_SEED, today=DEMO_AS_OF)
    assert records.equals(generate_records(500, seed=DEMO_SEED, today=DEMO_AS_OF))
    dates = pd.to_datetime(records["date"]).dt.date
    assert dates.max() <= DEMO_AS_OF and dates.min() >= DEMO_AS_OF - pd.Timedelta(days=3 * 365)
    assert not records.duplicated(["source", "ref"]).any()
    assert set(records["type"]) <= {t.code for t in CATALOGUE.record_types}
    assert records["type"].nunique() >= 15 and records["source"].str.endswith(("局", "会", "院", "府", ")")).all()
    dispatch = records.loc[records["type"] == "DISPATCH_TERM_SPLIT", "uscc"]
    facts = generate(500, seed=DEMO_SEED, period="2026Q4").set_index("uscc")
    assert (facts.loc[dispatch, "dispatched_workers"] > 0).all()  # consistent with the firms' facts


def test_committed_sample_records_equal_a_fresh_generation(tmp_path: Path) -> None:
    fresh = tmp_path / "records.csv"
    write_records(generate_records(500, seed=DEMO_SEED, today=DEMO_AS_OF), fresh)
    hint = f"regenerate: lrc sample --n 500 --seed {DEMO_SEED} ... --records data/samples/records.csv"
    assert (SAMPLES / "records.csv").read_bytes() == fresh.read_bytes(), hint


def renamed(catalogue: Catalogue, old: str, new: str) -> Catalogue:
    raw = catalogue.model_dump(mode="json")
    for f in raw["fields"]:
        if f["name"] == old:
            f["name"] = new
    for item in raw["items"]:
        for key in ("field", "per"):
            if item["rule"].get(key) == old:
                item["rule"][key] = new
        if (item.get("applies_when") or {}).get("field") == old:
            item["applies_when"]["field"] = new
    for check in raw.get("checks", []):
        for side in ("when", "then"):
            if check[side]["field"] == old:
                check[side]["field"] = new
    for f in raw["fields"]:
        if f.get("at_most") == old:
            f["at_most"] = new
    return parse_catalogue(raw)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("wages_paid_on_time_in_full", "wages_paid"),
        ("union_members", "members"),
        ("employees_exposed_to_hazards", "exposed"),
    ],
)
def test_an_unknown_field_gets_a_plausible_generic_value(old: str, new: str) -> None:
    catalogue = renamed(CATALOGUE, old, new)
    frame = generate(400, seed=9, period=PERIOD, catalogue=catalogue)
    field = catalogue.field_map[new]
    values = frame[new].dropna().astype(float)
    assert len(values) > 300 and values.nunique() > 1
    assert field.min is None or values.min() >= field.min
    if field.unit == "人":
        assert (frame[new] <= frame["headcount"]).dropna().all()
    assert np.isfinite(score(catalogue, frame).summary()["total"]).all()


def test_the_samples_readme_documents_every_column() -> None:
    text = (SAMPLES / "README.md").read_text(encoding="utf-8")
    missing = [c for c in (*IDENTITY_COLUMNS, *(f.name for f in CATALOGUE.fields)) if f"`{c}`" not in text]
    assert not missing, f"data/samples/README.md does not list {missing}"
    assert f"lrc sample --n 500 --seed {DEMO_SEED} --period {DEMO_PERIODS[-1]}" in text



def test_late_redraws_of_a_name_take_a_four_character_brand() -> None:
    """Ten million firms crowd the three-character brands (`lrc sample --n 10000000` once failed after its
    last redraw): from round ``LONG_BRANDS`` a brand has a fourth character, more room by 41 times; the
    rounds before keep their lengths (samples that never reach that round are what they were)."""
    from lrc.samples import identity
    from lrc.samples.streams import Draws

    draws = Draws(7, 50)
    rows = np.arange(50)
    assert {len(b) for b in identity._brands(draws, 0, rows)} == {2}
    assert {len(b) for b in identity._brands(draws, identity.LONG_BRANDS - 1, rows)} == {3}
    four = identity._brands(draws, identity.LONG_BRANDS, rows)
    assert {len(b) for b in four} == {4}
    assert len(set(four)) >= 49
