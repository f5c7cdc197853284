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
from indicators.models import BaseRule, rule_type
from lrc.service.catalogues import describe_rule
from scoring.facts import block, prepare
from scoring.naive import item_points
from scoring.rule_types import RULE_HANDLERS, RuleType
from scoring.sqlgen import DIALECTS, SqlWriter
from tests.test_differential import EDITIONS, HYPOTHESIS, batch, facts_rows, run_duckdb
from tests.test_differential import catalogue as edition

OPERATIONS = ("score", "score_one", "explain", "describe", "sql", "sql_measure")
CHECKS = ("reads", "check_points", "check")  # on the rule's model, in indicators


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
def test_every_rule_type_has_every_operation(name: str) -> None:
    kind = RULE_HANDLERS[name]
    assert isinstance(kind, RuleType) and not inspect.isabstract(type(kind))
    for operation in OPERATIONS:
        assert callable(getattr(kind, operation)), f"{name} has no {operation}"
    assert issubclass(kind.model, BaseRule) and all(hasattr(kind.model, check) for check in CHECKS)
    for version in EDITIONS:
        for _, item in typed_items(version, name):
            assert describe_rule(edition(version), item).strip()


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
