"""What people do with objections and credit repairs on the 异议与信用修复 page: an enterprise (or an analyst
on its behalf) files an objection or asks for a repair; an analyst accepts an objection for review, upholds
or overturns it, approves or rejects a repair, and runs the deadline check.

Each form calls the service with the signed-in person; permissions, deadlines and waiting periods are the
service's, and a refusal is shown as a message (``shows_errors``). After a write the cases (and any new
result) are read again and the page runs again with a line saying what was done."""

from __future__ import annotations

from contextlib import nullcontext

import streamlit as st

from dashboard import cases, loaders, profile, session
from dashboard.controls import RunChoice
from dashboard.errors import shows_errors
from dashboard.i18n import tr
from dashboard.text import plain
from dashboard.uploads import UPLOAD_TYPES, uploaded
from lrc.errors import LrcError, UsageError
from lrc.service.access import Role
from lrc.service.cases import check_overdue
from lrc.service.objections import ObjectionOut, decide, fact_pairs, file_objection, review, withdraw
from lrc.service.repairs import RepairOut, decide_repair, request_repair

DECISIONS = {
    "uphold": ("维持原结果", "Uphold the result"),
    "facts": ("异议成立:按更正的事实重新评分", "Overturn: rescore with corrected facts"),
    "revoke": ("异议成立:撤销工会认定的记录", "Overturn: revoke the union's record"),
}


def done(text: str, results: list | None = None, clear: tuple[str, ...] = ()) -> None:
    """Say what was done, read the cases again and run the page again (the widgets in ``clear`` emptied:
    a form keeps what was typed until it succeeds)."""
    for key in clear:
        st.session_state.pop(key, None)
    cases.remember(text, results)
    loaders.forget_cases(loaders.db_url())
    st.rerun()


def parse_facts(text: str) -> dict[str, str]:
    """Corrected facts typed one ``field=value`` a line (blank lines skipped) as the service takes them."""
    return fact_pairs((text or "").splitlines(), "更正事实")


# ---- analysts ----


@shows_errors
def overdue_check() -> None:
    """The daily deadline check, on demand: an alert for each open case past its deadline (once)."""
    if not st.button(tr("检查逾期并预警", "Check deadlines and alert"), key="case_overdue"):
        return
    found = check_overdue(loaders.engine(loaders.db_url()), session.principal())
    done(tr(f"检查日 {found.as_of}:逾期异议 {len(found.objections)} 项,逾期修复申请 {len(found.repairs)} 项,"
            f"新预警 {found.alerts} 条", f"As of {found.as_of}: {len(found.objections)} objections and "
            f"{len(found.repairs)} repairs overdue, {found.alerts} new alerts"))  # fmt: skip


@shows_errors
def review_form(case: ObjectionOut) -> None:
    with st.form(f"case_review_{case.id}", clear_on_submit=True):
        note = st.text_input(tr("受理说明", "Note"), max_chars=2000, key=f"case_review_note_{case.id}")
        sent = st.form_submit_button(tr("受理并开始复核", "Accept for review"), key=f"case_review_go_{case.id}")
    if sent:
        made = review(loaders.engine(loaders.db_url()), session.principal(), case.id, note)
        done(tr(f"异议 {made.id} 已受理,复核中", f"Objection {made.id} is under review"))


