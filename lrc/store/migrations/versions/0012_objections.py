"""Objections (异议) and credit repair (信用修复): the cases, their append-only history, and record closures
(a record stops counting from a date: repaired, revoked on an objection, expired, or removed by the authority
that listed it). A run remembers the newest closure it could see, as it remembers the newest record, and the
objection or repair that caused it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from lrc.store.triggers import append_only

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "objections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprises.id"), nullable=False, index=True),
        sa.Column("uscc", sa.String(18), nullable=False, index=True),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("item_code", sa.String(32), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("score_runs.id"), nullable=False),
        sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id")),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("evidence_id", sa.Integer, sa.ForeignKey("attachments.id")),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("due_on", sa.Date, nullable=False, index=True),
        sa.Column("routed_to", sa.Text),
        sa.Column("result_run_id", sa.Integer, sa.ForeignKey("score_runs.id")),
        sa.Column("filed_by", sa.String(128), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(128)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "repairs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id"), nullable=False, index=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprises.id"), nullable=False, index=True),
        sa.Column("uscc", sa.String(18), nullable=False, index=True),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("evidence_id", sa.Integer, sa.ForeignKey("attachments.id"), nullable=False),
        sa.Column("pledge_id", sa.Integer, sa.ForeignKey("attachments.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("due_on", sa.Date, nullable=False, index=True),
        sa.Column("result_run_id", sa.Integer, sa.ForeignKey("score_runs.id")),
        sa.Column("requested_by", sa.String(128), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(128)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_kind", sa.String(16), nullable=False),  # objection | repair
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("detail", sa.Text),  # JSON: corrected facts, the record closed, the routed documents
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_events_case", "case_events", ["case_kind", "case_id"])
    append_only(op, "case_events")
    op.create_table(
        "record_closures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_id", sa.Integer, sa.ForeignKey("records.id"), nullable=False, unique=True),
        sa.Column("cause", sa.String(16), nullable=False),  # repaired | revoked | expired | removed
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("case_id", sa.Integer),  # the repair or objection
        sa.Column("ref", sa.String(100)),  # the authority's removal document
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    append_only(op, "record_closures")
    op.add_column("score_runs", sa.Column("closure_watermark", sa.Integer))  # not batch: keeps the triggers
    op.add_column("score_runs", sa.Column("cause_id", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("score_runs") as batch:
        batch.drop_column("cause_id")
        batch.drop_column("closure_watermark")
    for table in ("record_closures", "case_events", "repairs", "objections"):
        op.drop_table(table)
