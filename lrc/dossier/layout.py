"""What the web page and the PDF of a dossier share: headings, labels and how values read."""

from __future__ import annotations

from lrc.dossier.content import CaseLine, DossierContent, EnterpriseDossier, ItemLine, PlanLine

NONE = "无"
KIND_ZH = {"add": "加分", "deduct": "扣分"}
CHART_MARK = "图:一级指标得分与行业平均"  # the caption next to the bar chart (tests look for it)
TREND_MARK = "图:历期总分走势"  # the caption next to the trend line
CASE_COLUMNS = ("类别", "编号", "事项", "理由或条件", "状态", "提出日期", "决定期限", "决定或转交")
NO_CASES = "该企业没有异议或信用修复申请。"
LOST_NOTE = "扣分条目与未得满分的加分条目,附原因、法律依据、所需证据与数据来源。"
PLAN_COLUMNS = ("听证", "条目", "改进措施", "完成期限", "进展", "证明材料", "听证前得分", "听证后得分")
COMPARISON_COLUMNS = ("企业名称", "统一社会信用代码", "地区", "行业", "总分", "等级", "全省名次", "红线")


def points(value: float) -> str:
    return f"{value:.1f}"


def share(value: float | None) -> str:
    return "—" if value is None else f"前 {value:.1%}"


def basis(item: ItemLine) -> str:
    return ";".join(item.legal_basis) or NONE


def item_points(item: ItemLine) -> str:
    """``-2.0`` for a deduction, ``0.0 / 1.0`` for an add item (earned of attainable)."""
    if item.kind == "deduct":
        return points(item.points)
    return f"{points(item.points)} / {points(item.max_points)}"


def profile_rows(e: EnterpriseDossier) -> list[tuple[str, str]]:
    rescored = e.result_run_id != e.run_id
    return [
        ("企业名称", e.name),
        ("统一社会信用代码", e.uscc),
        ("所在地区", f"{e.city}({e.region_code})"),
        ("行业", f"{e.industry} {e.industry_name}"),
        ("规模", e.size or "—"),
        ("所有制", e.ownership or "—"),
        ("评价期间", e.period),
        ("指标体系版本", e.catalogue_version),
        ("评分批次", f"{e.run_id}" + (f"(结果来自单企业重算批次 {e.result_run_id})" if rescored else "")),
        ("数据完整度", f"{e.completeness:.1%}"),
    ]


def result_rows(e: EnterpriseDossier) -> list[tuple[str, str]]:
    rows = [("总分", points(e.total)), ("等级", f"{e.grade} {e.grade_label}")]
    rows += [("触及红线", "是:" + "、".join(e.red_line_items) if e.red_line else "否")]
    if e.grade_note:
        rows.append(("等级说明", e.grade_note))
    rows += [(f"{r.scope_zh}排名", f"{r.rank} / {r.n}({share(r.top_share)})") for r in e.ranks]
    return rows


def comparison_row(e: EnterpriseDossier) -> list[str]:
    province = e.ranks[0]
    return [
        e.name, e.uscc, e.city, e.industry_name, points(e.total), f"{e.grade} {e.grade_label}",
        f"{province.rank} / {province.n}", "是" if e.red_line else "否",
    ]  # fmt: skip


def plan_row(line: PlanLine) -> list[str]:
    return [
        f"#{line.hearing_id}", line.item, line.action, line.due, line.status, line.evidence or "—",
        line.before or "—", line.after or "—",
    ]  # fmt: skip


def numbered(k: int, text: str) -> str:
    digits = "一二三四五六七八九十"
    return f"{digits[k - 1] if k <= len(digits) else k}、{text}"


def section_titles(e: EnterpriseDossier) -> list[str]:
    """The sections of one enterprise's part, in order (risk only when early warning exists)."""
    titles = ["企业概况", "评价结果与排名", "一级指标得分与行业对比", "扣分与未得分条目", "历期走势"]
    titles += ["显示期内的记录", "预警"]
    if e.risk is not None:
        titles.append("风险预测")
    titles += ["改进计划及进展", "异议与信用修复"]
    return [numbered(k, t) for k, t in enumerate(titles, start=1)]


def case_row(c: CaseLine) -> list[str]:
    return [c.kind, f"#{c.id}", c.subject, c.reason, c.status, c.filed, c.due, c.decision or "—"]


def footer(content: DossierContent) -> str:
    return f"生成时间 {content.generated_at}(北京时间),生成人 {content.generated_by};数字与 lrc explain 一致。"
