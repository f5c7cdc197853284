"""CSR hearings (社会责任听证): hearings and their enterprises, attached files stored once by SHA-256, and
improvement-plan actions with an append-only history of their changes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from lrc.store.triggers import append_only

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hearings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False, index=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("chair", sa.String(100)),
        sa.Column("participants", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opinions", sa.Text),
        sa.Column("conclusions", sa.Text),
        sa.Column("outcome_by", sa.String(128)),
        sa.Column("outcome_at", sa.DateTime(timezone=True)),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "hearing_enterprises",
        sa.Column("hearing_id", sa.Integer, sa.ForeignKey("hearings.id"), primary_key=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprises.id"), primary_key=True, index=True),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("stored_by", sa.String(128), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
    )
    append_only(op, "attachments")
    op.create_table(
        "hearing_attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hearing_id", sa.Integer, sa.ForeignKey("hearings.id"), nullable=False, index=True),
        sa.Column("attachment_id", sa.Integer, sa.ForeignKey("attachments.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("uscc", sa.String(18)),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "plan_actions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hearing_id", sa.Integer, sa.ForeignKey("hearings.id"), nullable=False, index=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprises.id"), nullable=False, index=True),
        sa.Column("uscc", sa.String(18), nullable=False, index=True),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("item_code", sa.String(32), nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("evidence_id", sa.Integer, sa.ForeignKey("attachments.id")),
        sa.Column("note", sa.Text),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "plan_action_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("action_id", sa.Integer, sa.ForeignKey("plan_actions.id"), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("evidence_id", sa.Integer, sa.ForeignKey("attachments.id")),
        sa.Column("note", sa.Text),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    append_only(op, "plan_action_events")


def downgrade() -> None:
    for table in ("plan_action_events", "plan_actions", "hearing_attachments", "attachments"):
        op.drop_table(table)
    op.drop_table("hearing_enterprises")
    op.drop_table("hearings")
