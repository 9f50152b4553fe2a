"""Meeting schedules: the German wording, the next meeting days and the recurrence rules."""

from __future__ import annotations

import calendar
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from group_directory.model import LAST, Rhythm, Schedule
from group_directory.schedule import (
    describe,
    first_on_or_after,
    meetings,
    next_days,
    nth_weekday,
    rrule_text,
)

MO, TU, WE, TH, FR, SA, SU = range(7)
BERLIN = ZoneInfo("Europe/Berlin")


def weekly(day: int, **kw) -> Schedule:
    return Schedule(weekday=day, rhythm=Rhythm.WEEKLY, **kw)


def biweekly(day: int, anchor: date, **kw) -> Schedule:
    return Schedule(weekday=day, rhythm=Rhythm.BIWEEKLY, anchor=anchor, **kw)


def monthly(day: int, *weeks: int, **kw) -> Schedule:
    return Schedule(weekday=day, rhythm=Rhythm.MONTHLY, weeks=tuple(weeks), **kw)


@pytest.mark.parametrize("schedule,words", [
    (weekly(TU, start=time(19), end=time(21)), "jeden Dienstag, 19:00–21:00 Uhr"),
    (biweekly(WE, date(2026, 3, 4), start=time(19), end=time(21)),
     "alle 14 Tage mittwochs, 19:00–21:00 Uhr"),
    (monthly(MO, 2, 4, start=time(18), end=time(19, 30)),
     "jeden 2. und 4. Montag im Monat, 18:00–19:30 Uhr"),
    (monthly(FR, LAST), "jeden letzten Freitag im Monat"),
    (monthly(TH, 1, start=time(18)), "jeden 1. Donnerstag im Monat, ab 18:00 Uhr"),
    (monthly(MO, 1, 2, 3), "jeden 1., 2. und 3. Montag im Monat"),
    (monthly(SU, 2, LAST, start=time(10, 30), end=time(12)),
     "jeden 2. und letzten Sonntag im Monat, 10:30–12:00 Uhr"),
    (weekly(SA), "jeden Samstag"),
    (Schedule(), ""),
    (Schedule(start=time(19)), "ab 19:00 Uhr"),
])
def test_wording(schedule, words):
    assert describe(schedule) == words


@pytest.mark.parametrize("schedule,rule", [
    (weekly(MO), "FREQ=WEEKLY;BYDAY=MO"),
    (biweekly(WE, date(2026, 3, 4)), "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
    (monthly(MO, 2, 4), "FREQ=MONTHLY;BYDAY=2MO,4MO"),
    (monthly(FR, LAST), "FREQ=MONTHLY;BYDAY=-1FR"),
    (monthly(TH, 1), "FREQ=MONTHLY;BYDAY=1TH"),
    (monthly(SU, 1, LAST), "FREQ=MONTHLY;BYDAY=1SU,-1SU"),
])
def test_recurrence_rules(schedule, rule):
    assert rrule_text(schedule) == rule


def test_no_rule_without_weekday_or_rhythm():
    with pytest.raises(ValueError):
        rrule_text(Schedule(weekday=MO))


@pytest.mark.parametrize("year,month,weekday,n,expected", [
    (2026, 3, MO, 1, date(2026, 3, 2)),
    (2026, 3, MO, 4, date(2026, 3, 23)),  # March 2026 has five Mondays: 4th is not the last
    (2026, 3, MO, LAST, date(2026, 3, 30)),
    (2026, 3, MO, 5, date(2026, 3, 30)),
    (2026, 2, MO, LAST, date(2026, 2, 23)),  # four Mondays: 4th is the last
    (2026, 2, MO, 5, None),
    (2026, 6, MO, 1, date(2026, 6, 1)),  # the 1st is a Monday
    (2026, 12, TH, LAST, date(2026, 12, 31)),
])
def test_nth_weekday(year, month, weekday, n, expected):
    assert nth_weekday(year, month, weekday, n) == expected


@pytest.mark.parametrize("schedule,today,expected", [
    # weekly: today counts when it is a meeting day
    (weekly(TU), date(2026, 11, 24), [date(2026, 11, 24), date(2026, 12, 1), date(2026, 12, 8)]),
    (weekly(MO), date(2026, 11, 24), [date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)]),
    # last Monday of the month, across months with five and four Mondays
    (monthly(MO, LAST), date(2026, 3, 24),
     [date(2026, 3, 30), date(2026, 4, 27), date(2026, 5, 25)]),
    (monthly(MO, LAST), date(2026, 5, 26),
     [date(2026, 6, 29), date(2026, 7, 27), date(2026, 8, 31)]),
    # 4th Monday is not the last one in months with five Mondays (June 2026)
    (monthly(MO, 4), date(2026, 3, 24), [date(2026, 4, 27), date(2026, 5, 25), date(2026, 6, 22)]),
    # 2nd and 4th, across the year's end
    (monthly(MO, 2, 4), date(2026, 11, 24),
     [date(2026, 12, 14), date(2026, 12, 28), date(2027, 1, 11)]),
    # 14-täglich from the anchor (the first Wednesday on or after Stand 01.03.2026)
    (biweekly(WE, date(2026, 3, 4)), date(2026, 11, 24),
     [date(2026, 11, 25), date(2026, 12, 9), date(2026, 12, 23)]),
    (biweekly(WE, date(2026, 3, 4)), date(2026, 11, 25),
     [date(2026, 11, 25), date(2026, 12, 9), date(2026, 12, 23)]),
    (biweekly(WE, date(2026, 3, 4)), date(2026, 11, 26),
     [date(2026, 12, 9), date(2026, 12, 23), date(2027, 1, 6)]),
    # anchor still ahead: the series starts there
    (biweekly(WE, date(2026, 12, 2)), date(2026, 11, 24),
     [date(2026, 12, 2), date(2026, 12, 16), date(2026, 12, 30)]),
    (Schedule(), date(2026, 11, 24), []),
])
def test_next_days(schedule, today, expected):
    assert next_days(schedule, today, 3) == expected


