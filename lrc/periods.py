"""Reporting periods: ``2026Q3`` (quarter), ``2026H1`` (half year), ``2026M07`` (month) or ``2026`` (year)."""

from __future__ import annotations

import re

from lrc.errors import LrcError

PERIOD = re.compile(r"^(19|20)\d\d(Q[1-4]|H[12]|M(0[1-9]|1[0-2]))?$")


class PeriodError(LrcError):
    exit_code = 2


def check_period(period: str) -> str:
    """The period, normalised to upper case, or a clear error."""
    value = period.strip().upper()
    if not PERIOD.match(value):
        raise PeriodError(
            f"期间 {period!r} 格式不对,应为 2026Q3、2026H1、2026M07 或 2026 "
            "(period must look like 2026Q3, 2026H1, 2026M07 or 2026)"
        )
    return value
