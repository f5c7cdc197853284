"""The HTTP API in process (FastAPI's test client over the real ASGI app) on SQLite and PostgreSQL:
auth, scope, submissions, records, reads, problem details, limits and the audit of every call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from lrc.api import create_app
from lrc.service import accounts, load_results
from lrc.service.audit import audit_log
from lrc.times import today_in_china
from tests.conftest import ADMIN, StoreBuild, module_store_build, office_accounts, scored_sample

PERIOD = "2026Q3"
DALIAN = "210200"


class Api:
    """A client on one store, with a token per user."""

    def __init__(self, engine: Engine, url: str, sample: pd.DataFrame) -> None:
        self.engine, self.sample = engine, sample
        self.client = TestClient(create_app(url))
        self.tokens: dict[str, str] = {}

    def token(self, user: str) -> dict[str, str]:
        if user not in self.tokens:
            boss = accounts.acting(self.engine, "boss")
            self.tokens[user] = accounts.create_token(self.engine, boss, user).token
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def row(self, k: int) -> dict[str, Any]:
        """Sample enterprise ``k`` as a flat JSON object (numbers as numbers, blanks left out)."""
        values = self.sample.iloc[k].to_dict()
        return {key: (v.item() if hasattr(v, "item") else v) for key, v in values.items() if not pd.isna(v)}


def _office(engine: Engine, directory: Path) -> pd.DataFrame:
    """60 scored sample enterprises and the office accounts."""
    sample = scored_sample(engine, directory, 60, 12, PERIOD)
    office_accounts(engine)
    return sample


store_build = module_store_build(_office, "office")


@pytest.fixture
def api(engine: Engine, db_url: str, store_build: StoreBuild) -> Iterator[Api]:
    """A client on a copy of the office's store."""
    client = Api(engine, db_url, store_build.value(engine))
    yield client
    client.client.close()


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["title"] and "Traceback" not in response.text
    return body


def test_no_token_a_bad_token_and_a_revoked_one(api: Api) -> None:
    problem(api.client.get("/api/v1/rankings"), 401, "unauthenticated")
    problem(api.client.get("/api/v1/rankings", headers={"Authorization": "Bearer lrc_nope"}), 401, "unauthenticated")
    headers = api.token("vv")
    assert api.client.get("/api/v1/rankings", headers=headers).status_code == 200
    boss = accounts.acting(api.engine, "boss")
    token_id = accounts.list_tokens(api.engine, boss, "vv")[0].id
    accounts.revoke_token(api.engine, boss, token_id)
    body = problem(api.client.get("/api/v1/rankings", headers=headers), 401, "unauthenticated")
    assert "吊销" in body["detail"]


def test_a_token_carries_its_users_scope(api: Api) -> None:
    mine = api.client.get("/api/v1/rankings?limit=1000", headers=api.token("dl")).json()
    everyone = api.client.get("/api/v1/rankings?limit=1000", headers=api.token("boss")).json()
    assert mine["total"] == sum(r["city_code"] == DALIAN for r in everyone["items"]) > 0
    assert {r["city_code"] for r in mine["items"]} == {DALIAN}
    other = next(r["uscc"] for r in everyone["items"] if r["city_code"] != DALIAN)
    body = problem(api.client.get(f"/api/v1/enterprises/{other}", headers=api.token("dl")), 404, "not_found")
    assert "无权查看" in body["detail"]
    problem(api.client.get(f"/api/v1/enterprises/{other}/history", headers=api.token("dl")), 404, "not_found")
    problem(api.client.post("/api/v1/submissions", json=api.row(0), headers=api.token("vv")), 403, "forbidden")
    # a record is a row, as a batch's rows are (README): one outside the scope is 422, naming its field
    outside = problem(api.client.post("/api/v1/records", json=record(other), headers=api.token("dl")), 422,
                      "invalid_input")  # fmt: skip
    assert [e["field"] for e in outside["errors"]] == ["uscc"], outside
    # an address with a direction override is echoed with the character written out, never raw
    turned = problem(api.client.get("/api/v1/enterprises/%E2%80%AEABC", headers=api.token("boss")), 404, "not_found")
    assert "\u202e" not in json.dumps(turned, ensure_ascii=False) and "\\u202eABC" in turned["instance"]


