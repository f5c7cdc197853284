"""Work read ahead in a second process while the first writes (issue #14, ``lrc.service.read_ahead``): a
large file's chunks and findings that arrive must be exactly those of reading the file here, problems found
on either side must all be reported, a failure in the second process must reach the first as itself, and the
second process must never outlive the work."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from indicators import load_catalogue
from lrc.errors import InputValidationError, RowProblem
from lrc.ingest import RecordChunks
from lrc.samples import generate, write_sample
from lrc.samples.records import generate_records, write_records
from lrc.scope import Scope
from lrc.service import ingest_file, runs, score_period
from lrc.service.access import Principal, Role
from lrc.service.read_ahead import READER, _child, _items, _sendable, ahead, checked_batches, checked_chunks
from lrc.service.records import ingest_records
from lrc.store import make_engine
from tests import test_chunked_ingest
from tests.conftest import ADMIN
from tests.test_chunked_ingest import _write

PERIOD = "2026Q3"
SMALL = "25000"  # characters a chunk: about 125 rows of a sample file
CATALOGUE = load_catalogue()
sample = test_chunked_ingest.sample  # the same sample file's header and rows, a module fixture


def _readers() -> list[Any]:
    return [p for p in multiprocessing.active_children() if p.name == READER]


def test_the_chunks_read_ahead_are_those_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: tuple[list[str], list[list[str]]]
) -> None:
    path = _write(tmp_path / "big.csv", *sample)
    monkeypatch.setenv("LRC_INGEST_CHUNK_CHARS", SMALL)
    here = RecordChunks(path, CATALOGUE, period=PERIOD)
    expected = list(here)
    ahead = RecordChunks(path, CATALOGUE, period=PERIOD)
    assert ahead.in_chunks()
    got, alive = [], []
    for batch in checked_batches(ahead):
        alive.append(len(_readers()))
        got.append(batch)
    assert len(got) == len(expected) > 4
    assert alive[0] == 1  # read in a second process
    for a, b in zip(got, expected, strict=True):
        pd.testing.assert_frame_equal(a.frame, b.frame)
        assert (a.source_rows, a.overridden_uscc, a.sha256) == (b.source_rows, b.overridden_uscc, b.sha256)
    assert (ahead.rows, ahead.sha256, ahead.streamed, ahead.chunks) == (here.rows, here.sha256, True, here.chunks)
    assert ahead.problems == here.problems == []
    assert _readers() == []  # ended with the last chunk


def test_a_caller_that_stops_early_stops_the_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: tuple[list[str], list[list[str]]]
) -> None:
    path = _write(tmp_path / "big.csv", *sample)
    monkeypatch.setenv("LRC_INGEST_CHUNK_CHARS", SMALL)
    batches = checked_batches(RecordChunks(path, CATALOGUE, period=PERIOD))
    next(batches)
    assert len(_readers()) == 1
    batches.close()
    assert _readers() == []


def test_a_small_file_is_read_here(tmp_path: Path, sample: tuple[list[str], list[list[str]]]) -> None:
    header, body = sample
    path = _write(tmp_path / "small.csv", header, body[:20])
    records = RecordChunks(path, CATALOGUE, period=PERIOD)
    assert not records.in_chunks()
    [batch] = list(checked_batches(records))
    assert len(batch.frame) == 20 and records.rows == 20 and not records.streamed


def test_problems_of_the_reader_and_of_the_writer_are_all_reported(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: tuple[list[str], list[list[str]]]
) -> None:
    """The writer refuses rows outside a city analyst's scope in the first chunk and in the last; the reader
    finds a bad cell between them: all are reported (the scope of every chunk after the first problem too),
    and nothing is stored."""
    header, body = sample
    region = header.index("region_code")
    bad = [list(r) for r in body]
    home = bad[0][region]
    outside = next(k for k, r in enumerate(bad) if r[region][:4] != home[:4])
    for k, r in enumerate(bad):
        if k != outside:
            r[region] = home
    bad[790][header.index("headcount")] = "很多"
    bad[950][region] = body[outside][region]  # outside again, in a chunk after the first problems
    path = _write(tmp_path / "mixed.csv", header, bad)
    monkeypatch.setenv("LRC_INGEST_CHUNK_CHARS", SMALL)
    analyst = Principal(name="city", role=Role.analyst, scope=Scope(home[:4] + "00"))
    with pytest.raises(InputValidationError) as refused:
        ingest_file(engine, analyst, path, PERIOD)
    said = {(p.row, p.value): p.reason for p in refused.value.problems}
    assert "权限范围" in said[(outside + 2, body[outside][region])]  # the header is line 1
    assert (792, "很多") in said
    assert "权限范围" in said[(952, body[outside][region])]
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT COUNT(*) FROM submissions")) == 0
    assert _readers() == []


def test_a_reader_that_dies_is_an_error_not_a_wait() -> None:
    context = multiprocessing.get_context("spawn")
    channel: Any = context.Queue()
    child = context.Process(target=os._exit, args=(3,))
    child.start()
    with pytest.raises(RuntimeError, match="exit code 3"):
        next(_items(channel, child))
    child.join()


class _Channel:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    def put(self, message: tuple[str, Any], timeout: float | None = None) -> None:
        self.sent.append(message)


def test_a_failure_in_the_reader_reaches_the_caller_as_itself(tmp_path: Path) -> None:
    [(batch, state)] = list(checked_chunks(tmp_path / "gone.csv", CATALOGUE, PERIOD, frozenset(), None))
    assert batch is None and state["problems"] and state["rows"] == 0  # a problem of the file, said as such
    channel = _Channel()
    _child(checked_chunks, (tmp_path / "gone.csv", None, PERIOD, frozenset(), None), channel)  # a defect
    [(kind, (exc, trace))] = channel.sent
    assert kind == "error" and isinstance(exc, AttributeError) and "Traceback" in trace


def test_an_error_that_cannot_cross_processes_is_said_in_words() -> None:
    class Odd(Exception):
        def __init__(self, a: int, b: int) -> None:
            super().__init__(f"{a}/{b}")

    sent = _sendable(Odd(1, 2))
    assert type(sent) is RuntimeError and str(sent) == "Odd: 1/2"
    problems = [RowProblem("f.csv", 7, "员工人数", "很多", "不是整数")]
    back = pickle.loads(pickle.dumps(InputValidationError(problems, "f.csv")))
    assert back.problems == problems and back.file == "f.csv" and str(back).startswith("f.csv 有 1 处错误")


def test_a_period_run_read_ahead_stores_what_one_process_does(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same period scored twice: in one process (one part), then in parts read and scored in a second
    process. The results (with the records that counted), the overview's figures and the match counts of the
    two runs are the same."""
    path, records = tmp_path / "facts.csv", tmp_path / "records.csv"
    write_sample(generate(300, seed=53, period=PERIOD), path)
    ingest_file(engine, ADMIN, path, PERIOD)
    write_records(generate_records(300, seed=53, today=date(2026, 9, 20)), records)
    assert len(ingest_records(engine, ADMIN, records).stored) > 20
    first = score_period(engine, ADMIN, PERIOD).run_id
    used: list[int] = []
    real = runs.ahead

    def spy(*args: Any, **kwargs: Any) -> Any:
        used.append(len(args[5]))  # the parts handed to the second process
        return real(*args, **kwargs)

    monkeypatch.setattr(runs, "PART", 100)
    monkeypatch.setattr(runs, "SLICE", 40)
    monkeypatch.setattr(runs, "ahead", spy)
    second = score_period(engine, ADMIN, PERIOD).run_id
    assert used == [8]  # 300 enterprises in parts of 40, read ahead
    columns = "uscc, submission_id, name, region_code, city_code, industry, size, ownership, headcount, total, grade,"
    columns += " red_line, completeness, level1, items, gaps, records"
    with engine.connect() as conn:
        read = lambda sql, run: pd.read_sql(text(sql), conn, params={"run": run})  # noqa: E731
        results = [read(f"SELECT {columns} FROM score_results WHERE run_id = :run ORDER BY uscc", r)  # noqa: S608
                   for r in (first, second)]  # fmt: skip
        summaries = [read("SELECT city_code, industry, body FROM run_summaries WHERE run_id = :run"
                          " ORDER BY city_code, industry", r) for r in (first, second)]  # fmt: skip
        counts = [read("SELECT city_code, region_code, industry, size, ownership, grade, n FROM run_match_counts"
                       " WHERE run_id = :run ORDER BY 1, 2, 3, 4, 5, 6", r) for r in (first, second)]  # fmt: skip
    assert len(results[0]) == 300 and (results[0]["records"].fillna("") != "").sum() > 20
    pd.testing.assert_frame_equal(results[0], results[1])
    pd.testing.assert_frame_equal(summaries[0], summaries[1])
    pd.testing.assert_frame_equal(counts[0], counts[1])
    assert _readers() == []


