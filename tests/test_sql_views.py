"""The SQL views (docs/sql.md) on SQLite and PostgreSQL say what `lrc explain` says: total, grade, red line,
every item's points and gap, and every level's points of each enterprise's current result, also after a
record rescored an enterprise (before and after a newer period run)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text

from lrc.store import make_engine, upgrade
from lrc.store.revision import alembic_config
from tests.conftest import StoreBuild, module_store_build
from tests.test_cli import lrc

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "sql.md"
PERIODS = ("2026Q2", "2026Q3")
RED_LINE = ("--type", "FATAL_ACCIDENT_RESPONSIBLE", "--severity", "严重", "--source", "鞍山市应急管理局")
PENALTY = ("--type", "LABOUR_PENALTY", "--severity", "一般", "--source", "大连市人力资源和社会保障局")


def cli(directory: Path, url: str, *args: str) -> str:
    return lrc(directory, *args, "--db", url).stdout


def _views_store(engine: Engine, directory: Path) -> list[str]:
    """Two scored periods of 30 enterprises, made through the command line. In 2026Q3: a record rescores the
    first enterprise, a newer period run supersedes that, then a record rescores the second: the views must
    show the newest of each. Returns the codes, best first in 2026Q3."""
    tmp_path, db_url = directory, engine.url.render_as_string(hide_password=False)
    lrc(tmp_path, "init", "--db", db_url)
    for period in PERIODS:
        lrc(tmp_path, "sample", "--n", "30", "--seed", "21", "--period", period, "--output", f"{period}.csv")
        cli(tmp_path, db_url, "ingest", f"{period}.csv", "--period", period)
        cli(tmp_path, db_url, "score", "--period", period)
    ranked = json.loads(cli(tmp_path, db_url, "rank", "--period", "2026Q3", "--format", "json"))
    usccs = [row["uscc"] for row in ranked]
    cli(tmp_path, db_url, "record", "add", usccs[0], *PENALTY, "--date", "2026-08-03", "--ref", "大人社罚〔2026〕7号")
    cli(tmp_path, db_url, "score", "--period", "2026Q3")
    cli(tmp_path, db_url, "record", "add", usccs[1], *RED_LINE, "--date", "2026-09-02", "--ref", "鞍应急罚〔2026〕9号")
    return usccs


store_build = module_store_build(_views_store, "views")


@pytest.fixture
def store(engine: Engine, db_url: str, tmp_path: Path, store_build: StoreBuild) -> tuple[Path, str, list[str]]:
    """A working directory for the CLI (with the build's files), the URL of a copy of the views' store, and its
    codes best first."""
    store_build.files(engine, tmp_path)
    return tmp_path, db_url, store_build.value(engine)


def rows(engine: Engine, query: str, **values: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(query), values)]


def points(value: Any) -> float:
    """A view's points (PostgreSQL: NUMERIC, SQLite: REAL) as explain writes them."""
    return float(value)


def test_the_views_agree_with_explain(store: tuple[Path, str, list[str]]) -> None:
    directory, url, usccs = store
    engine = make_engine(url)
    counted = rows(engine, "SELECT period, COUNT(*) AS n, COUNT(DISTINCT uscc) AS d FROM v_results GROUP BY period")
    assert sorted((r["period"], r["n"], r["d"]) for r in counted) == [("2026Q2", 30, 30), ("2026Q3", 30, 30)]
    items = rows(engine, "SELECT COUNT(*) AS n FROM v_result_items")[0]["n"]
    assert items == 60 * 75
    for period, uscc in [("2026Q3", u) for u in usccs[:4]] + [("2026Q2", usccs[0])]:
        explained = json.loads(cli(directory, url, "explain", uscc, "--period", period, "--format", "json"))
        check_result(engine, period, uscc, explained)
    runs = {r["uscc"]: r for r in rows(engine, "SELECT uscc, run_id, run_kind FROM v_results WHERE period = '2026Q3'")}
    assert runs[usccs[1]]["run_kind"] == "records" and runs[usccs[1]]["run_id"] > runs[usccs[0]]["run_id"]
    assert runs[usccs[0]]["run_kind"] == "period"  # its record's rescoring came before the newer period run
    engine.dispose()


def check_result(engine: Engine, period: str, uscc: str, explained: dict[str, Any]) -> None:
    where = {"uscc": uscc, "period": period}
    [result] = rows(engine, "SELECT * FROM v_results WHERE uscc = :uscc AND period = :period", **where)
    assert points(result["total"]) == explained["total"]
    assert (result["grade"], bool(result["red_line"])) == (explained["grade"], explained["red_line"])
    assert result["run_id"] == explained["result_run_id"]
    assert result["catalogue_version"] == explained["catalogue_version"]
    items = rows(engine, "SELECT * FROM v_result_items WHERE uscc = :uscc AND period = :period", **where)
    got = {i["code"]: (points(i["points"]), bool(i["gap"]), points(i["max_points"])) for i in items}
    assert got == {i["code"]: (i["points"], i["gap"], i["max_points"]) for i in explained["items"]}
    levels = rows(engine, "SELECT * FROM v_levels WHERE uscc = :uscc AND period = :period", **where)
    for level in (1, 2, 3):
        shown = {n["code"]: points(n["points"]) for n in levels if n["level"] == level}
        assert shown == {n["code"]: n["points"] for n in explained["levels"][f"level{level}"]}, f"level {level}"


def test_a_record_that_crosses_the_red_line_shows_in_every_view(store: tuple[Path, str, list[str]]) -> None:
    _, url, usccs = store
    engine = make_engine(url)
    where = {"uscc": usccs[1], "period": "2026Q3"}
    [result] = rows(engine, "SELECT grade, red_line FROM v_results WHERE uscc = :uscc AND period = :period", **where)
    assert bool(result["red_line"]) and result["grade"] == "D"
    lost = rows(
        engine,
        "SELECT code FROM v_result_items WHERE uscc = :uscc AND period = :period AND red_line AND points < 0",
        **where,
    )
    assert len(lost) == 1
    engine.dispose()


def test_every_query_in_the_sql_guide_runs_on_both_backends(store: tuple[Path, str, list[str]]) -> None:
    _, url, _ = store
    engine = make_engine(url)
    queries = re.findall(r"```sql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(queries) >= 3
    answers = [rows(engine, query) for query in queries]
    by_city = next(a for a in answers if a and "average_total" in a[0])
    assert sum(r["enterprises"] for r in by_city) == 30
    by_industry = next(a for a in answers if a and "industry_name" in a[0])
    assert all(r["a"] + r["b"] + r["c"] + r["d"] == r["enterprises"] for r in by_industry)
    engine.dispose()


def test_catalogue_rows_are_written_once_and_filled_for_copies_stored_before_the_views(
    db_url: str, tmp_path: Path
) -> None:
    """A store scored at the previous schema gets the rows of its catalogue copies when it is upgraded."""
    from lrc.samples import generate, write_sample
    from lrc.service import ingest_file, score_period
    from tests.conftest import ADMIN

    engine = make_engine(db_url)
    upgrade(engine)
    sample = tmp_path / "s.csv"
    write_sample(generate(5, seed=2, period="2026Q3"), sample)
    ingest_file(engine, ADMIN, sample, "2026Q3")
    score_period(engine, ADMIN, "2026Q3")
    score_period(engine, ADMIN, "2026Q3")  # the same copy again: its rows are not written twice
    count = "SELECT COUNT(*) AS n FROM catalogue_items"
    assert rows(engine, count)[0]["n"] == 75
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")
    upgrade(engine)
    assert rows(engine, count)[0]["n"] == 75
    assert rows(engine, "SELECT COUNT(*) AS n FROM v_result_items")[0]["n"] == 5 * 75
    assert [r["level"] for r in rows(engine, "SELECT level FROM catalogue_levels")].count(1) == 8
    engine.dispose()


def expected_facts(row: dict[str, str], names: list[str]) -> dict[str, float | None]:
    """A CSV row's facts as ``v_facts`` gives them: numbers, 是/否 as 1/0, blank as null."""
    words = {"是": 1.0, "否": 0.0}
    return {n: None if row[n] == "" else words[row[n]] if row[n] in words else float(row[n]) for n in names}


def test_v_facts_gives_each_submission_version_as_a_json_object(store: tuple[Path, str, list[str]]) -> None:
    """Every stored version's facts, keyed by schema name, equal the file they came from; a changed
    resubmission is a second version and only it is the newest."""
    import csv

    directory, url, _ = store
    with (directory / "2026Q3.csv").open(encoding="utf-8-sig", newline="") as handle:
        submitted = list(csv.DictReader(handle))
    schema = json.loads(lrc(directory, "schema", "--format", "json").stdout)
    names = [f["name"] for f in schema if f["type"] != "text"]
    engine = make_engine(url)
    stored = rows(engine, "SELECT uscc, version, is_newest, facts FROM v_facts WHERE period = '2026Q3'")
    assert len(stored) == 30 and all(bool(r["is_newest"]) and r["version"] == 1 for r in stored)
    facts = {r["uscc"]: r["facts"] if isinstance(r["facts"], dict) else json.loads(r["facts"]) for r in stored}
    assert sum(v is None for f in facts.values() for v in f.values()) > 0  # the sample leaves some unreported
    for row in submitted:
        got = {k: None if v is None else float(v) for k, v in facts[row["uscc"]].items()}
        assert got == expected_facts(row, names), row["uscc"]

    changed = dict(submitted[0], headcount=str(int(submitted[0]["headcount"]) + 7))
    again = directory / "again.csv"
    with again.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(changed))
        writer.writeheader()
        writer.writerow(changed)
    cli(directory, url, "ingest", str(again), "--period", "2026Q3")
    versions = rows(
        engine,
        "SELECT version, is_newest, CAST(facts ->> 'headcount' AS INTEGER) AS headcount FROM v_facts"
        " WHERE uscc = :uscc AND period = '2026Q3' ORDER BY version",
        uscc=changed["uscc"],
    )
    assert [(r["version"], bool(r["is_newest"]), r["headcount"]) for r in versions] == [
        (1, False, int(submitted[0]["headcount"])),
        (2, True, int(changed["headcount"])),
    ]
    engine.dispose()


def test_postgresql_keeps_item_points_gaps_levels_and_records_as_native_arrays(
    store: tuple[Path, str, list[str]],
) -> None:
    """On PostgreSQL the arrays say what `lrc explain` says, for a period result and for a record's rescoring
    (SQLite keeps only the packed columns; its views read them)."""
    directory, url, usccs = store
    engine = make_engine(url)
    columns = "r.item_tenths, r.gap_flags, r.level1_tenths, r.record_ids, r.records"
    query = f"SELECT {columns} FROM v_results v JOIN score_results r USING (run_id, enterprise_id) WHERE v.uscc = :uscc"
    if engine.dialect.name != "postgresql":
        with pytest.raises(Exception, match="item_tenths"):
            rows(engine, query + " AND v.period = '2026Q3'", uscc=usccs[0])
        engine.dispose()
        return
    for uscc in usccs[:3]:
        explained = json.loads(cli(directory, url, "explain", uscc, "--period", "2026Q3", "--format", "json"))
        [stored] = rows(engine, query + " AND v.period = '2026Q3'", uscc=uscc)
        assert [t / 10 for t in stored["item_tenths"]] == [i["points"] for i in explained["items"]]
        assert stored["gap_flags"] == [i["gap"] for i in explained["items"]]
        assert [t / 10 for t in stored["level1_tenths"]] == [n["points"] for n in explained["levels"]["level1"]]
        packed = [int(r) for r in (stored["records"] or "").split(",") if r]
        assert (stored["record_ids"] or []) == packed
    assert rows(engine, query + " AND v.period = '2026Q3'", uscc=usccs[1])[0]["record_ids"]  # its red-line record
    guide = re.findall(r"```postgresql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert guide, "docs/sql.md shows the arrays in use"
    for question in guide:
        rows(engine, question)
    engine.dispose()
