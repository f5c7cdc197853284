"""Publications (公开发布): freezing a period's ranking as a numbered, hashed document, reading it back, and
checking it against the store.

A publication lists the current result of each enterprise in its scope as of the moment it is made (the
period's newest run and the rescorings after it), by result id, with only what the publication policy makes
public. It is never changed or deleted: publishing the same period and scope again makes a new version that
names the one it replaces. ``verify_publication`` re-scores every listed result from its stored inputs and
catalogue copy, recomputes the ranks and checks the content hash."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Connection, Engine, func, insert, select

from indicators import Catalogue
from indicators.publication_policy import PublicationPolicy, load_policy
from lrc.errors import ConflictError, NotFoundError, UsageError
from lrc.normalise import ascii_form, free_text
from lrc.periods import check_period, period_end
from lrc.publication.content import (
    Entry,
    ListEntry,
    PublicationContent,
    PublicRecord,
    canonical_bytes,
    content_hash,
)
from lrc.reference import CITIES, INDUSTRIES, city_of, region_name
from lrc.service.access import Action, Principal
from lrc.service.audit import check, guarded
from lrc.service.objection_windows import objection_until
from lrc.service.objections import open_objections
from lrc.service.runs import catalogue_for_run, get_run, verify_run
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import Publication, ScoreResult
from lrc.times import in_china
from scoring.records import live_mask, shown_until
from scoring.rollup import rollup

COLUMNS = (
    "run_id", "enterprise_id", "uscc", "name", "region_code", "city_code", "industry", "size", "ownership",
    "total", "grade", "red_line", "level1",
)  # fmt: skip
BLANK: dict[str, Any] = {"city": "", "district": "", "industry": "", "size": "", "ownership": "", "level1": {},
                         "red_line": False, "rights_status": "", "public_records": []}  # fmt: skip


class PublicationOut(BaseModel):
    id: int
    number: str
    hash: str
    period: str
    scope: str
    scope_zh: str
    title: str
    entries: int
    replaces: int | None
    replaced_by: int | None = None
    run_id: int  # the period run whose current results it froze
    through_run_id: int  # the newest run whose result it lists: its result ids name runs run_id to this one
    catalogue_version: str
    policy_version: str
    publisher: str
    published_at: datetime


class PublicationCheck(BaseModel):
    id: int
    number: str
    entries: int
    hash_matches: bool
    mismatched: list[str]  # USCCs whose listed score, grade or rank the store no longer reproduces, by rank

    @property
    def verified(self) -> bool:
        return self.hash_matches and not self.mismatched


def parse_scope(text: str) -> tuple[str, str]:
    """``province``, ``city:210200`` or ``industry:C`` in its one spelling, and its Chinese name."""
    value = ascii_form(text).strip()
    kind, _, code = value.partition(":")
    kind, code = kind.lower(), code.strip().upper()
    if kind == "province" and not code:
        return "province", "全省"
    if kind == "city" and code in CITIES:
        return f"city:{code}", CITIES[code]
    if kind == "industry" and code in INDUSTRIES:
        return f"industry:{code}", INDUSTRIES[code]
    raise UsageError(
        f"发布范围 {text[:30]!r} 应为 province、city:市代码(如 city:210200)或 industry:行业门类(如 industry:C) "
        "(scope must be province, city:CODE or industry:SECTION)"
    )


# ---- publishing ----------------------------------------------------------------------------------------


def default_title(period: str, scope_zh: str) -> str:
    """The title of a publication given none."""
    return f"{period} 企业劳动关系信用评价结果({scope_zh})"


def publish(
    engine: Engine,
    who: Principal,
    period: str,
    *,
    scope: str = "province",
    title: str | None = None,
    policy: PublicationPolicy | None = None,
) -> PublicationOut:
    """Freeze the current ranking of ``period`` in ``scope`` as a new publication (publishers and admins)."""
    require_schema(engine)
    period = check_period(period)
    scope, scope_zh = parse_scope(scope)
    policy = policy or load_policy()
    title = free_text(title, "发布标题 (title)", limit=200, one_line=True) or default_title(period, scope_zh)
    with guarded(engine, who, Action.publish, f"period:{period} {scope}") as entry, repo.writing(engine) as conn:
        content = build_content(conn, who, period, scope, scope_zh, title, policy)
        text = canonical_bytes(content).decode("utf-8")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        row = {
            "number": content.number, "period": period, "scope": scope, "title": title, "run_id": content.run_id,
            "through_run_id": newest_listed_run(content),
            "catalogue_version": content.catalogue_version, "policy_version": policy.version,
            "entries": len(content.entries), "replaces_id": content.replaces, "content": text,
            "content_hash": digest, "publisher": who.name[:128], "published_at": repo.now(),
        }  # fmt: skip
        new_id = int(conn.execute(insert(Publication).returning(Publication.id), [row]).scalar_one())
        entry.target = f"publication:{new_id}"
        entry.detail = f"{content.number} {period} {scope}: {len(content.entries)} listed, sha256 {digest[:16]}"
        entry.write(conn)
        stored = conn.execute(select(Publication.__table__).where(Publication.id == new_id)).mappings().one()
    return _out(stored, None)


def build_content(
    conn: Connection, who: Principal, period: str, scope: str, scope_zh: str, title: str, policy: PublicationPolicy
) -> PublicationContent:
    """The document a publication of ``period`` in ``scope`` would freeze now."""
    run = get_run(conn, period, None)
    catalogue = catalogue_for_run(conn, run)
    frame = repo.results(conn, repo.current_runs(conn, run), COLUMNS)
    frame = _in_scope(frame, scope)
    if frame.empty:
        raise NotFoundError(f"期间 {period} 在范围 {scope_zh} 内没有评分结果,无可发布 (nothing to publish)")
    frame = frame.assign(points=frame["total"].astype(int) / 10).sort_values(
        ["total", "uscc"], ascending=[False, True], ignore_index=True
    )
    frame["rank"] = competition_ranks(frame["total"].to_numpy(dtype=np.int64))
    frame = _listed(frame, policy)
    end = period_end(period)
    records = _live_records(conn, catalogue, frame["enterprise_id"].astype(int).tolist(), end)
    disputed = open_objections(conn, frame["enterprise_id"].astype(int).tolist())
    codes, _ = rollup(catalogue, np.zeros((1, len(catalogue.items)), dtype=np.int64), "level1")
    public = set(policy.public_fields)
    entries, honour, exposure = [], [], []
    for row in frame.itertuples(index=False):
        mine = records.get(int(row.enterprise_id), [])
        shown = [r for r in mine if r["type"] in policy.public_record_types]
        published = [_public_record(catalogue, r) for r in shown]
        status = "正常" if not published else ";".join(
            f"{p.name_zh}(展示至 {p.display_until or '—'})" for p in published
        )
        level1 = dict(zip(codes, (int(v) / 10 for v in str(row.level1).split(",")), strict=True))
        city = city_of(str(row.region_code)) or str(row.city_code)
        values: dict[str, Any] = {
            "rank": int(row.rank), "result_id": f"{int(row.run_id)}:{int(row.enterprise_id)}",
            "uscc": str(row.uscc), "name": str(row.name),
            "city_code": city, "city": CITIES.get(city, ""), "region_code": str(row.region_code),
            "district": region_name(str(row.region_code)) or CITIES.get(city, ""), "industry": str(row.industry),
            "industry_name": INDUSTRIES.get(str(row.industry), ""), "size": str(row.size or ""),
            "ownership": str(row.ownership or ""), "total": float(row.points), "grade": str(row.grade),
            "level1": level1, "red_line": bool(row.red_line), "rights_status": status, "public_records": published,
            "objection": policy.objection_shown if int(row.enterprise_id) in disputed else None,
        }  # fmt: skip
        for name, blank in BLANK.items():  # what the policy does not make public stays empty
            if name not in public:
                values[name] = blank
                values.update({"city": {"city_code": ""}, "district": {"region_code": ""},
                               "industry": {"industry_name": ""}}.get(name, {}))  # fmt: skip
        entry = Entry(**values)
        entries.append(entry)
        if _honoured(entry, mine, catalogue, policy):
            honour.append(ListEntry(uscc=entry.uscc, name=entry.name, city=entry.city, grade=entry.grade,
                                    total=entry.total, reason=_honour_reason(policy)))  # fmt: skip
        reasons = _exposed(entry, shown, catalogue, policy)
        if reasons:
            exposure.append(ListEntry(uscc=entry.uscc, name=entry.name, city=entry.city, grade=entry.grade,
                                      total=entry.total, reason=";".join(reasons)))  # fmt: skip
    now = in_china(repo.now())
    return PublicationContent(
        number=_next_number(conn, policy, now.year), title=title, issuer=policy.issuer, period=period, scope=scope,
        scope_zh=scope_zh, catalogue_version=catalogue.version, catalogue_hash=catalogue.content_hash,
        policy_version=policy.version, run_id=int(run.id), published_at=now.isoformat(timespec="seconds"),
        publisher=who.name, replaces=_replaced(conn, period, scope),
        level1_names={c: catalogue.node_names[c] for c in codes}, entries=entries, honour=honour,
        exposure=exposure, footnotes=_footnotes(catalogue, policy, now.date()),
    )  # fmt: skip


def newest_listed_run(content: PublicationContent) -> int:
    """The newest run whose result a publication lists (each entry's ``result_id`` is ``"<run>:<enterprise>"``):
    the period run, or a later run of the period holding some enterprise's current result when it was made."""
    return max([content.run_id, *(int(e.result_id.partition(":")[0]) for e in content.entries)])


def competition_ranks(totals: np.ndarray) -> np.ndarray:
    """Ranks of totals sorted highest first: equal totals share a rank, the next one skips (1, 2, 2, 4)."""
    if len(totals) == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.r_[True, totals[1:] != totals[:-1]]
    positions = np.arange(1, len(totals) + 1)
    return np.maximum.accumulate(np.where(new, positions, 0))


def _in_scope(frame: pd.DataFrame, scope: str) -> pd.DataFrame:
    kind, _, code = scope.partition(":")
    if kind == "city":
        return frame[frame["city_code"] == code]
    if kind == "industry":
        return frame[frame["industry"] == code]
    return frame


def _listed(frame: pd.DataFrame, policy: PublicationPolicy) -> pd.DataFrame:
    """Who the policy lists: everyone, or the top N (by rank, ties kept) and every enterprise of some grades."""
    if policy.listed.mode == "all":
        return frame.reset_index(drop=True)
    keep = (frame["rank"] <= (policy.listed.top or 0)) | frame["grade"].isin(policy.listed.also_grades)
    return frame[keep].reset_index(drop=True)


def _live_records(conn: Connection, catalogue: Catalogue, ids: list[int], end: date) -> dict[int, list[dict]]:
    """Each listed enterprise's records that count at ``end`` under the catalogue, with their display end
    (a repaired, revoked, expired or removed record no longer does)."""
    wanted = set(ids)
    records = repo.records_of(conn, ids if len(ids) <= repo.CHUNK else None, closures=repo.closure_watermark(conn))
    records = records[records["enterprise_id"].astype(int).isin(wanted)] if len(records) else records
    if records.empty:
        return {}
    known = records["type"].isin(catalogue.record_type_map)
    records = records[known]
    records = records[live_mask(catalogue, records, end)] if len(records) else records
    out: dict[int, list[dict]] = {}
    for r in records.to_dict("records"):
        out.setdefault(int(r["enterprise_id"]), []).append(r)
    return out


def _public_record(catalogue: Catalogue, record: dict[str, Any]) -> PublicRecord:
    kind = catalogue.record_type_map[record["type"]]
    decided = pd.Timestamp(record["decision_date"]).date()
    ends = shown_until(catalogue, record["type"], record["tier"], decided)
    until = ends - timedelta(days=1) if ends else None
    return PublicRecord(
        type=kind.code, name_zh=kind.name_zh, decision_date=decided.isoformat(), source=str(record["source"]),
        ref=str(record["ref"]), display_until=until.isoformat() if until else None,
    )  # fmt: skip


def _adverse(catalogue: Catalogue, record: dict[str, Any]) -> bool:
    kind = catalogue.record_type_map[record["type"]]
    tier = record["tier"] or kind.default_tier
    return tier in kind.tiers and kind.tiers[tier].points < 0


def _honoured(entry: Entry, records: list[dict], catalogue: Catalogue, policy: PublicationPolicy) -> bool:
    rule = policy.honour
    return (
        entry.grade in rule.grades
        and not (rule.no_red_line and entry.red_line)
        and not (rule.no_deduction_records and any(_adverse(catalogue, r) for r in records))
    )


def _honour_reason(policy: PublicationPolicy) -> str:
    rule = policy.honour
    parts = [f"等级 {'、'.join(rule.grades)}"]
    if rule.no_red_line:
        parts.append("未触红线")
    if rule.no_deduction_records:
        parts.append("展示期内无扣分记录")
    return ",".join(parts)


def _exposed(entry: Entry, shown: list[dict], catalogue: Catalogue, policy: PublicationPolicy) -> list[str]:
    reasons = ["触及红线(一票否决)"] if policy.exposure.red_line and entry.red_line else []
    for r in shown:
        if r["type"] in policy.exposure.record_types:
            name = catalogue.record_type_map[r["type"]].name_zh
            day = pd.Timestamp(r["decision_date"]).date().isoformat()
            reasons.append(f"{name}:{r['source']} {r['ref']}({day})")
    return reasons


def _next_number(conn: Connection, policy: PublicationPolicy, year: int) -> str:
    prefix = f"{policy.number_prefix}〔{year}〕"
    count = conn.scalar(select(func.count()).select_from(Publication).where(Publication.number.like(f"{prefix}%")))
    return f"{prefix}{int(count or 0) + 1}号"


def _replaced(conn: Connection, period: str, scope: str) -> int | None:
    newest = conn.scalar(
        select(func.max(Publication.id)).where(Publication.period == period, Publication.scope == scope)
    )
    return None if newest is None else int(newest)


def _footnotes(catalogue: Catalogue, policy: PublicationPolicy, day: date) -> list[str]:
    """The notes a notice carries. How to object says what happens (``objections``): an objection is about the
    enterprise's result current when it is filed; the notice, frozen, stays as published, and a corrected result
    is marked beside its entry on the public site; one filed after the window is still accepted, marked late."""
    until = objection_until(day, policy)
    return [
        f"评价依据:企业劳动关系信用评价指标体系 {catalogue.version};公开发布规则 {policy.version}。",
        f"对本结果有异议的,请自发布之日起 {policy.objection_days} 日内(至 {until.isoformat()} 止)向{policy.issuer}"
        "书面提出,并附证明材料;异议按提出时企业的当前结果受理,处理期间结果照常公开,异议成立的,"
        "在公开网站本公告该企业条目旁注明更正后的结果。逾期提出的,仍予受理,并记明逾期。",
        "核验:本公告内容的 SHA-256 见公告末尾;公开网站上同号的 JSON 文件及其 .sha256 文件可供核对,"
        "或运行 lrc verify --publication <发布编号> 复算。",
    ]


# ---- reading -------------------------------------------------------------------------------------------


def _out(row: Any, replaced_by: int | None) -> PublicationOut:
    scope_zh = parse_scope(row["scope"])[1]
    return PublicationOut(
        id=row["id"], number=row["number"], hash=row["content_hash"], period=row["period"], scope=row["scope"],
        scope_zh=scope_zh, title=row["title"], entries=row["entries"], replaces=row["replaces_id"],
        replaced_by=replaced_by, run_id=row["run_id"], through_run_id=row["through_run_id"] or row["run_id"],
        catalogue_version=row["catalogue_version"],
        policy_version=row["policy_version"], publisher=row["publisher"],
        # one zone on both backends (SQLite's is naive), to the second as every time in JSON
        published_at=in_china(row["published_at"]).to_pydatetime().replace(microsecond=0),
    )  # fmt: skip


def list_publications(engine: Engine, who: Principal) -> list[PublicationOut]:
    """Every publication, newest first, each with the one that replaced it (publications are public)."""
    require_schema(engine)
    check(engine, who, Action.read, "publications")
    table = Publication.__table__
    columns = [c for c in table.c if c.name != "content"]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).order_by(table.c.id.desc())).mappings().all()
    replaced_by = {int(r["replaces_id"]): int(r["id"]) for r in rows if r["replaces_id"] is not None}
    return [_out(r, replaced_by.get(int(r["id"]))) for r in rows]


