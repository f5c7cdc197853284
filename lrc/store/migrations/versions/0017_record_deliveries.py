"""Record deliveries: each delivery of records (a file, a credit-platform feed, an API call, a record typed at
the command line) is a row of its own, which the records it stored name; a delivery has an id to print and
to ask about (``lrc records --delivery N``), as an ingest batch has for facts. Records stored before this
migration belong to none.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from lrc.store.triggers import append_only

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(100), nullable=False),  # the file's name, or the door (command line, API)
        sa.Column("received", sa.Integer, nullable=False),  # records (and removals) in the delivery
        sa.Column("stored", sa.Integer, nullable=False),  # new records stored, or listings closed
        sa.Column("already", sa.Integer, nullable=False),  # delivered before: answered, not stored again
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    append_only(op, "record_deliveries")
    # not batch: the records table keeps its triggers (a new nullable column, set only on insert); SQLite
    # cannot add a constraint to a table, so the reference is checked by the database on PostgreSQL only
    op.add_column("records", sa.Column("delivery_id", sa.Integer))
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key("records_delivery_id_fkey", "records", "record_deliveries", ["delivery_id"], ["id"])
    op.create_index("ix_records_delivery_id", "records", ["delivery_id"])


def downgrade() -> None:
    op.drop_index("ix_records_delivery_id", "records")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("delivery_id")
    op.drop_table("record_deliveries")
