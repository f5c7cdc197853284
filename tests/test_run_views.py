"""What each user is told about score runs, end to end through the CLI and the HTTP API on SQLite and
PostgreSQL: which runs a user narrower than the province may list, and how the period run and the later runs
holding current results (a run range) are named wherever a run is named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import StoreBuild, module_store_build
from tests.test_cli import lrc

PERIOD = "2026Q3"
DALIAN = "2102"
PASSWORDS = {"boss": "a-long-password", "dl": "another-password", "firm": "firm-password-1"}


def _build(engine: Engine, directory: Path) -> dict[str, str]:
    """60 sample enterprises scored for 2026Q3; an admin (boss), a Dalian analyst (dl) and the account of one
    Dalian enterprise (firm). What the tests need: a Dalian enterprise, another one and another city's."""
    call = caller(directory, engine.url.render_as_string(hide_password=False))
    call("init", who=None)
    call("sample", "--n", "60", "--seed", "13", "--period", PERIOD, "--output", "facts.csv", who=None)
    call("ingest", "facts.csv", "--period", PERIOD, who=None)
    call("score", "--period", PERIOD, who=None)
    sample = pd.read_csv(directory / "facts.csv", dtype=str, encoding="utf-8-sig")
    dalian = sample.loc[sample["region_code"].str.startswith(DALIAN), "uscc"].tolist()
    other = sample.loc[~sample["region_code"].str.startswith(DALIAN), "uscc"].tolist()
    call("user", "add", "boss", "--role", "admin", "--password-stdin", who=None, stdin=PASSWORDS["boss"])
    call("user", "add", "dl", "--role", "analyst", "--scope", "210200", "--password-stdin", stdin=PASSWORDS["dl"])
    call("user", "add", "firm", "--role", "enterprise", "--uscc", dalian[0], "--password-stdin",
         stdin=PASSWORDS["firm"])  # fmt: skip
    return {"firm": dalian[0], "dalian": dalian[1], "other": other[0]}


store_build = module_store_build(_build, "run-views")


def caller(cwd: Path, url: str) -> Any:
    """``lrc`` on the store at ``url``, as ``who`` (boss unless told)."""

    def call(*args: str, ok: bool = True, who: str | None = "boss", stdin: str | None = None) -> Any:
        acting = ("--as", who) if who else ()
        return lrc(cwd, *args, *acting, ok=ok, env={"LRC_DATABASE_URL": url}, stdin=stdin)

    return call


@pytest.fixture
def store(engine: Engine, db_url: str, store_build: StoreBuild, tmp_path: Path) -> tuple[Any, dict[str, str]]:
    """A caller on a copy of the built store (its files in the working folder) and the USCCs it holds."""
    store_build.files(engine, tmp_path)
    return caller(tmp_path, db_url), store_build.value(engine)


def as_json(call: Any, *args: str, who: str = "boss") -> Any:
    return json.loads(call(*args, "--format", "json", who=who).stdout)


def add_record(call: Any, uscc: str, ref: str, who: str = "boss") -> int:
    """A wage-arrears finding for ``uscc`` decided in the period: the enterprise is rescored (a run of its own)."""
    added = as_json(call, "record", "add", uscc, "--type", "WAGE_ARREARS_FINDING", "--date", "2026-09-01",
                    "--source", "大连市人力资源和社会保障局", "--ref", ref, "--severity", "一般", who=who)  # fmt: skip
    return int(added["results"][0]["run_id"])


def test_a_narrower_user_lists_the_period_runs_and_the_later_runs_inside_their_scope(
    store: tuple[Any, dict[str, str]],
) -> None:
    call, usccs = store
    period_run = as_json(call, "runs")[0]["id"]
    elsewhere = add_record(call, usccs["other"], "大人社监〔2026〕101号")  # by boss, outside Dalian
    in_dalian = add_record(call, usccs["dalian"], "大人社监〔2026〕102号", who="dl")
    own = add_record(call, usccs["firm"], "大人社监〔2026〕103号")
    everything = [(r["id"], r["kind"]) for r in as_json(call, "runs")]
    assert everything == [(period_run, "period"), (elsewhere, "records"), (in_dalian, "records"), (own, "records")]
    assert [r["id"] for r in as_json(call, "runs", who="dl")] == [period_run, in_dalian, own]
    assert [r["id"] for r in as_json(call, "runs", who="firm")] == [period_run, own]
    assert [r["id"] for r in as_json(call, "runs", "--period", PERIOD, who="dl")] == [period_run, in_dalian, own]


