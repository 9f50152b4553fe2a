"""Machine-readable views of the listed groups: JSON for partner sites, the Atom feed of new
groups, and schema.org JSON-LD for group pages (a dict; the generator hands it to the
template as JSON text, made as |tojson would).

Only public fields appear: a group's own e-mail and phone only when `Kontakt öffentlich` is
yes (the model does not even hold them otherwise). All output is deterministic: dates come from
the data (`Stand`) or the reference date, never from the clock.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from feedgen.feed import FeedGenerator

from .model import WEEKDAYS, Form, Group, Rhythm, Status
from .schedule import Meeting, describe

EXPORT_VERSION = 1


@dataclass(frozen=True)
class ContactPoint:
    """How readers reach a group that did not publish its own contacts."""

    name: str
    phone: str
    email: str
    page_url: str  #: absolute (or site-relative in previews)

    @classmethod
    def from_settings(cls, settings: dict, page_url: str) -> ContactPoint:
        contact = settings.get("CONTACT_POINT", {})
        return cls(contact.get("name", settings.get("SITENAME", "")), contact.get("phone", ""),
                   contact.get("email", ""), page_url)


def phone_href(phone: str) -> str:
    """'0931 12345-67' -> 'tel:09311234567'; keeps a leading +."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"


def absolute(site_url: str, url: str) -> str:
    return f"{site_url}/{url}"


def _clock(value: time | None) -> str | None:
    return f"{value:%H:%M}" if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def group_record(group: Group, site_url: str, contact: ContactPoint) -> dict[str, Any]:
    """The public fields of one group (German keys, like the table's columns)."""
    schedule = group.schedule
    if group.contact_public and (group.email or group.phone):
        reach = {"ueber": "gruppe", "email": group.email or None,
                 "telefon": group.phone or None}
    else:
        reach = {"ueber": "kontaktstelle", "name": contact.name, "email": contact.email,
                 "telefon": contact.phone, "url": contact.page_url}
    return {
        "kennung": group.slug,
        "name": group.name,
        "url": absolute(site_url, group.url),
        "status": group.status.value,
        "themen": [topic.name for topic in group.topics],
        "zielgruppe": group.audience.value if group.audience else None,
        "ort": group.place.name,
        "stadtteil": group.district.name if group.district else None,
        "form": group.form.value,
        "treffen": {
            "text": describe(schedule) or None,
            "wochentag": WEEKDAYS[schedule.weekday] if schedule.weekday is not None else None,
            "turnus": schedule.rhythm.value if schedule.rhythm else None,
            "wochen_im_monat": ["letzte" if w < 0 else w for w in schedule.weeks] or None,
            "beginn": _clock(schedule.start),
            "ende": _clock(schedule.end),
            "hinweis": group.schedule_hint or None,
        },
        "kalender": absolute(site_url, group.calendar_url) if group.calendar_url else None,
        "treffpunkt": group.venue or None,
        "barrierefrei": group.accessible.value,
        "sprachen": list(group.languages),
        "neue_willkommen": group.newcomers_welcome,
        "kontakt": reach,
        "webseite": group.website or None,
        "beschreibung_html": group.description_html or None,
        "beschreibung_text": group.description_text or None,
        "stand": _iso(group.checked),
    }


def json_export(groups: Sequence[Group], *, site_url: str, sitename: str,
                contact: ContactPoint, reference: date) -> bytes:
    """`gruppen.json`: every listed group. `stand` is the newest entry's Stand."""
    checked = [g.checked for g in groups if g.checked]
    header = {
        "version": EXPORT_VERSION,
        "quelle": sitename,
        "url": site_url + "/",
        "stand": _iso(max(checked)) if checked else reference.isoformat(),
        "anzahl": len(groups),
    }
    # One group per line, so a change shows as one changed line. Not `indent`: that switches
    # json to its pure Python encoder, which took half a second for 10,000 groups.
    fields = [f"{json.dumps(name)}: {json.dumps(value, ensure_ascii=False)}"
              for name, value in header.items()]
    records = [json.dumps(group_record(group, site_url, contact), ensure_ascii=False)
               for group in groups]
    listed = "[\n" + ",\n".join(records) + "\n]" if records else "[]"
    text = "{" + ", ".join(fields) + ', "gruppen": ' + listed + "}\n"
    return text.encode("utf-8")


# --- Atom feed of groups in Gründung ---------------------------------------------------------

