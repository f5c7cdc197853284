"""Accounts and tokens: create, list, disable, change a password, sign in (with lockout), and turn a
command-line name or an API token into the principal that acts.

While no account exists, lrc is in single-user mode: whoever runs it on this machine acts as admin,
as before accounts existed. The first account must be an admin; from then on every command needs a
known, active user (``--as NAME`` or ``LRC_USER``)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from lrc.errors import ConflictError, NotFoundError, PermissionDenied, UsageError
from lrc.normalise import CONTROL, ascii_form
from lrc.passwords import (
    check_password,
    dummy_hash,
    hash_password,
    new_token,
    password_matches,
    token_digest,
)
from lrc.reference import PROVINCE_CODE, is_region
from lrc.scope import Scope
from lrc.service.access import Action, Principal, Role, single_user
from lrc.service.audit import Entry, check, deny, guarded, record
from lrc.store import accounts, require_schema
from lrc.store import repository as repo
from lrc.store.engine import store_exists, unreachable
from lrc.times import china_iso, in_china
from lrc.uscc import validate_uscc

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
NAME = re.compile(r"^[\w.@-]{1,64}$")  # letters (Chinese too), digits and . _ @ -
NAME_RULE = "用户名为 1–64 个字母、汉字、数字或 . _ @ - (user name: letters, digits, . _ @ -)"


class UserOut(BaseModel):
    id: int
    name: str
    display_name: str
    role: str
    scope: str  # in words
    region: str | None
    uscc: str | None
    active: bool
    locked_until: str | None
    created_by: str
    created_at: str


class TokenOut(BaseModel):
    id: int
    user: str
    label: str | None
    created_by: str
    created_at: str
    revoked_at: str | None


class NewToken(TokenOut):
    token: str  # shown once; only its hash is stored


def check_name(name: str) -> str:
    text = ascii_form(name).strip()
    if not NAME.match(text):
        raise UsageError(f"用户名 {text[:64]!r} 无效:{NAME_RULE}")
    return text


def user_scope(role: Role, region: str | None, uscc: str | None) -> Scope:
    """The scope of a new account, checked: an enterprise account is bound to one valid USCC; an
    admin sees the province; others the province, a city or a district."""
    region = ascii_form(region).strip() if region else None
    if role is Role.enterprise:
        if not uscc or region:
            raise UsageError("企业用户须用 --uscc 绑定一个统一社会信用代码,且不设 --scope (enterprise: --uscc only)")
        code = ascii_form(uscc).strip().upper()
        try:
            return Scope(uscc=validate_uscc(code))
        except ValueError as exc:
            raise UsageError(f"--uscc {code[:18]!r}:{exc}") from None
    if uscc:
        raise UsageError("只有企业用户 (enterprise) 绑定 --uscc (only the role enterprise takes --uscc)")
    if region in (None, PROVINCE_CODE):
        return Scope()
    if role is Role.admin:
        raise UsageError("管理员的范围是全省,不设 --scope (an admin's scope is the province)")
    if not is_region(region):
        raise UsageError(f"--scope {region[:12]!r} 不是辽宁的市或区县代码 (not a city or district code)")
    return Scope(region=region)


def principal_of(row: Any, door: str, address: str | None = None) -> Principal:
    return Principal(name=row.name, role=Role(row.role), scope=Scope(row.region, row.uscc), door=door, address=address)


def accounts_exist(engine: Engine) -> bool:
    """Whether any account exists (if not, lrc is in single-user mode)."""
    if not store_exists(engine):
        return False
    with engine.connect() as conn:
        return accounts.user_count(conn) > 0


def acting(engine: Engine, name: str | None, door: str = "cli") -> Principal:
    """Who acts at the command line: single-user mode while there is no account, else the named,
    active user (the CLI runs on the server, for people who hold the database credentials: the
    name is trusted, not authenticated; the dashboard and the HTTP API authenticate)."""
    if not store_exists(engine):  # nothing to look in (and `lrc init` has not created the file yet)
        count, row = 0, None
    else:
        try:
            with engine.connect() as conn:
                count = accounts.user_count(conn)
                row = accounts.user_by_name(conn, check_name(name)) if count and name else None
        except SQLAlchemyError as exc:
            raise unreachable(exc) from None
    if count == 0:
        if name:
            raise NotFoundError(f"用户 {name[:64]!r} 不存在:还没有任何用户账户 (no accounts yet; omit --as)")
        return single_user(door)
    if not name:
        who = Principal(name=f"{single_user().name} (未指明用户)", role=Role.viewer, door=door)
        deny(
            engine,
            who,
            Action.login,
            None,
            "已启用用户账户:请用 --as 用户名 或环境变量 LRC_USER 指明身份 (who are you?)",
        )
    if row is None or not row.active:
        who = Principal(name=check_name(name), role=Role.viewer, door=door)
        why = "不存在" if row is None else "已停用"
        deny(engine, who, Action.login, f"user:{who.name}", f"用户 {who.name} {why} (unknown or disabled user)")
    return principal_of(row, door)


def _user_out(r: dict[str, Any]) -> UserOut:
    locked = r["locked_until"]
    scope = Scope(r["region"], r["uscc"])
    return UserOut(
        id=int(r["id"]),
        name=r["name"],
        display_name=r["display_name"],
        role=r["role"],
        scope=scope.label(),
        region=scope.region,
        uscc=scope.uscc,
        active=bool(r["active"]),
        locked_until=china_iso(locked),
        created_by=r["created_by"],
        created_at=china_iso(r["created_at"]),
    )


def add_user(
    engine: Engine,
    who: Principal,
    name: str,
    role: str,
    password: str,
    *,
    region: str | None = None,
    uscc: str | None = None,
    display_name: str | None = None,
) -> UserOut:
    """A new account. The first one must be an admin, so that someone can manage the rest."""
    require_schema(engine)
    name = check_name(name)
    try:
        kind = Role(role)
    except ValueError:
        raise UsageError(f"角色 {role[:20]!r} 无效,可选 {', '.join(Role)} (unknown role)") from None
    scope = user_scope(kind, region, uscc)
    shown = (display_name or name).strip()
    if len(shown) > 100 or CONTROL.search(shown) or not shown:
        raise UsageError("显示名称须为 1–100 个字符,不含控制字符 (display name: 1-100 characters)")
    digest = hash_password(check_password(password))
    with guarded(engine, who, Action.users, f"user:{name}") as entry, repo.writing(engine) as conn:
        if accounts.user_count(conn) == 0 and kind is not Role.admin:
            raise ConflictError("第一个用户必须是管理员:lrc user add NAME --role admin (the first account is an admin)")
        if accounts.user_by_name(conn, name) is not None:
            raise ConflictError(f"用户 {name} 已存在 (user exists)")
        accounts.add_user(
            conn, name=name, display_name=shown, role=kind.value, region=scope.region, uscc=scope.uscc,
            active=True, password_hash=digest, failed_logins=0, created_by=who.name,
        )  # fmt: skip
        entry.detail = f"add {kind.value} {scope.label()}"
        entry.write(conn)
        return _user_out(accounts.users(conn, name)[0])


def list_users(engine: Engine, who: Principal) -> list[UserOut]:
    require_schema(engine)
    check(engine, who, Action.users)
    with engine.connect() as conn:
        return [_user_out(r) for r in accounts.users(conn)]


def _change(engine: Engine, who: Principal, name: str, what: str, **values: Any) -> UserOut:
    name = check_name(name)
    self_service = what == "passwd" and who.name == name and not who.single_user
    action_check = Action.login if self_service else Action.users
    with guarded(engine, who, action_check, f"user:{name}") as entry, repo.writing(engine) as conn:
        row = accounts.user_by_name(conn, name)
        if row is None:
            raise NotFoundError(f"用户 {name} 不存在 (no such user)")
        if what == "disable" and row.role == "admin" and accounts.active_admins(conn) == [name]:
            raise ConflictError("不能停用最后一个在用的管理员 (the last active admin)")
        accounts.change_user(conn, row.id, **values)
        entry.action = Action.users
        entry.detail = what
        if what == "disable":  # for good: enabling the account again does not bring its tokens back
            entry.detail += f" ({accounts.revoke_user_tokens(conn, row.id, who.name)} tokens revoked)"
        entry.write(conn)
        return _user_out(accounts.users(conn, name)[0])


def disable_user(engine: Engine, who: Principal, name: str) -> UserOut:
    return _change(engine, who, name, "disable", active=False)


def enable_user(engine: Engine, who: Principal, name: str) -> UserOut:
    return _change(engine, who, name, "enable", active=True, failed_logins=0, locked_until=None)


def set_password(engine: Engine, who: Principal, name: str, password: str) -> UserOut:
    """A new password (by an admin, or by the user for their own account); it also lifts a lockout."""
    digest = hash_password(check_password(password))
    return _change(engine, who, name, "passwd", password_hash=digest, failed_logins=0, locked_until=None)


def login(engine: Engine, name: str, password: str, door: str, address: str | None = None) -> Principal:
    """Check a password. After ``MAX_FAILURES`` wrong ones in a row the account is locked for ``LOCKOUT``
    (the lock and every failure are in the audit log). The answer never says which part was wrong."""
    require_schema(engine)
    wrong = PermissionDenied("用户名或密码错误 (wrong user name or password)")
    try:
        name = check_name(name)
    except UsageError:
        raise wrong from None
    who = Principal(name=name, role=Role.viewer, door=door, address=address)
    with repo.writing(engine) as conn:
        row = accounts.user_by_name(conn, name)
        matches = password_matches(row.password_hash if row is not None else dummy_hash(), password)
        now = repo.now()
        locked = row is not None and row.locked_until is not None and in_china(row.locked_until) > in_china(now)
        if row is not None and not locked and not matches:
            failures = row.failed_logins + 1
            lock = now + LOCKOUT if failures >= MAX_FAILURES else None
            accounts.change_user(conn, row.id, failed_logins=0 if lock else failures, locked_until=lock)
        elif row is not None and matches and not locked and row.active:
            accounts.change_user(conn, row.id, failed_logins=0, locked_until=None)
    if row is None:
        record(engine, who, Action.login, f"user:{name}", "denied", "unknown user")
        raise wrong
    who = principal_of(row, door, address)
    if locked:
        until = in_china(row.locked_until).strftime("%H:%M")
        record(engine, who, Action.login, f"user:{name}", "denied", "locked")
        raise PermissionDenied(f"账户已被锁定,请于 {until} 后再试 (account locked for {LOCKOUT.seconds // 60} minutes)")
    if not matches:
        detail = f"wrong password ({failures}/{MAX_FAILURES})" + ("; locked" if lock else "")
        record(engine, who, Action.login, f"user:{name}", "denied", detail)
        if lock:
            raise PermissionDenied(f"密码连续错误 {MAX_FAILURES} 次,账户锁定 15 分钟 (account locked)")
        raise wrong
    if not row.active:
        record(engine, who, Action.login, f"user:{name}", "denied", "disabled")
        raise PermissionDenied("账户已停用,请联系管理员 (account disabled)")
    record(engine, who, Action.login, f"user:{name}", "ok", None)
    return who


def _token_out(r: dict[str, Any]) -> dict[str, Any]:
    revoked = r["revoked_at"]  # (the store answers None, never NaN, for NULL)
    return {
        "id": int(r["id"]),
        "user": r["user"],
        "label": r["label"],
        "created_by": r["created_by"],
        "created_at": china_iso(r["created_at"]),
        "revoked_at": china_iso(revoked),
    }


def _own_or_admin(who: Principal, user: str) -> Action:
    return Action.login if who.name == user and not who.single_user else Action.users


def create_token(engine: Engine, who: Principal, name: str, label: str | None = None) -> NewToken:
    """A new API token for ``name`` (an admin's, or the user's own). Its text is returned once."""
    require_schema(engine)
    name = check_name(name)
    if label is not None and (len(label) > 100 or CONTROL.search(label)):
        raise UsageError("--label 最多 100 个字符,不含控制字符 (label: up to 100 characters)")
    token = new_token()
    with guarded(engine, who, _own_or_admin(who, name), f"user:{name}") as entry, repo.writing(engine) as conn:
        row = accounts.user_by_name(conn, name)
        if row is None or not row.active:
            raise NotFoundError(f"用户 {name} 不存在或已停用 (no such active user)")
        token_id = accounts.add_token(
            conn, user_id=row.id, label=label, token_hash=token_digest(token), created_by=who.name
        )
        entry.action, entry.target, entry.detail = Action.users, f"token:{token_id}", f"token for {name}"
        entry.write(conn)
        return NewToken(**_token_out(accounts.tokens(conn, token_id=token_id)[0]), token=token)


def revoke_token(engine: Engine, who: Principal, token_id: int) -> TokenOut:
    require_schema(engine)
    with engine.connect() as conn:
        row = accounts.token_row(conn, token_id=token_id) if 1 <= token_id <= repo.MAX_ID else None
    if row is None:
        raise NotFoundError(f"令牌 {token_id} 不存在 (no such token)")
    with guarded(engine, who, _own_or_admin(who, row.user_name), f"token:{token_id}") as entry:
        with repo.writing(engine) as conn:
            if row.revoked_at is None:
                accounts.revoke_token(conn, token_id, who.name)
            entry.action, entry.detail = Action.users, "revoke"
            entry.write(conn)
            return TokenOut(**_token_out(accounts.tokens(conn, token_id=token_id)[0]))


def list_tokens(engine: Engine, who: Principal, user: str | None = None) -> list[TokenOut]:
    """Tokens (never their text): every user's for an admin, one's own otherwise."""
    require_schema(engine)
    if _own_or_admin(who, user or "") is Action.users:
        check(engine, who, Action.users)
    with engine.connect() as conn:
        listed = accounts.tokens(conn, user)
    return [TokenOut(**_token_out(r)) for r in listed]


def token_principal(engine: Engine, token: str, door: str = "api", address: str | None = None) -> Principal:
    """The principal of a bearer token; an unknown, revoked or disabled one is refused (and recorded)."""
    require_schema(engine)
    with engine.connect() as conn:
        user = accounts.token_user(conn, token_digest(token))
    anonymous = Principal(name="(token)", role=Role.viewer, door=door, address=address)
    if user is None:
        deny(engine, anonymous, Action.login, None, "令牌无效 (invalid token)")
    if user.token_revoked_at is not None or not user.active:
        deny(
            engine,
            principal_of(user, door, address),
            Action.login,
            f"token:{user.token_id}",
            "令牌已吊销或用户已停用 (token revoked)",
        )
    return principal_of(user, door, address)


__all__ = [
    "Entry",
    "NewToken",
    "TokenOut",
    "UserOut",
    "acting",
    "add_user",
    "create_token",
    "disable_user",
    "enable_user",
    "list_tokens",
    "list_users",
    "login",
    "revoke_token",
    "set_password",
    "token_principal",
]
