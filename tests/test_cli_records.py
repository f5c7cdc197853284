"""`lrc record …`, `lrc records`, `lrc catalogue diff|impact`, `lrc score --catalogue` and `lrc sample --records`
end to end, as a user runs them (real console script, real files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import lrc

PERIOD = "2026Q3"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 sample enterprises for 2026Q2 and 2026Q3 and their records up to 2026-11-29, ingested and scored."""
    cwd = tmp_path_factory.mktemp("cli-records")
    lrc(cwd, "init")
    for period in ("2026Q2", PERIOD):
        args = ["--records", "records.csv", "--as-of", "2026-11-29"] if period == PERIOD else []
        lrc(cwd, "sample", "--n", "60", "--seed", "9", "--period", period, "--output", f"{period}.csv", *args)
        lrc(cwd, "ingest", f"{period}.csv", "--period", period)
    lrc(cwd, "record", "ingest", "records.csv")
    for period in ("2026Q2", PERIOD):
        lrc(cwd, "score", "--period", period)
    return cwd


def top(cwd: Path) -> str:
    return json.loads(lrc(cwd, "rank", "--period", PERIOD, "--top", "1", "--format", "json").stdout)[0]["uscc"]


def test_record_add_prints_the_id_last_and_json_with_the_new_result(workdir: Path) -> None:
    uscc = top(workdir)
    args = ("record", "add", uscc, "--type", "FATAL_ACCIDENT_RESPONSIBLE", "--date", "2026-08-20",
            "--source", "鞍山市应急管理局", "--ref", "鞍应急罚〔2026〕3号", "--severity", "严重")  # fmt: skip
    done = lrc(workdir, *args)
    record_id = int(done.stdout.strip().splitlines()[-1])
    assert "→ " in done.stdout and " D,触及红线" in done.stdout
    again = json.loads(lrc(workdir, *args, "--format", "json").stdout)
    assert again["id"] == record_id and again["stored"] == [] and again["already"] == [record_id]
    explained = json.loads(lrc(workdir, "explain", uscc, "--period", PERIOD, "--format", "json").stdout)
    assert explained["grade"] == "D" and explained["cause_record_id"] == record_id
    [record] = [r for r in explained["records"] if r["id"] == record_id]
    assert record["counted"] and record["display_until"] == "2029-08-20" and record["source"] == "鞍山市应急管理局"
    listed = json.loads(lrc(workdir, "records", "--uscc", uscc, "--format", "json").stdout)
    assert any(r["id"] == record_id and r["live"] for r in listed)
    assert lrc(workdir, "verify", str(explained["result_run_id"])).returncode == 0
    for period in ("2026Q2", PERIOD):  # the ranking's title names the newest later run its results include
        runs = json.loads(lrc(workdir, "runs", "--period", period, "--format", "json").stdout)
        period_run = max(r["id"] for r in runs if r["kind"] == "period")
        later = [r["id"] for r in runs if r["kind"] != "period" and r["id"] > period_run]
        title = lrc(workdir, "rank", "--period", period, "--top", "3").stdout.splitlines()[0]
        named = f"批次 {period_run},含其后至批次 {max(later)} 的重算与导入结果" if later else f"批次 {period_run},指标"
        assert named in title, title
    assert explained["result_run_id"] in later


def test_a_bad_record_is_one_line_per_problem_with_its_exit_code(workdir: Path) -> None:
    done = lrc(
        workdir, "record", "add", "91210100MA0000001X", "--type", "NOPE", "--date", "2099-01-01",
        "--source", "x", "--ref", "y", ok=False,
    )  # fmt: skip
    assert done.returncode == 4 and "Traceback" not in done.stderr
    assert "未知的记录类型" in done.stderr and "晚于今天" in done.stderr
    assert "记录类型表" in done.stderr and "lrc record types" not in done.stderr  # (said to the API's users too)


def test_record_types_and_records_list_as_json(workdir: Path) -> None:
    types = json.loads(lrc(workdir, "record", "types", "--format", "json").stdout)
    assert len(types) == 26 and sum(t["red_line"] for t in types) == 6
    blacklist = next(t for t in types if t["code"] == "WAGE_ARREARS_BLACKLIST")
    assert blacklist["display_years"] == {"serious": 3.0} and blacklist["repairable"]
    listed = json.loads(lrc(workdir, "records", "--since", "2026-01-01", "--format", "json").stdout)
    assert listed and all(r["date"] >= "2026-01-01" for r in listed)


def test_catalogue_diff_and_impact(workdir: Path) -> None:
    diff = json.loads(lrc(workdir, "catalogue", "diff", "2026.1", "2027.1", "--format", "json").stdout)
    assert {"新增", "删除", "修改"} <= {d["change"] for d in diff}
    impact = json.loads(
        lrc(workdir, "catalogue", "impact", "2026.1", "2027.1", "--period", PERIOD, "--format", "json").stdout
    )
    assert impact["enterprises"] == 60 and sum(sum(row.values()) for row in impact["transitions"].values()) == 60
    assert impact["rank_correlation"] is not None and impact["items"] and impact["by_city"] and impact["by_size"]
    text = lrc(workdir, "catalogue", "impact", "2026.1", "2027.1", "--period", PERIOD).stdout
    assert "等级变化" in text and "按城市" in text


