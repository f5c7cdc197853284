"""The hearings by date on the 听证 page: the upcoming ones (today and later) soonest first, then the
earlier ones newest first; and the one chosen to look at."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import tables
from dashboard.i18n import tr
from lrc.service.hearings import HearingOut
from lrc.times import today_in_china

LIST_COLUMNS = ["hearing_id", "hearing_date", "kind_zh", "title", "members", "hearing_status", "files"]


def list_frame(listed: list[HearingOut]) -> pd.DataFrame:
    rows = [
        {"hearing_id": h.id, "hearing_date": h.date.isoformat(), "kind_zh": h.kind_zh, "title": h.title,
         "members": "、".join(e.name or e.uscc for e in h.enterprises), "hearing_status": h.status_zh,
         "files": len(h.attachments)}
        for h in listed
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=LIST_COLUMNS)


def by_date(listed: list[HearingOut], today: date) -> tuple[list[HearingOut], list[HearingOut]]:
    """The upcoming hearings (today and later), soonest first; then the earlier ones, newest first."""
    upcoming = sorted((h for h in listed if h.date >= today), key=lambda h: (h.date, h.id))
    earlier = sorted((h for h in listed if h.date < today), key=lambda h: (h.date, h.id), reverse=True)
    return upcoming, earlier


def choose(listed: list[HearingOut], key: str) -> HearingOut | None:
    """The hearings by date and the one chosen to look at."""
    st.subheader(tr("听证日程", "Hearings"))
    if not listed:
        st.caption(tr("还没有听证。", "No hearings yet."))
        return None
    upcoming, earlier = by_date(listed, today_in_china())
    for part, title, table_key in ((upcoming, tr("即将举行", "Upcoming"), "hear_upcoming"),
                                   (earlier, tr("以往听证", "Earlier"), "hear_earlier")):  # fmt: skip
        st.markdown(f"**{title}({len(part)})**")
        if part:
            tables.show(list_frame(part), LIST_COLUMNS, key=table_key)
        else:
            st.caption(tr("无。", "None."))
    ordered = {h.id: h for h in [*upcoming, *earlier]}
    if st.session_state.get(key) not in ordered:
        st.session_state[key] = next(iter(ordered))
    shown = st.selectbox(
        tr("查看听证", "Hearing"),
        list(ordered),
        key=key,
        format_func=lambda i: f"#{i} {ordered[i].date} {ordered[i].kind_zh} {ordered[i].title}",
    )
    return ordered[shown]
