"""The catalogue as tables people read (items with their rule in words, legal basis, evidence),
and what changes from one edition to the next: the item diff, and the impact on a period's results."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine

from indicators import Catalogue, Item
from lrc.errors import NotFoundError
from lrc.periods import check_period
from lrc.reference import CITIES, city_codes
from lrc.service.access import Principal
from lrc.service.runs import marks_now, missing_required, score_submissions
from lrc.store import repository as repo
from lrc.store import require_schema
from scoring.rule_types import handler


def describe_rule(catalogue: Catalogue, item: Item) -> str:
    """A rule in words, e.g. ``劳动合同签订率(= … ÷ 职工总数) ≥ 100% → +2``."""
    return handler(item).describe(catalogue, item, f"{item.points:+f}") + _links_text(catalogue, item)


def _links_text(catalogue: Catalogue, item: Item) -> str:
    text = ""
    if item.applies_when is not None:
        condition = item.applies_when.describe(catalogue.field_map[item.applies_when.field].name_zh)
        text += f";仅适用于 {condition} 的企业,不适用时{'按满分计' if item.kind == 'add' else '不扣分'}"
    if item.requires:
        text += f";以 {item.requires} 得分为前提"
    return text


def legal_text(item: Item) -> str:
    if item.legal_basis == "none":
        return "无"
    return ";".join(f"{b.law_zh} {b.article}".strip() for b in item.legal_basis)


def catalogue_items(catalogue: Catalogue) -> pd.DataFrame:
    """One row per item with its place in the tree, points, rule, legal basis and evidence."""
    names = catalogue.node_names
    rows = []
    for item in catalogue.items:
        l1, l2, l3 = catalogue.ancestry(item)
        rows.append(
            {
                "code": item.code,
                "level1": l1,
                "level1_name": names[l1],
                "level2": l2,
                "level2_name": names[l2],
                "level3": l3,
                "level3_name": names[l3],
                "name_zh": item.name_zh,
                "name_en": item.name_en,
                "kind": item.kind,
                "points": float(item.points),
                "red_line": item.red_line,
                "rule_type": item.rule.type,
                "rule": describe_rule(catalogue, item),
                "legal_basis": legal_text(item),
                "evidence_zh": item.evidence_zh,
            }
        )
    return pd.DataFrame(rows)


DIFF_FIELDS = (
    ("name_zh", "名称"),
    ("level3", "所属三级指标"),
    ("points", "分值"),
    ("rule", "规则"),
    ("red_line", "红线"),
    ("legal_basis", "法律依据"),
)


def catalogue_diff(old: Catalogue, new: Catalogue) -> pd.DataFrame:
    """Items added, removed or changed (name, place, points, rule, red line, legal basis)
    from ``old`` to ``new``: one row per change."""
    before = catalogue_items(old).set_index("code")
    after = catalogue_items(new).set_index("code")
    rows = [
        {"code": c, "change": "新增", "field": "", "old": "", "new": after.at[c, "name_zh"]}
        for c in after.index.difference(before.index)
    ]
    rows += [
        {"code": c, "change": "删除", "field": "", "old": before.at[c, "name_zh"], "new": ""}
        for c in before.index.difference(after.index)
    ]
    for code in before.index.intersection(after.index):
        for column, label in DIFF_FIELDS:
            old_value, new_value = before.at[code, column], after.at[code, column]
            if old_value != new_value:
                rows.append(
                    {
                        "code": code,
                        "change": "修改",
                        "field": label,
                        "old": str(old_value),
                        "new": str(new_value),
                    }
                )
    frame = pd.DataFrame(rows, columns=["code", "change", "field", "old", "new"])
    return frame.sort_values(["code", "change"], ignore_index=True)


# ---- impact of a new edition on one period ---------------------------------------------


class GroupImpact(BaseModel):
    group: str
    enterprises: int
    mean_total_old: float
    mean_total_new: float
    mean_change: float
    grade_changed: float  # share of enterprises whose grade changed


class ItemMove(BaseModel):
    code: str
    name_zh: str
    mean_old: float | None  # mean points under the old edition (None: the item is not in it)
    mean_new: float | None
    change: float


class ImpactReport(BaseModel):
    period: str
    old: str
    new: str
    enterprises: int
    grades: list[str]
    transitions: dict[str, dict[str, int]]  # old grade → new grade → enterprises
    rank_correlation: float | None  # Spearman, over enterprises' totals
    mean_total_old: float
    mean_total_new: float
    red_lines_old: int
    red_lines_new: int
    missing_old: list[str]  # required fields of the old edition the period's data lacks (read as not reported)
    missing_new: list[str]
    items: list[ItemMove]  # the items whose mean points moved most
    by_city: list[GroupImpact]
    by_size: list[GroupImpact]


def impact(
    engine: Engine, who: Principal, old: Catalogue, new: Catalogue, period: str, *, top: int = 15
) -> ImpactReport:
    """What scoring ``period``'s newest submissions (and the records counting at its end) with ``new``
    instead of ``old`` would change, for the enterprises in ``who``'s scope. Nothing is stored."""
    period = check_period(period)
    require_schema(engine)
    with engine.connect() as conn:
        subs = repo.latest_submissions(conn, period)
        if not who.scope.everything:
            subs = subs[who.scope.mask(subs["region_code"], pd.Series(subs.index, index=subs.index))]
        if subs.empty:
            raise NotFoundError(f"期间 {period} 没有已导入的数据 (no data for period {period})")
        marks = marks_now(conn, new)
        before = score_submissions(conn, old, period, subs, marks).result
        after = score_submissions(conn, new, period, subs, marks).result
    frame = pd.DataFrame(
        {
            "old_total": before.total / 10,
            "new_total": after.total / 10,
            "old_grade": before.grade,
            "new_grade": after.grade,
            "city": [CITIES.get(c, c) for c in city_codes(subs["region_code"])],
            "size": subs["size"].to_numpy(),
        },
        index=subs.index,
    )
    grades = [g.grade for g in new.grades]
    matrix = pd.crosstab(frame["old_grade"], frame["new_grade"]).reindex(index=grades, columns=grades, fill_value=0)
    correlation = frame["old_total"].rank().corr(frame["new_total"].rank()) if len(frame) > 1 else None
    return ImpactReport(
        period=period,
        old=old.version,
        new=new.version,
        enterprises=len(frame),
        grades=grades,
        transitions={g: {h: int(matrix.at[g, h]) for h in grades} for g in grades},
        rank_correlation=None if correlation is None or pd.isna(correlation) else round(float(correlation), 4),
        mean_total_old=round(float(frame["old_total"].mean()), 2),
        mean_total_new=round(float(frame["new_total"].mean()), 2),
        red_lines_old=int(before.red_line.sum()),
        red_lines_new=int(after.red_line.sum()),
        missing_old=missing_required(old, subs),
        missing_new=missing_required(new, subs),
        items=_item_moves(old, new, before.points, after.points)[:top],
        by_city=_groups(frame, "city"),
        by_size=_groups(frame, "size"),
    )


