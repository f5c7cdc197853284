"""`lrc objection …`, `lrc objections`, `lrc repair …`, `lrc repairs` and `lrc record expire`: objections
(异议) to results, credit repair (信用修复) of records, and records whose display period ended."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lrc import render
from lrc.cli_common import (
    ActAs,
    DbUrl,
    JsonOrText,
    Period,
    TextOrJson,
    check_output,
    out,
    store_and_principal,
    text_or_json,
    write_output,
)
from lrc.errors import UsageError, shorten

if TYPE_CHECKING:
    from lrc.service.objections import ObjectionOut
    from lrc.service.repairs import RepairOut
    from lrc.service.rescoring import RescoredOut

objection_app = typer.Typer(help="异议:提出、复核、决定、撤回、逾期检查 (objections to results)", no_args_is_help=True)
repair_app = typer.Typer(help="信用修复:申请、决定 (credit repair of records)", no_args_is_help=True)

ObjectionId = Annotated[int, typer.Argument(help="异议编号 (objection id)")]
RepairId = Annotated[int, typer.Argument(help="修复申请编号 (repair id)")]
Note = Annotated[str, typer.Option("--note", help="说明(记入处理过程与审计日志)")]
# an earlier day than today: for the staff who decide cases, entering a filing received on paper that day (its
# deadline counts from it), and for tests and demonstrations; never a day to come (the service refuses both)
Today = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="按此日期办理 YYYY-MM-DD(默认北京时间今天); 不能晚于今天, 决定不能早于申请之日, "
        "异议不能早于所异议的结果或记录存在之日; "
        "以前的日期仅限处理异议与修复的工作人员: 补录当日收到的书面申请(期限自该日起算), 或用于测试、演示 "
        "(as-of date: never in the future, nor before what it is about existed; an earlier day for staff only)",
    ),
]
CheckDay = Annotated[
    str | None,
    typer.Option("--today", help="按此日期检查 YYYY-MM-DD(默认北京时间今天); 不能晚于今天 (as-of date, not future)"),
]


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option} {shorten(value)} 应为 YYYY-MM-DD 格式的日期 (bad date)") from None


@objection_app.command("file")
def file(
    uscc: Annotated[str, typer.Argument(help="企业统一社会信用代码")],
    period: Period,
    item: Annotated[str, typer.Option("--item", help="有异议的指标条目代码,如 B1.1.1")],
    reason: Annotated[str, typer.Option("--reason", help="异议理由")],
    evidence: Annotated[Path | None, typer.Option("--evidence", help="证明材料(PDF、Word 或图片)")] = None,
    record: Annotated[int | None, typer.Option("--record", help="有异议的记录编号(可选)")] = None,
    today: Today = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """对某期评分结果的一个指标条目提出异议 (file an objection); 最后一行是异议编号."""
    from lrc.service.objections import file_objection

    engine, who = store_and_principal(db, as_)
    made = file_objection(engine, who, uscc, period, item, reason, evidence=evidence, record_id=record,
                          today=_day(today, "--today"))  # fmt: skip
    text_or_json(fmt, lambda: made.model_dump(mode="json"), lambda: _objection(made, last_id=True))


@objection_app.command("review")
def review(objection_id: ObjectionId, note: Note, fmt: JsonOrText = TextOrJson.text, db: DbUrl = None,
           as_: ActAs = None) -> None:  # fmt: skip
    """受理并开始复核 (filed → under_review)."""
    from lrc.service.objections import review as start

    engine, who = store_and_principal(db, as_)
    done = start(engine, who, objection_id, note)
    text_or_json(fmt, lambda: done.model_dump(mode="json"), lambda: _objection(done, last_id=True))


@objection_app.command("withdraw")
def withdraw(objection_id: ObjectionId, note: Note, fmt: JsonOrText = TextOrJson.text, db: DbUrl = None,
             as_: ActAs = None) -> None:  # fmt: skip
    """撤回未决定的异议 (withdraw an open objection)."""
    from lrc.service.objections import withdraw as take_back

    engine, who = store_and_principal(db, as_)
    done = take_back(engine, who, objection_id, note)
    text_or_json(fmt, lambda: done.model_dump(mode="json"), lambda: _objection(done, last_id=True))


@objection_app.command("decide")
def decide(
    objection_id: ObjectionId,
    note: Note,
    uphold: Annotated[bool, typer.Option("--uphold", help="维持原结果")] = False,
    overturn: Annotated[
        bool, typer.Option("--overturn", help="异议成立:按更正的事实或撤销工会认定的记录重新评分")
    ] = False,
    fact: Annotated[
        list[str] | None,
        typer.Option("--fact", help="更正的事实 字段=值(字段用数据模板的英文名,值写法同导入文件:是/否、数字),可重复"),
    ] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """决定异议:--uphold 维持原结果,或 --overturn 更正并生成新结果;未受理的一并受理复核 (decide an objection)."""
    from lrc.service.objections import decide as settle
    from lrc.service.objections import fact_pairs

    if uphold == overturn:
        raise UsageError("请在 --uphold(维持)和 --overturn(更正)中选择一个 (choose one)")
    facts = fact_pairs(fact or [], "--fact")
    engine, who = store_and_principal(db, as_)
    done = settle(engine, who, objection_id, uphold=uphold, note=note, facts=facts)
    text_or_json(fmt, lambda: done.model_dump(mode="json"), lambda: _objection(done, last_id=True))


@objection_app.command("show")
def show(objection_id: ObjectionId, fmt: JsonOrText = TextOrJson.text, db: DbUrl = None, as_: ActAs = None) -> None:
    """显示一项异议及其处理过程 (show an objection and its history)."""
    from lrc.service.objections import get_objection

    engine, who = store_and_principal(db, as_)
    found = get_objection(engine, who, objection_id)
    text_or_json(fmt, lambda: found.model_dump(mode="json"), lambda: _objection(found, history=True))


@objection_app.command("evidence")
def evidence(
    objection_id: ObjectionId,
    output: Annotated[Path, typer.Option("--output", "-o", help="写入文件")],
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """取出异议的证明材料 (write an objection's evidence file)."""
    from lrc.service.cases import file_content
    from lrc.service.objections import get_objection

    check_output(output)
    engine, who = store_and_principal(db, as_)
    found = get_objection(engine, who, objection_id)
    if found.evidence is None:
        raise UsageError(f"异议 {objection_id} 没有附证明材料 (no evidence)")
    _write(output, file_content(engine, who, "objection", objection_id, found.evidence.id)[2])


def _write(output: Path, content: bytes) -> None:
    write_output(output, content)
    out.print(f"已写入 {output}({len(content)} 字节)")


@objection_app.command("check-overdue")
def check_overdue(
    today: CheckDay = None, fmt: JsonOrText = TextOrJson.text, db: DbUrl = None, as_: ActAs = None
) -> None:
    """检查超过决定期限的异议和修复申请并预警(每日运行) (alert on overdue objections and repairs)."""
    from lrc.service.cases import check_overdue as check

    engine, who = store_and_principal(db, as_)
    found = check(engine, who, today=_day(today, "--today"))

    def text() -> None:
        out.print(f"检查日 {found.as_of}:逾期异议 {len(found.objections)} 项,逾期修复申请 {len(found.repairs)} 项,"
                  f"新预警 {found.alerts} 条")  # fmt: skip
        for key in found.without_result:
            out.print(f"  {key}:该企业尚无评分结果,未能预警")

    text_or_json(fmt, lambda: found.model_dump(mode="json"), text)


def objections(
    status: Annotated[
        str | None, typer.Option("--status", help="filed、under_review、upheld、overturned、withdrawn、routed")
    ] = None,
    uscc: Annotated[str | None, typer.Option("--uscc", help="只列该企业")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """列出你权限范围内的异议,新的在前 (objections, newest first)."""
    from lrc.service.objections import list_objections

    engine, who = store_and_principal(db, as_)
    listed = list_objections(engine, who, status=status, uscc=uscc)
    text_or_json(fmt, lambda: [o.model_dump(mode="json") for o in listed], lambda: _objections(listed))


def _objections(listed: list[ObjectionOut]) -> None:
    if not listed:
        out.print("没有异议 (no objections)")
        return
    columns = ("编号", "企业", "期间", "指标", "状态", "提出日期", "决定期限", "提出人")
    render.table(out, f"异议 (objections): {len(listed)} 项", columns, [
        (str(o.id), f"{o.uscc} {o.name}", o.period, o.item, o.status_zh, _filed(o), _due(o.due_on, o.overdue),
         o.filed_by)
        for o in listed
    ])  # fmt: skip


def _due(day: str, overdue: bool) -> str:
    return day + (" 已逾期" if overdue else "")


def _filed(o: ObjectionOut) -> str:
    """The filing day, and, for one filed after the window of the notice that published the result, that."""
    return o.filed_on + (" 逾期提出" if o.late else "")


def _window(o: ObjectionOut) -> str:
    """Where the filing day stands against the newest notice that published the result objected to."""
    if o.publication is None:
        return f"{o.filed_on} 提出(该结果未经公开发布,无异议期限)"
    notice = f"公告 {o.publication.number}({o.publication.published_on} 发布)的异议期限至 {o.publication.until}"
    if o.late:
        return f"{o.filed_on} 提出,已超过{notice};按对当前结果的异议受理 (filed after the notice's window)"
    return f"{o.filed_on} 提出,在{notice}内"


def _objection(o: ObjectionOut, last_id: bool = False, history: bool = False) -> None:
    out.print(f"异议 {o.id}:{o.uscc} {o.name},{o.period} 指标 {o.item} {o.item_name}(批次 {o.run_id} 的结果)")
    out.print(f"状态:{o.status_zh}({o.status});决定期限 {o.due_on}{o.due_note}{' 已逾期' if o.overdue else ''}")
    out.print(f"提出:{_window(o)}")
    out.print(f"理由:{o.reason}")
    if o.evidence:
        out.print(f"证明材料:{o.evidence.name}({o.evidence.size} 字节,SHA-256 {o.evidence.sha256[:12]}…)")
    for r in o.routed_to:
        out.print(f"  原决定机关:{r.source}({r.authority}),文号 {r.ref},{r.decision_date}(记录 #{r.record_id})")
    if o.note and o.status not in ("filed", "under_review"):
        out.print(f"决定:{o.note}({o.decided_by},{o.decided_at})")
    if o.result_run_id:
        out.print(f"更正后的结果在评分批次 {o.result_run_id}")
    _rescored(o.results)
    if history:
        for e in o.events:
            out.print(f"  {e.at} {e.actor} {e.status} {e.note or ''}")
    if last_id:
        out.print(str(o.id))


def _rescored(results: list[RescoredOut]) -> None:
    for r in results:
        was = f"{r.previous_total:.1f} {r.previous_grade} → " if r.previous_total is not None else ""
        out.print(f"  新结果 {r.period} 批次 {r.run_id}:{r.uscc} {r.name} {was}{r.total:.1f} {r.grade}")


@repair_app.command("request")
def request(
    uscc: Annotated[str, typer.Argument(help="企业统一社会信用代码")],
    record: Annotated[int, typer.Option("--record", help="申请修复的记录编号")],
    evidence: Annotated[Path, typer.Option("--evidence", help="已纠正、已履行义务的证明材料(PDF、Word 或图片)")],
    pledge: Annotated[Path, typer.Option("--pledge", help="书面信用承诺(PDF、Word 或图片)")],
    today: Today = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """申请对一条记录进行信用修复 (request the repair of a record); 最后一行是申请编号."""
    from lrc.service.repairs import request_repair

    engine, who = store_and_principal(db, as_)
    made = request_repair(engine, who, uscc, record, evidence=evidence, pledge=pledge, today=_day(today, "--today"))
    text_or_json(fmt, lambda: made.model_dump(mode="json"), lambda: _repair(made, last_id=True))


@repair_app.command("decide")
def decide_repair(
    repair_id: RepairId,
    note: Note,
    approve: Annotated[bool, typer.Option("--approve", help="批准修复:记录不再计分,生成新结果")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="不予修复")] = False,
    today: Today = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """决定信用修复申请:--approve 批准或 --reject 不予修复 (decide a repair request)."""
    from lrc.service.repairs import decide_repair as settle

    if approve == reject:
        raise UsageError("请在 --approve(批准)和 --reject(不予修复)中选择一个 (choose one)")
    engine, who = store_and_principal(db, as_)
    done = settle(engine, who, repair_id, approve=approve, note=note, today=_day(today, "--today"))
    text_or_json(fmt, lambda: done.model_dump(mode="json"), lambda: _repair(done, last_id=True))


@repair_app.command("show")
def show_repair(repair_id: RepairId, fmt: JsonOrText = TextOrJson.text, db: DbUrl = None, as_: ActAs = None) -> None:
    """显示一项信用修复申请及其处理过程 (show a repair request)."""
    from lrc.service.repairs import get_repair

    engine, who = store_and_principal(db, as_)
    found = get_repair(engine, who, repair_id)
    text_or_json(fmt, lambda: found.model_dump(mode="json"), lambda: _repair(found, history=True))


@repair_app.command("file")
def repair_file(
    repair_id: RepairId,
    which: Annotated[str, typer.Option("--which", help="evidence 证明材料 | pledge 信用承诺")],
    output: Annotated[Path, typer.Option("--output", "-o", help="写入文件")],
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """取出修复申请的证明材料或信用承诺 (write a repair's evidence or pledge file)."""
    from lrc.service.cases import file_content
    from lrc.service.repairs import get_repair

    if which not in ("evidence", "pledge"):
        raise UsageError(f"--which {shorten(which)} 应为 evidence 或 pledge (unknown file)")
    check_output(output)
    engine, who = store_and_principal(db, as_)
    found = get_repair(engine, who, repair_id)
    stored = found.evidence if which == "evidence" else found.pledge
    if stored is None:
        raise UsageError(f"修复申请 {repair_id} 没有该文件 (no such file)")
    _write(output, file_content(engine, who, "repair", repair_id, stored.id)[2])


def repairs(
    status: Annotated[str | None, typer.Option("--status", help="requested、approved、rejected")] = None,
    uscc: Annotated[str | None, typer.Option("--uscc", help="只列该企业")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """列出你权限范围内的信用修复申请,新的在前 (repair requests, newest first)."""
    from lrc.service.repairs import list_repairs

    engine, who = store_and_principal(db, as_)
    listed = list_repairs(engine, who, status=status, uscc=uscc)
    text_or_json(fmt, lambda: [r.model_dump(mode="json") for r in listed], lambda: _repairs(listed))


def _repairs(listed: list[RepairOut]) -> None:
    if not listed:
        out.print("没有信用修复申请 (no repair requests)")
        return
    columns = ("编号", "企业", "记录", "状态", "决定期限", "申请人")
    render.table(out, f"信用修复申请 (repair requests): {len(listed)} 项", columns, [
        (str(r.id), r.uscc, f"#{r.record.record_id} {r.record.type_name}", r.status_zh, _due(r.due_on, r.overdue),
         r.requested_by)
        for r in listed
    ])  # fmt: skip


def _repair(r: RepairOut, last_id: bool = False, history: bool = False) -> None:
    rec = r.record
    out.print(f"信用修复申请 {r.id}:{r.uscc} 记录 #{rec.record_id} {rec.type_name}({rec.tier_zh}),"
              f"{rec.source} {rec.ref},决定日期 {rec.decision_date}")  # fmt: skip
    out.print(f"状态:{r.status_zh}({r.status});申请日期 {r.filed_on};决定期限 {r.due_on}{r.due_note}"
              f"{' 已逾期' if r.overdue else ''}")  # fmt: skip
    out.print(f"可申请修复自 {rec.repair_from or '—'};展示期至 {rec.display_until}(不含)")
    for label, stored in (("证明材料", r.evidence), ("信用承诺", r.pledge)):
        if stored:
            out.print(f"{label}:{stored.name}({stored.size} 字节,SHA-256 {stored.sha256[:12]}…)")
    if r.note and r.status != "requested":
        out.print(f"决定:{r.note}({r.decided_by},{r.decided_at})")
    _rescored(r.results)
    if history:
        for e in r.events:
            out.print(f"  {e.at} {e.actor} {e.status} {e.note or ''}")
    if last_id:
        out.print(str(r.id))


def expire(
    as_of: Annotated[str | None, typer.Option("--as-of", help="按此日期检查(默认北京时间今天),YYYY-MM-DD")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """展示期满的记录停止计分并生成新结果(每日运行;整期评分时也会自动运行) (expire records)."""
    from lrc.service.closures import expire as run_expiry

    engine, who = store_and_principal(db, as_)
    done = run_expiry(engine, who, today=_day(as_of, "--as-of"))

    def text() -> None:
        out.print(f"检查日 {done.as_of}:展示期满停止计分的记录 {len(done.expired)} 条,新结果 {len(done.results)} 个")
        for e in done.expired:
            late = ",已超过移出期限" if e.late else ""
            out.print(f"  记录 #{e.record_id} {e.uscc} {e.type}:{e.display_until} 起展示期满"
                      f"(应于 {e.remove_by} 前移出{late})")  # fmt: skip
        _rescored(done.results)

    text_or_json(fmt, lambda: done.model_dump(mode="json"), text)