def get_publication(engine: Engine, who: Principal, publication_id: int) -> tuple[PublicationOut, PublicationContent]:
    """One publication and its content, exactly as published."""
    require_schema(engine)
    check(engine, who, Action.read, f"publication:{publication_id}")
    with engine.connect() as conn:
        row = _row(conn, publication_id)
        later = conn.scalar(select(func.min(Publication.id)).where(Publication.replaces_id == publication_id))
    return _out(row, later), PublicationContent.model_validate(json.loads(row["content"]))


def _row(conn: Connection, publication_id: int) -> Any:
    row = None
    if 1 <= publication_id <= repo.MAX_ID:
        row = conn.execute(select(Publication.__table__).where(Publication.id == publication_id)).mappings().first()
    if row is None:
        hint = "`lrc publications` 列出所有发布"
        raise NotFoundError(f"发布 {publication_id} 不存在 (no such publication)", cli_hint=hint)
    return row


def all_contents(engine: Engine, who: Principal) -> list[tuple[int, PublicationContent, str]]:
    """Every publication's (id, content, stored hash), oldest first: what the public site is built from."""
    require_schema(engine)
    check(engine, who, Action.read, "publications")
    with engine.connect() as conn:
        rows = conn.execute(
            select(Publication.id, Publication.content, Publication.content_hash).order_by(Publication.id)
        ).all()
    return [(int(i), PublicationContent.model_validate(json.loads(c)), str(h)) for i, c, h in rows]


