"""The store through the service layer, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from lrc.errors import InputValidationError, NotFoundError, StoreError
from lrc.samples import generate, write_sample
from lrc.service import Filters, explain, ingest_file, ranking, score_period, verify_run
from lrc.service.records import add_record
from lrc.store import make_engine, require_schema
from lrc.store import repository as repo
from lrc.store.tables import APPEND_ONLY_TABLES, Base
from tests.conftest import ADMIN

PERIOD = "2026Q3"


def counts(engine: Engine) -> dict[str, int]:
    """Rows of every table that holds data (the audit log grows with every attempt, by design)."""
    with engine.connect() as conn:
        tables = [t for t in Base.metadata.tables if t != "audit_log"]
        return {t: conn.scalar(select(func.count()).select_from(Base.metadata.tables[t])) for t in tables}


@pytest.fixture
def sample_csv(tmp_path: Path) -> Path:
    path = tmp_path / "sample.csv"
    write_sample(generate(60, seed=11, period=PERIOD), path)
    return path


def test_uninitialised_store_is_a_clear_error(db_url: str) -> None:
    """Said for every door (the API's callers do not run commands); the CLI and the dashboard add the hint."""
    with pytest.raises(StoreError, match="尚未初始化|不存在") as raised:
        require_schema(make_engine(db_url))
    assert "lrc " not in str(raised.value) and "`lrc init`" in (raised.value.cli_hint or "")


def test_an_api_caller_is_not_told_to_run_a_command_when_the_store_is_not_initialised(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from lrc.api import create_app

    (tmp_path / "blank.db").touch()
    client = TestClient(create_app(f"sqlite:///{tmp_path / 'blank.db'}"))
    answer = client.get("/api/v1/rankings", headers={"Authorization": "Bearer x"})
    assert answer.status_code == 503 and answer.json()["code"] == "store_unavailable"
    assert "尚未初始化" in answer.json()["detail"] and "lrc init" not in answer.text


def test_every_sqlite_connection_has_the_larger_page_cache(tmp_path: Path) -> None:
    """A period run's inserts into the ranking and USCC indexes are about twice as fast with it (see
    ``SQLITE_CACHE_KIB``); each new connection of the pool takes it, not only the first."""
    from lrc.store.engine import SQLITE_CACHE_KIB

    engine = make_engine(f"sqlite:///{tmp_path / 'cache.db'}")
    with engine.connect() as first, engine.connect() as second:
        for conn in (first, second):
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_CACHE_KIB
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_ingesting_the_same_file_twice_leaves_the_same_state(engine: Engine, sample_csv: Path) -> None:
    first = ingest_file(engine, ADMIN, sample_csv, PERIOD)
    state = counts(engine)
    second = ingest_file(engine, ADMIN, sample_csv, PERIOD)
    assert (first.new_versions, second.new_versions) == (60, 0)
    assert counts(engine) == state


def test_a_changed_resubmission_is_a_new_version(engine: Engine, sample_csv: Path, tmp_path: Path) -> None:
    ingest_file(engine, ADMIN, sample_csv, PERIOD)
    frame = generate(60, seed=11, period=PERIOD)
    frame.loc[frame.index[0], "headcount"] = int(frame["headcount"].iloc[0]) + 1
    changed = tmp_path / "changed.csv"
    write_sample(frame, changed)
    summary = ingest_file(engine, ADMIN, changed, PERIOD)
    assert (summary.new_versions, summary.unchanged) == (1, 59)
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version FROM submissions ORDER BY version DESC")).scalars().all()
    assert versions[0] == 2 and len(versions) == 61


def test_a_period_run_reads_each_enterprises_newest_submission_of_its_period(engine: Engine, tmp_path: Path) -> None:
    """``latest_submission_keys`` (through the driver, an anti-join, sorted here) gives what the grouped
    maximum of each enterprise's versions gives, by USCC in order: three versions of some enterprises,
    a second period with other versions and enterprises, and a period with none."""
    frame = generate(40, seed=21, period=PERIOD)
    for version in range(3):
        changed = frame.copy()
        changed.loc[changed.index[: 10 * version], "headcount"] += version + 1  # 0, 10 then 20 changed
        write_sample(changed, tmp_path / f"v{version}.csv")
        ingest_file(engine, ADMIN, tmp_path / f"v{version}.csv", PERIOD)
    other = generate(30, seed=22, period="2026Q4")
    write_sample(other, tmp_path / "q4.csv")
    ingest_file(engine, ADMIN, tmp_path / "q4.csv", "2026Q4")
    write_sample(frame.head(25), tmp_path / "q4b.csv")
    ingest_file(engine, ADMIN, tmp_path / "q4b.csv", "2026Q4")
    S = repo.Submission
    with engine.connect() as conn:
        for period, n in ((PERIOD, 40), ("2026Q4", 55), ("2027Q1", 0)):
            newest = (
                select(S.enterprise_id, func.max(S.version).label("version"))
                .where(S.period == period)
                .group_by(S.enterprise_id)
                .subquery()
            )
            expected = conn.execute(
                select(S.uscc, S.enterprise_id, S.id, S.content_hash, S.batch_id)
                .join(newest, (S.enterprise_id == newest.c.enterprise_id) & (S.version == newest.c.version))
                .where(S.period == period)
                .order_by(S.uscc)
            ).all()
            keys = repo.latest_submission_keys(conn, period)
            got = list(zip(keys.index, *(keys[c].tolist() for c in keys.columns), strict=True))
            assert got == [tuple(row) for row in expected] and len(got) == n
            assert list(keys.columns) == ["enterprise_id", "submission_id", "content_hash", "batch_id"]
    with engine.connect() as conn:
        assert max(conn.execute(select(S.version)).scalars()) == 3


def test_submissions_read_with_their_own_batchs_field_order(engine: Engine, sample_csv: Path, tmp_path: Path) -> None:
    """Each submission read for scoring carries the ``fields`` document of the batch it came in: three
    batches, two with the same field list (one category for both) and one collected for catalogue 2026.1."""
    from indicators import load_catalogue

    ingest_file(engine, ADMIN, sample_csv, PERIOD)
    frame = generate(60, seed=11, period=PERIOD)
    frame.loc[frame.index[:5], "headcount"] = frame["headcount"].iloc[:5].astype(int) + 1
    changed = tmp_path / "changed.csv"
    write_sample(frame.iloc[:10], changed)
    ingest_file(engine, ADMIN, changed, PERIOD)
    older = tmp_path / "older.csv"
    write_sample(generate(10, seed=12, period=PERIOD, catalogue=load_catalogue("2026.1")), older)
    ingest_file(engine, ADMIN, older, PERIOD, catalogue=load_catalogue("2026.1"))
    with engine.connect() as conn:
        joined = conn.execute(
            text("SELECT s.id, b.fields, b.id FROM submissions s JOIN ingest_batches b ON b.id = s.batch_id")
        ).all()
        latest = repo.latest_submissions(conn, PERIOD)
        by_id = repo.submission_facts(conn, latest["submission_id"].astype(int).tolist())
    expected = {int(r[0]): str(r[1]) for r in joined}
    assert len(set(expected.values())) == 2 and len({r[2] for r in joined}) == 3
    for read in (latest.set_index("submission_id"), by_id):
        assert {int(i): str(f) for i, f in read["fields"].items()} == {int(i): expected[int(i)] for i in read.index}
        assert read["fields"].nunique() == 2


def test_a_bad_file_writes_nothing(engine: Engine, sample_csv: Path, tmp_path: Path) -> None:
    ingest_file(engine, ADMIN, sample_csv, PERIOD)
    before = counts(engine)
    lines = sample_csv.read_text(encoding="utf-8-sig").splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[0], "91210100XXXXXXXXX1", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputValidationError) as caught:
        ingest_file(engine, ADMIN, bad, PERIOD)
    assert caught.value.problems[0].row == 6 and caught.value.problems[0].column == "uscc"
    assert counts(engine) == before


def test_runs_are_immutable_and_reproducible(engine: Engine, sample_csv: Path) -> None:
    ingest_file(engine, ADMIN, sample_csv, PERIOD)
    first = score_period(engine, ADMIN, PERIOD)
    _, ranked_first = ranking(engine, ADMIN, PERIOD, run_id=first.run_id)
    second = score_period(engine, ADMIN, PERIOD)
    assert second.run_id != first.run_id
    assert second.input_hash == first.input_hash and second.same_input_as == first.run_id
    _, ranked_again = ranking(engine, ADMIN, PERIOD, run_id=first.run_id)
    pd.testing.assert_frame_equal(ranked_first, ranked_again)
    report = verify_run(engine, ADMIN, first.run_id)
    assert report.reproduced and report.enterprises == 60
    for table in APPEND_ONLY_TABLES:  # row triggers: only a table with rows can refuse (records: tests/test_records.py)
        with engine.connect() as conn:
            if not conn.scalar(text(f"SELECT COUNT(*) FROM {table}")):
                continue
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(f"DELETE FROM {table}"))


