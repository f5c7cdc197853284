"""The `lrc` command end to end, as a user runs it (real entry point, real files).

``lrc(...)`` runs the entry point ``lrc.cli.main`` with the arguments, environment, folder and standard
streams a user's shell would give it, and returns what a process would: exit code, stdout, stderr. It runs
in this process (starting Python and importing pandas for each of some 200 commands cost the suite about
ten minutes), a standard input given as text; ``process=True``, or ``LRC_TEST_SUBPROCESS=1`` for the whole
run, starts a real ``python`` process instead, and the tests marked so below always do."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import GOLDEN

LRC = [sys.executable, "-c", "from lrc.cli import main; main()"]
ALWAYS_PROCESS = os.environ.get("LRC_TEST_SUBPROCESS") == "1"


def lrc(
    cwd: Path,
    *args: str,
    ok: bool = True,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    process: bool = False,
) -> subprocess.CompletedProcess:
    environment = {**os.environ, "LRC_LOG_DIR": str(cwd / "logs"), "COLUMNS": "200"}
    for inherited in ("LRC_DATABASE_URL", "LRC_USER"):  # the test's own store and user, never the caller's
        environment.pop(inherited, None)
    environment.update(env or {})
    if process or ALWAYS_PROCESS:
        done = subprocess.run(
            [*LRC, *args], cwd=cwd, input=stdin, capture_output=True, text=True, env=environment, timeout=300
        )
    else:
        done = _in_process(cwd, list(args), environment, stdin)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def _in_process(
    cwd: Path, args: list[str], environment: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess:
    """``lrc.cli.main`` as a process would run it: its argv, environment, folder and streams (``stdin``, when
    given, as its standard input: not a terminal), and its exit code from ``SystemExit``."""
    from lrc.cli import main
    from lrc.cli_common import err as errors
    from lrc.cli_common import out as output

    for console in (output, errors):  # a console reads the terminal width once, when it is made
        console.width = int(environment.get("COLUMNS", "80"))
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with _environment(environment), contextlib.chdir(cwd), _argv(["lrc", *args]), _stdin(stdin):
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(["lrc", *args], returncode, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _environment(environment: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _argv(argv: list[str]) -> Iterator[None]:
    saved = sys.argv[:]
    sys.argv[:] = argv
    try:
        yield
    finally:
        sys.argv[:] = saved


@contextlib.contextmanager
def _stdin(text: str | None) -> Iterator[None]:
    if text is None:
        yield
        return
    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with a scored store: 80 sample enterprises, one period."""
    cwd = tmp_path_factory.mktemp("cli")
    lrc(cwd, "init")
    lrc(cwd, "sample", "--n", "80", "--seed", "5", "--period", "2026Q3", "--output", "s.csv")
    lrc(cwd, "ingest", "s.csv", "--period", "2026Q3")
    lrc(cwd, "score", "--period", "2026Q3")
    return cwd


def check_golden(name: str, value: object, update: bool) -> None:
    path = GOLDEN / name
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if update or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not update:
            pytest.fail(f"golden file {path} was missing and has been written; rerun")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; rerun with --update-golden if intended"


def test_rank_json_is_sorted_and_golden(workdir: Path, update_golden: bool) -> None:
    rows = json.loads(lrc(workdir, "rank", "--period", "2026Q3", "--format", "json").stdout)
    assert len(rows) == 80
    assert [r["rank"] for r in rows][:3] == [1, 2, 3] or rows[0]["total"] == rows[1]["total"]
    assert all(a["total"] >= b["total"] for a, b in zip(rows, rows[1:], strict=False))
    assert {"rank", "uscc", "name", "total", "grade"} <= set(rows[0])
    check_golden("rank_seed5_n80.json", rows[:15], update_golden)