def test_a_submission_is_stored_and_scored_at_once(api: Api) -> None:
    row = api.row(3)
    row["employees_left"] = int(row.get("employees_left", 0)) + 7
    answer = api.client.post(f"/api/v1/submissions?period={PERIOD}", json=row, headers=api.token("boss"))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["id"] == body["submission_id"] and body["version"] == 2 and not body["provisional"]
    shown = api.client.get(f"/api/v1/enterprises/{row['uscc']}", headers=api.token("boss")).json()
    assert shown["total"] == body["total"] and shown["grade"] == body["grade"]
    assert shown["result_run_id"] == body["result_run_id"] != shown["run_id"]
    _, frame = load_results(api.engine, ADMIN, PERIOD)
    assert frame.set_index("uscc").at[row["uscc"], "province_rank"] == body["province_rank"]
    again = api.client.post(f"/api/v1/submissions?period={PERIOD}", json=row, headers=api.token("boss"))
    assert again.status_code == 200 and again.json()["changed"] is False
    assert again.json()["result_run_id"] == body["result_run_id"]


def test_before_the_first_run_a_score_is_provisional(api: Api) -> None:
    answer = api.client.post("/api/v1/submissions", json={**api.row(1), "period": "2026Q4"}, headers=api.token("boss"))
    assert answer.status_code == 201, answer.text
    assert answer.json()["provisional"] is True and answer.json()["result_run_id"] is None


def test_a_record_that_rescores_nothing_says_why_as_a_file_s_answer_does(api: Api) -> None:
    """POST /records names an enterprise with no current result where the record counts (``no_result``), as
    `lrc record add` and a batch do: it answered ``results: []`` alone."""
    from lrc.uscc import make_uscc

    newcomer = {**api.row(1), "uscc": make_uscc(str(api.row(1)["region_code"]), "NEWC0ME1"), "period": "2026Q4"}
    assert api.client.post("/api/v1/submissions", json=newcomer, headers=api.token("boss")).json()["provisional"]
    posted = {**record(newcomer["uscc"], "辽应急罚〔2026〕9号"), "date": "2026-09-01"}  # counts for 2026Q3
    answer = api.client.post("/api/v1/records", json=posted, headers=api.token("boss"))
    assert answer.status_code == 201, answer.text
    assert answer.json()["results"] == [] and answer.json()["ended"] == []
    assert answer.json()["no_result"] == [{"uscc": newcomer["uscc"], "periods": [PERIOD]}]
    counts = {**record(api.row(4)["uscc"]), "date": "2026-09-01"}
    counted = api.client.post("/api/v1/records", json=counts, headers=api.token("boss")).json()
    assert [r["period"] for r in counted["results"]] == [PERIOD] and counted["no_result"] == []


def test_bad_submissions_are_422_by_field_and_store_nothing(api: Api) -> None:
    def count() -> int:
        with api.engine.connect() as conn:
            return int(conn.scalar(text("SELECT count(*) FROM submissions")) or 0)

    before = count()
    bad = {**api.row(2), "headcount": "五十", "employees_left": -3}
    body = problem(api.client.post(f"/api/v1/submissions?period={PERIOD}", json=bad, headers=api.token("boss")),
                   422, "invalid_input")  # fmt: skip
    assert {e["field"] for e in body["errors"]} >= {"headcount", "employees_left"}
    assert all(e["message"] for e in body["errors"])
    extra = {**api.row(2), "salary": 1}
    unknown = problem(
        api.client.post(f"/api/v1/submissions?period={PERIOD}", json=extra, headers=api.token("boss")),
        422,
        "invalid_request",
    )
    assert unknown["errors"][0]["field"] == "salary"
    nested = {**api.row(2), "headcount": {"value": 5}}
    shape = problem(api.client.post(f"/api/v1/submissions?period={PERIOD}", json=nested, headers=api.token("boss")),
                    422, "invalid_request")  # fmt: skip
    assert [e["field"] for e in shape["errors"]] == ["headcount"] and "不能是对象" in shape["errors"][0]["message"]
    problem(api.client.post("/api/v1/submissions", json=api.row(2), headers=api.token("boss")), 422, "invalid_request")
    assert count() == before


