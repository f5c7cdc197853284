"""`lrc export --format parquet` and `lrc import-results` end to end, as a user runs them: a province's facts
out, the national job's results (here the same pandas function each Spark partition runs) back in as a run
that `lrc verify` reproduces; a bad results file refused whole, naming file, row, column and reason."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from indicators import load_catalogue
from lrc.errors import ConflictError
from lrc.scope import Scope
from lrc.service.access import Principal, Role
from lrc.spark.frames import results_frame
from lrc.store import make_engine
from lrc.store import repository as repo
from tests.conftest import ADMIN, scored_sample
from tests.test_cli import lrc

PERIOD = "2026Q3"
CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 sample enterprises for 2026Q3 and their records, ingested and scored; their facts exported."""
    cwd = tmp_path_factory.mktemp("national")
    lrc(cwd, "init")
    lrc(cwd, "sample", "--n", "120", "--seed", "5", "--period", PERIOD, "--output", "s.csv",
        "--records", "records.csv", "--as-of", "2026-11-29")  # fmt: skip
    lrc(cwd, "ingest", "s.csv", "--period", PERIOD)
    lrc(cwd, "record", "ingest", "records.csv")
    lrc(cwd, "score", "--period", PERIOD)
    lrc(cwd, "export", "--period", PERIOD, "--format", "parquet", "--output", "facts.parquet")
    return cwd


@pytest.fixture
def store(province: Path, tmp_path: Path) -> Path:
    """A copy of the province's folder (store and files) for a test that writes."""
    shutil.copytree(province, tmp_path / "p")
    return tmp_path / "p"


def national(cwd: Path) -> pd.DataFrame:
    """What the national job writes for the exported facts."""
    return results_frame(CATALOGUE, pd.read_parquet(cwd / "facts.parquet"))


def runs(cwd: Path) -> list[dict]:
    return json.loads(lrc(cwd, "runs", "--format", "json").stdout)


def test_the_export_has_one_row_per_enterprise_with_identity_facts_and_counted_records(province: Path) -> None:
    facts = pd.read_parquet(province / "facts.parquet")
    assert len(facts) == 120 and facts["uscc"].is_unique and set(facts["period"]) == {PERIOD}
    assert list(facts.columns[:4]) == ["uscc", "period", "submission_id", "records"]
    assert {f.name for f in CATALOGUE.fields} <= set(facts.columns)
    counts = facts.filter(like="record:")
    assert counts.to_numpy().sum() == sum(len(r.split(",")) for r in facts["records"] if r)
    ranked = json.loads(lrc(province, "rank", "--period", PERIOD, "--format", "json").stdout)
    scored = national(province).set_index("uscc")
    assert {r["uscc"]: (r["total"], r["grade"]) for r in ranked} == {
        u: (t, g) for u, t, g in zip(scored.index, scored["total"], scored["grade"], strict=True)
    }


def test_an_imported_run_prints_its_id_last_becomes_current_and_verifies(store: Path) -> None:
    national(store).to_parquet(store / "results.parquet", index=False)
    done = lrc(store, "import-results", "results.parquet")
    run_id = int(done.stdout.strip().splitlines()[-1])
    assert [r["kind"] for r in runs(store)] == ["period", "import"] and runs(store)[-1]["id"] == run_id
    # a score run (lrc runs, lrc verify), which 导入批次 (an ingest batch, lrc batches) is not
    assert done.stdout.startswith(f"评分批次 {run_id}(导入") and "导入批次" not in done.stdout
    assert "完全复现" in lrc(store, "verify", str(run_id)).stdout
    ranked = json.loads(lrc(store, "rank", "--period", PERIOD, "--top", "3", "--format", "json").stdout)
    assert len(ranked) == 3


def test_import_results_as_json_and_from_a_folder_of_parts(store: Path) -> None:
    results = national(store)
    (store / "out").mkdir()
    results.iloc[:50].to_parquet(store / "out" / "part-0.parquet", index=False)
    results.iloc[50:].to_parquet(store / "out" / "part-1.parquet", index=False)
    (store / "out" / "_SUCCESS").write_text("")
    made = json.loads(lrc(store, "import-results", "out", "--format", "json").stdout)
    assert made["id"] == made["run_id"] and made["enterprises"] == 120 and made["period"] == PERIOD
    assert made["kind"] == "import"


