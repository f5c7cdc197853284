"""Errors carry their data once (``lrc.errors``: exit code, HTTP status, stable code, Chinese title, details)
and each front door renders it its own way: the API as a problem detail, the CLI as a line on stderr and,
given ``--format json``, one JSON object on stdout."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lrc import periods
from lrc.api import problems
from lrc.cli_common import write_json
from lrc.errors import InputValidationError, LrcError, NotScored, PermissionDenied, RowProblem, UsageError
from lrc.site import collect
from tests.test_cli import lrc

README = Path(__file__).resolve().parent.parent / "README.md"
MODULES = (periods, collect)  # where error classes live outside lrc.errors (imported to be listed)
PROBLEM = RowProblem("bad.csv", 3, "headcount", "-4", "不能小于 1")


def error_classes() -> list[type[LrcError]]:
    """``LrcError`` and every subclass of it."""
    found, pending = [], [LrcError]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return sorted(found, key=lambda kind: kind.__name__)


def api_answer(raised: LrcError) -> Any:
    """The HTTP API's answer to a request whose handler raises ``raised``."""
    api = FastAPI()
    api.add_exception_handler(LrcError, problems.lrc_error)

    @api.get("/fail")
    def fail() -> None:
        raise raised

    return TestClient(api).get("/fail")


def example(kind: type[LrcError]) -> LrcError:
    if issubclass(kind, InputValidationError):
        return kind([PROBLEM], "bad.csv")
    if issubclass(kind, NotScored):
        return kind("2026Q3")
    return kind("出错的说明 (what went wrong)")


def test_every_module_with_an_error_class_is_listed() -> None:
    defined = {kind.__module__ for kind in error_classes()}
    assert defined == {"lrc.errors", *(module.__name__ for module in MODULES)}


@pytest.mark.parametrize("kind", error_classes(), ids=lambda kind: kind.__name__)
def test_each_error_class_has_a_kind_that_the_api_and_the_readme_say(kind: type[LrcError]) -> None:
    assert re.fullmatch(r"[a-z_]+", kind.code) and kind.title and 400 <= kind.status < 600
    assert isinstance(kind.exit_code, int) and kind.exit_code not in (0, 8)
    raised = example(kind)
    assert json.loads(json.dumps(raised.details())) == raised.details()  # JSON-ready as it is

    answer = api_answer(raised)
    body = answer.json()
    assert answer.status_code == body["status"] == kind.status
    assert (body["code"], body["title"], body["detail"]) == (kind.code, kind.title, str(raised))
    row = rf"\| {kind.exit_code} \| `{kind.code}` \| {kind.status} \| {kind.title} \|"
    assert re.search(row, README.read_text(encoding="utf-8")), f"README's table of errors lacks {kind.__name__}"


