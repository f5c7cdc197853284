"""Province scale through the CLI, each command a whole process: figures and ratios, not pass/fail tests
(issue #14).

    python bench/province.py                                   # 10k, 100k, 1M; SQLite and PostgreSQL
    python bench/province.py --sizes 10000,100000 --no-postgres
    python bench/province.py --sizes 1000000 --bounded 3000000 --no-postgres

For each size it writes a sample CSV (`lrc sample`, not timed), then on each store runs `lrc init`,
`lrc ingest` and `lrc score`, each with its wall time, CPU time and peak memory (of the process and any
process it starts), then `lrc rank --top 10` with a region and with an industry filter, `lrc explain USCC` and
`lrc --version` (median of 5 runs each). Last it prints how each cost grows per 10x rows: near 10x is the
target. ``--bounded N`` also ingests an N-row file on SQLite, to show that the peak stays where it was (the
file is read in chunks)."""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from stores import pg_database

LRC = str(Path(sys.executable).parent / "lrc")
PERIOD = "2026Q3"
console = Console(width=150)


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float


def tree_rss(pid: int) -> int:
    """Bytes resident in process ``pid`` and every process below it (an ingest reads ahead in a second one)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, grew = {pid}, True
    while grew:
        below = {p for p, parent in parents.items() if parent in tree} - tree
        tree, grew = tree | below, bool(below)
    total = 0
    for member in tree:
        try:
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            continue
    return total


def run(args: list[str], env: dict[str, str]) -> Run:
    """One whole ``lrc`` process: wall seconds, CPU seconds (its children's too) and peak resident memory in MB,
    of the process and its children together (sampled every 0.1 s; the process's own peak, from wait4, when
    that is higher)."""
    start = time.perf_counter()
    process = subprocess.Popen([LRC, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, done = [0], threading.Event()

    def sample_memory() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], tree_rss(process.pid))

    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"lrc {' '.join(args)} failed ({process.returncode}): {error[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, max(usage.ru_maxrss / 1024, peak[0] / 2**20))


def median_run(args: list[str], env: dict[str, str], times: int = 5) -> Run:
    runs = [run(args, env) for _ in range(times)]
    return Run(*(statistics.median(getattr(r, f) for r in runs) for f in ("wall", "cpu", "peak_mb")))


def sample(n: int, folder: Path, env: dict[str, str]) -> tuple[Path, str]:
    path = folder / f"facts-{n}.csv"
    start = time.perf_counter()
    run(["sample", "--n", str(n), "--seed", "7", "--period", PERIOD, "--output", str(path)], env)
    seconds, size = time.perf_counter() - start, path.stat().st_size / 1e6
    console.print(f"sample of {n:,} written in {seconds:.0f} s ({size:.0f} MB)")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = csv.reader(stream)
        next(rows)
        return path, next(rows)[0]


def measure(n: int, store: str, url: str, facts: Path, uscc: str, env: dict[str, str]) -> dict[str, Run]:
    db = ["--db", url]
    run(["init", *db], env)
    figures = {
        "ingest": run(["ingest", str(facts), "--period", PERIOD, *db], env),
        "score": run(["score", "--period", PERIOD, *db], env),
    }
    figures["rank, region"] = median_run(["rank", "--period", PERIOD, "--top", "10", "--region", "210200", *db], env)
    figures["rank, industry"] = median_run(["rank", "--period", PERIOD, "--top", "10", "--industry", "C", *db], env)
    figures["explain"] = median_run(["explain", uscc, "--period", PERIOD, *db], env)
    figures["--version"] = median_run(["--version"], env)
    console.print(
        f"{store} {n:,}: ingest {figures['ingest'].wall:.1f} s, score {figures['score'].wall:.1f} s, "
        f"rank {figures['rank, region'].wall:.2f} s, explain {figures['explain'].wall:.2f} s"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--bounded", type=int, default=0, help="also ingest a file of this many rows (SQLite)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[tuple[str, int], dict[str, Run]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "LRC_LOG_DIR": str(folder / "logs"), "COLUMNS": "200"}
        env.pop("LRC_USER", None)
        for n in sizes:
            facts, uscc = sample(n, folder, env)
            stores = [("SQLite", f"sqlite:///{folder / f'bench-{n}.db'}", None)]
            if not args.no_postgres:
                stores.append(("PostgreSQL", *pg_database()))
            for store, url, drop in stores:
                try:
                    results[(store, n)] = measure(n, store, url, facts, uscc, env)
                finally:
                    if drop:
                        drop()
            facts.unlink()
        bounded = None
        if args.bounded:
            facts, _ = sample(args.bounded, folder, env)
            url = f"sqlite:///{folder / 'bounded.db'}"
            run(["init", "--db", url], env)
            bounded = run(["ingest", str(facts), "--period", PERIOD, "--db", url], env)
    show(results, sizes, bounded, args.bounded)


def show(results: dict[tuple[str, int], dict[str, Run]], sizes: list[int], bounded: Run | None, rows: int) -> None:
    table = Table(title="省级规模 province scale, whole processes through the CLI")
    for column in ("store", "n", "command", "wall s", "CPU s", "peak MB", "target"):
        table.add_column(column, justify="right")
    targets = {"ingest": "< 2,048 MB", "score": "< 2,048 MB", "rank, region": "< 0.5 s",
               "rank, industry": "< 0.5 s", "explain": "< 0.5 s", "--version": "< 0.3 s"}  # fmt: skip
    for (store, n), figures in results.items():
        for command, r in figures.items():
            table.add_row(store, f"{n:,}", command, f"{r.wall:.2f}", f"{r.cpu:.2f}", f"{r.peak_mb:,.0f}",
                          targets[command])  # fmt: skip
        both = figures["ingest"].wall + figures["score"].wall
        table.add_row(store, f"{n:,}", "ingest + score", f"{both:.1f}", "", "", "< 40 s at 1M")
    console.print(table)
    growth = Table(title="每 10 倍企业数的增长 growth per 10x rows (time ratio; near 10x is the target)")
    for column in ("store", "from → to", "ingest", "score", "rank, region", "explain", "peak MB, score"):
        growth.add_column(column, justify="right")
    for store in dict.fromkeys(s for s, _ in results):
        ordered = [n for n in sizes if (store, n) in results]
        for a, b in zip(ordered, ordered[1:], strict=False):
            x, y = results[(store, a)], results[(store, b)]
            per10 = 1 / (len(str(b // a)) - 1) if b // a >= 10 else 1.0  # ratio ** (1 / decades)
            cells = [f"{(y[c].wall / x[c].wall) ** per10:.1f}x" for c in ("ingest", "score", "rank, region", "explain")]
            peak = f"{(y['score'].peak_mb / x['score'].peak_mb) ** per10:.1f}x"
            growth.add_row(store, f"{a:,} → {b:,}", *cells, peak)
    console.print(growth)
    if bounded is not None:
        console.print(
            f"bounded memory: ingest of {rows:,} rows on SQLite took {bounded.wall:.0f} s, "
            f"peak {bounded.peak_mb:,.0f} MB"
        )
    console.print(f"cores {os.cpu_count()}; load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
