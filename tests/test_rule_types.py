"""One contract over every rule type of the registry (``scoring.rule_types``): each has every operation, the
catalogue's rule models and the registry name the same types, every type is used, and each type's row-by-row
score, vectorised score and SQL (DuckDB) agree item by item, before applicability and ``requires`` link them,
on hypothesis-generated facts (missing values, zero denominators, values on a limit, record counts)."""

from __future__ import annotations

import inspect
from typing import Any, get_args

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import RULE_TYPES, Catalogue, Item, available_versions, load_catalogue
from indicators.models import rule_type
from lrc.service.catalogues import describe_rule
from scoring.facts import block, prepare
from scoring.naive import item_points
from scoring.reasons import explain_plain
from scoring.rule_types import RULE_HANDLERS, RuleType
from scoring.sqlgen import DIALECTS, SqlWriter
from tests.test_differential import EDITIONS, HYPOTHESIS, batch, facts_rows, run_duckdb
from tests.test_differential import catalogue as edition


def typed_items(version: str, name: str) -> list[tuple[int, Item]]:
    """(position, item) of the items of rule type ``name`` in edition ``version``."""
    return [(k, item) for k, item in enumerate(edition(version).items) if item.rule.type == name]


def rows_of(name: str, max_size: int) -> st.SearchStrategy[tuple[str, list[dict[str, Any]]]]:
    """An edition that has items of type ``name``, and a few enterprises' facts under it."""
    versions = [v for v in EDITIONS if typed_items(v, name)]
    return st.sampled_from(versions).flatmap(
        lambda v: st.lists(facts_rows(v), min_size=1, max_size=max_size).map(lambda rows: (v, rows))
    )


def test_the_registry_names_every_rule_model_of_the_catalogue() -> None:
    models = get_args(Item.model_fields["rule"].annotation)  # the members of the discriminated union
    assert [rule_type(model) for model in models] == list(RULE_TYPES)
    assert list(RULE_HANDLERS) == list(RULE_TYPES)
    assert all(RULE_HANDLERS[rule_type(model)].model is model for model in models)


def test_every_rule_type_is_used_by_some_edition() -> None:
    used = {i.rule.type for version in available_versions() for i in load_catalogue(version).items}
    assert used == set(RULE_TYPES)


@pytest.mark.parametrize("name", RULE_TYPES)
def test_every_operation_of_every_rule_type_answers_for_each_of_its_items(name: str) -> None:
    """Each entry's operations run on every item of its type in every edition, for generated enterprises: the
    scores lie between 0 and the item's points, the reason and the description are Chinese text, the SQL is a
    non-empty expression; the rule's model checks itself (an item's checks in indicators)."""
    kind = RULE_HANDLERS[name]
    assert isinstance(kind, RuleType) and not inspect.isabstract(type(kind)) and kind.model.__name__ != "BaseRule"

    @settings(max_examples=5, **HYPOTHESIS)
    @given(rows_of(name, 5))
    def check(drawn: tuple[str, list[dict[str, Any]]]) -> None:
        version, rows = drawn
        cat, items = edition(version), typed_items(version, name)
        scored, writer = vectorised(cat, batch(version, rows), items), SqlWriter(cat, DIALECTS["duckdb"])
        for k, item in items:
            low, high = sorted((0, item.points_tenths))
            points, gaps = scored[k]
            assert len(points) == len(gaps) == len(rows) and all(low <= int(p) <= high for p in points)
            for row, explained in zip(rows, [explain_plain(cat, row) for row in rows], strict=True):
                one = item_points(cat, item, row)  # the type's score_one, where its inputs are reported
                assert one is None or low <= one <= high
                reason = explained[k].reason  # the type's explain, where it scored
                assert reason.strip() and any("\u4e00" <= ch <= "\u9fff" for ch in reason), (item.code, reason)
            assert kind.describe(cat, item, str(item.points)).strip() and describe_rule(cat, item).strip()
            assert kind.sql(writer, item, k).strip()
            item.rule.check_points(item.code, item.points)  # the model's own checks hold for a shipped edition
            item.rule.check(item.code, {f.name: f for f in cat.fields})

    check()


def vectorised(cat: Catalogue, facts: pd.DataFrame, items: list[tuple[int, Item]]) -> dict[int, tuple[Any, Any]]:
    """Points and gaps of each of ``items`` by its type's ``score``, by position."""
    rows = block(prepare(cat, facts), slice(0, len(facts)))
    return {k: RULE_HANDLERS[item.rule.type].score(cat, item, rows) for k, item in items}


@pytest.mark.parametrize("name", RULE_TYPES)
def test_row_by_row_and_vectorised_scores_agree(name: str) -> None:
    @settings(max_examples=20, **HYPOTHESIS)
    @given(rows_of(name, 20))
    def check(drawn: tuple[str, list[dict[str, Any]]]) -> None:
        version, rows = drawn
        cat, facts, items = edition(version), batch(version, rows), typed_items(version, name)
        scored = vectorised(cat, facts, items)
        for k, item in items:
            points, gaps = scored[k]
            one = [item_points(cat, item, row) for row in rows]
            assert gaps.tolist() == [p is None for p in one], (item.code, rows)
            assert points.tolist() == [p or 0 for p in one], (item.code, rows)

    check()


@pytest.mark.parametrize("name", RULE_TYPES)
def test_the_sql_of_each_rule_type_equals_its_vectorised_score(name: str) -> None:
    pytest.importorskip("duckdb")

    @settings(max_examples=10, **HYPOTHESIS)
    @given(rows_of(name, 30))
    def check(drawn: tuple[str, list[dict[str, Any]]]) -> None:
        version, rows = drawn
        cat, facts = edition(version), batch(version, rows)
        writer, items = SqlWriter(cat, DIALECTS["duckdb"]), typed_items(version, name)
        measures = [(k, RULE_HANDLERS[name].sql_measure(writer, item)) for k, item in items]
        measured = ", ".join(["*", *(f"{value} AS __m{k}" for k, value in measures if value is not None)])
        points = ", ".join(f"{RULE_HANDLERS[name].sql(writer, item, k)} AS p{k}" for k, item in items)
        sql = f"SELECT uscc, {points} FROM (SELECT {measured} FROM facts) AS measured ORDER BY uscc"
        got, scored = run_duckdb(cat, facts, sql), vectorised(cat, facts, items)
        for k, item in items:
            expected, _ = scored[k]
            assert got[f"p{k}"].astype(np.int64).tolist() == expected.tolist(), (item.code, rows)

    check()


@pytest.mark.parametrize("numerator", [0, 3])
def test_a_ratio_over_zero_is_explained_as_not_measurable(numerator: int) -> None:
    """A ratio whose denominator is 0 (validation keeps it out of stored facts; the engine divides to ±inf or
    NaN): its reason says it cannot be worked out and why, where it raised ZeroDivisionError (the row-by-row
    explanation) or would print "nan%"."""
    cat = load_catalogue()
    item = next(i for i in cat.items if getattr(i.rule, "per", None))
    facts = {f.name: 1 if f.type == "bool" else 5 for f in cat.fields}
    facts.update({item.rule.field: numerator, item.rule.per: 0})  # type: ignore[union-attr]
    reason = next(e for e in explain_plain(cat, facts) if e.code == item.code).reason
    per = cat.field_map[item.rule.per].name_zh  # type: ignore[union-attr]
    assert reason.startswith(f"{item.rule.label_zh}无法计算({per}为 0),") and "nan" not in reason  # type: ignore[union-attr]