def test_anchor_is_first_weekday_on_or_after_stand():
    assert first_on_or_after(date(2026, 3, 1), WE) == date(2026, 3, 4)
    assert first_on_or_after(date(2026, 3, 4), WE) == date(2026, 3, 4)


def test_meetings_carry_times_in_local_time_across_daylight_saving():
    schedule = weekly(MO, start=time(18), end=time(19, 30))
    first, second = meetings(schedule, date(2026, 3, 23), 2, BERLIN)
    assert first.start.isoformat() == "2026-03-23T18:00:00+01:00"
    assert second.start.isoformat() == "2026-03-30T18:00:00+02:00"
    assert second.end.isoformat() == "2026-03-30T19:30:00+02:00"
    assert second.time_text == "18:00–19:30 Uhr"
    (only_day,) = meetings(weekly(MO), date(2026, 3, 23), 1, BERLIN)
    assert only_day.start is None and only_day.time_text == ""


def matches(schedule: Schedule, day: date) -> bool:
    """An independent, brute-force definition of a meeting day."""
    if day.weekday() != schedule.weekday:
        return False
    if schedule.rhythm is Rhythm.WEEKLY:
        return True
    if schedule.rhythm is Rhythm.BIWEEKLY:
        return (day - schedule.anchor).days % 14 == 0
    week = (day.day - 1) // 7 + 1
    is_last = day.day + 7 > calendar.monthrange(day.year, day.month)[1]
    return week in schedule.weeks or (is_last and LAST in schedule.weeks)


schedules = st.one_of(
    st.builds(weekly, st.integers(0, 6)),
    st.builds(biweekly, st.integers(0, 6), st.dates(date(2020, 1, 1), date(2030, 1, 1))).map(
        lambda s: Schedule(weekday=s.weekday, rhythm=s.rhythm,
                           anchor=first_on_or_after(s.anchor, s.weekday))),
    st.builds(lambda d, ws: monthly(d, *sorted(ws, key=lambda w: 99 if w == LAST else w)),
              st.integers(0, 6), st.sets(st.sampled_from([1, 2, 3, 4, LAST]), min_size=1)),
)


@settings(max_examples=300, deadline=None)
@given(schedule=schedules, today=st.dates(date(2024, 1, 1), date(2032, 12, 31)))
def test_next_days_agree_with_brute_force(schedule, today):
    expected = [d for d in (today + timedelta(days=i) for i in range(120)) if matches(schedule, d)]
    assert next_days(schedule, today, 3) == expected[:3]
