"""Choosing enterprises for CSR hearings: each current result of a period inside the reader's scope that
gives a reason to hear the enterprise, with every reason in Chinese.

Reasons: the lowest grade or a red line; a grade fall since the previous scored period; one of the
biggest drops in total; deductive records (findings, penalties, lost cases) decided in the period; a high
risk of falling next period from the stored risk model of the period, when one exists (none is trained
here: proposing only reads)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine, select

from indicators import Catalogue, load_catalogue
from lrc.errors import UsageError, shorten
from lrc.normalise import ascii_form
from lrc.periods import check_period, period_end, period_start, previous_period
from lrc.reference import INDUSTRIES, city_of
from lrc.scope import Scope
from lrc.service.access import Action, Principal
from lrc.service.audit import check
from lrc.service.results import load_results
from lrc.service.risk import forecast, model_id_for
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import Record

GroupBy = Literal["industry", "size", "ownership"]
GROUPS: tuple[str, ...] = ("industry", "size", "ownership")
BIGGEST_DROPS = 10  # the largest falls in total among the candidates' peers in scope …
MIN_DROP = 5.0  # … of at least this many points
HIGH_RISK = 0.5  # chance of falling next period


class CandidateOut(BaseModel):
    uscc: str
    name: str
    grade: str
    total: float
    group: str | None
    reasons: list[str]


def propose(
    engine: Engine,
    who: Principal,
    period: str,
    *,
    region: str | None = None,
    limit: int | None = None,
    group_by: str | None = None,
    catalogue: Catalogue | None = None,
) -> list[CandidateOut]:
    """The enterprises of ``period`` inside ``who``'s scope (and ``region``) with a reason to be heard:
    most reasons first, then the lowest total; grouped (by industry, size or ownership) when asked."""
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    if group_by is not None and group_by not in GROUPS:
        raise UsageError(f"--group-by {shorten(group_by)} 应为 industry、size 或 ownership 之一 (unknown grouping)")
    place = ascii_form(region).strip() if region else None
    if place and city_of(place) is None:
        raise UsageError(f"地区代码 {shorten(place)} 不是辽宁省的市或区县代码 (unknown region)")
    check(engine, who, Action.read, f"hearing-candidates:{period[:16]}")
    info, frame = load_results(engine, who, check_period(period))
    if place:
        frame = frame[Scope(region=place).mask(frame["region_code"], frame["uscc"])]
    reasons: dict[str, list[str]] = {u: [] for u in frame["uscc"]}
    _grade_reasons(frame, catalogue, reasons)
    _change_reasons(engine, who, info.period, frame, reasons)
    _record_reasons(engine, info.period, catalogue, reasons)
    _risk_reasons(engine, who, info.period, catalogue, reasons)
    chosen = frame[np.array([bool(reasons[u]) for u in frame["uscc"]], dtype=bool)].copy()
    chosen["count"] = chosen["uscc"].map(lambda u: len(reasons[u]))
    chosen["group"] = _groups(chosen, group_by)
    keys = ["count", "total", "uscc"] if group_by is None else ["group", "count", "total", "uscc"]
    order = [True, False, True, True] if group_by is not None else [False, True, True]
    chosen = chosen.sort_values(keys, ascending=order)
    if limit is not None:
        chosen = chosen.head(max(0, limit)) if group_by is None else chosen.groupby("group").head(max(0, limit))
    return [
        CandidateOut(uscc=str(r.uscc), name=str(r.name), grade=str(r.grade), total=float(r.total),
                     group=None if group_by is None else str(r.group), reasons=reasons[str(r.uscc)])  # fmt: skip
        for r in chosen.itertuples(index=False)
    ]


def _groups(frame: pd.DataFrame, group_by: str | None) -> pd.Series:
    if group_by is None:
        return pd.Series([""] * len(frame), index=frame.index)
    if group_by == "industry":
        return frame["industry"].map(lambda c: f"{c} {INDUSTRIES.get(str(c), '')}".strip())
    return frame[group_by].fillna("未填").astype(str)


def _grade_reasons(frame: pd.DataFrame, catalogue: Catalogue, reasons: dict[str, list[str]]) -> None:
    lowest = catalogue.lowest_grade
    for uscc, grade, red in zip(frame["uscc"], frame["grade"], frame["red_line"], strict=True):
        if red:
            reasons[uscc].append("触及红线(一票否决)(red line)")
        if grade == lowest:
            reasons[uscc].append(f"信用等级为最低的 {lowest} 级 (lowest grade)")


def _change_reasons(
    engine: Engine, who: Principal, period: str, frame: pd.DataFrame, reasons: dict[str, list[str]]
) -> None:
    """A grade fall since the previous scored period, and the biggest drops in total."""
    with engine.connect() as conn:
        earlier = previous_period(period, repo.scored_periods(conn))
    if earlier is None or frame.empty:
        return
    _, before = load_results(engine, who, earlier)
    joined = frame.merge(before[["uscc", "grade", "total"]], on="uscc", suffixes=("", "_before"))
    order = {g.grade: k for k, g in enumerate(load_catalogue().grades)}
    for uscc, now, was in zip(joined["uscc"], joined["grade"], joined["grade_before"], strict=True):
        if now in order and was in order and order[now] > order[was]:
            reasons[uscc].append(f"信用等级由 {was} 降为 {now}(与 {earlier} 相比)(grade fell)")
    joined["drop"] = joined["total_before"] - joined["total"]
    drops = joined[joined["drop"] >= MIN_DROP].sort_values(["drop", "uscc"], ascending=[False, True])
    drops = drops.head(BIGGEST_DROPS)
    for uscc, drop, was in zip(drops["uscc"], drops["drop"], drops["total_before"], strict=True):
        reasons[uscc].append(f"总分较 {earlier} 下降 {drop:.1f} 分(由 {was:.1f} 分),降幅居前 (biggest drop)")


def _record_reasons(engine: Engine, period: str, catalogue: Catalogue, reasons: dict[str, list[str]]) -> None:
    """Deductive records (findings, penalties, lost cases) decided within the period."""
    if not reasons:
        return
    deductive = {t.code: t for t in catalogue.record_types}
    query = select(Record.uscc, Record.type, Record.tier).where(
        Record.decision_date >= period_start(period), Record.decision_date <= period_end(period)
    )
    found: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for uscc, kind, tier in conn.execute(query.order_by(Record.decision_date, Record.id)):
            rule = deductive.get(kind)
            if uscc in reasons and rule is not None and tier in rule.tiers and rule.tiers[tier].points < 0:
                found.setdefault(uscc, []).append(rule.name_zh)
    for uscc, names in found.items():
        listed = "、".join(dict.fromkeys(names))
        reasons[uscc].append(f"本期有 {len(names)} 条经认定的违法或败诉记录:{listed} (records in the period)")


def _risk_reasons(
    engine: Engine, who: Principal, period: str, catalogue: Catalogue, reasons: dict[str, list[str]]
) -> None:
    """A high risk from the stored model of the period (never trained here)."""
    if not reasons or model_id_for(engine, who, period) is None:
        return
    for entry in forecast(engine, who, period, catalogue=catalogue).items:
        if entry.uscc in reasons and entry.risk >= HIGH_RISK:
            top = entry.reasons[0].text_zh if entry.reasons else ""
            why = f":{top}" if top else ""
            reasons[entry.uscc].append(f"预警模型预测下期等级下降的概率为 {entry.risk:.0%}{why} (high risk)")