def test_ranking_is_sorted_and_filters_apply(engine: Engine, sample_csv: Path) -> None:
    ingest_file(engine, ADMIN, sample_csv, PERIOD)
    score_period(engine, ADMIN, PERIOD)
    _, ranked = ranking(engine, ADMIN, PERIOD)
    assert ranked["total"].is_monotonic_decreasing
    assert ranked["rank"].iloc[0] == 1 and len(ranked) == 60
    city = ranked["city_code"].iloc[0]
    _, by_city = ranking(engine, ADMIN, PERIOD, Filters(region=city), top=3)
    assert len(by_city) <= 3 and set(by_city["city_code"]) == {city}
    assert by_city["rank"].tolist() == sorted(by_city["rank"].tolist())


def test_explain_accounts_for_every_point(engine: Engine, sample_csv: Path) -> None:
    ingest_file(engine, ADMIN, sample_csv, PERIOD)
    score_period(engine, ADMIN, PERIOD)
    _, ranked = ranking(engine, ADMIN, PERIOD)
    uscc = ranked["uscc"].iloc[-1]
    e = explain(engine, ADMIN, uscc, PERIOD)
    assert len(e.items) == 75
    assert sum(round(i["points"] * 10) for i in e.items) == round(float(e.total) * 10)
    assert sum(n["points"] for n in e.levels["level1"]) == pytest.approx(float(e.total))
    assert all(i["reason"] for i in e.items)
    with pytest.raises(NotFoundError):
        explain(engine, ADMIN, "91210100MA0000000X", PERIOD)
    with pytest.raises(NotFoundError):
        explain(engine, ADMIN, uscc, "2020Q1")


