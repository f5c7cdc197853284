"""填报: one enterprise's data for one period, entered by the enterprise itself (its account is bound to
its USCC) or by an analyst. Values are checked as they are entered, by the same rules as a file; a
draft can be saved and resumed; on submit the data is stored as a new version and scored at once."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import loaders, session
from dashboard.errors import shows_errors
from dashboard.i18n import tr
from dashboard.text import plain
from indicators import Catalogue
from lrc.periods import check_period
from lrc.service import explain
from lrc.service.access import Role
from lrc.service.forms import (
    FormField,
    FormGroup,
    form_catalogue,
    gains,
    layout,
    open_form,
    problems,
    save_draft,
    submit_form,
)
from lrc.service.submitting import SubmissionResult

PREFIX = "form_"
GENERATION = "form_generation"  # widget keys change with each load, so widgets start from the loaded values
INITIAL = "form_initial"
LOADED = "form_loaded"
TRIED = "form_tried"
RESULT = "form_result"
BOOL_CHOICES = ["", "是", "否"]


def key(name: str) -> str:
    return f"{PREFIX}{st.session_state.get(GENERATION, 0)}_{name}"


def load(values: dict[str, Any], groups: list[FormGroup]) -> None:
    """Start the widgets from stored or drafted values."""
    initial: dict[str, Any] = {}
    for group in groups:
        for f in group.fields:
            value = values.get(f.name)
            if f.type == "bool":
                value = value if value in BOOL_CHOICES else ("是" if value is True else "否" if value is False else "")
            elif f.type in ("int", "number"):
                value = None if value in (None, "") else float(value) if f.type == "number" else int(float(value))
            else:
                value = "" if value is None else str(value)
            initial[f.name] = value
    st.session_state[INITIAL] = initial
    st.session_state[GENERATION] = int(st.session_state.get(GENERATION, 0)) + 1


def entered(groups: list[FormGroup]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for group in groups:
        for f in group.fields:
            value = st.session_state.get(key(f.name))
            if value not in (None, ""):
                values[f.name] = value
    return values


def widget(f: FormField, locked: bool, reasons: list[str]) -> None:
    label = f"{f.label}{'(' + f.unit + ')' if f.unit else ''}{' *' if f.required else ''}"
    help_text = f.help or None
    start = st.session_state.get(INITIAL, {}).get(f.name)
    if f.type == "bool":
        st.selectbox(label, BOOL_CHOICES, index=BOOL_CHOICES.index(start or ""), key=key(f.name), help=help_text,
                     disabled=locked, format_func=lambda v: v or tr("(未填)", "(blank)"))  # fmt: skip
    elif f.type == "int":
        st.number_input(label, value=start, step=1, format="%d", key=key(f.name), help=help_text, disabled=locked)
    elif f.type == "number":
        st.number_input(label, value=start, step=0.01, format="%.2f", key=key(f.name), help=help_text, disabled=locked)
    else:
        st.text_input(label, value=start or "", key=key(f.name), help=help_text, disabled=locked, max_chars=100)
    for reason in reasons:
        st.error(plain(reason), icon=None)


def choose() -> tuple[str, str] | None:
    """The enterprise and period to fill in (an enterprise account has only its own)."""
    who = session.principal()
    left, right = st.columns(2)
    default = st.session_state.get("period") or ""
    period = left.text_input(tr("报告期", "Period"), value=default, key="form_period", placeholder="2026Q3")
    if who.role is Role.enterprise and who.scope.uscc:
        uscc = who.scope.uscc
        right.text_input(tr("统一社会信用代码", "USCC"), value=uscc, disabled=True, key="form_uscc_fixed")
    else:
        uscc = right.text_input(tr("统一社会信用代码", "USCC"), key="form_uscc_pick").strip().upper()
    if not period or not uscc:
        st.info(tr("请填写报告期和统一社会信用代码。", "Enter the period and the USCC."))
        return None
    return uscc, check_period(period)


def show_result(result: SubmissionResult) -> None:
    st.success(tr(f"已提交并评分:报送版本 {result.version},编号 {result.id}", f"Submitted and scored: id {result.id}"))
    cols = st.columns(4)
    cols[0].metric(tr("总分", "Total"), f"{result.total:.1f}")
    cols[1].metric(tr("等级", "Grade"), result.grade)
    rank = f"{result.province_rank} / {result.enterprises}" if result.province_rank else "—"
    cols[2].metric(tr("全省排名", "Province rank"), rank)
    cols[3].metric(tr("数据完整度", "Completeness"), f"{result.completeness:.0%}")
    if result.provisional:
        st.info(tr("该期间尚未评分,此分数为即时试算,期间评分后发布。",
                   "This period has not been scored yet: the score is provisional."))  # fmt: skip
        return
    engine, who = loaders.engine(loaders.db_url()), session.principal()
    expl = explain(engine, who, result.uscc, result.period, current=True)
    items = pd.DataFrame(expl.items)
    st.subheader(tr("逐项得分", "Item by item"))
    shown = items[["code", "name_zh", "points", "max_points", "reason"]].rename(
        columns={
            "code": tr("编码", "Code"),
            "name_zh": tr("条目", "Item"),
            "points": tr("得分", "Points"),
            "max_points": tr("分值", "Stake"),
            "reason": tr("原因", "Reason"),
        }  # fmt: skip
    )
    st.dataframe(shown, hide_index=True, width="stretch", key="form_items")
    possible = gains(expl.items)
    st.subheader(tr("补报可得", "What reporting the gaps could gain"))
    if not possible:
        st.caption(tr("没有未报送的条目。", "Nothing is missing."))
    else:
        frame = pd.DataFrame(possible)[["code", "name_zh", "gain"]].rename(
            columns={"code": tr("编码", "Code"), "name_zh": tr("条目", "Item"), "gain": tr("最多可得", "Up to")}
        )
        st.dataframe(frame, hide_index=True, width="stretch", key="form_gains")


def main() -> None:
    st.title(tr("填报", "Report"))
    chosen = choose()
    if chosen is None:
        return
    uscc, period = chosen
    engine, who = loaders.engine(loaders.db_url()), session.principal()
    catalogue = form_catalogue(engine, period)
    groups = layout(catalogue)
    if st.session_state.get(LOADED) != (uscc, period):
        opened = open_form(engine, who, uscc, period)
        load({**opened.values, "uscc": uscc}, groups)
        st.session_state[LOADED] = (uscc, period)
        st.session_state[TRIED] = False
        st.session_state["form_opened"] = opened.model_dump()
        st.session_state.pop(RESULT, None)
    opened = st.session_state["form_opened"]
    source = {"draft": tr(f"已载入草稿(保存于 {opened['saved_at']})", "Draft loaded"),
              "submission": tr("已载入已报送的数据,可修改后重新提交", "Loaded the stored submission"),
              "empty": tr("新的报送", "A new submission")}[opened["source"]]  # fmt: skip
    st.caption(f"{source} · {tr('报送截止', 'Deadline')} {opened['deadline']}")
    late = bool(opened["late"]) and who.role is Role.enterprise
    if late:
        st.warning(
            tr(f"已过报送截止日期 {opened['deadline']},请联系分析员补报。", "Past the deadline: ask an analyst.")
        )
    values = entered(groups)
    found = problems({**values, "uscc": uscc}, period, catalogue)
    tried = bool(st.session_state.get(TRIED))
    tabs = st.tabs([g.name for g in groups])
    for tab, group in zip(tabs, groups, strict=True):
        with tab:
            columns = st.columns(2)
            for i, f in enumerate(group.fields):
                with columns[i % 2]:
                    shown = found.get(f.name, []) if (tried or f.name in values) else []
                    widget(f, locked=(f.name == "uscc") or late, reasons=shown)
    waiting = sum(len(v) for k, v in found.items() if tried or k in values)
    if waiting:
        st.warning(tr(f"还有 {waiting} 处需要更正(见各字段下方)", f"{waiting} problems to fix (below each field)"))
    left, right, _ = st.columns([1, 1, 4])
    left.button(tr("保存草稿", "Save draft"), key="form_save", on_click=shows_errors(_save), args=(period, groups),
                disabled=late)  # fmt: skip
    right.button(tr("提交并评分", "Submit and score"), key="form_submit", type="primary",
                 on_click=shows_errors(_submit), args=(period, groups, catalogue), disabled=late)  # fmt: skip
    result = st.session_state.get(RESULT)
    if isinstance(result, dict):
        show_result(SubmissionResult(**{k: v for k, v in result.items() if k != "id"}))


def _save(period: str, groups: list[FormGroup]) -> None:
    engine, who = loaders.engine(loaders.db_url()), session.principal()
    draft_id = save_draft(engine, who, period, entered(groups))
    st.toast(tr(f"草稿已保存(编号 {draft_id})", f"Draft saved ({draft_id})"))


def _submit(period: str, groups: list[FormGroup], catalogue: Catalogue) -> None:
    st.session_state[TRIED] = True
    st.session_state.pop(RESULT, None)
    engine, who = loaders.engine(loaders.db_url()), session.principal()
    values = entered(groups)
    if problems(values, period, catalogue):
        return  # the fields show why; nothing is stored
    result = submit_form(engine, who, period, values)
    st.session_state[RESULT] = result.model_dump()
    loaders.refresh_if_rescored(loaders.db_url())


main()
