"""The analyst's watchlist: USCCs kept in ``st.session_state`` for the session."""

from __future__ import annotations

import streamlit as st

from dashboard.errors import shows_errors
from dashboard.i18n import tr

KEY = "watchlist"


def items() -> list[str]:
    return list(st.session_state.get(KEY, []))


def add(uscc: str) -> None:
    current = items()
    if uscc not in current:
        st.session_state[KEY] = [*current, uscc]


def remove(uscc: str) -> None:
    st.session_state[KEY] = [u for u in items() if u != uscc]


def toggle_button(uscc: str) -> None:
    """Add to or remove from the watchlist, as a button."""
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