def record(uscc: str, ref: str = "辽应急罚〔2026〕3号") -> dict[str, Any]:
    decided = (today_in_china() - timedelta(days=10)).isoformat()
    return {"uscc": uscc, "type": "FATAL_ACCIDENT_RESPONSIBLE", "date": decided, "source": "辽宁省应急管理厅",
            "ref": ref, "severity": "严重", "workers": 1}  # fmt: skip


def test_records_are_idempotent_and_batches_all_or_nothing(api: Api) -> None:
    uscc = api.row(4)["uscc"]
    first = api.client.post("/api/v1/records", json=record(uscc), headers=api.token("boss"))
    assert first.status_code == 201, first.text
    assert first.json()["created"] and first.json()["record"]["ref"] == "辽应急罚〔2026〕3号"
    repeat = api.client.post("/api/v1/records", json=record(uscc), headers=api.token("boss"))
    assert repeat.status_code == 200 and repeat.json()["id"] == first.json()["id"] and not repeat.json()["created"]
    # a new record is answered as written, a repeat as read back from the store: the same record either way
    assert repeat.json()["record"] == first.json()["record"] and first.json()["record"]["workers"] == 1
    changed = {**record(uscc), "workers": 3}
    problem(api.client.post("/api/v1/records", json=changed, headers=api.token("boss")), 422, "invalid_input")
    batch = {"records": [record(api.row(5)["uscc"], "辽应急罚〔2026〕4号"), {**record(uscc, "x号"), "date": "昨天"}]}
    body = problem(
        api.client.post("/api/v1/records:batch", json=batch, headers=api.token("boss")), 422, "invalid_input"
    )
    assert body["errors"][0]["row"] == 2
    with api.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM records")) == 1
        # the record and its repeat are deliveries (the repeat stored nothing); the refused batch is none
        assert conn.scalar(text("SELECT count(*) FROM record_deliveries")) == 2
    ok = api.client.post("/api/v1/records:batch", json={"records": batch["records"][:1]}, headers=api.token("boss"))
    assert ok.status_code == 201 and len(ok.json()["stored"]) == 1
    with api.engine.connect() as conn:  # a batch's id is its delivery's, which its records name
        named = conn.scalar(text("SELECT delivery_id FROM records WHERE id = :id"), {"id": ok.json()["stored"][0]})
    assert ok.json()["id"] == ok.json()["delivery_id"] == named != first.json()["id"]


def test_reads_history_catalogue_and_health(api: Api) -> None:
    uscc = api.row(0)["uscc"]
    shown = api.client.get(f"/api/v1/enterprises/{uscc}", headers=api.token("boss")).json()
    assert len(shown["items"]) == 75 and all("reason" in i for i in shown["items"])
    history = api.client.get(f"/api/v1/enterprises/{uscc}/history", headers=api.token("boss")).json()
    assert [p["period"] for p in history["periods"]] == [PERIOD]
    page = api.client.get("/api/v1/rankings?limit=5&offset=5", headers=api.token("boss")).json()
    assert [r["rank"] for r in page["items"]][:1] >= [5] and page["total"] == 60 and len(page["items"]) == 5
    catalogue = api.client.get("/api/v1/catalogue", headers=api.token("vv")).json()
    assert catalogue["version"] and len(catalogue["items"]) == 75
    assert api.client.get("/api/v1/health").json()["status"] == "ok"
    spec = api.client.get("/api/v1/openapi.json").json()
    assert spec["components"]["schemas"]["SubmissionIn"]["additionalProperties"] is False
    assert api.client.get("/api/v1/docs").status_code == 200


def test_a_body_over_1_mb_is_refused(api: Api) -> None:
    big = json.dumps({"records": [record("x" * 500_000), record("y" * 600_000)]})
    headers = {**api.token("boss"), "content-type": "application/json"}
    refused = problem(api.client.post("/api/v1/records:batch", content=big, headers=headers), 413, "payload_too_large")
    assert refused["instance"] == "/api/v1/records:batch"  # as every problem names the address asked

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(12):
            yield b" " * 100_000

    problem(api.client.post("/api/v1/records:batch", content=chunks(), headers=headers), 413, "payload_too_large")


