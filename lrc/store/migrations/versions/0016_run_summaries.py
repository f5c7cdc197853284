"""Run summaries: the overview pages' figures of a period run, per city and industry, so that a page reads a
few hundred rows instead of every result of the run (``lrc.service.summaries``), and how a run changed
against another, per city (``run_changes``). Runs scored before this
migration get theirs when first shown.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_summaries",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("score_runs.id"), primary_key=True),
        sa.Column("city_code", sa.String(6), primary_key=True),
        sa.Column("industry", sa.String(1), primary_key=True),
        sa.Column("through", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "run_changes",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("score_runs.id"), primary_key=True),
        sa.Column("previous_id", sa.Integer, sa.ForeignKey("score_runs.id"), primary_key=True),
        sa.Column("city_code", sa.String(6), primary_key=True),
        sa.Column("previous_city", sa.String(6), primary_key=True),
        sa.Column("through", sa.Integer, nullable=False),
        sa.Column("previous_through", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("run_changes")
    op.drop_table("run_summaries")