def test_a_blank_ownership_is_null_on_every_backend(engine: Engine, tmp_path: Path) -> None:
    frame = generate(12, seed=4, period=PERIOD)
    frame["ownership"] = pd.Series([pd.NA] * 12, dtype="string")
    path = tmp_path / "blank.csv"
    write_sample(frame, path)
    ingest_file(engine, ADMIN, path, PERIOD)
    score_period(engine, ADMIN, PERIOD)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT ownership FROM score_results")).scalars().all()
        submitted = conn.execute(text("SELECT ownership FROM submissions")).scalars().all()
    assert stored == [None] * 12 and submitted == [None] * 12


def test_verify_detects_a_result_or_fact_altered_behind_the_triggers(engine: Engine, sample_csv: Path) -> None:
    ingest_file(engine, ADMIN, sample_csv, PERIOD)
    run = score_period(engine, ADMIN, PERIOD).run_id
    pg = engine.dialect.name == "postgresql"

    def tamper(table: str, statement: str) -> None:
        with engine.begin() as conn:
            if pg:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_update"))
            else:
                conn.execute(text(f"DROP TRIGGER {table}_no_update"))
            conn.execute(text(statement))

    tamper("score_results", "UPDATE score_results SET total = total + 5 WHERE enterprise_id = 1")
    report = verify_run(engine, ADMIN, run)
    assert not report.reproduced and report.mismatched and report.input_hash_matches
    tamper("submissions", "UPDATE submissions SET name = name || 'X' WHERE id = 1")
    assert not verify_run(engine, ADMIN, run).input_hash_matches