@shows_errors
def objection_decision(case: ObjectionOut) -> None:
    """Uphold, or overturn with corrected facts (``field=value`` a line) or by revoking the union's record."""
    with st.form(f"case_decide_{case.id}", clear_on_submit=False):
        choice = st.radio(tr("决定", "Decision"), list(DECISIONS), key=f"case_decision_{case.id}",
                          format_func=lambda d: tr(*DECISIONS[d]))  # fmt: skip
        facts = st.text_area(
            tr("更正后的事实(字段=值,每行一项;字段用数据模板的英文名,值写法同导入文件:是/否、数字)",
               "Corrected facts (field=value, one a line)"),
            key=f"case_facts_{case.id}", placeholder="worker_satisfaction_rate=0.98",
        )  # fmt: skip
        note = st.text_area(tr("决定说明(记入办理过程和审计日志)", "Note"), max_chars=2000, key=f"case_note_{case.id}")
        sent = st.form_submit_button(tr("作出决定", "Decide"), type="primary", key=f"case_decide_go_{case.id}")
    if not sent:
        return
    given = parse_facts(facts)
    if choice == "facts" and not given:
        raise UsageError("按更正的事实重新评分,须填写更正后的事实(字段=值)")
    if choice != "facts" and given:
        raise UsageError("只有“按更正的事实重新评分”时才填写更正后的事实")
    made = decide(loaders.engine(loaders.db_url()), session.principal(), case.id, uphold=choice == "uphold",
                  note=note, facts=given or None)  # fmt: skip
    done(tr(f"异议 {made.id}:{made.status_zh}", f"Objection {made.id}: {made.status}"), made.results)


@shows_errors
def repair_decision(case: RepairOut) -> None:
    with st.form(f"case_repair_decide_{case.id}", clear_on_submit=False):
        choice = st.radio(tr("决定", "Decision"), ["approve", "reject"], key=f"case_repair_choice_{case.id}",
                          format_func=lambda d: tr("批准修复(记录不再计分,生成新结果)", "Approve")
                          if d == "approve" else tr("不予修复", "Reject"))  # fmt: skip
        note = st.text_area(tr("决定说明", "Note"), max_chars=2000, key=f"case_repair_note_{case.id}")
        sent = st.form_submit_button(tr("作出决定", "Decide"), type="primary", key=f"case_repair_go_{case.id}")
    if sent:
        made = decide_repair(loaders.engine(loaders.db_url()), session.principal(), case.id,
                             approve=choice == "approve", note=note)  # fmt: skip
        done(tr(f"信用修复申请 {made.id}:{made.status_zh}", f"Repair {made.id}: {made.status}"), made.results)


@shows_errors
def withdraw_form(case: ObjectionOut) -> None:
    with st.expander(tr("撤回异议", "Withdraw")), st.form(f"case_withdraw_{case.id}", clear_on_submit=True):
        note = st.text_input(tr("撤回说明", "Note"), max_chars=2000, key=f"case_withdraw_note_{case.id}")
        sent = st.form_submit_button(tr("撤回", "Withdraw"), key=f"case_withdraw_go_{case.id}")
    if sent:
        made = withdraw(loaders.engine(loaders.db_url()), session.principal(), case.id, note)
        done(tr(f"异议 {made.id} 已撤回", f"Objection {made.id} withdrawn"))


# ---- enterprises (and analysts on their behalf) ----


def whose() -> str:
    """The enterprise an objection or a request is for: an enterprise account's own, else typed."""
    who = session.principal()
    if who.role is Role.enterprise and who.scope.uscc:
        st.text_input(tr("统一社会信用代码", "USCC"), value=who.scope.uscc, disabled=True, key="case_uscc_fixed")
        return who.scope.uscc
    return str(st.text_input(tr("企业统一社会信用代码(代企业提出)", "USCC (on its behalf)"), key="case_uscc")).strip()


