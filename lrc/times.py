"""Times as people in China read them: stored times are UTC (SQLite keeps them without a zone) and are
shown in China Standard Time; "today" is the date in Beijing."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # imported when first needed: the CLI starts without pandas
    import pandas as pd

CHINA = ZoneInfo("Asia/Shanghai")


def in_china(value: Any) -> pd.Timestamp:
    """A stored time in China Standard Time."""
    import pandas as pd

    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.tz_convert(CHINA)


def today_in_china() -> date:
    return datetime.now(CHINA).date()
