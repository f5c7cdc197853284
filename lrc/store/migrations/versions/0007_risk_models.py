"""Risk models: a forecast model of "the grade falls next period", stored with the periods it was trained
on, its features, coefficients and backtest metrics, so that any forecast can be reproduced.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_models",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label_period", sa.String(16), nullable=False, index=True),
        sa.Column("train_periods", sa.Text, nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("features", sa.Text, nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("metrics", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("positives", sa.Integer, nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("risk_models")