def test_every_call_is_audited(api: Api) -> None:
    api.client.get("/api/v1/rankings?limit=1", headers=api.token("dl"))
    api.client.get("/api/v1/rankings")
    entries = audit_log(api.engine, ADMIN, action="api")
    assert [(e.actor, e.outcome, e.target, e.door) for e in entries[:2]] == [
        ("(anonymous)", "denied", "GET /api/v1/rankings", "api"),
        ("dl", "ok", "GET /api/v1/rankings", "api"),
    ]
    assert entries[0].address and entries[0].detail == "HTTP 401"
    headers = api.token("boss")  # (creating the token is itself an audited act)
    before = len(audit_log(api.engine, ADMIN))
    row = {**api.row(9), "employees_left": 1}
    assert api.client.post(f"/api/v1/submissions?period={PERIOD}", json=row, headers=headers).is_success
    stored = audit_log(api.engine, ADMIN)[: len(audit_log(api.engine, ADMIN)) - before]
    assert [(e.action, e.door, e.outcome) for e in stored] == [("ingest", "api", "ok")]  # once, with the change
    bad = {**row, "headcount": "many"}
    api.client.post(f"/api/v1/submissions?period={PERIOD}", json=bad, headers=headers)
    newest = audit_log(api.engine, ADMIN, limit=2)
    assert {(e.action, e.outcome) for e in newest} == {("ingest", "error"), ("api", "error")}


def test_rankings_as_published_mark_what_changed_since(api: Api) -> None:
    from lrc.service.access import Principal, Role
    from lrc.service.publications import publish

    boss, dalian = api.token("boss"), api.token("dl")
    assert api.client.get("/api/v1/rankings?view=published", headers=boss).status_code == 404
    made = publish(api.engine, Principal(name="pub", role=Role.publisher), PERIOD)
    listed = api.client.get("/api/v1/publications", headers=dalian).json()["items"]
    assert [p["id"] for p in listed] == [made.id] and listed[0]["hash"] == made.hash
    whole = api.client.get(f"/api/v1/publications/{made.id}", headers=dalian).json()
    assert len(whole["content"]["entries"]) == 60 and whole["number"] == made.number
    top = whole["content"]["entries"][0]
    fatal = {"uscc": top["uscc"], "type": "FATAL_ACCIDENT_RESPONSIBLE", "date": "2026-09-15", "workers": 1,
             "source": "沈阳市应急管理局", "ref": "沈应急罚〔2026〕8号", "severity": "严重"}  # fmt: skip
    assert api.client.post("/api/v1/records", json=fatal, headers=boss).status_code in (200, 201)
    page = api.client.get("/api/v1/rankings?view=published&limit=1000", headers=boss).json()
    assert page["publication_id"] == made.id and page["hash"] == made.hash and page["total"] == 60
    assert (page["publication_number"], page["publication_title"]) == (made.number, listed[0]["title"])
    assert page["published_at"] == listed[0]["published_at"] and page["number"] == made.number  # (kept as it was)
    first = page["items"][0]
    assert first["uscc"] == top["uscc"] and first["total"] == top["total"]  # as published
    assert first["changed"] and first["current_grade"] == "D" and first["current_total"] < top["total"]
    assert sum(item["changed"] for item in page["items"]) == 1
    mine = api.client.get("/api/v1/rankings?view=published&limit=1000", headers=dalian).json()
    assert mine["items"] and all(i["uscc"] in {e["uscc"] for e in whole["content"]["entries"]} for i in mine["items"])
    assert len(mine["items"]) < 60  # the token's scope narrows what it reads, as for current rankings
    for filters in ("region=210100", "grade=A&industry=C", "region=zzz"):  # as published: refused, not ignored
        refused = problem(api.client.get(f"/api/v1/rankings?view=published&{filters}", headers=boss), 422,
                          "invalid_request")  # fmt: skip
        assert "不能与 region、industry、grade 同用" in refused["detail"]


