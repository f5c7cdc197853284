"""`lrc alerts` (list) and `lrc alert ack|close`: the alerts the rules raised on new results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from lrc import render
from lrc.cli_common import ActAs, DbUrl, JsonOrText, TextOrJson, out, store_and_principal, text_or_json

if TYPE_CHECKING:
    from lrc.service.alerts import AlertOut

alert_app = typer.Typer(help="处理预警:确认、关闭 (acknowledge or close an alert)", no_args_is_help=True)


def alerts(
    status: Annotated[str | None, typer.Option("--status", help="new | acknowledged | closed")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="只看这条规则,如 GRADE_FELL")] = None,
    region: Annotated[str | None, typer.Option("--region", help="市或区县代码,如 210200")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="最多列出条数")] = 500,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """列出你权限范围内、通知你的角色的预警,最新的在前 (alerts, newest first)."""
    from lrc.service.alerts import list_alerts

    engine, who = store_and_principal(db, as_)
    listed = list_alerts(engine, who, status=status, rule=rule, region=region, limit=limit)
    text_or_json(fmt, lambda: [a.model_dump(mode="json") for a in listed], lambda: _table(listed))


def _table(listed: list[AlertOut]) -> None:
    if not listed:
        out.print("没有符合条件的预警 (no alerts)")
        return
    from lrc.times import in_china

    columns = ("编号", "规则", "严重", "企业", "期间", "变化", "状态", "时间")
    render.table(out, f"预警 (alerts): {len(listed)} 条,时间为北京时间", columns, [
        (str(a.id), a.title_zh, a.severity_zh, f"{a.name} {a.uscc}", a.period, a.detail, a.status_zh,
         f"{in_china(a.raised_at):%Y-%m-%d %H:%M}")
        for a in listed
    ])  # fmt: skip


@alert_app.command("ack")
def ack(
    alert_id: Annotated[int, typer.Argument(help="预警编号")],
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """确认一条预警(已知悉,正在处理)(acknowledge); 最后一行是预警编号."""
    from lrc.service.alerts import acknowledge

    engine, who = store_and_principal(db, as_)
    done = acknowledge(engine, who, alert_id)
    text_or_json(fmt, lambda: done.model_dump(mode="json"), lambda: _stepped(done))


@alert_app.command("close")
def close(
    alert_id: Annotated[int, typer.Argument(help="预警编号")],
    note: Annotated[str, typer.Option("--note", help="处理情况(必填)")],
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """关闭一条预警并写明处理情况 (close with a note); 最后一行是预警编号."""
    from lrc.service.alerts import close as close_alert

    engine, who = store_and_principal(db, as_)
    done = close_alert(engine, who, alert_id, note)
    text_or_json(fmt, lambda: done.model_dump(mode="json"), lambda: _stepped(done))


def _stepped(done: AlertOut) -> None:
    out.print(f"预警 {done.id}「{done.title_zh}」{done.name} {done.uscc}:{done.status_zh}")
    out.print(str(done.id))
