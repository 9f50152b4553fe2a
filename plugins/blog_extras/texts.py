"""Small German text helpers: dates and reading time, independent of the system locale."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from html import unescape
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


def _parsed_text(html: str) -> str:
    """The text of `html` as HTMLParser reads it: the reference for `_text`."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


# A fast path for well-formed markup, with the same result as HTMLParser (see _text).
# Whitespace inside tags is ASCII only: HTMLParser's tag names end at " \t\n\r\f" but its
# attribute rules use Unicode \s, so other spaces are left to the parser.
_SPACE = r"[ \t\n\r\f]"
_VALUE = r"\"[^\"]*\"|'[^']*'|[^\x00-\x20\"'=<>`\x7f-\U0010ffff]+"  # quoted, or bare ASCII
_ATTRIBUTE = rf"[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:{_SPACE}*={_SPACE}*(?:{_VALUE}))?"
_MARKUP = re.compile(
    # a comment without "--" inside, not starting with ">" or "->", not ending with "-"
    r"<!--(?![->])(?:[^-]|-(?!-))*-->"
    # an end tag
    rf"|</[a-zA-Z][a-zA-Z0-9-]*{_SPACE}*>"
    # a start tag, attributes separated by whitespace; split() returns its name (the group)
    rf"|<([a-zA-Z][a-zA-Z0-9-]*)(?:{_SPACE}+{_ATTRIBUTE})*{_SPACE}*/?>"
)
# Elements whose content HTMLParser reads raw (script, style) or may in other Python versions:
# fragments with such a start tag are left to the parser.
_RAW_TEXT_ELEMENTS = frozenset(
    ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
     "plaintext"))


def _text(html: str) -> str:
    """Text of an HTML fragment, entities decoded, tags and comments dropped, whitespace as is.

    Equal to HTMLParser's reading (`_parsed_text`), which is used whenever the fragment is not
    plain well-formed markup. When every "<" starts a tag or comment that `_MARKUP` matches,
    HTMLParser (convert_charrefs=True) steps from one "<" to the next, skips exactly that
    tag or comment, and passes the text between two of them, and after the last one, to
    html.unescape as one piece; so the text is the pieces between the matches, each unescaped
    on its own (as with HTMLParser, "&am<b>p;" stays as it is). tests/test_blog_extras.py
    compares both on realistic and on generated fragments.
    """
    if "<" not in html:
        return unescape(html)
    parts = _MARKUP.split(html)  # text, start tag name (or None), text, …, text
    pieces = parts[::2]
    if not any("<" in piece for piece in pieces):
        names = {name.lower() for name in set(parts[1::2]) if name}
        if names.isdisjoint(_RAW_TEXT_ELEMENTS):
            return "".join([unescape(piece) for piece in pieces])
    return _parsed_text(html)


def strip_tags(html: str) -> str:
    """Plain text of an HTML fragment, whitespace collapsed (stdlib only, no markupsafe)."""
    return " ".join(_text(html or "").split())


# Punctuation around words: neither word characters (\w) nor WORD's joiners, nor whitespace.
_PUNCTUATION = "!\"#$%&()*+,./:;<=>?@[]^`{|}~§«»–—‘‚“”„…"


def count_words(html: str) -> int:
    r"""How many WORD matches the text of `html` holds, counted without running WORD over
    every character (the regular expression engine is slow at that), with the same result:

    - no whitespace character (str.isspace(), what str.split() splits at) is \w or one of
      WORD's joiners, and beyond a match WORD only looks for joiners and \w; so the matches
      are those of the whitespace-separated chunks, chunk by chunk;
    - the same holds for _PUNCTUATION, so stripping it off a chunk changes no match;
    - a non-empty chunk of \w characters only (str.isalnum(), which is what \w means except
      for "_") is one match; any other chunk is left to WORD.
    """
    count = 0
    findall = WORD.findall
    for chunk in _text(html or "").split():
        if chunk.isalnum():
            count += 1
        else:
            chunk = chunk.strip(_PUNCTUATION)
            count += 1 if chunk.isalnum() else len(findall(chunk))
    return count


def reading_minutes(html: str, words_per_minute: int = 200) -> int:
    return max(1, math.ceil(count_words(html) / words_per_minute))


def reading_time_label(minutes: int) -> str:
    return "1 Minute Lesezeit" if minutes == 1 else f"{minutes} Minuten Lesezeit"
