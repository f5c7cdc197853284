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


FIRST_DAY = date(2014, 12, 1)  # the Liaoning system went live in December 2014: no period ended before it is rated


def check_reporting_period(period: str, today: date) -> str:
    """``check_period``, and a period facts can be reported for: one that has begun by ``today`` (China's
    date) and did not end before the rating system went live. 1999Q1 or 2099Q1 is a typing mistake that would
    otherwise become a period of its own in every list.

    >>> check_reporting_period("2026Q4", date(2026, 12, 1))
    '2026Q4'
    """
    value = check_period(period)
    if period_start(value) > today:
        raise PeriodError(
            f"期间 {value} 尚未开始(今天是 {today.isoformat()}),不能报送其数据 (the period has not begun)"
        )
    if period_end(value) < FIRST_DAY:
        raise PeriodError(
            f"期间 {value} 早于评价体系启用(2014 年 12 月),不能报送其数据 (the period ended before the system began)"
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


def is_current(period: str, day: date) -> bool:
    """Whether an enterprise's newest result, of ``period``, may still be its standing on ``day``: the next
    period's result may not be in yet (it is due ``SUBMISSION_DAYS`` after that period ends, and scored after),
    so until the period after next is due; older, ``period`` is history, loaded and scored late (a record's
    expiry then leaves it with the records of its own window).

    >>> [is_current(p, date(2026, 12, 1)) for p in ("2026Q3", "2026Q2", "2026Q1")]
    [True, True, False]
    """
    return day <= submission_deadline(next_period(next_period(period)))


def next_period(period: str) -> str:
    """The period of the same kind right after ``period`` (``2026Q4`` → ``2027Q1``, ``2026`` → ``2027``).

    >>> next_period("2026Q4"), next_period("2026M12"), next_period("2026H1"), next_period("2026")
    ('2027Q1', '2027M01', '2026H2', '2027')
    """
    year, kind = int(period[:4]), period_kind(period)
    if kind == "Y":
        return str(year + 1)
    count = {"H": 2, "Q": 4, "M": 12}[kind]
    index = int(period[5:]) + 1
    if index > count:
        year, index = year + 1, 1
    return f"{year}{kind}{index:02d}" if kind == "M" else f"{year}{kind}{index}"


MAX_RANGE = 240


def period_range(spec: str) -> list[str]:
    """Every period from ``FIRST..LAST`` (both of one kind, FIRST not after LAST), in order; a single period
    is a range of one.

    >>> period_range("2025Q3..2026Q2")
    ['2025Q3', '2025Q4', '2026Q1', '2026Q2']
    """
    text = ascii_form(spec).replace("…", "..")
    first_text, sep, last_text = text.partition("..")
    first = check_period(first_text.strip())
    last = check_period(last_text.strip()) if sep else first
    if period_kind(first) != period_kind(last):
        raise PeriodError(f"期间范围 {shorten(spec)!r} 两端应为同一种期间 (both ends must be of one kind)")
    if period_key(first) > period_key(last):
        raise PeriodError(f"期间范围 {shorten(spec)!r} 的起点晚于终点 (the range starts after it ends)")
    periods = [first]
    while periods[-1] != last:
        periods.append(next_period(periods[-1]))
        if len(periods) > MAX_RANGE:
            raise PeriodError(f"期间范围 {shorten(spec)!r} 超过 {MAX_RANGE} 个期间 (too many periods)")
    return periods


def period_start(period: str) -> date:
    """The first day of ``period``."""
    year, first_month, _ = period_key(period)
    return date(year, first_month, 1)
