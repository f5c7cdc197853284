"""`lrc hearing …`, `lrc hearings` and `lrc plan …`: CSR hearings (社会责任听证) and improvement plans."""

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
    from lrc.service.hearing_candidates import CandidateOut
    from lrc.service.hearings import HearingOut
    from lrc.service.plans import PlanActionOut

hearing_app = typer.Typer(help="社会责任听证:候选企业、听证记录、附件、结论 (CSR hearings)", no_args_is_help=True)
plan_app = typer.Typer(help="改进计划:措施、进展、逾期检查 (improvement plans)", no_args_is_help=True)

HearingId = Annotated[int, typer.Argument(help="听证编号 (hearing id)")]


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option} {shorten(value)} 应为 YYYY-MM-DD 格式的日期 (bad date)") from None


@hearing_app.command("propose")
def propose(
    period: Period,
    region: Annotated[str | None, typer.Option("--region", help="市或区县代码,如 210200")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, max=10_000, help="最多列出家数(分组时每组)")] = None,
    group_by: Annotated[
        str | None, typer.Option("--group-by", help="集体听证分组:industry 行业 | size 规模 | ownership 所有制")
    ] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """提出听证候选企业及理由 (candidates for hearings, with the reasons)."""
    from lrc.service.hearing_candidates import propose as propose_candidates

    engine, who = store_and_principal(db, as_)
    found = propose_candidates(engine, who, period, region=region, limit=limit, group_by=group_by)
    text_or_json(fmt, lambda: [c.model_dump(mode="json") for c in found], lambda: _candidates(found))


def _candidates(found: list[CandidateOut]) -> None:
    if not found:
        out.print("没有需要听证的企业 (no candidates)")
        return
    columns = ("分组", "统一社会信用代码", "企业", "等级", "总分", "理由")
    rows = [(c.group or "", c.uscc, c.name, c.grade, f"{c.total:.1f}", ";".join(c.reasons)) for c in found]
    render.table(out, f"听证候选企业 (hearing candidates): {len(found)} 家", columns, rows)