def test_rank_filters_top_and_files(workdir: Path) -> None:
    rows = json.loads(lrc(workdir, "rank", "-p", "2026Q3", "--region", "210100", "--top", "5", "-f", "json").stdout)
    assert len(rows) <= 5 and all(r["city_code"] == "210100" for r in rows)
    lrc(workdir, "rank", "-p", "2026Q3", "-f", "xlsx", "-o", "r.xlsx")
    lrc(workdir, "rank", "-p", "2026Q3", "-f", "csv", "-o", "r.csv")
    assert (workdir / "r.xlsx").stat().st_size > 0
    assert (workdir / "r.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    table = lrc(workdir, "rank", "-p", "2026Q3", "--top", "3").stdout
    assert "企业劳动关系信用排名" in table


def test_no_output_writes_over_the_store_or_into_a_missing_folder(workdir: Path) -> None:
    """An export named like the store (an SQLite database) is refused before any work, and the store is still
    whole afterwards; a file in a folder that does not exist is refused alike (exit 2) by every command that
    writes a file, and no folder is made."""
    before = (workdir / "lrc.db").read_bytes()
    runs = json.loads(lrc(workdir, "runs", "-f", "json").stdout)
    cases = [
        ("rank", "-p", "2026Q3", "-f", "csv", "-o", "lrc.db"),
        ("sample", "--n", "3", "-o", "s.csv", "--records", "lrc.db"),
        ("template", "-p", "2026Q3", "-o", "lrc.db"),
        ("dossier", "91210100MA0000000X", "-o", "lrc.db"),
        ("exchange", "export", "--publication", "1", "-o", "lrc.db"),
        ("publication", "export", "1", "-o", "lrc.db"),
        ("export", "-p", "2026Q3", "-o", "lrc.db"),
        ("ingest", "s.csv", "-p", "2026Q3", "--errors", "lrc.db"),
    ]
    for args in cases:
        done = lrc(workdir, *args, ok=False)
        said = done.stderr
        assert done.returncode == 2 and ("SQLite 数据库" in said or "文件名" in said or ".csv" in said), (args, said)
    assert json.loads(lrc(workdir, "runs", "-f", "json").stdout) == runs  # the store still answers, as before
    (workdir / "copy.parquet").write_bytes(before)  # a database under any name
    done = lrc(workdir, "export", "-p", "2026Q3", "-o", "copy.parquet", ok=False)
    assert done.returncode == 2 and "不会被覆盖" in done.stderr
    assert (workdir / "copy.parquet").read_bytes() == before
    for args in [
        ("exchange", "export", "--publication", "1", "-o", "gone/x.jsonl"),
        ("export", "-p", "2026Q3", "-o", "gone/x.parquet"),
        ("rank", "-p", "2026Q3", "-f", "csv", "-o", "gone/r.csv"),
        ("sample", "--n", "3", "-o", "gone/s.csv"),
    ]:
        done = lrc(workdir, *args, ok=False)
        assert done.returncode == 2 and "不存在" in done.stderr, (args, done)
    assert not (workdir / "gone").exists()


def test_a_ranking_in_80_columns_shows_every_name_whole(workdir: Path) -> None:
    """A pipe or a plain terminal is 80 columns wide: the names were cut to two characters (本溪 …), every
    other column whole. Now a name wraps over lines: its parts, read down the column, make the name."""
    rows = json.loads(lrc(workdir, "rank", "-p", "2026Q3", "--top", "4", "-f", "json").stdout)
    table = lrc(workdir, "rank", "-p", "2026Q3", "--top", "4", env={"COLUMNS": "80"}).stdout
    names: list[str] = []
    for line in table.splitlines():
        cells = line.split("│")
        if len(cells) < 4:
            continue
        if cells[1].strip():  # a place's first line
            names.append("")
        names[-1] += cells[3].strip()
    assert names == [r["name"] for r in rows]


def test_explain_json_has_every_item_and_is_golden(workdir: Path, update_golden: bool) -> None:
    rows = json.loads(lrc(workdir, "rank", "--period", "2026Q3", "--format", "json").stdout)
    worst = rows[-1]["uscc"]
    data = json.loads(lrc(workdir, "explain", worst, "--period", "2026Q3", "--format", "json").stdout)
    assert {"uscc", "total", "grade", "levels", "items"} <= set(data)
    assert len(data["items"]) == 75 and all({"code", "points", "reason"} <= set(i) for i in data["items"])
    assert round(sum(i["points"] for i in data["items"]), 1) == data["total"]
    data.pop("run_id")
    check_golden("explain_seed5_worst.json", data, update_golden)
    text = lrc(workdir, "explain", worst, "--period", "2026Q3").stdout
    assert "75 项具体内容" in text and data["name"] in text


def test_catalogue_and_schema(workdir: Path) -> None:
    data = json.loads(lrc(workdir, "catalogue", "--format", "json").stdout)
    assert data["version"] and len(data["items"]) == 75
    keys = {"code", "name_zh", "level1", "level2", "level3", "kind", "points", "red_line"}
    assert all(keys <= set(i) for i in data["items"])
    schema = json.loads(lrc(workdir, "schema", "--format", "json").stdout)
    assert {"uscc", "headcount"} <= {r["name"] for r in schema}
    assert "劳动合同签订率达100%" in lrc(workdir, "catalogue").stdout


def test_runs_and_verify(workdir: Path) -> None:
    assert "2026Q3" in lrc(workdir, "runs").stdout
    listed = json.loads(lrc(workdir, "runs", "--format", "json").stdout)
    started, finished = (datetime.fromisoformat(listed[0][k]) for k in ("started_at", "finished_at"))
    assert started.utcoffset() == timedelta(hours=8) and started <= finished <= datetime.now(UTC)
    assert "已完全复现" in lrc(workdir, "verify", "1").stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("score", "--period", "2026-3"), 2, "期间"),
        (("ingest", "missing.csv", "--period", "2026Q3"), 4, "missing.csv"),
        (("explain", "91210100MA0000000X", "--period", "2026Q3"), 5, "没有企业"),
        (("rank", "--period", "2025Q1"), 5, "还没有评分结果"),
        (("verify", "999"), 5, "不存在"),
        (("catalogue", "--version", "1999.9"), 3, "不存在"),
        (("sample", "--n", "0"), 2, "--n"),
        (("sample", "--output", "/nonexistent-lrc-dir/x.csv"), 2, "不存在"),  # a usage error
        (("rank", "-p", "2026Q3", "-f", "csv", "-o", "r.xlsx"), 2, "不符"),
        (("rank", "-p", "2026Q3", "-o", "/proc/nonexistent/y.json"), 2, "不存在"),  # as every --output, before work
        (("schema", "-f", "xml"), 2, "xml"),
        (("rank", "--period", "2026Q3", "--format", "xlsx"), 2, "--output"),
    ],
)
def test_user_errors_are_one_line_without_traceback(workdir: Path, args: tuple, code: int, message: str) -> None:
    done = lrc(workdir, *args, ok=False, process=args[0] in ("rank", "verify"))  # some through a real process
    assert done.returncode == code, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr + done.stdout


