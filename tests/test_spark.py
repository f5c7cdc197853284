"""The national job on Spark (local mode) gives exactly the pandas engine's results: on 100,000 sample
enterprises with their records, and on hypothesis-generated facts; and the catalogue compiled to Spark SQL
gives them too. One SparkSession serves the module (a JVM's start costs some 15 s)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import Catalogue, load_catalogue
from lrc.samples import generate
from lrc.samples.records import generate_records, stored_form
from scoring import score
from scoring.records import record_counts
from scoring.sqlgen import scoring_sql
from tests import test_differential as differential
from tests.facts_strategies import enterprise_facts, frame
from tests.test_cli import lrc

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
CATALOGUE = load_catalogue()
RECORD_COLUMNS = sorted({c for item in CATALOGUE.items for c, _ in CATALOGUE.record_terms(item)})


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from lrc.spark.job import session

    made = session("local[2]", app_name="lrc-tests")
    yield made
    made.stop()


def expected(facts: pd.DataFrame) -> Any:
    """The pandas engine's result on the same rows."""
    return score(CATALOGUE, facts.set_index("uscc", drop=False))


def assert_same(results: pd.DataFrame, facts: pd.DataFrame) -> None:
    """Item points, totals, grades, red lines (and gaps, completeness) equal the engine's, row by row."""
    engine = expected(facts)
    got = results.set_index("uscc").loc[engine.index]
    tenths = np.rint(got[CATALOGUE.item_codes].to_numpy() * 10).astype(np.int64)
    assert (tenths == engine.points).all()
    assert (np.rint(got["total"].to_numpy() * 10).astype(np.int64) == engine.total).all()
    assert got["grade"].tolist() == engine.grade.tolist()
    assert got["red_line"].tolist() == engine.red_line.tolist()
    assert np.allclose(got["completeness"].to_numpy(), engine.completeness)
    assert got["gaps"].tolist() == ["".join("1" if g else "0" for g in row) for row in engine.gaps]


def sample_facts(n: int, seed: int, with_records: int) -> pd.DataFrame:
    """``n`` sample enterprises with the record counts at the end of 2026Q3 of the sample records of the first
    ``with_records`` of them (the same seed gives the same first enterprises; generating records costs more)."""
    facts = generate(n, seed=seed, period="2026Q3", catalogue=CATALOGUE)
    made = generate_records(with_records, seed=seed, today=date(2026, 11, 29), catalogue=CATALOGUE)
    records = stored_form(made, CATALOGUE)
    counts = record_counts(CATALOGUE, records, date(2026, 9, 30), pd.Index(facts["uscc"]))
    assert counts.to_numpy().sum() > 0
    return pd.concat([facts, counts.reset_index(drop=True)], axis=1)


def test_spark_equals_the_pandas_engine_on_100k_sample_enterprises(spark: Any, tmp_path: Path) -> None:
    from lrc.spark.job import run_job

    facts = sample_facts(100_000, seed=14, with_records=10_000)
    facts.to_parquet(tmp_path / "facts.parquet", index=False, row_group_size=20_000)  # 5 groups: tasks in parallel
    written = run_job(spark, CATALOGUE, str(tmp_path / "facts.parquet"), str(tmp_path / "results"), partitions=4)
    assert written == len(facts)
    results = pd.read_parquet(tmp_path / "results")
    assert list(results.columns[:2]) == ["uscc", "region_code"]  # identity passed through, then the results
    assert_same(results, facts)
    assert results["red_line"].any() and results["grade"].nunique() == len(CATALOGUE.grades)


@st.composite
def facts_batches(draw: Any) -> pd.DataFrame:
    """A few enterprises' facts (any field may be missing) and record counts, as stored facts are: floats."""
    rows = draw(st.lists(enterprise_facts(CATALOGUE), min_size=1, max_size=25))
    data = frame(rows, CATALOGUE).astype(np.float64).reset_index()
    counts = draw(st.lists(st.integers(0, 3), min_size=len(rows) * len(RECORD_COLUMNS),
                           max_size=len(rows) * len(RECORD_COLUMNS)))  # fmt: skip
    tally = pd.DataFrame(np.array(counts, dtype=np.int64).reshape(len(rows), -1), columns=RECORD_COLUMNS)
    return pd.concat([data, tally], axis=1)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(facts_batches())
def test_spark_equals_the_pandas_engine_on_generated_facts(spark: Any, facts: pd.DataFrame) -> None:
    from lrc.spark.job import score_facts

    results = score_facts(CATALOGUE, spark.createDataFrame(facts)).toPandas()
    assert_same(results, facts)


def test_facts_without_uscc_are_refused_before_spark_runs(spark: Any) -> None:
    from lrc.errors import UsageError
    from lrc.spark.job import score_facts

    with pytest.raises(UsageError, match="uscc"):
        score_facts(CATALOGUE, spark.createDataFrame(pd.DataFrame({"headcount": [1.0]})))


