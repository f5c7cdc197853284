"""Reads and writes of run summaries (``run_summaries``: a period run's parts per city and industry, JSON
bodies; ``lrc.service.summaries`` makes and reads them). Every function takes an open connection; the caller
owns the transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Select, Table, delete, func, insert, select, tuple_, update

from lrc.store.tables import RunSummaryPart

SUMMARIES = cast(Table, RunSummaryPart.__table__)

Key = tuple[str, str]  # (city code, industry)


def locked(conn: Connection, query: Select[Any]) -> Select[Any]:
    """``query`` locking the rows it reads until the transaction ends (PostgreSQL; SQLite has one writer)."""
    return query.with_for_update() if conn.dialect.name == "postgresql" else query


def replace_summary(conn: Connection, run_id: int, through: int, bodies: Mapping[Key, str]) -> None:
    """Replace the summary of ``run_id`` with ``bodies`` (by city code and industry), through run ``through``."""
    table = SUMMARIES
    conn.execute(delete(table).where(table.c.run_id == run_id))
    rows = [
        {"run_id": run_id, "city_code": c, "industry": i, "through": through, "body": body}
        for (c, i), body in bodies.items()
    ]
    if rows:
        conn.execute(insert(table), rows)


def summary_bodies(
    conn: Connection, run_id: int, prefix: str | None = None, keys: Sequence[Key] | None = None
) -> dict[Key, str]:
    """The stored parts of a run's summary (of the cities starting with ``prefix``; of ``keys`` alone when
    given), as JSON."""
    table = SUMMARIES
    query = select(table.c.city_code, table.c.industry, table.c.body).where(table.c.run_id == run_id)
    if prefix:
        query = query.where(table.c.city_code.like(prefix + "%"))
    if keys is not None:
        query = query.where(tuple_(table.c.city_code, table.c.industry).in_(keys))
    return {(r.city_code, r.industry): r.body for r in conn.execute(query)}


def summary_through(conn: Connection, run_id: int) -> tuple[int | None, int | None]:
    """The lowest and highest ``through`` of a run's summary rows (None, None: it has none)."""
    table = SUMMARIES
    low, high = conn.execute(
        select(func.min(table.c.through), func.max(table.c.through)).where(table.c.run_id == run_id)
    ).one()
    return low, high


def locked_summary_throughs(conn: Connection, run_id: int) -> set[int]:
    """The ``through`` values of a run's summary rows, the rows locked until the transaction ends."""
    table = SUMMARIES
    return set(conn.scalars(locked(conn, select(table.c.through).where(table.c.run_id == run_id))))


def rewrite_summary_parts(conn: Connection, run_id: int, through: int, bodies: Mapping[Key, str | None]) -> None:
    """Replace some parts of a run's summary (a body None: the part is dropped) and mark every part of it up to
    date through run ``through``."""
    table = SUMMARIES
    for (city, industry), body in bodies.items():
        where = (table.c.run_id == run_id) & (table.c.city_code == city) & (table.c.industry == industry)
        conn.execute(delete(table).where(where))
        if body is not None:
            row = {"run_id": run_id, "city_code": city, "industry": industry, "through": through}
            conn.execute(insert(table).values(**row, body=body))
    conn.execute(update(table).where(table.c.run_id == run_id).values(through=through))
