"""`lrc record …` and `lrc records`: dated, sourced records and the re-scoring they cause."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lrc import render, render_records
from lrc.cli_common import (
    ActAs,
    DbUrl,
    ErrorsFile,
    JsonOrText,
    SheetName,
    TextOrJson,
    check_report_path,
    check_sheet,
    out,
    refuse_with_report,
    store_and_principal,
    text_or_json,
)
from lrc.errors import InputValidationError, UsageError

if TYPE_CHECKING:
    from lrc.service.records import RecordsSummary

record_app = typer.Typer(help="记录:监察、仲裁、事故、名单、荣誉等带日期和来源的事实 (records).", no_args_is_help=True)


@record_app.command("add")
def record_add(
    uscc: Annotated[str, typer.Argument(help="统一社会信用代码")],
    record_type: Annotated[str, typer.Option("--type", help="记录类型代码或中文名,见 `lrc record types`")],
    decided: Annotated[str, typer.Option("--date", help="决定日期 YYYY-MM-DD")],
    source: Annotated[str, typer.Option("--source", help="决定机关,如 沈阳市人力资源和社会保障局")],
    ref: Annotated[str, typer.Option("--ref", help="文书编号,如 沈人社监〔2026〕12号")],
    severity: Annotated[str | None, typer.Option("--severity", help="严重程度 轻微/一般/严重")] = None,
    workers: Annotated[str | None, typer.Option("--workers", help="涉及人数")] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="涉及金额(元)")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """登记一条记录,并立即重算该企业 (add a record; the enterprise is re-scored at once)."""
    from lrc.service.records import add_record

    values = {
        "uscc": uscc, "type": record_type, "date": decided, "source": source, "ref": ref,
        "severity": severity or "", "workers": workers or "", "amount": amount or "", "note": note or "",
    }  # fmt: skip
    engine, who = store_and_principal(db, as_)
    summary = add_record(engine, who, values)  # a refused record: cli.main lists its problems
    _show(fmt, summary, one=True)


@record_app.command("ingest")
def record_ingest(
    file: Annotated[Path, typer.Argument(help="CSV / XLSX / JSON 文件,列同 `lrc record add`")],
    errors: ErrorsFile = None,
    sheet: SheetName = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """导入记录文件;任何一行有错则整个文件不写入 (all or nothing)."""
    from lrc.service.records import ingest_records

    receive_file(file, errors, fmt, db, as_, ingest_records, sheet)


def receive_file(
    file: Path,
    errors: Path | None,
    fmt: TextOrJson,
    db: str | None,
    as_: str | None,
    service: Callable[..., Any],
    sheet: str | None = None,
) -> None:
    """A file of records through ``service`` (records or a credit-platform feed): all or nothing, the problems
    written to ``errors`` when asked, and what was stored and re-scored shown; ``sheet`` is a workbook's
    worksheet to read."""
    check_report_path(errors, file)
    check_sheet(sheet, file)
    engine, who = store_and_principal(db, as_)
    try:
        with render.progress("写入记录 (storing records)") as advance:
            summary = service(engine, who, file, progress=advance, sheet=sheet)
    except InputValidationError as exc:
        refuse_with_report(exc, errors)
    _show(fmt, summary, one=False)


def _show(fmt: TextOrJson, summary: RecordsSummary, *, one: bool) -> None:
    """What a delivery stored and re-scored: JSON with the record's ``id``, or the text whose last line is it."""
    text_or_json(
        fmt, lambda: summary.model_dump(mode="json"), lambda: render_records.records_summary(out, summary, one=one)
    )


@record_app.command("types")
def record_types(
    fmt: JsonOrText = TextOrJson.text,
    version: Annotated[str | None, typer.Option("--catalogue", help="指标体系版本 (catalogue edition)")] = None,
    as_: ActAs = None,
) -> None:
    """列出记录类型:计分条目、每条分值、显示期、可否修复、是否红线 (record types)."""
    from indicators import load_catalogue
    from lrc.service.record_views import record_type_table

    catalogue = load_catalogue(version)
    table = record_type_table(catalogue)
    if not table and fmt == TextOrJson.text:
        out.print(f"指标体系 {catalogue.version} 没有记录类型:违法和事故由企业按期间自报 (no record types)")
        return
    text_or_json(
        fmt, lambda: [t.model_dump(mode="json") for t in table], lambda: render_records.record_types(out, table)
    )


def records(
    uscc: Annotated[str | None, typer.Option("--uscc", help="只看这家企业")] = None,
    since: Annotated[str | None, typer.Option("--since", help="决定日期不早于 YYYY-MM-DD")] = None,
    delivery: Annotated[int | None, typer.Option("--delivery", help="只看这次投递的记录(导入时打印的编号)")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """列出你权限范围内已登记的记录,及其分值、显示期和是否仍在计分 (list records)."""
    from lrc.ingest.records import parse_date
    from lrc.normalise import ascii_form
    from lrc.service.record_views import list_records

    start: date | None = None
    if since:
        start = parse_date(ascii_form(since))
        if start is None:
            raise UsageError(f"--since {since!r} 应写作 YYYY-MM-DD (date)")
    engine, who = store_and_principal(db, as_)
    listed = list_records(engine, who, uscc=uscc, since=start, delivery=delivery)
    text_or_json(fmt, lambda: [r.model_dump(mode="json") for r in listed], lambda: render_records.records(out, listed))
