"""The `lrc` command. Every command calls the service layer; errors become one
line and an exit code here, in one place; tracebacks go to the log file."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.text import Text

from lrc import render
from lrc.cli_accounts import audit, token_app, user_app
from lrc.cli_alerts import alert_app, alerts
from lrc.cli_cases import expire, objection_app, objections, repair_app, repairs
from lrc.cli_catalogue import catalogue_app
from lrc.cli_common import (
    MAX_COUNT,
    ActAs,
    DbUrl,
    Edition,
    ErrorsFile,
    Fmt,
    JsonOrText,
    Output,
    Period,
    SheetName,
    TextOrJson,
    check_output,
    check_report_path,
    check_sheet,
    err,
    error_json,
    errors_as_json,
    forget_format,
    in_chinese,
    log,
    numeric_form,
    out,
    refuse_with_report,
    remember_format,
    say_error,
    store_and_principal,
    text_or_json,
    write_json,
)
from lrc.cli_deliveries import batches, deliveries
from lrc.cli_dossier import dossier
from lrc.cli_exchange import exchange_app, site_app
from lrc.cli_hearings import hearing_app, hearings, plan_app
from lrc.cli_publications import publication_app, publications, publish, verify_publication_command
from lrc.cli_records import record_app, records
from lrc.cli_risk import risk_app
from lrc.cli_spark import export, import_results, spark_app
from lrc.cli_webhooks import webhook_app, webhooks_app
from lrc.errors import INTERNAL_CODE, INTERNAL_TITLE, InputValidationError, LrcError, UsageError, shorten

if TYPE_CHECKING:
    from indicators import Catalogue

app = typer.Typer(
    help="企业劳动关系信用评价系统 lrc (enterprise labour-relations credit scoring).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        import lrc
        from indicators.editions import available_versions

        out.print(f"lrc {lrc.__version__},指标体系 (catalogue) {_newest_edition(available_versions())}")
        raise typer.Exit()


def _newest_edition(versions: list[str]) -> str:
    """The newest shipped edition by its file name (each file's name is its version, and released
    editions are pinned by hash), without parsing it; with none shipped, the loader's own error."""
    if versions:
        return versions[-1]
    from indicators import load_catalogue

    return load_catalogue().version


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="显示版本 (show version)")
    ] = False,
) -> None:
    """企业劳动关系信用评价系统 lrc (enterprise labour-relations credit scoring)."""


@app.command()
def init(db: DbUrl = None, as_: ActAs = None) -> None:
    """创建或升级数据库 (create or upgrade the database)."""
    from lrc.service.setup import init_store
    from lrc.store import database_url

    engine, who = store_and_principal(db, as_)
    revision = init_store(engine, who)
    out.print(f"数据库已就绪 (database ready): {database_url(db)}  schema {revision}")