def _ended(pid: int) -> bool:
    """Whether process ``pid`` has ended (gone, or a zombie nobody has reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_reader_whose_caller_is_killed_ends_too(tmp_path: Path, sample: tuple[list[str], list[list[str]]]) -> None:
    """The caller killed outright (no finally runs) while the reader waits for room: the reader must see its
    caller gone and end, not wait for ever holding its memory."""
    path = _write(tmp_path / "big.csv", *sample)
    script = (
        "import multiprocessing, sys, time\n"
        "from pathlib import Path\n"
        "from indicators import load_catalogue\n"
        "from lrc.service.read_ahead import ahead, checked_chunks\n"
        "with ahead(checked_chunks, Path(sys.argv[1]), load_catalogue(), '2026Q3', frozenset(), None) as items:\n"
        "    next(items)\n"
        "    print(multiprocessing.active_children()[0].pid, flush=True)\n"
        "    time.sleep(600)\n"
    )
    env = {**os.environ, "LRC_INGEST_CHUNK_CHARS": SMALL}
    caller = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, env=env, text=True)
    assert caller.stdout is not None
    reader = int(caller.stdout.readline())
    assert not _ended(reader)
    caller.kill()
    caller.wait()
    for _ in range(200):  # the reader looks every POLL_SECONDS
        if _ended(reader):
            break
        time.sleep(0.1)
    assert _ended(reader)


def test_the_reader_starts_with_ctrl_c_held_back_and_the_caller_gets_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: tuple[list[str], list[list[str]]]
) -> None:
    """A Ctrl-C reaching the reader while it was still importing printed its traceback on the terminal: the
    reader begins with SIGINT blocked (the caller stops it), and the caller's own mask is as it was."""
    path = _write(tmp_path / "big.csv", *sample)
    monkeypatch.setenv("LRC_INGEST_CHUNK_CHARS", SMALL)
    args = (path, CATALOGUE, PERIOD, frozenset(), None)
    with ahead(checked_chunks, *args) as items:
        next(items)
        [reader] = _readers()
        status = Path(f"/proc/{reader.pid}/status").read_text()
        blocked = int(next(line for line in status.splitlines() if line.startswith("SigBlk:")).split()[1], 16)
        assert blocked & (1 << (signal.SIGINT - 1))
        list(items)
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())


