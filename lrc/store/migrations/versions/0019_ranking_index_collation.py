"""PostgreSQL: the ranking index orders USCCs byte by byte (``COLLATE "C"``), as the ranking query does.

A ranking breaks ties in the total by USCC in byte order, so it reads the same on every database whatever
its locale (``ORDER BY total DESC, uscc COLLATE "C"``). The index of 0014 ordered USCCs by the database's
default collation, which PostgreSQL does not take for "C" even where the two agree (a database made with
``C.UTF-8``, say), so a page deep in a ranking sorted the results instead of walking the index: at place
70,000 of 100,000, 90 ms against 16; at place 500,000 of a million, about 270 ms against 100 (the first
pages sort only the few tied totals at the top). SQLite compares text byte by byte already.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

AFTER_USCC = "enterprise_id, city_code, region_code, industry, size, grade, ownership, name"


def _ranking_index(uscc: str) -> None:
    op.execute("DROP INDEX ix_score_results_ranking")
    op.execute(f"CREATE INDEX ix_score_results_ranking ON score_results (run_id, total DESC, {uscc}, {AFTER_USCC})")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _ranking_index('uscc COLLATE "C"')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _ranking_index("uscc")