def test_bad_rows_are_reported_and_nothing_is_stored(workdir: Path) -> None:
    lines = (workdir / "s.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    row = lines[3].split(",")
    row[header.index("headcount")] = "-4"
    row[header.index("region_code")] = "110100"
    lines[3] = ",".join(row)
    (workdir / "bad.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = lrc(workdir, "runs").stdout
    done = lrc(workdir, "ingest", "bad.csv", "--period", "2026Q4", "--errors", "problems.csv", ok=False)
    assert done.returncode == 4 and "Traceback" not in done.stderr
    assert "第 4 行" in done.stderr and "headcount" in done.stderr and "region_code" in done.stderr
    report = (workdir / "problems.csv").read_text(encoding="utf-8-sig")
    assert "headcount" in report and "region_code" in report
    assert lrc(workdir, "rank", "--period", "2026Q4", ok=False).returncode == 5
    assert lrc(workdir, "runs").stdout == before
    kept = (workdir / "bad.csv").read_bytes()  # a report named as the input itself would replace the data
    onto = lrc(workdir, "ingest", "bad.csv", "--period", "2026Q4", "--errors", "./bad.csv", ok=False)
    assert onto.returncode == 2 and "正在导入的文件" in onto.stderr and (workdir / "bad.csv").read_bytes() == kept


def test_uninitialised_database_says_run_init_and_creates_no_file(tmp_path: Path) -> None:
    done = lrc(tmp_path, "rank", "--period", "2026Q3", ok=False)
    assert done.returncode == 7 and "lrc init" in done.stderr
    assert not (tmp_path / "lrc.db").exists()


def test_unknown_filter_values_are_errors_not_empty_rankings(workdir: Path) -> None:
    done = lrc(workdir, "rank", "-p", "2026Q3", "--industry", "Z", "--size", "tiny", ok=False)
    assert done.returncode == 2 and "行业 Z" in done.stderr and "规模 tiny" in done.stderr
    rows = json.loads(lrc(workdir, "rank", "-p", "2026Q3", "--size", "small", "--grade", "b", "-f", "json").stdout)
    assert rows and {r["size"] for r in rows} == {"小型"} and {r["grade"] for r in rows} == {"B"}


def test_the_console_script_runs_as_a_process_like_in_this_one(workdir: Path) -> None:
    """The in-process runner is faithful: the same command gives the same exit code and output either way."""
    for args in (("rank", "--period", "2026Q3", "--top", "3", "--format", "json"), ("rank", "--period", "1999Q1")):
        inside, outside = lrc(workdir, *args, ok=False), lrc(workdir, *args, ok=False, process=True)
        assert (inside.returncode, inside.stdout, inside.stderr) == (outside.returncode, outside.stdout, outside.stderr)
    short = ("user", "add", "zz", "--role", "admin", "--password-stdin")  # a password read from stdin, refused
    inside, outside = lrc(workdir, *short, ok=False, stdin="short\n"), lrc(workdir, *short, ok=False, stdin="short\n",
                                                                          process=True)  # fmt: skip
    assert (inside.returncode, inside.stdout, inside.stderr) == (outside.returncode, outside.stdout, outside.stderr)
    assert inside.returncode == 2 and "密码至少" in inside.stderr


def test_version(workdir: Path) -> None:
    assert "lrc 0.1.0" in lrc(workdir, "--version").stdout


def test_ingest_and_score_print_their_ids_last_and_as_json(tmp_path: Path) -> None:
    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "12", "--seed", "8", "--period", "2026Q2", "--output", "a.csv")
    first = lrc(tmp_path, "ingest", "a.csv", "--period", "2026Q2").stdout.strip().splitlines()
    assert first[-1] == "1" and "导入批次 1" in first[0]
    again = json.loads(lrc(tmp_path, "ingest", "a.csv", "--period", "2026Q2", "--format", "json").stdout)
    assert again["id"] is None and again["new_versions"] == 0  # unchanged: nothing was created
    scored = json.loads(lrc(tmp_path, "score", "--period", "2026Q2", "--format", "json").stdout)
    assert scored["id"] == scored["run_id"] == 1 and scored["enterprises"] == 12
    assert lrc(tmp_path, "score", "--period", "2026Q2").stdout.strip().splitlines()[-1] == "2"
    lrc(tmp_path, "sample", "--n", "14", "--seed", "9", "--period", "2026Q2", "--output", "b.csv")
    second = json.loads(lrc(tmp_path, "ingest", "b.csv", "--period", "2026Q2", "-f", "json").stdout)
    assert second["id"] == second["batch_id"] == 2 and second["rows"] == 14
    title = lrc(tmp_path, "rank", "--period", "2026Q2", "--top", "1").stdout.splitlines()[0]
    assert "(批次 2,指标体系" in title  # no later one-enterprise run: the period run alone


def test_every_kind_of_run_has_a_chinese_label_in_the_runs_table() -> None:
    import re

    from lrc.render import RUN_KIND_LABELS
    from lrc.service.closures import RUN_KIND
    from lrc.service.explanation import RUN_KIND_ZH

    written = set(RUN_KIND.values()) | set(RUN_KIND_ZH)
    for source in (Path(__file__).parents[1] / "lrc" / "service").glob("*.py"):  # every kind a service writes
        written |= set(re.findall(r'kind="([a-z]+)", actor=', source.read_text("utf-8")))
    assert {"period", "records", "submission", "expiry"} <= written
    assert written <= set(RUN_KIND_LABELS), written - set(RUN_KIND_LABELS)
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in RUN_KIND_LABELS.values())


