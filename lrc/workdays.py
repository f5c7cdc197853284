"""Working days (工作日) as the State Council's holiday schedule sets them: public holidays off, swapped
weekend days on. The schedule comes from the maintained ``chinesecalendar`` package; a year it does not
cover yet (the schedule is announced each November or December) counts Monday to Friday, and says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar


@dataclass(frozen=True)
class Deadline:
    day: date
    official: bool  # every day counted is in the published schedule (else weekends only, for a later year)

    @property
    def note_zh(self) -> str:
        return "" if self.official else "(该年度节假日安排尚未公布,暂按周一至周五计算)"


def is_working_day(day: date) -> tuple[bool, bool]:
    """Whether ``day`` is a working day, and whether the published schedule says so (not a guess)."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: date, days: int) -> Deadline:
    """The ``days``-th working day after ``start`` (the day of filing itself is not counted)."""
    day, counted, official = start, 0, True
    while counted < days:
        day += timedelta(days=1)
        working, known = is_working_day(day)
        official = official and known
        counted += working
    return Deadline(day, official)


def due_note(day: date) -> str:
    """What a deadline on ``day`` must say when the schedule of its year is not published yet (else "")."""
    return "" if is_working_day(day)[1] else Deadline(day, False).note_zh
