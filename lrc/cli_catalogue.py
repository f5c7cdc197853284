"""`lrc catalogue …`: the indicator catalogue, the changes between editions and their impact."""

from __future__ import annotations

from typing import Annotated

import typer

from lrc import render, render_records
from lrc.cli_common import ActAs, DbUrl, JsonOrText, Period, TextOrJson, out, store_and_principal, text_or_json

catalogue_app = typer.Typer(help="指标体系 (the indicator catalogue).", invoke_without_command=True)


@catalogue_app.callback()
def catalogue(
    ctx: typer.Context,
    fmt: JsonOrText = TextOrJson.text,
    version: Annotated[str | None, typer.Option("--version", help="指标体系版本 (default newest)")] = None,
    as_: ActAs = None,
) -> None:
    """显示指标体系 8/20/33/75 (the indicator catalogue); 子命令 diff、impact 比较两个版本."""
    if ctx.invoked_subcommand is not None:
        return
    from indicators import load_catalogue

    cat = load_catalogue(version)
    text_or_json(fmt, lambda: render.catalogue_dict(cat), lambda: render.catalogue_text(out, cat))


@catalogue_app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="旧版本,如 2026.1")],
    new: Annotated[str, typer.Argument(help="新版本,如 2027.1")],
    fmt: JsonOrText = TextOrJson.text,
    as_: ActAs = None,
) -> None:
    """两个版本之间新增、删除、修改的条目 (items added, removed or changed)."""
    from indicators import load_catalogue
    from lrc.export import to_records
    from lrc.service.catalogues import catalogue_diff

    frame = catalogue_diff(load_catalogue(old), load_catalogue(new))
    text_or_json(fmt, lambda: to_records(frame), lambda: render_records.catalogue_changes(out, old, new, frame))


@catalogue_app.command("impact")
def impact(
    old: Annotated[str, typer.Argument(help="旧版本,如 2026.1")],
    new: Annotated[str, typer.Argument(help="新版本,如 2027.1")],
    period: Period,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """新版本对一个期间的企业有何影响:等级变化矩阵、排名相关、变化最大的条目,按城市和规模 (impact)."""
    from indicators import load_catalogue
    from lrc.service.catalogues import impact as impact_report

    engine, who = store_and_principal(db, as_)
    report = impact_report(engine, who, load_catalogue(old), load_catalogue(new), period)
    text_or_json(fmt, lambda: report.model_dump(mode="json"), lambda: render_records.impact(out, report))