def test_a_period_not_begun_or_before_the_system_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    """1999Q1 or 2099Q1 typed for 2026Q1 would become a period of its own in every list: refused, exit 2."""
    from lrc.times import today_in_china

    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "5", "--seed", "3", "--period", "2026Q2", "--output", "a.csv")
    future = f"{today_in_china().year + 1}Q1"
    for period, reason in ((future, "尚未开始"), ("1999Q1", "早于评价体系启用"), ("2014Q3", "早于评价体系启用")):
        refused = lrc(tmp_path, "ingest", "a.csv", "--period", period, ok=False)
        assert refused.returncode == 2 and f"期间 {period} {reason}" in refused.stderr, refused.stderr
    assert json.loads(lrc(tmp_path, "runs", "-f", "json").stdout) == []
    assert lrc(tmp_path, "ingest", "a.csv", "--period", "2014Q4").stdout.strip().splitlines()[-1] == "1"
    panel = lrc(tmp_path, "sample", "--n", "5", "--periods", "2013Q1..2013Q2", "--output", "old", ok=False)
    assert panel.returncode == 2 and "早于评价体系启用" in panel.stderr  # a panel that could not be loaded


def test_a_file_without_an_optional_column_is_taken_with_a_warning(tmp_path: Path) -> None:
    """Every enterprise's items reading a column left out of the file count as not reported: accepted, said
    in the text and in JSON (``absent_columns``), the batch id still on the last line."""
    import pandas as pd

    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "6", "--seed", "4", "--period", "2026Q2", "--output", "a.csv")
    whole = pd.read_csv(tmp_path / "a.csv", dtype=str, keep_default_na=False)
    whole.drop(columns=["worker_satisfaction_rate", "ownership"]).to_csv(tmp_path / "b.csv", index=False)
    done = lrc(tmp_path, "ingest", "b.csv", "--period", "2026Q2").stdout.strip().splitlines()
    assert done[-1] == "1"
    warning = " ".join(done[1:-1])
    assert "没有这些可选列" in warning and "登记注册类型 (ownership)" in warning
    assert "(worker_satisfaction_rate)" in warning
    again = json.loads(lrc(tmp_path, "ingest", "a.csv", "--period", "2026Q2", "-f", "json").stdout)
    assert again["absent_columns"] == [] and again["id"] == 2
    taken = json.loads(lrc(tmp_path, "ingest", "b.csv", "--period", "2026Q2", "-f", "json").stdout)
    assert [c.split(" (")[1] for c in taken["absent_columns"]] == ["ownership)", "worker_satisfaction_rate)"]


