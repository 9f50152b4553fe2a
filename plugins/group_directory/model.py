"""The group directory's data model: plain, frozen values without any Pelican dependency.

Every text in a `Group` is already sanitised (see reader.py): templates, feeds, JSON and ICS
may use it as it is. Contacts a group did not release (`Kontakt öffentlich` = nein) are never
stored in a `Group` at all, so no later step can leak them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import Enum

from .slugs import german_slug


class Choice(str, Enum):
    """A value from a fixed German vocabulary; `str(choice)` is the label shown to readers."""

    def __str__(self) -> str:
        return self.value

    @property
    def slug(self) -> str:
        """URL key of the value: "Präsenz" -> "praesenz"."""
        return german_slug(self.value)


class Status(Choice):
    ACTIVE = "aktiv"
    FOUNDING = "in Gründung"
    PAUSED = "pausiert"
    ENDED = "beendet"


class Form(Choice):
    PRESENCE = "Präsenz"
    ONLINE = "Online"
    HYBRID = "Hybrid"


class Audience(Choice):
    AFFECTED = "Betroffene"
    RELATIVES = "Angehörige"
    BOTH = "Betroffene und Angehörige"


class Accessibility(Choice):
    YES = "ja"
    NO = "nein"
    UNKNOWN = "unbekannt"


class Rhythm(Choice):
    WEEKLY = "wöchentlich"
    BIWEEKLY = "14-täglich"
    MONTHLY = "monatlich"


LAST = -1  #: in `Schedule.weeks`: the last such weekday of the month

WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


@dataclass(frozen=True)
class Schedule:
    """When a group meets. All fields may be empty: many groups have no fixed schedule."""

    weekday: int | None = None  #: 0 = Monday … 6 = Sunday
    rhythm: Rhythm | None = None
    weeks: tuple[int, ...] = ()  #: monthly only: 1–4 or LAST, ascending, LAST at the end
    start: time | None = None
    end: time | None = None
    #: 14-täglich only: a meeting day (the first such weekday on or after `Stand`);
    #: every 14 days from it is a meeting day too.
    anchor: date | None = None

    @property
    def has_rule(self) -> bool:
        """Weekday and rhythm are known, so meeting days can be computed."""
        return self.weekday is not None and self.rhythm is not None

    @property
    def is_complete(self) -> bool:
        """Enough for a calendar entry: weekday, rhythm, start and end."""
        return self.has_rule and self.start is not None and self.end is not None


@dataclass(frozen=True)
class Term:
    """A value readers can browse by: a topic, place, district, form or audience."""

    name: str  #: as shown
    slug: str  #: URL key, a-z0-9-
    url: str = ""  #: set when the directory is assembled; "" means: no page of its own


@dataclass(frozen=True)
class Group:
    slug: str  #: the Kennung
    name: str
    topics: tuple[Term, ...]
    place: Term  #: town, or "Online"
    form: Form
    status: Status
    row: int  #: spreadsheet row, for messages
    district: Term | None = None
    audience: Audience | None = None
    schedule: Schedule = field(default_factory=Schedule)
    schedule_hint: str = ""  #: "Treffen (Hinweis)"
    venue: str = ""
    accessible: Accessibility = Accessibility.UNKNOWN
    languages: tuple[str, ...] = ("Deutsch",)
    newcomers_welcome: bool = True
    #: Only True when the group released its own contacts; email and phone are "" otherwise.
    contact_public: bool = False
    email: str = ""
    phone: str = ""
    website: str = ""
    description_html: str = ""  #: Markdown rendered and sanitised
    description_text: str = ""  #: the same as plain text, for summaries and meta tags
    checked: date | None = None  #: "Stand"
    # Set when the directory is assembled (facets.py):
    url: str = ""
    save_as: str = ""
    calendar_url: str = ""  #: "" when the group gets no calendar file

    @property
    def content(self) -> str:
        """The sanitised description HTML. Named like the body of Pelican's content objects,
        so the theme keeps one rule: only `.content` and `.summary` are printed unescaped."""
        return self.description_html

    @property
    def is_listed(self) -> bool:
        """Shown in indexes, feeds and exports: every status except `beendet`."""
        return self.status is not Status.ENDED

    @property
    def meets(self) -> bool:
        """The group currently meets (or is about to): meeting dates make sense."""
        return self.status in (Status.ACTIVE, Status.FOUNDING)

    @property
    def has_calendar(self) -> bool:
        return self.meets and self.schedule.is_complete

    @property
    def is_online_only(self) -> bool:
        return self.form is Form.ONLINE
