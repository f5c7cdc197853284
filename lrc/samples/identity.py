"""Who the sample enterprises are: code, name, region, industry, size, ownership
and a base headcount. Nothing here depends on the period, so the same seed gives
the same enterprises in every period, and enterprise ``i`` depends only on the
seed and on the enterprises before it (a larger ``n`` keeps the first ones).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lrc import reference
from lrc.samples import tables
from lrc.samples.streams import Draws, pick
from lrc.uscc import ALPHABET, ORG_WEIGHTS, USCC_WEIGHTS

__all__ = ["IDENTITY_COLUMNS", "LETTERS", "Firms", "firms", "kumaraswamy"]

IDENTITY_COLUMNS = ("uscc", "name", "region_code", "industry", "size", "ownership")
LETTERS: tuple[str, ...] = tuple(reference.INDUSTRIES)
CITY_CODES: tuple[str, ...] = tuple(reference.CITIES)
MAX_ROUNDS = 12  # redraws of duplicate codes or names; each round leaves far fewer


@dataclass(frozen=True)
class Firms:
    """Identity columns (``frame``, string dtype) and the category indices facts depend on."""

    frame: pd.DataFrame
    industry: np.ndarray  # index into LETTERS
    size: np.ndarray  # index into reference.SIZES
    ownership: np.ndarray  # index into reference.OWNERSHIPS
    headcount: np.ndarray  # base headcount (int64), drifted per period by the facts
    headcount_low: np.ndarray
    headcount_high: np.ndarray


def kumaraswamy(u: np.ndarray, a: float | np.ndarray, b: float | np.ndarray) -> np.ndarray:
    """Inverse CDF of the Kumaraswamy(a, b) distribution on [0, 1] (a closed-form Beta look-alike)."""
    return (1.0 - (1.0 - u) ** (1.0 / b)) ** (1.0 / a)


def firms(n: int, seed: int) -> Firms:
    """The first ``n`` enterprises of ``seed``."""
    draws = Draws(seed, n)
    city = pick(draws.stratified("city"), np.array([tables.CITY_WEIGHTS[c] for c in CITY_CODES]))
    region = _regions(draws, city)
    industry = pick(draws.stratified("industry"), np.array([tables.INDUSTRY_WEIGHTS[k] for k in LETTERS]))
    size_table = np.array([tables.SIZE_BY_INDUSTRY[k] for k in LETTERS])
    size = pick(draws.stratified("size"), size_table, industry)
    ownership = pick(draws.uniform("ownership"), _ownership_table(), industry * 4 + size)
    headcount, low, high = _headcount(draws, industry, size)
    frame = pd.DataFrame(
        {
            "uscc": _usccs(draws, region, size),
            "name": _names(draws, city, industry, size, ownership),
            "region_code": region,
            "industry": np.array(LETTERS)[industry],
            "size": np.array(reference.SIZES)[size],
            "ownership": np.array(reference.OWNERSHIPS)[ownership],
        },
        columns=list(IDENTITY_COLUMNS),
    ).astype("string")
    return Firms(frame, industry, size, ownership, headcount, low, high)


def _regions(draws: Draws, city: np.ndarray) -> np.ndarray:
    u = draws.uniform("district")
    region = np.empty(len(city), dtype=object)
    for k, code in enumerate(CITY_CODES):
        rows = np.flatnonzero(city == k)
        districts = tables.DISTRICTS[code]
        chosen = pick(u[rows], np.array([w for _, _, w in districts]))
        region[rows] = np.array([c for c, _, _ in districts], dtype=object)[chosen]
    return region


def _ownership_table() -> np.ndarray:
    """(industry x size, ownership) weights: shares by size, tilted by section."""
    rows: list[np.ndarray] = []
    for letter in LETTERS:
        tilt = tables.OWNERSHIP_TILT.get(letter, {})
        factors = np.array([tilt.get(o, 1.0) for o in reference.OWNERSHIPS])
        rows.extend(np.array(tables.OWNERSHIP_BY_SIZE[s]) * factors for s in reference.SIZES)
    return np.array(rows)


def _headcount(draws: Draws, industry: np.ndarray, size: np.ndarray) -> tuple[np.ndarray, ...]:
    """Headcounts within each size's range: skewed low, large firms with a Pareto tail."""
    micro_top = np.array([tables.SMALL_MICRO_LIMIT.get(k, 19) for k in LETTERS])[industry]
    bounds = np.array([tables.SIZE_HEADCOUNT[s] for s in reference.SIZES], dtype=np.float64)
    low, high = bounds[size, 0], bounds[size, 1]
    micro, small = reference.SIZES.index("微型"), reference.SIZES.index("小型")
    high = np.where(size == micro, micro_top, high)
    low = np.where(size == small, micro_top + 1, low)
    u = draws.uniform("headcount")
    position = kumaraswamy(u, 1.7, 2.0)  # in log space between low and high
    count = np.exp(np.log(low) + position * (np.log(high + 1) - np.log(low)))
    large = size == reference.SIZES.index("大型")
    count[large] = low[large] * (1.0 - u[large]) ** (-1.0 / 1.25)
    count = np.clip(np.floor(count), low, high).astype(np.int64)
    return count, low.astype(np.int64), high.astype(np.int64)


_ALPHABET_BYTES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_USCC_VALUES = np.zeros(256, dtype=np.int64)
_USCC_VALUES[_ALPHABET_BYTES] = np.arange(len(ALPHABET))


