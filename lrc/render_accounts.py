"""Terminal rendering of accounts, tokens and the audit log (rich, plain text only)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from lrc.service.access import ROLE_ZH


def user_line(console: Console, user: Any, did: str) -> None:
    """One account after a change; its id last."""
    state = "在用" if user.active else "已停用"
    console.print(f"{did}:{user.name}({user.display_name}),{ROLE_ZH[user.role]} {user.role},{user.scope},{state}")
    console.print(str(user.id))


def users(console: Console, listed: list[Any]) -> None:
    if not listed:
        console.print("还没有用户账户:单用户模式,本机用户即管理员 (no accounts: single-user mode)")
        return
    grid = Table(title=f"用户 (users):{len(listed)} 个")
    for column in ("编号", "用户名", "显示名称", "角色", "范围", "状态", "锁定至", "创建人", "创建时间"):
        grid.add_column(column, overflow="fold")
    for u in listed:
        grid.add_row(
            str(u.id), u.name, u.display_name, f"{ROLE_ZH[u.role]} {u.role}", u.scope,
            "在用" if u.active else "已停用", _when(u.locked_until or ""), u.created_by, _when(u.created_at),
        )  # fmt: skip
    console.print(grid)


def tokens(console: Console, listed: list[Any]) -> None:
    if not listed:
        console.print("没有令牌 (no tokens)")
        return
    grid = Table(title=f"令牌 (tokens):{len(listed)} 个")
    for column in ("编号", "用户", "标签", "创建人", "创建时间", "吊销时间"):
        grid.add_column(column, overflow="fold")
    for t in listed:
        grid.add_row(str(t.id), t.user, t.label or "", t.created_by, _when(t.created_at), _when(t.revoked_at or ""))
    console.print(grid)


def new_token(console: Console, token: Any) -> None:
    """The token's id on the first line, the token itself (shown this once) on the last."""
    console.print(str(token.id))
    label = f",标签 {token.label}" if token.label else ""
    console.print(f"用户 {token.user} 的新令牌{label};只显示这一次,请妥善保存,库中只存其哈希 (shown once)")
    console.print(token.token, soft_wrap=True)


OUTCOME_ZH = {"ok": "成功", "denied": "拒绝", "error": "出错"}


def _when(stamp: str) -> str:
    """An ISO time in China Standard Time as a table shows it: 2026-11-29 18:30:05."""
    return stamp[:19].replace("T", " ")


def audit(console: Console, entries: list[Any]) -> None:
    if not entries:
        console.print("没有符合条件的审计记录 (no audit entries)")
        return
    grid = Table(title=f"审计日志 (audit log):{len(entries)} 条,最新在前")
    for column in ("编号", "时间", "用户", "角色", "入口", "操作", "对象", "结果", "说明", "地址"):
        grid.add_column(column, overflow="fold")
    for e in entries:
        grid.add_row(
            str(e.id), _when(e.at), e.actor, e.role, e.door, e.action, e.target or "",
            OUTCOME_ZH.get(e.outcome, e.outcome), e.detail or "", e.address or "",
        )  # fmt: skip
    console.print(grid)
