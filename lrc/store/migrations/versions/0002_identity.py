"""Enterprise identity is append-only, and every submission records the USCC it was submitted under.

Before this, ``UPDATE enterprises SET uscc = …`` could swap two enterprises' codes, so the next
run published one firm's score under another's code while ``lrc verify`` still agreed. Now the
database refuses it, and verify checks each result's USCC against its submission's own copy.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _sqlite_guard(table: str, action: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'lrc: {table} is append-only'); END"
    )


def _pg_guard(table: str, action: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION lrc_append_only()"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("submissions", sa.Column("uscc", sa.String(18)))
    backfill = "UPDATE submissions SET uscc = (SELECT uscc FROM enterprises WHERE enterprises.id = enterprise_id)"
    if dialect == "postgresql":
        op.execute("ALTER TABLE submissions DISABLE TRIGGER submissions_no_update")
        op.execute(backfill)
        op.execute("ALTER TABLE submissions ENABLE TRIGGER submissions_no_update")
        op.execute(
            "CREATE TRIGGER enterprises_no_truncate BEFORE TRUNCATE ON enterprises "
            "FOR EACH STATEMENT EXECUTE FUNCTION lrc_append_only()"
        )
    else:
        op.execute("DROP TRIGGER submissions_no_update")
        op.execute(backfill)
        op.execute(_sqlite_guard("submissions", "UPDATE"))
    for action in ("UPDATE", "DELETE"):
        op.execute(
            _pg_guard("enterprises", action) if dialect == "postgresql" else _sqlite_guard("enterprises", action)
        )


def downgrade() -> None:
    for action in ("update", "delete", "truncate"):
        if action != "truncate" or op.get_bind().dialect.name == "postgresql":
            op.execute(
                f"DROP TRIGGER IF EXISTS enterprises_no_{action}"
                + (" ON enterprises" if op.get_bind().dialect.name == "postgresql" else "")
            )
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("uscc")
