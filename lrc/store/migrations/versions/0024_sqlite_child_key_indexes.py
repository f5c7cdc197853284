"""On SQLite, an index on each foreign key column that had none: ``score_results.submission_id`` and
``submissions.batch_id``.

An ingest writes its submissions before the batch row they name (migration 0020), with SQLite's foreign keys
deferred until the commit (``PRAGMA defer_foreign_keys``). While a deferred violation is outstanding, SQLite
looks, for every row inserted into a parent table, for the child rows that name it (they might resolve the
violation); without an index on the child's column that is a scan of the whole child table. Every submission
an ingest appends is a parent of ``score_results``: a second period's ingest of 170,000 enterprises into a
store holding one period run of 150,000 results read the whole results table for each submission (it had run
twenty minutes when it was stopped), and at a million it would never end. The first period's ingest, into an
empty results table, never showed it. With the index each look is one probe. ``submissions.batch_id`` is the
child column read when the batch row is appended at the end (one scan of every submission stored, per ingest).

PostgreSQL checks a deferred constraint once per row at the commit and never looks for children on an insert
into the parent: it needs neither index, and each would only cost its upkeep.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_score_results_submission_id", "score_results", "submission_id"),
    ("ix_submissions_batch_id", "submissions", "batch_id"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, table, _ in INDEXES:
        op.drop_index(name, table)
