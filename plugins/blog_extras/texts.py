"""Small German text helpers: dates and reading time, independent of the system locale."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from html.parser import HTMLParser

GERMAN_MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)
GERMAN_WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")

WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def german_date(value: date | datetime, with_weekday: bool = False) -> str:
    """24. November 2026 (or 'Dienstag, 24. November 2026')."""
    text = f"{value.day}. {GERMAN_MONTHS[value.month - 1]} {value.year}"
    if with_weekday:
        text = f"{GERMAN_WEEKDAYS[value.weekday()]}, {text}"
    return text


def german_month(value: date | datetime) -> str:
    """März 2026."""
    return f"{GERMAN_MONTHS[value.month - 1]} {value.year}"


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment (entities decoded), dropping tags and comments."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def parse_html_declaration(self, i: int) -> int:
        # Python's parser raises on some "<![…"; read every "<!…>" as a comment, as browsers do.
        if self.rawdata.startswith("<!--", i):
            return self.parse_comment(i)
        return self.parse_bogus_comment(i)


def strip_tags(html: str) -> str:
    """Plain text of an HTML fragment, whitespace collapsed (stdlib only, no markupsafe)."""
    parser = _TextOnly()
    parser.feed(html or "")
    parser.close()
    return " ".join("".join(parser.parts).split())


def count_words(html: str) -> int:
    return len(WORD.findall(strip_tags(html)))


def reading_minutes(html: str, words_per_minute: int = 200) -> int:
    return max(1, math.ceil(count_words(html) / words_per_minute))


def reading_time_label(minutes: int) -> str:
    return "1 Minute Lesezeit" if minutes == 1 else f"{minutes} Minuten Lesezeit"
