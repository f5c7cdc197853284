"""One rule for look-alike characters in codes, periods and numbers, and for control
characters in text.

Codes, periods and numbers are read in Unicode NFKC form, so full-width digits and letters
typed with a Chinese input method (２０２６Ｑ３, ９１２１…) mean the same as their ASCII
forms, on the command line and in a file alike; after that only ASCII digits count as
digits (Arabic-Indic or other script digits are refused, not silently read as numbers).
Names and other free text are kept as submitted, but may not hold control characters
(NUL, line breaks, bidirectional overrides) that a database or a reader would mangle."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI normalises its arguments before any frame exists
    import pandas as pd

# C0 and C1 controls, DEL; the invisible ones that change how text reads: zero-width space, direction marks and
# overrides, line and paragraph separators, word joiner and invisible operators, a BOM inside text (U+200C and
# U+200D stay: scripts and emoji sequences need them)
INVISIBLE = "\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
CONTROL_PATTERN = f"[\x00-\x1f\x7f-\x9f{INVISIBLE}]"
CONTROL = re.compile(CONTROL_PATTERN)
CONTROL_REASON = "含有控制字符(如换行、制表符或不可见的方向控制符),请删除 (control character)"


# in a person's text (a reason, a note, a title) line breaks and tabs are the writer's; the rest is refused
TEXT_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{INVISIBLE}]")
TEXT_CONTROL_REASON = "含有控制字符(如 NUL 或不可见的方向控制符),请删除 (control character)"


def free_text(
    value: str | None, what: str, *, limit: int, required: bool = False, one_line: bool = False
) -> str | None:
    """A person's text (an objection's reason, a decision's note, a hearing's title) as it is kept: trimmed,
    line breaks as ``\\n``; None when empty and not ``required``. Refused (``UsageError``, naming ``what``, e.g.
    "异议理由 (reason)") when required and empty, longer than ``limit`` characters, or holding a control or
    invisible direction character, which PostgreSQL refuses (NUL) or a reader would be misled by; with
    ``one_line`` (a notice's title, a file's name), a line break too."""
    from lrc.errors import UsageError

    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        if required:
            raise UsageError(f"{what} 不能为空 (required)")
        return None
    if one_line and "\n" in text:
        raise UsageError(f"{what} 应为一行,不能换行 (one line only)")
    if TEXT_CONTROL.search(text):
        raise UsageError(f"{what} {TEXT_CONTROL_REASON}")
    if len(text) > limit:
        raise UsageError(f"{what} 有 {len(text)} 个字,超过 {limit} 字 (too long)")
    return text


def ascii_form(value: str) -> str:
    """``value`` in NFKC form, stripped: full-width ``２０２６ｑ３`` → ``2026q3``."""
    return unicodedata.normalize("NFKC", value).strip()


def ascii_column(values: pd.Series) -> pd.Series:
    """``ascii_form`` of a column of text, once per distinct value (是/否 columns repeat three values a
    hundred thousand times); a plain ASCII column is returned as it is."""
    import pandas as pd

    if bool(values.str.isascii().all()):
        return values
    codes, uniques = pd.factorize(values)
    normal = [ascii_form(u) for u in uniques]
    if normal == list(uniques):
        return values
    return pd.Series(pd.array(normal, dtype=values.dtype).take(codes), index=values.index)


def has_control(values: pd.Series) -> pd.Series:
    """Per cell: whether it holds a control character."""
    return values.str.contains(CONTROL_PATTERN, regex=True)


# a document number's year in brackets, however typed ([2026], 【2026】, (2026)), in the national standard's
# 六角括号 (GB/T 9704: 〔2026〕), and its letters in upper case: one document, one identity
_YEAR_BRACKETS = re.compile(r"[\[【〖(〔]\s*([0-9]{4})\s*[\]】〗)〕]")


def document_number(text: str) -> str:
    """A document number in its one spelling: NFKC, no spaces, the year in 〔〕, letters in upper case.

    >>> document_number("大人社[２０２６]b1号"), document_number("大人社【2026】 B 1 号")
    ('大人社〔2026〕B1号', '大人社〔2026〕B1号')
    """
    return _YEAR_BRACKETS.sub(r"〔\1〕", "".join(ascii_form(text).split())).upper()


_BESIDE_CJK = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")


def authority_name(text: str) -> str:
    """An authority's name in its one spelling: NFKC, no space beside a Chinese character, other runs of
    spaces as one (a record's identity is its authority and document number).

    >>> authority_name("葫芦岛市 人力资源和社会保障局"), authority_name(" Ministry  of Labour ")
    ('葫芦岛市人力资源和社会保障局', 'Ministry of Labour')
    """
    return " ".join(_BESIDE_CJK.sub("", ascii_form(text)).split())


LEGACY_BRACKETS = ("[]", "()", "【】", "〖〗")  # how years were typed, and kept, before one spelling was read


def spellings(ref: str) -> set[str]:
    """The ways a document number (``document_number`` form) may have been stored by a version of lrc that kept
    it as typed: the year in other brackets, letters in lower case. A delivery is matched against them all, so
    a record stored before is not stored, and counted, a second time.

    >>> sorted(spellings("沈〔2026〕B1号"))[:3]
    ['沈(2026)B1号', '沈(2026)b1号', '沈[2026]B1号']
    """
    forms = {ref}
    year = _YEAR_BRACKETS.search(ref)
    if year is not None:
        for pair in LEGACY_BRACKETS:
            forms.add(ref[: year.start()] + pair[0] + year.group(1) + pair[1] + ref[year.end() :])
    return forms | {f.lower() for f in forms}
