"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

18 characters from ``ALPHABET`` (no I, O, S, V, Z): registration authority,
entity type, 6-digit division (GB/T 2260), 9-character organisation code
(GB 11714, its last character a mod-11 check) and a mod-31 check character.

>>> validate_uscc(" 91350100m000100y43 ")
'91350100M000100Y43'
>>> make_uscc("210102", "MA0LN001")[:16]
'91210102MA0LN001'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from stdnum.cn import uscc as stdnum_uscc

__all__ = [
    "ALPHABET",
    "make_uscc",
    "org_check_char",
    "uscc_check_char",
    "uscc_valid_mask",
    "validate_uscc",
]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_FORBIDDEN = "IOSVZ"
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d*)?E[+-]?\d+$")
SCIENTIFIC_REASON = (
    "统一社会信用代码变成了科学计数法,Excel 把代码当成数字了,请把该列设为文本后重新录入 "
    "(the code was turned into scientific notation by Excel; format the column as text)"
)


def _org_value(char: str) -> int:
    """GB 11714 character value: digits 0-9, letters A=10 … Z=35."""
    return int(char, 36)


def org_check_char(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation-code body.

    >>> org_check_char("M000100Y")
    '4'
    """
    if len(body8) != 8 or not all(c in ALPHABET for c in body8):
        raise ValueError(
            f"组织机构代码本体应为 8 位数字或大写字母,不含 I、O、S、V、Z (8 characters), 收到 {body8!r}"
        )
    value = 11 - sum(_org_value(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character of the first 17 characters.

    >>> uscc_check_char("91350100M000100Y4")
    '3'
    """
    if len(first17) != 17 or not all(c in ALPHABET for c in first17):
        raise ValueError(f"需要 17 位代码字符 (17 characters from the USCC alphabet), 收到 {first17!r}")
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def make_uscc(division: str, org_body8: str) -> str:
    """A valid enterprise code: ``91`` + division + body + GB 11714 check + GB 32100 check."""
    if len(division) != 6 or not division.isascii() or not division.isdigit():
        raise ValueError(f"行政区划代码应为 6 位数字 (6 digits), 收到 {division!r}")
    first17 = "91" + division + org_body8 + org_check_char(org_body8)
    return first17 + uscc_check_char(first17)


def _format_problem(code: str) -> str | None:
    if _SCIENTIFIC.match(code):
        return SCIENTIFIC_REASON
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位,实际 {len(code)} 位 (must be 18 characters, got {len(code)})"
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        shown = "、".join(bad)
        hint = "(代码中不使用字母 I、O、S、V、Z)" if set(bad) & set(_FORBIDDEN) else ""
        return f"统一社会信用代码含非法字符 {shown}{hint} (illegal character {' '.join(bad)})"
    if not code[2:8].isdigit():
        return f"第 3-8 位应为行政区划代码(6 位数字),实际为 {code[2:8]} (positions 3-8 must be digits)"
    return None


def _check_problem(code: str) -> str | None:
    expected = stdnum_uscc.calc_check_digit(code[:17])
    expected_org = org_check_char(code[8:16])
    org_wrong = code[16] != expected_org
    if code[17] != expected and org_wrong:
        return (
            f"校验码错误,应为 {expected},且第 9-17 位组织机构代码校验也不符(第 17 位应为 {expected_org}),"
            "多半是第 9-16 位录入有误 "
            f"(check character should be {expected}; organisation code check fails too)"
        )
    if code[17] != expected:
        return f"校验码(第 18 位)错误,按前 17 位应为 {expected} (check character should be {expected})"
    if org_wrong:
        return (
            f"第 9-17 位组织机构代码校验不符(GB 11714,第 17 位应为 {expected_org});"
            "少数真实代码确实如此,核实后可作为例外接受 "
            f"(organisation code check fails, expected {expected_org}; can be accepted as an override)"
        )
    return None


def validate_uscc(code: str) -> str:
    """The code stripped and upper-cased, or ValueError with a Chinese reason.

    >>> validate_uscc("91350100M000100Y44")
    Traceback (most recent call last):
    ...
    ValueError: 校验码(第 18 位)错误,按前 17 位应为 3 (check character should be 3)
    """
    normal = code.strip().upper()
    reason = _format_problem(normal) or _check_problem(normal)
    if reason:
        raise ValueError(reason)
    return normal


def is_format_valid(code: str) -> bool:
    """True when only a check character can be wrong (length, alphabet, division are fine)."""
    return _format_problem(code.strip().upper()) is None


_BYTES = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)
_VALUES = np.full(256, -1, dtype=np.int64)  # byte → GB 32100 value
_VALUES[_BYTES] = np.arange(len(ALPHABET))
_ORG_VALUES = np.full(256, -1, dtype=np.int64)  # byte → GB 11714 value
_ORG_VALUES[_BYTES] = [_org_value(c) for c in ALPHABET]


def uscc_valid_mask(codes: Iterable[str]) -> np.ndarray:
    """Vectorised ``validate_uscc`` on already normalised codes: a bool array, True where valid.

    Exactly the codes ``validate_uscc`` accepts; use it to find the bad ones in a large
    file, then call ``validate_uscc`` on those for the reason.
    """
    items = list(codes)
    mask = np.zeros(len(items), dtype=bool)
    shaped = [i for i, c in enumerate(items) if len(c) == 18 and c.isascii()]
    if not shaped:
        return mask
    raw = np.frombuffer("".join(items[i] for i in shaped).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    values = _VALUES[raw]
    ok = (values >= 0).all(axis=1) & (values[:, 2:8] < 10).all(axis=1)
    check = (31 - (values[:, :17] * np.array(USCC_WEIGHTS)).sum(axis=1) % 31) % 31
    org = 11 - (_ORG_VALUES[raw[:, 8:16]] * np.array(ORG_WEIGHTS)).sum(axis=1) % 11
    org_char = np.where(org == 10, _ORG_VALUES[ord("X")], np.where(org == 11, 0, org))
    ok &= (values[:, 17] == check) & (_ORG_VALUES[raw[:, 16]] == org_char)
    mask[np.array(shaped, dtype=np.int64)] = ok
    return mask
