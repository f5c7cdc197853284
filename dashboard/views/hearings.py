"""听证 Hearings: candidates for CSR hearings with their reasons, a new individual or collective hearing,
the hearings by date (upcoming first) and one hearing's files, outcome, plan and dossiers
(``dashboard.hearing_detail``). Every read and write goes through the service with the signed-in person:
the service checks the role and the scope, and a refusal is shown as its message."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import controls, hearing_detail, hearing_list, loaders, session, tables
from dashboard.errors import shows_errors
from dashboard.i18n import tr
from dashboard.text import plain
from lrc.errors import UsageError
from lrc.service.access import Action, Principal
from lrc.service.audit import refusal
from lrc.service.hearing_candidates import CandidateOut, propose
from lrc.service.hearings import KIND_ZH, add_hearing, usccs_of
from lrc.times import today_in_china

CANDIDATES_KEY = "hear_candidates"
CHOSEN_KEY = "hear_chosen"
GROUPS = {"": ("不分组", "No grouping"), "industry": ("按行业", "By industry"), "size": ("按规模", "By size"),
          "ownership": ("按所有制", "By ownership")}  # fmt: skip
CANDIDATE_COLUMNS = ["group", "uscc", "name", "grade", "total", "reasons"]


def candidate_frame(found: list[CandidateOut]) -> pd.DataFrame:
    rows = [{**c.model_dump(), "group": c.group or "", "reasons": ";".join(c.reasons)} for c in found]
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)


@shows_errors
def candidates(run: controls.RunChoice | None) -> None:
    """Who to hear in the period chosen in the sidebar, and why."""
    st.subheader(tr("听证候选企业", "Candidates"))
    if run is None:
        return
    with st.form("hear_propose", border=False):
        cols = st.columns([2, 1, 2, 1], vertical_alignment="bottom")
        region = cols[0].text_input(tr("市或区县代码(可选)", "City or county code (optional)"), max_chars=6,
                                    key="hear_region")  # fmt: skip
        limit = cols[1].number_input(tr("最多家数", "At most"), min_value=1, max_value=500, value=20, key="hear_limit")
        group = cols[2].selectbox(tr("集体听证分组", "Grouping"), list(GROUPS), format_func=lambda g: tr(*GROUPS[g]),
                                  key="hear_group")  # fmt: skip
        asked = cols[3].form_submit_button(tr("提出候选", "Propose"), key="hear_propose_go")
    if asked:
        found = propose(loaders.engine(run.url), run.who, run.period, region=region.strip() or None,
                        limit=int(limit), group_by=group or None)  # fmt: skip
        st.session_state[CANDIDATES_KEY] = (run.period, [c.model_dump() for c in found])
    kept = st.session_state.get(CANDIDATES_KEY)
    if not kept:
        st.caption(tr(f"按期间 {plain(run.period)}(在左侧选择)的当前结果提出。", f"From the results of {run.period}."))
        return
    period, rows = kept
    st.caption(tr(f"期间 {plain(period)}:{len(rows)} 家候选企业", f"{plain(period)}: {len(rows)} candidates"))
    if rows:
        tables.show(candidate_frame([CandidateOut(**r) for r in rows]), CANDIDATE_COLUMNS, key="hear_candidate_table")


def candidate_labels() -> dict[str, str]:
    kept = st.session_state.get(CANDIDATES_KEY)
    return {r["uscc"]: f"{r['name']}({r['uscc']})" for r in (kept[1] if kept else [])}


@shows_errors
def new_hearing(who: Principal) -> None:
    """A hearing of the candidates chosen and any other enterprises named by code."""
    st.subheader(tr("登记听证", "New hearing"))
    labels = candidate_labels()
    with st.form("hear_new"):
        left, right = st.columns(2)
        kind = left.radio(tr("类型", "Kind"), list(KIND_ZH), horizontal=True, format_func=lambda k: KIND_ZH[k],
                          key="hear_kind")  # fmt: skip
        held_on = right.date_input(tr("听证日期", "Date"), value=today_in_china(), key="hear_date")
        title = st.text_input(tr("听证标题", "Title"), max_chars=200, key="hear_title")
        chosen = st.multiselect(tr("从候选企业中选择", "From the candidates"), list(labels),
                                format_func=lambda u: labels[u], key="hear_pick",
                                placeholder=tr("先在上方提出候选企业", "Propose candidates above first"))  # fmt: skip
        typed = st.text_input(tr("其他企业(统一社会信用代码,逗号分隔)", "Other enterprises (USCCs)"), key="hear_usccs")
        left, right = st.columns(2)
        chair = left.text_input(tr("主持人", "Chair"), max_chars=200, key="hear_chair")
        participants = right.text_input(tr("参加人员", "Participants"), max_chars=2000, key="hear_people")
        submitted = st.form_submit_button(tr("登记听证", "Create the hearing"), type="primary", key="hear_new_go")
    if submitted:
        if not isinstance(held_on, date):
            raise UsageError("请选择听证日期 (choose a date)")
        made = add_hearing(loaders.engine(loaders.db_url()), who, kind=kind, held_on=held_on, title=title,
                           enterprises=[*chosen, *usccs_of(typed)], chair=chair, participants=participants)  # fmt: skip
        st.session_state[CHOSEN_KEY] = made.id
        hearing_detail.written(tr(f"已登记听证 #{made.id}", f"Hearing #{made.id} created"))


@shows_errors
def hearings_section(run: controls.RunChoice | None) -> None:
    url, who = loaders.db_url(), session.principal()
    chosen = hearing_list.choose(loaders.hearings(url, who), CHOSEN_KEY)
    if chosen is not None:
        hearing_detail.show(url, who, chosen, run.period if run is not None else None)


def main() -> None:
    st.title(tr("听证", "Hearings"))
    who = session.principal()
    reason = refusal(who, Action.hearing)
    if reason is not None:
        st.info(
            tr("你的角色只能查看听证;登记和修改听证由分析员及以上办理:", "Your role may only read hearings: ")
            + plain(reason)
        )
    run = controls.selected_run()
    candidates(run)
    new_hearing(who)
    hearings_section(run)


main()
