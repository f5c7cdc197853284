"""The national job on Spark: facts parquet in, results parquet out, each partition scored by the pandas
engine through ``mapInPandas`` (no second rule set). pyspark is imported here only, when the job runs."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from indicators import Catalogue, parse_catalogue
from lrc.errors import UsageError
from lrc.spark.frames import check_columns, passthrough, results_frame

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

BATCH_ROWS = 1 << 15  # rows per Arrow batch: the engine's own block size
APP_NAME = "lrc-national-score"


MASTERS = re.compile(r"^(local(\[(\*|\d+)(,\d+)?\])?|yarn|(spark|k8s)://\S+)$")


def check_master(master: str) -> str:
    """``master`` if Spark accepts its form (local, local[N], local[*], yarn, spark://…, k8s://…)."""
    if not MASTERS.match(master):
        raise UsageError(f"--master {master!r} 应为 local[*]、local[N]、yarn、spark://… 或 k8s://… (unknown master)")
    return master


def session(
    master: str | None = "local[*]", app_name: str = APP_NAME, conf: dict[str, str] | None = None
) -> SparkSession:
    """A Spark session (local mode by default; None: the master spark-submit gives) tuned for pandas batches:
    Arrow on, engine-sized batches; ``conf`` adds or overrides settings (``spark.archives``, memory, …)."""
    warnings.filterwarnings("ignore", message=".*pandas >= 3.0.0.*", category=FutureWarning)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(check_master(master))
    builder = builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", str(BATCH_ROWS))
    builder = builder.config("spark.sql.execution.arrow.pyspark.enabled", "true")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    if master is not None and master.startswith("local"):  # a command on this machine: no web UI, a quiet log
        quiet = f"-Dlog4j.configurationFile=file:{Path(__file__).with_name('log4j2.properties')}"
        builder = builder.config("spark.ui.enabled", "false").config("spark.driver.extraJavaOptions", quiet)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("FATAL")  # a failure reaches Python as an exception, said in one line
    return spark


def first_line(exc: BaseException) -> str:
    """The line of a Spark or Java error that says what went wrong (not py4j's "An error occurred while calling")."""
    lines = [line.strip().removeprefix(": ") for line in str(exc).splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("An error occurred while calling")]
    return lines[0][:300] if lines else exc.__class__.__name__


@lru_cache(maxsize=4)
def _catalogue(document: str) -> Catalogue:
    """The catalogue in a Python worker, parsed once per worker from the driver's canonical JSON."""
    return parse_catalogue(json.loads(document), source="spark job")


def scorer(document: str) -> Any:
    """The function each partition runs: Arrow batches of facts in, batches of results out."""

    def score_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        catalogue = _catalogue(document)
        for facts in batches:
            yield results_frame(catalogue, facts)

    return score_batches


def result_schema(catalogue: Catalogue, facts: DataFrame) -> Any:
    """Spark schema of the results: ``uscc``, the passthrough columns as the facts type them, the summary,
    then one double column per item (its points)."""
    from pyspark.sql.types import BooleanType, DoubleType, StringType, StructField, StructType

    kept = passthrough(facts.columns)
    fields = [StructField("uscc", StringType(), True)]
    fields += [facts.schema[c] for c in kept]
    fields += [
        StructField("total", DoubleType(), False),
        StructField("grade", StringType(), False),
        StructField("red_line", BooleanType(), False),
        StructField("completeness", DoubleType(), False),
        StructField("gaps", StringType(), False),
    ]
    fields += [StructField(code, DoubleType(), False) for code in catalogue.item_codes]
    return StructType(fields)


def score_facts(catalogue: Catalogue, facts: DataFrame) -> DataFrame:
    """The results of a facts DataFrame, lazily (nothing runs until it is written or collected)."""
    problems = check_columns(catalogue, facts.columns)
    if problems:
        raise UsageError(";".join(problems))
    return facts.mapInPandas(scorer(catalogue.canonical_json()), result_schema(catalogue, facts))


PROVINCE = "province"  # the first two digits of the region code (GB/T 2260), a results folder per province


def run_job(
    spark: SparkSession, catalogue: Catalogue, source: str, output: str, *, partitions: int = 0,
    by_province: bool = False,
) -> int:  # fmt: skip
    """Read ``source`` (parquet), score it, overwrite ``output`` (a parquet folder); the rows written.
    ``partitions`` > 0 repartitions the facts first, by ranges of ``region_code`` (then USCC) when they carry
    it: a partition holds neighbouring regions of one province (rarely two), and a large province spans several;
    ``by_province`` writes one folder per province (``province=21``), each what that province imports."""
    from pyspark.sql import functions as F

    facts = spark.read.parquet(source)
    province = F.substring("region_code", 1, 2)
    if by_province and "region_code" not in facts.columns:
        raise UsageError("按省写出需要事实数据有 region_code 列 (--by-province needs region_code)")
    if partitions > 0:
        regional = "region_code" in facts.columns
        facts = (
            facts.repartitionByRange(partitions, "region_code", "uscc") if regional else facts.repartition(partitions)
        )
    results = score_facts(catalogue, facts)
    if by_province:
        results.withColumn(PROVINCE, province).write.mode("overwrite").partitionBy(PROVINCE).parquet(output)
    else:
        results.write.mode("overwrite").parquet(output)
    return int(spark.read.parquet(output).count())
