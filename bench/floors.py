"""The floors under issue #14's two unmet targets on this machine: what any implementation of lrc's store
must spend at least, measured without lrc's own Python work. Figures, not pass/fail tests.

    python bench/floors.py --store /tmp/perf/1m.db                       # SQLite only
    python bench/floors.py --store /tmp/perf/1m.db --postgres            # and a new PostgreSQL database

``--store`` is a SQLite store built through the CLI (`lrc ingest` then `lrc score` of one period; see
bench/queries.py). Its rows are read into memory first (not timed), then:

- **imports**: a fresh interpreter importing each part of the stack the project is built on, alone, median of
  5. The 0.5 s target for `lrc rank --top 10` and `lrc explain` is for the whole process.
- **writes**: the period's rows appended into a new, empty store made by lrc's own migrations (the same
  tables, indexes, foreign keys and triggers): ingest's enterprises and submissions, score's results, each
  in one transaction, in enterprise id order (the order lrc writes them). SQLite through the ``sqlite3``
  module's ``executemany`` with lrc's pragmas; PostgreSQL through psycopg's COPY. No validation, no scoring,
  no Python per row beyond handing the tuples over.
- **reads**: a period run's one query, every enterprise's newest submission with its facts, fetched whole.
- **index costs** (``--index-costs``): score's writes into SQLite again, first without the ranking index, then
  without any secondary index of ``score_results``: what each index the read path rests on costs a period run.

The sum of the writes and the read is the floor under the 40 s target for ingest + score: whatever lrc does
in Python (reading the CSV, validating, scoring, building rows) comes on top."""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from stores import pg_database

console = Console(width=150)
IMPORTS = {
    "python alone": "pass",
    "sqlalchemy": "import sqlalchemy",
    "pandas (numpy, pyarrow)": "import pandas",
    "psycopg": "import psycopg",
    "typer with rich": "import typer, rich.console",
    "sqlalchemy + typer": "import sqlalchemy, typer, rich.console",
    "sqlalchemy + typer + psycopg": "import sqlalchemy, typer, rich.console, psycopg",
}
INGEST_TABLES = ("enterprises", "ingest_batches", "submissions")
SCORE_TABLES = ("catalogue_versions", "score_runs", "score_results")
NEWEST = """
SELECT s.uscc, s.enterprise_id, s.id, s.content_hash, s.batch_id, s.name, s.region_code, s.industry, s.size,
       s.ownership, s.facts
FROM submissions s JOIN (SELECT enterprise_id, max(version) AS version FROM submissions
                         WHERE period = ? GROUP BY enterprise_id) n
  ON s.enterprise_id = n.enterprise_id AND s.version = n.version
WHERE s.period = ? ORDER BY s.uscc"""


def import_seconds(statement: str) -> float:
    """Median wall seconds of a fresh interpreter running ``statement`` (its byte code compiled before)."""
    times = []
    for _ in range(6):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def store_rows(path: Path) -> tuple[str, dict[str, tuple[list[str], list[tuple]]]]:
    """The period and, for each table written, its column names and rows (enterprise id order)."""
    source = sqlite3.connect(path)
    period = source.execute("SELECT period FROM score_runs ORDER BY id LIMIT 1").fetchone()[0]
    rows = {}
    for table in (*INGEST_TABLES, *SCORE_TABLES):
        names = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
        order = {"enterprises": "id", "submissions": "enterprise_id, id", "score_results": "enterprise_id"}
        query = f"SELECT {', '.join(names)} FROM {table}"  # noqa: S608
        if table == "score_results":
            query += " WHERE run_id = (SELECT min(id) FROM score_runs)"
        if table in {"ingest_batches", "score_runs"}:
            query += f" WHERE id = (SELECT min(id) FROM {table})"
        if table == "catalogue_versions":
            query += " WHERE content_hash = (SELECT catalogue_hash FROM score_runs ORDER BY id LIMIT 1)"
        rows[table] = (names, source.execute(query + f" ORDER BY {order.get(table, 'rowid')}").fetchall())
    source.close()
    return period, rows


def new_store(url: str) -> None:
    from lrc.store import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


SECONDARY = ("ix_score_results_ranking", "ix_score_results_uscc_run", "ix_score_results_enterprise_id")


