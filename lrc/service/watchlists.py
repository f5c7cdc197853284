"""Each user's watchlist, kept in the store (it follows the user from session to session and from the
dashboard to any other door). Keeping one is an analyst's act (``Action.watchlist``); only an enterprise
inside the user's scope can be added, and what is outside it is answered like what does not exist."""

from __future__ import annotations

from sqlalchemy import Engine, delete, insert, select

from lrc.errors import NotFoundError
from lrc.normalise import ascii_form
from lrc.service.access import Action, Principal
from lrc.service.audit import guarded
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import Watch


def watched(engine: Engine, who: Principal) -> list[str]:
    """The USCCs on ``who``'s watchlist, in the order they were added."""
    require_schema(engine)
    query = select(Watch.uscc).where(Watch.user_name == who.name).order_by(Watch.id)
    with engine.connect() as conn:
        return list(conn.scalars(query))


def watch(engine: Engine, who: Principal, uscc: str) -> None:
    """Add an enterprise of ``who``'s scope (added twice, it is there once)."""
    require_schema(engine)
    code = ascii_form(uscc).upper()[:18]
    with guarded(engine, who, Action.watchlist, f"enterprise:{code}") as entry, repo.writing(engine) as conn:
        ids = repo.enterprise_ids(conn, [code])
        regions = repo.latest_regions(conn, list(ids.values()))
        if code not in ids or not who.scope.contains(regions.get(ids[code]), code):
            raise NotFoundError(f"库中没有企业 {code},或你无权查看 (not found or not permitted)")
        there = select(Watch.id).where(Watch.user_name == who.name, Watch.uscc == code)
        if conn.execute(there).first() is None:
            conn.execute(insert(Watch).values(user_name=who.name, uscc=code, added_at=repo.now()))
        entry.detail = "watch"
        entry.write(conn)


def unwatch(engine: Engine, who: Principal, uscc: str) -> None:
    """Take an enterprise off ``who``'s watchlist (one no longer there, or no longer known, too)."""
    require_schema(engine)
    code = ascii_form(uscc).upper()[:18]
    with guarded(engine, who, Action.watchlist, f"enterprise:{code}") as entry, repo.writing(engine) as conn:
        conn.execute(delete(Watch).where(Watch.user_name == who.name, Watch.uscc.in_([uscc, code])))
        entry.detail = "unwatch"
        entry.write(conn)
