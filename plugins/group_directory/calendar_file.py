"""One iCalendar file per group: a recurring event with a VTIMEZONE, built with icalendar.

Deterministic: the file depends only on the group's data. DTSTAMP and LAST-MODIFIED are the
`Stand` date; the series starts at the first meeting on or after `Stand` (or, without `Stand`,
on or after the reference date); UID is `<kennung>@<site host>`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sitetools.entry_store import ENTRIES_FILE, EntryStore

from . import schedule as schedule_module
from .model import Form, Group, Status
from .schedule import next_days, rrule
from .workers import chunk_size, process_context

PRODID = "-//Selbsthilfe-Kontaktstelle//Gruppenverzeichnis//DE"


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int) -> bytes:
    """The zone's VTIMEZONE from January of `first_year` on (icalendar's default end), as
    iCalendar text. Serialised once: it is the same in thousands of files, and folding its
    long RDATE lines is most of the work of writing a calendar."""
    from icalendar import Timezone  # noqa: PLC0415 - see build_calendar

    return Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1)).to_ical()


def location(group: Group) -> str:
    if group.form is Form.ONLINE:
        return "Online"
    parts = [group.venue, group.district.name if group.district else "", group.place.name]
    text = ", ".join(part for part in parts if part)
    return f"{text} (auch online)" if group.form is Form.HYBRID else text


def series_start(group: Group, today: date) -> date:
    schedule = group.schedule
    anchor = schedule.anchor or group.checked or today
    return next_days(schedule, anchor, 1)[0]


def build_calendar(group: Group, *, page_url: str, host: str, tzid: str, today: date,
                   contact_note: str) -> bytes:
    """The .ics file for a group that meets on a complete schedule (see Group.has_calendar)."""
    # Imported here: a rebuild takes every unchanged calendar from the cache, and importing
    # icalendar took a tenth of a second of each one.
    from icalendar import Calendar, Event  # noqa: PLC0415

    if not group.has_calendar:
        raise ValueError(f"{group.slug}: no complete schedule for a calendar")
    schedule = group.schedule
    assert schedule.start is not None and schedule.end is not None
    zone = ZoneInfo(tzid)
    first = series_start(group, today)
    stamp_day = group.checked or first
    stamp = datetime(stamp_day.year, stamp_day.month, stamp_day.day, tzinfo=timezone.utc)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", group.name)
    calendar.add("x-wr-timezone", tzid)

    event = Event()
    event.add("uid", f"{group.slug}@{host}")
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("summary", group.name)
    event.add("dtstart", datetime.combine(first, schedule.start, tzinfo=zone))
    event.add("dtend", datetime.combine(first, schedule.end, tzinfo=zone))
    event.add("rrule", rrule(schedule))
    where = location(group)
    if where:
        event.add("location", where)
    description = [line for line in (group.schedule_hint, contact_note, page_url) if line]
    event.add("description", "\n\n".join(description))
    if page_url.startswith(("https://", "http://")):
        event.add("url", page_url)
    event.add("status", "TENTATIVE" if group.status is Status.FOUNDING else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    # The VTIMEZONE goes before the event that refers to it (RFC 5545 allows any order,
    # some clients do not).
    begin_event = b"BEGIN:VEVENT\r\n"
    return calendar.to_ical().replace(begin_event, vtimezone(tzid, first.year) + begin_event, 1)


# --- Writing many files --------------------------------------------------------------------

@dataclass(frozen=True)
class CalendarJob:
    path: str  #: absolute output path of the .ics file
    group: Group
    page_url: str
    contact_note: str


@lru_cache(maxsize=1)
def code_version() -> str:
    """This module and the schedule rules, so a changed rule never serves an old file."""
    digest = hashlib.sha256(importlib.metadata.version("icalendar").encode())
    for module in (__file__, schedule_module.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


def cache_key(job: CalendarJob, host: str, tzid: str, today: date) -> str:
    # repr: the group is a frozen dataclass of strings, dates, enums and tuples (no sets),
    # so its repr is the same in every process.
    text = repr((code_version(), job.group, job.page_url, job.contact_note, host, tzid, today))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@lru_cache(maxsize=4)
def calendar_store(cache_folder: str | None) -> EntryStore:
    """One store per cache folder and process for all its calendar files (EntryStore opens
    its file again by itself when the folder was removed meanwhile)."""
    return EntryStore(Path(cache_folder, ENTRIES_FILE) if cache_folder else None)


def calendar_bytes(job: CalendarJob, host: str, tzid: str, today: date,
                   cache_folder: str | None) -> bytes:
    """The calendar file, from `cache_folder` when the same group was written before:
    icalendar's serialising is the slow part of a rebuild's group directory."""
    cache = calendar_store(cache_folder)
    key = cache_key(job, host, tzid, today)
    cached = cache.get(key)
    if cached is not None:
        return cached
    data = build_calendar(job.group, page_url=job.page_url, host=host, tzid=tzid,
                          today=today, contact_note=job.contact_note)
    cache.put(key, data)
    return data


def write_calendar_files(jobs: Sequence[CalendarJob], host: str, tzid: str, today: date,
                         cache_folder: str | None = None) -> int:
    """Build and write the calendar files; returns how many were written."""
    made: set[str] = set()
    for job in jobs:
        data = calendar_bytes(job, host, tzid, today, cache_folder)
        folder = os.path.dirname(job.path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(job.path, "wb") as handle:
            handle.write(data)
    return len(jobs)


class CalendarWriter:
    """Writes the calendar files, in worker processes while the pages are rendered when there
    are many (a build with 10,000 groups writes 8,000 calendars), else in this process.

    Use as a context manager around the page rendering; leaving it waits for the workers and
    raises the first error one of them had."""

    def __init__(self, jobs: Sequence[CalendarJob], *, host: str, tzid: str, today: date,
                 workers: int, parallel_from: int, cache_folder: str | None = None) -> None:
        self.jobs = list(jobs)
        self.arguments = (host, tzid, today, cache_folder)
        self.workers = workers if len(self.jobs) >= parallel_from else 0
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[int]] = []

    def __enter__(self) -> CalendarWriter:
        if self.workers > 0:
            self.pool = ProcessPoolExecutor(max_workers=self.workers,
                                            mp_context=process_context())
            size = chunk_size(len(self.jobs), self.workers)
            self.futures = [
                self.pool.submit(write_calendar_files, self.jobs[i:i + size], *self.arguments)
                for i in range(0, len(self.jobs), size)]
        return self

    def __exit__(self, error_type: object, error: object, traceback: object) -> None:
        if self.pool is None:
            if error is None:
                write_calendar_files(self.jobs, *self.arguments)
            return
        try:
            if error is None:
                for future in self.futures:
                    future.result()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

