"""Alerts: a rule met by a new result, with its status (new → acknowledged → closed); and each user's
watchlist (kept in the store, not in a browser session).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rule_code", sa.String(40), nullable=False, index=True),
        sa.Column("rules_version", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprises.id"), nullable=False, index=True),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False, index=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("score_runs.id"), nullable=False),
        sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id")),
        sa.Column("before_total", sa.Integer),
        sa.Column("after_total", sa.Integer, nullable=False),
        sa.Column("before_grade", sa.String(8)),
        sa.Column("after_grade", sa.String(8), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("acked_by", sa.String(128)),
        sa.Column("acked_at", sa.DateTime(timezone=True)),
        sa.Column("closed_by", sa.String(128)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("close_note", sa.Text),
        sa.UniqueConstraint("rule_code", "run_id", "enterprise_id"),
    )
    op.create_table(
        "watchlist",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_name", "uscc"),
    )


def downgrade() -> None:
    op.drop_table("watchlist")
    op.drop_table("alerts")
