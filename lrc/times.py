"""Times as people in China read them: stored times are UTC (SQLite keeps them without a zone) and are
shown in China Standard Time; "today" is the date in Beijing."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, overload
from zoneinfo import ZoneInfo

from lrc.errors import UsageError

if TYPE_CHECKING:  # imported when first needed: the CLI starts without pandas
    import pandas as pd

CHINA = ZoneInfo("Asia/Shanghai")


def in_china(value: Any) -> pd.Timestamp:
    """A stored time in China Standard Time."""
    import pandas as pd

    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.tz_convert(CHINA)


@overload
def china_iso(value: None) -> None: ...
@overload
def china_iso(value: datetime | date | str) -> str: ...
def china_iso(value: Any) -> str | None:
    """A stored time as every JSON answer and list gives it: ISO 8601 in China Standard Time, to the second
    (``2026-11-30T20:34:07+08:00``); None stays None."""
    return None if value is None else in_china(value).isoformat(timespec="seconds")


def stored_date(value: Any) -> date:
    """A stored date (SQLite may give its text, ``2026-12-01``) as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def today_in_china() -> date:
    return datetime.now(CHINA).date()


def not_after_today(day: date, what: str, why: str) -> date:
    """``day``, refused when it is after today in Beijing: an act dated in the future would take effect before
    its time (``what`` names the day, ``why`` says what it would do)."""
    today = today_in_china()
    if day > today:
        raise UsageError(f"{what} {day} 晚于今天 {today}(北京时间),{why} (a day not after today)")
    return day
