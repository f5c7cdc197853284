"""An alert may concern an enterprise with no new result: one whose data is still missing after the period's
submission deadline. Its ``after_total`` and ``after_grade`` are then empty.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.alter_column("after_total", existing_type=sa.Integer, nullable=True)
        batch.alter_column("after_grade", existing_type=sa.String(8), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.alter_column("after_grade", existing_type=sa.String(8), nullable=False)
        batch.alter_column("after_total", existing_type=sa.Integer, nullable=False)
