"""HTTP API benchmark: figures, not pass/fail tests.

    python bench/api.py                        # 100k enterprises, SQLite and PostgreSQL
    python bench/api.py --n 10000 --no-postgres --sustain 20

For each store it loads ``--n`` sample enterprises (one period, scored), starts `lrc serve` (Uvicorn, a
real HTTP server) and, from ``--clients`` concurrent clients:

* ``--calls`` submissions (each a changed one: stored, scored at once, answered) and as many single
  records (stored, the enterprise re-scored, answered): p50/p95/p99 ms against the 200 ms target;
* GET rankings (a page of 50 at a random offset) and GET enterprise: p95 against the 100 ms target; and
  GET rankings again with a record posted before each read (every ranking follows a change);
* on PostgreSQL, ``--rate`` records a second for ``--sustain`` seconds, each sent when due (open loop; its
  latency counts from then): throughput, latency, errors, and a count afterwards that every record answered
  201 is stored exactly once."""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from stores import pg_database

from lrc.samples import generate, write_sample
from lrc.service import accounts, ingest_file, score_period
from lrc.service.access import single_user
from lrc.store import make_engine, upgrade

ADMIN = single_user()  # benchmarks act in single-user mode until they add the account they call as
PERIOD = "2026Q3"
WORKERS = os.cpu_count() or 1  # `lrc serve --workers`: one process per core, as deployed
IN_FLIGHT = 8  # records one client of the sustained run may have sent and not yet had answered
console = Console()


def load_store(url: str, n: int, directory: Path) -> tuple[str, pd.DataFrame]:
    engine = make_engine(url)
    upgrade(engine)
    frame = generate(n, seed=23, period=PERIOD)
    write_sample(frame, directory / "s.csv")
    start = time.perf_counter()
    ingest_file(engine, ADMIN, directory / "s.csv", PERIOD)
    score_period(engine, ADMIN, PERIOD)
    console.print(f"  {n:,} enterprises ingested and scored in {time.perf_counter() - start:.1f} s")
    accounts.add_user(engine, ADMIN, "bench", "admin", "bench-password")
    token = accounts.create_token(engine, accounts.acting(engine, "bench"), "bench").token
    engine.dispose()
    return token, frame