# ---- verifying -----------------------------------------------------------------------------------------


def verify_publication(engine: Engine, who: Principal, publication_id: int) -> PublicationCheck:
    """Check a publication against the store: its content against its hash, and every listed score, grade
    and rank against the stored result it names, re-scored from its stored inputs and catalogue copy."""
    require_schema(engine)
    check(engine, who, Action.verify, f"publication:{publication_id}")
    with engine.connect() as conn:
        row = _row(conn, publication_id)
    text = str(row["content"])
    try:
        content = PublicationContent.model_validate(json.loads(text))
        same_bytes = canonical_bytes(content) == text.encode("utf-8")
    except (ValueError, TypeError):
        raise ConflictError(f"发布 {publication_id} 的存档内容无法解析,已被改动 (stored content is damaged)") from None
    hash_matches = same_bytes and hashlib.sha256(text.encode("utf-8")).hexdigest() == row["content_hash"]
    hash_matches = hash_matches and content_hash(content) == row["content_hash"]
    bad: set[str] = set()
    ids = [e.result_id for e in content.entries]
    with engine.connect() as conn:
        stored = _results_by_id(conn, ids)
    for entry in content.entries:
        result = stored.get(entry.result_id)
        if result is None or not _same(entry, result):
            bad.add(entry.uscc)
    ranks = competition_ranks(np.array([round(e.total * 10) for e in content.entries], dtype=np.int64))
    bad.update(e.uscc for e, r in zip(content.entries, ranks, strict=True) if e.rank != int(r))
    for run_id in sorted({int(r["run_id"]) for r in stored.values()}):
        report = verify_run(engine, who, run_id)
        listed = {e.uscc for e in content.entries}
        bad.update(u for u in report.mismatched if u in listed)
    order = {e.uscc: e.rank for e in content.entries}
    return PublicationCheck(
        id=publication_id, number=content.number, entries=len(content.entries), hash_matches=hash_matches,
        mismatched=sorted(bad, key=lambda u: (order.get(u, 0), u)),
    )  # fmt: skip


