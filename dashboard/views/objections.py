"""异议与信用修复 Objections and credit repair: the queue of objections and repair requests with their
deadlines (an enterprise account sees its own only: the service narrows every read to the signed-in
person's scope), one case in full with its evidence and history, the decision forms for those who decide,
and the forms to file an objection or ask for a repair for those who may."""

from __future__ import annotations

import streamlit as st

from dashboard import case_forms, cases, controls, loaders, session
from dashboard.i18n import tr
from dashboard.text import plain
from lrc.service.access import Action, Principal
from lrc.service.audit import refusal
from lrc.service.objections import ObjectionOut


def detail(who: Principal, queue: list[cases.Case], may_decide: bool, may_object: bool) -> None:
    """One case of the queue, chosen by its number, with what may be done with it."""
    by_key = {cases.key_of(c): c for c in queue}
    chosen = st.selectbox(
        tr("查看或办理", "Open a case"), list(by_key), key="case_pick",
        format_func=lambda k: f"{cases.title_of(by_key[k])} · {by_key[k].uscc} · {by_key[k].status_zh}",
    )  # fmt: skip
    case = by_key[str(chosen)]
    cases.facts_of(case)
    cases.downloads(who, case)
    cases.history(case)
    if case.status not in cases.OPEN:
        return
    if isinstance(case, ObjectionOut):
        if may_decide:
            st.markdown(tr("**决定**", "**Decide**"))
            if case.status == "filed":
                case_forms.review_form(case)
            case_forms.objection_decision(case)
        if may_object:
            case_forms.withdraw_form(case)
    elif may_decide:
        st.markdown(tr("**决定**", "**Decide**"))
        case_forms.repair_decision(case)


def filing(url: str, run: controls.RunChoice | None) -> None:
    """File an objection or ask for a repair (an enterprise for itself, an analyst on its behalf)."""
    st.header(tr("提出异议或申请信用修复", "File an objection or request a repair"))
    uscc = case_forms.whose()
    objection, repair = st.tabs([tr("提出异议", "Objection"), tr("申请信用修复", "Credit repair")])
    with objection:
        if run is not None:
            case_forms.objection_form(run, uscc)
    with repair:
        case_forms.repair_form(url, uscc)


def enterprise_names(run: controls.RunChoice | None) -> dict[str, str]:
    """USCC → name in the results of the period chosen in the sidebar (for the cases that carry no name)."""
    if run is None:
        return {}
    frame = loaders.results(run.url, run.who, run.run_id)
    return dict(zip(frame["uscc"], frame["name"], strict=True))


def main() -> None:
    st.title(tr("异议与信用修复", "Objections and credit repair"))
    url, who = loaders.db_url(), session.principal()
    cases.last_notice()
    may_decide = refusal(who, Action.decide) is None
    may_object = refusal(who, Action.object) is None
    st.caption(plain(who.scope.label()) + tr(" · 只显示你权限范围内的案件", " · cases inside your scope only"))
    st.header(tr("办理队列", "Queue"))
    if may_decide:
        case_forms.overdue_check()
    run = controls.selected_run()
    queue = cases.queue(url, who, enterprise_names(run))
    if queue:
        detail(who, queue, may_decide, may_object)
    if may_object:
        filing(url, run)


main()
