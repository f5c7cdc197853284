"""Reading published results: rankings and per-enterprise explanations."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from indicators import Catalogue
from lrc.errors import ConflictError, LrcError, NotFoundError, shorten
from lrc.normalise import ascii_form
from lrc.periods import check_period
from lrc.reference import (
    CITIES,
    INDUSTRIES,
    OWNERSHIPS,
    SIZES,
    city_of,
    industry_letter,
    normalise_ownership,
    normalise_size,
)
from lrc.service.runs import catalogue_for_run, get_run, parse_facts, unpack
from lrc.store import facts_codec, require_schema
from lrc.store import repository as repo
from scoring import explain_row, grade_label, grade_note, rollup


@dataclass(frozen=True)
class RunInfo:
    run_id: int
    period: str
    catalogue_version: str
    input_hash: str
    finished_at: Any


@dataclass(frozen=True)
class Filters:
    region: str | None = None  # a city or county code
    industry: str | None = None
    size: str | None = None
    ownership: str | None = None
    grade: str | None = None
    search: str | None = None  # part of the name, or the start of the USCC


def check_filters(filters: Filters, catalogue: Catalogue) -> Filters:
    """Filters as stored values (industry letter, Chinese size, …); an unknown value is an error,
    not an empty ranking."""
    problems = []
    region = ascii_form(filters.region or "") or None
    if region and city_of(region) is None:
        problems.append(f"地区代码 {shorten(region)} 不是辽宁省的市或区县代码")
    industry = industry_letter(ascii_form(filters.industry)) if filters.industry else None
    if filters.industry and industry is None:
        problems.append(f"行业 {shorten(filters.industry)} 不是国民经济行业门类 A-T")
    size = normalise_size(filters.size) if filters.size else None
    if filters.size and size is None:
        problems.append(f"规模 {shorten(filters.size)} 应为 {'、'.join(SIZES)}")
    ownership = normalise_ownership(filters.ownership) if filters.ownership else None
    if filters.ownership and ownership is None:
        problems.append(f"所有制 {shorten(filters.ownership)} 应为 {'、'.join(OWNERSHIPS)}")
    grade = ascii_form(filters.grade).upper() if filters.grade else None
    grades = [g.grade for g in catalogue.grades]
    if grade and grade not in grades:
        problems.append(f"等级 {shorten(filters.grade)} 应为 {'、'.join(grades)}")
    if problems:
        raise LrcError(";".join(problems) + " (unknown filter value)")
    return Filters(region, industry, size, ownership, grade, filters.search)


def run_info(run: Any) -> RunInfo:
    return RunInfo(run.id, run.period, run.catalogue_version, run.input_hash, run.finished_at)


def load_results(engine: Engine, period: str, run_id: int | None = None) -> tuple[RunInfo, pd.DataFrame]:
    """Every enterprise of a run (the newest of ``period`` by default), best first,
    with its rank in the province."""
    require_schema(engine)
    with engine.connect() as conn:
        run = get_run(conn, check_period(period) if period else None, run_id)
        frame = repo.results(conn, repo.current_run_ids(conn, run))
    frame["total"] = frame["total"] / 10
    frame["red_line"] = frame["red_line"].astype(bool)
    frame["city"] = frame["city_code"].map(CITIES).fillna(frame["city_code"])
    frame["industry_name"] = frame["industry"].map(INDUSTRIES)
    frame = frame.sort_values(["total", "uscc"], ascending=[False, True], ignore_index=True)
    frame.insert(0, "province_rank", frame["total"].rank(method="min", ascending=False).astype(int))
    return run_info(run), frame


def apply_filters(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    mask = np.ones(len(frame), dtype=bool)
    if filters.region:
        mask &= (frame["city_code"] == filters.region).to_numpy() | (frame["region_code"] == filters.region).to_numpy()
    for column in ("industry", "size", "ownership", "grade"):
        wanted = getattr(filters, column)
        if wanted:
            mask &= (frame[column] == wanted).to_numpy()
    if filters.search:
        needle = filters.search.strip()
        mask &= (
            frame["name"].str.contains(needle, regex=False).to_numpy()
            | frame["uscc"].str.startswith(needle.upper()).to_numpy()
        )
    return frame[mask]


def ranking(
    engine: Engine,
    period: str,
    filters: Filters = Filters(),
    *,
    top: int | None = None,
    run_id: int | None = None,
) -> tuple[RunInfo, pd.DataFrame]:
    """The ranking as shown: filtered, ranked 1..n within the filter (ties share a rank)."""
    info, frame = load_results(engine, period, run_id)
    with engine.connect() as conn:
        catalogue = catalogue_for_run(conn, get_run(conn, None, info.run_id))
    shown = ranked(frame, check_filters(filters, catalogue))
    return info, shown if top is None else shown.head(top)


def ranked(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """A loaded ``load_results`` frame filtered and ranked 1..n within the filter
    (ties share a rank), best first."""
    shown = apply_filters(frame, filters).copy()
    shown.insert(0, "rank", shown["total"].rank(method="min", ascending=False).astype(int))
    return shown.reset_index(drop=True)


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "uscc": self.uscc,
            "name": self.name,
            "period": self.run.period,
            "run_id": self.run.run_id,
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
            "levels": self.levels,
            "items": self.items,
        }


def explain(engine: Engine, uscc: str, period: str, *, run_id: int | None = None) -> Explanation:
    """Every point of one enterprise's score, recomputed from its stored facts
    with the run's own catalogue and checked against the stored result."""
    require_schema(engine)
    code = ascii_form(uscc).upper()
    with engine.connect() as conn:
        run = get_run(conn, check_period(period), run_id)
        catalogue = catalogue_for_run(conn, run)
        row = repo.results(conn, run.id, (*repo.RESULT_COLUMNS, "submission_id", "items"), uscc=code)
        if row.empty:
            raise NotFoundError(
                f"期间 {run.period} 的评分批次 {run.id} 中没有企业 {shorten(code)} (enterprise not in run)"
            )
        facts = parse_facts(repo.submissions_by_id(conn, [int(row["submission_id"].iloc[0])]))
    record = row.iloc[0]
    explained = explain_row(catalogue, facts_codec.typed(facts.iloc[0], catalogue))
    stored = unpack(record["items"])
    if [int(e.points * 10) for e in explained] != stored.tolist():
        raise ConflictError(f"企业 {code} 的存储结果与重算结果不一致 (stored result differs from recomputation)")
    return Explanation(
        run=run_info(run),
        uscc=code,
        name=record["name"],
        region_code=record["region_code"],
        industry=record["industry"],
        total=Decimal(int(record["total"])) / 10,
        grade=record["grade"],
        grade_label=grade_label(catalogue, record["grade"]),
        red_line=bool(record["red_line"]),
        red_line_items=[e.code for e, i in zip(explained, catalogue.items, strict=True) if i.red_line and e.points],
        completeness=float(record["completeness"]),
        levels=level_tables(catalogue, stored),
        items=[item_dict(catalogue, e) for e in explained],
        grade_note=grade_note(
            catalogue,
            int(record["total"]),
            bool(record["red_line"]),
            sum(not e.gap for e in explained),
            record["grade"],
        ),
    )


def level_tables(catalogue: Catalogue, points: np.ndarray) -> dict[str, list[dict[str, Any]]]:
    names = catalogue.node_names
    out = {}
    for level in ("level1", "level2", "level3"):
        codes, values = rollup(catalogue, points[None, :], level)
        out[level] = [
            {"code": c, "name_zh": names[c], "points": float(Decimal(int(v)) / 10)}
            for c, v in zip(codes, values[0], strict=True)
        ]
    return out


def item_dict(catalogue: Catalogue, explained: Any) -> dict[str, Any]:
    item = catalogue.item(explained.code)
    level1, level2, level3 = catalogue.ancestry(item)
    basis = item.legal_basis
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
        "reason": explained.reason,
        "reads": explained.reads,
        "legal_basis": "none" if basis == "none" else [f"{b.law_zh} {b.article}".strip() for b in basis],
        "evidence_zh": item.evidence_zh,
        "red_line": item.red_line,
    }
