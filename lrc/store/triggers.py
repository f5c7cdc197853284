"""Append-only tables: the database itself refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL), for the
migrations that create such a table after the first (which creates ``lrc_append_only()`` on PostgreSQL)."""

from __future__ import annotations

from typing import Any


def append_only(op: Any, table: str) -> None:
    """Refuse UPDATE and DELETE (and TRUNCATE) on ``table`` (``op``: the migration's alembic operations)."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION lrc_append_only()"
        )
    for action in ("UPDATE", "DELETE"):
        name = f"{table}_no_{action.lower()}"
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {action} ON {table} FOR EACH ROW EXECUTE FUNCTION lrc_append_only()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'lrc: {table} is append-only'); END"
            )
