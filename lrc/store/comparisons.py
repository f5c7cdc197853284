"""Reads and writes of stored run comparisons (``run_changes``: how a run changed against another, per city now
and then, JSON bodies; ``lrc.service.comparisons`` makes and reads them). Every function takes an open
connection; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Table, delete, insert, select, tuple_, update

from lrc.store.summaries import Key, locked
from lrc.store.tables import RunChangePart

CHANGES = cast(Table, RunChangePart.__table__)


def _of(run_id: int, previous_id: int) -> ColumnElement[bool]:
    """The rows of the comparison of run ``run_id`` with run ``previous_id``."""
    table = CHANGES
    return (table.c.run_id == run_id) & (table.c.previous_id == previous_id)


def change_rows(conn: Connection, run_id: int, previous_id: int) -> list[Any]:
    """The stored rows of a comparison: ``city_code``, ``previous_city``, ``through``, ``previous_through``,
    ``body``."""
    table = CHANGES
    columns = (table.c.city_code, table.c.previous_city, table.c.through, table.c.previous_through, table.c.body)
    return list(conn.execute(select(*columns).where(_of(run_id, previous_id))).all())


def replace_changes(
    conn: Connection, run_id: int, previous_id: int, through: int, previous_through: int, bodies: Mapping[Key, str]
) -> None:
    """Replace the comparison of two runs with ``bodies`` (by city now and then), through runs ``through`` and
    ``previous_through``."""
    table = CHANGES
    conn.execute(delete(table).where(_of(run_id, previous_id)))
    conn.execute(insert(table), [
        {"run_id": run_id, "previous_id": previous_id, "city_code": c, "previous_city": p,
         "through": through, "previous_through": previous_through, "body": body}
        for (c, p), body in bodies.items()
    ])  # fmt: skip


def locked_change_throughs(conn: Connection, run_id: int, previous_id: int) -> set[tuple[int, int]]:
    """The (``through``, ``previous_through``) values of a comparison's rows, the rows locked until the
    transaction ends."""
    table = CHANGES
    states = locked(conn, select(table.c.through, table.c.previous_through).where(_of(run_id, previous_id)))
    return {(int(a), int(b)) for a, b in conn.execute(states)}


def change_bodies(conn: Connection, run_id: int, previous_id: int, keys: Sequence[Key]) -> dict[Key, str]:
    """The stored parts ``keys`` (city now and then) of a comparison, as JSON."""
    if not keys:
        return {}
    table = CHANGES
    query = select(table.c.city_code, table.c.previous_city, table.c.body).where(
        _of(run_id, previous_id), tuple_(table.c.city_code, table.c.previous_city).in_(keys)
    )
    return {(r[0], r[1]): r[2] for r in conn.execute(query)}


def rewrite_change_parts(
    conn: Connection,
    run_id: int,
    previous_id: int,
    through: tuple[int, int],
    bodies: Mapping[Key, str | None],
) -> None:
    """Replace some parts of a comparison (a body None: the part is dropped) and mark every part of it up to date
    through runs ``through`` (this run's, the previous one's)."""
    table = CHANGES
    mine = _of(run_id, previous_id)
    for (city, previous_city), body in bodies.items():
        conn.execute(delete(table).where(mine & (table.c.city_code == city) & (table.c.previous_city == previous_city)))
        if body is not None:
            conn.execute(insert(table).values(
                run_id=run_id, previous_id=previous_id, city_code=city, previous_city=previous_city,
                through=through[0], previous_through=through[1], body=body,
            ))  # fmt: skip
    conn.execute(update(table).where(mine).values(through=through[0], previous_through=through[1]))
