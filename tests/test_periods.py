"""Reporting periods: validation and chronological order."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from lrc.periods import PeriodError, check_period, previous_period, sort_periods


def test_periods_sort_in_time_not_as_text() -> None:
    assert sort_periods(["2026Q1", "2026M12", "2025Q4", "2026", "2026H1", "2026M01"]) == [
        "2025Q4", "2026", "2026H1", "2026Q1", "2026M01", "2026M12",
    ]  # fmt: skip


def test_the_previous_period_is_of_the_same_kind() -> None:
    known = ["2025Q4", "2026M12", "2026Q1", "2026Q2", "2025"]
    assert previous_period("2026Q2", known) == "2026Q1"
    assert previous_period("2026Q1", known) == "2025Q4"
    assert previous_period("2026", known) == "2025"
    assert previous_period("2025Q4", known) is None


@pytest.mark.parametrize("text", ["2026q3", " 2026Q3 "])
def test_a_period_is_normalised(text: str) -> None:
    assert check_period(text) == "2026Q3"


@pytest.mark.parametrize("text", ["2026Q5", "2026-3", "26Q1", "2026M13", ""])
def test_a_bad_period_is_refused_in_chinese(text: str) -> None:
    with pytest.raises(PeriodError, match="期间"):
        check_period(text)


def test_a_reporting_period_has_begun_and_ended_after_the_system_went_live() -> None:
    from datetime import date

    from lrc.periods import check_reporting_period

    today = date(2026, 12, 1)
    assert [check_reporting_period(p, today) for p in ("2026Q4", "2026M12", "2026", "2014Q4", "2014")] == [
        "2026Q4", "2026M12", "2026", "2014Q4", "2014",
    ]  # fmt: skip
    for period in ("2027Q1", "2026M13", "2027", "2014Q3", "2014M11", "1999Q1"):
        with pytest.raises(PeriodError):
            check_reporting_period(period, today)
    assert check_reporting_period("2027Q1", date(2027, 1, 1)) == "2027Q1"


def test_the_store_orders_periods_in_time_as_period_key_does(engine: Engine) -> None:
    """``period_order`` (the SQL that tells an enterprise's newest submission) sorts as ``sort_periods``."""
    from sqlalchemy import literal, select

    from lrc.store.period_order import period_order

    periods = ["2026Q1", "2026M12", "2025Q4", "2026", "2026H1", "2026M01", "2026H2", "2026Q4", "2026M07", "2025"]
    with engine.connect() as conn:
        keys = {p: conn.scalar(select(period_order(literal(p)))) for p in periods}
    assert sorted(periods, key=lambda p: keys[p]) == sort_periods(periods)
