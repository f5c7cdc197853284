"""Match counts per run: how many of a run's results share each city, county, industry, size, ownership and
grade (``run_match_counts``), so a ranking's "how many match" sums a few thousand counts instead of counting a
city's quarter of a million index entries (0.3 s at a million enterprises on PostgreSQL, more than half of
``lrc rank --top 10``). Written with a period run's or an import's results, in their transaction, by the
database (``lrc.store.match_counts``). Runs stored before this migration get none: they are counted from their
results, as before.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_match_counts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("score_runs.id"), nullable=False),
        sa.Column("city_code", sa.String(6), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("industry", sa.String(1), nullable=False),
        sa.Column("size", sa.String(8), nullable=False),
        sa.Column("ownership", sa.String(32)),
        sa.Column("grade", sa.String(8), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_index("ix_run_match_counts_run", "run_match_counts", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_run_match_counts_run", "run_match_counts")
    op.drop_table("run_match_counts")
