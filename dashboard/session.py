"""Who is using the dashboard: single-user mode while the store has no account, else a login.

A login lives in this browser session only (Streamlit keeps ``st.session_state`` per connection):
it ends on logout, after ``idle_minutes()`` without activity, or when the account is disabled.
Every check of a name, a password or a role is the service's (``lrc.service.accounts``); this
module only keeps the answer and asks again on every rerun whether the account is still active."""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

import streamlit as st
from sqlalchemy import Engine

from dashboard.i18n import tr
from dashboard.text import plain
from lrc.errors import LrcError
from lrc.service import accounts, audit
from lrc.service.access import ROLE_ZH, Action, Principal, single_user

KEY = "principal"
SEEN_KEY = "principal_seen"
DOOR = "dashboard"


def idle_minutes() -> float:
    """How long a login lasts without activity (``LRC_SESSION_MINUTES``, default 30)."""
    try:
        return max(float(os.environ.get("LRC_SESSION_MINUTES", "30")), 0.1)
    except ValueError:
        return 30.0


def client_address() -> str | None:
    """The browser's address as text, or None where the runtime does not know it (bare mode, app tests)."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - not every runtime knows its client (tests, bare mode)
        return None
    return address if isinstance(address, str) else None


def principal() -> Principal:
    """The principal of this session (set by ``require_login``, which every page run starts with)."""
    who = st.session_state.get(KEY)
    return who if isinstance(who, Principal) else single_user(DOOR)


def logout(message: str | None = None) -> None:
    st.session_state.pop(KEY, None)
    st.session_state.pop(SEEN_KEY, None)
    if message:
        st.session_state["login_message"] = message


def require_login(engine: Engine) -> Principal:
    """The principal of this run, or the login form and a stop."""
    if not accounts.accounts_exist(engine):
        who = single_user(DOOR).at(DOOR, client_address())
        st.session_state[KEY] = who
        return who
    kept = st.session_state.get(KEY)
    if isinstance(kept, Principal) and not kept.single_user:
        who = kept
        idle = time.monotonic() - float(st.session_state.get(SEEN_KEY, 0.0))
        if idle > idle_minutes() * 60:
            logout(tr("登录已过期,请重新登录。", "Your session expired; sign in again."))
        else:
            try:  # disabled since the login: out at once
                current = accounts.acting(engine, who.name, DOOR)
            except LrcError:
                logout(tr("账户已停用,请联系管理员。", "This account was disabled."))
            else:
                st.session_state[SEEN_KEY] = time.monotonic()
                who = current.at(DOOR, who.address)
                st.session_state[KEY] = who
                return who
    st.session_state.pop(KEY, None)
    login_form(engine)
    st.stop()
    raise AssertionError("unreachable")  # st.stop ends the run


AFTER_KEY = "after_login"


def remember_destination() -> None:
    """The page (and its query, e.g. ``?uscc=``) asked for before the login, to open after it."""
    if AFTER_KEY in st.session_state:
        return
    try:
        path = urlsplit(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]
    except Exception:  # noqa: BLE001 - no URL outside a browser session
        path = ""
    st.session_state[AFTER_KEY] = (path, {k: st.query_params[k] for k in st.query_params})


def destination() -> tuple[str, dict[str, str]] | None:
    """Where to go once signed in (once)."""
    value = st.session_state.pop(AFTER_KEY, None)
    return value if isinstance(value, tuple) and value[0] else None


def login_form(engine: Engine) -> None:
    remember_destination()
    st.title(tr("企业劳动关系信用评价 · 登录", "Labour-relations credit · Sign in"))
    message = st.session_state.pop("login_message", None)
    if message:
        st.info(message)
    with st.form("login", clear_on_submit=False):
        name = st.text_input(tr("用户名", "User name"), key="login_name")
        password = st.text_input(tr("密码", "Password"), type="password", key="login_password")
        submitted = st.form_submit_button(tr("登录", "Sign in"))
    if not submitted:
        return
    try:
        who = accounts.login(engine, name, password, DOOR, client_address())
    except LrcError as exc:
        st.error(plain(str(exc)))
        return
    st.session_state[KEY] = who
    st.session_state[SEEN_KEY] = time.monotonic()
    st.rerun()


def identity_box(engine: Engine, who: Principal) -> None:
    """Who is signed in, and the logout button (in the sidebar)."""
    if who.single_user:
        st.sidebar.caption(tr("单用户模式(尚未创建用户账户)", "Single-user mode (no accounts yet)"))
        return
    role = tr(ROLE_ZH[who.role], who.role.value)
    st.sidebar.caption(f"{plain(who.name)} · {role} · {plain(who.scope.label())}")
    if st.sidebar.button(tr("退出登录", "Sign out"), key="logout"):
        audit.record(engine, who, Action.login, f"user:{who.name}", "ok", "logout")
        logout(tr("已退出登录。", "Signed out."))
        st.rerun()
