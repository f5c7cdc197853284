"""What each user is told about score runs, end to end through the CLI and the HTTP API on SQLite and
PostgreSQL: which runs a user narrower than the province may list, and how the period run and the later runs
holding current results (a run range) are named wherever a run is named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
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
