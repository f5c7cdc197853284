"""Read-path benchmark: `lrc rank --top 10` and `lrc explain` through the CLI, whole process (start-up,
imports, the query, the output), against the 0.5 s target. Figures, not pass/fail tests.

    python bench/queries.py                     # every store found in /tmp/perf (10k.db, 100k.db, 1m.db)
    python bench/queries.py --store 100k=/tmp/perf/100k.db --repeat 5

Build a store once with the CLI, e.g. for 1M:

    lrc sample --n 1000000 --period 2026Q3 --output /tmp/perf/1m.csv
    lrc init --db sqlite:////tmp/perf/1m.db
    lrc ingest /tmp/perf/1m.csv --period 2026Q3 --db sqlite:////tmp/perf/1m.db
    lrc score --period 2026Q3 --db sqlite:////tmp/perf/1m.db

Each command runs ``--repeat`` times after one warm-up run (the operating system's file cache warm); the
median is shown, with its ratio to the target (below 1.0 meets it) and how it grows per 10x rows."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

PERIOD = "2026Q3"
TARGET_S = 0.5
console = Console()

COMMANDS: list[tuple[str, list[str]]] = [
    ("rank --top 10", ["rank", "-p", PERIOD, "--top", "10"]),
    ("rank --top 10 --region 210200", ["rank", "-p", PERIOD, "--top", "10", "--region", "210200"]),
    (
        "rank --top 10 --region 210203 -f json",
        ["rank", "-p", PERIOD, "--top", "10", "--region", "210203", "-f", "json"],
    ),
    (
        "rank --top 10 --industry C --size 小型",
        ["rank", "-p", PERIOD, "--top", "10", "--industry", "C", "--size", "小型"],
    ),
    ("rank --top 10 --grade C", ["rank", "-p", PERIOD, "--top", "10", "--grade", "C"]),
    ("rank --top 10 --search 有限", ["rank", "-p", PERIOD, "--top", "10", "--search", "有限"]),
    ("explain (best) -f json", ["explain", "{best}", "-p", PERIOD, "-f", "json"]),
    ("explain (worst)", ["explain", "{worst}", "-p", PERIOD]),
]


def lrc(args: list[str], url: str) -> tuple[float, str]:
    env = {**os.environ, "LRC_DATABASE_URL": url}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from lrc.cli import main; main()", *args], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"lrc {' '.join(args)} failed: {done.stderr[-2000:]}")
    return elapsed, done.stdout


def measure(url: str, repeat: int) -> dict[str, float]:
    _, best = lrc(["rank", "-p", PERIOD, "--top", "1", "-f", "json"], url)
    _, worst = lrc(["rank", "-p", PERIOD, "--grade", "D", "--top", "1", "-f", "json"], url)
    usccs = {"best": json.loads(best)[0]["uscc"], "worst": (json.loads(worst) or json.loads(best))[0]["uscc"]}
    figures = {}
    for label, args in COMMANDS:
        concrete = [a.format(**usccs) for a in args]
        lrc(concrete, url)  # warm-up
        figures[label] = statistics.median(lrc(concrete, url)[0] for _ in range(repeat))
    figures["lrc --version"] = statistics.median(lrc(["--version"], url)[0] for _ in range(repeat))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", action="append", help="LABEL=PATH of a SQLite store, or LABEL=URL")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    stores = (
        dict(s.split("=", 1) for s in args.store)
        if args.store
        else {label: str(Path("/tmp/perf") / f"{label}.db") for label in ("10k", "100k", "1m")}
    )
    found = {
        label: where if "://" in where else f"sqlite:///{Path(where).resolve()}"
        for label, where in stores.items()
        if "://" in where or Path(where).exists()
    }
    if not found:
        raise SystemExit("no store found: build one first (see the docstring)")
    results = {}
    for label, url in found.items():
        console.print(f"[bold]{label}[/] {url}")
        results[label] = measure(url, args.repeat)
    table = Table(title=f"read path, whole process, median of {args.repeat} (target {TARGET_S} s)")
    table.add_column("command")
    labels = list(results)
    for label in labels:
        table.add_column(f"{label} s", justify="right")
        table.add_column(f"{label} / target", justify="right")
    if len(labels) > 1:
        table.add_column("growth per 10x rows", justify="right")
    for command in results[labels[0]]:
        row = [command]
        for label in labels:
            seconds = results[label][command]
            row += [f"{seconds:.2f}", f"{seconds / TARGET_S:.2f}"]
        if len(labels) > 1:
            first, last = results[labels[0]][command], results[labels[-1]][command]
            steps = max(len(labels) - 1, 1)
            row.append(f"{(last / first) ** (1 / steps):.2f}x")
        table.add_row(*row)
    console.print(table)


if __name__ == "__main__":
    main()
