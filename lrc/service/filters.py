"""A ranking's filters and their check (light: the driver-only read path checks them too)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lrc.errors import UsageError, shorten
from lrc.normalise import ascii_form
from lrc.reference import OWNERSHIPS, SIZES, city_of, industry_letter, normalise_ownership, normalise_size


@dataclass(frozen=True)
class Filters:
    region: str | None = None  # a city or county code
    industry: str | None = None
    size: str | None = None
    ownership: str | None = None
    grade: str | None = None
    search: str | None = None  # part of the name, or the start of the USCC


def check_filters(filters: Filters, grades: Sequence[str]) -> Filters:
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
    if grade and grade not in grades:
        problems.append(f"等级 {shorten(filters.grade)} 应为 {'、'.join(grades)}")
    if problems:
        raise UsageError(";".join(problems) + " (unknown filter value)")
    return Filters(region, industry, size, ownership, grade, filters.search)
