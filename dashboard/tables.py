"""Tables as analysts read them: Chinese headers, fixed number formats, and the
exports (CSV that Excel opens, XLSX) of exactly what a table shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd
import streamlit as st

from dashboard.i18n import column_labels, tr
from dashboard.text import plain

RESULT_COLUMNS = [
    "rank",
    "province_rank",
    "uscc",
    "name",
    "city",
    "industry_name",
    "size",
    "ownership",
    "total",
    "grade",
    "red_line",
    "completeness",
]

EXTRA_LABELS: dict[str, tuple[str, str]] = {
    "total_prev": ("上期总分", "Previous total"),
    "grade_prev": ("上期等级", "Previous grade"),
    "delta": ("分数变化", "Change"),
    "grade_steps": ("等级下降档数", "Grades fallen"),
    "risk": ("下期降级风险 %", "Risk of falling %"),
    "reasons": ("主要原因", "Top reasons"),
    "code": ("编码", "Code"),
    "name_zh": ("指标", "Item"),
    "level1_name": ("一级指标", "First level"),
    "level2_name": ("二级指标", "Second level"),
    "level3_name": ("三级指标", "Third level"),
    "kind": ("类型", "Kind"),
    "points": ("得分", "Points"),
    "stake": ("分值", "Points"),
    "max_points": ("满分", "Maximum"),
    "lost": ("失分", "Lost"),
    "lost_total": ("累计失分", "Points lost"),
    "lost_mean": ("平均失分", "Mean lost"),
    "losing_share": ("失分企业占比", "Share losing"),
    "reason": ("原因", "Reason"),
    "legal_basis": ("法律依据", "Legal basis"),
    "evidence_zh": ("核查证据", "Evidence"),
    "rule": ("规则", "Rule"),
    "enterprises": ("企业数", "Enterprises"),
    "mean": ("平均分", "Mean"),
    "median": ("中位数", "Median"),
    "red_lines": ("红线企业", "Red lines"),
    "provenance": ("数据来源", "Source of the facts"),
    "id": ("记录编号", "Record"),
    "type_zh": ("记录类型", "Record type"),
    "tier_zh": ("严重程度", "Severity"),
    "date": ("决定日期", "Decided"),
    "source": ("决定机关", "Authority"),
    "ref": ("文书编号", "Document no."),
    "item": ("计分条目", "Item"),
    "display_until": ("显示至(不含)", "Shown until"),
    "status_zh": ("说明", "Status"),
    "declared": ("每条分值", "Points per record"),
    "cost": ("本结果实计", "Cost in this result"),
    "alert_id": ("预警编号", "Alert"),
    "title_zh": ("预警规则", "Rule"),
    "severity_zh": ("严重程度", "Severity"),
    "period": ("期间", "Period"),
    "detail": ("变化", "Change"),
    "raised": ("时间", "Raised"),
    "publication_id": ("编号", "Id"),
    "number": ("文号", "Number"),
    "scope_zh": ("范围", "Scope"),
    "publisher": ("发布人", "Publisher"),
    "published_at": ("发布时间", "Published"),
    "replaced_by": ("已被替代为", "Replaced by"),
    "changed_to": ("发布后变化", "Changed since publication"),
    # hearings, their files and improvement plans
    "group": ("分组", "Group"),
    "hearing_id": ("听证编号", "Hearing"),
    "hearing_date": ("听证日期", "Date"),
    "kind_zh": ("类型", "Kind"),
    "title": ("标题", "Title"),
    "members": ("参加企业", "Enterprises"),
    "hearing_status": ("状态", "Status"),
    "files": ("附件数", "Files"),
    "file_id": ("文件编号", "File"),
    "file_kind": ("附件类型", "Kind"),
    "file_name": ("文件名", "File name"),
    "bytes": ("大小(字节)", "Bytes"),
    "added_by": ("添加人", "Added by"),
    "added_at": ("添加时间", "Added"),
    "action_id": ("措施编号", "Action"),
    "item_label": ("改进指标", "Item"),
    "plan_action": ("整改措施", "Action"),
    "due": ("完成期限", "Due"),
    "progress": ("进展", "Progress"),
    "evidence_name": ("证明文件", "Evidence"),
    "before": ("听证前得分", "Points before"),
    "after": ("其后得分", "Points after"),
    "change": ("变化", "Change"),
    # objections and credit repair
    "corrected": ("更正与修复", "Corrected or repaired"),
    "case": ("案件", "Case"),
    "subject": ("事项", "Subject"),
    "grounds": ("理由或依据", "Grounds"),
    "state": ("状态", "Status"),
    "decide_by": ("决定期限", "Decide by"),
    "filed_on": ("提出日期", "Filed on"),
    "filed_by": ("提出人", "Filed by"),
    "filed_at": ("提出时间", "Filed at"),
    "at": ("时间", "At"),
    "actor": ("办理人", "By"),
    "step": ("环节", "Step"),
    "note": ("说明", "Note"),
    "run_id": ("评分批次", "Run"),
    "result_before": ("原结果", "Before"),
    "result_after": ("新结果", "After"),
}

FORMATS = {
    "total": "%.1f",
    "total_prev": "%.1f",
    "delta": "%+.1f",
    "mean": "%.1f",
    "median": "%.1f",
    "points": "%.1f",
    "declared": "%+.1f",
    "cost": "%+.1f",
    "stake": "%+.1f",
    "max_points": "%.1f",
    "lost": "%.1f",
    "lost_total": "%,.1f",
    "lost_mean": "%.2f",
}
PERCENT = ("completeness", "losing_share")


def labelled(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The columns shown, under their names in the current language."""
    shown = frame[list(columns)]
    return shown.rename(columns=column_labels(list(columns), EXTRA_LABELS))


