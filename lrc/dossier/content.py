"""What a dossier holds (``DossierContent``), built from the service layer for each enterprise.

The figures are ``lrc explain``'s for the same result: total, grade, first-level scores and every item's
points are copied from ``explain`` (the same current result of the period), never recomputed here. Ranks
come from ``analytics.peer_ranks`` over the results inside the reader's scope (as the dashboard shows them),
the industry peers' first-level averages from the same results' packed first-level scores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine

from lrc.periods import period_end
from lrc.service import analytics as an
from lrc.service.access import Principal
from lrc.service.alerts import list_alerts
from lrc.service.objections import OPEN, list_objections
from lrc.service.plans import ItemPoints, plan_of
from lrc.service.repairs import list_repairs
from lrc.service.results import Explanation, explain, load_results
from lrc.times import CHINA, in_china

__all__ = [
    "AlertLine",
    "DossierContent",
    "EnterpriseDossier",
    "ItemLine",
    "Level1Line",
    "PlanLine",
    "RankLine",
    "RecordLine",
    "RiskLine",
    "TrendLine",
    "build_content",
]

NO_PLAN = "尚无改进计划"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RankLine(Model):
    scope_zh: str  # 全省 / 大连市 / 制造业
    rank: int
    n: int
    top_share: float | None  # the share of the group at or above this rank; None with no peers


class Level1Line(Model):
    code: str
    name_zh: str
    points: float  # as ``explain``'s levels["level1"]
    max_points: float  # the add points attainable under it
    peer_mean: float | None  # the industry peers' mean (the enterprise included); None without peers


class ItemLine(Model):
    """One item of the result, as ``explain`` gives it."""

    code: str
    name_zh: str
    level1: str
    kind: str  # add / deduct
    max_points: float
    points: float
    gap: bool
    not_applicable: bool
    reason: str
    legal_basis: list[str]
    evidence_zh: str
    provenance: str
    red_line: bool

    @property
    def lost(self) -> bool:
        """A deduction taken or an add item not (fully) earned."""
        if self.kind == "deduct":
            return self.points < 0
        return self.points < self.max_points and not self.not_applicable


class TrendLine(Model):
    period: str
    total: float
    grade: str
    red_line: bool


class RecordLine(Model):
    id: int
    type_zh: str
    tier_zh: str
    date: str
    source: str
    ref: str
    points: float | None
    display_until: str | None
    counted: bool
    status_zh: str


class AlertLine(Model):
    id: int
    title_zh: str
    severity_zh: str
    period: str
    status_zh: str
    detail: str
    raised_at: str


class RiskLine(Model):
    period: str
    risk: float  # 0..1


class PlanLine(Model):
    """One action of the improvement plan (no internal notes), with its item's points before and after."""

    hearing_id: int
    item: str  # code and name
    action: str
    due: str  # YYYY-MM-DD
    status: str  # 进行中 / 已完成 / 逾期 / 已放弃
    evidence: str  # the evidence file's name, or ""
    before: str  # "2026Q3 0.0", or ""
    after: str


class CaseLine(Model):
    """An objection or a credit-repair request of the enterprise (open ones first, then the decided)."""

    kind: str  # 异议 / 信用修复
    id: int
    subject: str  # the period and item objected to, or the record to repair
    reason: str  # the objection's reason, or the repair's conditions
    status: str
    filed: str  # YYYY-MM-DD
    due: str  # YYYY-MM-DD (overdue said)
    decision: str  # the decision's note, or the authority an objection was routed to


class EnterpriseDossier(Model):
    uscc: str
    name: str
    region_code: str
    city: str
    industry: str
    industry_name: str
    size: str
    ownership: str
    period: str
    run_id: int
    result_run_id: int
    catalogue_version: str
    total: float
    grade: str
    grade_label: str
    grade_note: str
    red_line: bool
    red_line_items: list[str]
    completeness: float
    ranks: list[RankLine]
    ranks_note: str  # what the ranks are among
    level1: list[Level1Line]
    items: list[ItemLine]  # every item of the result, in catalogue order
    trend: list[TrendLine]
    records: list[RecordLine]  # in the display window at the period's end
    alerts: list[AlertLine]
    risk: list[RiskLine] | None  # None: no early-warning model exists
    plan: list[PlanLine]  # every action of the enterprise's improvement plans, by due date
    plan_note: str  # shown instead of an empty plan
    cases: list[CaseLine] = []  # objections and credit repairs, open ones first

    @property
    def lost_items(self) -> list[ItemLine]:
        """Every deduction taken and every add item missed, as listed in the dossier."""
        return [i for i in self.items if i.lost]