def test_an_objection_is_filed_and_followed_through_the_api_inside_the_token_s_scope(api: Api) -> None:
    dalian = next(k for k in range(60) if str(api.row(k)["region_code"]).startswith("2102"))
    elsewhere = next(k for k in range(60) if not str(api.row(k)["region_code"]).startswith("2102"))
    body = {"uscc": api.row(dalian)["uscc"], "period": PERIOD, "item": "A1.1.1", "reason": "登记信息已更正"}
    made = api.client.post("/api/v1/objections", json=body, headers=api.token("dl"))
    assert made.status_code == 201, made.text
    filed = made.json()
    assert filed["status"] == "filed" and filed["id"] == filed["objection_id"] and filed["filed_by"] == "dl"
    outside = {**body, "uscc": api.row(elsewhere)["uscc"]}
    problem(api.client.post("/api/v1/objections", json=outside, headers=api.token("dl")), 404, "not_found")
    unknown = {**body, "item": "Z9.9.9"}
    problem(api.client.post("/api/v1/objections", json=unknown, headers=api.token("dl")), 422, "invalid_request")
    problem(api.client.post("/api/v1/objections", json=body, headers=api.token("vv")), 403, "forbidden")
    listed = api.client.get("/api/v1/objections?status=filed", headers=api.token("dl")).json()
    assert [o["id"] for o in listed] == [filed["id"]]
    one = api.client.get(f"/api/v1/objections/{filed['id']}", headers=api.token("boss")).json()
    assert one["events"][0]["status"] == "filed" and one["due_on"] == filed["due_on"]
    assert api.client.get("/api/v1/repairs", headers=api.token("boss")).json() == []
    problem(api.client.get("/api/v1/repairs/999", headers=api.token("boss")), 404, "not_found")


def test_no_period_before_any_run_is_not_found(engine: Engine, db_url: str) -> None:
    """Without ``period`` the newest scored period is read; before the first run that is a 404 in Chinese."""
    office_accounts(engine)
    api = Api(engine, db_url, pd.DataFrame())
    for path in ("/api/v1/rankings", "/api/v1/rankings?view=published", "/api/v1/enterprises/91210100MA0000000X"):
        body = problem(api.client.get(path, headers=api.token("boss")), 404, "not_found")
        assert "还没有任何评分结果" in body["detail"], body
    api.client.close()


async def _calls_at_once() -> float:
    import anyio.to_thread

    return anyio.to_thread.current_default_thread_limiter().total_tokens


def test_calls_at_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app runs at most ``threads`` calls at once (`lrc serve --threads`, handed to its worker processes
    in ``LRC_API_THREADS``; default 4), not the thread pool's 40."""
    url = f"sqlite:///{tmp_path / 'lrc.db'}"
    monkeypatch.delenv("LRC_API_THREADS", raising=False)
    for app, expected in ((create_app(url), 4), (create_app(url, threads=2), 2)):
        with TestClient(app) as client:
            assert client.portal is not None and client.portal.call(_calls_at_once) == expected
    monkeypatch.setenv("LRC_API_THREADS", "7")
    with TestClient(create_app(url)) as client:
        assert client.portal is not None and client.portal.call(_calls_at_once) == 7


