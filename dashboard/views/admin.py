"""用户与审计 (admins): the accounts, adding one, disabling, enabling and resetting a password, and the
audit log with its filters. Every action goes through the service with the signed-in admin, which
checks the role again (a crafted request by anyone else is refused there and recorded)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import loaders, session
from dashboard.errors import shows_errors
from dashboard.i18n import tr
from lrc.service import accounts
from lrc.service.access import ROLE_ZH, Role
from lrc.service.audit import OUTCOMES, audit_log

USER_COLUMNS = {
    "id": ("编号", "Id"), "name": ("用户名", "User"), "display_name": ("显示名称", "Display name"),
    "role": ("角色", "Role"), "scope": ("范围", "Scope"), "active": ("在用", "Active"),
    "locked_until": ("锁定至", "Locked until"), "created_by": ("创建人", "Created by"),
    "created_at": ("创建时间", "Created"),
}  # fmt: skip
AUDIT_COLUMNS = {
    "id": ("编号", "Id"), "at": ("时间", "When"), "actor": ("用户", "User"), "role": ("角色", "Role"),
    "door": ("入口", "Door"), "action": ("操作", "Action"), "target": ("对象", "Object"),
    "outcome": ("结果", "Outcome"), "detail": ("说明", "Detail"), "address": ("地址", "Address"),
}  # fmt: skip


def _table(rows: list[dict], labels: dict[str, tuple[str, str]], key: str) -> None:
    frame = pd.DataFrame(rows, columns=list(labels))
    st.dataframe(
        frame.rename(columns={k: tr(*v) for k, v in labels.items()}),
        hide_index=True,
        width="stretch",
        key=key,
    )


def users_section() -> None:
    engine, who = loaders.engine(loaders.db_url()), session.principal()
    listed = accounts.list_users(engine, who)
    st.subheader(tr("用户", "Users"))
    _table([u.model_dump() for u in listed], USER_COLUMNS, "admin_users")
    if who.single_user:
        st.info(
            tr(
                "尚无用户账户。第一个账户(管理员)请在服务器上用命令行创建:"
                "`lrc user add 用户名 --role admin --password-stdin`;之后本看板需要登录。",
                "No accounts yet. Create the first (an admin) on the server: "
                "`lrc user add NAME --role admin --password-stdin`; the dashboard then needs a login.",
            )
        )
        return
    add_user_form()
    change_user_form([u.name for u in listed])


@shows_errors
def add_user_form() -> None:
    with st.form("admin_add_user", clear_on_submit=True):
        st.markdown(tr("**新建用户**", "**Add a user**"))
        left, right = st.columns(2)
        name = left.text_input(tr("用户名", "User name"), key="new_name")
        display = right.text_input(tr("显示名称", "Display name"), key="new_display")
        role = left.selectbox(
            tr("角色", "Role"), list(Role), key="new_role", format_func=lambda r: f"{ROLE_ZH[r]} {r.value}"
        )
        scope = right.text_input(
            tr("范围:市或区县代码,空为全省", "Scope: city or district code, empty for the province"), key="new_scope"
        )
        uscc = left.text_input(tr("企业用户的统一社会信用代码", "USCC (enterprise accounts)"), key="new_uscc")
        password = right.text_input(tr("初始密码(至少 8 位)", "Initial password (8+)"), type="password", key="new_pw")
        submitted = st.form_submit_button(tr("新建", "Add"))
    if submitted:
        engine, who = loaders.engine(loaders.db_url()), session.principal()
        user = accounts.add_user(
            engine,
            who,
            name,
            str(role),
            password,
            region=scope or None,
            uscc=uscc or None,
            display_name=display or None,
        )
        st.success(tr(f"已新建用户 {user.id}", f"User {user.id} added"))


@shows_errors
def change_user_form(names: list[str]) -> None:
    with st.form("admin_change_user"):
        st.markdown(tr("**停用、启用或重设密码**", "**Disable, enable or reset a password**"))
        left, right = st.columns(2)
        name = left.selectbox(tr("用户", "User"), names, key="change_name")
        action = right.radio(
            tr("操作", "Action"),
            ["disable", "enable", "passwd"],
            key="change_action",
            format_func=lambda a: {"disable": tr("停用", "Disable"), "enable": tr("启用并解锁", "Enable and unlock"),
                                   "passwd": tr("重设密码", "Reset password")}[a],
            horizontal=True,
        )  # fmt: skip
        password = left.text_input(tr("新密码(重设时)", "New password (reset)"), type="password", key="change_pw")
        submitted = st.form_submit_button(tr("执行", "Apply"))
    if submitted and name:
        engine, who = loaders.engine(loaders.db_url()), session.principal()
        if action == "disable":
            user = accounts.disable_user(engine, who, name)
        elif action == "enable":
            user = accounts.enable_user(engine, who, name)
        else:
            user = accounts.set_password(engine, who, name, password)
        st.success(tr(f"已完成:用户 {user.id}", f"Done: user {user.id}"))


def audit_section() -> None:
    engine, who = loaders.engine(loaders.db_url()), session.principal()
    st.subheader(tr("审计日志", "Audit log"))
    cols = st.columns(4)
    user = cols[0].text_input(tr("用户", "User"), key="audit_user").strip() or None
    action = cols[1].text_input(tr("操作(如 ingest、login)", "Action (e.g. ingest, login)"), key="audit_action")
    outcome = cols[2].selectbox(tr("结果", "Outcome"), ["", *OUTCOMES], key="audit_outcome")
    since = cols[3].date_input(tr("起始日期", "Since"), value=None, key="audit_since")
    entries = audit_log(
        engine,
        who,
        user=user,
        action=action.strip() or None,
        outcome=outcome or None,
        since=since if isinstance(since, date) else None,
        limit=2000,
    )
    st.caption(tr(f"最新 {len(entries)} 条,最新在前", f"{len(entries)} newest entries, newest first"))
    _table([e.model_dump() for e in entries], AUDIT_COLUMNS, "admin_audit")


def main() -> None:
    st.title(tr("用户与审计", "Users & audit"))
    users_section()
    audit_section()


main()
