"""`lrc webhook add|remove` and `lrc webhooks [send]`: new alerts delivered to other systems (admins only)."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from lrc import render
from lrc.cli_common import ActAs, DbUrl, JsonOrText, TextOrJson, out, store_and_principal, text_or_json

if TYPE_CHECKING:
    from lrc.service.webhooks import HookPass, NewWebhook, PassReport, WebhookOut

webhook_app = typer.Typer(help="预警推送地址:新增、删除 (webhooks: add, remove).", no_args_is_help=True)
webhooks_app = typer.Typer(
    help="列出预警推送地址;`lrc webhooks send` 推送 (list webhooks; send).", invoke_without_command=True
)


@webhook_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="接收方地址 http(s)://…")],
    secret: Annotated[
        str | None, typer.Option("--secret", help="签名密钥(16–200 个字符);不给则随机生成 (HMAC secret)")
    ] = None,
    from_start: Annotated[
        bool, typer.Option("--from-start", help="也推送已有的全部事件;默认只推送此后的新预警 (send the backlog too)")
    ] = False,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """新增推送地址,每条新预警签名后 POST 给它;密钥只显示这一次,最后一行是编号 (add a webhook; id last)."""
    from lrc.service.webhooks import add_webhook

    engine, who = store_and_principal(db, as_)
    added = add_webhook(engine, who, url, secret, from_start=from_start)
    text_or_json(fmt, lambda: added.model_dump(), lambda: _added(added))


def _added(added: NewWebhook) -> None:
    out.print(f"已新增推送地址 {added.id}:{added.url}(待送 {added.pending} 条)", soft_wrap=True)
    out.print("签名密钥只显示这一次,请交给接收方妥善保存 (the secret, shown once):")
    out.print(added.secret, soft_wrap=True)
    out.print(str(added.id))


@webhook_app.command("remove")
def remove(
    webhook_id: Annotated[int, typer.Argument(help="推送地址编号")],
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """删除推送地址,不再推送(记录保留)(remove a webhook); 最后一行是编号."""
    from lrc.service.webhooks import remove_webhook

    engine, who = store_and_principal(db, as_)
    removed = remove_webhook(engine, who, webhook_id)

    def text() -> None:
        out.print(f"已删除推送地址 {removed.id}:{removed.url}(共送达 {removed.delivered} 条)", soft_wrap=True)
        out.print(str(removed.id))

    text_or_json(fmt, lambda: removed.model_dump(), text)


@webhooks_app.callback()
def webhooks(ctx: typer.Context, fmt: JsonOrText = TextOrJson.text, db: DbUrl = None, as_: ActAs = None) -> None:
    """列出预警推送地址:送达、待送、失败与下次重试,不含密钥 (list webhooks, never their secrets)."""
    if ctx.invoked_subcommand is not None:
        return
    from lrc.service.webhooks import list_webhooks

    engine, who = store_and_principal(db, as_)
    listed = list_webhooks(engine, who)
    text_or_json(fmt, lambda: [w.model_dump() for w in listed], lambda: _table(listed))


def _table(listed: list[WebhookOut]) -> None:
    if not listed:
        out.print("还没有推送地址,用 lrc webhook add URL 新增 (no webhooks)")
        return
    columns = ("编号", "地址", "状态", "已送达", "游标", "待送", "连续失败", "下次重试", "最近错误")
    render.table(out, f"预警推送地址 (webhooks):{len(listed)} 个,时间为北京时间", columns, [
        (str(w.id), w.url, "在用" if w.active else f"已删除 {render.when(w.removed_at)}", str(w.delivered),
         str(w.cursor), str(w.pending), str(w.attempts), render.when(w.next_attempt_at), w.last_error or "")
        for w in listed
    ])  # fmt: skip


@webhooks_app.command("send")
def send(
    once: Annotated[bool, typer.Option("--once", help="只推送一轮,然后报告送达与待送条数 (one pass)")] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="两轮之间等待的秒数 (seconds between passes)")
    ] = 5.0,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.5, max=120, help="每次请求的超时秒数 (seconds per request)")
    ] = 10.0,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """把预警推送给各地址:按顺序、签名、失败后退避重试;默认持续运行,Ctrl+C 停止 (deliver; runs until stopped)."""
    from lrc.service.webhooks import Delivery, deliver, run
    from lrc.webhooks import Sender

    engine, who = store_and_principal(db, as_)
    how = Delivery(sender=Sender(timeout=timeout))
    if once:
        report = deliver(engine, who, how)
        text_or_json(fmt, lambda: report.model_dump(), lambda: _report(report, quiet=False))
        return
    if fmt == TextOrJson.text:
        out.print(f"开始推送,每 {interval:g} 秒一轮,Ctrl+C 停止 (sending; Ctrl+C stops)")
    with _stopped_by_ctrl_c() as stop:  # the pass under way ends, then it stops (and counts what it sent)
        delivered = run(
            engine, who, how, interval=interval, on_pass=lambda r: _progress(r, fmt), until=stop.is_set, sleep=stop.wait
        )
    if fmt == TextOrJson.text:
        out.print(f"已停止 (stopped)。本次共送达 {delivered} 条")


@contextlib.contextmanager
def _stopped_by_ctrl_c() -> Iterator[threading.Event]:
    """An event the first Ctrl+C (SIGINT, SIGTERM) sets, for a loop to stop between passes; a second Ctrl+C
    interrupts at once. An interrupt raised anywhere inside a pass could leave a connection or a request half
    done, and the count of what was sent lost."""
    stop = threading.Event()

    def asked(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            signal.default_int_handler(signum, frame)
        stop.set()

    before = {s: signal.signal(s, asked) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def _progress(report: PassReport, fmt: TextOrJson) -> None:
    """A pass that delivered or failed: one JSON line, or its lines of text."""
    if not any(h.state in ("delivered", "failed") for h in report.hooks):
        return
    if fmt == TextOrJson.json:
        sys.stdout.write(json.dumps(report.model_dump(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    _report(report, quiet=True)


def _report(report: PassReport, *, quiet: bool) -> None:
    if not report.hooks and not quiet:
        out.print("没有在用的推送地址,用 lrc webhook add URL 新增 (no active webhooks)")
    for hook in report.hooks:
        if not quiet or hook.state in ("delivered", "failed"):
            out.print(f"[{report.at[11:19]}] {_hook_line(hook)}", soft_wrap=True)
    if not quiet:
        done, left = report.delivered, report.pending
        out.print(f"已送达 {done} 条,待送 {left} 条 (delivered {done}, pending {left})")


def _hook_line(hook: HookPass) -> str:
    line = f"推送地址 {hook.id} {hook.url}:{hook.state_zh},送达 {hook.delivered} 条,待送 {hook.pending} 条"
    if hook.error:
        line += f";{hook.error}"
    if hook.next_attempt_at:
        line += f";下次重试 {render.when(hook.next_attempt_at)}"
    return line
