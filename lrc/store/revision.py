"""The schema revision lrc ships, read from the migration scripts' text (no SQLAlchemy, no alembic unless
the scripts' order is not plain): what a store must be at before anything reads it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from lrc.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision = [\"']([^\"']+)[\"']", re.M)
_DOWN = re.compile(r"^down_revision = [\"']([^\"']+)[\"']", re.M)


def alembic_config() -> Config:
    from alembic.config import Config  # alembic only to upgrade: reading needs none of it (start-up time)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def head_revision() -> str:
    """The newest migration shipped (read once: the scripts do not change while lrc runs): the one revision
    no other revises, read from the scripts' text; alembic itself decides when that is not plain."""
    revisions, revised = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revisions.update(_REVISION.findall(source))
        revised.update(_DOWN.findall(source))
    heads = revisions - revised
    if len(heads) == 1:
        return heads.pop()
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StoreError(f"{MIGRATIONS}: no migrations found (installation is broken)")
    return head