class DossierContent(Model):
    title: str
    period: str
    generated_at: str  # YYYY-MM-DD HH:MM, China time
    generated_by: str
    collective: bool
    hearing_id: int | None = None
    enterprises: list[EnterpriseDossier]


def _ranks(frame: pd.DataFrame, row: pd.Series, uscc: str, scoped: bool) -> tuple[list[RankLine], str]:
    ranks = an.peer_ranks(frame).loc[uscc]
    out = []
    for key, label in (("province", "全省"), ("city", str(row["city"])), ("industry", str(row["industry_name"]))):
        rank, n = int(ranks[f"{key}_rank"]), int(ranks[f"{key}_n"])
        out.append(RankLine(scope_zh=label, rank=rank, n=n, top_share=an.top_share(rank, n)))
    if scoped:
        out[0] = out[0].model_copy(update={"scope_zh": "权限范围内"})
        return out, "名次按你的权限范围内的当前结果计算(相同总分名次相同)"
    return out, "名次按全省当前结果计算(相同总分名次相同)"


def _level1(
    expl: Explanation, frame: pd.DataFrame, usccs: pd.Index, level1: np.ndarray, engine: Engine, run_id: int
) -> list[Level1Line]:
    catalogue = an.run_catalogue(engine, run_id)
    maxima = an.level1_maxima(catalogue)
    peers = frame.loc[frame["industry"] == expl.industry, "uscc"]
    rows = usccs.get_indexer(peers)
    rows = rows[rows >= 0]
    means = level1[rows].mean(axis=0) / 10 if len(rows) else None
    return [
        Level1Line(
            code=node["code"],
            name_zh=node["name_zh"],
            points=node["points"],
            max_points=float(maxima.get(node["code"], 0.0)),
            peer_mean=None if means is None else round(float(means[k]), 1),
        )
        for k, node in enumerate(expl.levels["level1"])
    ]


def _item(item: dict[str, Any]) -> ItemLine:
    basis = item["legal_basis"]
    return ItemLine(
        code=item["code"],
        name_zh=item["name_zh"],
        level1=item["level1"],
        kind=item["kind"],
        max_points=item["max_points"],
        points=item["points"],
        gap=item["gap"],
        not_applicable=item["not_applicable"],
        reason=item["reason"],
        legal_basis=[] if basis == "none" else list(basis),
        evidence_zh=item["evidence_zh"] or "",
        provenance=item["provenance"],
        red_line=item["red_line"],
    )


def _records(expl: Explanation) -> list[RecordLine]:
    end = period_end(expl.run.period).isoformat()
    shown = [r for r in expl.records if r["date"] <= end and (r["display_until"] is None or end < r["display_until"])]
    return [RecordLine(**{k: r[k] for k in RecordLine.model_fields}) for r in shown if r["display_until"] is not None]


def _alerts(engine: Engine, who: Principal, uscc: str) -> list[AlertLine]:
    return [
        AlertLine(
            id=a.id, title_zh=a.title_zh, severity_zh=a.severity_zh, period=a.period, status_zh=a.status_zh,
            detail=a.detail, raised_at=in_china(a.raised_at).strftime("%Y-%m-%d %H:%M"),  # Beijing time
        )
        for a in list_alerts(engine, who, limit=10_000)
        if a.uscc == uscc
    ]  # fmt: skip


def _risk(engine: Engine, who: Principal, uscc: str) -> list[RiskLine] | None:
    from lrc.service.risk import history

    found = history(engine, who, uscc)
    return [RiskLine(period=r["period"], risk=float(r["risk"])) for r in found] or None


def _points(found: ItemPoints | None) -> str:
    return "" if found is None else f"{found.period} {found.points:.1f}"


def _plan(engine: Engine, who: Principal, uscc: str) -> list[PlanLine]:
    return [
        PlanLine(
            hearing_id=a.hearing_id, item=f"{a.item_code} {a.item_name_zh}", action=a.action, due=a.due.isoformat(),
            status=a.status_zh, evidence=a.evidence_name or "", before=_points(a.before), after=_points(a.after),
        )
        for a in plan_of(engine, who, uscc)
    ]  # fmt: skip


