"""Meeting schedules: German wording, the next meeting days, and iCalendar recurrence rules.

How `14-täglich` is anchored: the first such weekday on or after the entry's `Stand` date is a
meeting day, and so is every 14th day before and after it. Editors set `Stand` accordingly
(the README's column table tells editors).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from .model import LAST, WEEKDAYS, Rhythm, Schedule

ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: "mittwochs": for "alle 14 Tage mittwochs"
ADVERBIAL_DAYS = ("montags", "dienstags", "mittwochs", "donnerstags", "freitags", "samstags",
                  "sonntags")


def first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The n-th (1–5) or last (n = LAST) weekday of a month; None if there is no such day."""
    days_in_month = calendar.monthrange(year, month)[1]
    if n == LAST:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = first_on_or_after(date(year, month, 1), weekday)
    day = first + timedelta(weeks=n - 1)
    return day if day.month == month else None


# --- Wording -----------------------------------------------------------------------------

def format_time(value: time) -> str:
    return f"{value:%H:%M}"


def time_range(schedule: Schedule) -> str:
    """'18:00–19:30 Uhr', 'ab 19:00 Uhr' or ''."""
    if schedule.start and schedule.end:
        return f"{format_time(schedule.start)}–{format_time(schedule.end)} Uhr"
    if schedule.start:
        return f"ab {format_time(schedule.start)} Uhr"
    return ""


def _ordinals(weeks: tuple[int, ...]) -> str:
    """(2, 4) -> '2. und 4.'; (1, LAST) -> '1. und letzten'; (1, 2, 3) -> '1., 2. und 3.'."""
    words = ["letzten" if week == LAST else f"{week}." for week in weeks]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " und " + words[-1]


@lru_cache(maxsize=1024)
def rule_words(schedule: Schedule) -> str:
    """'jeden Dienstag', 'alle 14 Tage mittwochs', 'jeden 2. und 4. Montag im Monat'."""
    if not schedule.has_rule:
        return ""
    assert schedule.weekday is not None
    day = WEEKDAYS[schedule.weekday]
    if schedule.rhythm is Rhythm.WEEKLY:
        return f"jeden {day}"
    if schedule.rhythm is Rhythm.BIWEEKLY:
        return f"alle 14 Tage {ADVERBIAL_DAYS[schedule.weekday]}"
    return f"jeden {_ordinals(schedule.weeks)} {day} im Monat"


@lru_cache(maxsize=1024)
def describe(schedule: Schedule) -> str:
    """The whole schedule in words: 'jeden 2. und 4. Montag im Monat, 18:00–19:30 Uhr'."""
    parts = [part for part in (rule_words(schedule), time_range(schedule)) if part]
    return ", ".join(parts)


# --- Meeting days ------------------------------------------------------------------------

def _monthly_days(schedule: Schedule, start: date) -> Iterator[date]:
    assert schedule.weekday is not None
    year, month = start.year, start.month
    while True:
        days = {nth_weekday(year, month, schedule.weekday, week) for week in schedule.weeks}
        for day in sorted(d for d in days if d is not None):
            if day >= start:
                yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def meeting_days(schedule: Schedule, start: date) -> Iterator[date]:
    """Every meeting day on or after `start`, in order (endless)."""
    if not schedule.has_rule:
        return
    assert schedule.weekday is not None
    if schedule.rhythm is Rhythm.MONTHLY:
        yield from _monthly_days(schedule, start)
        return
    if schedule.rhythm is Rhythm.BIWEEKLY:
        if schedule.anchor is None:
            return  # the reader requires a Stand for 14-täglich; nothing to compute without
        weeks_off = -(-(start - schedule.anchor).days // 14)  # ceil division
        day = schedule.anchor + timedelta(weeks=2 * weeks_off)
        step = timedelta(weeks=2)
    else:
        day = first_on_or_after(start, schedule.weekday)
        step = timedelta(weeks=1)
    while True:
        yield day
        day += step


def next_days(schedule: Schedule, today: date, count: int = 3) -> list[date]:
    """The next `count` meeting days from `today` on (today included)."""
    days = []
    for day in meeting_days(schedule, today):
        days.append(day)
        if len(days) == count:
            break
    return days


@dataclass(frozen=True)
class Meeting:
    day: date
    start: datetime | None  #: None when the table gives no time
    end: datetime | None
    time_text: str  #: "18:00–19:30 Uhr", "ab 19:00 Uhr" or ""


def meetings(schedule: Schedule, today: date, count: int, zone: ZoneInfo) -> list[Meeting]:
    """The next `count` meetings from `today` on, with times in `zone`."""
    text = time_range(schedule)
    return [
        Meeting(day,
                datetime.combine(day, schedule.start, tzinfo=zone) if schedule.start else None,
                datetime.combine(day, schedule.end, tzinfo=zone) if schedule.end else None,
                text)
        for day in next_days(schedule, today, count)
    ]


# --- iCalendar ---------------------------------------------------------------------------

def rrule(schedule: Schedule) -> dict[str, object]:
    """The recurrence rule as icalendar expects it (vRecur parts)."""
    if not schedule.has_rule:
        raise ValueError("schedule without weekday or rhythm")
    assert schedule.weekday is not None
    day = ICAL_DAYS[schedule.weekday]
    if schedule.rhythm is Rhythm.WEEKLY:
        return {"FREQ": "WEEKLY", "BYDAY": [day]}
    if schedule.rhythm is Rhythm.BIWEEKLY:
        return {"FREQ": "WEEKLY", "INTERVAL": 2, "BYDAY": [day]}
    return {"FREQ": "MONTHLY", "BYDAY": [f"{week}{day}" for week in schedule.weeks]}


def rrule_text(schedule: Schedule) -> str:
    """'FREQ=MONTHLY;BYDAY=2MO,4MO' (for reading and tests)."""
    parts = []
    for key, value in rrule(schedule).items():
        text = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
        parts.append(f"{key}={text}")
    return ";".join(parts)