def _org_values(chars: np.ndarray) -> np.ndarray:
    """GB 11714 values of ASCII codes: digits 0-9, letters A=10 … Z=35."""
    return np.where(chars <= ord("9"), chars - ord("0"), chars - ord("A") + 10).astype(np.int64)


def _code_matrix(picks: np.ndarray, division: np.ndarray, old_style: np.ndarray) -> np.ndarray:
    """(n, 18) ASCII matrix of codes: 91 + division + organisation body + GB 11714 check + GB 32100
    check. ``picks`` (n, 8) are alphabet indices; old-style firms keep an 8-digit organisation code."""
    n = len(picks)
    body = _ALPHABET_BYTES[picks]
    body[:, 0], body[:, 1] = ord("M"), ord("A")  # codes issued since 2015: MA + 6 characters
    body[:, 2] = np.where(picks[:, 2] < 25, ord("0"), ord("1"))
    digits = _DIGITS[picks % 10]
    digits[:, 0] = _DIGITS[1 + picks[:, 0] % 7]
    body = np.where(old_style[:, None], digits, body)
    org = 11 - (_org_values(body) @ np.array(ORG_WEIGHTS)) % 11
    org_char = np.where(org == 10, ord("X"), np.where(org == 11, ord("0"), ord("0") + org)).astype(np.uint8)
    head = np.broadcast_to(np.frombuffer(b"91", dtype=np.uint8), (n, 2))
    first17 = np.concatenate([head, division, body, org_char[:, None]], axis=1)
    check = (31 - (_USCC_VALUES[first17] @ np.array(USCC_WEIGHTS)) % 31) % 31
    return np.concatenate([first17, _ALPHABET_BYTES[check][:, None]], axis=1)


def _as_text(matrix: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(matrix).view(f"S{matrix.shape[1]}").ravel().astype(str).astype(object)


def _usccs(draws: Draws, region: np.ndarray, size: np.ndarray) -> np.ndarray:
    old_style = draws.uniform("uscc-style") < np.array([0.7, 0.5, 0.3, 0.15])[size]
    division = np.frombuffer("".join(region).encode("ascii"), dtype=np.uint8).reshape(len(region), 6)

    def draw(round_: int, rows: np.ndarray) -> np.ndarray:
        picks = draws.integers(f"uscc-{round_}", len(ALPHABET), width=8)[rows]
        return _as_text(_code_matrix(picks, division[rows], old_style[rows]))

    return _deduplicate(draw(0, np.arange(len(region))), draw)


def _deduplicate(values: np.ndarray, redraw: Callable[[int, np.ndarray], np.ndarray]) -> np.ndarray:
    """Redraw every value equal to an earlier one until all are distinct (earlier ones win)."""
    for round_ in range(1, MAX_ROUNDS + 1):
        later = np.flatnonzero(pd.Series(values, dtype=object).duplicated(keep="first").to_numpy())
        if not len(later):
            return values
        values[later] = redraw(round_, later)
    raise RuntimeError("could not draw distinct sample values")  # pragma: no cover - vanishingly rare


LONG_BRANDS = 8  # from this redraw on, four-character brands: ten million firms crowd the three-character ones


def _brands(draws: Draws, round_: int, rows: np.ndarray) -> np.ndarray:
    """Two-character brands; on redraws three characters, which leaves far more room, and from round
    ``LONG_BRANDS`` four (from the same draws: samples of up to a few million firms never get there, so
    they are what they were)."""
    first = np.array(list(tables.BRAND_FIRST), dtype=object)
    second = np.array(list(tables.BRAND_SECOND), dtype=object)
    picks = draws.integers(f"brand-{round_}", len(first) * len(second), width=2)[rows]
    a, b = picks[:, 0] // len(second), picks[:, 0] % len(second)
    b = np.where(first[a] == second[b], (b + 1) % len(second), b)
    brand = first[a] + second[b]
    if round_:
        brand = brand + second[picks[:, 1] % len(second)]
    if round_ >= LONG_BRANDS:
        brand = brand + second[picks[:, 1] // len(second) % len(second)]
    return brand


def _names(
    draws: Draws,
    city: np.ndarray,
    industry: np.ndarray,
    size: np.ndarray,
    ownership: np.ndarray,
) -> np.ndarray:
    n = len(city)
    short = np.array([reference.CITIES[c].removesuffix("市") for c in CITY_CODES], dtype=object)[city]
    large = size == reference.SIZES.index("大型")
    prefix = np.where(large & (draws.uniform("name-province") < 0.25), "辽宁", short)
    word_u = draws.uniform("name-word")
    words = np.empty(n, dtype=object)
    for k, letter in enumerate(LETTERS):
        rows = np.flatnonzero(industry == k)
        options = np.array(tables.INDUSTRY_WORDS[letter], dtype=object)
        words[rows] = options[(word_u[rows] * len(options)).astype(np.int64)]
    forms = np.array(tables.LEGAL_FORMS, dtype=object)
    form = pick(draws.uniform("name-form"), np.array([tables.LEGAL_FORM_BY_SIZE[s] for s in reference.SIZES]), size)
    shares = ownership == reference.OWNERSHIPS.index("股份制")
    form = np.where(shares & (draws.uniform("name-shares") < 0.7), tables.LEGAL_FORMS.index("股份有限公司"), form)
    tail = words + forms[form]
    names = prefix + _brands(draws, 0, np.arange(n)) + tail
    return _deduplicate(names, lambda r, rows: prefix[rows] + _brands(draws, r, rows) + tail[rows])