def stable_id(url: str) -> str:
    """An entry id that never changes for a URL (valid even when SITEURL is empty)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}"


def new_groups_feed(groups: Sequence[Group], *, site_url: str, feed_url: str, page_url: str,
                    title: str, subtitle: str, reference: date, tzid: str) -> bytes:
    zone = ZoneInfo(tzid)

    def moment(day: date) -> datetime:
        return datetime.combine(day, time(0, 0), tzinfo=zone)

    entries = sorted(groups, key=lambda g: (g.checked or reference, g.slug))
    feed = FeedGenerator()
    feed.id(stable_id(absolute(site_url, page_url)))
    feed.title(title)
    feed.subtitle(subtitle)
    feed.link(href=absolute(site_url, page_url), rel="alternate")
    feed.link(href=absolute(site_url, feed_url), rel="self")
    feed.language("de")
    feed.generator("Selbsthilfe-Kontaktstelle (Pelican, feedgen)")
    feed.updated(moment(max((g.checked or reference for g in entries), default=reference)))
    for group in entries:  # feedgen prepends: the newest ends up first
        url = absolute(site_url, group.url)
        updated = moment(group.checked or reference)
        summary = group.description_text or (
            f"Neue Gruppe: {', '.join(t.name for t in group.topics)} – "
            f"{group.place.name}. Mitstreiterinnen und Mitstreiter gesucht.")
        entry = feed.add_entry()
        entry.id(stable_id(url))
        entry.title(group.name)
        entry.link(href=url)
        entry.updated(updated)
        entry.published(updated)
        entry.summary(summary)
        if group.description_html:
            entry.content(group.description_html, type="html")
        for topic in group.topics:
            entry.category(term=topic.slug, label=topic.name)
    return feed.atom_str(pretty=True)


# --- schema.org ------------------------------------------------------------------------------

ATTENDANCE = {
    Form.PRESENCE: "https://schema.org/OfflineEventAttendanceMode",
    Form.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    Form.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}
REPEAT_FREQUENCY = {Rhythm.WEEKLY: "P1W", Rhythm.BIWEEKLY: "P2W", Rhythm.MONTHLY: "P1M"}
SCHEMA_DAYS = tuple(f"https://schema.org/{day}" for day in (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))


def _place(group: Group) -> dict[str, Any]:
    if group.form is Form.ONLINE:
        return {"@type": "VirtualLocation", "name": "Online"}
    return {
        "@type": "Place",
        "name": group.venue or group.place.name,
        "address": {"@type": "PostalAddress", "addressLocality": group.place.name,
                    "addressCountry": "DE"},
    }


def group_jsonld(group: Group, *, site_url: str, contact: ContactPoint,
                 meetings: Sequence[Meeting], tzid: str) -> dict[str, Any]:
    """An Organization (the group) with its next meetings as Events."""
    url = absolute(site_url, group.url)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": group.name,
        "url": url,
        "description": group.description_text or describe(group.schedule) or group.name,
        "keywords": [topic.name for topic in group.topics],
        "areaServed": group.place.name,
    }
    # An ended group's page hides its own contacts (they may reach nobody any more, or the
    # wrong person); its structured data must not publish them either.
    if group.is_listed and group.website:
        data["sameAs"] = [group.website]
    if group.is_listed and group.contact_public and group.email:
        data["email"] = group.email
    if group.is_listed and group.contact_public and group.phone:
        data["telephone"] = group.phone
    data["contactPoint"] = {"@type": "ContactPoint", "name": contact.name,
                            "telephone": contact.phone, "email": contact.email,
                            "url": contact.page_url, "availableLanguage": "de"}
    if group.status is Status.ENDED or not meetings:
        return data
    schedule = group.schedule
    events = []
    for meeting in meetings:
        start, end = meeting.start, meeting.end
        event: dict[str, Any] = {
            "@type": "Event",
            "name": group.name,
            "url": url,
            "startDate": start.isoformat() if start else meeting.day.isoformat(),
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": ATTENDANCE[group.form],
            "location": _place(group),
            "isAccessibleForFree": True,
            "organizer": {"@type": "Organization", "name": group.name, "url": url},
        }
        if end:
            event["endDate"] = end.isoformat()
        events.append(event)
    if schedule.weekday is not None and schedule.rhythm is not None:
        events[0]["eventSchedule"] = {
            "@type": "Schedule",
            "byDay": SCHEMA_DAYS[schedule.weekday],
            "repeatFrequency": REPEAT_FREQUENCY[schedule.rhythm],
            **({"byMonthWeek": list(schedule.weeks)} if schedule.weeks else {}),
            "scheduleTimezone": tzid,
            **({"startTime": _clock(schedule.start)} if schedule.start else {}),
            **({"endTime": _clock(schedule.end)} if schedule.end else {}),
        }
    data["event"] = events
    return data