@app.command()
def sample(
    n: Annotated[int, typer.Option("--n", min=1, max=MAX_COUNT, help="企业数量 (enterprises)")] = 500,
    seed: Annotated[int, typer.Option("--seed", min=0, help="随机种子,非负整数 (seed)")] = 2014,
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV / XLSX / JSON 文件")] = Path("sample.csv"),
    period: Annotated[
        str | None,
        typer.Option("--period", "-p", help="期间,默认 2026Q3;同一种子不同期间是同一批企业 (same seed = same firms)"),
    ] = None,
    records: Annotated[
        Path | None, typer.Option("--records", help="同时写出这些企业的样例记录 (also write sample records)")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="记录截止日期 YYYY-MM-DD,默认今天 (records up to this day)")
    ] = None,
    periods: Annotated[
        str | None,
        typer.Option(
            "--periods",
            help="多期面板 2024Q1..2026Q4:--output 为目录,每期一个企业文件加全部记录 (a multi-period panel)",
        ),
    ] = None,
    edition: Edition = None,
    as_: ActAs = None,
) -> None:
    """生成确定性的样例企业数据,可同时生成样例记录 (deterministic synthetic enterprises and records).

    --periods FIRST..LAST 生成多期面板:--output 目录下每期 enterprises-<期间>.csv 与 records.csv
    (企业有进有出、先在记录中显现后在等级中显现的恶化、季节性与噪声;记录不晚于今天)。"""
    from indicators import load_catalogue
    from lrc.ingest.records import parse_date
    from lrc.normalise import ascii_form
    from lrc.periods import check_period
    from lrc.samples import generate, write_sample
    from lrc.samples.records import generate_records, write_records
    from lrc.times import today_in_china

    if periods is not None and records is not None:
        raise UsageError("--periods 已在目录中写出 records.csv,不能同时用 --records (records.csv is written)")
    if periods is not None and period is not None:
        raise UsageError(
            f"--periods 生成 {periods[:40]} 每一期的面板,不能同时用 --period {period[:16]} (one period or a panel)"
        )
    catalogue = load_catalogue(edition)
    period = check_period(period or SAMPLE_PERIOD)
    day = parse_date(ascii_form(as_of)) if as_of else today_in_china()
    if day is None or day > today_in_china():
        raise UsageError(f"--as-of {as_of!r} 应为不晚于今天的日期 YYYY-MM-DD (a date not after today)")
    if periods is not None:
        _sample_panel(n, seed, periods, output, day, catalogue)
        return
    for written in (output, records):
        if written is not None:
            check_output(written)
    with render.progress("生成样例企业 (generating enterprises)") as advance:  # a million take a minute
        frame = generate(n, seed=seed, period=period, catalogue=catalogue)
        write_sample(frame, output)
        advance(n)
    out.print(f"已生成 {n} 家样例企业 → {output} (seed {seed}, period {period}, 指标体系 {catalogue.version})")
    if records is not None:
        made = generate_records(n, seed=seed, today=day, catalogue=catalogue)
        write_records(made, records)
        out.print(f"已生成 {len(made)} 条样例记录 → {records} (截至 {day.isoformat()})")


SAMPLE_PERIOD = "2026Q3"  # the period of `lrc sample` given neither --period nor --periods


def _sample_panel(n: int, seed: int, spec: str, output: Path, day: date, catalogue: Catalogue) -> None:
    from lrc.periods import FIRST_DAY, period_end, period_range, period_start
    from lrc.samples import write_sample
    from lrc.samples.panel import generate_panel
    from lrc.samples.records import write_records

    periods = period_range(spec)
    if any(not p[4:].startswith("Q") for p in periods):
        raise UsageError(f"--periods {spec[:40]!r} 应为季度范围,如 2024Q1..2026Q4 (quarters only)")
    if period_end(periods[0]) < FIRST_DAY:
        reason = f"--periods 的第一期 {periods[0]} 早于评价体系启用(2014 年 12 月),无法导入 (before the system began)"
        raise UsageError(reason)
    if period_start(periods[-1]) > day:
        reason = f"--periods 的最后一期 {periods[-1]} 在 {day.isoformat()} 之后才开始 (a period not started yet)"
        raise UsageError(reason)
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output} 已存在且不是目录 (with --periods, --output is a directory)")
    if not output.parent.is_dir():
        raise UsageError(f"目录 {output.parent} 不存在,请先创建 (directory does not exist)")
    # a panel's files from an earlier run over other quarters would be read as part of this one
    names = {f"enterprises-{p}.csv" for p in periods}
    stale = sorted(f.name for f in output.glob("enterprises-*.csv") if f.name not in names)  # none if it is new
    if stale:
        shown = "、".join(stale[:3]) + (f" 等 {len(stale)} 个" if len(stale) > 3 else "")
        raise UsageError(
            f"目录 {output} 中已有其他期间的面板文件 {shown},请换一个目录或先删除它们"
            " (the folder holds another panel's files)"
        )
    output.mkdir(exist_ok=True)
    with render.progress("生成面板 (generating the panel)") as advance:
        panel = generate_panel(n, seed=seed, periods=periods, today=day, catalogue=catalogue, progress=advance)
        for period, frame in panel.frames.items():
            write_sample(frame, output / f"enterprises-{period}.csv")
        write_records(panel.records, output / "records.csv")
    sizes = [len(f) for f in panel.frames.values()]
    out.print(
        f"已生成 {len(periods)} 期样例面板 → {output}(每期 {min(sizes)}–{max(sizes)} 家企业,"
        f"记录 {len(panel.records)} 条,截至 {day.isoformat()};seed {seed},指标体系 {catalogue.version})"
    )


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="CSV / XLSX / JSON 文件")],
    period: Period,
    db: DbUrl = None,
    accept_uscc: Annotated[
        list[str] | None,
        typer.Option("--accept-uscc", help="明确接受校验未通过的信用代码 (recorded override)"),
    ] = None,
    errors: ErrorsFile = None,
    sheet: SheetName = None,
    edition: Edition = None,
    fmt: JsonOrText = TextOrJson.text,
    as_: ActAs = None,
) -> None:
    """导入一个期间的企业数据;任何一行有错则整个文件不写入 (all or nothing).

    最后一行是导入批次号;--format json 输出含 id 的对象 (last line: the ingest batch id)."""
    from indicators import load_catalogue
    from lrc.service import ingest_file

    catalogue = load_catalogue(edition)
    check_report_path(errors, file)
    check_sheet(sheet, file)
    engine, who = store_and_principal(db, as_)
    try:
        with render.progress("写入 (storing)") as advance:
            accepted = frozenset(accept_uscc or ())
            summary = ingest_file(
                engine, who, file, period, accept_uscc=accepted, catalogue=catalogue, progress=advance, sheet=sheet
            )
    except InputValidationError as exc:
        refuse_with_report(exc, errors)
    text_or_json(fmt, lambda: {"id": summary.batch_id, **asdict(summary)}, lambda: _ingested(summary))