def test_hostile_addresses_bodies_and_text_are_refused_in_chinese_not_500(api: Api) -> None:
    """NUL in an address or a reason (PostgreSQL refuses NUL: it was a 500 there), keys given twice (the last
    silently won), NaN (not JSON), nesting past reason; the framework's own errors said in Chinese."""
    dalian = next(k for k in range(60) if str(api.row(k)["region_code"]).startswith("2102"))
    uscc = api.row(dalian)["uscc"]
    boss = api.token("boss")
    for address in (f"/api/v1/enterprises/{uscc}%00", "/api/v1/objections?uscc=%00x", "/api/v1/rankings?search=a%01"):
        body = problem(api.client.get(address, headers=boss), 400, "bad_request")
        assert "控制字符" in body["detail"]
    objection = {"uscc": uscc, "period": PERIOD, "item": "A1.1.1"}
    for reason in ("a\u0000b", "看\u202e反向", "零\u200b宽"):
        body = problem(api.client.post("/api/v1/objections", json={**objection, "reason": reason}, headers=boss),
                       422, "invalid_request")  # fmt: skip
        assert "异议理由 (reason)" in body["detail"] and "控制字符" in body["detail"]
    made = api.client.post("/api/v1/objections", json={**objection, "reason": "第一行\r\n第二行"}, headers=boss)
    assert made.status_code == 201 and made.json()["reason"] == "第一行\n第二行"  # line breaks are the writer's
    json_headers = {**boss, "content-type": "application/json"}
    start = json.dumps({"uscc": uscc, "period": PERIOD})[:-1]
    twice = start + ', "headcount": 3, "headcount": 999999}'
    body = problem(api.client.post("/api/v1/submissions", content=twice, headers=json_headers), 422, "invalid_request")
    assert "'headcount' 出现了两次" in body["detail"] and body["instance"] == "/api/v1/submissions"
    form = {**boss, "content-type": "application/x-www-form-urlencoded"}  # curl -d without -H: a JSON body
    body = problem(api.client.post("/api/v1/objections", content=json.dumps(objection), headers=form), 422,
                   "invalid_request")  # fmt: skip
    assert "Content-Type 应为 application/json" in body["detail"] and "x-www-form-urlencoded" in body["detail"]
    nan = start + ', "average_wage_growth_rate": NaN}'
    body = problem(api.client.post("/api/v1/submissions", content=nan, headers=json_headers), 422, "invalid_request")
    assert "NaN" in body["detail"]
    huge = start + ', "average_wage_growth_rate": 1e999}'
    body = problem(api.client.post("/api/v1/submissions", content=huge, headers=json_headers), 422, "invalid_request")
    assert "数字 1e999 超出范围" in body["detail"]
    deep = "[" * 100_000 + "]" * 100_000
    problem(api.client.post("/api/v1/records", content=deep, headers=json_headers), 422, "invalid_request")
    body = problem(api.client.post("/api/v1/records", content=b"\xff\xfe{", headers=json_headers), 400, "bad_request")
    assert body["detail"].startswith("请求体无法解析")
    nowhere = problem(api.client.get("/api/v1/nowhere", headers=boss), 404, "not_found")
    assert nowhere["detail"].startswith("没有这个地址")
    body = problem(api.client.post("/api/v1/objections", json={**objection, "reason": None, "uscc": 1}, headers=boss),
                   422, "invalid_request")  # fmt: skip
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages == {"uscc": "应为文本 (text)", "reason": "必填,不能为 null (required)"}, messages
    limit = problem(api.client.get("/api/v1/rankings?limit=-1", headers=boss), 422, "invalid_request")
    assert limit["errors"][0]["message"] == "应不小于 1 (out of range)"
    assert limit["errors"][0]["value"] == "-1"  # the value given, as a file's problems give theirs
    assert {e["field"]: e["value"] for e in body["errors"]} == {"uscc": "1", "reason": None}
    broken = problem(api.client.post("/api/v1/objections", content='{"uscc":', headers=json_headers), 422,
                     "invalid_request")  # fmt: skip
    assert broken["errors"][0]["field"] is None
    assert api.client.get("/api/v1/objections", headers=boss).json()[0]["reason"] == "第一行\n第二行"


def test_a_decided_case_gives_the_result_its_decision_made(api: Api, tmp_path: Path) -> None:
    """GET /api/v1/objections/N and /repairs/N give the new result an overturn or an approval made, beside the one
    it superseded (``results`` was [] once the decision's own answer was sent, while ``result_run_id`` named it)."""
    from lrc.service.objections import decide, file_objection
    from lrc.service.records import receive_objects
    from lrc.service.repairs import decide_repair, request_repair

    boss = api.token("boss")
    one, other = api.row(20)["uscc"], api.row(21)["uscc"]
    union = {"uscc": one, "type": "COMPLAINT_VERIFIED_UNION", "date": "2026-09-02", "source": "大连市总工会",
             "ref": "大连工会核〔2026〕9101号", "severity": "一般"}  # fmt: skip
    penalty = {"uscc": other, "type": "LABOUR_PENALTY", "date": "2026-09-20", "source": "大连市人力资源和社会保障局",
               "ref": "大连人社监〔2026〕9102号", "severity": "轻微"}  # fmt: skip
    stored = receive_objects(api.engine, ADMIN, [union, penalty]).stored
    filed = file_objection(api.engine, ADMIN, one, PERIOD, "C2.2.3", "投诉不实")
    overturned = decide(api.engine, ADMIN, filed.id, uphold=False, note="复查投诉不属实")
    assert overturned.results and overturned.results[-1].run_id == overturned.result_run_id
    shown = api.client.get(f"/api/v1/objections/{filed.id}", headers=boss).json()
    assert shown["results"] == [r.model_dump(mode="json") for r in overturned.results]
    assert shown["results"][-1]["previous_total"] < shown["results"][-1]["total"]
    listed = api.client.get(f"/api/v1/objections?uscc={one}", headers=boss).json()
    assert listed[0]["results"] == shown["results"]
    paper = tmp_path / "整改证明.pdf"
    paper.write_bytes(b"%PDF-1.4\n")
    asked = request_repair(api.engine, ADMIN, other, stored[1], evidence=paper, pledge=paper)
    assert asked.results == []  # nothing decided yet
    approved = decide_repair(api.engine, ADMIN, asked.id, approve=True, note="已整改")
    repair = api.client.get(f"/api/v1/repairs/{asked.id}", headers=boss).json()
    assert repair["results"] == [r.model_dump(mode="json") for r in approved.results] != []
    assert repair["results"][-1]["run_id"] == repair["result_run_id"]