def test_the_api_answers_bad_input_as_it_always_did() -> None:
    raised = example(InputValidationError)
    answer = api_answer(raised)
    assert answer.content == json.dumps(
        {"type": "https://lrc.invalid/problems/invalid_input", "status": 422, "code": "invalid_input",
         "title": "数据未通过校验", "detail": str(raised), "instance": "/fail",
         "errors": [{"field": "headcount", "row": 3, "value": "-4", "message": "不能小于 1"}]},
        ensure_ascii=False, separators=(",", ":"),
    ).encode()  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised store, nothing scored, and a sample file."""
    cwd = tmp_path_factory.mktemp("errors")
    lrc(cwd, "init")
    lrc(cwd, "sample", "--n", "6", "--seed", "3", "--period", "2026Q3", "--output", "s.csv")
    return cwd


def _bad_file(store: Path) -> Path:
    """The sample with a negative headcount on line 4 and a hostile name on line 3 (a bell, a direction
    override, longer than a message echoes)."""
    lines = (store / "s.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    rows = [line.split(",") for line in lines]
    rows[3][header.index("headcount")] = "-4"
    rows[2][header.index("name")] = "\a\u202e" + "厂" * 90
    (store / "bad.csv").write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    return store / "bad.csv"


@pytest.mark.parametrize("process", [False, True], ids=["in-process", "process"])
def test_a_refused_file_with_format_json_is_one_json_error_on_stdout(store: Path, process: bool) -> None:
    _bad_file(store)
    text = lrc(store, "ingest", "bad.csv", "--period", "2026Q3", ok=False, process=process)
    done = lrc(store, "ingest", "bad.csv", "--period", "2026Q3", "-f", "json", ok=False, process=process)
    assert done.returncode == text.returncode == 4 and done.stderr == text.stderr and text.stdout == ""
    error = json.loads(done.stdout)["error"]
    assert (error["code"], error["title"], error["exit_code"]) == ("invalid_input", "数据未通过校验", 4)
    assert error["message"] in done.stderr and error["file"] == "bad.csv" and error["hint"] is None
    where = {(p["row"], p["column"]): p for p in error["errors"]}
    assert where[(4, "headcount")]["value"] == "-4" and where[(4, "headcount")]["reason"]
    hostile = where[(3, "name")]["value"]  # as text: its control characters written out, cut short
    assert hostile.startswith("\\u0007\\u202e厂") and "共 92 个字符" in hostile and len(hostile) < 120
    assert f"值 '{hostile}'" in text.stderr  # the text says the same, each character written out once
    assert all(set(p) == {"file", "row", "column", "value", "reason", "record"} for p in error["errors"])


def test_not_found_with_format_json_is_a_json_error_with_its_details(store: Path) -> None:
    done = lrc(store, "rank", "--period", "2026Q3", "-f", "json", ok=False)
    error = json.loads(done.stdout)["error"]
    assert done.returncode == error["exit_code"] == 5
    assert (error["code"], error["period"]) == ("not_found", "2026Q3") and "lrc score" in error["hint"]
    unknown = lrc(store, "explain", "91210100MA0000000X", "--period", "2026Q3", "--format", "JSON", ok=False)
    assert unknown.returncode == 5 and json.loads(unknown.stdout)["error"]["code"] == "not_found"
    plain = lrc(store, "rank", "--period", "2026Q3", ok=False)  # without --format json: as ever
    assert plain.returncode == 5 and plain.stdout == "" and "还没有评分结果" in plain.stderr


def test_a_usage_error_after_format_json_is_a_json_error(store: Path) -> None:
    done = lrc(store, "ingest", "-f", "json", "bad.csv", ok=False)  # no --period
    error = json.loads(done.stdout)["error"]
    assert done.returncode == error["exit_code"] == 2 and error["code"] == "invalid_request"
    assert "--period" in error["message"] and "lrc ingest --help" in error["hint"]


def test_json_that_stdout_cannot_encode_is_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file name that is not UTF-8 (a lone surrogate) still gives valid JSON, not a second error."""
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stdout)
    write_json({"error": {"message": "b\udcffd.csv 有错误"}})
    stdout.flush()
    assert json.loads(raw.getvalue().decode("ascii")) == {"error": {"message": "b\udcffd.csv 有错误"}}


def test_json_escapes_what_a_terminal_would_act_on(capsys: pytest.CaptureFixture[str]) -> None:
    value = "a\u202eb\u2028c\x85d\\\u200b"
    write_json({"name": value})
    printed = capsys.readouterr().out
    assert json.loads(printed) == {"name": value} and not re.search("[\u202e\u2028\x85\u200b]", printed)


def test_the_dashboard_leads_with_the_title_unless_the_message_does() -> None:
    from dashboard.errors import headline

    assert headline(NotScored("2026Q3")) == "未找到或无权查看"
    assert headline(PermissionDenied("无权操作:只读用户不能评分")) == "出错了"  # not twice
    assert headline(UsageError("--top 应大于 0")) == "出错了"  # "请求参数无效" are the API's words


def test_a_file_name_that_is_not_utf8_is_refused_by_name_and_nothing_is_stored(store: Path) -> None:
    """A file named in GBK bytes (a zip made on Chinese Windows, unpacked here): its name reached the store as
    lone surrogates and the ingest failed inside (exit 70, an internal error). Now it is refused first, naming
    the argument with its bytes written out, as text and as JSON."""
    import os
    import subprocess

    folder = os.fsencode(store)
    name = "企业".encode("gbk") + b".csv"
    (store / "s.csv").replace(os.fsdecode(folder + b"/" + name))
    try:
        argv = [os.fsencode(a) for a in (sys.executable, "-c", "from lrc.cli import main; main()", "ingest")]
        for extra in ([], [b"-f", b"json"]):
            done = subprocess.run([*argv, name, b"--period", b"2026Q3", *extra], cwd=store, capture_output=True)
            assert done.returncode == 2, done.stderr.decode()
            said = done.stderr.decode()
            assert "\\xc6\\xf3" in said and "按 GBK 读是「企业.csv」" in said and "UTF-8" in said
            if extra:
                assert json.loads(done.stdout)["error"]["code"] == "invalid_request"
        assert lrc(store, "batches", "-f", "json").stdout.strip() == "[]"
    finally:
        os.replace(folder + b"/" + name, folder + b"/s.csv")