def test_a_concurrent_duplicate_write_is_a_conflict_and_stores_nothing(engine: Engine) -> None:
    from lrc.errors import ConflictError
    from lrc.store import repository

    before = counts(engine)
    with pytest.raises(ConflictError, match="重试"), repository.writing(engine) as conn:
        repository.add_enterprises(conn, ["91210100MA0000000X"])
        twin = "INSERT INTO enterprises (uscc, created_at) VALUES ('91210100MA0000000X', CURRENT_TIMESTAMP)"
        conn.execute(text(twin))
    assert counts(engine) == before


def test_a_reserved_batch_is_checked_at_commit_and_nowhere_else(engine: Engine, sample_csv: Path) -> None:
    """Submissions written under a reserved batch id (a file read in chunks) commit only once their batch
    row is there; without it the transaction keeps nothing. Other writes still check the reference at once."""
    from lrc.errors import ConflictError
    from lrc.store import repository

    ingest_file(engine, ADMIN, sample_csv, PERIOD)
    with engine.connect() as conn:
        row = dict(conn.execute(text("SELECT * FROM submissions ORDER BY id LIMIT 1")).mappings().one())
    before = counts(engine)
    fresh = {k: v for k, v in row.items() if k not in ("id", "batch_id")}
    fresh |= {"version": row["version"] + 1, "submitted_at": repo.now()}
    with pytest.raises(ConflictError) as unbatched, repository.writing(engine) as conn:
        reserved = repository.reserve_batch(conn)
        repository.add_submissions(conn, [{**fresh, "batch_id": reserved}])  # no batch row follows
    assert "foreign key" in str(unbatched.value.__cause__).lower()
    assert counts(engine) == before

    with pytest.raises(ConflictError) as unknown, repository.writing(engine) as conn:  # checked at once
        repository.add_submissions(conn, [{**fresh, "batch_id": 10_000}])
        conn.execute(text("SELECT 1"))  # not reached on either backend
        pytest.fail("a reference to no batch was taken")
    assert "foreign key" in str(unknown.value.__cause__).lower()
    assert counts(engine) == before

    with repository.writing(engine) as conn:
        reserved = repository.reserve_batch(conn)
        repository.add_submissions(conn, [{**fresh, "batch_id": reserved}])
        repository.add_batch(
            conn, id=reserved, period=PERIOD, file_name="x.csv", file_sha256="0" * 64, fields="[]", rows=1,
            new_versions=1, actor="test",
        )  # fmt: skip
    assert counts(engine)["submissions"] == before["submissions"] + 1
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT max(batch_id) FROM submissions")) == reserved

def test_every_reference_to_what_an_ingest_appends_leads_an_index_on_sqlite(upgraded_sqlite: Path) -> None:
    """While an ingest's deferred reference to its batch is outstanding, SQLite looks for the children of every
    row inserted into a parent table (migration 0024): the enterprises, submissions and batch an ingest appends.
    Each column that refers to them must be found by an index, not a scan of its table."""
    engine = make_engine(f"sqlite:///{upgraded_sqlite}")
    with engine.connect() as conn:
        keys = conn.execute(text(
            "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'"
            " AND f.\"table\" IN ('enterprises', 'submissions', 'ingest_batches')"
        )).all()  # fmt: skip
        leading = set(conn.execute(text(
            "SELECT m.name, i.name FROM sqlite_master m, pragma_index_list(m.name) l, pragma_index_info(l.name) i"
            " WHERE m.type = 'table' AND i.seqno = 0"
        )).all())  # fmt: skip
    engine.dispose()
    assert len(keys) >= 10
    assert [tuple(k) for k in keys if tuple(k) not in leading] == []


def _ingest_steps(url: str, path: Path) -> int:
    """SQLite virtual-machine steps (in thousands) an ingest of ``path`` for 2026Q4 takes: a count, not a time."""
    from sqlalchemy import event

    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    engine = make_engine(url)
    event.listen(engine, "connect", lambda dbapi, _: dbapi.set_progress_handler(count, 1000))
    ingest_file(engine, ADMIN, path, "2026Q4")
    engine.dispose()
    return steps[0]


