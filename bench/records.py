"""Records benchmark: figures, not pass/fail tests.

    python bench/records.py                  # 100k enterprises, SQLite and PostgreSQL
    python bench/records.py --n 10000 --no-postgres

For each store it loads ``--n`` sample enterprises for two periods (scored with the newest catalogue),
then times ``--calls`` single records (`lrc record add` through the service: checked, stored, the
enterprise re-scored in every period the record counts for, the new result stored) and prints p50/p95/max
in milliseconds against the 200 ms target; then one file of ``--file-records`` records (`lrc record
ingest`), with its time and records per second."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from stores import pg_database

from indicators import load_catalogue
from lrc.samples import generate, write_sample
from lrc.service import ingest_file, score_period
from lrc.service.access import single_user
from lrc.service.records import add_record, ingest_records
from lrc.store import make_engine, upgrade

ADMIN = single_user()  # benchmarks act in single-user mode, as the README's commands do

PERIODS = ("2026Q2", "2026Q3")
DECIDED = date(2026, 9, 1)  # plus up to 28 days: inside 2026Q3, so every record re-scores its enterprise
console = Console()




def load_store(url: str, n: int, directory: Path) -> list[str]:
    engine = make_engine(url)
    upgrade(engine)
    usccs: list[str] = []
    for period in PERIODS:
        frame = generate(n, seed=11, period=period)
        path = directory / f"{period}.csv"
        write_sample(frame, path)
        start = time.perf_counter()
        ingest_file(engine, ADMIN, path, period)
        score_period(engine, ADMIN, period)
        console.print(f"  {period}: {n:,} enterprises ingested and scored in {time.perf_counter() - start:.1f} s")
        usccs = frame["uscc"].tolist()
    engine.dispose()
    return usccs


def single_records(url: str, usccs: list[str], calls: int) -> list[float]:
    """Milliseconds from a record received to its new result stored, one call at a time."""
    engine = make_engine(url)
    rng = np.random.default_rng(5)
    chosen = rng.choice(len(usccs), size=calls, replace=False)
    kinds = ["LABOUR_PENALTY", "CORRECTION_ORDER", "WAGE_ARREARS_FINDING", "FATAL_ACCIDENT_RESPONSIBLE"]
    times = []
    for k, index in enumerate(chosen):
        kind = kinds[k % len(kinds)]
        values = {
            "uscc": usccs[int(index)], "type": kind, "date": (DECIDED + timedelta(days=k % 29)).isoformat(),
            "source": "沈阳市人力资源和社会保障局", "ref": f"沈人社监〔2026〕{k + 1}号",
            "severity": "严重" if kind != "CORRECTION_ORDER" else "",
        }  # fmt: skip
        start = time.perf_counter()
        summary = add_record(engine, ADMIN, values)
        times.append((time.perf_counter() - start) * 1000)
        assert summary.results, "every benchmark record re-scores its enterprise"
    engine.dispose()
    return times


def record_file(url: str, usccs: list[str], count: int, directory: Path) -> tuple[float, int]:
    rng = np.random.default_rng(9)
    rows = pd.DataFrame(
        {
            "uscc": [usccs[int(i)] for i in rng.integers(0, len(usccs), size=count)],
            "type": "LABOUR_PENALTY",
            "date": [(DECIDED + timedelta(days=int(d))).isoformat() for d in rng.integers(0, 29, size=count)],
            "source": "大连市人力资源和社会保障局",
            "ref": [f"大人社罚〔2026〕{k + 1}号" for k in range(count)],
            "severity": "一般",
        }
    )
    path = directory / "records.csv"
    rows.to_csv(path, index=False, encoding="utf-8-sig")
    engine = make_engine(url)
    start = time.perf_counter()
    summary = ingest_records(engine, ADMIN, path)
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds, len(summary.results)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="enterprises in the store")
    parser.add_argument("--calls", type=int, default=200, help="single records timed")
    parser.add_argument("--file-records", type=int, default=10_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    latency = Table(title=f"单条记录 → 新结果已存 (one record → new result stored), {args.n:,} enterprises, ms")
    for column in ("store", "calls", "p50", "p95", "max", "mean", "p95 vs 200 ms target"):
        latency.add_column(column, justify="right")
    batch = Table(title=f"记录文件 (one file of {args.file_records:,} records)")
    for column in ("store", "seconds", "records/s", "results re-scored"):
        batch.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as tmp:
        stores: list[tuple[str, str, Callable[[], None] | None]] = [
            ("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", None)
        ]
        if not args.no_postgres:
            url, drop = pg_database()
            stores.append(("PostgreSQL", url, drop))
        for label, url, drop in stores:
            try:
                console.print(f"{label}:")
                usccs = load_store(url, args.n, Path(tmp))
                times = single_records(url, usccs, args.calls)
                p95 = percentile(times, 95)
                latency.add_row(
                    label, str(len(times)), f"{percentile(times, 50):.1f}", f"{p95:.1f}", f"{max(times):.1f}",
                    f"{statistics.mean(times):.1f}", f"{p95 / 200:.2f}x",
                )  # fmt: skip
                seconds, rescored = record_file(url, usccs, args.file_records, Path(tmp))
                batch.add_row(label, f"{seconds:.1f}", f"{args.file_records / seconds:,.0f}", f"{rescored:,}")
            finally:
                if drop:
                    drop()
    console.print(latency)
    console.print(batch)
    console.print(f"catalogue {load_catalogue().version}; cores {os.cpu_count()}; target p95 < 200 ms")


if __name__ == "__main__":
    main()