WIDTHS = {  # pixels, so that a page of the ranking fits a 1,500-pixel screen
    "rank": 50,
    "province_rank": 70,
    "uscc": 165,
    "name": 210,
    "city": 70,
    "industry_name": 140,
    "size": 50,
    "ownership": 80,
    "total": 60,
    "grade": 50,
    "red_line": 70,
    "completeness": 90,
    "total_prev": 70,
    "delta": 70,
    "grade_prev": 70,
    "grade_steps": 90,
    "code": 70,
    "points": 50,
    "max_points": 50,
    "lost": 50,
    "enterprises": 70,
    "mean": 70,
    "median": 70,
    "red_lines": 70,
}


def column_config(columns: Sequence[str]) -> dict[str, Any]:
    """Number formats and widths, so a page of results fits the screen."""
    labels = column_labels(list(columns), EXTRA_LABELS)
    config: dict[str, Any] = {}
    for column in columns:
        label = labels.get(column, column)
        width = WIDTHS.get(column)
        if column in FORMATS:
            config[label] = st.column_config.NumberColumn(label, format=FORMATS[column], width=width)
        elif column in PERCENT:
            config[label] = st.column_config.NumberColumn(label, format="percent", width=width)
        elif column == "red_line":
            config[label] = st.column_config.CheckboxColumn(label, width=width)
        elif width:
            config[label] = st.column_config.Column(label, width=width)
    return config


def show(
    frame: pd.DataFrame, columns: Sequence[str], *, height: int | Literal["auto"] = "auto", key: str | None = None
) -> None:
    """A read-only, scrollable table of ``columns`` with Chinese headers and formats."""
    st.dataframe(
        labelled(frame, columns),
        column_config=column_config(columns),
        hide_index=True,
        height=height,
        width="stretch",
        key=key,
    )


IDENTIFIERS = ("code",)  # catalogue codes (``D3.2.1``): checked on load, looked up as they are


def static(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """A table whose long texts (reasons, rules, legal bases) wrap instead of being cut.
    ``st.table`` renders Markdown in its cells, so every text is passed through ``plain``."""
    shown = frame[list(columns)].copy()
    for column in shown.columns:
        if column in FORMATS:
            fmt = FORMATS[column].replace(",", "")
            shown[column] = shown[column].map(lambda v, f=fmt: "" if pd.isna(v) else f % v)
        elif column not in IDENTIFIERS and pd.api.types.is_string_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: v if pd.isna(v) else plain(v))
    st.table(shown.rename(columns=column_labels(list(columns), EXTRA_LABELS)), hide_index=True, border="horizontal")


def kind_names() -> dict[str, str]:
    return {"add": tr("加分项失分", "add points not earned"), "deduct": tr("扣分项", "deductions taken")}


def lost_kind_names() -> dict[str, str]:
    """Names of ``profile.lost_points``' ``lost_kind``: an add item that earned nothing,
    one that earned part of its points, and a deduction taken."""
    return {
        "missed": tr("加分项未得分", "add points missed"),
        "partial": tr("加分项未得满分", "add points partly earned"),
        "deduct": tr("扣分项", "deductions taken"),
    }
