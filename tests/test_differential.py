"""Differential tests: the pandas engine and the SQL generated from the same catalogue (``scoring.sqlgen``)
give identical item points, gaps, totals, red lines and grades on DuckDB, on PostgreSQL and on Spark SQL
(local mode), for both catalogue editions: on a few thousand sample enterprises with their records, and on
hypothesis-generated facts with missing values, zero denominators and values exactly at the thresholds,
bands and applicability limits. The Spark SQL cases are in tests/test_spark.py, on that module's Spark
session (one JVM for both), where the Spark job itself is held to the engine."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from indicators import Catalogue, load_catalogue
from indicators.models import BandedRule, CountRule, ThresholdRule
from lrc.samples import generate
from lrc.samples.records import generate_records, stored_form
from scoring import score
from scoring.records import record_counts
from scoring.sqlgen import scoring_sql
from tests.facts_strategies import enterprise_facts

EDITIONS = ("2026.1", "2027.1")
SAMPLE_ROWS = 3_000
PG_URL = "host=127.0.0.1 port=5432 dbname=test user=postgres"
# A query per example: a failure is not shrunk (that takes minutes); its message names the row, item and facts.
HYPOTHESIS: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "phases": [Phase.explicit, Phase.reuse, Phase.generate],
}
SQL_TYPES = {"bool": "BOOLEAN", "int": "BIGINT", "number": "DOUBLE PRECISION"}
DTYPES = {"bool": "boolean", "int": "Int64", "number": "Float64"}


@cache
def catalogue(version: str) -> Catalogue:
    return load_catalogue(version)


def record_columns(cat: Catalogue) -> list[str]:
    return sorted({c for item in cat.items for c, _ in cat.record_terms(item)})


def typed(cat: Catalogue, data: pd.DataFrame) -> pd.DataFrame:
    """``uscc``, every field as the catalogue types it (NULL = not reported), then the record counts."""
    out = {"uscc": data["uscc"].astype(str).to_numpy()}
    for field in cat.fields:
        column = data[field.name] if field.name in data else pd.Series([None] * len(data))
        out[field.name] = pd.array(column.tolist(), dtype=DTYPES[field.type])
    for name in record_columns(cat):
        out[name] = pd.array(data[name].tolist() if name in data else [0] * len(data), dtype="Int64")
    return pd.DataFrame(out)


@cache
def sample(version: str) -> pd.DataFrame:
    """Sample enterprises of 2026Q3 with the record counts of their sample records at the quarter's end."""
    cat = catalogue(version)
    facts = generate(SAMPLE_ROWS, seed=11, period="2026Q3", catalogue=cat)
    records = stored_form(generate_records(SAMPLE_ROWS, seed=11, today=date(2026, 11, 29), catalogue=cat), cat)
    counts = record_counts(cat, records, date(2026, 9, 30), pd.Index(facts["uscc"]))
    return typed(cat, pd.concat([facts, counts.reset_index(drop=True)], axis=1))


def assert_same(cat: Catalogue, facts: pd.DataFrame, got: pd.DataFrame) -> None:
    """The SQL's rows (any order) equal the engine's on ``facts``: item points and gaps, totals (exact
    integer tenths), red lines, reported items and grades."""
    engine = score(cat, facts.set_index("uscc", drop=False))
    assert len(got) == len(facts)
    got = got.set_index("uscc").loc[engine.index]
    m = len(cat.items)
    points = got[[f"i{k}" for k in range(m)]].to_numpy(dtype=np.float64)
    assert (points == np.rint(points)).all(), "item points are whole tenths"
    wrong = np.argwhere(points.astype(np.int64) != engine.points)
    if len(wrong):
        row, k = wrong[0]
        facts_row = facts.iloc[row][cat.item(cat.item_codes[k]).uses].to_dict()
        pytest.fail(
            f"{len(wrong)} item points differ; first: row {row}, item {cat.item_codes[k]}: "
            f"SQL {points[row, k]}, engine {engine.points[row, k]}, facts {facts_row}"
        )
    gaps = got[[f"g{k}" for k in range(m)]].to_numpy(dtype=bool)
    assert (gaps == engine.gaps).all(), f"gaps differ at {np.argwhere(gaps != engine.gaps)[:5].tolist()}"
    total = got["total"].to_numpy(dtype=np.float64)
    assert (total == engine.total).all()
    assert got["reported"].to_numpy(dtype=np.int64).tolist() == (m - engine.gaps.sum(axis=1)).tolist()
    assert got["red_line"].astype(bool).tolist() == engine.red_line.tolist()
    assert got["grade"].tolist() == engine.grade.tolist()


