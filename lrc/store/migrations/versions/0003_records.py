"""Records (dated, sourced decisions about one enterprise) and one-enterprise rescoring.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprises.id"), nullable=False, index=True),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("tier", sa.String(8), nullable=False),
        sa.Column("decision_date", sa.Date, nullable=False, index=True),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("ref", sa.String(100), nullable=False),
        sa.Column("workers", sa.Integer),
        sa.Column("amount", sa.Float),
        sa.Column("note", sa.Text),
        sa.Column("edition", sa.String(32), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("file_name", sa.Text),
        sa.Column("source_row", sa.Integer),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.UniqueConstraint("source", "ref"),
    )
    op.add_column("score_runs", sa.Column("kind", sa.String(16), nullable=False, server_default="period"))
    op.add_column("score_runs", sa.Column("record_watermark", sa.Integer))
    op.add_column("score_results", sa.Column("records", sa.Text))
    op.add_column("score_results", sa.Column("cause_record_id", sa.Integer))
    op.create_index("ix_score_runs_period_kind", "score_runs", ["period", "kind"])
    op.create_index("ix_records_ref", "records", ["ref"])  # a delivery is looked up by its document number
    op.create_index("ix_score_results_uscc_run", "score_results", ["uscc", "run_id"])  # one enterprise's results
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON records "
            "FOR EACH STATEMENT EXECUTE FUNCTION lrc_append_only()"
        )
    for action in ("UPDATE", "DELETE"):
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER records_no_{action.lower()} BEFORE {action} ON records "
                "FOR EACH ROW EXECUTE FUNCTION lrc_append_only()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER records_no_{action.lower()} BEFORE {action} ON records "
                "BEGIN SELECT RAISE(ABORT, 'lrc: records is append-only'); END"
            )


def downgrade() -> None:
    op.drop_index("ix_score_results_uscc_run", "score_results")
    op.drop_index("ix_records_ref", "records")
    op.drop_index("ix_score_runs_period_kind", "score_runs")
    with op.batch_alter_table("score_results") as batch:
        batch.drop_column("cause_record_id")
        batch.drop_column("records")
    with op.batch_alter_table("score_runs") as batch:
        batch.drop_column("record_watermark")
        batch.drop_column("kind")
    op.drop_table("records")