def api_client(engine: Engine, db_url: str) -> tuple[TestClient, dict[str, str]]:
    """A client of the HTTP API on the store, and boss's token header."""
    from lrc.api import create_app
    from lrc.service import accounts

    boss = accounts.acting(engine, "boss")
    token = accounts.create_token(engine, boss, "boss").token
    return TestClient(create_app(db_url)), {"Authorization": f"Bearer {token}"}


def imported(call: Any, cwd: Path) -> int:
    """The national job's results for the period's current facts, imported: a run of kind import."""
    from indicators import load_catalogue
    from lrc.spark.frames import results_frame

    call("export", "--period", PERIOD, "--format", "parquet", "--output", "facts.parquet")
    results_frame(load_catalogue(), pd.read_parquet(cwd / "facts.parquet")).to_parquet(cwd / "results.parquet")
    return int(as_json(call, "import-results", "results.parquet")["id"])


def test_every_place_names_the_runs_holding_the_current_results(
    store: tuple[Any, dict[str, str]], engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """After a record's rescoring and an import, the current results are those of runs P to I: the API's
    ranking, a publication, a not-found answer and the export say so, not the period run alone."""
    call, usccs = store
    period_run = as_json(call, "runs")[0]["id"]
    add_record(call, usccs["other"], "大人社监〔2026〕104号")
    through = imported(call, tmp_path)
    client, boss = api_client(engine, db_url)
    with client:
        page = client.get("/api/v1/rankings?limit=3", headers=boss).json()
        assert (page["run_id"], page["through_run_id"]) == (period_run, through)
        made = as_json(call, "publish", "--period", PERIOD)
        listed = {p["id"]: p for p in as_json(call, "publications")}
        assert (listed[made["id"]]["run_id"], listed[made["id"]]["through_run_id"]) == (period_run, through)
        shown = as_json(call, "publication", "show", str(made["id"]))
        runs = {int(e["result_id"].split(":")[0]) for e in shown["content"]["entries"]}
        assert shown["through_run_id"] == max(runs) == through and min(runs) >= period_run
        published = client.get("/api/v1/rankings?view=published&limit=1", headers=boss).json()
        assert (published["run_id"], published["through_run_id"]) == (period_run, through)
        absent = client.get(f"/api/v1/enterprises/91210100MA0000000X?period={PERIOD}", headers=boss).json()
    named = f"评分批次 {period_run} 至 {through}"
    assert f"当前结果({named})中没有企业" in absent["detail"]
    missing = call("explain", "91210100MA0000000X", "--period", PERIOD, ok=False)
    assert missing.returncode == 5 and f"当前结果({named})" in missing.stderr
    assert named in call("publication", "show", str(made["id"])).stdout
    assert named in call("export", "--period", PERIOD, "--format", "parquet", "--output", "again.parquet").stdout
    assert f"含其后至批次 {through} 的重算与导入结果" in call("rank", "--period", PERIOD, "--top", "1").stdout


def test_explain_names_the_newest_run_shown_as_the_api_ranking_does(
    store: tuple[Any, dict[str, str]], engine: Engine, db_url: str
) -> None:
    """`lrc explain -f json` and the API's enterprise answer name ``through_run_id`` beside ``run_id``, as the API's
    ranking does: the newest later run for the current result, the run itself for a given run's result."""
    call, usccs = store
    period_run = as_json(call, "runs")[0]["id"]
    through = add_record(call, usccs["other"], "大人社监〔2026〕106号")
    current = as_json(call, "explain", usccs["firm"], "--period", PERIOD)
    assert (current["run_id"], current["through_run_id"], current["result_run_id"]) == (period_run, through, period_run)
    rescored = as_json(call, "explain", usccs["other"], "--period", PERIOD)
    assert (rescored["run_id"], rescored["through_run_id"], rescored["result_run_id"]) == (period_run, through, through)
    alone = as_json(call, "explain", usccs["firm"], "--period", PERIOD, "--run", str(period_run))
    assert (alone["run_id"], alone["through_run_id"]) == (period_run, period_run)
    client, boss = api_client(engine, db_url)
    with client:
        answer = client.get(f"/api/v1/enterprises/{usccs['firm']}?period={PERIOD}", headers=boss).json()
        page = client.get("/api/v1/rankings?limit=1", headers=boss).json()
    assert answer["through_run_id"] == page["through_run_id"] == through and set(answer) == set(current)


def test_a_publication_made_before_migration_0021_names_its_newest_listed_run(
    store: tuple[Any, dict[str, str]], engine: Engine
) -> None:
    """The upgrade reads each stored publication's entries for the newest run they list; the table stays
    append-only afterwards."""
    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from lrc.store import upgrade
    from lrc.store.revision import alembic_config

    call, usccs = store
    through = add_record(call, usccs["other"], "大人社监〔2026〕105号")
    made = as_json(call, "publish", "--period", PERIOD)["id"]
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0020")
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.scalar(text(f"SELECT through_run_id FROM publications WHERE id = {made}")) == through
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE publications SET title = 'x'"))
    assert as_json(call, "publications")[0]["through_run_id"] == through


def test_the_public_site_gives_the_current_result_of_a_corrected_entry(
    store: tuple[Any, dict[str, str]], tmp_path: Path
) -> None:
    """A published entry removed from the blacklist (a correction), then rescored for a record: the site's
    "现结果" is the newest result, not the removal's."""
    call, usccs = store
    uscc, authority, listing = usccs["other"], "沈阳市人力资源和社会保障局", "沈人社失信〔2026〕31号"
    header = "uscc,list_type,decision_date,authority,document_no,removes\n"
    (tmp_path / "listing.csv").write_text(f"{header}{uscc},wage_arrears_blacklist,2026-06-01,{authority},{listing},\n")
    call("exchange", "import", "listing.csv")
    call("publish", "--period", PERIOD)
    removal = f"{header}{uscc},removal,2026-09-20,{authority},沈人社移〔2026〕32号,{listing}\n"
    (tmp_path / "removal.csv").write_text(removal, encoding="utf-8")
    removed = as_json(call, "exchange", "import", "removal.csv")["results"][0]["run_id"]
    newest = add_record(call, uscc, "大人社监〔2026〕106号")
    total = as_json(call, "explain", uscc, "--period", PERIOD)["total"]
    call("site", "build", "--output", "site")
    page = (tmp_path / "site" / "e" / f"{uscc}.html").read_text(encoding="utf-8")
    assert "已移出名单" in page and f"现结果:总分 {total:.1f}" in page and f"(评分批次 {newest})" in page
    assert f"(评分批次 {removed})" not in page


def changed_rows(cwd: Path, uscc: str, name: str, more: int = 1) -> str:
    """The sample's row of ``uscc`` with ``more`` employees who left, as a file of its own (a new version)."""
    sample = pd.read_csv(cwd / "facts.csv", dtype=str, encoding="utf-8-sig")
    row = sample[sample["uscc"] == uscc].copy()
    row["employees_left"] = str(int(float(row["employees_left"].iloc[0] or 0)) + more)
    row.to_csv(cwd / name, index=False)
    return name


def test_new_versions_of_a_scored_period_say_who_makes_them_count_and_name_the_current_runs(
    store: tuple[Any, dict[str, str]], tmp_path: Path
) -> None:
    """A city analyst may not score the period (a province-wide act), and an ingest rescores nobody: they
    are not told to run `lrc score`; everyone is told which runs hold the current results."""
    call, usccs = store
    period_run = as_json(call, "runs")[0]["id"]
    later = add_record(call, usccs["other"], "大人社监〔2026〕107号")
    name = changed_rows(tmp_path, usccs["dalian"], "dalian.csv")
    done = call("ingest", name, "--period", PERIOD, who="dl")
    note = done.stdout.replace("\n", "")
    assert f"当前结果来自评分批次 {period_run} 至 {later}," in note and "lrc score" not in note
    assert "全省范围" in note and "/api/v1/submissions" in note and done.stdout.strip().splitlines()[-1].isdigit()
    said = as_json(call, "ingest", changed_rows(tmp_path, usccs["dalian"], "again.csv", 2), "--period", PERIOD,
                   who="dl")  # fmt: skip
    assert (said["scored_run"], said["scored_through"], said["may_score"]) == (period_run, later, False)
    mine = call("ingest", changed_rows(tmp_path, usccs["other"], "other.csv"), "--period", PERIOD)
    assert f"评分批次 {period_run} 至 {later}," in mine.stdout and f"lrc score --period {PERIOD}" in mine.stdout


def as_object(cwd: Path, uscc: str) -> dict[str, Any]:
    """The sample's row of ``uscc`` as a flat JSON object (numbers as numbers, blanks left out)."""
    sample = pd.read_csv(cwd / "facts.csv", dtype=str, encoding="utf-8-sig")
    row = sample[sample["uscc"] == uscc].iloc[0].dropna().to_dict()

    def value(key: str, text: str) -> Any:
        if key in ("uscc", "region_code"):
            return text
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
        return text

    return {k: value(k, v) for k, v in row.items()}


def test_an_unscored_period_is_answered_in_words_every_door_can_use(
    store: tuple[Any, dict[str, str]], engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """An enterprise's submission for a period nobody has scored is answered with a provisional score; reading
    its result back says the period is not scored yet, without a command only the CLI can run (the CLI adds
    one); the same data posted again answers the provisional score again, storing nothing."""
    from lrc.service import accounts

    call, usccs = store
    client, _ = api_client(engine, db_url)
    firm = {"Authorization": f"Bearer {accounts.create_token(engine, accounts.acting(engine, 'firm'), 'firm').token}"}
    body = as_object(tmp_path, usccs["firm"])
    with client:
        posted = client.post("/api/v1/submissions?period=2026Q4", json=body, headers=firm)
        assert posted.status_code == 201 and posted.json()["provisional"] is True, posted.text
        read = client.get(f"/api/v1/enterprises/{usccs['firm']}?period=2026Q4", headers=firm)
        assert read.status_code == 404 and read.json()["code"] == "not_found"
        detail = read.json()["detail"]
        assert "期间 2026Q4 尚未整期评分" in detail and "暂定" in detail and "lrc " not in detail, detail
        again = client.post("/api/v1/submissions?period=2026Q4", json=body, headers=firm)
        assert again.status_code == 200 and again.json()["total"] == posted.json()["total"]
        assert again.json()["provisional"] is True and again.json()["changed"] is False
        missing = client.get("/api/v1/publications/999", headers=firm).json()
        assert missing["code"] == "not_found" and "lrc " not in missing["detail"]
    said = call("explain", usccs["firm"], "--period", "2026Q4", who="firm", ok=False)
    assert said.returncode == 5 and "尚未整期评分" in said.stderr and "`lrc score --period 2026Q4`" in said.stderr


def test_a_record_for_an_enterprise_without_a_result_where_it_counts_says_so(
    store: tuple[Any, dict[str, str]], tmp_path: Path
) -> None:
    """An enterprise ingested after the period run has no current result in it: a record that counts there
    rescores nothing, and the answer says why (it blamed the record's window or the catalogue)."""
    call, usccs = store
    call("sample", "--n", "1", "--seed", "977", "--period", PERIOD, "--output", "late.csv")
    late = pd.read_csv(tmp_path / "late.csv", dtype=str, encoding="utf-8-sig")["uscc"].iloc[0]
    assert late not in usccs.values()
    call("ingest", "late.csv", "--period", PERIOD)
    done = call("record", "add", late, "--type", "WAGE_ARREARS_FINDING", "--date", "2026-09-01", "--source",
                "大连市人力资源和社会保障局", "--ref", "大人社监〔2026〕108号", "--severity", "一般")  # fmt: skip
    said = done.stdout.replace("\n", "")
    assert f"没有重算 {late}:记录计入的已评分期间 {PERIOD} 中,该企业没有当前结果" in said
    assert "记录不在任何已评分期间的显示期内" not in said and done.stdout.strip().splitlines()[-1].isdigit()
    again = as_json(call, "record", "add", late, "--type", "WAGE_ARREARS_FINDING", "--date", "2026-09-02", "--source",
                    "大连市人力资源和社会保障局", "--ref", "大人社监〔2026〕109号", "--severity", "一般")  # fmt: skip
    assert again["results"] == [] and again["no_result"] == [{"uscc": late, "periods": [PERIOD]}]
    old = call("record", "add", late, "--type", "WAGE_ARREARS_FINDING", "--date", "2024-01-02", "--source",
               "大连市人力资源和社会保障局", "--ref", "大人社监〔2024〕1号", "--severity", "一般")  # fmt: skip
    assert "记录不在任何已评分期间的显示期内" in old.stdout and "没有重算" not in old.stdout
