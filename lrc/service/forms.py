"""The web form (填报): its layout from the catalogue, its values (a saved draft, else the enterprise's
stored submission), checking as values are entered, drafts, and submitting through ``submitting``.

Every check is the file ingest's (``read_object``), so the form, the API and a spreadsheet refuse
the same values with the same Chinese reasons."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine

from indicators import Catalogue, load_catalogue
from lrc.errors import InputValidationError, NotFoundError, UsageError
from lrc.ingest import IDENTITY_ZH, REQUIRED_IDENTITY, read_object
from lrc.normalise import ascii_form
from lrc.periods import check_period, submission_deadline
from lrc.service.access import Action, Principal
from lrc.service.audit import guarded
from lrc.service.submitting import SubmissionResult, catalogue_of_period, submit
from lrc.store import accounts, facts_codec, require_schema
from lrc.store import repository as repo
from lrc.times import china_iso, today_in_china

BASIC = ("basic", "基本信息")
OTHER = ("other", "其他")
IDENTITY_FIELDS = tuple(IDENTITY_ZH)


class FormField(BaseModel):
    name: str
    label: str
    type: str  # text | bool | int | number
    unit: str
    help: str
    required: bool
    min: float | None = None
    max: float | None = None


class FormGroup(BaseModel):
    code: str
    name: str
    fields: list[FormField]


def layout(catalogue: Catalogue) -> list[FormGroup]:
    """The identity group, then one group per first-level area (a field sits with the first item that
    reads it), in catalogue order."""
    area_of: dict[str, str] = {}
    for item in catalogue.items:
        level1 = catalogue.ancestry(item)[0]
        for name in item.uses:
            area_of.setdefault(name, level1)
    groups = [FormGroup(code=BASIC[0], name=BASIC[1], fields=[
        FormField(name=n, label=zh, type="text", unit="", help="", required=n in REQUIRED_IDENTITY)
        for n, zh in IDENTITY_ZH.items()
    ])]  # fmt: skip
    for node in [*catalogue.level1, None]:
        code, name = (node.code, node.name_zh) if node else OTHER
        fields = [
            FormField(name=f.name, label=f.name_zh, type=f.type, unit=f.unit, help=f.description_zh,
                      required=f.required, min=f.min, max=f.max)  # fmt: skip
            for f in catalogue.fields
            if area_of.get(f.name, OTHER[0]) == code
        ]
        if fields:
            groups.append(FormGroup(code=code, name=name, fields=fields))
    return groups


def form_catalogue(engine: Engine, period: str) -> Catalogue:
    """The catalogue the period is scored with (its newest run's), else today's default."""
    require_schema(engine)
    with engine.connect() as conn:
        return catalogue_of_period(conn, check_period(period))[0]


def problems(values: dict[str, Any], period: str, catalogue: Catalogue | None = None) -> dict[str, list[str]]:
    """Field name → Chinese reasons the values would be refused for (nothing is stored)."""
    catalogue = catalogue or load_catalogue()
    filled = {k: v for k, v in values.items() if v not in (None, "")}
    try:
        read_object(filled, catalogue, period=check_period(period), source="表单")
    except InputValidationError as exc:
        found: dict[str, list[str]] = {}
        for p in exc.problems:
            found.setdefault(p.column or "", []).append(p.reason)
        return found
    return {}


def _in_scope(who: Principal, uscc: str, region: str | None) -> None:
    if not who.scope.contains(region, uscc):
        raise NotFoundError(f"企业 {uscc[:18]} 不存在或不在你的权限范围内 (not found or not permitted)")


def _stored_values(engine: Engine, uscc: str, period: str, catalogue: Catalogue) -> dict[str, Any] | None:
    """The enterprise's newest submission for ``period`` (else for any period) as form values."""
    with engine.connect() as conn:
        ids = repo.enterprise_ids(conn, [uscc])
        if uscc not in ids:
            return None
        subs = repo.latest_submissions(conn, period, [ids[uscc]])
        if subs.empty:
            newest = repo.newest_period_of(conn, ids[uscc])
            if newest is None:
                return None
            subs = repo.latest_submissions(conn, newest, [ids[uscc]])
    return submission_values(subs, catalogue)


def submission_values(subs: pd.DataFrame, catalogue: Catalogue) -> dict[str, Any]:
    """The first submission of ``subs`` (indexed by USCC) as values spelled as in input files (是/否 for
    yes/no): what a form shows, and what an objection's corrected facts start from."""
    sub = subs.iloc[0]
    facts = facts_codec.typed(facts_codec.decode_frame(subs["facts"], subs["fields"]).iloc[0], catalogue)
    identity = {n: (None if pd.isna(sub[n]) else str(sub[n])) for n in IDENTITY_FIELDS if n != "uscc"}
    shown = {k: ("是" if v else "否") if isinstance(v, bool) else v for k, v in facts.items()}
    return {"uscc": str(subs.index[0]), **identity, **shown}


class FormValues(BaseModel):
    uscc: str
    period: str
    source: str  # draft | submission | empty
    saved_at: str | None = None
    values: dict[str, Any]
    deadline: str
    late: bool  # past the deadline: an enterprise account cannot submit


def open_form(
    engine: Engine, who: Principal, uscc: str, period: str, catalogue: Catalogue | None = None
) -> FormValues:
    """What the form starts from: this user's draft, else the stored submission, else nothing."""
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    period = check_period(period)
    code = ascii_form(uscc).upper()
    if who.scope.uscc is not None and code != who.scope.uscc:
        raise NotFoundError(f"企业 {code[:18]} 不存在或不在你的权限范围内 (not found or not permitted)")
    stored = _stored_values(engine, code, period, catalogue)
    if stored is not None:
        _in_scope(who, code, stored.get("region_code"))
    with engine.connect() as conn:
        draft = accounts.draft(conn, who.name, code, period)
    deadline = submission_deadline(period)
    late = today_in_china() > deadline
    if draft is not None:
        values = json.loads(draft.values)
        saved = china_iso(draft.saved_at)
        return FormValues(uscc=code, period=period, source="draft", saved_at=saved, values=values,
                          deadline=deadline.isoformat(), late=late)  # fmt: skip
    return FormValues(uscc=code, period=period, source="submission" if stored else "empty",
                      values=stored or {"uscc": code}, deadline=deadline.isoformat(), late=late)  # fmt: skip


def save_draft(engine: Engine, who: Principal, period: str, values: dict[str, Any]) -> int:
    """Keep the values entered so far (checked only for scope); returns the draft's id."""
    require_schema(engine)
    period = check_period(period)
    code = ascii_form(str(values.get("uscc") or "")).upper()
    if not code:
        raise UsageError("请先填写统一社会信用代码 (USCC required to save a draft)")
    with guarded(engine, who, Action.ingest, f"enterprise:{code[:18]}") as entry:
        region = values.get("region_code")
        _in_scope(who, code, str(region) if region else None)
        with repo.writing(engine) as conn:
            draft_id = accounts.save_draft(conn, who.name, code[:18], period, json.dumps(values, ensure_ascii=False))
            entry.detail = f"draft {draft_id} period {period}"
            entry.write(conn)
    return draft_id


def submit_form(engine: Engine, who: Principal, period: str, values: dict[str, Any]) -> SubmissionResult:
    """Submit the form (stored and scored at once, ``submitting.submit``); the draft is then removed."""
    filled = {k: v for k, v in values.items() if v not in (None, "")}
    result = submit(engine, who, filled, period=period, source="表单")
    with repo.writing(engine) as conn:
        accounts.drop_draft(conn, who.name, result.uscc, result.period)
    return result


def gains(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items not reported (gaps) and the points reporting them could bring at most, largest first."""
    out = []
    for item in items:
        if not item["gap"]:
            continue
        possible = item["max_points"] - item["points"] if item["kind"] == "add" else -item["points"]
        if possible > 0:
            out.append({"code": item["code"], "name_zh": item["name_zh"], "gain": round(possible, 1),
                        "reads": item["reads"]})  # fmt: skip
    return sorted(out, key=lambda g: -g["gain"])
