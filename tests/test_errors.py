"""Errors carry their data once (``lrc.errors``: exit code, HTTP status, stable code, Chinese title, details)
and each front door renders it its own way (here: the API, as a problem detail)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lrc import periods
from lrc.api import problems
from lrc.errors import InputValidationError, LrcError, NotScored, RowProblem
from lrc.site import collect

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
def test_each_error_class_has_a_kind_that_the_api_says(kind: type[LrcError]) -> None:
    assert re.fullmatch(r"[a-z_]+", kind.code) and kind.title and 400 <= kind.status < 600
    assert isinstance(kind.exit_code, int) and kind.exit_code not in (0, 8)
    raised = example(kind)
    assert json.loads(json.dumps(raised.details())) == raised.details()  # JSON-ready as it is

    api = FastAPI()
    api.add_exception_handler(LrcError, problems.lrc_error)

    @api.get("/fail")
    def fail() -> None:
        raise raised

    answer = TestClient(api).get("/fail")
    body = answer.json()
    assert answer.status_code == body["status"] == kind.status
    assert (body["code"], body["title"], body["detail"]) == (kind.code, kind.title, str(raised))


def test_the_api_answers_bad_input_as_it_always_did() -> None:
    raised = example(InputValidationError)
    api = FastAPI()
    api.add_exception_handler(LrcError, problems.lrc_error)

    @api.get("/fail")
    def fail() -> None:
        raise raised

    answer = TestClient(api).get("/fail")
    assert answer.content == json.dumps(
        {"type": "https://lrc.invalid/problems/invalid_input", "status": 422, "code": "invalid_input",
         "title": "数据未通过校验", "detail": str(raised), "instance": "/fail",
         "errors": [{"field": "headcount", "row": 3, "value": "-4", "message": "不能小于 1"}]},
        ensure_ascii=False, separators=(",", ":"),
    ).encode()  # fmt: skip