@hearing_app.command("add")
def add(
    kind: Annotated[str, typer.Option("--kind", help="individual 个别听证 | collective 集体听证")],
    held_on: Annotated[str, typer.Option("--date", help="听证日期 YYYY-MM-DD")],
    title: Annotated[str, typer.Option("--title", help="听证标题")],
    enterprises: Annotated[str, typer.Option("--enterprises", help="参加听证的企业,统一社会信用代码以逗号分隔")],
    chair: Annotated[str | None, typer.Option("--chair", help="主持人")] = None,
    participants: Annotated[str | None, typer.Option("--participants", help="参加人员")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """登记一次听证 (record a hearing); 最后一行是听证编号."""
    from lrc.service.hearings import add_hearing

    day = _day(held_on, "--date")
    engine, who = store_and_principal(db, as_)
    made = add_hearing(engine, who, kind=kind, held_on=day, title=title, enterprises=enterprises, chair=chair,
                       participants=participants)  # fmt: skip
    text_or_json(fmt, lambda: made.model_dump(mode="json"), lambda: _hearing(made, last_id=True))


@hearing_app.command("show")
def show(hearing_id: HearingId, fmt: JsonOrText = TextOrJson.text, db: DbUrl = None, as_: ActAs = None) -> None:
    """显示一次听证:企业、附件、结论 (show a hearing)."""
    from lrc.service.hearings import get_hearing

    engine, who = store_and_principal(db, as_)
    found = get_hearing(engine, who, hearing_id)
    text_or_json(fmt, lambda: found.model_dump(mode="json"), lambda: _hearing(found))


def _hearing(h: HearingOut, last_id: bool = False) -> None:
    out.print(f"听证 {h.id}「{h.title}」{h.kind_zh} {h.date.isoformat()},{h.status_zh}")
    if h.chair or h.participants:
        out.print(f"主持人:{h.chair or '—'};参加人员:{h.participants or '—'}")
    for e in h.enterprises:
        out.print(f"  企业 {e.uscc} {e.name}")
    for a in h.attachments:
        out.print(f"  附件 {a.kind_zh} {a.name}({a.size} 字节,SHA-256 {a.sha256[:12]}…){a.uscc or ''}")
    if h.conclusions:
        out.print(f"意见:{h.opinions}\n结论:{h.conclusions}")
    if last_id:
        out.print(str(h.id))


def hearings(fmt: JsonOrText = TextOrJson.text, db: DbUrl = None, as_: ActAs = None) -> None:
    """列出你权限范围内的听证,日期新的在前 (hearings, newest first)."""
    from lrc.service.hearings import list_hearings

    engine, who = store_and_principal(db, as_)
    listed = list_hearings(engine, who)
    text_or_json(fmt, lambda: [h.model_dump(mode="json") for h in listed], lambda: _hearings(listed))


def _hearings(listed: list[HearingOut]) -> None:
    if not listed:
        out.print("没有听证 (no hearings)")
        return
    render.table(out, f"听证 (hearings): {len(listed)} 次", ("编号", "日期", "类型", "标题", "企业", "状态"), [
        (str(h.id), h.date.isoformat(), h.kind_zh, h.title, "、".join(e.name or e.uscc for e in h.enterprises),
         h.status_zh)
        for h in listed
    ])  # fmt: skip


@hearing_app.command("attach")
def attach(
    hearing_id: HearingId,
    file: Annotated[Path, typer.Option("--file", help="PDF、Word 或图片文件(不超过 20 MB)")],
    kind: Annotated[str, typer.Option("--kind", help="csr_report 社会责任报告 | minutes 听证记录")],
    uscc: Annotated[str | None, typer.Option("--uscc", help="报告所属企业(集体听证的报告必填)")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """为听证附上文件(同一文件只存一份)(attach a file); 最后一行是文件编号."""
    from lrc.service.hearings import attach as attach_file

    engine, who = store_and_principal(db, as_)
    done = attach_file(engine, who, hearing_id, file, kind, uscc)
    stored = "同一文件已存,未重复保存" if done.stored_before else "已保存"
    if done.attached_before:
        stored = "此听证已附过同一文件,未重复附上 (attached before)"

    def text() -> None:
        out.print(f"听证 {hearing_id}:{done.kind_zh} {done.name},{stored}(SHA-256 {done.sha256})")
        out.print(str(done.id))

    text_or_json(fmt, lambda: done.model_dump(mode="json"), text)


@hearing_app.command("attachment")
def attachment(
    file_id: Annotated[int, typer.Argument(help="文件编号:hearing show 所列附件的 id 或 plan show 的 evidence_id")],
    output: Annotated[Path, typer.Option("--output", "-o", help="写入文件 (write to FILE)")],
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """取回听证附件或整改证明文件 (get an attached file back); 最后一行是写入的文件路径."""
    from lrc.service.hearing_files import stored_file

    check_output(output)
    engine, who = store_and_principal(db, as_)
    found = stored_file(engine, who, file_id)
    write_output(output, found.content)

    def text() -> None:
        out.print(f"附件 {found.id} {found.name}({found.size} 字节,{found.media_type},SHA-256 {found.sha256})")
        out.print(str(output), soft_wrap=True)

    summary = {**found.model_dump(mode="json", exclude={"content"}), "output": str(output)}
    text_or_json(fmt, lambda: summary, text)


@hearing_app.command("outcome")
def outcome(
    hearing_id: HearingId,
    opinions: Annotated[str, typer.Option("--opinions", help="参会人员意见")],
    conclusions: Annotated[str, typer.Option("--conclusions", help="听证结论")],
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """记录听证结果:意见和结论,只记录一次,更正请作为听证记录附上 (record the outcome, once); 最后一行是听证编号."""
    from lrc.service.hearings import record_outcome

    engine, who = store_and_principal(db, as_)
    done = record_outcome(engine, who, hearing_id, opinions, conclusions)
    text_or_json(fmt, lambda: done.model_dump(mode="json"), lambda: _hearing(done, last_id=True))


@plan_app.command("add")
def plan_add(
    hearing_id: HearingId,
    uscc: Annotated[str, typer.Argument(help="企业统一社会信用代码")],
    item: Annotated[str, typer.Option("--item", help="改进的指标代码,如 B1.1.5")],
    action: Annotated[str, typer.Option("--action", help="整改措施")],
    due: Annotated[str, typer.Option("--due", help="完成期限 YYYY-MM-DD")],
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """为企业的改进计划添加一项措施 (add an action); 最后一行是措施编号."""
    from lrc.service.plans import add_action

    day = _day(due, "--due")
    engine, who = store_and_principal(db, as_)
    made = add_action(engine, who, hearing_id, uscc, item=item, action=action, due=day)
    text_or_json(fmt, lambda: made.model_dump(mode="json"), lambda: _action(made, last_id=True))


@plan_app.command("update")
def plan_update(
    action_id: Annotated[int, typer.Argument(help="措施编号")],
    status: Annotated[str, typer.Option("--status", help="done 已完成 | late 逾期 | dropped 已放弃")],
    note: Annotated[str, typer.Option("--note", help="情况说明(必填,不公开)")],
    evidence: Annotated[Path | None, typer.Option("--evidence", help="证明文件:PDF、Word 或图片")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """更新措施的状态 (update an action); 最后一行是措施编号."""
    from lrc.service.plans import update_action

    engine, who = store_and_principal(db, as_)
    done = update_action(engine, who, action_id, status=status, note=note, evidence=evidence)
    text_or_json(fmt, lambda: done.model_dump(mode="json"), lambda: _action(done, last_id=True))


def _action(a: PlanActionOut, last_id: bool = False) -> None:
    change = ""
    if a.before is not None or a.after is not None:
        was = f"{a.before.points:.1f}({a.before.period})" if a.before else "—"
        now = f"{a.after.points:.1f}({a.after.period})" if a.after else "—"
        change = f";得分 {was} → {now}"
    out.print(f"措施 {a.id} {a.uscc} 指标 {a.item_code} {a.item_name_zh}:{a.action},期限 {a.due},{a.status_zh}{change}")
    if last_id:
        out.print(str(a.id))


@plan_app.command("show")
def plan_show(
    uscc: Annotated[str, typer.Argument(help="企业统一社会信用代码")],
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """显示企业的改进计划及进展、相关指标前后得分 (show a plan)."""
    from lrc.service.plans import plan_of

    engine, who = store_and_principal(db, as_)
    listed = plan_of(engine, who, uscc)

    def text() -> None:
        if not listed:
            out.print("该企业没有改进计划 (no plan)")
        for a in listed:
            _action(a)

    text_or_json(fmt, lambda: [a.model_dump(mode="json") for a in listed], text)


@plan_app.command("check-overdue")
def check_overdue(fmt: JsonOrText = TextOrJson.text, db: DbUrl = None, as_: ActAs = None) -> None:
    """把过期未完成的措施标为逾期并预警 (mark overdue actions late and raise alerts)."""
    from lrc.service.plans import raise_overdue

    engine, who = store_and_principal(db, as_)
    done = raise_overdue(engine, who)

    def text() -> None:
        out.print(f"标为逾期 {len(done.late)} 项,预警 {done.alerts} 条 (late actions, alerts)")
        if done.without_result:
            out.print(f"企业尚无评分结果、未能预警的措施:{', '.join(map(str, done.without_result))}")
        if done.in_other_alert:
            out.print(f"与同一企业的其他逾期措施合并预警的措施:{', '.join(map(str, done.in_other_alert))}")

    text_or_json(fmt, lambda: done.model_dump(mode="json"), text)