def serve(url: str, directory: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    lrc = [sys.executable, "-c", "from lrc.cli import main; main()"]
    env = {**os.environ, "LRC_DATABASE_URL": url, "LRC_LOG_DIR": str(directory)}
    command = [*lrc, "serve", "--port", str(port), "--workers", str(WORKERS)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/api/v1/health", timeout=1).read()
            return process, base
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("lrc serve did not start")


def call(base: str, token: str, method: str, path: str, body: Any = None) -> tuple[int, float]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return status, (time.perf_counter() - start) * 1000


def run_many(clients: int, jobs: list[Any]) -> tuple[list[int], list[float], float]:
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        done = list(pool.map(lambda job: job(), jobs))
    return [s for s, _ in done], [ms for _, ms in done], time.perf_counter() - start


def row(frame: pd.DataFrame, k: int, bump: int) -> dict[str, Any]:
    values = {key: v for key, v in frame.iloc[k].to_dict().items() if not pd.isna(v)}
    values = {key: (v.item() if hasattr(v, "item") else v) for key, v in values.items()}
    values["employees_left"] = int(values.get("employees_left", 0)) + bump  # a changed submission
    return values


def record(uscc: str, ref: str) -> dict[str, Any]:
    decided = date(2026, 9, 1) + timedelta(days=random.randrange(28))
    return {"uscc": uscc, "type": "WAGE_ARREARS_FINDING", "date": decided.isoformat(), "source": "辽宁省人社厅",
            "ref": ref, "severity": "一般", "workers": 3}  # fmt: skip


def figures(name: str, statuses: list[int], ms: list[float], seconds: float, target: float | None) -> list[str]:
    values = np.array(ms)
    p50, p95, p99 = (float(np.percentile(values, q)) for q in (50, 95, 99))
    ok = sum(200 <= s < 300 for s in statuses)
    ratio = f"{p95 / target:.2f}" if target else ""
    return [name, f"{len(ms):,}", f"{ok:,}", f"{p50:.0f}", f"{p95:.0f}", f"{p99:.0f}", f"{len(ms) / seconds:.0f}",
            f"{target:.0f}" if target else "", ratio]  # fmt: skip


def bench(url: str, label: str, args: argparse.Namespace, directory: Path, table: Table) -> None:
    console.print(f"[{label}]")
    token, frame = load_store(url, args.n, directory)
    process, base = serve(url, directory)
    usccs = frame["uscc"].tolist()
    try:
        rng = random.Random(7)
        picks = [rng.randrange(len(frame)) for _ in range(args.calls)]
        jobs = [lambda k=k, i=i: call(base, token, "POST", f"/api/v1/submissions?period={PERIOD}", row(frame, k, i + 1))
                for i, k in enumerate(picks)]  # fmt: skip
        table.add_row(label, *figures("POST submissions", *run_many(args.clients, jobs), 200))
        jobs = [lambda k=k, i=i: call(base, token, "POST", "/api/v1/records", record(usccs[k], f"bench〔2026〕{i}号"))
                for i, k in enumerate(picks)]  # fmt: skip
        table.add_row(label, *figures("POST records", *run_many(args.clients, jobs), 200))
        jobs = [lambda: call(base, token, "GET", f"/api/v1/rankings?limit=50&offset={rng.randrange(len(frame))}")
                for _ in range(args.reads)]  # fmt: skip
        table.add_row(label, *figures("GET rankings", *run_many(args.clients, jobs), 100))
        jobs = [lambda k=k: call(base, token, "GET", f"/api/v1/enterprises/{usccs[k]}") for k in picks[: args.reads]]
        table.add_row(label, *figures("GET enterprise", *run_many(args.clients, jobs), 100))
        table.add_row(label, *figures("GET rankings, writes between", *mixed(base, token, usccs, picks, args), 100))
        if label == "PostgreSQL" and args.sustain:
            sustained(base, token, usccs, args, url, table, label)
    finally:
        process.terminate()
        process.wait(timeout=10)


def mixed(base: str, token: str, usccs: list[str], picks: list[int], args: argparse.Namespace
          ) -> tuple[list[int], list[float], float]:  # fmt: skip
    """GET rankings with a record posted before each (every read follows a change): the reads' figures."""
    rng = random.Random(11)

    def job(i: int) -> tuple[int, float]:
        call(base, token, "POST", "/api/v1/records", record(usccs[picks[i]], f"mixed〔2026〕{i}号"))
        return call(base, token, "GET", f"/api/v1/rankings?limit=50&offset={rng.randrange(len(usccs))}")

    return run_many(args.clients, [lambda i=i: job(i) for i in range(args.reads)])


def sustained(base: str, token: str, usccs: list[str], args: argparse.Namespace, url: str, table: Table,
              label: str) -> None:  # fmt: skip
    """``--rate`` records a second for ``--sustain`` seconds, open loop: record ``i`` is due at ``i / rate`` s and
    is sent then by client ``i % clients``, whether or not that client's earlier records have been answered
    (each client keeps up to ``IN_FLIGHT`` open). Latency counts from the moment a record was due, so time
    spent waiting to be sent counts too. (A closed loop, each client waiting for its answer before sending
    the next, sends fewer as the server slows and hides that wait: with 4 clients it cannot exceed 4 /
    latency records a second.)"""
    total = args.rate * args.sustain
    start = time.perf_counter() + 0.5

    def send(i: int) -> tuple[int, float, float]:
        due = start + i / args.rate
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        status, _ = call(base, token, "POST", "/api/v1/records", record(usccs[i % len(usccs)], f"sustain〔2026〕{i}号"))
        answered = time.perf_counter()
        return status, (answered - due) * 1000, answered

    pools = [ThreadPoolExecutor(IN_FLIGHT) for _ in range(args.clients)]
    try:
        futures = [pools[i % args.clients].submit(send, i) for i in range(total)]
        results = [f.result() for f in futures]
    finally:
        for pool in pools:
            pool.shutdown()
    seconds = max(a for *_, a in results) - start
    statuses = [s for s, *_ in results]
    table.add_row(label, *figures(f"sustained {args.rate}/s", statuses, [ms for _, ms, _ in results], seconds, 200))
    with make_engine(url).connect() as conn:
        stored = conn.scalar(text("SELECT count(*) FROM records WHERE ref LIKE 'sustain%'"))
    created = sum(s == 201 for s in statuses)
    errors = sum(s >= 400 for s in statuses)
    once = "exactly once" if stored == created else "MISMATCH"
    console.print(f"  sustained: {total} due over {args.sustain} s, {created} answered 201, {errors} errors, {stored} "
                  f"stored ({once}); the last answered {seconds:.1f} s after the first was due: "
                  f"{total / seconds:.1f} records/s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=1_000)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--sustain", type=int, default=60, help="seconds of sustained load (PostgreSQL); 0 skips")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    table = Table(title=f"HTTP API at {args.n:,} enterprises, {args.clients} clients (ms; ratio = p95 / target)")
    for column in ("store", "call", "calls", "2xx", "p50", "p95", "p99", "per s", "target p95", "ratio"):
        table.add_column(column, justify="left" if column in ("store", "call") else "right")
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            bench(f"sqlite:///{Path(tmp) / 'lrc.db'}", "SQLite", args, Path(tmp), table)
    if not args.no_postgres:
        url, drop = pg_database()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                bench(url, "PostgreSQL", args, Path(tmp), table)
        finally:
            drop()
    console.print(table)


if __name__ == "__main__":
    main()
