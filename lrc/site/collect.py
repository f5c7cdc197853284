"""What the site shows, gathered from the publications: their order (newest first), which one superseded
which, and each enterprise's appearances across them. Pure: nothing here reads or writes a file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from lrc.errors import LrcError
from lrc.publication.content import Entry, ListEntry, PublicationContent, content_hash
from lrc.times import CHINA
from lrc.uscc import ALPHABET

__all__ = ["Appearance", "Enterprise", "Listing", "Published", "SiteError", "enterprises", "gather"]

LISTS = {"honour": "红榜", "exposure": "曝光台"}
_USCC = re.compile(f"[{ALPHABET}]{{18}}")


class SiteError(LrcError):
    """The publications cannot be made into a site (a content that does not match its stored hash, an
    enterprise code that is not a USCC, an output folder that is not ours): nothing was written."""

    exit_code = 6
    status = 409
    code = "conflict"
    title = "与已存储的数据冲突"


@dataclass(frozen=True)
class Published:
    """One publication as the site shows it."""

    id: int
    content: PublicationContent
    hash: str
    published: datetime  # ``content.published_at`` in China Standard Time
    superseded_by: int | None = None  # the newest publication that replaces this one

    @property
    def label(self) -> str:
        """How a message names it: 发布 3(辽工信评〔2026〕3号)."""
        return f"发布 {self.id}({self.content.number})"


@dataclass(frozen=True)
class Appearance:
    publication: Published
    entry: Entry


@dataclass(frozen=True)
class Listing:
    publication: Published
    list_name: str  # honour | exposure
    entry: ListEntry


@dataclass(frozen=True)
class Enterprise:
    uscc: str
    appearances: tuple[Appearance, ...]  # in the rankings, newest publication first
    listings: tuple[Listing, ...]  # on the honour or exposure lists, newest publication first

    @property
    def current(self) -> Appearance | None:
        """Its standing: the newest publication listing it that is still in force, else the newest."""
        live = [a for a in self.appearances if a.publication.superseded_by is None]
        ranked = live or list(self.appearances)
        return ranked[0] if ranked else None

    @property
    def name(self) -> str:
        current = self.current
        return current.entry.name if current else self.listings[0].entry.name


def _published_time(pub_id: int, content: PublicationContent) -> datetime:
    try:
        moment = datetime.fromisoformat(content.published_at)
    except ValueError:
        raise SiteError(
            f"发布 {pub_id}({content.number})的发布时间 {content.published_at!r} 不是 ISO 8601 时间,未生成网站 "
            f"(publication {pub_id}: published_at is not ISO 8601; nothing written)"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=CHINA)).astimezone(CHINA)


def _check(pub_id: int, content: PublicationContent, stored: str) -> None:
    """Refuse a publication whose content is not what was published, or whose codes cannot be file names."""
    if content_hash(content) != stored:
        raise SiteError(
            f"发布 {pub_id}({content.number})的内容与存档的哈希值不符,可能已被篡改,拒绝生成网站 "
            f"(publication {pub_id}: content does not match its stored hash; nothing written)"
        )
    codes = [e.uscc for e in content.entries] + [e.uscc for e in (*content.honour, *content.exposure)]
    bad = next((code for code in codes if not _USCC.fullmatch(code)), None)
    if bad is not None:
        raise SiteError(
            f"发布 {pub_id}({content.number})中的统一社会信用代码 {bad[:40]!r} 不合规范,未生成网站 "
            f"(publication {pub_id}: an enterprise code is not a USCC; nothing written)"
        )


def gather(publications: list[tuple[int, PublicationContent, str]]) -> list[Published]:
    """The publications checked against their hashes, newest first, each marked with what superseded it."""
    ids = [pub_id for pub_id, _, _ in publications]
    repeated = sorted({pub_id for pub_id in ids if ids.count(pub_id) > 1})
    if repeated:
        raise SiteError(f"发布编号 {repeated} 出现不止一次,未生成网站 (publication ids repeated; nothing written)")
    for pub_id, content, stored in publications:
        _check(pub_id, content, stored)
    ordered = sorted(
        (
            Published(pub_id, content, stored, _published_time(pub_id, content))
            for pub_id, content, stored in publications
        ),
        key=lambda p: (p.published, p.id),
        reverse=True,
    )
    successor: dict[int, int] = {}
    for pub in reversed(ordered):  # oldest first, so the newest replacement wins
        if pub.content.replaces is not None:
            successor[pub.content.replaces] = pub.id
    return [Published(p.id, p.content, p.hash, p.published, successor.get(p.id)) for p in ordered]


def enterprises(published: list[Published]) -> list[Enterprise]:
    """Every enterprise in any publication's ranking or lists, by USCC."""
    appearances = [Appearance(pub, entry) for pub in published for entry in pub.content.entries]
    listings = [
        Listing(pub, list_name, entry)
        for pub in published
        for list_name in LISTS
        for entry in getattr(pub.content, list_name)
    ]
    by_code: dict[str, tuple[list[Appearance], list[Listing]]] = {}
    for code, group in groupby(sorted(appearances, key=lambda a: a.entry.uscc), key=lambda a: a.entry.uscc):
        by_code[code] = (list(group), [])
    for listing in listings:
        by_code.setdefault(listing.entry.uscc, ([], []))[1].append(listing)
    return [Enterprise(code, tuple(found), tuple(listed)) for code, (found, listed) in sorted(by_code.items())]
