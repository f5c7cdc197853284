"""What an official notice (公告) shows and in which order, whatever its format (CSV, XLSX, HTML, PDF).

Its heading (issuing body, number, title, date as a Chinese date), one lead sentence, the ranking table, the
honour list (红榜) and the exposure list (曝光台) with their reasons, the footnotes the publication carries
(catalogue edition, how and by when to object, where to verify) and the lines that identify it: the
publication id and the SHA-256 of its content. Every format draws these same parts, so the columns are
declared once here (Chinese header, English name, how to read the value from an entry)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Literal, TypeVar

import pandas as pd

from lrc.errors import LrcError, shorten
from lrc.publication.content import Entry, ListEntry, PublicationContent, content_hash
from lrc.times import CHINA

__all__ = [
    "LISTED",
    "NONE_LISTED",
    "RANKING",
    "Column",
    "Heading",
    "cell_text",
    "display_width",
    "frame",
    "heading",
    "identity_lines",
    "notes",
    "published_moment",
]

T = TypeVar("T", Entry, ListEntry)
Value = str | int | float
NONE_LISTED = "本期无。"
HALVES = {"H1": "上半年", "H2": "下半年"}
QUARTERS = {"Q1": "第一季度", "Q2": "第二季度", "Q3": "第三季度", "Q4": "第四季度"}


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column of a notice table: its Chinese header, its English name and its value for a row."""

    zh: str
    en: str
    value: Callable[[T], Value]
    align: Literal["left", "center", "right"] = "left"  # in print


def _remarks(entry: Entry) -> str:
    """What the publication says beside the score: the published rights status and an open objection."""
    parts = [entry.rights_status] if entry.rights_status and entry.rights_status != "正常" else []
    return ";".join([*parts, *([entry.objection] if entry.objection else [])])


RANKING: tuple[Column[Entry], ...] = (
    Column("名次", "rank", lambda e: e.rank, align="right"),
    Column("企业名称", "name", lambda e: e.name),
    Column("统一社会信用代码", "uscc", lambda e: e.uscc),
    Column("所在市", "city", lambda e: e.city),
    Column("行业", "industry", lambda e: e.industry_name),
    Column("总分", "total", lambda e: round(e.total, 1), align="right"),
    Column("等级", "grade", lambda e: e.grade, align="center"),
    Column("红线否决", "red_line", lambda e: "是" if e.red_line else "否", align="center"),
    Column("备注", "remarks", _remarks),
)

LISTED: tuple[Column[ListEntry], ...] = (
    Column("企业名称", "name", lambda e: e.name),
    Column("统一社会信用代码", "uscc", lambda e: e.uscc),
    Column("所在市", "city", lambda e: e.city),
    Column("等级", "grade", lambda e: e.grade, align="center"),
    Column("总分", "total", lambda e: round(e.total, 1), align="right"),
    Column("列入理由", "reason", lambda e: e.reason),
)


def cell_text(column: Column[T], row: T) -> str:
    """A cell as printed: totals with one decimal, everything else as it is."""
    value = column.value(row)
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def frame(columns: Sequence[Column[T]], rows: Sequence[T]) -> pd.DataFrame:
    """The table as data, with Chinese headers (numbers stay numbers)."""
    data = {c.zh: [c.value(r) for r in rows] for c in columns}
    return pd.DataFrame(data, columns=[c.zh for c in columns])


def display_width(text: str) -> int:
    """How many half-width cells ``text`` takes: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass(frozen=True)
class Heading:
    issuer: str
    number: str
    title: str
    date_zh: str  # 2026年11月30日
    lead: str  # the one sentence before the tables


def published_moment(content: PublicationContent) -> datetime:
    """When it was published, in Beijing time (a time without a zone is read as Beijing time)."""
    try:
        moment = datetime.fromisoformat(content.published_at)
    except ValueError:
        raise LrcError(
            f"公告 {content.number} 的发布时间 {shorten(content.published_at)!r} 不是 ISO 8601 时间 "
            "(published_at is not an ISO 8601 time)"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=CHINA)).astimezone(CHINA)


def period_zh(period: str) -> str:
    """``2026Q3`` → 2026年第三季度, ``2026H1`` → 2026年上半年, ``2026M07`` → 2026年7月, ``2026`` → 2026年度."""
    year, rest = period[:4], period[4:]
    if not rest:
        return f"{year}年度"
    if rest in QUARTERS or rest in HALVES:
        return f"{year}年{QUARTERS.get(rest) or HALVES[rest]}"
    if rest.startswith("M") and rest[1:].isdigit():
        return f"{year}年{int(rest[1:])}月"
    return period


def heading(content: PublicationContent) -> Heading:
    moment = published_moment(content)
    lead = (
        f"现将{period_zh(content.period)}{content.scope_zh}企业劳动关系信用评价结果"
        f"(评价指标 {content.catalogue_version} 版)公告如下。"
    )
    if content.replaces is not None:
        lead += f"本公告取代发布编号为 {content.replaces} 的公告。"
    return Heading(
        issuer=content.issuer,
        number=content.number,
        title=content.title,
        date_zh=f"{moment.year}年{moment.month}月{moment.day}日",
        lead=lead,
    )


def identity_lines(content: PublicationContent, publication_id: int | None) -> list[tuple[str, str]]:
    """The lines that let a reader check this notice against the published data file."""
    lines = [("发布编号 (publication id)", str(publication_id))] if publication_id is not None else []
    return [*lines, ("内容哈希 SHA-256 (content hash)", content_hash(content))]


def notes(content: PublicationContent, publication_id: int | None) -> list[str]:
    """The footnotes as printed: the publication's own, then its id and hash."""
    return [*content.footnotes, *(f"{label}:{value}" for label, value in identity_lines(content, publication_id))]
