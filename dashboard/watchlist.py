"""The analyst's watchlist, kept in the store per user (``lrc.service.watchlists``): it is there again at
the next sign-in. Keeping one is an analyst's act (``Action.watchlist``): the controls are shown only to
those allowed, and a change is checked (and a refusal recorded) by the service whatever the request."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders, session
from dashboard.errors import shows_errors
from dashboard.i18n import tr
from lrc.service import watchlists
from lrc.service.access import Action, permitted


def items() -> list[str]:
    return watchlists.watched(loaders.engine(loaders.db_url()), session.principal())


def may_edit() -> bool:
    return permitted(session.principal().role, Action.watchlist)


def add(uscc: str) -> None:
    watchlists.watch(loaders.engine(loaders.db_url()), session.principal(), uscc)


def remove(uscc: str) -> None:
    watchlists.unwatch(loaders.engine(loaders.db_url()), session.principal(), uscc)


def toggle_button(uscc: str) -> None:
    """Add to or remove from the watchlist, as a button (for those who may)."""
    if not may_edit():
        return
    if uscc in items():
        st.button(
            tr("移出关注清单", "Remove from watchlist"),
            key=f"unwatch-{uscc}",
            on_click=shows_errors(remove),
            args=(uscc,),
        )
    else:
        st.button(
            tr("加入关注清单", "Add to watchlist"),
            key=f"watch-{uscc}",
            on_click=shows_errors(add),
            args=(uscc,),
        )
