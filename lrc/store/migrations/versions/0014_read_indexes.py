"""Read indexes: a ranking is answered from one index of score_results.

``ix_score_results_ranking`` orders each run's results best first (total descending, then USCC) and carries
every column a ranking filters on, so `lrc rank --top N` walks the index until N rows match, and the
counts a ranking shows (how many match, each row's rank in the province) are read from the index alone,
not from the whole run.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

RANKING_COLUMNS = (
    "uscc",
    "enterprise_id",
    "city_code",
    "region_code",
    "industry",
    "size",
    "grade",
    "ownership",
    "name",
)


def upgrade() -> None:
    op.create_index(
        "ix_score_results_ranking",
        "score_results",
        [sa.text("run_id"), sa.text("total DESC"), *[sa.text(c) for c in RANKING_COLUMNS]],
    )


def downgrade() -> None:
    op.drop_index("ix_score_results_ranking", "score_results")