def test_an_edition_the_data_was_not_collected_for_is_refused(workdir: Path) -> None:
    done = lrc(workdir, "score", "--period", PERIOD, "--catalogue", "2026.1", ok=False)
    assert done.returncode == 6 and "缺少指标体系 2026.1 的必填字段" in done.stderr
    impact = json.loads(
        lrc(workdir, "catalogue", "impact", "2026.1", "2027.1", "--period", PERIOD, "--format", "json").stdout
    )
    assert impact["missing_old"] and not impact["missing_new"]  # the report says why 2026.1 looks so poor


def test_the_older_edition_still_ingests_and_scores_its_own_data(tmp_path: Path) -> None:
    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "30", "--seed", "4", "--period", "2025Q4", "--output", "old.csv",
        "--catalogue", "2026.1")  # fmt: skip
    lrc(tmp_path, "ingest", "old.csv", "--period", "2025Q4", "--catalogue", "2026.1")
    done = lrc(tmp_path, "score", "--period", "2025Q4", "--catalogue", "2026.1")
    assert "指标体系 2026.1" in done.stdout
    run = int(done.stdout.split("评分批次 ")[1].split(":")[0])
    assert lrc(tmp_path, "verify", str(run)).returncode == 0
    refused = lrc(tmp_path, "ingest", "old.csv", "--period", "2025Q4", ok=False)  # 2027.1 does not know its columns
    assert refused.returncode == 4 and "未知的列名" in refused.stderr


def test_a_bad_format_is_refused_before_anything_is_stored(workdir: Path) -> None:
    before = json.loads(lrc(workdir, "records", "--format", "json").stdout)
    done = lrc(workdir, "record", "add", top(workdir), "--type", "CORRECTION_ORDER", "--date", "2026-08-05",
               "--source", "测试局", "--ref", "FMT1", "--format", "xml", ok=False)  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("用法错误")
    assert json.loads(lrc(workdir, "records", "--format", "JSON").stdout) == before


def test_full_width_document_numbers_are_the_same_record(workdir: Path) -> None:
    uscc = top(workdir)
    base = ("record", "add", uscc, "--type", "LABOUR_PENALTY", "--date", "2026-08-01", "--source", "本溪市人社局",
            "--severity", "一般", "--format", "json")  # fmt: skip
    first = json.loads(lrc(workdir, *base, "--ref", "本人社罚〔2026〕88号").stdout)
    again = json.loads(lrc(workdir, *base, "--ref", "本人社罚〔２０２６〕８８号").stdout)
    assert again["already"] == first["stored"] and again["results"] == []
    for typed in ("本人社罚[2026]88号", "本人社罚【２０２６】８８号", "本人社罚(2026)88号"):  # however typed
        same = json.loads(lrc(workdir, *base, "--ref", typed).stdout)
        assert same["already"] == first["stored"] and same["stored"] == [], typed
    letters = json.loads(lrc(workdir, *base, "--ref", "本人社罚〔2026〕b7号").stdout)
    assert json.loads(lrc(workdir, *base, "--ref", "本人社罚[2026]B7号").stdout)["already"] == letters["stored"]
    listed = json.loads(lrc(workdir, "records", "--uscc", uscc, "--format", "json").stdout)
    assert {"本人社罚〔2026〕88号", "本人社罚〔2026〕B7号"} <= {r["ref"] for r in listed}


def test_sample_records_of_several_samples_load_into_one_store(tmp_path: Path) -> None:
    lrc(tmp_path, "init")
    for seed, n, day in ((77, 40, "2026-11-29"), (78, 30, "2026-11-29"), (77, 35, "2026-10-15")):
        lrc(tmp_path, "sample", "--n", str(n), "--seed", str(seed), "--period", PERIOD, "--output", f"s{seed}.csv",
            "--records", f"r{seed}-{n}.csv", "--as-of", day)  # fmt: skip
        lrc(tmp_path, "ingest", f"s{seed}.csv", "--period", PERIOD)
        lrc(tmp_path, "record", "ingest", f"r{seed}-{n}.csv")


def test_a_record_file_is_a_delivery_whose_id_is_printed_last_and_lists_its_records(workdir: Path) -> None:
    """A file of records creates a delivery: its id is the last line (and ``id`` in JSON), ``lrc records
    --delivery`` lists what it stored; delivering the same file again is a new delivery that stores nothing."""
    uscc = top(workdir)
    rows = [
        "uscc,type,date,source,ref,severity",
        f"{uscc},WAGE_ARREARS_FINDING,2026-07-01,大连市人社局,连人社监〔2026〕81号,一般",
        f"{uscc},CORRECTION_ORDER,2026-07-02,大连市人社局,连人社监〔2026〕82号,",
    ]
    (workdir / "delivery.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = lrc(workdir, "record", "ingest", "delivery.csv")
    delivery = int(done.stdout.strip().splitlines()[-1])
    listed = json.loads(lrc(workdir, "records", "--delivery", str(delivery), "--format", "json").stdout)
    assert sorted(r["ref"] for r in listed) == ["连人社监〔2026〕81号", "连人社监〔2026〕82号"]
    assert {r["delivery_id"] for r in listed} == {delivery}
    again = json.loads(lrc(workdir, "record", "ingest", "delivery.csv", "--format", "json").stdout)
    assert again["id"] == again["delivery_id"] > delivery and again["stored"] == []
    assert sorted(again["already"]) == sorted(r["id"] for r in listed)
    assert json.loads(lrc(workdir, "records", "--delivery", str(again["id"]), "--format", "json").stdout) == []
