"""A run's stored catalogue copy, checked byte for byte against the hash it was stored under (light: the
driver-only reads check it too, before any pydantic model loads)."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from lrc.errors import ConflictError

if TYPE_CHECKING:
    from indicators import Catalogue


def checked_document(document: str, content_hash: str) -> dict[str, Any]:
    """The copy as JSON, once its bytes are those hashed; an altered copy is refused."""
    if hashlib.sha256(document.encode("utf-8")).hexdigest() != content_hash:
        raise ConflictError(f"指标体系副本 {content_hash[:12]} 的内容与其哈希不符 (stored catalogue altered)")
    parsed: dict[str, Any] = json.loads(document)
    return parsed


@lru_cache(maxsize=8)
def parse_stored(document: str, content_hash: str) -> Catalogue:
    """The checked copy read with today's models (which may add optional fields without touching old runs)."""
    return catalogue_of(checked_document(document, content_hash), content_hash)


def catalogue_of(checked: dict[str, Any], content_hash: str) -> Catalogue:
    """A copy already checked (``checked_document``) read with today's models."""
    from indicators import parse_catalogue

    return parse_catalogue(checked, source=f"catalogue {content_hash[:12]}")
