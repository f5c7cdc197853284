"""`lrc user …`, `lrc token …` and `lrc audit`: accounts, API tokens and the audit log.

The CLI runs on the server for people who hold the database credentials: ``--as`` names who acts and
is trusted; passwords guard the dashboard and tokens the HTTP API."""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from lrc import render_accounts
from lrc.cli_common import (
    MAX_COUNT,
    ActAs,
    DbUrl,
    JsonOrText,
    TextOrJson,
    out,
    remember_format,
    store_and_principal,
    text_or_json,
)
from lrc.errors import UsageError

if TYPE_CHECKING:
    from lrc.service.accounts import UserOut

user_app = typer.Typer(help="用户账户 (user accounts).", no_args_is_help=True)
token_app = typer.Typer(help="HTTP API 令牌 (API tokens).", no_args_is_help=True)

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="从标准输入读取密码(第一行)(read the password from stdin)")
]


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or typed twice at a terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise UsageError("请用 --password-stdin 从标准输入提供密码 (use --password-stdin)")
    first = getpass.getpass("新密码 (new password): ")
    if getpass.getpass("再输入一次 (again): ") != first:
        raise UsageError("两次输入的密码不一致 (passwords differ)")
    return first


def _show_user(fmt: TextOrJson, user: UserOut, did: str) -> None:
    """An account after a change: JSON with its ``id``, or a line saying what was done and the id last."""
    text_or_json(fmt, lambda: user.model_dump(), lambda: render_accounts.user_line(out, user, did))


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="用户名(登录名)")],
    role: Annotated[str, typer.Option("--role", help="viewer|analyst|publisher|admin|enterprise")],
    scope: Annotated[str | None, typer.Option("--scope", help="市或区县代码,如 210200;不设为全省")] = None,
    uscc: Annotated[str | None, typer.Option("--uscc", help="企业用户绑定的统一社会信用代码")] = None,
    display_name: Annotated[str | None, typer.Option("--display-name", help="显示名称,如 张三")] = None,
    password_stdin: PasswordStdin = False,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """新建用户;第一个用户必须是管理员 (add an account; the first one is an admin)."""
    from lrc.service.accounts import add_user

    engine, who = store_and_principal(db, as_)
    password = read_password(password_stdin)
    user = add_user(engine, who, name, role, password, region=scope, uscc=uscc, display_name=display_name)
    _show_user(fmt, user, "已新建用户")


@user_app.command("list")
def user_list(fmt: JsonOrText = TextOrJson.text, db: DbUrl = None, as_: ActAs = None) -> None:
    """列出用户 (list accounts)."""
    from lrc.service.accounts import list_users

    engine, who = store_and_principal(db, as_)
    listed = list_users(engine, who)
    text_or_json(fmt, lambda: [u.model_dump() for u in listed], lambda: render_accounts.users(out, listed))


@user_app.command("disable")
def user_disable(
    name: Annotated[str, typer.Argument(help="用户名")],
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """停用用户:不能再登录,令牌失效 (disable an account and its tokens)."""
    from lrc.service.accounts import disable_user

    engine, who = store_and_principal(db, as_)
    user = disable_user(engine, who, name)
    _show_user(fmt, user, "已停用")


@user_app.command("enable")
def user_enable(
    name: Annotated[str, typer.Argument(help="用户名")],
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """重新启用用户,并解除锁定 (enable an account again and lift a lockout)."""
    from lrc.service.accounts import enable_user

    engine, who = store_and_principal(db, as_)
    user = enable_user(engine, who, name)
    _show_user(fmt, user, "已启用")


@user_app.command("passwd")
def user_passwd(
    name: Annotated[str, typer.Argument(help="用户名")],
    password_stdin: PasswordStdin = False,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """设置新密码(管理员,或本人),并解除锁定 (set a new password; lifts a lockout)."""
    from lrc.service.accounts import set_password

    engine, who = store_and_principal(db, as_)
    user = set_password(engine, who, name, read_password(password_stdin))
    _show_user(fmt, user, "已设置新密码")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="令牌所属用户")],
    label: Annotated[str | None, typer.Option("--label", help="用途说明,如 人社局数据交换")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """新建 API 令牌:第一行是令牌编号,最后一行是令牌本身,只显示这一次 (id first, the token last, once)."""
    from lrc.service.accounts import create_token

    engine, who = store_and_principal(db, as_)
    token = create_token(engine, who, name, label)
    text_or_json(fmt, lambda: token.model_dump(), lambda: render_accounts.new_token(out, token))


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="令牌编号")],
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """吊销令牌,立即失效 (revoke a token)."""
    from lrc.service.accounts import revoke_token

    engine, who = store_and_principal(db, as_)
    token = revoke_token(engine, who, token_id)

    def text() -> None:
        out.print(f"已吊销令牌 {token.id}(用户 {token.user},于 {token.revoked_at})")
        out.print(str(token.id))

    text_or_json(fmt, lambda: token.model_dump(), text)


@token_app.command("list")
def token_list(
    user: Annotated[str | None, typer.Option("--user", help="只列这个用户的")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """列出令牌(不含令牌本身)(list tokens, never their text)."""
    from lrc.service.accounts import list_tokens

    engine, who = store_and_principal(db, as_)
    listed = list_tokens(engine, who, user)
    text_or_json(fmt, lambda: [t.model_dump() for t in listed], lambda: render_accounts.tokens(out, listed))


def audit(
    user: Annotated[str | None, typer.Option("--user", help="只看这个用户")] = None,
    action: Annotated[str | None, typer.Option("--action", help="只看这种操作,如 ingest、score、login")] = None,
    since: Annotated[str | None, typer.Option("--since", help="不早于 YYYY-MM-DD(北京时间)")] = None,
    outcome: Annotated[str | None, typer.Option("--outcome", help="ok|denied|error")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_COUNT, help="最多列出条数")] = 1000,
    fmt: Annotated[str, typer.Option("--format", "-f", callback=remember_format, help="table 或 json")] = "table",
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """审计日志:谁、何时、从哪个入口、做了什么、结果如何(管理员)(the audit log, admins only)."""
    from lrc.ingest.records import parse_date
    from lrc.normalise import ascii_form
    from lrc.service.audit import audit_log

    if fmt not in ("table", "json"):
        raise UsageError(f"--format {fmt!r}:可选 table、json (unknown format)")
    start = None
    if since:
        start = parse_date(ascii_form(since))
        if start is None:
            raise UsageError(f"--since {since!r} 应写作 YYYY-MM-DD (date)")
    engine, who = store_and_principal(db, as_)
    entries = audit_log(engine, who, user=user, action=action, since=start, outcome=outcome, limit=limit)
    text_or_json(
        "json" if fmt == "json" else "text",
        lambda: [e.model_dump() for e in entries],
        lambda: render_accounts.audit(out, entries),
    )