def _item_moves(old: Catalogue, new: Catalogue, before: np.ndarray, after: np.ndarray) -> list[ItemMove]:
    means_old = dict(zip(old.item_codes, before.mean(axis=0) / 10, strict=True)) if len(before) else {}
    means_new = dict(zip(new.item_codes, after.mean(axis=0) / 10, strict=True)) if len(after) else {}
    names = {**old.node_names, **new.node_names}
    moves = []
    for code in dict.fromkeys([*new.item_codes, *old.item_codes]):
        a, b = means_old.get(code), means_new.get(code)
        change = (b or 0.0) - (a or 0.0)
        moves.append(
            ItemMove(
                code=code,
                name_zh=names[code],
                mean_old=None if a is None else round(float(a), 3),
                mean_new=None if b is None else round(float(b), 3),
                change=round(float(change), 3),
            )
        )
    return sorted(moves, key=lambda m: (-abs(m.change), m.code))


def _groups(frame: pd.DataFrame, by: str) -> list[GroupImpact]:
    out = []
    for group, part in frame.groupby(by, sort=True):
        out.append(
            GroupImpact(
                group=str(group),
                enterprises=len(part),
                mean_total_old=round(float(part["old_total"].mean()), 2),
                mean_total_new=round(float(part["new_total"].mean()), 2),
                mean_change=round(float((part["new_total"] - part["old_total"]).mean()), 2),
                grade_changed=round(float((part["old_grade"] != part["new_grade"]).mean()), 4),
            )
        )
    return out
