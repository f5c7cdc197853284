"""The day a case was filed as (``filed_on``: the Beijing date, or the earlier day staff gave for a filing
received on paper) becomes a column of ``objections`` and ``repairs``; so far it was kept only in the first
event's detail, and cases filed before that had none (readers fell back to the time the row was stored).
Filled here for every stored case from its first event: the day its detail names, else the Beijing date of
the event's time (``case_events`` stays append-only: it is read, never changed).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01
"""

import json
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

from lrc.times import in_china

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def filed_on(detail: str | None, at: Any) -> date:
    """The day a case's first event says it was filed as, else the Beijing date of that event."""
    given = json.loads(detail).get("filed_on") if detail else None
    return date.fromisoformat(given) if given else in_china(at).date()


def _first_events(bind: Any, kind: str) -> dict[int, tuple[str | None, Any]]:
    """Case id → (detail, time) of its first event."""
    rows = bind.execute(
        sa.text(
            "SELECT e.case_id, e.detail, e.at FROM case_events e WHERE e.case_kind = :kind AND e.id = "
            "(SELECT MIN(f.id) FROM case_events f WHERE f.case_kind = e.case_kind AND f.case_id = e.case_id)"
        ),
        {"kind": kind},
    )
    return {int(case_id): (detail, at) for case_id, detail, at in rows}


def _fill_days(bind: Any, table: str, kind: str, stored: str) -> None:
    first = _first_events(bind, kind)
    update = sa.text(f"UPDATE {table} SET filed_on = :day WHERE id = :id")
    for case_id, at in bind.execute(sa.text(f"SELECT id, {stored} FROM {table}")).all():
        detail, when = first.get(int(case_id), (None, at))
        bind.execute(update, {"day": filed_on(detail, when).isoformat(), "id": case_id})


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("objections", sa.Column("filed_on", sa.Date))
    op.add_column("repairs", sa.Column("filed_on", sa.Date))
    _fill_days(bind, "objections", "objection", "filed_at")
    _fill_days(bind, "repairs", "repair", "requested_at")
    with op.batch_alter_table("objections") as batch:  # (SQLite: the table is copied, with its constraints)
        batch.alter_column("filed_on", existing_type=sa.Date, nullable=False)
    with op.batch_alter_table("repairs") as batch:
        batch.alter_column("filed_on", existing_type=sa.Date, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("repairs") as batch:
        batch.drop_column("filed_on")
    with op.batch_alter_table("objections") as batch:
        batch.drop_column("filed_on")
