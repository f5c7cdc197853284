"""`lrc demo`: from nothing to a scored sample of two periods."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine

from lrc import render
from lrc.samples import DEMO_PERIODS, DEMO_SEED, generate, write_sample
from lrc.samples.records import DEMO_AS_OF, generate_records, write_records
from lrc.service import ingest_file, score_period
from lrc.service.access import Principal
from lrc.service.records import ingest_records
from lrc.service.setup import init_store

DEMO_DIR = Path("lrc-demo")


def run_demo(
    engine: Engine, who: Principal, console: Console, *, n: int = 500, directory: Path = DEMO_DIR
) -> list[int]:
    """Create the schema, write sample files for each demo period and the sample records, ingest them and
    score the periods (the runs count the records live at each period's end).
    Returns the new run ids. Safe to repeat: unchanged data is not stored twice."""
    init_store(engine, who)
    directory.mkdir(parents=True, exist_ok=True)
    run_ids = []
    for period in DEMO_PERIODS:
        path = directory / f"sample-{period}.csv"
        write_sample(generate(n, seed=DEMO_SEED, period=period), path)
        with render.progress(f"导入 {period}") as advance:
            render.ingest_summary(console, ingest_file(engine, who, path, period, progress=advance))
    records = directory / "records.csv"
    write_records(generate_records(n, seed=DEMO_SEED, today=DEMO_AS_OF), records)
    with render.progress("导入记录") as advance:
        stored = ingest_records(engine, who, records, progress=advance)
    console.print(f"{records}: {stored.received} 条记录,新写入 {len(stored.stored)} 条 (records)")
    for period in DEMO_PERIODS:
        with render.progress(f"评分 {period}") as advance:
            summary = score_period(engine, who, period, progress=advance)
        render.run_summary(console, summary)
        run_ids.append(summary.run_id)
    console.print(f"样例数据已评分。试试:lrc rank --period {DEMO_PERIODS[-1]} --top 10")
    return run_ids
