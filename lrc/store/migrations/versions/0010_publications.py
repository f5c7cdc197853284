"""Publications: a frozen ranking with its canonical content and SHA-256; never changed or deleted (a new
version names the one it replaces).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from lrc.store.triggers import append_only

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(64), nullable=False, unique=True),
        sa.Column("period", sa.String(16), nullable=False, index=True),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("score_runs.id"), nullable=False),
        sa.Column("catalogue_version", sa.String(32), nullable=False),
        sa.Column("policy_version", sa.String(32), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.Column("replaces_id", sa.Integer, sa.ForeignKey("publications.id")),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("publisher", sa.String(128), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    append_only(op, "publications")


def downgrade() -> None:
    op.drop_table("publications")
