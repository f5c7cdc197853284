"""Reporting periods: ``2026Q3`` (quarter), ``2026H1`` (half year), ``2026M07`` (month) or ``2026`` (year)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from lrc.errors import LrcError, shorten
from lrc.normalise import ascii_form

PERIOD = re.compile(r"^(19|20)[0-9]{2}(Q[1-4]|H[12]|M(0[1-9]|1[0-2]))?$")


class PeriodError(LrcError):
    exit_code = 2


def check_period(period: str) -> str:
    """The period in its one spelling (NFKC, upper case: ``２０２６ｑ３`` → ``2026Q3``), or a clear error."""
    value = ascii_form(period).upper()
    if not PERIOD.match(value):
        raise PeriodError(
            f"期间 {shorten(period)!r} 格式不对,应为 2026Q3、2026H1、2026M07 或 2026 "
            "(period must look like 2026Q3, 2026H1, 2026M07 or 2026)"
        )
    return value


def period_kind(period: str) -> str:
    """``Y`` (year), ``H``, ``Q`` or ``M``."""
    return period[4] if len(period) > 4 else "Y"


def period_key(period: str) -> tuple[int, int, int]:
    """Chronological sort key: year, first month, then longer periods before shorter ones.
    ("2026" < "2026H1" < "2026Q1" < "2026M01" < "2026M02" < "2026Q2"), unlike plain string order."""
    year, kind = int(period[:4]), period_kind(period)
    index = int(period[5:]) if kind != "Y" else 1
    months = {"Y": 12, "H": 6, "Q": 3, "M": 1}[kind]
    return year, (index - 1) * months + 1, -months


def sort_periods(periods: Iterable[str]) -> list[str]:
    return sorted(periods, key=period_key)


def previous_period(period: str, periods: Iterable[str]) -> str | None:
    """The latest of ``periods`` of the same kind (quarter, month, …) that comes before ``period``."""
    earlier = [p for p in periods if period_kind(p) == period_kind(period) and period_key(p) < period_key(period)]
    return max(earlier, key=period_key) if earlier else None


def period_end(period: str) -> date:
    """The last day of ``period`` (records count for a period when it ends inside their window)."""
    year, first_month, negative_months = period_key(period)
    last_month = first_month - negative_months - 1
    if last_month == 12:
        return date(year, 12, 31)
    return date(year, last_month + 1, 1) - timedelta(days=1)


SUBMISSION_DAYS = 30  # days after a period ends in which enterprises submit their own data


def submission_deadline(period: str) -> date:
    """The last day an enterprise account may submit its data for ``period``; later, an analyst must.

    >>> submission_deadline("2026Q3")
    datetime.date(2026, 10, 30)
    """
    return period_end(period) + timedelta(days=SUBMISSION_DAYS)