# ---- the SQL engines -------------------------------------------------------------------------------------


def run_duckdb(cat: Catalogue, facts: pd.DataFrame, sql: str | None = None) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect()
    try:
        con.register("facts", facts)
        return con.execute(sql or scoring_sql(cat, "facts", dialect="duckdb")).fetchdf()
    finally:
        con.close()


@pytest.fixture(scope="module")
def pg() -> Iterator[Any]:
    """A connection to the ``test`` database; each query loads its facts into a temporary table."""
    psycopg = pytest.importorskip("psycopg")
    try:
        conn = psycopg.connect(PG_URL, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is not usable: {exc}")
    yield conn
    conn.close()


def run_postgresql(conn: Any, cat: Catalogue, facts: pd.DataFrame) -> pd.DataFrame:
    """Facts loaded with their types (BOOLEAN, BIGINT, DOUBLE PRECISION; NULLs as NULL), scored, dropped."""
    table = f"facts_{uuid.uuid4().hex[:8]}"
    kinds = {f.name: SQL_TYPES[f.type] for f in cat.fields} | dict.fromkeys(record_columns(cat), "BIGINT")
    columns = ", ".join(f'"{name}" {kinds.get(name, "TEXT")}' for name in facts.columns)
    values = [facts[c].astype(object).where(facts[c].notna(), None).tolist() for c in facts.columns]
    with conn.cursor() as cur:
        cur.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")
        try:
            with cur.copy(f"COPY {table} FROM STDIN") as copy:
                for row in zip(*values, strict=True):
                    copy.write_row(row)
            cur.execute(scoring_sql(cat, table, dialect="postgresql"))
            names = [d.name for d in cur.description]
            return pd.DataFrame(cur.fetchall(), columns=names)
        finally:
            cur.execute(f"DROP TABLE {table}")


# ---- hypothesis-generated facts --------------------------------------------------------------------------


def exact(value: float, per: int) -> int | None:
    """The whole numerator that divided by ``per`` gives exactly ``value`` (as floats divide), if any."""
    numerator = Fraction(repr(value)) * per
    return int(numerator) if numerator.denominator == 1 else None


@cache
def boundaries(version: str) -> list[dict[str, Any]]:
    """Facts that sit exactly on a limit of the catalogue: a threshold or a band's minimum (as a value, or as
    a whole numerator over a few denominators), an applicability limit, a count that reaches a cap."""
    cat = catalogue(version)
    fields = cat.field_map
    out: list[dict[str, Any]] = []

    def limit(field: str, per: str | None, value: float) -> None:
        if per is None:
            if fields[field].type == "number" or float(value).is_integer():
                out.append({field: value if fields[field].type == "number" else int(value)})
            return
        for den in (1, 3, 10, 20, 100, 1000):
            num = exact(value, den)
            if num is not None:
                out.append({field: num, per: den})

    for item in cat.items:
        rule = item.rule
        if isinstance(rule, ThresholdRule):
            limit(rule.field, rule.per, rule.value)
        elif isinstance(rule, BandedRule):
            for band in rule.bands:
                limit(rule.field, rule.per, band.min)
        elif isinstance(rule, CountRule):
            enough = -(-item.points_tenths // int(rule.each * 10))
            out += [{rule.field: enough - 1}, {rule.field: enough}]
        condition = item.applies_when
        if condition is not None:
            bool_field = fields[condition.field].type == "bool"
            out.append({condition.field: bool(condition.value) if bool_field else condition.value})
    return out


@st.composite
def facts_rows(draw: Any, version: str, subnormal: bool = True) -> dict[str, Any]:
    """One enterprise: any field may be missing; some facts on a limit; sometimes a zero denominator.
    Without ``subnormal``, no number is below the smallest normal double: PostgreSQL raises "value out of
    range: underflow" where a quotient rounds to 0 (IEEE, numpy and the other SQL engines give 0)."""
    cat = catalogue(version)
    row = draw(enterprise_facts(cat))
    for pinned in draw(st.lists(st.sampled_from(boundaries(version)), max_size=6)):
        row |= pinned
    pers = sorted({r.per for r in (i.rule for i in cat.items) if getattr(r, "per", None)})
    for per in draw(st.lists(st.sampled_from(pers), max_size=2, unique=True)):
        row[per] = 0  # out of the fields' range, but the engine divides as IEEE floats do: x/0 = ±inf
    if not subnormal:
        row = {k: 0.0 if isinstance(v, float) and 0 < abs(v) < sys.float_info.min else v for k, v in row.items()}
    for item in cat.items:  # 0/0 in a banded rule is the engine's known quirk (test below), not drawn here
        rule = item.rule
        if isinstance(rule, BandedRule) and rule.per and row.get(rule.per) == 0 and row.get(rule.field) == 0:
            row[rule.field] = 1
    counts = st.one_of(st.none(), st.integers(0, 4))
    row |= {c: draw(counts) for c in record_columns(cat)}
    return row


def batch(version: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    data = pd.DataFrame(rows)
    data["uscc"] = [f"E{k:05d}" for k in range(len(rows))]
    return typed(catalogue(version), data)


def batches(version: str, max_size: int, subnormal: bool = True) -> st.SearchStrategy[pd.DataFrame]:
    rows = st.lists(facts_rows(version, subnormal), min_size=1, max_size=max_size)
    return rows.map(lambda drawn: batch(version, drawn))


def editions_and_batches(max_size: int, subnormal: bool = True) -> st.SearchStrategy[tuple[str, pd.DataFrame]]:
    """A batch of facts of either edition (one query per example, however many editions)."""
    return st.sampled_from(EDITIONS).flatmap(
        lambda version: batches(version, max_size, subnormal).map(lambda facts: (version, facts))
    )


# ---- DuckDB ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", EDITIONS)
def test_duckdb_equals_the_engine_on_sample_enterprises(version: str) -> None:
    pytest.importorskip("duckdb")
    facts = sample(version)
    if record_columns(catalogue(version)):
        assert facts[record_columns(catalogue(version))].to_numpy().sum() > 0  # records count in the SQL too
    assert_same(catalogue(version), facts, run_duckdb(catalogue(version), facts))
    engine = score(catalogue(version), facts)
    assert engine.red_line.any() and len(set(engine.grade)) == len(catalogue(version).grades)  # every outcome


@pytest.mark.parametrize("version", EDITIONS)
def test_duckdb_equals_the_engine_on_generated_facts(version: str) -> None:
    pytest.importorskip("duckdb")

    @settings(max_examples=20, **HYPOTHESIS)
    @given(batches(version, 40))
    def check(facts: pd.DataFrame) -> None:
        assert_same(catalogue(version), facts, run_duckdb(catalogue(version), facts))

    check()


def test_a_flipped_operator_in_the_sql_is_caught() -> None:
    """The comparison is sharp: ``>=`` turned into ``>`` at the first threshold of 1.0 (a rate of 100%) fails."""
    pytest.importorskip("duckdb")
    cat, facts = catalogue("2026.1"), sample("2026.1")
    sql = scoring_sql(cat, "facts", dialect="duckdb")
    broken = sql.replace(">= CAST('1.0' AS DOUBLE)", "> CAST('1.0' AS DOUBLE)", 1)
    assert broken != sql
    with pytest.raises(pytest.fail.Exception, match="item points differ"):
        assert_same(cat, facts, run_duckdb(cat, facts, broken))


def test_zero_over_zero_reaches_no_band() -> None:
    """A threshold rule never meets 0/0 (NaN), in the engine and the SQL alike; nor does a banded rule (numpy
    sorts NaN above every band: it reached the top one). Denominators are at least 1 in every catalogue
    field, so ingest refuses this input, but the engine must not score it as the best band."""
    cat = catalogue("2026.1")
    item = next(i for i in cat.items if isinstance(i.rule, BandedRule) and i.rule.per)
    assert isinstance(item.rule, BandedRule) and item.rule.per
    facts = batch("2026.1", [{item.rule.field: 0, item.rule.per: 0}])
    assert int(score(cat, facts).points[0, cat.item_codes.index(item.code)]) == 0


# ---- PostgreSQL ------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("version", EDITIONS)
def test_postgresql_equals_the_engine_on_sample_enterprises(pg: Any, version: str) -> None:
    facts = sample(version)
    assert_same(catalogue(version), facts, run_postgresql(pg, catalogue(version), facts))


@pytest.mark.postgres
@settings(max_examples=25, **HYPOTHESIS)
@given(editions_and_batches(50, subnormal=False))
def test_postgresql_equals_the_engine_on_generated_facts(pg: Any, drawn: tuple[str, pd.DataFrame]) -> None:
    version, facts = drawn
    assert_same(catalogue(version), facts, run_postgresql(pg, catalogue(version), facts))
