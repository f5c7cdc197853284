"""Reference data (GB/T 2260 cities, GB/T 4754-2017 industries, sizes, ownership)
as plain constants, and the small normalisers that map what users type onto them.

>>> city_of("210102"), CITIES[city_of("210102")]
('210100', '沈阳市')
>>> is_region("210102"), is_region("210199"), is_region("211400")
(True, False, True)
>>> industry_letter("C 制造业"), industry_letter("交通运输、仓储和邮政业")
('C', 'G')
>>> normalise_size("medium")
'中型'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

__all__ = [
    "CITIES",
    "INDUSTRIES",
    "OWNERSHIPS",
    "OWNERSHIP_ALIASES",
    "PROVINCE_CODE",
    "PROVINCE_NAME",
    "SIZES",
    "SIZE_ALIASES",
    "city_of",
    "industry_letter",
    "is_region",
    "region_codes",
    "region_name",
    "normalise_ownership",
    "normalise_size",
]

PROVINCE_CODE = "210000"
PROVINCE_NAME = "辽宁省"

CITIES: dict[str, str] = {
    "210100": "沈阳市",
    "210200": "大连市",
    "210300": "鞍山市",
    "210400": "抚顺市",
    "210500": "本溪市",
    "210600": "丹东市",
    "210700": "锦州市",
    "210800": "营口市",
    "210900": "阜新市",
    "211000": "辽阳市",
    "211100": "盘锦市",
    "211200": "铁岭市",
    "211300": "朝阳市",
    "211400": "葫芦岛市",
}

INDUSTRIES: dict[str, str] = {
    "A": "农林牧渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力热力燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利环境和公共设施管理业",
    "O": "居民服务修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化体育和娱乐业",
    "S": "公共管理社会保障和社会组织",
    "T": "国际组织",
}

SIZES: tuple[str, ...] = ("大型", "中型", "小型", "微型")
SIZE_ALIASES: dict[str, str] = {
    "large": "大型",
    "medium": "中型",
    "small": "小型",
    "micro": "微型",
    **{f"{s}企业": s for s in SIZES},
}

OWNERSHIPS: tuple[str, ...] = ("国有", "集体", "私营", "股份制", "港澳台投资", "外商投资", "其他")
OWNERSHIP_ALIASES: dict[str, str] = {
    "state": "国有",
    "state-owned": "国有",
    "collective": "集体",
    "private": "私营",
    "民营": "私营",
    "shareholding": "股份制",
    "joint-stock": "股份制",
    "股份": "股份制",
    "hong kong, macao and taiwan": "港澳台投资",
    "hmt": "港澳台投资",
    "港澳台": "港澳台投资",
    "港澳台商投资": "港澳台投资",
    "foreign": "外商投资",
    "foreign-invested": "外商投资",
    "外资": "外商投资",
    "other": "其他",
}

_SEPARATORS = re.compile(r"[\s、,，/]+")
_DIVISION = re.compile(r"^([A-Ta-t])\d{2,4}$")  # a GB/T 4754 division/group/class code such as C13


def city_of(region_code: str) -> str | None:
    """The city code (``21xx00``) a Liaoning region code belongs to, or None.

    City codes map to themselves; county and district codes (``210102``) to their
    city. The province code itself and codes outside Liaoning have no city.
    """
    code = region_code.strip()
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    city = code[:4] + "00"
    return city if city in CITIES else None


def city_codes(region_codes: Iterable[str]) -> list[str]:
    """Each region code's city (``city_of``), or the code itself when it has none: worked out once per
    distinct code (a province's million results have a hundred or so)."""
    listed = region_codes.tolist() if hasattr(region_codes, "tolist") else list(region_codes)
    known = {code: city_of(code) or code for code in set(listed)}
    return [known[code] for code in listed]


@cache
def _county_codes() -> frozenset[str] | None:
    """The county and district codes GB/T 2260 lists under the 14 cities, any year (python-stdnum's
    ``cn/loc`` table, as ``stdnum.cn.ric`` reads it); None if the table cannot be loaded."""
    try:
        from stdnum import numdb

        provinces = numdb.get("cn/loc").prefixes
    except Exception:  # a missing or changed data file: city_of's prefix check remains
        return None
    codes: set[str] = set()
    for _, low, high, _, counties in provinces:
        if low <= PROVINCE_CODE[:2] <= high:
            for length, first, last, _, _ in counties:
                if length == 4:
                    width = len(first)
                    codes.update(f"21{n:0{width}d}" for n in range(int(first), int(last) + 1))
    codes = {c for c in codes if city_of(c) is not None}
    return frozenset(codes) if codes else None


def district_label(region_code: str) -> str:
    """A county or district code in words with its city, e.g. ``葫芦岛市兴城市`` (211481), or ``大连市辖区`` where
    its own name is not known; a city code is the city's name.

    >>> district_label("210203"), district_label("210200")
    ('大连市西岗区', '大连市')
    """
    city = city_of(region_code)
    if city is None or region_code in CITIES:
        return CITIES.get(region_code, "")
    return f"{CITIES[city]}{region_name(region_code) or '辖区'}"


@cache
def region_name(region_code: str) -> str | None:
    """The current name of a Liaoning city, county or district code (GB/T 2260, as python-stdnum lists it:
    the newest of its dated names), or None when unknown.

    >>> region_name("210102"), region_name("210200")
    ('和平区', '大连市')
    """
    code = region_code.strip()
    if code in CITIES:
        return CITIES[code]
    if city_of(code) is None:
        return None
    try:
        from stdnum import numdb

        parts = numdb.get("cn/loc").info(code)
    except Exception:  # no division table: no name
        return None
    names = [p[1].get("county", "") for p in parts[1:] if len(p[0]) == 4]
    if not names or not names[0]:
        return None
    newest = names[0].split(",")[-1]
    return re.sub(r"^\[[^\]]*\]", "", newest) or None


def region_codes(within: str | None = None) -> list[str]:
    """The city and county codes (all 14 cities, or those of one city or district), sorted."""
    codes = set(_county_codes() or ()) | set(CITIES)
    prefix = None if within is None else (within[:4] if within in CITIES else within)
    return sorted(c for c in codes if prefix is None or c.startswith(prefix))


def is_region(region_code: str) -> bool:
    """True for one of the 14 city codes or a county/district code GB/T 2260 lists under one.

    Codes of abolished counties stay valid (registrations keep them). Without the division
    table (python-stdnum), any code with a city's prefix is accepted, as ``city_of`` does.
    """
    code = region_code.strip()
    if city_of(code) is None:
        return False
    counties = _county_codes()
    return code in CITIES or counties is None or code in counties


def _industry_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for letter, name in INDUSTRIES.items():
        for key in (letter, name, letter + name):
            table[key.upper()] = letter
    return table


_INDUSTRY_LOOKUP = _industry_lookup()


def industry_letter(value: str) -> str | None:
    """The GB/T 4754 section letter for ``C``, ``c``, ``C 制造业``, ``制造业``, ``C13``, or None.

    Separators (spaces, 、 and commas) are ignored, so the standard's full names
    such as ``农、林、牧、渔业`` match too. A letter with a name of another section
    (``C 采矿业``) is not accepted.
    """
    key = _SEPARATORS.sub("", value).upper()
    if key in _INDUSTRY_LOOKUP:
        return _INDUSTRY_LOOKUP[key]
    division = _DIVISION.match(key)
    return division.group(1).upper() if division else None


def normalise_size(value: str) -> str | None:
    """One of SIZES for ``大型``, ``大型企业`` or ``large`` (any case), or None."""
    key = value.strip()
    if key in SIZES:
        return key
    return SIZE_ALIASES.get(key.lower())


def normalise_ownership(value: str) -> str | None:
    """One of OWNERSHIPS for its Chinese name (with or without 企业), a listed alias, or None."""
    key = value.strip()
    for candidate in (key, key.removesuffix("企业")):
        if candidate in OWNERSHIPS:
            return candidate
        alias = OWNERSHIP_ALIASES.get(candidate.lower())
        if alias:
            return alias
    return None
