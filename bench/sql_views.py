"""SQL views benchmark: figures, not pass/fail tests.

    python bench/sql_views.py                  # 100k enterprises, SQLite and PostgreSQL
    python bench/sql_views.py --n 10000 --no-postgres

For each store it ingests and scores ``--n`` sample enterprises for one period through the service (then
ANALYZE), and times the questions of docs/sql.md and a few more on the views (v_results, v_result_items,
v_levels): seconds for the first and the best of ``--repeat`` runs, and the rows answered."""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, text
from stores import pg_database

from lrc.samples import generate, write_sample
from lrc.service import ingest_file, score_period
from lrc.service.access import single_user
from lrc.store import make_engine, upgrade

ADMIN = single_user()
PERIOD = "2026Q3"
GUIDE = Path(__file__).resolve().parent.parent / "docs" / "sql.md"
MORE = {
    "every item of every enterprise, summed": f"SELECT COUNT(*), SUM(points_tenths) FROM v_result_items "
    f"WHERE period = '{PERIOD}'",
    "all levels of every enterprise, summed": f"SELECT level, SUM(points) FROM v_levels WHERE period = '{PERIOD}' "
    "GROUP BY level",
    "one enterprise, every view": "SELECT (SELECT COUNT(*) FROM v_results WHERE uscc = :u), "
    "(SELECT COUNT(*) FROM v_result_items WHERE uscc = :u), (SELECT COUNT(*) FROM v_levels WHERE uscc = :u)",
}
console = Console()


def questions() -> dict[str, str]:
    """The guide's queries and a few heavier ones."""
    found = re.findall(r"```sql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.DOTALL)
    return {f"docs/sql.md example {k + 1}": q for k, q in enumerate(found)} | MORE


def load_store(url: str, n: int, directory: Path) -> tuple[Engine, str]:
    engine = make_engine(url)
    upgrade(engine)
    frame = generate(n, seed=4, period=PERIOD)
    path = directory / "sample.csv"
    write_sample(frame, path)
    start = time.perf_counter()
    ingest_file(engine, ADMIN, path, PERIOD)
    score_period(engine, ADMIN, PERIOD)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    console.print(f"  {n:,} enterprises ingested and scored in {time.perf_counter() - start:.1f} s")
    return engine, str(frame["uscc"].iloc[n // 2])


def timed(engine: Engine, query: str, uscc: str, repeat: int) -> tuple[float, float, int]:
    times, answered = [], 0
    for _ in range(repeat):
        with engine.connect() as conn:
            start = time.perf_counter()
            rows = conn.execute(text(query), {"u": uscc} if ":u" in query else {}).all()
            times.append(time.perf_counter() - start)
            answered = len(rows)
    return times[0], min(times), answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="enterprises in the store")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each question")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    table = Table(title=f"SQL views, {args.n:,} enterprises in {PERIOD}, s")
    for column in ("store", "question", "first", "best", "rows"):
        table.add_column(column, justify="left" if column == "question" else "right")
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
                engine, uscc = load_store(url, args.n, Path(tmp))
                for name, query in questions().items():
                    first, best, answered = timed(engine, query, uscc, args.repeat)
                    table.add_row(label, name, f"{first:.2f}", f"{best:.2f}", f"{answered:,}")
                engine.dispose()
            finally:
                if drop:
                    drop()
    console.print(table)
    console.print(f"cores {os.cpu_count()}; load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
