"""What a publication holds (公开发布的内容): the frozen ranking and its lists, as one canonical JSON document.

The document is everything a reader may see and nothing else (the publication policy decides what goes in);
its SHA-256 over the canonical bytes (``canonical_bytes``: sorted keys, UTF-8, no spaces) is the
publication's hash, printed on the official notice and shipped beside ``<id>.json`` so anyone can check
one against the other. The store keeps the document as it was published; it is never changed."""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FORMAT", "Entry", "ListEntry", "PublicRecord", "PublicationContent", "canonical_bytes", "content_hash"]

FORMAT = "lrc-publication/1"


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PublicRecord(Frozen):
    """A record the law publishes (a blacklist listing, a published major violation, a decided penalty
    where the policy lists its type): what, when, by whom, under which document number."""

    type: str
    name_zh: str
    decision_date: str  # YYYY-MM-DD
    source: str  # the deciding authority
    ref: str  # its document number
    display_until: str | None = None  # YYYY-MM-DD: the day it stops being shown


class Entry(Frozen):
    """One listed enterprise: its public identity, its result and its standing."""

    rank: int = Field(ge=1)  # by total, highest first, among the listed (ties share a rank: 1, 2, 2, 4)
    result_id: str  # the stored result it shows: "<run id>:<enterprise id>" (the key of score_results)
    uscc: str
    name: str
    city_code: str
    city: str  # 沈阳市
    region_code: str
    district: str  # 和平区 (the city's name when the region is the city itself)
    industry: str  # GB/T 4754 section letter
    industry_name: str
    size: str
    ownership: str
    total: float  # points, one decimal
    grade: str
    level1: dict[str, float]  # first-level code → points
    red_line: bool
    rights_status: str  # 维权状态: "正常", or what the law publishes of it (listed, major violation published)
    public_records: list[PublicRecord] = []
    objection: str | None = None  # how an open objection is shown (the policy's wording), else None


class ListEntry(Frozen):
    """An enterprise on the honour list (红榜) or the exposure list (曝光台), and why."""

    uscc: str
    name: str
    city: str
    grade: str
    total: float
    reason: str  # why it is on the list, in Chinese (for exposure: the decision, its authority and number)


class PublicationContent(Frozen):
    format: Literal["lrc-publication/1"] = "lrc-publication/1"
    number: str  # 辽工信评〔2026〕3号: the notice's number, in sequence within the year
    title: str
    issuer: str  # the issuing body, e.g. 辽宁省总工会
    period: str
    scope: str  # province | city:210200 | industry:C
    scope_zh: str  # 全省 / 大连市 / 制造业
    catalogue_version: str
    catalogue_hash: str
    policy_version: str
    run_id: int  # the period run whose current results were frozen
    published_at: str  # ISO 8601 with +08:00
    publisher: str
    replaces: int | None = None  # the publication this one supersedes
    level1_names: dict[str, str]  # first-level code → Chinese name, in catalogue order
    entries: list[Entry]
    honour: list[ListEntry]
    exposure: list[ListEntry]
    footnotes: list[str]  # edition, how and by when to object, where to verify


def canonical_bytes(content: PublicationContent) -> bytes:
    """The bytes the hash is over: JSON with sorted keys, no spaces, UTF-8 (Chinese as itself)."""
    data = content.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_hash(content: PublicationContent) -> str:
    return hashlib.sha256(canonical_bytes(content)).hexdigest()
