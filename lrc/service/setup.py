"""Creating and upgrading the store: the first act on a new database, and an admin's later on."""

from __future__ import annotations

from sqlalchemy import Engine

from lrc.service.access import Action, Principal
from lrc.service.audit import check, record
from lrc.store import current_revision, upgrade


def init_store(engine: Engine, who: Principal) -> str:
    """Create the schema or upgrade it to the newest migration (an admin's act once accounts exist)."""
    check(engine, who, Action.init)
    before = current_revision(engine)
    revision = upgrade(engine)
    if before != revision:
        record(engine, who, Action.init, "schema", "ok", f"schema {before or 'none'} -> {revision}")
    return revision