def test_the_same_results_imported_again_are_refused_naming_the_run_that_holds_them(store: Path) -> None:
    lrc(store, "score", "--period", PERIOD)  # records past their display period expire first: later runs score the same
    lrc(store, "export", "--period", PERIOD, "--format", "parquet", "--output", "facts.parquet")
    results = national(store)
    results.to_parquet(store / "results.parquet", index=False)
    run_id = int(lrc(store, "import-results", "results.parquet").stdout.strip().splitlines()[-1])
    (store / "out").mkdir()  # the same rows as parts: the same results, whatever the file
    results.iloc[:60].to_parquet(store / "out" / "part-0.parquet", index=False)
    results.iloc[60:].to_parquet(store / "out" / "part-1.parquet", index=False)
    for again in ("results.parquet", "out"):
        done = lrc(store, "import-results", again, "--format", "json", ok=False)
        assert done.returncode == 6 and f"评分批次 {run_id}(导入" in done.stderr and again in done.stderr, done.stderr
        assert json.loads(done.stdout)["error"]["code"] == "conflict" and "Traceback" not in done.stderr
    assert runs(store)[-1]["id"] == run_id  # nothing stored
    lrc(store, "score", "--period", PERIOD)  # a newer period run holds the current results: they import again
    again = int(lrc(store, "import-results", "results.parquet").stdout.strip().splitlines()[-1])
    newest = runs(store)[-3:]
    assert [r["kind"] for r in newest] == ["import", "period", "import"] and newest[-1]["id"] == again != run_id


def test_the_service_refuses_a_second_import_of_the_same_results_on_each_backend(
    engine: Engine, tmp_path: Path
) -> None:
    from lrc.service.national_export import export_facts
    from lrc.service.national_import import import_results

    scored_sample(engine, tmp_path, 30, 9, PERIOD)
    export_facts(engine, ADMIN, PERIOD, tmp_path / "facts.parquet")
    results_frame(CATALOGUE, pd.read_parquet(tmp_path / "facts.parquet")).to_parquet(tmp_path / "r.parquet")
    first = import_results(engine, ADMIN, tmp_path / "r.parquet")
    with pytest.raises(ConflictError, match=f"评分批次 {first.run_id}"):
        import_results(engine, ADMIN, tmp_path / "r.parquet")
    with engine.connect() as conn:
        assert repo.runs(conn, PERIOD, kind=None)["kind"].tolist() == ["period", "import"]


def test_an_import_keeps_its_match_counts_for_a_ranking_of_its_run(engine: Engine, tmp_path: Path) -> None:
    """An import is a whole run a ranking can name (``--run``): its match counts are kept with its results, and a
    ranking of it counts what it ranks."""
    from lrc.service import Filters, ranking
    from lrc.service.national_export import export_facts
    from lrc.service.national_import import import_results
    from lrc.service.results import ranking_page
    from tests.test_read_path import kept_counts

    scored_sample(engine, tmp_path, 30, 9, PERIOD)
    export_facts(engine, ADMIN, PERIOD, tmp_path / "facts.parquet")
    results_frame(CATALOGUE, pd.read_parquet(tmp_path / "facts.parquet")).to_parquet(tmp_path / "r.parquet")
    run_id = import_results(engine, ADMIN, tmp_path / "r.parquet").run_id
    with engine.connect() as conn:
        assert sum(int(r[-1]) for r in kept_counts(conn, run_id)) == 30
    for filters in (Filters(), Filters(region="210200"), Filters(grade="B")):
        whole = ranking(engine, ADMIN, PERIOD, filters, run_id=run_id)[1]
        assert ranking_page(engine, ADMIN, PERIOD, filters, limit=3, run_id=run_id)[2] == len(whole)


def test_other_points_for_the_same_facts_import_as_a_new_run(store: Path) -> None:
    results = national(store)
    results.to_parquet(store / "results.parquet", index=False)
    lrc(store, "import-results", "results.parquet")
    row, moved = _tenth_moved(results)  # the same total, red line and grade: only the items differ
    moved.to_parquet(store / "moved.parquet", index=False)
    run_id = int(lrc(store, "import-results", "moved.parquet").stdout.strip().splitlines()[-1])
    assert [r["kind"] for r in runs(store)] == ["period", "import", "import"] and runs(store)[-1]["id"] == run_id
    assert moved.loc[row, "total"] == results.loc[row, "total"] and moved.loc[row, "grade"] == results.loc[row, "grade"]


