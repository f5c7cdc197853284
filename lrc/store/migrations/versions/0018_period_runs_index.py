"""The periods scored, from the period runs alone: an index on ``score_runs (kind, period)``. Every one-enterprise
rescoring is a run, so a store that has received records for years holds millions of runs, and every record
delivered and every reading without a period asks which periods are scored; a period has a result only once
it has a period run, so those few rows answer it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_score_runs_kind_period", "score_runs", ["kind", "period"])


def downgrade() -> None:
    op.drop_index("ix_score_runs_kind_period", "score_runs")