def test_an_ingest_does_not_read_the_stored_results_once_per_submission(tmp_path: Path) -> None:
    """The same 2026Q4 file ingested into a store holding 100 results and one holding 1,000: with each new
    submission looked for among the results by a scan (before migration 0024), the second took about ten
    times the steps of the first."""
    later = tmp_path / "later.csv"
    write_sample(generate(100, seed=12, period="2026Q4"), later)
    steps = []
    for n in (100, 1_000):
        url = f"sqlite:///{tmp_path / f'store{n}.db'}"
        engine = make_engine(url)
        from lrc.store import upgrade

        upgrade(engine)
        earlier = tmp_path / f"earlier{n}.csv"
        write_sample(generate(n, seed=13, period=PERIOD), earlier)
        ingest_file(engine, ADMIN, earlier, PERIOD)
        score_period(engine, ADMIN, PERIOD)
        engine.dispose()
        steps.append(_ingest_steps(url, later))
    assert steps[1] < 1.5 * steps[0], steps


def test_truncate_is_refused_on_postgresql(pg_engine: Engine) -> None:
    with pytest.raises(DBAPIError, match="append-only"), pg_engine.begin() as conn:
        conn.execute(text("TRUNCATE score_results"))


def test_bulk_writes_leave_planner_statistics_on_postgresql(pg_engine: Engine, tmp_path: Path) -> None:
    """An ingest and a period run analyse and vacuum what they wrote (this machine's PostgreSQL runs no
    autovacuum: without it the planner would plan on the counts of an empty store, and a count would visit
    every row instead of reading an index alone)."""

    def analysed() -> set[str]:
        query = "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL AND last_vacuum IS NOT NULL"
        with pg_engine.connect() as conn:
            return set(conn.scalars(text(query)))

    write_sample(generate(40, seed=8, period="2026Q3"), tmp_path / "s.csv")
    before = analysed()
    ingest_file(pg_engine, ADMIN, tmp_path / "s.csv", "2026Q3")
    assert {"submissions", "enterprises"} <= analysed() - before
    score_period(pg_engine, ADMIN, "2026Q3")
    assert {"score_results", "score_runs"} <= analysed() - before
    with pg_engine.connect() as conn:  # and the planner knows the results are there
        estimate, pages, visible = conn.execute(
            text("SELECT reltuples, relpages, relallvisible FROM pg_class WHERE relname = 'score_results'")
        ).one()
    assert estimate == 40
    assert visible == pages > 0  # every page marked all-visible: counts from the index alone


def test_rescorings_keep_the_statistics_of_what_they_grow(
    pg_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every ``STATISTICS_EVERY``-th run id (here every one) refreshes the statistics of the tables one-enterprise
    runs add rows to, so PostgreSQL without autovacuum keeps planning on their real size; other run ids do not."""
    sample = generate(30, seed=4, period="2026Q3")
    write_sample(sample, tmp_path / "s.csv")
    ingest_file(pg_engine, ADMIN, tmp_path / "s.csv", "2026Q3")
    score_period(pg_engine, ADMIN, "2026Q3")
    jobs: list[object] = []
    keep = repo.keep_statistics
    monkeypatch.setattr(repo, "keep_statistics", lambda conn, run_id: jobs.append(keep(conn, run_id)))

    def add(k: int) -> None:
        add_record(pg_engine, ADMIN, {
            "uscc": sample["uscc"].iloc[k], "type": "WAGE_ARREARS_FINDING", "date": f"2026-09-0{k + 1}",
            "source": "某区人社局", "ref": f"统计〔2026〕{k}号", "severity": "一般", "workers": 2,
        })  # fmt: skip

    def counted() -> dict[str, float]:
        with pg_engine.connect() as conn:
            query = "SELECT relname, reltuples FROM pg_class WHERE relname IN ('score_runs', 'records')"
            return {str(name): float(tuples) for name, tuples in conn.execute(text(query))}

    monkeypatch.setattr(repo, "STATISTICS_EVERY", 10_000)
    add(0)
    assert jobs == [None] and counted()["records"] <= 0  # not its turn: nothing refreshed
    monkeypatch.setattr(repo, "STATISTICS_EVERY", 1)
    add(1)
    job = jobs[-1]
    assert isinstance(job, threading.Thread)
    job.join(timeout=30)
    assert counted() == {"score_runs": 3, "records": 2}  # the period run and two rescorings; two records