def test_a_program_without_a_main_guard_is_not_run_again_by_the_reader(
    tmp_path: Path, sample: tuple[list[str], list[list[str]]]
) -> None:
    """``spawn`` runs the caller's main script again in the child unless told otherwise: a script calling the
    service at its top level would run itself again there (and waited for ever on the store's lock)."""
    path = _write(tmp_path / "big.csv", *sample)
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "from indicators import load_catalogue\n"
        "from lrc.service.read_ahead import ahead, checked_chunks\n"
        "print('started', flush=True)\n"
        "with ahead(checked_chunks, Path(sys.argv[1]), load_catalogue(), '2026Q3', frozenset(), None) as items:\n"
        "    print('chunks', len(list(items)), flush=True)\n",
        encoding="utf-8",
    )
    env = {**os.environ, "LRC_INGEST_CHUNK_CHARS": SMALL, "PYTHONPATH": os.getcwd()}
    done = subprocess.run([sys.executable, str(script), str(path)], env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "started" and done.stdout.count("started") == 1
    assert done.stdout.splitlines()[1].startswith("chunks ") and int(done.stdout.split()[-1]) > 4


def test_a_large_file_in_an_encoding_scan_cannot_name_is_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: tuple[list[str], list[list[str]]]
) -> None:
    """UTF-16 without a byte-order mark is read whole, as one chunk: in a second process it gained nothing and
    was copied across (8.0-9.1 s against 7.4 s for a 58 MB file)."""
    header, body = sample
    path = _write(tmp_path / "big.csv", header, body)
    path.write_bytes(path.read_text(encoding="utf-8-sig").encode("utf-16-le"))  # no byte-order mark
    monkeypatch.setenv("LRC_INGEST_CHUNK_CHARS", SMALL)
    records = RecordChunks(path, CATALOGUE, period=PERIOD)
    assert records.in_chunks() and not records.streams()
    readers = []
    for _ in checked_batches(records):
        readers.append(len(_readers()))
    assert readers == [] or readers == [0]
    assert not records.streamed and (records.rows > 0 or records.problems)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and not _ended(int(entry.name)):
                found.append(int(entry.name))
    return found


def test_ctrl_c_during_a_chunked_ingest_says_so_and_keeps_nothing(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the terminal's process group) once the reader runs: one line saying nothing
    half-written is kept, no traceback from either process, exit 130, an empty store, no process left."""
    path = tmp_path / "big.csv"
    write_sample(generate(20_000, seed=59, period=PERIOD), path)
    db = f"sqlite:///{tmp_path / 'c.db'}"
    command = str(Path(sys.executable).parent / "lrc")
    subprocess.run([command, "init", "--db", db], check=True, capture_output=True)
    env = {**os.environ, "LRC_INGEST_CHUNK_CHARS": SMALL}
    run = subprocess.Popen(
        [command, "ingest", str(path), "--period", PERIOD, "--db", db],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job is
    )
    for _ in range(600):
        readers = _children(run.pid)
        if readers or run.poll() is not None:
            break
        time.sleep(0.05)
    assert readers, "the reader never started"
    time.sleep(0.5)
    os.killpg(run.pid, signal.SIGINT)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert "已中止" in err and "Traceback" not in err and "KeyboardInterrupt" not in err
    engine = make_engine(db)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT COUNT(*) FROM submissions")) == 0
    engine.dispose()
    for _ in range(100):
        if all(_ended(pid) for pid in readers):
            break
        time.sleep(0.1)
    assert all(_ended(pid) for pid in readers)
