"""Publications name the newest run whose results they list (``through_run_id``), beside the period run
(``run_id``): a publication freezes the period run's current results, which the later runs of the period (a
record's, a submission's, an objection's rescoring, an import, …) may hold, so its entries' result ids name runs
``run_id`` to ``through_run_id``. Read from each stored publication's entries here; written by ``publish``
from now on. The column is set once, on insert (the table stays append-only): the upgrade lifts the UPDATE
trigger for its one backfill only.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

SQLITE_TRIGGER = (
    "CREATE TRIGGER publications_no_update BEFORE UPDATE ON publications "
    "BEGIN SELECT RAISE(ABORT, 'lrc: publications is append-only'); END"
)


def newest_listed_run(content: str, run_id: int) -> int:
    """The newest run among a stored publication's entries (``result_id`` is ``"<run id>:<enterprise id>"``)."""
    entries = json.loads(content).get("entries", [])
    return max([run_id, *(int(str(e["result_id"]).split(":")[0]) for e in entries)])


def upgrade() -> None:
    op.add_column("publications", sa.Column("through_run_id", sa.Integer))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, run_id, content FROM publications")).all()
    if not rows:
        return
    postgresql = bind.dialect.name == "postgresql"
    op.execute(
        "ALTER TABLE publications DISABLE TRIGGER publications_no_update"
        if postgresql
        else "DROP TRIGGER publications_no_update"
    )
    update = sa.text("UPDATE publications SET through_run_id = :through WHERE id = :id")
    for pub_id, run_id, content in rows:
        bind.execute(update, {"through": newest_listed_run(content, int(run_id)), "id": pub_id})
    op.execute("ALTER TABLE publications ENABLE TRIGGER publications_no_update" if postgresql else SQLITE_TRIGGER)


def downgrade() -> None:
    op.drop_column("publications", "through_run_id")  # (SQLite drops a column in place: the triggers stay)
