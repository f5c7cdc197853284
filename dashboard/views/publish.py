"""发布 Publish (publishers and admins): the period chosen in the sidebar and a scope, a preview of what
publishing would freeze now, then a confirmation and the publication; and the list of publications.
The service checks the role again, for the preview too: a crafted request by anyone else is refused
there and recorded."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import controls, loaders, published, session, tables
from dashboard.errors import shows_errors
from dashboard.i18n import tr
from dashboard.text import plain
from lrc.publication.content import ListEntry, PublicationContent
from lrc.reference import CITIES, INDUSTRIES
from lrc.service.access import Action
from lrc.service.audit import refusal
from lrc.service.publication_views import entries_frame
from lrc.service.publications import get_publication, publish

SCOPE_KEY = "pub_scope"
CITY_KEY = "pub_city"
INDUSTRY_KEY = "pub_industry"
TITLE_KEY = "pub_title"
CONFIRM_KEY = "pub_confirm"
DONE_KEY = "pub_done"
TOP_ROWS = 20
ENTRY_COLUMNS = ["rank", "uscc", "name", "city", "industry_name", "total", "grade", "red_line"]
LIST_ENTRY_COLUMNS = ["uscc", "name", "city", "grade", "total", "reason"]


def scope_choice() -> str:
    """The scope as ``publish`` takes it: ``province``, ``city:210200`` or ``industry:C``."""
    kinds = {"province": tr("全省", "Province"), "city": tr("某市", "A city"), "industry": tr("某行业", "An industry")}
    left, right = st.columns([2, 3])
    kind = left.radio(tr("发布范围", "Scope"), list(kinds), key=SCOPE_KEY, horizontal=True, format_func=kinds.get)
    if kind == "city":
        city = right.selectbox(tr("市", "City"), list(CITIES), key=CITY_KEY, format_func=lambda c: f"{c} {CITIES[c]}")
        return f"city:{city}"
    if kind == "industry":
        section = right.selectbox(
            tr("行业门类", "Industry section"),
            list(INDUSTRIES),
            key=INDUSTRY_KEY,
            format_func=lambda c: f"{c} {INDUSTRIES[c]}",
        )
        return f"industry:{section}"
    return "province"


def listed(title: str, rows: list[ListEntry], key: str) -> None:
    """The honour or the exposure list of the preview."""
    st.markdown(tr(f"**{title}({len(rows):,} 家)**", f"**{title} ({len(rows):,})**"))
    if not rows:
        st.caption(tr("无", "None"))
        return
    frame = pd.DataFrame([r.model_dump() for r in rows], columns=LIST_ENTRY_COLUMNS)
    tables.show(frame, LIST_ENTRY_COLUMNS, key=key)


def show_preview(content: PublicationContent) -> None:
    st.subheader(tr("预览", "Preview"))
    st.caption(
        tr(
            f"拟发布 {plain(content.number)}「{plain(content.title)}」 · {plain(content.issuer)} · "
            f"范围 {plain(content.scope_zh)} · 指标体系 {plain(content.catalogue_version)} · "
            f"公开发布规则 {plain(content.policy_version)}",
            f"To publish: {plain(content.number)} “{plain(content.title)}” · {plain(content.issuer)} · "
            f"scope {plain(content.scope_zh)} · catalogue {plain(content.catalogue_version)} · "
            f"policy {plain(content.policy_version)}",
        )
    )
    cols = st.columns(3)
    cols[0].metric(tr("列出企业", "Enterprises listed"), f"{len(content.entries):,}")
    cols[1].metric(tr("红榜", "Honour list"), f"{len(content.honour):,}")
    cols[2].metric(tr("曝光台", "Exposure list"), f"{len(content.exposure):,}")
    top = min(TOP_ROWS, len(content.entries))
    st.markdown(tr(f"**排名前 {top} 名**", f"**First {top} of the ranking**"))
    tables.show(entries_frame(content).head(TOP_ROWS), ENTRY_COLUMNS, key="pub_preview_entries")
    listed(tr("红榜", "Honour list"), content.honour, "pub_preview_honour")
    listed(tr("曝光台", "Exposure list"), content.exposure, "pub_preview_exposure")
    for note in content.footnotes:
        st.caption(plain(note))


def _publish(period: str, scope: str, preview: PublicationContent) -> None:
    """Publish what was previewed (its title); say so when the results changed in between."""
    if not st.session_state.get(CONFIRM_KEY):
        st.warning(tr("请先勾选“我已核对预览,确认发布”。", "Tick the confirmation first."))
        return
    engine, who = loaders.engine(loaders.db_url()), session.principal()
    made = publish(engine, who, period, scope=scope, title=preview.title)
    _, content = get_publication(engine, who, made.id)
    loaders.forget_publications()
    st.session_state[CONFIRM_KEY] = False
    st.session_state[DONE_KEY] = {**made.model_dump(mode="json"), "as_previewed": content.entries == preview.entries}


def confirmation(period: str, scope: str, preview: PublicationContent) -> None:
    st.subheader(tr("确认发布", "Confirm"))
    st.caption(
        tr(
            "发布后永不修改或删除;再次发布同一期间和范围是新的版本,并注明替代哪一份。",
            "A publication is never changed or deleted; publishing again makes a new version that replaces it.",
        )
    )
    sure = st.checkbox(tr("我已核对预览,确认发布", "I have checked the preview; publish it"), key=CONFIRM_KEY)
    st.button(
        tr("发布", "Publish"),
        key="pub_go",
        type="primary",
        disabled=not sure,
        on_click=shows_errors(_publish),
        args=(period, scope, preview),
    )


def done() -> None:
    """The publication made in this session last: number, id and SHA-256."""
    made = st.session_state.get(DONE_KEY)
    if not isinstance(made, dict):
        return
    number, entries = plain(made["number"]), int(made["entries"])
    st.success(
        tr(
            f"已发布 {number}(发布编号 {made['id']}):{entries:,} 家企业",
            f"Published {number} (id {made['id']}): {entries:,} enterprises",
        )
    )
    st.markdown(f"SHA-256 `{made['hash']}`")
    if not made["as_previewed"]:
        st.warning(
            tr(
                "预览之后结果有变化,发布的内容与预览不同;请在排名页“已发布版本”中核对。",
                "The results changed after the preview: the publication differs from it; check it on Rankings.",
            )
        )


@shows_errors
def publish_section(period: str) -> None:
    st.caption(
        tr(
            f"期间 {plain(period)}(在左侧选择)· 发布该期间最新评分批次的当前结果,含其后记录引起的重算",
            f"Period {plain(period)} (chosen in the sidebar) · the current results of its newest run are published",
        )
    )
    scope = scope_choice()
    st.text_input(
        tr("标题(可选)", "Title (optional)"),
        key=TITLE_KEY,
        max_chars=200,
        placeholder=tr("空为按期间和范围生成", "empty: made from the period and scope"),
    )
    url, who = loaders.db_url(), session.principal()
    with st.spinner(tr("正在生成预览…", "Building the preview…")):
        preview = loaders.publication_preview(url, who, period, scope, st.session_state.get(TITLE_KEY) or "")
    show_preview(preview)
    confirmation(period, scope, preview)
    done()


def main() -> None:
    st.title(tr("发布", "Publish"))
    url, who = loaders.db_url(), session.principal()
    reason = refusal(who, Action.publish)
    run = controls.selected_run()
    if reason is not None:
        st.info(plain(reason))
    elif run is not None:
        publish_section(run.period)
    published.publication_list(url, who, key="pub_publications")


main()
