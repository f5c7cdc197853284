"""CLI start-up benchmark: figures, not pass/fail tests.

    python bench/startup.py              # 15 runs of each command
    python bench/startup.py --runs 50

Times the whole process of `lrc --version` and `lrc --help` (interpreter start, imports, the command) and,
in a fresh process each time, `import lrc.cli` alone; prints median, min and max against the 0.3 s target
(issue #14) and which heavy libraries the import pulled in (none is the point: pandas, numpy, SQLAlchemy
and the catalogue models load inside the commands that need them)."""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

from rich.console import Console
from rich.table import Table

LRC = [sys.executable, "-c", "from lrc.cli import main; main()"]
IMPORT = [sys.executable, "-c", "import lrc.cli"]
HEAVY = ("pandas", "numpy", "sqlalchemy", "pydantic", "yaml", "alembic", "scoring")
TARGET = 0.3  # seconds, whole process
console = Console()


def timed(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds per run of ``command`` (its output discarded), after one
    warm-up run for the file cache. CPU time moves less than wall time when other jobs share the cores."""
    subprocess.run(command, capture_output=True, check=True)
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def heavy_imports() -> list[str]:
    probe = f"import sys, lrc.cli; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="runs of each command")
    args = parser.parse_args()
    table = Table(title=f"CLI 启动 (whole process, {args.runs} runs each), s")
    for column in ("command", "median", "min", "max", "CPU median", "median vs 0.3 s target"):
        table.add_column(column, justify="right")
    cases = [
        ("import lrc.cli", IMPORT),
        ("lrc --version", [*LRC, "--version"]),
        ("lrc --help", [*LRC, "--help"]),
        ("python -c pass", [sys.executable, "-c", "pass"]),
    ]
    for label, command in cases:
        times, cpu = timed(command, args.runs)
        median = statistics.median(times)
        figures = [f"{v:.3f}" for v in (median, min(times), max(times), statistics.median(cpu))]
        table.add_row(label, *figures, f"{median / TARGET:.2f}x")
    console.print(table)
    heavy = heavy_imports()
    console.print(f"heavy modules after `import lrc.cli`: {', '.join(heavy) or 'none'}")
    console.print(f"cores {os.cpu_count()}; load {os.getloadavg()[0]:.2f}; target under {TARGET} s (ratio < 1)")


if __name__ == "__main__":
    main()
