"""One enterprise's explanation, assembled from what was read of it: shared by ``results.explain`` (through
SQLAlchemy) and ``driver_explain`` (through the database driver alone), so the two cannot word or compute it
differently. Nothing here imports pandas, numpy or SQLAlchemy."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from indicators import Catalogue
from indicators.record_types import TIER_ZH
from lrc.errors import ConflictError
from lrc.periods import period_end
from lrc.service.run_info import RunInfo
from scoring.grades import grade_label, grade_note
from scoring.reasons import ItemExplanation
from scoring.records import as_day, display_until, marginal_costs, record_tally

CAUSE_ZH: dict[str, str] = {
    "repaired": "信用修复", "revoked": "异议成立,记录撤销", "expired": "展示期满", "removed": "原决定机关移出名单",
}  # fmt: skip


@dataclass(frozen=True)
class Explanation:
    run: RunInfo
    uscc: str
    name: str
    region_code: str
    industry: str
    total: Decimal
    grade: str
    grade_label: str
    red_line: bool
    red_line_items: list[str]
    completeness: float
    levels: dict[str, list[dict[str, Any]]]
    items: list[dict[str, Any]] = field(repr=False)
    grade_note: str = ""  # why the grade is below what the total alone would give
    result_run_id: int | None = None  # the run that made this result (a one-enterprise rescoring, or ``run``)
    cause_record_id: int | None = None  # the record whose arrival made this result
    superseded_by: int | None = None  # a newer result of the same enterprise and period (run id)
    superseded: dict[str, Any] | None = None  # what made the newer result: ``superseded_note``
    records: list[dict[str, Any]] = field(default_factory=list, repr=False)  # every record of the enterprise

    def to_dict(self) -> dict[str, Any]:
        return {
            "uscc": self.uscc,
            "name": self.name,
            "period": self.run.period,
            "run_id": self.run.run_id,
            "through_run_id": self.run.through_run_id,  # the newest run whose results are shown with ``run_id``'s
            "catalogue_version": self.run.catalogue_version,
            "region_code": self.region_code,
            "industry": self.industry,
            "total": float(self.total),
            "grade": self.grade,
            "grade_label": self.grade_label,
            "red_line": self.red_line,
            "red_line_items": self.red_line_items,
            "completeness": round(self.completeness, 4),
            "grade_note": self.grade_note,
            "result_run_id": self.result_run_id or self.run.run_id,
            "cause_record_id": self.cause_record_id,
            "superseded_by": self.superseded_by,
            "superseded": self.superseded,
            "levels": self.levels,
            "items": self.items,
            "records": self.records,
        }


def assemble(
    catalogue: Catalogue,
    run: RunInfo,
    result: Mapping[str, Any],
    facts: Mapping[str, Any],
    origin: tuple[str, int, int],
    listed: Sequence[Mapping[str, Any]],
    closed: Mapping[int, Any],
    explain: Callable[[Catalogue, Mapping[str, Any]], list[ItemExplanation]],
    *,
    newer: int | None = None,
    superseding: dict[str, Any] | None = None,
) -> Explanation:
    """The explanation of a stored ``result`` (its row: identity, total, grade, ``items``, ``records``, …) from
    its submission's typed ``facts`` (and ``origin``), every record of the enterprise (``listed``) and their
    closures, recomputed by ``explain`` (``scoring.reasons``) with the run's catalogue. A recomputation that
    differs from the stored points raises ``ConflictError``: an explanation never disagrees with its result."""
    code = str(result["uscc"])
    counted = {int(i) for i in str(result["records"] or "").split(",") if i}
    end = period_end(run.period)
    in_result = [r for r in listed if int(r["id"]) in counted]
    tallied = record_tally(catalogue, [r for r in in_result if str(r["uscc"]) == code], end)
    explained = explain(catalogue, {**facts, **tallied})
    stored = [int(v) for v in str(result["items"]).split(",")]
    if [int(e.points * 10) for e in explained] != stored:
        raise ConflictError(f"企业 {code} 的存储结果与重算结果不一致 (stored result differs from recomputation)")
    costs = marginal_costs(catalogue, in_result)
    total, grade, red_line = int(result["total"]), str(result["grade"]), bool(result["red_line"])
    return Explanation(
        run=run,
        uscc=code,
        name=str(result["name"]),
        region_code=str(result["region_code"]),
        industry=str(result["industry"]),
        total=Decimal(total) / 10,
        grade=grade,
        grade_label=grade_label(catalogue, grade),
        red_line=red_line,
        red_line_items=[e.code for e, i in zip(explained, catalogue.items, strict=True) if i.red_line and e.points],
        completeness=float(result["completeness"]),
        levels=_level_tables(catalogue, stored),
        items=[_item_dict(catalogue, e, origin, listed, counted) for e in explained],
        grade_note=grade_note(catalogue, total, red_line, sum(not e.gap for e in explained), grade),
        result_run_id=int(result["run_id"]),
        cause_record_id=None if result["cause_record_id"] is None else int(result["cause_record_id"]),
        superseded_by=newer,
        superseded=superseding,
        records=[record_view(catalogue, r, end, counted, costs, closed=closed) for r in listed],
    )


RUN_KIND_ZH: dict[str, str] = {
    "period": "整期重新评分", "records": "新登记的记录", "submission": "重新报送的数据", "objection": "异议成立后更正",
    "repair": "信用修复", "expiry": "记录展示期满", "removal": "原决定机关移出名单", "import": "导入的全国评分结果",
}  # fmt: skip


def superseded_note(run: Any) -> dict[str, Any]:
    """What made the result that supersedes another: the run, its kind (and the objection or repair)."""
    kind = str(run.kind)
    cause = getattr(run, "cause_id", None)
    case = {"objection": "异议", "repair": "信用修复申请"}.get(kind)
    text = RUN_KIND_ZH.get(kind, kind) + (f"({case} {cause})" if case and cause else "")
    return {"run_id": int(run.id), "kind": kind, "cause_id": cause, "text_zh": text}


def _level_tables(catalogue: Catalogue, points: Sequence[int]) -> dict[str, list[dict[str, Any]]]:
    """Each level's nodes (in the catalogue's order) with the sum of their items' points (``scoring.rollup``, for
    one enterprise, in plain integers)."""
    names = catalogue.node_names
    out = {}
    for depth, level in enumerate(("level1", "level2", "level3")):
        sums = {node.code: 0 for node in getattr(catalogue, level)}
        for item, tenths in zip(catalogue.items, points, strict=True):
            sums[catalogue.ancestry(item)[depth]] += int(tenths)
        out[level] = [
            {"code": c, "name_zh": names[c], "points": float(Decimal(v) / 10)} for c, v in sums.items()
        ]
    return out


def _item_dict(
    catalogue: Catalogue,
    explained: Any,
    origin: tuple[str, int, int] | None = None,
    records: Sequence[Mapping[str, Any]] | None = None,
    counted: set[int] | None = None,
) -> dict[str, Any]:
    """One item of an explanation, with where its facts came from (provenance) and, for a deduction
    that a self-declared 0 avoided and no record confirms, ``unverified`` (未经核实)."""
    item = catalogue.item(explained.code)
    level1, level2, level3 = catalogue.ancestry(item)
    basis = item.legal_basis
    provenance, record_ids = _provenance(catalogue, item, explained, origin, records, counted or set())
    return {
        "code": item.code,
        "name_zh": item.name_zh,
        "level1": level1,
        "level2": level2,
        "level3": level3,
        "kind": item.kind,
        "max_points": float(item.points),
        "points": float(explained.points),
        "gap": explained.gap,
        "not_applicable": explained.reason.startswith("不适用"),
        "reason": explained.reason,
        "reads": explained.reads,
        "legal_basis": "none" if basis == "none" else [f"{b.law_zh} {b.article}".strip() for b in basis],
        "evidence_zh": item.evidence_zh,
        "red_line": item.red_line,
        "provenance": provenance,
        "records": record_ids,
        "unverified": item.kind == "deduct"
        and not item.rule.type == "records"
        and not explained.gap
        and explained.points == 0,
    }


def _provenance(
    catalogue: Catalogue,
    item: Any,
    explained: Any,
    origin: tuple[str, int, int] | None,
    records: Sequence[Mapping[str, Any]] | None,
    counted: set[int],
) -> tuple[str, list[int]]:
    if item.rule.type == "records":
        types = set(item.rule.types)
        listed = [r for r in records or [] if int(r["id"]) in counted and r["type"] in types]
        if not listed:
            return "记录:显示期内无相关记录 (records: none in the display window)", []
        refs = ";".join(f"#{r['id']} {r['source']} {r['ref']}" for r in listed)
        return f"记录 (records):{refs}", [int(r["id"]) for r in listed]
    if explained.gap:
        return "企业未报送 (not reported)", []
    where = f"{origin[0]} 第 {origin[1]} 行,导入批次 {origin[2]}" if origin else "企业报送"
    unverified = ",未经核实 (self-declared, unverified)" if item.kind == "deduct" and explained.points == 0 else ""
    return f"企业自报 (submitted):{where}{unverified}", []


def record_view(
    catalogue: Catalogue,
    r: Mapping[str, Any],
    as_of: date,
    counted: set[int] | None,
    costs: dict[int, int] | None = None,
    *,
    closed: Mapping[int, Any] | None = None,
) -> dict[str, Any]:
    """A stored record as people see it: its declared points under ``catalogue``, what it cost in a result
    (``costs``, tenths: less than declared once its item reached its cap), until when it counts, and why it
    did or did not count (``counted``: the ids that result used; None: on ``as_of``; ``closed``: record id →
    its closure, when it was repaired, revoked, expired or removed)."""
    kind = catalogue.record_type_map.get(r["type"])
    tier = kind.tiers.get(r["tier"]) if kind else None
    decided = as_day(r["decision_date"])
    until = display_until(decided, tier.display_months) if tier else None
    closure = (closed or {}).get(int(r["id"]))
    shut = closure is not None and as_of >= as_day(closure["effective_from"])
    live = until is not None and decided <= as_of < until and not shut
    used = int(r["id"]) in counted if counted is not None else live
    if tier is None:
        why = f"指标体系 {catalogue.version} 不计此类记录"
    elif used and costs is not None and costs.get(int(r["id"])) == 0:
        why = f"计入本结果,但条目 {kind.item if kind else ''} 已达上限,本条未再扣分;显示至 {until}(不含)"
    elif used:
        why = f"{'计入本结果' if counted is not None else '有效'},显示至 {until}(不含)"
    elif closure is not None and shut:
        cause = CAUSE_ZH.get(closure["cause"], closure["cause"])
        if closure["cause"] == "expired" and until is not None:  # the day it ended, and why counting stopped earlier
            cause = f"{cause}(显示至 {until},不含),企业当前结果随之更新"
        why = f"{cause},自 {as_day(closure['effective_from'])} 所在期间起不再计分,保留备查"
    elif decided > as_of:
        why = "决定日期在本期间结束之后,不计入本期"
    elif live:
        why = "显示期内,本结果生成之后才登记;见该企业的最新结果"
    elif until is not None and until <= as_of:
        why = f"已过显示期({until} 起不再计分),保留备查"
    else:
        why = "未计入"
    return {
        "id": int(r["id"]),
        "type": r["type"],
        "type_zh": kind.name_zh if kind else r["type"],
        "tier": r["tier"],
        "tier_zh": TIER_ZH.get(r["tier"], r["tier"]),
        "date": decided.isoformat(),
        "source": r["source"],
        "ref": r["ref"],
        "item": kind.item if kind else None,
        "points": float(tier.points) if tier else None,
        "cost": costs[int(r["id"])] / 10 if costs is not None and int(r["id"]) in costs else None,
        "display_until": until.isoformat() if until else None,
        "counted": used,
        "status_zh": why,
        "closed": None if closure is None else {
            "cause": closure["cause"], "cause_zh": CAUSE_ZH.get(closure["cause"], closure["cause"]),
            "effective_from": as_day(closure["effective_from"]).isoformat(),
        },
    }  # fmt: skip
