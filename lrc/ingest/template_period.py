"""The period a collection template (`lrc template`) was made for. The title of its guide sheet names it;
ingest reads it back and refuses the workbook under another ``--period``. A workbook without the sheet, or
whose title names no period (an older or edited one), is not checked."""

from __future__ import annotations

import re

from lrc.errors import InputValidationError, RowProblem
from lrc.periods import PeriodError, check_period

GUIDE_SHEET = "填报说明"
_NAMED = re.compile(r"报告期\s*(\w+)")


def guide_title(period: str, where: str) -> str:
    """The title (cell A1) of a template's guide sheet for ``period`` and the area ``where``."""
    return f"企业劳动关系信用评价 采集表 · 报告期 {period} · {where}"


def title_period(title: str) -> str | None:
    """The period a guide sheet's title names (``guide_title``), None when it names none.

    >>> title_period("企业劳动关系信用评价 采集表 · 报告期 2026Q3 · 辽宁省"), title_period("采集表")
    ('2026Q3', None)
    """
    found = _NAMED.search(title)
    if found is None:
        return None
    try:
        return check_period(found.group(1))
    except PeriodError:
        return None


def check_template_period(file: str, made_for: str | None, period: str) -> None:
    """Refuse a template made for another period than ``period`` (``made_for`` None: nothing to check)."""
    if made_for is None or made_for == period:
        return
    reason = (
        f"这是报告期 {made_for} 的采集表(见工作表「{GUIDE_SHEET}」的标题),与 --period {period} 不符;请确认数据"
        f"所属的期间:用 --period {made_for} 导入,或把数据填入 `lrc template --period {period}` 生成的采集表 "
        f"(the template was made for period {made_for}, not {period})"
    )
    raise InputValidationError([RowProblem(file, None, None, None, reason)], file)