def _cases(engine: Engine, who: Principal, uscc: str) -> list[CaseLine]:
    found = [
        CaseLine(
            kind="异议", id=o.id, subject=f"{o.period} {o.item} {o.item_name}", reason=o.reason, status=o.status_zh,
            filed=o.filed_at[:10], due=o.due_on + ("(已逾期)" if o.overdue else ""),
            decision="; ".join(f"{r.source} {r.ref}" for r in o.routed_to) or (o.note or "")
            if o.status not in OPEN else "",
        )
        for o in list_objections(engine, who, uscc=uscc)
    ] + [
        CaseLine(
            kind="信用修复", id=r.id, subject=f"记录 #{r.record.record_id} {r.record.type_name} {r.record.ref}",
            reason="、".join(c.text_zh for c in r.conditions), status=r.status_zh, filed=r.requested_at[:10],
            due=r.due_on + ("(已逾期)" if r.overdue else ""), decision=r.note or "" if r.status != "requested" else "",
        )
        for r in list_repairs(engine, who, uscc=uscc)
    ]  # fmt: skip
    return sorted(found, key=lambda c: (c.decision != "", c.filed, c.id))


def enterprise_dossier(
    engine: Engine, who: Principal, expl: Explanation, frame: pd.DataFrame, usccs: pd.Index, level1: np.ndarray
) -> EnterpriseDossier:
    data = expl.to_dict()
    row = frame.loc[frame["uscc"] == expl.uscc].iloc[0]
    ranks, note = _ranks(frame, row, expl.uscc, not who.scope.everything)
    plan = _plan(engine, who, expl.uscc)
    return EnterpriseDossier(
        uscc=expl.uscc,
        name=expl.name,
        region_code=expl.region_code,
        city=str(row["city"]),
        industry=expl.industry,
        industry_name=str(row["industry_name"] or expl.industry),
        size=str(row["size"] or ""),
        ownership=str(row["ownership"] or ""),
        period=expl.run.period,
        run_id=expl.run.run_id,
        result_run_id=data["result_run_id"],
        catalogue_version=expl.run.catalogue_version,
        total=data["total"],
        grade=expl.grade,
        grade_label=expl.grade_label,
        grade_note=expl.grade_note,
        red_line=expl.red_line,
        red_line_items=list(expl.red_line_items),
        completeness=data["completeness"],
        ranks=ranks,
        ranks_note=note,
        level1=_level1(expl, frame, usccs, level1, engine, expl.run.run_id),
        items=[_item(i) for i in expl.items],
        trend=[
            TrendLine(period=str(t.period), total=float(t.total), grade=str(t.grade), red_line=bool(t.red_line))
            for t in an.enterprise_trend(engine, who, expl.uscc).itertuples(index=False)
        ],
        records=_records(expl),
        alerts=_alerts(engine, who, expl.uscc),
        risk=_risk(engine, who, expl.uscc),
        plan=plan,
        plan_note=NO_PLAN if not plan else "",
        cases=_cases(engine, who, expl.uscc),
    )


def build_content(
    engine: Engine,
    who: Principal,
    usccs: Sequence[str],
    period: str,
    *,
    title: str | None = None,
    hearing_id: int | None = None,
    now: datetime | None = None,
) -> DossierContent:
    """The dossier of each enterprise's current result in ``period`` (refused as ``explain`` refuses: an
    enterprise outside ``who``'s scope is not found)."""
    explained = [explain(engine, who, u, period) for u in usccs]
    info, frame = load_results(engine, who, period)
    packed_usccs, level1 = an.packed_matrix(engine, who, info.run_id, "level1")
    sections = [enterprise_dossier(engine, who, e, frame, packed_usccs, level1) for e in explained]
    collective = len(sections) > 1
    if title is None:
        title = (
            f"{info.period} 企业履行社会责任集体听证材料" if collective
            else f"{sections[0].name} {info.period} 履行社会责任听证材料"
        )  # fmt: skip
    moment = (now or datetime.now(CHINA)).astimezone(CHINA)
    return DossierContent(
        title=title,
        period=info.period,
        generated_at=moment.strftime("%Y-%m-%d %H:%M"),
        generated_by=who.name,
        collective=collective,
        hearing_id=hearing_id,
        enterprises=sections,
    )