def _results_by_id(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Stored results by their key ``"<run id>:<enterprise id>"`` (one query per run)."""
    table = ScoreResult.__table__
    by_run: dict[int, list[int]] = {}
    for key in ids:
        run_text, _, enterprise = key.partition(":")
        if run_text.isdigit() and enterprise.isdigit():
            by_run.setdefault(int(run_text), []).append(int(enterprise))
    out: dict[str, dict[str, Any]] = {}
    columns = [table.c[c] for c in ("run_id", "enterprise_id", "uscc", "name", "total", "grade", "red_line", "level1")]
    for run, enterprises in by_run.items():
        for part in repo.chunks(enterprises, 900):
            query = select(*columns).where(table.c.run_id == run, table.c.enterprise_id.in_(list(part)))
            out.update({f"{r['run_id']}:{r['enterprise_id']}": dict(r) for r in conn.execute(query).mappings()})
    return out


def _same(entry: Entry, result: dict[str, Any]) -> bool:
    """Whether the listed values are the stored result's (blanked fields are not compared)."""
    if (entry.uscc, entry.name, round(entry.total * 10), entry.grade) != (
        result["uscc"], result["name"], int(result["total"]), result["grade"]
    ):
        return False
    if entry.level1 and [round(v * 10) for v in entry.level1.values()] != [
        int(v) for v in str(result["level1"]).split(",")
    ]:
        return False
    return not (entry.red_line and not bool(result["red_line"]))



def newest_publication_id(engine: Engine, who: Principal, period: str, scope: str = "province") -> int | None:
    """The newest publication of ``period`` in ``scope`` (the one nothing has replaced), if any."""
    require_schema(engine)
    check(engine, who, Action.read, "publications")
    scope = parse_scope(scope)[0]
    with engine.connect() as conn:
        found = conn.scalar(
            select(func.max(Publication.id)).where(
                Publication.period == check_period(period), Publication.scope == scope
            )
        )
    return None if found is None else int(found)
