"""The .ics file per group: parsed back with icalendar, its recurrence expanded with dateutil,
must give the same meeting days as the group page; and it is deterministic."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from group_directory.calendar_file import (
    CalendarJob, CalendarWriter, build_calendar, calendar_bytes, location,
)
from group_directory.model import LAST, Form, Group, Rhythm, Schedule, Status, Term
from group_directory.schedule import next_days
from sitetools.entry_store import ENTRIES_FILE, EntryStore

MO, TU, WE, TH, FR = range(5)
TODAY = date(2026, 11, 24)
HOST = "www.selbsthilfe-beispielstadt.example"
PAGE = f"https://{HOST}/gruppen/kreuzbund-2/"


def group(schedule: Schedule, **changes) -> Group:
    values = dict(slug="kreuzbund-2", name="Kreuzbund Gruppe 2, „Lengfeld“; Di",
                  topics=(Term("Sucht", "sucht"),), place=Term("Beispielstadt", "beispielstadt"),
                  district=Term("Lengfeld", "lengfeld"), form=Form.PRESENCE,
                  status=Status.ACTIVE, row=2, schedule=schedule, venue="Pfarrheim",
                  checked=date(2026, 3, 18), schedule_hint="nicht in den Schulferien")
    values.update(changes)
    return Group(**values)


def build(g: Group, today: date = TODAY) -> bytes:
    return build_calendar(g, page_url=PAGE, host=HOST, tzid="Europe/Berlin", today=today,
                          contact_note="Kontakt über die Kontaktstelle: Telefon 01234 567890")


def times(**kw) -> dict:
    return dict(start=time(19), end=time(21), **kw)


SCHEDULES = {
    "weekly": (Schedule(weekday=TU, rhythm=Rhythm.WEEKLY, **times()), "FREQ=WEEKLY;BYDAY=TU"),
    "biweekly": (Schedule(weekday=WE, rhythm=Rhythm.BIWEEKLY, anchor=date(2026, 3, 18),
                          **times()), "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
    "2nd and 4th": (Schedule(weekday=MO, rhythm=Rhythm.MONTHLY, weeks=(2, 4), **times()),
                    "FREQ=MONTHLY;BYDAY=2MO,4MO"),
    "last": (Schedule(weekday=FR, rhythm=Rhythm.MONTHLY, weeks=(LAST,), **times()),
             "FREQ=MONTHLY;BYDAY=-1FR"),
    "last monday": (Schedule(weekday=MO, rhythm=Rhythm.MONTHLY, weeks=(LAST,), **times()),
                    "FREQ=MONTHLY;BYDAY=-1MO"),
}


def parse(data: bytes):
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    (zone,) = calendar.walk("VTIMEZONE")
    return calendar, event, zone


@pytest.mark.parametrize("name", SCHEDULES)
def test_calendar_parses_and_repeats_like_the_group_page(name):
    schedule, rule = SCHEDULES[name]
    data = build(group(schedule))
    calendar, event, zone = parse(data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert str(zone["TZID"]) == "Europe/Berlin"
    assert event["UID"] == f"kreuzbund-2@{HOST}"
    assert event.decoded("DTSTAMP") == datetime(2026, 3, 18, tzinfo=timezone.utc)
    assert event["RRULE"].to_ical().decode() == rule
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Berlin" and start.time() == time(19)
    assert event.decoded("DTEND") - start == datetime(2000, 1, 1, 21) - datetime(2000, 1, 1, 19)
    assert start.date() >= date(2026, 3, 18)  # the series starts at Stand
    assert b"DTSTART;TZID=Europe/Berlin:" in data
    # Expanding the rule gives exactly the meeting days the page lists.
    expanded = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start.replace(tzinfo=None))
    upcoming = [d.date() for d in expanded.xafter(datetime(2026, 11, 24), count=6, inc=True)]
    assert upcoming == next_days(schedule, TODAY, 6)


def test_calendar_fields_and_escaping():
    data = build(group(SCHEDULES["weekly"][0]))
    _, event, _ = parse(data)
    assert str(event["SUMMARY"]) == "Kreuzbund Gruppe 2, „Lengfeld“; Di"
    assert str(event["LOCATION"]) == "Pfarrheim, Lengfeld, Beispielstadt"
    assert "nicht in den Schulferien" in str(event["DESCRIPTION"])
    assert "Kontaktstelle" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == PAGE
    assert str(event["STATUS"]) == "CONFIRMED"
    assert b"\r\n" in data and b"SUMMARY:Kreuzbund Gruppe 2\\, \xe2\x80\x9eLengfeld\xe2\x80\x9c\\; Di" in data


def test_online_and_hybrid_locations_and_tentative_new_groups():
    weekly = SCHEDULES["weekly"][0]
    assert location(group(weekly, form=Form.ONLINE)) == "Online"
    assert location(group(weekly, form=Form.HYBRID)).endswith("(auch online)")
    _, event, _ = parse(build(group(weekly, status=Status.FOUNDING)))
    assert str(event["STATUS"]) == "TENTATIVE"


def test_calendar_is_deterministic_and_independent_of_the_build_day():
    g = group(SCHEDULES["2nd and 4th"][0])
    assert build(g, date(2026, 11, 24)) == build(g, date(2027, 5, 1))
    assert b"DTSTAMP:20260318T000000Z" in build(g)


def test_without_stand_the_series_starts_on_the_reference_day():
    g = group(SCHEDULES["weekly"][0], checked=None)
    _, event, _ = parse(build(g))
    assert event.decoded("DTSTART").date() == date(2026, 11, 24)


def test_daylight_saving_time_is_in_the_timezone_definition():
    _, event, zone = parse(build(group(SCHEDULES["weekly"][0])))
    offsets = {str(sub["TZNAME"]): sub["TZOFFSETTO"].to_ical() for sub in zone.subcomponents}
    assert offsets == {"CET": "+0100", "CEST": "+0200"}


@pytest.mark.parametrize("changes", [
    {"status": Status.PAUSED}, {"status": Status.ENDED},
    {"schedule": Schedule(weekday=MO, rhythm=Rhythm.WEEKLY, start=time(19))},
    {"schedule": Schedule()},
])
def test_no_calendar_without_a_complete_schedule_or_for_groups_not_meeting(changes):
    g = group(**{"schedule": SCHEDULES["weekly"][0], **changes})
    assert not g.has_calendar
    with pytest.raises(ValueError):
        build(g)


@pytest.mark.parametrize("workers", [0, 1])
def test_calendar_writer_in_process_and_in_a_worker(tmp_path, workers):
    jobs = [CalendarJob(str(tmp_path / f"g{i}" / "termine.ics"),
                        group(SCHEDULES["weekly"][0], slug=f"g{i}"), PAGE, "Kontakt")
            for i in range(5)]
    with CalendarWriter(jobs, host=HOST, tzid="Europe/Berlin", today=TODAY, workers=workers,
                        parallel_from=2):
        pass
    for i, job in enumerate(jobs):
        assert Path(job.path).read_bytes() == build_calendar(
            job.group, page_url=PAGE, host=HOST, tzid="Europe/Berlin", today=TODAY,
            contact_note="Kontakt")
        assert f"UID:g{i}@{HOST}".encode() in Path(job.path).read_bytes()


def test_calendar_writer_reports_a_worker_error(tmp_path):
    broken = group(Schedule(), slug="kaputt")  # no schedule: build_calendar raises
    jobs = [CalendarJob(str(tmp_path / "k.ics"), broken, PAGE, "")] * 3
    with pytest.raises(ValueError, match="kaputt"):
        with CalendarWriter(jobs, host=HOST, tzid="Europe/Berlin", today=TODAY, workers=1,
                            parallel_from=1):
            pass


def test_a_rebuild_takes_unchanged_calendars_from_the_cache(tmp_path):
    cache = tmp_path / "cache"
    weekly = group(SCHEDULES["weekly"][0])
    job = CalendarJob(str(tmp_path / "out" / "termine.ics"), weekly, PAGE, "Kontakt")
    first = calendar_bytes(job, HOST, "Europe/Berlin", TODAY, str(cache))
    store = EntryStore(cache / ENTRIES_FILE)
    (key,) = store.keys()
    store.put(key, b"aus dem Zwischenspeicher")  # proves the second call reads it
    assert calendar_bytes(job, HOST, "Europe/Berlin", TODAY, str(cache)) == (
        b"aus dem Zwischenspeicher")
    # Another venue, another day: other keys, freshly built files.
    moved = CalendarJob(job.path, group(SCHEDULES["weekly"][0], venue="Gemeindehaus"), PAGE,
                        "Kontakt")
    assert b"Gemeindehaus" in calendar_bytes(moved, HOST, "Europe/Berlin", TODAY, str(cache))
    assert calendar_bytes(job, HOST, "Europe/Berlin", date(2026, 11, 25), str(cache)) == (
        calendar_bytes(job, HOST, "Europe/Berlin", date(2026, 11, 25), None))
    assert first == calendar_bytes(job, HOST, "Europe/Berlin", TODAY, None)
