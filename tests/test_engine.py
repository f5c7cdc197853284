"""Invariants of the scoring engine, over every rule type (hypothesis)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import Catalogue, load_catalogue
from indicators.models import BandedRule, CountRule, FlagRule, ThresholdRule
from lrc.samples import generate
from lrc.samples.records import generate_records, stored_form
from scoring import assign_grades, explain_row, grade_note, score
from scoring.naive import score_rows
from scoring.reasons import explain_plain
from scoring.records import record_counts
from scoring.sqlgen import scoring_sql
from tests.facts_strategies import enterprise_facts, frame

CATALOGUE = load_catalogue()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
batches = st.lists(enterprise_facts(CATALOGUE), min_size=1, max_size=12)


@SETTINGS
@given(batches)
def test_total_is_the_sum_of_items_and_of_every_level(rows: list[dict]) -> None:
    result = score(CATALOGUE, frame(rows, CATALOGUE))
    assert (result.total == result.points.sum(axis=1)).all()
    for level in ("level1", "level2", "level3"):
        assert (result.level(level).sum(axis=1).to_numpy() == result.total).all()


@SETTINGS
@given(batches)
def test_item_points_stay_within_zero_and_their_cap(rows: list[dict]) -> None:
    result = score(CATALOGUE, frame(rows, CATALOGUE))
    caps = np.array([i.points_tenths for i in CATALOGUE.items])
    low, high = np.minimum(caps, 0), np.maximum(caps, 0)
    assert ((result.points >= low) & (result.points <= high)).all()
    assert result.total.max() <= CATALOGUE.max_total * 10


@SETTINGS
@given(batches)
def test_a_red_line_always_gives_the_lowest_grade(rows: list[dict]) -> None:
    result = score(CATALOGUE, frame(rows, CATALOGUE))
    red_cols = [j for j, i in enumerate(CATALOGUE.items) if i.red_line]
    hit = (result.points[:, red_cols] != 0).any(axis=1)
    assert (result.red_line == hit).all()
    assert (result.grade[hit] == CATALOGUE.lowest_grade).all()


@SETTINGS
@given(batches, st.randoms(use_true_random=False))
def test_scoring_is_deterministic_and_order_independent(rows: list[dict], rnd) -> None:
    data = frame(rows, CATALOGUE)
    first = score(CATALOGUE, data).summary()
    order = list(data.index)
    rnd.shuffle(order)
    again = score(CATALOGUE, data.loc[order]).summary().loc[data.index]
    pd.testing.assert_frame_equal(first, again)


@SETTINGS
@given(batches)
def test_a_missing_fact_scores_zero_and_is_a_gap(rows: list[dict]) -> None:
    data = frame(rows, CATALOGUE)
    result = score(CATALOGUE, data)
    assert result.not_applicable is not None
    absent, at = data.isna().to_numpy(), {name: k for k, name in enumerate(data.columns)}  # numpy: 75 items
    for j, item in enumerate(CATALOGUE.items):
        missing = absent[:, [at[name] for name in item.reads]].any(axis=1)
        if item.requires:  # a gap in the item it builds on is a gap here
            missing = missing | result.gaps[:, CATALOGUE.item_codes.index(item.requires)]
        missing = missing & ~result.not_applicable[:, j]  # an item the law does not ask for is never a gap
        assert (result.gaps[:, j] == missing).all()
        assert (result.points[missing, j] == 0).all()
    assert np.allclose(result.completeness, 1 - result.gaps.mean(axis=1))


def violate(catalogue: Catalogue, item, facts: dict) -> dict | None:
    """The same facts with ``item``'s violation present (None if it cannot be made within ranges)."""
    rule, out = item.rule, dict(facts)
    field = catalogue.field_map[rule.field]
    if isinstance(rule, FlagRule):
        out[rule.field] = rule.when
    elif isinstance(rule, CountRule):
        out[rule.field] = (out.get(rule.field) or 0) + 1
        if field.max is not None and out[rule.field] > field.max:
            return None
    elif isinstance(rule, ThresholdRule):
        den = float(out[rule.per]) if rule.per else 1.0
        if rule.op in (">", ">="):
            target = int(np.floor(rule.value * den)) + 1
        elif rule.op in ("<", "<="):
            target = field.min if field.min is not None else rule.value * den - 1
        else:
            target = rule.value * den
        if (field.max is not None and target > field.max) or (field.min is not None and target < field.min):
            return None
        out[rule.field] = target if field.type == "number" else int(target)
    elif isinstance(rule, BandedRule):
        return None  # bands of a deduct item are read as severity; covered by the cap test
    return out