def _ingested(summary: Any) -> None:
    render.ingest_summary(out, summary)
    if summary.batch_id is not None:
        out.print(str(summary.batch_id))


@app.command()
def score(
    period: Period, edition: Edition = None, db: DbUrl = None, fmt: JsonOrText = TextOrJson.text, as_: ActAs = None
) -> None:
    """为一个期间评分,生成新的不可变评分批次 (score a period as a new immutable run).

    最后一行是评分批次号;--format json 输出含 id 的对象 (last line: the run id)."""
    from indicators import load_catalogue
    from lrc.service import score_period

    catalogue = load_catalogue(edition)
    engine, who = store_and_principal(db, as_)
    with render.progress("写入评分结果 (storing results)") as advance:
        summary = score_period(engine, who, period, catalogue=catalogue, progress=advance)
    text_or_json(fmt, lambda: {"id": summary.run_id, **asdict(summary)}, lambda: _scored(summary))


def _scored(summary: Any) -> None:
    render.run_summary(out, summary)
    out.print(str(summary.run_id))


@app.command()
def rank(
    period: Period,
    region: Annotated[str | None, typer.Option("--region", help="城市或区县代码,如 210100")] = None,
    industry: Annotated[str | None, typer.Option("--industry", help="行业门类 A-T")] = None,
    size: Annotated[str | None, typer.Option("--size", help="规模 大型/中型/小型/微型")] = None,
    ownership: Annotated[str | None, typer.Option("--ownership", help="所有制")] = None,
    grade: Annotated[str | None, typer.Option("--grade", help="等级")] = None,
    search: Annotated[str | None, typer.Option("--search", help="名称关键字或信用代码前缀")] = None,
    top: Annotated[int | None, typer.Option("--top", min=1, max=MAX_COUNT, help="只显示前 N 名")] = None,
    run: Annotated[int | None, typer.Option("--run", help="评分批次号 (default: newest)")] = None,
    published: Annotated[
        bool, typer.Option("--published", help="查看该期间最新的全省发布版本(已发布),并标出发布后变化的企业")
    ] = False,
    fmt: Fmt = None,
    output: Output = None,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """企业排名,按总分从高到低;只含你权限范围内的企业 (ranking, best first, within your scope).

    默认为当前结果(可能随记录和重新报送变化);--published 为已发布版本 (as published)."""
    from lrc.export import output_format
    from lrc.service.filters import Filters

    if published:
        from lrc.cli_publications import show_published

        if any(v is not None for v in (region, industry, size, ownership, grade, search, run, output)):
            raise UsageError("--published 显示发布时的原样,不能与筛选、--run 或 --output 同用 (as published)")
        show_published(period, top, fmt, db, as_)
        return
    fmt = output_format(fmt, output)
    if output is not None:
        check_output(output)
    filters = Filters(region, industry, size, ownership, grade, search)
    if top is not None and output is None and fmt in ("table", "json"):  # the driver alone, when it can answer
        from lrc.service.top_places import top_places

        found = top_places(db, as_, period, filters, limit=top, run_id=run, count=fmt == "table")
        if found is not None:
            render.top_places(out, found, fmt)
            return
    from lrc.service import ranking
    from lrc.service.audit import exported
    from lrc.service.results import ranking_page

    engine, who = store_and_principal(db, as_)
    matched = None
    if top is None:
        info, frame = ranking(engine, who, period, filters, run_id=run)
    else:  # the first places only, by indexed SQL; the table says how many matched
        info, frame, matched = ranking_page(engine, who, period, filters, limit=top, run_id=run, count=fmt == "table")
    if output is not None:
        exported(
            engine, who, f"ranking:run:{info.run_id}", f"{len(frame if top is None else frame.head(top))} rows {fmt}"
        )
    render.ranking(out, info, frame, fmt, output, top=top, matched=matched)


@app.command()
def explain(
    uscc: Annotated[str, typer.Argument(help="统一社会信用代码")],
    period: Period,
    run: Annotated[int | None, typer.Option("--run", help="评分批次号")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """逐项解释一家企业的得分 (every point of one enterprise, with reasons)."""
    from lrc.service.driver_explain import driver_explain  # through the driver alone, when it can answer

    explanation = driver_explain(db, as_, uscc, period, run)
    if explanation is None:
        from lrc.service import explain as explain_service

        engine, who = store_and_principal(db, as_)
        explanation = explain_service(engine, who, uscc, period, run_id=run)
    text_or_json(fmt, lambda: explanation.to_dict(), lambda: render.explanation(out, explanation))


@app.command()
def schema(
    fmt: Annotated[
        str, typer.Option("--format", "-f", callback=remember_format, help="table|csv|json|markdown")
    ] = "table",
    as_: ActAs = None,
) -> None:
    """列出输入字段:名称、类型、单位、被哪些条目读取 (the input fields)."""
    from indicators import load_catalogue

    render.schema(out, load_catalogue(), fmt)


@app.command()
def runs(
    period: Annotated[str | None, typer.Option("--period", "-p", help="只列这个期间 (only this period)")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """列出评分批次:期间评分和其后的单企业重算、导入 (list score runs, rescoring runs included).

    范围小于全省的用户:全部期间评分,以及含其范围内企业结果的其他批次 (a narrower user: the period runs and
    the later runs holding a result inside their scope)."""
    from lrc.export import to_records
    from lrc.service.analytics import runs_table

    engine, who = store_and_principal(db, as_)
    frame = runs_table(engine, who, period, every_kind=True)
    text_or_json(fmt, lambda: to_records(frame.drop(columns=["catalogue_hash"])), lambda: render.runs(out, frame))


@app.command()
def verify(
    run: Annotated[int | None, typer.Argument(help="评分批次号 (run id)")] = None,
    publication: Annotated[
        int | None, typer.Option("--publication", help="核验一份发布:复算每家企业的分数、等级、名次和内容哈希")
    ] = None,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """用存档的数据和指标体系重算一个批次或一份发布,核对是否完全一致 (reproduce a run or a publication).

    不一致时退出码为 8,并指出第一家不一致的企业 (exit 8 naming the first USCC that differs)."""
    from lrc.service import verify_run

    if (run is None) == (publication is None):
        raise UsageError("请给出评分批次号,或 --publication 发布编号(二者选一)(give a run id or --publication)")
    if publication is not None:
        verify_publication_command(publication, db, as_)
        return
    assert run is not None
    engine, who = store_and_principal(db, as_)
    report = verify_run(engine, who, run)
    render.verify(out, report)
    if not report.reproduced:
        raise typer.Exit(8)


@app.command()
def demo(
    db: DbUrl = None,
    n: Annotated[int, typer.Option("--n", min=1, max=MAX_COUNT, help="样例企业数")] = 500,
    no_dashboard: Annotated[bool, typer.Option("--no-dashboard", help="只准备数据,不启动看板")] = False,
    port: Annotated[int, typer.Option("--port")] = 8501,
    as_: ActAs = None,
) -> None:
    """从零开始:建库、生成两个期间的样例数据、导入、评分 (from nothing to a scored sample)."""
    from lrc.demo import run_demo

    engine, who = store_and_principal(db, as_)
    run_demo(engine, who, out, n=n)
    if not no_dashboard:
        dashboard(db=db, port=port)


@app.command()
def dashboard(
    db: DbUrl = None,
    port: Annotated[int, typer.Option("--port")] = 8501,
    headless: Annotated[bool, typer.Option("--headless/--browser", help="不自动打开浏览器")] = True,
    as_: ActAs = None,
) -> None:
    """启动中文看板 (start the Streamlit dashboard)."""
    from lrc.dashboard_server import serve

    serve(db, port=port, headless=headless)


@app.command()
def template(
    period: Period,
    output: Annotated[Path, typer.Option("--output", "-o", help="采集表文件 .xlsx")],
    region: Annotated[str | None, typer.Option("--region", help="市或区县代码:下拉列表只列这一地区")] = None,
    edition: Edition = None,
    as_: ActAs = None,
) -> None:
    """生成采集表(Excel):填报说明、带下拉和范围校验的数据表、示例行;填好后用 lrc ingest 导入 (collection workbook)."""
    from indicators import load_catalogue
    from lrc.normalise import ascii_form
    from lrc.periods import check_period
    from lrc.reference import PROVINCE_CODE, is_region
    from lrc.template import write_template

    period = check_period(period)
    check_output(output)
    code = ascii_form(region) if region else None
    if code == PROVINCE_CODE:
        code = None
    if code is not None and not is_region(code):
        raise UsageError(f"--region {code[:12]!r} 不是辽宁的市或区县代码 (not a city or district code)")
    catalogue = load_catalogue(edition)
    columns = write_template(catalogue, period, output, code)
    out.print(f"已生成采集表 → {output}(报告期 {period},{columns} 列,指标体系 {catalogue.version})")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 (listen address)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="端口 (port)")] = 8600,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="进程数,建议等于 CPU 核数")] = 1,
    threads: Annotated[
        int, typer.Option("--threads", min=1, max=64, help="每个进程同时处理的请求数,其余排队 (calls at once)")
    ] = 4,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """启动 HTTP API(/api/v1,文档在 /api/v1/docs),调用者用令牌认证 (start the HTTP API)."""
    from lrc.api.server import run

    run(db, host=host, port=port, workers=workers, threads=threads)


def _usage_error(exc: typer.TyperException) -> NoReturn:
    """The framework's usage error (a missing option, a bad value) said like every other error: one line on
    stderr, and as a ``UsageError``'s JSON when ``--format json`` was read before it."""
    context = getattr(exc, "ctx", None)
    named = sys.argv[1] if len(sys.argv) > 1 else ""
    command = context.command_path if context else f"lrc {named}" if only(named) is not app else "lrc"
    message = in_chinese(exc.format_message() if hasattr(exc, "format_message") else str(exc))
    code = getattr(exc, "exit_code", 2)
    log.info("usage error: %s", message)
    if message.strip():  # (bare `lrc` has printed its help already)
        hint = f" {message.rstrip('.')};见 `{command} --help`"
        err.print(Text.assemble(("用法错误 (usage error):", "bold red"), hint))
        if errors_as_json():
            write_json(error_json(UsageError(message.rstrip("."), cli_hint=f"见 `{command} --help`"), code))
    sys.exit(code)


def _log_path() -> Path:
    base = Path(os.environ.get("LRC_LOG_DIR", Path.home() / ".cache" / "lrc"))
    base.mkdir(parents=True, exist_ok=True)
    return base / "lrc.log"


app.add_typer(catalogue_app, name="catalogue")
app.add_typer(record_app, name="record")
app.command("records")(records)
app.command("batches")(batches)
app.command("deliveries")(deliveries)
app.command("alerts")(alerts)
app.add_typer(alert_app, name="alert")
app.add_typer(webhook_app, name="webhook")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(risk_app, name="risk")
app.command("publish")(publish)
app.command("publications")(publications)
app.add_typer(publication_app, name="publication")
app.add_typer(hearing_app, name="hearing")
app.command("hearings")(hearings)
app.add_typer(plan_app, name="plan")
app.add_typer(objection_app, name="objection")
app.command("objections")(objections)
app.add_typer(repair_app, name="repair")
app.command("repairs")(repairs)
record_app.command("expire")(expire)
app.add_typer(exchange_app, name="exchange")
app.add_typer(site_app, name="site")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.command("audit")(audit)
app.command("dossier")(dossier)
app.add_typer(spark_app, name="spark")
app.command("export")(export)
app.command("import-results")(import_results)


def only(name: str) -> typer.Typer:
    """``app`` with only the command or command group ``name`` (with the same options, help and messages),
    else the whole ``app``: the framework reads every command's signature before it runs one, about 60 ms of
    each command's start-up for 70 commands, when one is run."""
    commands = [c for c in app.registered_commands if _command_name(c) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return app
    narrowed = typer.Typer(
        help=app.info.help, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False
    )
    narrowed.registered_callback = app.registered_callback
    narrowed.registered_commands = commands
    narrowed.registered_groups = groups
    return narrowed


def _command_name(command: Any) -> str:
    from typer.main import get_command_name

    return command.name or get_command_name(command.callback.__name__)


def _check_decodable(args: list[str]) -> None:
    """Refuse an argument with bytes that are not UTF-8 (a file name from a zip made on Chinese Windows, in GBK):
    Python keeps them as lone surrogates, which no store, log or terminal takes, so the command failed inside."""
    for number, arg in enumerate(args, start=1):
        if any("\udc80" <= ch <= "\udcff" for ch in arg):
            asked = [a.lower() for a in args]  # (read before the command line is: its --format not yet seen)
            json_asked = any(a in ("-f", "--format") and b == "json" for a, b in zip(asked, asked[1:], strict=False))
            remember_format("json" if json_asked or "--format=json" in asked or "-fjson" in asked else None)
            raw = arg.encode("utf-8", "surrogateescape")
            shown, gbk = raw.decode("utf-8", "backslashreplace"), raw.decode("gb18030", "replace")
            raise UsageError(
                f"第 {number} 个参数 {shorten(shown)} 含有不是 UTF-8 的字节(常见于在 Windows 上打包的文件名,"
                f"按 GBK 读是「{shorten(gbk)}」),请把文件改名后重试 (argument {number} is not valid UTF-8:"
                " rename the file)"
            )


ABORTED = "已中止:未完成的写入不会保存 (aborted; nothing half-written is kept)"


def main() -> None:
    """Console entry point: one-line messages for users, tracebacks only in the log."""
    logging.basicConfig(
        filename=_log_path(), level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    sys.argv[1:] = [numeric_form(arg) for arg in sys.argv[1:]]
    forget_format()
    try:
        _check_decodable(sys.argv[1:])
        code = only(sys.argv[1] if len(sys.argv) > 1 else "")(prog_name="lrc", standalone_mode=False)
    except (typer.Abort, KeyboardInterrupt):  # every write is one transaction: what was not committed is not kept
        err.print(ABORTED)
        sys.exit(130)
    except typer.TyperException as exc:  # the framework's usage errors: one line, like every other message
        _usage_error(exc)
    except LrcError as exc:  # any command's refused input lists its problems, as `lrc ingest` does
        log.info("input refused: %s" if isinstance(exc, InputValidationError) else "user error: %s", exc)
        say_error(exc)
        sys.exit(exc.exit_code)
    except Exception:
        log.exception("internal error")
        err.print(Text.assemble(("内部错误 (internal error)", "bold red"), f",详情见日志 (see log): {_log_path()}"))
        if errors_as_json():
            message = f"内部错误,详情见日志 (internal error, see log): {_log_path()}"
            write_json({"error": {"code": INTERNAL_CODE, "title": INTERNAL_TITLE, "message": message,
                                  "exit_code": 70, "hint": None}})  # fmt: skip
        sys.exit(70)
    if code == 130:  # Ctrl-C inside a command: the framework ends it with 130 and says nothing
        err.print(ABORTED)
    sys.exit(code if isinstance(code, int) else 0)
