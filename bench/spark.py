"""The national job's throughput in Spark local mode at 1 and 2 cores, against the pandas engine, in one run.

    python bench/spark.py                    # 100k and 1M enterprises
    python bench/spark.py --sizes 100000     # quicker

Each path goes file to file, as the job does: read the facts parquet, score, write the results parquet.
"pandas" is one process running the same function each Spark partition runs (``lrc.spark.results_frame``);
"engine only" is the scoring inside it. Spark runs are timed after a warm-up job on the same session
(JVM start, Python workers and JIT not counted; a cluster pays them once per job, not per row)."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from indicators import load_catalogue
from lrc.samples import generate
from lrc.service.national_export import ROW_GROUP
from lrc.spark import results_frame
from scoring import score

console = Console()
MASTERS = ("local[1]", "local[2]")


def timed(fn) -> float:  # noqa: ANN001
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def pandas_seconds(catalogue, facts: Path, out: Path) -> tuple[float, float]:  # noqa: ANN001
    """(file to file, engine only) for the pandas path, best of two."""

    def run() -> None:
        results_frame(catalogue, pd.read_parquet(facts)).to_parquet(out, index=False)

    frame = pd.read_parquet(facts).set_index("uscc", drop=False)
    return min(timed(run) for _ in range(2)), min(timed(lambda: score(catalogue, frame)) for _ in range(2))


def spark_seconds(catalogue, master: str, facts: Path, warm: Path, out: Path, partitions: int) -> tuple[float, float]:  # noqa: ANN001
    """(the job, a plain parquet copy of the facts on the same session: Spark's I/O without scoring), best of two."""
    from lrc.spark.job import run_job, session

    spark = session(master, app_name="lrc-bench")
    try:
        run_job(spark, catalogue, str(warm), str(out), partitions=partitions)  # warm-up
        job = lambda: run_job(spark, catalogue, str(facts), str(out), partitions=partitions)  # noqa: E731
        copy = lambda: spark.read.parquet(str(facts)).write.mode("overwrite").parquet(str(out) + "-copy")  # noqa: E731
        return min(timed(job) for _ in range(2)), min(timed(copy) for _ in range(2))
    finally:
        spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--partitions", type=int, default=0, help="repartition by province first (0: as read)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)
    catalogue = load_catalogue()
    console.print(f"CPU cores: {os.cpu_count()}  catalogue {catalogue.version}")
    table = Table(title="national job: rows per second (file to file)")
    for column in ("rows", "path", "seconds", "rows/s", "vs pandas"):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        warm = folder / "warm.parquet"
        generate(5_000, seed=1, period="2026Q3", catalogue=catalogue).to_parquet(warm, index=False)
        for n in args.sizes:
            facts = folder / f"facts-{n}.parquet"
            sample = generate(n, seed=7, period="2026Q3", catalogue=catalogue)
            sample.to_parquet(facts, index=False, row_group_size=ROW_GROUP)  # as lrc export writes it
            pandas_s, engine_s = pandas_seconds(catalogue, facts, folder / "pandas.parquet")
            table.add_row(f"{n:,}", "pandas engine only", f"{engine_s:.2f}", f"{n / engine_s:,.0f}", "")
            table.add_row(f"{n:,}", "pandas", f"{pandas_s:.2f}", f"{n / pandas_s:,.0f}", "1.00")
            for master in MASTERS:
                seconds, copy_s = spark_seconds(catalogue, master, facts, warm, folder / "spark", args.partitions)
                table.add_row(f"{n:,}", f"spark {master}", f"{seconds:.2f}", f"{n / seconds:,.0f}",
                              f"{pandas_s / seconds:.2f}")  # fmt: skip
                table.add_row(f"{n:,}", f"  parquet copy only, {master}", f"{copy_s:.2f}", f"{n / copy_s:,.0f}", "")
    console.print(table)
    console.print("vs pandas: the pandas file-to-file time divided by this path's (above 1: faster than pandas)")


if __name__ == "__main__":
    main()
