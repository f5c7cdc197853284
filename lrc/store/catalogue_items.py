"""The items and indicators of each stored catalogue copy as rows (``catalogue_items``, ``catalogue_levels``),
so SQL and BI tools can name the points packed in ``score_results``. Read from the stored document (canonical
JSON) with no model in between: the migration that fills the tables for old copies reads them the same way."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select

from lrc.store.tables import CatalogueItem, CatalogueLevel


def item_rows(content_hash: str, edition: str, document: str) -> list[dict[str, Any]]:
    """One row per item, ``position`` 1.. in catalogue order (the order of ``score_results.items``)."""
    data = json.loads(document)
    parent = {n["code"]: n["parent"] for level in ("level2", "level3") for n in data[level]}
    rows = []
    for position, item in enumerate(data["items"], start=1):
        level2 = parent[item["level3"]]
        rows.append(
            {
                "content_hash": content_hash,
                "position": position,
                "edition": edition,
                "code": item["code"],
                "level1": parent[level2],
                "level2": level2,
                "level3": item["level3"],
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "kind": item["kind"],
                "rule_type": item["rule"]["type"],
                "points": float(Decimal(str(item["points"]))),
                "red_line": bool(item.get("red_line", False)),  # the canonical JSON leaves defaults out
            }
        )
    return rows


def level_rows(content_hash: str, edition: str, document: str) -> list[dict[str, Any]]:
    """One row per level-1/2/3 indicator, ``position`` 1.. in catalogue order within its level (level 1:
    the order of ``score_results.level1``)."""
    data = json.loads(document)
    return [
        {
            "content_hash": content_hash,
            "level": level,
            "position": position,
            "edition": edition,
            "code": node["code"],
            "parent": node.get("parent"),
            "name_zh": node["name_zh"],
            "name_en": node["name_en"],
        }
        for level in (1, 2, 3)
        for position, node in enumerate(data[f"level{level}"], start=1)
    ]


def ensure_items(conn: Connection, content_hash: str, edition: str, document: str) -> None:
    """Write the rows of one stored copy unless they are there (idempotent; the caller's transaction)."""
    stored = conn.scalar(
        select(func.count()).select_from(CatalogueItem).where(CatalogueItem.content_hash == content_hash)
    )
    if stored:
        return
    conn.execute(insert(CatalogueItem), item_rows(content_hash, edition, document))
    conn.execute(insert(CatalogueLevel), level_rows(content_hash, edition, document))
