"""A large CSV is read, checked and stored a chunk at a time, so that memory stays bounded (issue #14):
what it stores, and every problem it refuses, must be exactly what reading the file whole gives. The
chunk size is made small (``LRC_INGEST_CHUNK_CHARS``) so that a file of a thousand rows has many."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from indicators import load_catalogue
from lrc.errors import InputValidationError
from lrc.ingest import CheckedRows, RecordChunks, read_records
from lrc.samples import generate, write_sample
from lrc.service import ingest_file, score_period
from lrc.service.access import single_user
from lrc.store import make_engine, upgrade
from tests.test_cli import lrc

ADMIN = single_user()
PERIOD = "2026Q3"
SMALL = "25000"  # characters a chunk: about 125 rows of a sample file
CATALOGUE = load_catalogue()


def _write(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "utf-8-sig",
           newline: str = "\n", blank_every: int = 0, delimiter: str = ",") -> Path:  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline, delimiter=delimiter)
    writer.writerow(header)
    for k, row in enumerate(rows):
        writer.writerow(row)
        if blank_every and k % blank_every == blank_every - 1:
            buffer.write(newline)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[list[str]]]:
    """A sample file's header and 1,000 rows as text, with names that need quoting (a comma, doubled quotes)."""
    path = tmp_path_factory.mktemp("sample") / "sample.csv"
    write_sample(generate(1_000, seed=31, period=PERIOD), path)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        header, *rows = list(csv.reader(stream))
    for k in range(0, len(rows), 7):
        rows[k][1] = f'大连"星光{k}",有限公司'
    return header, rows


def _stored(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    with engine.connect() as conn:
        subs = pd.read_sql(
            text(
                "SELECT s.uscc, s.version, s.source_row, s.content_hash, s.name, s.region_code, s.industry,"
                " s.size, s.ownership, s.uscc_override, s.facts, e.uscc AS enterprise FROM submissions s"
                " JOIN enterprises e ON e.id = s.enterprise_id ORDER BY s.id"
            ),
            conn,
        )
        batches = pd.read_sql(
            text("SELECT file_name, file_sha256, fields, rows, new_versions FROM ingest_batches ORDER BY id"), conn
        )
    subs["uscc_override"] = subs["uscc_override"].astype(bool)
    return subs, batches


def test_a_file_of_many_chunks_stores_exactly_what_the_whole_file_does(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: tuple[list[str], list[list[str]]]
) -> None:
    header, rows = sample
    path = _write(tmp_path / "big.csv", header, rows, blank_every=97)
    whole = make_engine(f"sqlite:///{tmp_path / 'whole.db'}")
    upgrade(whole)
    first = ingest_file(whole, ADMIN, path, PERIOD)

    monkeypatch.setenv("LRC_INGEST_CHUNK_CHARS", SMALL)
    records = RecordChunks(path, CATALOGUE, period=PERIOD)
    assert sum(1 for _ in records) > 5 and records.streamed  # the file really is read in chunks
    chunked = ingest_file(engine, ADMIN, path, PERIOD)
    assert (chunked.rows, chunked.new_versions, chunked.unchanged) == (first.rows, first.new_versions, 0) == (
        1_000, 1_000, 0,
    )  # fmt: skip
    pd.testing.assert_frame_equal(_stored(engine)[0], _stored(whole)[0])
    pd.testing.assert_frame_equal(_stored(engine)[1], _stored(whole)[1])
    stored = _stored(engine)[0]
    assert (stored["uscc"] == stored["enterprise"]).all()  # each submission under its own enterprise's id

    again = ingest_file(engine, ADMIN, path, PERIOD)  # the same file: nothing new, no batch
    assert (again.new_versions, again.unchanged, again.batch_id) == (0, 1_000, None)

    changed = [list(r) for r in rows]
    for k in (3, 480, 990):  # one row in each of three chunks
        changed[k][header.index("employees_left")] = str(int(changed[k][header.index("employees_left")] or 0) + 1)
    path2 = _write(tmp_path / "big2.csv", header, changed)
    monkeypatch.delenv("LRC_INGEST_CHUNK_CHARS")
    ingest_file(whole, ADMIN, path2, PERIOD)
    monkeypatch.setenv("LRC_INGEST_CHUNK_CHARS", SMALL)
    second = ingest_file(engine, ADMIN, path2, PERIOD)
    assert (second.new_versions, second.unchanged) == (3, 997)
    pd.testing.assert_frame_equal(_stored(engine)[0], _stored(whole)[0])
    pd.testing.assert_frame_equal(_stored(engine)[1], _stored(whole)[1])
    totals = [score_period(e, ADMIN, PERIOD).grades for e in (engine, whole)]
    assert totals[0] == totals[1]
    whole.dispose()


def _problems(exc: pytest.ExceptionInfo[InputValidationError]) -> list[tuple[int | None, str | None, str]]:
    return sorted(((p.row, p.column, p.reason) for p in exc.value.problems), key=lambda t: (t[0] or 0, str(t)))


@pytest.mark.parametrize(
    ("encoding", "newline", "suffix", "delimiter"),
    [
        ("utf-8-sig", "\n", ".csv", ","),
        ("utf-8", "\r\n", ".csv", ","),
        ("gb18030", "\r\n", ".csv", ","),
        ("utf-16", "\r\n", ".txt", "\t"),  # Excel's "Unicode text"
    ],
)
def test_every_problem_of_a_chunked_file_is_the_whole_files_at_the_same_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sample: tuple[list[str], list[list[str]]],
    encoding: str,
    newline: str,
    suffix: str,
    delimiter: str,
) -> None:
    header, rows = sample
    bad = [list(r) for r in rows]
    headcount = header.index("headcount")
    bad[2][headcount] = "很多"  # first chunk
    bad[400][header.index("region_code")] = "999999"  # a middle chunk
    bad[998][headcount] = "-5"  # the last chunk
    bad[700][0] = bad[10][0]  # a USCC given again, chunks apart
    bad[701][1] = "有限\n公司"  # a line break inside a quoted cell (refused as a control character)
    bad[702] = bad[702][:5]  # a short row
    path = _write(tmp_path / f"bad{suffix}", header, bad, encoding=encoding, newline=newline, blank_every=50,
                  delimiter=delimiter)  # fmt: skip
    with pytest.raises(InputValidationError) as whole:
        read_records(path, CATALOGUE, period=PERIOD)
    monkeypatch.setenv("LRC_INGEST_CHUNK_CHARS", SMALL)
    records = RecordChunks(path, CATALOGUE, period=PERIOD)
    assert list(records) and records.streamed
    with pytest.raises(InputValidationError) as chunked:
        records.raise_problems()
    assert _problems(chunked) == _problems(whole)
    assert len(chunked.value.problems) >= 6
    duplicate = next(p for p in chunked.value.problems if "重复" in p.reason)
    assert duplicate.row is not None and duplicate.row > 700 and "第 " in duplicate.reason