def test_the_framework_s_usage_errors_are_said_in_chinese_with_the_command_s_help(tmp_path: Path) -> None:
    cases = {
        ("rank", "--period", "2026Q3", "extra"): ("多余的参数 extra", "lrc rank --help"),
        ("rank", "--period"): ("选项 '--period' 需要一个值", "lrc rank --help"),
        ("rank", "--period", "2026Q3", "--top", "0"): ("'--top' 的值无效:应在 1 到 100000000 之间", "lrc rank --help"),
        # past SQLite's 64-bit integers: an internal error (exit 70), on PostgreSQL "cannot use the database" (7)
        ("rank", "--period", "2026Q3", "--top", str(2**63)): ("'--top' 的值无效:应在 1 到 100000000 之间", None),
        ("sample", "--n", str(2**63), "--output", "s.csv"): ("'--n' 的值无效:应在 1 到 100000000 之间", None),
        ("verify", "abc"): ("的值无效:应为整数", "lrc verify --help"),
        ("rank", "--period", "2026Q3", "--format", "yaml"): ("不支持的格式 'yaml'", None),
        ("sample", "--output", "z.txt"): ("不支持的样例文件类型 .txt", None),
    }
    for args, (says, helps) in cases.items():
        done = lrc(tmp_path, *args, ok=False)
        assert done.returncode == 2 and says in done.stderr, (args, done.stderr)
        assert helps is None or f"`{helps}`" in done.stderr, (args, done.stderr)
        assert "Input should" not in done.stderr and "Got unexpected" not in done.stderr


