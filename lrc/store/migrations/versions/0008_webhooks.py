"""Delivery to other systems: the outbox (one event per alert, written in the transaction that raises it;
append-only) and the webhooks that deliver it, each with its cursor and its retry state.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("region_code", sa.String(6)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(128)),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        sa.Column("cursor", sa.Integer, nullable=False),
        sa.Column("delivered", sa.Integer, nullable=False),
        sa.Column("last_delivered_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("lease", sa.String(32)),
        sa.Column("leased_until", sa.DateTime(timezone=True)),
    )
    _append_only("outbox")


def _append_only(table: str) -> None:
    """Refuse UPDATE and DELETE (and TRUNCATE) on ``table``, in the database itself (as for the history)."""
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


def downgrade() -> None:
    op.drop_table("webhooks")
    op.drop_table("outbox")  # its triggers go with it
