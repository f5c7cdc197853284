"""Terminal rendering of records, record types and catalogue comparisons (rich, plain text only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd


def records_summary(console: Console, summary: Any, *, one: bool) -> None:
    """What a record delivery stored and the results it changed; the record's id (or the count) last."""
    for r in summary.results:
        before = f"{r.previous_total:.1f} {r.previous_grade} → " if r.previous_total is not None else ""
        red = ",触及红线" if r.red_line else ""
        console.print(
            f"已重算 {r.uscc} {r.name} 期间 {r.period}:{before}{r.total:.1f} {r.grade}{red}(评分批次 {r.run_id})"
        )
    missing = getattr(summary, "no_result", [])
    ended = getattr(summary, "ended", [])
    if len(summary.stored) > len(ended) and not summary.results and not missing:
        console.print("没有需要重算的结果:记录不在任何已评分期间的显示期内,或该期间的指标体系不计此类记录")
    if ended:
        shown = ", ".join(map(str, ended))
        console.print(f"展示期在送达前已满、不计分的记录 (display ended before delivery):{shown}")
    for gap in missing:
        console.print(
            f"没有重算 {gap.uscc}:记录计入的已评分期间 {'、'.join(gap.periods)} 中,该企业没有当前结果(未参加该期评分);"
            "记录已保存,该企业参加这些期间的评分时计入 (no current result in the scored periods the record covers)"
        )
    if summary.already:
        console.print(f"已存在(同一决定机关和文书编号),未重复写入:{', '.join(map(str, summary.already))}")
    if getattr(summary, "removed", None):
        console.print(f"已移出名单、不再计分的记录:{', '.join(map(str, summary.removed))}")
    if getattr(summary, "already_removed", None):
        shown = ", ".join(map(str, summary.already_removed))
        console.print(f"名单记录早已移出、不再计分(移出决定再次送达),未重复处理 (removed before):{shown}")
    if one:
        console.print(str(summary.id))
        return
    console.print(
        f"{summary.file}: {summary.received} 条记录,新写入 {len(summary.stored)} 条,已存在 {len(summary.already)} 条,"
        f"{_removals(summary)}重算 {len(summary.results)} 个结果;投递编号 (delivery id,`lrc records --delivery` 列出):"
    )
    if summary.id is not None:
        console.print(str(summary.id))


def _removals(summary: Any) -> str:
    """How many removals (a credit-platform feed's) took a listing out of the count now, and how many had
    already: nothing when the delivery held none."""
    removed, before = getattr(summary, "removed", []), getattr(summary, "already_removed", [])
    return f"移出名单 {len(removed)} 条,早已移出 {len(before)} 条," if removed or before else ""


def record_types(console: Console, table: list[Any]) -> None:
    grid = Table(title="记录类型 (record types)")
    for column in ("代码", "名称", "来源", "计分条目", "每条分值(显示期)", "可修复", "红线"):
        grid.add_column(column, overflow="fold")
    for t in table:
        tiers = ";".join(
            f"{x.tier_zh + ' ' if len(t.tiers) > 1 else ''}{x.points:+g}({x.display_months} 个月)" for x in t.tiers
        )
        grid.add_row(
            t.code,
            t.name_zh,
            t.source_kind_zh,
            ",".join(t.items),
            tiers,
            "是" if t.repairable else "",
            "是" if t.red_line else "",
        )
    console.print(grid)


def records(console: Console, listed: list[Any]) -> None:
    if not listed:
        console.print("没有记录 (no records)")
        return
    grid = Table(title=f"记录 (records):{len(listed)} 条")
    for column in ("编号", "信用代码", "类型", "程度", "决定日期", "决定机关", "文书编号", "分值", "状态"):
        grid.add_column(column, overflow="fold")
    for r in listed:
        points = f"{r.points:+g}" if r.points is not None else ""
        grid.add_row(str(r.id), r.uscc, r.type_zh, r.tier_zh, r.date.isoformat(), r.source, r.ref, points, r.status_zh)
    console.print(grid)


def catalogue_changes(console: Console, old: str, new: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        console.print(f"指标体系 {old} 与 {new} 的条目没有差别 (no changes)")
        return
    grid = Table(title=f"指标体系 {old} → {new}:{len(frame)} 处变化")
    for column in ("代码", "变化", "字段", "旧", "新"):
        grid.add_column(column, overflow="fold")
    for row in frame.itertuples(index=False):
        grid.add_row(row.code, row.change, row.field, row.old, row.new)
    console.print(grid)


def impact(console: Console, report: Any) -> None:
    console.print(
        f"期间 {report.period}:{report.enterprises} 家企业,指标体系 {report.old} → {report.new};"
        f"平均总分 {report.mean_total_old:.2f} → {report.mean_total_new:.2f};"
        f"触及红线 {report.red_lines_old} → {report.red_lines_new} 家;"
        f"排名相关 (Spearman) {report.rank_correlation if report.rank_correlation is not None else '—'}"
    )
    for version, missing in ((report.old, report.missing_old), (report.new, report.missing_new)):
        if missing:
            console.print(
                f"注意:本期数据缺少 {version} 的 {len(missing)} 个必填字段({'、'.join(missing[:5])}…),"
                f"按 {version} 计算时这些按未报送计,比较结果主要反映数据缺口 (required fields missing)",
                style="yellow",
            )
    matrix = Table(title=f"等级变化 (行:{report.old},列:{report.new})")
    matrix.add_column("")
    for grade in report.grades:
        matrix.add_column(grade, justify="right")
    for grade in report.grades:
        matrix.add_row(grade, *[str(report.transitions[grade][g]) for g in report.grades])
    console.print(matrix)
    items = Table(title="平均得分变化最大的条目")
    for column in ("代码", "内容", report.old, report.new, "变化"):
        items.add_column(column, overflow="fold")
    for m in report.items:
        shown = [f"{v:.2f}" if v is not None else "—" for v in (m.mean_old, m.mean_new)]
        items.add_row(m.code, m.name_zh, *shown, f"{m.change:+.2f}")
    console.print(items)
    for title, groups in (("按城市", report.by_city), ("按规模", report.by_size)):
        grid = Table(title=title)
        for column in ("", "企业数", report.old, report.new, "平均变化", "等级变化占比"):
            grid.add_column(column, justify="right")
        for g in groups:
            grid.add_row(
                g.group, str(g.enterprises), f"{g.mean_total_old:.2f}", f"{g.mean_total_new:.2f}",
                f"{g.mean_change:+.2f}", f"{g.grade_changed:.0%}",
            )  # fmt: skip
        console.print(grid)
