"""Initial schema: enterprises, submissions, catalogue versions, runs, results.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from lrc.store.triggers import append_only

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
APPEND_ONLY = ("catalogue_versions", "ingest_batches", "submissions", "score_runs", "score_results")


def upgrade() -> None:
    op.create_table(
        "catalogue_versions",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(32), nullable=False, index=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("stored_at", TZ, nullable=False),
    )
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False, unique=True),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "ingest_batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("period", sa.String(16), nullable=False, index=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("new_versions", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("ingested_at", TZ, nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprises.id"), nullable=False, index=True),
        sa.Column("period", sa.String(16), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("ingest_batches.id"), nullable=False),
        sa.Column("source_row", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("industry", sa.String(1), nullable=False),
        sa.Column("size", sa.String(8), nullable=False),
        sa.Column("ownership", sa.String(32)),
        sa.Column("uscc_override", sa.Boolean, nullable=False),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("submitted_at", TZ, nullable=False),
        sa.UniqueConstraint("enterprise_id", "period", "version"),
    )
    op.create_table(
        "score_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("period", sa.String(16), nullable=False, index=True),
        sa.Column("catalogue_version", sa.String(32), nullable=False),
        sa.Column("catalogue_hash", sa.String(64), sa.ForeignKey("catalogue_versions.content_hash"), nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("enterprise_count", sa.Integer, nullable=False),
        sa.Column("engine_version", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=False),
    )
    op.create_table(
        "score_results",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("score_runs.id"), primary_key=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprises.id"), primary_key=True, index=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("city_code", sa.String(6), nullable=False),
        sa.Column("industry", sa.String(1), nullable=False),
        sa.Column("size", sa.String(8), nullable=False),
        sa.Column("ownership", sa.String(32)),
        sa.Column("headcount", sa.BigInteger),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("grade", sa.String(8), nullable=False),
        sa.Column("red_line", sa.Boolean, nullable=False),
        sa.Column("completeness", sa.Float, nullable=False),
        sa.Column("level1", sa.Text, nullable=False),
        sa.Column("items", sa.Text, nullable=False),
        sa.Column("gaps", sa.Text, nullable=False),
    )
    _append_only()


def _append_only() -> None:
    """Refuse UPDATE and DELETE on history tables, in the database itself."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION lrc_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'lrc: % is append-only', TG_TABLE_NAME; END $$"
        )
    for table in APPEND_ONLY:
        append_only(op, table)


def downgrade() -> None:
    for table in reversed(("enterprises", *APPEND_ONLY)):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS lrc_append_only()")
