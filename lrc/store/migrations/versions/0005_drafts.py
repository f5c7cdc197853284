"""Drafts of the web form: one per user, enterprise and period, saved and resumed until submitted.

A draft is work in progress, not history: it is replaced when saved again and removed when the
submission it became is stored (the submission is the record, and is append-only).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("values", sa.Text, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_name", "uscc", "period"),
    )


def downgrade() -> None:
    op.drop_table("drafts")
