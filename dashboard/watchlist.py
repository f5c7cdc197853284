"""The analyst's watchlist: USCCs kept in ``st.session_state`` for the session. Keeping one is an
analyst's act (``Action.watchlist``): the controls are shown only to those allowed, and a change
is checked (and a refusal recorded) by the service whatever the request."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders, session
from dashboard.errors import shows_errors
from dashboard.i18n import tr
from lrc.service.access import Action, permitted
from lrc.service.audit import check

KEY = "watchlist"


def items() -> list[str]:
    return list(st.session_state.get(KEY, []))


def may_edit() -> bool:
    return permitted(session.principal().role, Action.watchlist)


def _check(uscc: str) -> None:
    check(loaders.engine(loaders.db_url()), session.principal(), Action.watchlist, f"enterprise:{uscc}")


def add(uscc: str) -> None:
    _check(uscc)
    current = items()
    if uscc not in current:
        st.session_state[KEY] = [*current, uscc]


def remove(uscc: str) -> None:
    _check(uscc)
    st.session_state[KEY] = [u for u in items() if u != uscc]


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