def test_a_bad_chunk_late_in_the_file_stores_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: tuple[list[str], list[list[str]]]
) -> None:
    header, rows = sample
    bad = [list(r) for r in rows]
    bad[995][header.index("headcount")] = "=1+1"
    path = _write(tmp_path / "late.csv", header, bad)
    monkeypatch.setenv("LRC_INGEST_CHUNK_CHARS", SMALL)
    with pytest.raises(InputValidationError) as refused:
        ingest_file(engine, ADMIN, path, PERIOD)
    assert [p.row for p in refused.value.problems] == [997]  # line 997: the header is line 1
    with engine.connect() as conn:
        tables = ("enterprises", "submissions", "ingest_batches")
        counts = [conn.scalar(text(f"SELECT COUNT(*) FROM {t}")) for t in tables]  # noqa: S608
    assert counts == [0, 0, 0]


@pytest.fixture(scope="module")
def any_files(
    tmp_path_factory: pytest.TempPathFactory, sample: tuple[list[str], list[list[str]]]
) -> dict[bool, tuple[Path, CheckedRows]]:
    """For CRLF line ends or not: 150 sample rows (about 30,000 characters, blank lines among them) in a
    file, and its records read whole. Written and read once: every example of the property reads them."""
    header, rows = sample
    files = {}
    for crlf in (False, True):
        path = _write(tmp_path_factory.mktemp("any") / "any.csv", header, rows[:150],
                      newline="\r\n" if crlf else "\n", blank_every=13)  # fmt: skip
        files[crlf] = path, read_records(path, CATALOGUE, period=PERIOD)
    return files


@settings(max_examples=12, deadline=None)
@given(size=st.integers(min_value=1_500, max_value=60_000), crlf=st.booleans())  # up to twice the file: whole too
def test_any_chunk_size_reads_the_same_records(
    any_files: dict[bool, tuple[Path, CheckedRows]], size: int, crlf: bool
) -> None:
    path, whole = any_files[crlf]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LRC_INGEST_CHUNK_CHARS", str(size))
        parts = list(RecordChunks(path, CATALOGUE, period=PERIOD))
    assert sum(len(p.source_rows) for p in parts) == len(whole.source_rows)
    pd.testing.assert_frame_equal(pd.concat([p.frame for p in parts]), whole.frame)
    assert [r for p in parts for r in p.source_rows] == whole.source_rows


def test_the_cli_ingests_a_chunked_file_and_scores_it(
    tmp_path: Path, sample: tuple[list[str], list[list[str]]]
) -> None:
    header, rows = sample
    path = _write(tmp_path / "cli.csv", header, rows)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    lrc(tmp_path, "init", "--db", db)
    done = lrc(tmp_path, "ingest", str(path), "--period", PERIOD, "--db", db, env={"LRC_INGEST_CHUNK_CHARS": SMALL})
    assert done.stdout.strip().splitlines()[-1] == "1"
    scored = lrc(tmp_path, "score", "--period", PERIOD, "--db", db, "--format", "json")
    assert '"enterprises": 1000' in scored.stdout


def test_a_bom_and_a_lone_encoding_are_found_from_the_whole_file(tmp_path: Path) -> None:
    """The encoding is judged on every byte: a file that is UTF-8 until its last line is not UTF-8."""
    from lrc.ingest.chunked import scan

    path = tmp_path / "late.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 100_000 + "名,称\n".encode("gb18030"))
    assert scan(path)[1] == "gb18030"
    path.write_bytes(codecs.BOM_UTF8 + "名,称\n".encode())
    assert scan(path)[1] == "utf-8-sig"
    path.write_bytes(b"PK\x03\x04rest")
    assert scan(path)[1] is None


def test_a_file_that_changes_while_it_is_read_is_a_problem_not_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: tuple[list[str], list[list[str]]]
) -> None:
    """Every byte decoded when the file was scanned; cut mid-character (or rewritten) since, a later piece no
    longer decodes. That is said as the file's problem: the ingest was an internal error."""
    header, rows = sample
    path = _write(tmp_path / "g.csv", header, rows, encoding="gb18030")
    monkeypatch.setenv("LRC_INGEST_CHUNK_CHARS", SMALL)
    records = RecordChunks(path, CATALOGUE, period=PERIOD, scanned=("0" * 64, "utf-8"))  # as scanned before
    assert list(records) == [] or records.problems
    with pytest.raises(InputValidationError) as refused:
        records.raise_problems()
    assert [p.reason for p in refused.value.problems if p.row is None][-1].startswith("文件在读取过程中被改动")
