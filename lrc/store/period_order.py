"""A period's place in time as SQL can sort it: ``period_order(column)`` orders period strings as
``lrc.periods.period_key`` does (year, first month, the longer period first), where plain string order puts
``2026M12`` before ``2026Q1``. On SQLite and PostgreSQL alike (``substr``, ``||`` and ``CASE``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, literal

# what follows the year → first month and 12 minus the months it spans, two digits each
SUFFIXES = {
    "": "0100",
    "H1": "0106",
    "H2": "0706",
    "Q1": "0109",
    "Q2": "0409",
    "Q3": "0709",
    "Q4": "1009",
}


def period_order(column: Any) -> Any:
    """A text expression (``20260709`` for ``2026Q3``, ``20261211`` for ``2026M12``) ordering periods in time."""
    suffix = func.substr(column, 5)
    month = func.substr(column, 6, 2).concat(literal("11"))  # 2026M07 → 0711
    return func.substr(column, 1, 4).concat(case(SUFFIXES, value=suffix, else_=month))