def sqlite_writes(rows: dict[str, tuple[list[str], list[tuple]]], dropped: tuple[str, ...] = ()) -> dict[str, float]:
    """Seconds (wall, and ``score_cpu``: this process's CPU) to append each command's tables into a new SQLite
    store, one transaction per command, the indexes ``dropped`` dropped first."""
    from lrc.store.engine import SQLITE_CACHE_KIB

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "floor.db"
        new_store(f"sqlite:///{path}")
        conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", f"cache_size=-{SQLITE_CACHE_KIB}"):
            conn.execute(f"PRAGMA {pragma}")
        for index in dropped:
            conn.execute(f"DROP INDEX {index}")
        seconds = {}
        for command, tables in (("ingest", INGEST_TABLES), ("score", SCORE_TABLES)):
            start, cpu = time.perf_counter(), time.process_time()
            conn.execute("BEGIN")
            for table in tables:
                names, values = rows[table]
                marks = ", ".join("?" * len(names))
                conn.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", values)  # noqa: S608
            conn.execute("COMMIT")
            seconds[command] = time.perf_counter() - start
            seconds[f"{command}_cpu"] = time.process_time() - cpu
        conn.close()
    return seconds


def sqlite_read(path: Path, period: str) -> float:
    """Seconds of a period run's read of every newest submission with its facts (the store's cache cold to
    this connection, the operating system's warm: read once before)."""
    for _ in range(2):
        conn = sqlite3.connect(path)
        start = time.perf_counter()
        conn.execute(NEWEST, (period, period)).fetchall()
        elapsed = time.perf_counter() - start
        conn.close()
    return elapsed


def postgres_writes(rows: dict[str, tuple[list[str], list[tuple]]], period: str) -> dict[str, float]:
    """Seconds to COPY each command's tables into a new PostgreSQL store, one transaction per command, and
    of the period run's read."""
    import psycopg

    url, drop = pg_database()
    try:
        new_store(url)
        seconds = {}
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
            for command, tables in (("ingest", INGEST_TABLES), ("score", SCORE_TABLES)):
                start = time.perf_counter()
                with conn.transaction(), conn.cursor() as cursor:
                    for table in tables:
                        names, values = rows[table]
                        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                            for row in values:
                                copy.write_row(row)
                seconds[command] = time.perf_counter() - start
            conn.execute("ANALYZE")
            for _ in range(2):
                start = time.perf_counter()
                conn.execute(NEWEST.replace("?", "%s"), (period, period)).fetchall()
                seconds["read"] = time.perf_counter() - start
        return seconds
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="a SQLite store scored through the CLI")
    parser.add_argument("--postgres", action="store_true", help="also COPY the rows into a new PostgreSQL database")
    parser.add_argument("--index-costs", action="store_true", help="also score's SQLite writes without its indexes")
    args = parser.parse_args()
    imports = Table(title="导入耗时 imports, a fresh interpreter each (median of 5), against 0.5 s a whole process")
    for column in ("import", "s", "share of 0.5 s"):
        imports.add_column(column, justify="right")
    for label, statement in IMPORTS.items():
        seconds = import_seconds(statement)
        imports.add_row(label, f"{seconds:.3f}", f"{seconds / 0.5:.0%}")
    console.print(imports)
    period, rows = store_rows(args.store)
    n = len(rows["score_results"][1])
    floors = {"SQLite": {**sqlite_writes(rows), "read": sqlite_read(args.store, period)}}
    if args.postgres:
        floors["PostgreSQL"] = postgres_writes(rows, period)
    table = Table(title=f"写入与读取下限 floors of {n:,} enterprises, no Python work of lrc's (seconds)")
    for column in ("store", "ingest's writes", "score's read", "score's writes", "sum", "against 40 s"):
        table.add_column(column, justify="right")
    for store, s in floors.items():
        total = s["ingest"] + s["read"] + s["score"]
        table.add_row(store, f"{s['ingest']:.1f}", f"{s['read']:.1f}", f"{s['score']:.1f}", f"{total:.1f}",
                      f"{total / 40:.0%}")  # fmt: skip
    console.print(table)
    if args.index_costs:
        index_costs(rows, floors["SQLite"])


def index_costs(rows: dict[str, tuple[list[str], list[tuple]]], base: dict[str, float]) -> None:
    """Score's SQLite writes as they are, without the ranking index, and without any secondary index."""
    table = Table(title="一期评分写入 SQLite 的索引开销 what score_results' indexes cost a period run's writes")
    for column in ("indexes", "wall s", "CPU s", "CPU against all indexes"):
        table.add_column(column, justify="right")
    variants = {"all (as lrc keeps them)": base, "without the ranking index": sqlite_writes(rows, SECONDARY[:1]),
                "no secondary index": sqlite_writes(rows, SECONDARY)}  # fmt: skip
    for label, s in variants.items():
        table.add_row(label, f"{s['score']:.1f}", f"{s['score_cpu']:.1f}", f"{s['score_cpu'] / base['score_cpu']:.0%}")
    console.print(table)


if __name__ == "__main__":
    main()