def _tenth_moved(results: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    """``results`` with a tenth of a point moved, in one row, from one item to another (neither a red-line
    item nor a gap, both within their caps): still valid for the catalogue, with the same total and grade."""
    for row in range(len(results)):
        gaps = results.loc[row, "gaps"]
        plain = [(j, i) for j, i in enumerate(CATALOGUE.items) if not i.red_line and i.points_tenths > 0
                 and gaps[j] == "0"]  # fmt: skip
        give = [i.code for _, i in plain if results.loc[row, i.code] >= 0.1]
        take = [i.code for _, i in plain if round(results.loc[row, i.code] * 10) < i.points_tenths]
        pair = next(((a, b) for a in give for b in take if a != b), None)
        if pair is not None:
            moved = results.copy()
            moved.loc[row, pair[0]] = round(moved.loc[row, pair[0]] - 0.1, 1)
            moved.loc[row, pair[1]] = round(moved.loc[row, pair[1]] + 0.1, 1)
            return row, moved
    raise AssertionError("no row has points to move")


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        (lambda r: r.assign(uscc=r["uscc"].where(r.index != 3, "91210100MA0000000X")), "uscc", "没有这家企业"),
        (lambda r: r.assign(total=r["total"].where(r.index != 5, r["total"] + 1)), "total", "各项得分之和"),
        (lambda r: r.assign(**{"A1.1.1": r["A1.1.1"].where(r.index != 7, 999.0)}), "A1.1.1", "分值范围"),
        (lambda r: r.assign(grade=r["grade"].where(r.index != 8, "Z")), "grade", "等级"),
        (lambda r: r.assign(red_line=r["red_line"].where(r.index != 9, ~r["red_line"])), "red_line", "红线"),
        (lambda r: r.assign(records=r["records"].where(r.index != 2, "999999")), "records", "记录有变化"),
        (lambda r: pd.concat([r, r.iloc[[0]]], ignore_index=True), "uscc", "重复"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_row_column_and_reason(
    store: Path, change: object, column: str, reason: str
) -> None:
    results = change(national(store))  # type: ignore[operator]
    results.to_parquet(store / "bad.parquet", index=False)
    done = lrc(store, "import-results", "bad.parquet", ok=False)
    assert done.returncode == 4, done.stderr
    problem = next(line for line in done.stderr.splitlines() if reason in line)
    assert "bad.parquet" in problem and f"列 {column}" in problem and "第" in problem
    assert [r["kind"] for r in runs(store)] == ["period"]  # nothing stored


def test_a_missing_item_column_or_an_unknown_period_is_refused(store: Path) -> None:
    national(store).drop(columns=["B1.1.1"]).to_parquet(store / "short.parquet", index=False)
    done = lrc(store, "import-results", "short.parquet", ok=False)
    assert done.returncode == 4 and "B1.1.1" in done.stderr and "缺少此列" in done.stderr
    national(store).drop(columns=["period"]).to_parquet(store / "np.parquet", index=False)
    assert lrc(store, "import-results", "np.parquet", ok=False).returncode == 2  # no period: --period needed
    done = lrc(store, "import-results", "np.parquet", "--period", "2026Q2", ok=False)
    assert done.returncode == 5 and "2026Q2" in done.stderr
    assert lrc(store, "import-results", "none.parquet", ok=False).returncode == 5
    (store / "x.parquet").write_text("not parquet")
    assert lrc(store, "import-results", "x.parquet", ok=False).returncode == 4
    national(store).iloc[:0].to_parquet(store / "empty.parquet", index=False)
    done = lrc(store, "import-results", "empty.parquet", ok=False)
    assert done.returncode == 4 and "没有结果" in done.stderr


def test_facts_exported_before_a_new_submission_are_stale(store: Path) -> None:
    results = national(store)
    sample = pd.read_csv(store / "s.csv", dtype=str)
    sample.loc[0, "headcount"] = str(int(sample.loc[0, "headcount"]) + 1)
    sample.iloc[[0]].to_csv(store / "again.csv", index=False)
    lrc(store, "ingest", "again.csv", "--period", PERIOD)
    lrc(store, "score", "--period", PERIOD)
    results.to_parquet(store / "results.parquet", index=False)
    done = lrc(store, "import-results", "results.parquet", ok=False)
    assert done.returncode == 4 and "重新报送" in done.stderr and "submission_id" in done.stderr


def test_export_is_parquet_only_and_keeps_to_the_scope(province: Path, tmp_path: Path) -> None:
    assert lrc(province, "export", "--period", PERIOD, "--format", "csv", "--output", "f.csv", ok=False).returncode == 2
    from lrc.service.national_export import export_facts

    engine = make_engine(f"sqlite:///{province / 'lrc.db'}")
    dalian = Principal(name="dl", role=Role.analyst, scope=Scope("210200"))
    made = export_facts(engine, dalian, PERIOD, tmp_path / "dl.parquet")
    facts = pd.read_parquet(tmp_path / "dl.parquet")
    assert made.enterprises == len(facts) > 0 and facts["region_code"].str.startswith("2102").all()


def test_the_export_names_its_catalogue_for_the_job(province: Path) -> None:
    from lrc.cli_spark import _edition_of

    assert _edition_of(str(province / "facts.parquet")) == CATALOGUE.version
    assert _edition_of(str(province / "s.csv")) is None  # not parquet: the job's default edition
