"""The day a case was filed as (``filed_on``: the Beijing date, or the earlier day staff gave for a filing
received on paper) becomes a column of ``objections`` and ``repairs``; so far it was kept only in the first
event's detail, and cases filed before that had none (readers fell back to the time the row was stored).
Filled here for every stored case from its first event: the day its detail names, else the Beijing date of
the event's time (``case_events`` stays append-only: it is read, never changed).

An objection also names the newest publication that listed the result it objects to, published on or before
its filing day, and the last day that notice gave for objections (``publication_id``, ``window_until``): a
filing after it is accepted (an objection is about the current result) but marked late. Filled here from the
stored notices: the day is the one their footnote states ("请于 YYYY-MM-DD 前", now "至 YYYY-MM-DD 止").

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01
"""

import json
import re
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

from lrc.times import in_china

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

STATED = re.compile(r"(?:请于 |至 )(\d{4}-\d{2}-\d{2})(?: 前| 止)")  # the words before 0023, and since
OBJECTION_DAYS = 15  # publication policy 2026.1, the edition every notice before this migration used


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


def _window(bind: Any, period: str, run_id: int, enterprise_id: int, day: date) -> tuple[int, date] | None:
    """The newest notice of ``period`` published by ``day`` that lists the result, and its stated last day."""
    candidates = bind.execute(
        sa.text(
            "SELECT id, published_at FROM publications WHERE period = :period AND run_id <= :run "
            "AND COALESCE(through_run_id, run_id) >= :run ORDER BY id DESC"
        ),
        {"period": period, "run": run_id},
    ).all()
    pattern = f'%"result_id":"{run_id}:{enterprise_id}"%'
    for pub_id, published_at in candidates:
        published = in_china(published_at).date()
        if published > day:
            continue
        content = bind.execute(
            sa.text("SELECT content FROM publications WHERE id = :id AND content LIKE :pattern"),
            {"id": pub_id, "pattern": pattern},
        ).scalar()
        if content is None:
            continue
        stated = [STATED.search(note) for note in json.loads(content).get("footnotes", [])]
        found = next((m.group(1) for m in stated if m), None)
        return int(pub_id), date.fromisoformat(found) if found else published + timedelta(days=OBJECTION_DAYS)
    return None


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("objections", sa.Column("filed_on", sa.Date))
    op.add_column("objections", sa.Column("publication_id", sa.Integer))  # its foreign key below, in the batch
    op.add_column("objections", sa.Column("window_until", sa.Date))
    op.add_column("repairs", sa.Column("filed_on", sa.Date))
    _fill_days(bind, "objections", "objection", "filed_at")
    _fill_days(bind, "repairs", "repair", "requested_at")
    update = sa.text("UPDATE objections SET publication_id = :pub, window_until = :until WHERE id = :id")
    rows = bind.execute(sa.text("SELECT id, period, run_id, enterprise_id, filed_on FROM objections")).all()
    for case_id, period, run_id, enterprise_id, day in rows:
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        found = _window(bind, str(period), int(run_id), int(enterprise_id), day)
        if found is not None:
            bind.execute(update, {"pub": found[0], "until": found[1].isoformat(), "id": case_id})
    with op.batch_alter_table("objections") as batch:  # (SQLite: the table is copied, with its constraints)
        batch.alter_column("filed_on", existing_type=sa.Date, nullable=False)
        batch.create_foreign_key("fk_objections_publication_id", "publications", ["publication_id"], ["id"])
    with op.batch_alter_table("repairs") as batch:
        batch.alter_column("filed_on", existing_type=sa.Date, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("repairs") as batch:
        batch.drop_column("filed_on")
    with op.batch_alter_table("objections") as batch:
        batch.drop_constraint("fk_objections_publication_id", type_="foreignkey")
        batch.drop_column("window_until")
        batch.drop_column("publication_id")
        batch.drop_column("filed_on")
