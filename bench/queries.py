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
median is shown: wall seconds, CPU seconds of the process (what it costs when others share the cores), the
service call alone in a fresh process with its imports done ("query s": what grows with the store), the
wall time's ratio to the target (below 1.0 meets it) and how it grows per 10x rows."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

PERIOD = "2026Q3"
TARGET_S = 0.5
console = Console(width=250)

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


def lrc(args: list[str], url: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system: what the command itself costs, when others share the
    cores) and the output of one ``lrc`` process."""
    env = {**os.environ, "LRC_DATABASE_URL": url}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from lrc.cli import main; main()", *args], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"lrc {' '.join(args)} failed: {done.stderr[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu, done.stdout


IN_PROCESS = """
import json, sys, time
from lrc.store import make_engine
from lrc.service import Filters, explain, ranking
from lrc.service.access import single_user
import lrc.service.results as results
import lrc.render
engine, kind, args = make_engine(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
start = time.perf_counter()
if kind == "explain":
    explain(engine, single_user(), args["uscc"], sys.argv[4]).to_dict()
elif hasattr(results, "ranking_page"):  # what `lrc rank --top 10` calls
    results.ranking_page(engine, single_user(), sys.argv[4], Filters(**args), limit=10)
else:  # before it: the whole run, then the first 10
    ranking(engine, single_user(), sys.argv[4], Filters(**args))[1].head(10)
print(time.perf_counter() - start)
"""


def in_process(url: str, kind: str, args: dict[str, str]) -> float:
    """Seconds of the service call alone, in a fresh process (its imports done first, the store cold to it)."""
    done = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, url, kind, json.dumps(args), PERIOD], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} {args} failed: {done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


SERVICE_CALLS: list[tuple[str, str, dict[str, str]]] = [
    ("rank --top 10", "rank", {}),
    ("rank --top 10 --region 210200", "rank", {"region": "210200"}),
    ("rank --top 10 --industry C --size 小型", "rank", {"industry": "C", "size": "小型"}),
    ("rank --top 10 --search 有限", "rank", {"search": "有限"}),
    ("explain (best)", "explain", {"uscc": "{best}"}),
]


def measure(url: str, repeat: int, only: str | None) -> dict[str, tuple[float, float, float | None]]:
    """command → (median wall s, median CPU s, median in-process s of its service call when measured)."""
    *_, best = lrc(["rank", "-p", PERIOD, "--top", "1", "-f", "json"], url)
    *_, worst = lrc(["rank", "-p", PERIOD, "--grade", "D", "--top", "1", "-f", "json"], url)
    usccs = {"best": json.loads(best)[0]["uscc"], "worst": (json.loads(worst) or json.loads(best))[0]["uscc"]}
    calls = {label: (kind, {k: v.format(**usccs) for k, v in args.items()}) for label, kind, args in SERVICE_CALLS}
    calls["explain (best) -f json"] = calls.pop("explain (best)")
    figures = {}
    for label, args in [*COMMANDS, ("lrc --version", ["--version"])]:
        if only and only not in label:
            continue
        concrete = [a.format(**usccs) for a in args]
        lrc(concrete, url)  # warm-up
        runs = [lrc(concrete, url) for _ in range(repeat)]
        service = None
        if label in calls:
            service = statistics.median(in_process(url, *calls[label]) for _ in range(repeat))
        figures[label] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), service)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", action="append", help="LABEL=PATH of a SQLite store, or LABEL=URL")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="only the commands whose label contains this")
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
        results[label] = measure(url, args.repeat, args.only)
    table = Table(title=f"read path, whole process, median of {args.repeat} (target {TARGET_S} s)")
    table.add_column("command")
    labels = list(results)
    for label in labels:
        table.add_column(f"{label} s", justify="right")
        table.add_column(f"{label} CPU s", justify="right")
        table.add_column(f"{label} query s", justify="right")
        table.add_column(f"{label} / target", justify="right")
    if len(labels) > 1:
        table.add_column("growth per 10x rows", justify="right")
    for command in results[labels[0]]:
        if any(command not in results[label] for label in labels):
            continue
        row = [command]
        for label in labels:
            seconds, cpu, service = results[label][command]
            query = "" if service is None else f"{service:.3f}"
            row += [f"{seconds:.2f}", f"{cpu:.2f}", query, f"{seconds / TARGET_S:.2f}"]
        if len(labels) > 1:
            first, last = results[labels[0]][command][0], results[labels[-1]][command][0]
            steps = max(len(labels) - 1, 1)
            row.append(f"{(last / first) ** (1 / steps):.2f}x")
        table.add_row(*row)
    console.print(table)


if __name__ == "__main__":
    main()