def test_history_reads_the_uscc_as_every_read_does_and_hides_another_citys(api: Api) -> None:
    everyone = api.client.get("/api/v1/rankings?limit=1000", headers=api.token("boss")).json()["items"]
    mine = next(r["uscc"] for r in everyone if r["city_code"] == DALIAN)
    other = next(r["uscc"] for r in everyone if r["city_code"] != DALIAN)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in mine[:2]) + mine[2:].lower()  # full-width digits, lower case
    found = api.client.get(f"/api/v1/enterprises/{wide}/history", headers=api.token("dl"))
    assert found.status_code == 200, found.text
    assert found.json()["uscc"] == mine and [p["period"] for p in found.json()["periods"]] == [PERIOD]
    hidden = problem(api.client.get(f"/api/v1/enterprises/{other}/history", headers=api.token("dl")), 404, "not_found")
    absent = problem(api.client.get(f"/api/v1/enterprises/{other[:-1]}Z/history", headers=api.token("dl")), 404,
                     "not_found")  # fmt: skip
    assert hidden["detail"].replace(other, "X") == absent["detail"].replace(f"{other[:-1]}Z", "X")
    turned = problem(api.client.get(f"/api/v1/enterprises/%E2%80%AE{mine}/history", headers=api.token("dl")), 404,
                     "not_found")  # fmt: skip
    assert "\u202e" not in turned["detail"] and "\\u202e" in turned["detail"]
    boss = accounts.acting(api.engine, "boss")
    denied = audit_log(api.engine, boss, outcome="denied")
    assert any(e.target == f"enterprise:{other}" and e.actor == "dl" for e in denied)


def test_true_or_false_is_not_a_number_of_workers_an_amount_or_a_record_id(api: Api) -> None:
    """A JSON boolean where a number belongs is refused by field, as a file's 是/否 would be: pydantic took
    ``"workers": true`` as 1 worker, ``"amount": false`` as 0 yuan and ``"record_id": true`` as record 1."""
    uscc = api.row(4)["uscc"]
    for field, value in (("workers", True), ("amount", False)):
        body = {**record(uscc, f"辽应急罚〔2026〕{field}号"), field: value}
        refused = problem(api.client.post("/api/v1/records", json=body, headers=api.token("boss")), 422,
                          "invalid_input")  # fmt: skip
        assert [e["field"] for e in refused["errors"]] == [field], refused
        batch = {"records": [body]}
        problem(api.client.post("/api/v1/records:batch", json=batch, headers=api.token("boss")), 422, "invalid_input")
    with api.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM records")) == 0
    dalian = next(k for k in range(60) if str(api.row(k)["region_code"]).startswith("2102"))
    body = {"uscc": api.row(dalian)["uscc"], "period": PERIOD, "item": "A1.1.1", "reason": "x", "record_id": True}
    refused = problem(api.client.post("/api/v1/objections", json=body, headers=api.token("dl")), 422,
                      "invalid_request")  # fmt: skip
    assert [e["field"] for e in refused["errors"]] == ["record_id"]
