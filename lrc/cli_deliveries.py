"""`lrc batches` and `lrc deliveries`: what came in, by the ids `lrc ingest` and `lrc record ingest` print last."""

from __future__ import annotations

from typing import Annotated

import typer

from lrc import render
from lrc.cli_common import ActAs, DbUrl, JsonOrText, TextOrJson, out, store_and_principal, text_or_json


def batches(
    period: Annotated[str | None, typer.Option("--period", "-p", help="只列这个期间 (only this period)")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """列出导入批次:文件、行数、新版本数、导入人和时间,最新在前;非全省用户只列自己的 (list ingest batches)."""
    from lrc.service.deliveries import list_batches

    engine, who = store_and_principal(db, as_)
    listed = list_batches(engine, who, period)

    def table() -> None:
        if not listed:
            out.print("还没有导入批次 (no ingest batches)")
            return
        render.table(out, f"导入批次 (ingest batches):{len(listed)} 个,时间为北京时间",
                     ("编号", "期间", "文件", "行数", "新版本", "导入人", "导入时间"), [
            (str(b.id), b.period, b.file_name, str(b.rows), str(b.new_versions), b.actor, render.when(b.ingested_at))
            for b in listed
        ])  # fmt: skip

    text_or_json(fmt, lambda: [b.model_dump(mode="json") for b in listed], table)


def deliveries(fmt: JsonOrText = TextOrJson.text, db: DbUrl = None, as_: ActAs = None) -> None:
    """列出记录投递:来源、收到、新写入与已存在条数、投递人和时间,最新在前;非全省用户只列自己的 (list deliveries)."""
    from lrc.service.deliveries import list_deliveries

    engine, who = store_and_principal(db, as_)
    listed = list_deliveries(engine, who)

    def table() -> None:
        if not listed:
            out.print("还没有记录投递 (no deliveries)")
            return
        title = f"记录投递 (deliveries):{len(listed)} 次,时间为北京时间;`lrc records --delivery 编号` 列出其记录"
        render.table(out, title, ("编号", "来源", "收到", "新写入", "已存在", "投递人", "时间"), [
            (str(d.id), d.source, str(d.received), str(d.stored), str(d.already), d.actor, render.when(d.received_at))
            for d in listed
        ])  # fmt: skip

    text_or_json(fmt, lambda: [d.model_dump(mode="json") for d in listed], table)