@SETTINGS
@given(
    enterprise_facts(CATALOGUE, allow_missing=False),
    st.sampled_from([i for i in CATALOGUE.items if i.kind == "deduct" and i.rule.type != "records"]),
)
def test_adding_a_violation_never_raises_the_score(facts: dict, item) -> None:
    worse = violate(CATALOGUE, item, facts)
    if worse is None:
        return
    before, after = score(CATALOGUE, frame([facts, worse], CATALOGUE)).total
    assert after <= before


def test_explanations_agree_with_the_engine() -> None:
    rows = [dict.fromkeys((f.name for f in CATALOGUE.fields), None) | {"headcount": 10}]
    explained = explain_row(CATALOGUE, rows[0])
    assert len(explained) == 75
    assert all(e.gap and e.points == 0 and "未报送" in e.reason for e in explained if e.code and e.gap)


def test_points_are_exact_tenths() -> None:
    # 0.1 added 75 times in binary floating point drifts; integer tenths do not
    assert all(isinstance(i.points_tenths, int) for i in CATALOGUE.items)
    result = score(CATALOGUE, frame([{"headcount": 1}], CATALOGUE))
    assert result.points.dtype == np.int16 and result.total.dtype == np.int64


@SETTINGS
@given(batches)
def test_engine_agrees_with_the_row_by_row_scorer(rows: list[dict]) -> None:
    result = score(CATALOGUE, frame(rows, CATALOGUE))
    naive = score_rows(CATALOGUE, rows)
    assert result.total.tolist() == [total for total, _, _ in naive]
    assert result.red_line.tolist() == [red for _, red, _ in naive]
    assert result.grade.tolist() == [grade for _, _, grade in naive]


@SETTINGS
@given(batches)
def test_plain_explanations_equal_the_engine_s(rows: list[dict]) -> None:
    """``explain_plain`` (the row-by-row scorer's points, no pandas: ``lrc explain`` through the driver) gives
    the same points, gaps and reasons as ``explain_row`` (the engine's), gaps and zero denominators included."""
    for facts in rows:
        assert explain_plain(CATALOGUE, facts) == explain_row(CATALOGUE, facts)


def test_engine_agrees_with_generated_sql_on_a_sample() -> None:
    duckdb = pytest.importorskip("duckdb")
    sample = generate(400, seed=3, period="2026Q3", catalogue=CATALOGUE).set_index("uscc", drop=False)
    records = generate_records(400, seed=3, today=date(2026, 11, 29), catalogue=CATALOGUE)
    counts = record_counts(CATALOGUE, stored_form(records, CATALOGUE), date(2026, 9, 30), sample.index)
    assert counts.to_numpy().sum() > 0  # the sample's records count in the SQL too
    sample = sample.join(counts)
    result = score(CATALOGUE, sample)
    con = duckdb.connect()
    con.register("facts", sample.reset_index(drop=True))
    sql = con.execute(scoring_sql(CATALOGUE) + " ORDER BY uscc").fetchdf().set_index("uscc").loc[sample.index]
    assert sql["total"].tolist() == result.total.tolist()
    assert sql["grade"].tolist() == result.grade.tolist()


@pytest.mark.parametrize(("signed", "shown"), [(1999, "99.95% 未达 100%"), (2000, "100% 达到 100%")])
def test_a_reason_never_prints_a_value_equal_to_a_limit_it_missed(signed: int, shown: str) -> None:
    item = next(i for i in CATALOGUE.items if i.name_zh == "劳动合同签订率达100%")
    facts = dict.fromkeys((f.name for f in CATALOGUE.fields), None) | {"headcount": 2000}
    facts[item.rule.per] = 2000  # the contract rate's denominator (2027.1: employees past their first month)
    facts[item.rule.field] = signed
    reason = next(e.reason for e in explain_row(CATALOGUE, facts) if e.code == item.code)
    assert shown in reason


@pytest.mark.parametrize(
    ("total", "reported", "grade"),
    [(900, 75, "A"), (900, 72, "A"), (900, 71, "B"), (900, 63, "C"), (900, 52, "D"), (750, 64, "B"), (750, 63, "C")],
)
def test_a_grade_needs_its_share_of_reported_items(total: int, reported: int, grade: str) -> None:
    # A needs 95% of 75 items (72), B 85% (64), C 70% (53): leaving facts blank never earns a better grade
    got = assign_grades(CATALOGUE, np.array([total]), np.array([False]), np.array([reported]))
    assert got[0] == grade
    note = grade_note(CATALOGUE, total, False, reported, grade)
    assert (note == "") == (grade == "A" or (total == 750 and grade == "B"))


def test_every_deduct_item_reads_only_required_fields() -> None:
    # a blank scores 0, which for a deduct item would mean "no deduction": silence must not pay
    for item in CATALOGUE.items:
        if item.kind == "deduct":
            assert all(CATALOGUE.field_map[name].required for name in item.reads), item.code
