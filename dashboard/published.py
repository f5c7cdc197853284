"""Publications as readers see them: the list of every publication, and the choice between the current
results and a publication as published, with the line that says which one is on the screen."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import loaders, tables
from dashboard.controls import RunChoice
from dashboard.i18n import tr
from dashboard.text import plain
from lrc.service.access import Principal
from lrc.service.publications import PublicationOut
from lrc.times import in_china

VIEW_KEY = "rank_view"
CHOSEN_KEY = "rank_publication"
LIST_COLUMNS = [
    "publication_id", "number", "period", "scope_zh", "enterprises", "publisher", "published_at", "replaced_by",
]  # fmt: skip


def day(value: Any) -> str:
    return in_china(value).strftime("%Y-%m-%d")


def list_frame(listed: list[PublicationOut]) -> pd.DataFrame:
    """One row per publication (``LIST_COLUMNS``), as listed."""
    numbers = {p.id: p.number for p in listed}
    rows = [
        {"publication_id": p.id, "number": p.number, "period": p.period, "scope_zh": p.scope_zh,
         "enterprises": p.entries, "publisher": p.publisher,
         "published_at": in_china(p.published_at).strftime("%Y-%m-%d %H:%M"),
         "replaced_by": "" if p.replaced_by is None else numbers.get(p.replaced_by, str(p.replaced_by))}
        for p in listed
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=LIST_COLUMNS)


def publication_list(url: str, who: Principal, *, key: str, folded: bool = False) -> None:
    """Every publication, newest first, with the one that replaced it (every reader may see them)."""
    listed = loaders.publications(url, who)
    title = tr(f"发布记录({len(listed)} 份)", f"Publications ({len(listed)})")
    box = st.expander(title) if folded else st.container()
    if not folded:
        box.subheader(title)
    with box:
        if not listed:
            st.caption(tr("还没有任何发布。", "Nothing has been published yet."))
            return
        tables.show(list_frame(listed), LIST_COLUMNS, key=key)


def choose(run: RunChoice) -> PublicationOut | None:
    """The current results or, when the run's period has a publication, one as published (the newest by
    default), and the line saying which one is shown; the publication chosen, or None for the current results."""
    everything = loaders.publications(run.url, run.who)
    mine = [p for p in everything if p.period == run.period]
    modes = {"current": tr("当前结果", "Current results"), "published": tr("已发布版本", "As published")}
    view = "current"
    if mine:
        view = st.radio(tr("查看", "Show"), list(modes), key=VIEW_KEY, horizontal=True, format_func=modes.get)
    if view == "current":
        st.info(tr("正在查看:当前结果(未发布,可能变化)", "Showing: the current results (not published, may change)"))
        return None
    by_id = {p.id: p for p in mine}
    if st.session_state.get(CHOSEN_KEY) not in by_id:
        st.session_state[CHOSEN_KEY] = mine[0].id
    if len(mine) > 1:
        st.selectbox(
            tr("发布版本", "Publication"),
            list(by_id),
            key=CHOSEN_KEY,
            format_func=lambda i: f"{by_id[i].number} · {by_id[i].scope_zh} · {day(by_id[i].published_at)}",
        )
    chosen = by_id[st.session_state[CHOSEN_KEY]]
    st.info(banner(chosen, {p.id: p.number for p in everything}))
    return chosen


def banner(publication: PublicationOut, numbers: dict[int, str]) -> str:
    """Which publication is shown, in one line of Markdown."""
    number, scope = plain(publication.number), plain(publication.scope_zh)
    when, count = day(publication.published_at), publication.entries
    later = ""
    if publication.replaced_by is not None:
        newer = plain(numbers.get(publication.replaced_by, publication.replaced_by))
        later = tr(f";已被 {newer} 替代,不是最新版本", f"; replaced by {newer}, not the newest")
    return tr(
        f"正在查看:已发布版本 {number}({when} 发布)· {scope} · {count:,} 家企业{later}",
        f"Showing: as published in {number} ({when}) · {scope} · {count:,} enterprises{later}",
    )