def test_a_provinces_export_scored_by_lrc_spark_score_imports_and_verifies(spark: Any, tmp_path: Path) -> None:
    """The whole loop through the command line: `lrc export`, `lrc spark score` (here on the module's session),
    `lrc import-results`, then `lrc verify` re-scores the imported run with the pandas engine."""
    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "80", "--seed", "8", "--period", "2026Q3", "--output", "s.csv",
        "--records", "r.csv", "--as-of", "2026-11-29")  # fmt: skip
    lrc(tmp_path, "ingest", "s.csv", "--period", "2026Q3")
    lrc(tmp_path, "record", "ingest", "r.csv")
    lrc(tmp_path, "score", "--period", "2026Q3")
    lrc(tmp_path, "export", "--period", "2026Q3", "--format", "parquet", "--output", "facts.parquet")
    done = lrc(tmp_path, "spark", "score", "--input", str(tmp_path / "facts.parquet"),
               "--output", str(tmp_path / "results"), "--by-province", "--format", "json")  # fmt: skip
    assert json.loads(done.stdout)["rows"] == 80
    assert [p.name for p in (tmp_path / "results").glob("province=*")] == ["province=21"]  # Liaoning
    run_id = lrc(tmp_path, "import-results", "results/province=21").stdout.strip().splitlines()[-1]
    assert "完全复现" in lrc(tmp_path, "verify", run_id).stdout
    missing = lrc(tmp_path, "spark", "score", "--input", str(tmp_path / "none.parquet"), "--output", "x", ok=False)
    assert missing.returncode == 1 and "none.parquet" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1  # one line, no Java trace
    bad = lrc(tmp_path, "spark", "score", "--input", "f", "--output", "x", "--master", "mesos://h", ok=False)
    assert bad.returncode == 2 and "--master" in bad.stderr


def test_the_spark_submit_application_scores_like_the_command(spark: Any, tmp_path: Path) -> None:
    from lrc.spark.submit import main

    facts = sample_facts(300, seed=3, with_records=300)
    facts.to_parquet(tmp_path / "facts.parquet", index=False)
    assert main(["--input", str(tmp_path / "facts.parquet"), "--output", str(tmp_path / "out"), "--by-province",
                 "--partitions", "3"]) == 0  # fmt: skip
    assert_same(pd.read_parquet(tmp_path / "out" / "province=21"), facts)
    assert main(["--input", str(tmp_path / "none.parquet"), "--output", str(tmp_path / "x")]) == 1


# ---- Spark SQL: the catalogue compiled by scoring.sqlgen, held to the engine as DuckDB and PostgreSQL are
# (tests/test_differential.py); here, so that one Spark session (one JVM) serves every Spark test


def run_spark_sql(spark: Any, cases: list[tuple[Catalogue, pd.DataFrame]]) -> list[pd.DataFrame]:
    """Each case's facts as a Spark DataFrame (BooleanType, LongType, DoubleType; NULLs as null) scored by
    Spark SQL under its catalogue; all cases in one Spark job (the results of every edition have the same
    columns), which saves a job's start-up per edition."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import BooleanType, DoubleType, LongType, StringType, StructField, StructType

    kinds = {"bool": BooleanType(), "int": LongType(), "number": DoubleType()}
    views, scored = [], []
    for case, (cat, facts) in enumerate(cases):
        types = {f.name: kinds[f.type] for f in cat.fields} | {c: LongType() for c in differential.record_columns(cat)}
        schema = StructType([StructField(c, types.get(c, StringType()), True) for c in facts.columns])
        views.append(f"facts_{uuid.uuid4().hex[:8]}")
        spark.createDataFrame(facts, schema=schema).createOrReplaceTempView(views[-1])
        query = spark.sql(scoring_sql(cat, views[-1], dialect="spark"))
        scored.append(query.withColumn("total", F.col("total").cast("double")).withColumn("case", F.lit(case)))
    try:
        union = scored[0]
        for more in scored[1:]:
            union = union.unionByName(more)
        got = union.toPandas()
    finally:
        for view in views:
            spark.catalog.dropTempView(view)
    return [got[got["case"] == case].drop(columns="case") for case in range(len(cases))]


def test_spark_sql_equals_the_engine_on_sample_enterprises(spark: Any) -> None:
    cases = [(differential.catalogue(v), differential.sample(v)) for v in differential.EDITIONS]
    for (cat, facts), got in zip(cases, run_spark_sql(spark, cases), strict=True):
        differential.assert_same(cat, facts, got)


@settings(max_examples=10, **differential.HYPOTHESIS)
@given(differential.editions_and_batches(50))
def test_spark_sql_equals_the_engine_on_generated_facts(spark: Any, drawn: tuple[str, pd.DataFrame]) -> None:
    version, facts = drawn
    cat = differential.catalogue(version)
    differential.assert_same(cat, facts, run_spark_sql(spark, [(cat, facts)])[0])