@pytest.mark.postgres
def test_a_store_that_cannot_be_used_is_said_with_the_database_s_reason(tmp_path: Path) -> None:
    from tests.conftest import PG_ADMIN_URL

    (tmp_path / "bad.db").write_text("x\n")
    server = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgres@", "postgres:secret-pw@", 1)
    cases = {
        f"sqlite:///{tmp_path / 'bad.db'}": "不是 lrc 的 SQLite 数据库",
        f"{server}/lrc_no_such_database": "数据库不存在,须先创建",
    }
    for url, says in cases.items():
        done = lrc(tmp_path, "rank", "--period", "2026Q3", "--db", url, ok=False)
        assert done.returncode == 7 and says in done.stderr, done.stderr
        assert ("lrc init" in done.stderr) == ("创建" in says), done.stderr  # the CLI's own hint, where it helps
        assert "secret-pw" not in done.stderr and "Traceback" not in done.stderr


def test_new_versions_for_a_scored_period_say_the_period_must_be_scored_again(tmp_path: Path) -> None:
    """A corrected file ingested after the period run changes no result until the period is scored again:
    the answer says so (before, nothing did, and `lrc explain` kept citing the old row)."""
    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "10", "--seed", "8", "--period", "2026Q3", "--output", "s.csv")
    first = json.loads(lrc(tmp_path, "ingest", "s.csv", "--period", "2026Q3", "-f", "json").stdout)
    assert first["scored_run"] is None  # nothing scored yet: nothing to say
    run = lrc(tmp_path, "score", "--period", "2026Q3").stdout.strip().splitlines()[-1]
    lines = (tmp_path / "s.csv").read_text(encoding="utf-8-sig").splitlines()
    header, row = lines[0].split(","), lines[1].split(",")
    row[header.index("employees_left")] = str(int(row[header.index("employees_left")] or 0) + 1)
    (tmp_path / "t.csv").write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    done = lrc(tmp_path, "ingest", "t.csv", "--period", "2026Q3")
    said = done.stdout.strip().splitlines()
    assert f"当前结果来自评分批次 {run}," in done.stdout and "lrc score --period 2026Q3" in done.stdout
    assert said[-1].isdigit()  # the batch id stays the last line
    again = json.loads(lrc(tmp_path, "ingest", "t.csv", "--period", "2026Q3", "-f", "json").stdout)
    assert (again["new_versions"], again["scored_run"]) == (0, None)  # nothing new: nothing to score


def test_the_ids_ingest_and_record_ingest_print_are_listed(tmp_path: Path) -> None:
    """`lrc batches` and `lrc deliveries` list what `lrc ingest` and `lrc record ingest` print last (nothing
    listed them); a user narrower than the province sees their own; `records --delivery` of a number no
    delivery has says so (it listed nothing, as if the delivery were empty)."""
    from lrc.scope import Scope
    from lrc.service.access import Principal, Role
    from lrc.service.deliveries import list_batches, list_deliveries
    from lrc.store import make_engine

    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "12", "--seed", "4", "--period", "2026Q3", "--output", "s.csv",
        "--records", "r.csv", "--as-of", "2026-11-29")  # fmt: skip
    batch = int(lrc(tmp_path, "ingest", "s.csv", "--period", "2026Q3").stdout.strip().splitlines()[-1])
    delivery = int(lrc(tmp_path, "record", "ingest", "r.csv").stdout.strip().splitlines()[-1])
    batches = json.loads(lrc(tmp_path, "batches", "--format", "json").stdout)
    assert [(b["id"], b["period"], b["file_name"], b["rows"]) for b in batches] == [(batch, "2026Q3", "s.csv", 12)]
    assert batches[0]["ingested_at"].endswith("+08:00")
    deliveries = json.loads(lrc(tmp_path, "deliveries", "--format", "json").stdout)
    assert [(d["id"], d["source"]) for d in deliveries] == [(delivery, "r.csv")]
    assert "导入批次" in lrc(tmp_path, "batches").stdout and "r.csv" in lrc(tmp_path, "deliveries").stdout
    assert json.loads(lrc(tmp_path, "batches", "--period", "2026Q2", "--format", "json").stdout) == []
    none = lrc(tmp_path, "records", "--delivery", "999", ok=False)
    assert none.returncode == 5 and "没有投递 999" in none.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'lrc.db'}")
    city = Principal("dl", Role.analyst, Scope("210200"))
    assert list_batches(engine, city) == [] and list_deliveries(engine, city) == []  # not theirs
    engine.dispose()