@shows_errors
def objection_form(run: RunChoice, uscc: str) -> None:
    """An objection to one item of the enterprise's current result in the period chosen in the sidebar."""
    st.caption(tr(f"对期间 {plain(run.period)}(在左侧选择)当前评分结果的一个指标条目提出异议",
                  f"An objection to one item of the current result of {plain(run.period)}"))  # fmt: skip
    items = item_choices(run, uscc)
    with st.form("case_object", clear_on_submit=False):
        item = st.selectbox(tr("有异议的指标条目(失分的在前)", "Item (those that lost points first)"), list(items),
                            key="case_item", format_func=lambda c: items[c])  # fmt: skip
        reason = st.text_area(tr("异议理由", "Grounds"), max_chars=2000, key="case_reason")
        evidence = st.file_uploader(tr("证明材料(可选;PDF、Word 或图片)", "Evidence (optional)"), UPLOAD_TYPES,
                                    key="case_evidence")  # fmt: skip
        sent = st.form_submit_button(tr("提出异议", "File the objection"), type="primary", key="case_object_go")
    if not sent:
        return
    if not uscc:
        raise UsageError("请先填写企业统一社会信用代码")
    with uploaded(evidence) if evidence is not None else nullcontext() as path:
        made = file_objection(loaders.engine(run.url), session.principal(), uscc, run.period, str(item), reason,
                              evidence=path)  # fmt: skip
    said = tr(f"已提出异议 {made.id}({made.status_zh}),决定期限 {made.due_on}",
              f"Objection {made.id} filed ({made.status}), due {made.due_on}")  # fmt: skip
    if made.late:  # accepted, not silently: the notice's window is over
        said += tr(";", "; ") + cases.window_of(made)
    done(said, clear=("case_reason", "case_evidence"))


def item_choices(run: RunChoice, uscc: str) -> dict[str, str]:
    """The catalogue's items as ``code name``, those where the enterprise's current result lost points first
    (with the points lost), when its result can be read."""
    catalogue = loaders.catalogue(run.url, run.run_id)
    lost: dict[str, float] = {}
    if uscc:
        try:
            expl = loaders.explanation(run.url, run.who, run.run_id, run.period, uscc)
        except LrcError:  # not scored or not in scope: the service says so when the objection is filed
            expl = None
        if expl is not None:
            found = profile.lost_points(expl)
            lost = dict(zip(found["code"], found["lost"].astype(float), strict=True))
    codes = [c for c in lost if c in catalogue.item_codes] + [i.code for i in catalogue.items if i.code not in lost]
    marks = {c: tr(f"(失 {v:.1f} 分)", f" (lost {v:.1f})") for c, v in lost.items()}
    return {c: f"{c} {catalogue.item(c).name_zh}{marks.get(c, '')}" for c in codes}


@shows_errors
def repair_form(url: str, uscc: str) -> None:
    """A repair request for one of the enterprise's repairable records, with evidence and a written pledge."""
    if not uscc:
        st.caption(tr("请先填写企业统一社会信用代码。", "Enter the enterprise's USCC first."))
        return
    records = {r.record_id: r for r in loaders.repairable(url, session.principal(), uscc)}
    if not records:
        st.caption(tr("该企业没有可申请信用修复的记录。", "No record of this enterprise can be repaired."))
        return
    with st.form("case_repair", clear_on_submit=True):
        record = st.selectbox(
            tr("申请修复的记录", "Record"), list(records), key="case_record",
            format_func=lambda i: tr(f"#{i} {records[i].type_name}({records[i].tier_zh}),{records[i].ref},"
                                     f"可申请自 {records[i].repair_from}", f"#{i} {records[i].type}"),
        )  # fmt: skip
        evidence = st.file_uploader(tr("整改证明材料", "Evidence of correction"), UPLOAD_TYPES, key="case_fix")
        pledge = st.file_uploader(tr("书面信用承诺", "Written pledge"), UPLOAD_TYPES, key="case_pledge")
        sent = st.form_submit_button(tr("申请信用修复", "Request repair"), type="primary", key="case_repair_go")
    if not sent:
        return
    if evidence is None or pledge is None:
        raise UsageError("信用修复申请须上传整改证明材料和书面信用承诺")
    with uploaded(evidence) as fix, uploaded(pledge) as promise:
        made = request_repair(loaders.engine(url), session.principal(), uscc, int(record), evidence=fix,
                              pledge=promise)  # fmt: skip
    done(tr(f"已提交信用修复申请 {made.id},决定期限 {made.due_on}", f"Repair request {made.id}, due {made.due_on}"))
