"""Read the editors' group table (CSV as saved by LibreOffice Calc or Excel) into `Group`s.

Everything is read as it comes: `;` or `,` (sniffed from the header), UTF-8 with or without
BOM or Windows-1252, CRLF or LF, quoted cells with line breaks, stray spaces, header spelling
variants, `ja`/`JA`/`x`/`nein`/empty, times like `19 Uhr` or `19.00`.

Every problem is collected, never only the first: each names the spreadsheet row (the header
is row 1; a quoted cell with line breaks is still one row), the column, the value and what is
allowed. Free text goes through the sanitiser (`Cleaner`) here, before anything else sees it.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from enum import Enum
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from .errors import Problem
from .model import (
    LAST,
    WEEKDAYS,
    Accessibility,
    Audience,
    Form,
    Group,
    Rhythm,
    Schedule,
    Status,
    Term,
)
from .sanitize import Cleaner, describe_removals, strip_tags
from .schedule import first_on_or_after
from .slugs import german_slug, is_valid_slug

# --- Columns -----------------------------------------------------------------------------

KENNUNG = "Kennung"
NAME = "Name"
THEMEN = "Themen"
ZIELGRUPPE = "Zielgruppe"
ORT = "Ort"
STADTTEIL = "Stadtteil"
FORM = "Form"
STATUS = "Status"
WOCHENTAG = "Wochentag"
TURNUS = "Turnus"
BEGINN = "Beginn"
ENDE = "Ende"
HINWEIS = "Treffen (Hinweis)"
TREFFPUNKT = "Treffpunkt"
BARRIEREFREI = "Barrierefrei"
SPRACHEN = "Sprachen"
NEUE = "Neue willkommen"
KONTAKT_OEFFENTLICH = "Kontakt öffentlich"
EMAIL = "E-Mail"
TELEFON = "Telefon"
WEBSEITE = "Webseite"
BESCHREIBUNG = "Beschreibung"
STAND = "Stand"
VEROEFFENTLICHEN = "Veröffentlichen"

COLUMNS = (KENNUNG, NAME, THEMEN, ZIELGRUPPE, ORT, STADTTEIL, FORM, STATUS, WOCHENTAG, TURNUS,
           BEGINN, ENDE, HINWEIS, TREFFPUNKT, BARRIEREFREI, SPRACHEN, NEUE,
           KONTAKT_OEFFENTLICH, EMAIL, TELEFON, WEBSEITE, BESCHREIBUNG, STAND,
           VEROEFFENTLICHEN)
REQUIRED_COLUMNS = (NAME, THEMEN, ORT, FORM, STATUS)


def header_key(name: str) -> str:
    """Letters and digits only: 'Kontakt  Öffentlich ' -> 'kontaktöffentlich'."""
    name = unicodedata.normalize("NFC", name).casefold()
    return "".join(ch for ch in name if ch.isalnum())


HEADER_ALIASES = {header_key(column): column for column in COLUMNS} | {
    "email": EMAIL, "mail": EMAIL, "emailadresse": EMAIL,
    "telefonnummer": TELEFON, "tel": TELEFON,
    "website": WEBSEITE, "homepage": WEBSEITE, "internetseite": WEBSEITE,
    "hinweis": HINWEIS, "treffenhinweis": HINWEIS,
    "barrierefreiheit": BARRIEREFREI,
    "veroeffentlichen": VEROEFFENTLICHEN, "veröffentlicht": VEROEFFENTLICHEN,
    "kontaktoeffentlich": KONTAKT_OEFFENTLICH, "neuewillkommen": NEUE,
}

# --- Vocabularies --------------------------------------------------------------------------

YES = {"ja", "j", "x", "yes", "y", "1", "wahr", "true"}
NO = {"nein", "n", "no", "0", "falsch", "false", "-"}
YES_NO_ALLOWED = "ja, nein (auch „x“ für ja)"

E = TypeVar("E", bound=Enum)


def vocabulary(choices: type[E], extra: Mapping[str, E] | None = None) -> dict[str, E]:
    """Accepted spellings (compared as slugs: case, umlauts and spaces do not matter)."""
    known = {german_slug(choice.value): choice for choice in choices}
    return known | dict(extra or {})


FORMS = vocabulary(Form)
STATUSES = vocabulary(Status)
AUDIENCES = vocabulary(Audience)
ACCESSIBILITY = vocabulary(Accessibility, {"x": Accessibility.YES, "": Accessibility.UNKNOWN})
WEEKDAY_NAMES = {german_slug(day): index for index, day in enumerate(WEEKDAYS)} | {
    german_slug(day[:2]): index for index, day in enumerate(WEEKDAYS)}
WEEKLY = {"woechentlich", "jede-woche"}
BIWEEKLY = {"14-taeglich", "14-taegig", "14taeglich", "alle-14-tage", "zweiwoechentlich"}

TURNUS_ALLOWED = ("wöchentlich, 14-täglich, monatlich: 1. (auch 2., 3., 4. oder letzter, "
                  "mehrere wie „monatlich: 2., 4.“)")
TIME_ALLOWED = "eine Uhrzeit wie 19:00 (auch „19 Uhr“ oder „19.00“)"
DATE_ALLOWED = "ein Datum wie 14.03.2026 (TT.MM.JJJJ)"

TIME_PATTERN = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(?:uhr|h)?", re.IGNORECASE)
GERMAN_DATE = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4}|\d{2})")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+\-]+@(?:[\w](?:[\w\-]*[\w])?\.)+[\w]{2,}")
PHONE_PATTERN = re.compile(r"\+?[0-9 ()/.\-–]+")
MONTHLY_PREFIX = re.compile(r"monatlich\s*:?\s*", re.IGNORECASE)

# Longest text kept per field, after sanitising (longer text is shortened with "…").
MAX_LENGTH = {NAME: 200, THEMEN: 80, ORT: 80, STADTTEIL: 80, HINWEIS: 300, TREFFPUNKT: 200,
              SPRACHEN: 40}


@dataclass(frozen=True)
class ReadResult:
    groups: tuple[Group, ...]  #: every row to publish (including `beendet`), file order
    hidden: frozenset[str]  #: Kennungen of rows with `Veröffentlichen: nein`
    problems: tuple[Problem, ...]  #: errors: the build must fail
    warnings: tuple[Problem, ...]
    stale: tuple[str, ...] = ()  #: Kennungen whose Stand is older than the limit
    encoding: str = "utf-8"
    delimiter: str = ";"


# --- Decoding ------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) if the bytes are valid UTF-8, else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(text: str) -> str:
    """`;`, `,` or tab: whichever the header line holds most of."""
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def shown(value: str, limit: int = 60) -> str:
    value = " ".join(value.split())
    return f"„{value if len(value) <= limit else value[: limit - 1] + '…'}“"


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- One row -------------------------------------------------------------------------------

@dataclass
class RowReader:
    """Parses and validates the cells of one row; collects problems instead of raising."""

    source: str
    row: int
    cells: dict[str, str]  #: canonical column -> stripped cell text
    cleaner: Cleaner
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def raw(self, column: str) -> str:
        return self.cells.get(column, "")

    def error(self, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.source, message, self.row, column))

    def warn(self, column: str | None, message: str) -> None:
        self.warnings.append(Problem(self.source, message, self.row, column))

    def not_allowed(self, column: str, value: str, allowed: str) -> None:
        self.error(column, f"{shown(value)} ist nicht erlaubt. Erlaubt: {allowed}.")

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.raw(column)
        cleaned = self.cleaner.text(value, MAX_LENGTH.get(column, 200)) if value else ""
        if required and not cleaned:
            if value:
                self.error(column, f"{shown(value)} enthält keinen lesbaren Text.")
            else:
                self.error(column, "Angabe fehlt. Diese Spalte muss ausgefüllt sein.")
        return cleaned

    def term(self, column: str, name: str) -> Term | None:
        slug = german_slug(name)
        if not slug:
            self.error(column, f"{shown(name)} ergibt keine Adresse. Erlaubt: ein Wort mit "
                               "Buchstaben oder Ziffern.")
            return None
        return Term(name, slug)

    def terms(self, column: str, *, required: bool = False,
              separators: str = r"[,;]") -> tuple[Term, ...]:
        value = self.raw(column)
        found: dict[str, Term] = {}
        for part in re.split(separators, value):
            name = self.cleaner.text(part.strip(), MAX_LENGTH.get(column, 80)) if part else ""
            if name:
                term = self.term(column, name)
                if term and term.slug not in found:
                    found[term.slug] = term
        if required and not found:
            self.error(column, "Angabe fehlt. Bitte mindestens einen Eintrag angeben "
                               "(mehrere durch Komma trennen).")
        return tuple(found.values())

    def choice(self, column: str, choices: Mapping[str, E], allowed: str, *,
               required: bool = False) -> E | None:
        value = self.raw(column)
        if not value:
            if required:
                self.error(column, f"Angabe fehlt. Erlaubt: {allowed}.")
            return None
        key = german_slug(value)
        if key not in choices:
            self.not_allowed(column, value, allowed)
            return None
        return choices[key]

    def yes_no(self, column: str, default: bool) -> bool:
        value = self.raw(column).casefold().rstrip(".")
        if not value:
            return default
        if value in YES:
            return True
        if value in NO:
            return False
        self.not_allowed(column, self.raw(column), YES_NO_ALLOWED)
        return default

    def clock(self, column: str) -> time | None:
        value = self.raw(column)
        if not value:
            return None
        match = TIME_PATTERN.fullmatch(value)
        if match:
            hour, minute = int(match[1]), int(match[2] or 0)
            if hour <= 23 and minute <= 59:
                return time(hour, minute)
        self.error(column, f"{shown(value)} ist keine Uhrzeit. Erlaubt: {TIME_ALLOWED}.")
        return None

    def day(self, column: str) -> date | None:
        value = self.raw(column)
        if not value:
            return None
        try:
            if match := GERMAN_DATE.fullmatch(value):
                year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
                return date(year, int(match[2]), int(match[1]))
            if match := ISO_DATE.fullmatch(value):
                return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
        self.error(column, f"{shown(value)} ist kein gültiges Datum. Erlaubt: {DATE_ALLOWED}.")
        return None

    def weeks(self, value: str) -> tuple[int, ...] | None:
        """'2., 4.' -> (2, 4); 'letzter' -> (LAST,); None if a part is not understood."""
        weeks = set()
        for part in re.split(r",|\bund\b|\+|&|/", value.casefold()):
            part = part.strip().rstrip(".").strip()
            if not part:
                continue
            if part in ("letzter", "letzte", "letzten", "letztes"):
                weeks.add(LAST)
            elif part.isdigit() and 1 <= int(part) <= 4:
                weeks.add(int(part))
            else:
                return None
        return tuple(sorted(weeks, key=lambda w: 99 if w == LAST else w)) or None

    def rhythm(self) -> tuple[Rhythm | None, tuple[int, ...]]:
        value = self.raw(TURNUS)
        if not value:
            return None, ()
        key = german_slug(value)
        if key in WEEKLY:
            return Rhythm.WEEKLY, ()
        if key in BIWEEKLY:
            return Rhythm.BIWEEKLY, ()
        prefix = MONTHLY_PREFIX.match(value)
        if prefix:
            weeks = self.weeks(value[prefix.end():])
            if weeks:
                return Rhythm.MONTHLY, weeks
        self.not_allowed(TURNUS, value, TURNUS_ALLOWED)
        return None, ()

    def email(self, public: bool) -> str:
        value = self.raw(EMAIL)
        if value.casefold().startswith("mailto:"):
            value = value[7:].strip()
        if value and not EMAIL_PATTERN.fullmatch(value):
            self.private_error(EMAIL, value, public, "keine gültige E-Mail-Adresse",
                               "eine Adresse wie name@beispiel.de")
            return ""
        return value

    def phone(self, public: bool) -> str:
        value = self.raw(TELEFON)
        digits = sum(ch.isdigit() for ch in value)
        if value and not (PHONE_PATTERN.fullmatch(value) and 5 <= digits <= 20):
            self.private_error(TELEFON, value, public, "keine gültige Telefonnummer",
                               "Ziffern, Leerzeichen, +, /, - und Klammern, z. B. 01234 567890")
            return ""
        return value

    def private_error(self, column: str, value: str, public: bool, what: str,
                      allowed: str) -> None:
        """Values a group did not release are not repeated in messages (CI logs may be public)."""
        quoted = (shown(value) if public
                  else "Der Eintrag (nicht öffentlich, daher hier nicht gezeigt)")
        self.error(column, f"{quoted} ist {what}. Erlaubt: {allowed}.")

    def website(self) -> str:
        value = self.raw(WEBSEITE)
        if not value:
            return ""
        parts = urlsplit(value)
        valid = (parts.scheme == "https" and parts.hostname and "." in parts.hostname
                 and not re.search(r"[\s\"'<>`\\]", value) and len(value) <= 300)
        if not valid:
            self.not_allowed(WEBSEITE, value, "eine vollständige Adresse, die mit https:// "
                                              "beginnt, z. B. https://gruppe.example.org")
            return ""
        return value

    def languages(self) -> tuple[str, ...]:
        names = [term.name for term in self.terms(SPRACHEN, separators=r",|/|\bund\b")]
        return tuple(names) or ("Deutsch",)


def parse_row(reader: RowReader) -> tuple[Group | None, bool]:
    """One row -> (group or None if it has errors, publish?)."""
    problems_before = len(reader.problems)
    publish = reader.yes_no(VEROEFFENTLICHEN, default=True)
    name = reader.text(NAME, required=True)
    raw_slug = reader.raw(KENNUNG)
    if raw_slug and not is_valid_slug(raw_slug):
        suggestion = german_slug(raw_slug)
        reader.not_allowed(KENNUNG, raw_slug, "Kleinbuchstaben a–z, Ziffern und Bindestriche"
                           + (f", z. B. „{suggestion}“" if suggestion else "")
                           + ". Leer lassen: Die Kennung wird aus dem Namen gebildet")
    slug = raw_slug or german_slug(name)
    if not slug and name:
        reader.error(NAME, f"Aus dem Namen {shown(name)} lässt sich keine Kennung bilden. "
                           "Bitte tragen Sie in Spalte „Kennung“ eine ein (a–z, 0–9, -).")
    topics = reader.terms(THEMEN, required=True)
    audience = reader.choice(ZIELGRUPPE, AUDIENCES, ", ".join(a.value for a in Audience))
    place_name = reader.text(ORT, required=True)
    if place_name.casefold() == "online":
        place_name = "Online"
    place = reader.term(ORT, place_name) if place_name else None
    district_name = reader.text(STADTTEIL)
    district = reader.term(STADTTEIL, district_name) if district_name else None
    form = reader.choice(FORM, FORMS, ", ".join(f.value for f in Form), required=True)
    status = reader.choice(STATUS, STATUSES, ", ".join(s.value for s in Status), required=True)

    weekday = reader.choice(WOCHENTAG, WEEKDAY_NAMES, ", ".join(WEEKDAYS))
    rhythm, weeks = reader.rhythm()
    start, end = reader.clock(BEGINN), reader.clock(ENDE)
    checked = reader.day(STAND)
    if weekday is not None and rhythm is None and not reader.raw(TURNUS):
        reader.error(TURNUS, f"Angabe fehlt: Zum Wochentag „{WEEKDAYS[weekday]}“ gehört ein "
                             f"Turnus. Erlaubt: {TURNUS_ALLOWED}.")
    if rhythm is not None and weekday is None and not reader.raw(WOCHENTAG):
        reader.error(WOCHENTAG, f"Angabe fehlt: Zum Turnus „{reader.raw(TURNUS)}“ gehört ein "
                                f"Wochentag. Erlaubt: {', '.join(WEEKDAYS)}.")
    if end and not reader.raw(BEGINN):
        reader.error(BEGINN, "Angabe fehlt: Es gibt ein Ende, aber keinen Beginn.")
    if start and end and end <= start:
        reader.error(ENDE, f"{shown(reader.raw(ENDE))} liegt nicht nach dem Beginn "
                           f"{start:%H:%M}. Erlaubt: eine spätere Uhrzeit als der Beginn.")
    anchor = None
    if rhythm is Rhythm.BIWEEKLY and weekday is not None:
        if checked is None and not reader.raw(STAND):
            reader.error(STAND, "Angabe fehlt: Bei „14-täglich“ braucht die Gruppe ein "
                                "Stand-Datum. Der erste passende Wochentag ab diesem Datum gilt "
                                "als Treffen, danach alle 14 Tage.")
        elif checked is not None:
            anchor = first_on_or_after(checked, weekday)

    hint = reader.text(HINWEIS)
    venue = reader.text(TREFFPUNKT)
    accessible = reader.choice(BARRIEREFREI, ACCESSIBILITY, "ja, nein, unbekannt")
    languages = reader.languages()
    newcomers = reader.yes_no(NEUE, default=True)
    contact_public = reader.yes_no(KONTAKT_OEFFENTLICH, default=False)
    email, phone = reader.email(contact_public), reader.phone(contact_public)
    website = reader.website()
    description = (reader.cleaner.markdown(reader.raw(BESCHREIBUNG),
                                           f"{reader.source}, Zeile {reader.row}")
                   if publish and reader.raw(BESCHREIBUNG) else None)
    if description and description.removals:
        reader.warn(BESCHREIBUNG, "Aus der Beschreibung wurde entfernt, was auf der Website "
                                  f"nicht erlaubt ist: {describe_removals(description.removals)}.")

    if len(reader.problems) > problems_before:
        return None, publish
    assert place is not None and form is not None and status is not None
    group = Group(
        slug=slug, name=name, topics=topics, place=place, form=form, status=status,
        row=reader.row, district=district, audience=audience,
        schedule=Schedule(weekday=weekday, rhythm=rhythm, weeks=weeks, start=start, end=end,
                          anchor=anchor),
        schedule_hint=hint, venue=venue, accessible=accessible or Accessibility.UNKNOWN,
        languages=languages, newcomers_welcome=newcomers, contact_public=contact_public,
        # Contacts the group did not release are dropped here, so they cannot leak later.
        email=email if contact_public else "", phone=phone if contact_public else "",
        website=website,
        description_html=description.html if description else "",
        description_text=description.text if description else "",
        checked=checked,
    )
    return group, publish


# --- The whole file ------------------------------------------------------------------------

@dataclass
class _Header:
    columns: list[str | None]  #: canonical column per cell position (None: not used)
    problems: list[Problem]
    warnings: list[Problem]


def read_header(cells: list[str], source: str) -> _Header:
    columns: list[str | None] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(cells, 1):
        name = cell.strip().lstrip("\ufeff").strip()
        column = HEADER_ALIASES.get(header_key(name)) if name else None
        if name and column is None:
            warnings.append(Problem(source, "Unbekannte Spalte, sie wird nicht verwendet. "
                                            f"Bekannte Spalten: {', '.join(COLUMNS)}.",
                                    1, name))
        if column in seen:
            problems.append(Problem(source, f"Die Spalte steht doppelt in der Kopfzeile "
                                            f"(Spalte {seen[column]} und {position}).",
                                    1, column))
            column = None
        elif column:
            seen[column] = position
        columns.append(column)
    for column in REQUIRED_COLUMNS:
        if column not in seen:
            problems.append(Problem(source, "Die Pflichtspalte fehlt in der Kopfzeile. "
                                            f"Pflichtspalten: {', '.join(REQUIRED_COLUMNS)}.",
                                    1, column))
    return _Header(columns, problems, warnings)


def read_groups(data: bytes, source: str, *, cleaner: Cleaner, today: date,
                reserved: Mapping[str, str] | None = None, stale_months: int = 12,
                ) -> ReadResult:
    """Parse and validate the whole table. `reserved` maps Kennungen that would collide
    with other directory pages to a German description of that page."""
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                         skipinitialspace=True)
    header_cells = next(records, None)
    if not header_cells or not any(cell.strip() for cell in header_cells):
        problem = Problem(source, "Die Datei ist leer: Die erste Zeile muss die Spaltennamen "
                                  f"enthalten ({', '.join(COLUMNS)}).", 1)
        return ReadResult((), frozenset(), (problem,), (), encoding=encoding,
                          delimiter=delimiter)
    header = read_header(header_cells, source)
    problems, warnings = list(header.problems), list(header.warnings)
    groups: list[Group] = []
    hidden: set[str] = set()
    first_row_of: dict[str, tuple[int, bool]] = {}  # slug -> (row, typed by the editor)
    stale: list[str] = []
    stale_before = months_before(today, stale_months)
    reserved = reserved or {}
    rows = list(records)
    if BESCHREIBUNG in header.columns:  # lets the cleaner work on all of them at once
        position = header.columns.index(BESCHREIBUNG)
        cleaner.prepare([cells[position].strip() for cells in rows if len(cells) > position])

    for row_number, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # empty rows (often at the end of an export)
        extra = [cell for cell in cells[len(header.columns):] if cell.strip()]
        if extra:
            problems.append(Problem(
                source, f"Die Zeile hat {len(cells)} Zellen, die Kopfzeile nur "
                        f"{len(header.columns)}. Steht ein „{delimiter}“ in einem Text ohne "
                        "Anführungszeichen? Bitte die Datei erneut aus der Tabelle speichern.",
                row_number))
            continue
        values = {column: cell.strip() for column, cell in zip(header.columns, cells)
                  if column}
        reader = RowReader(source, row_number, values, cleaner)
        group, publish = parse_row(reader)
        # A row with "Veröffentlichen: nein" is being prepared: its gaps must not stop the
        # site. They are warnings until the row is published.
        (problems if publish else warnings).extend(reader.problems)
        slug = reader.raw(KENNUNG) or (group.slug if group else german_slug(
            strip_tags(reader.raw(NAME))))
        if slug:
            typed = bool(reader.raw(KENNUNG))
            if slug in reserved:
                problems.append(Problem(source, f"„{slug}“ ist reserviert für "
                                        f"{reserved[slug]}. Bitte eine andere Kennung eintragen.",
                                        row_number, KENNUNG if typed else NAME))
            elif slug in first_row_of:
                other_row, _ = first_row_of[slug]
                how = "" if typed else "Die aus dem Namen gebildete Kennung "
                problems.append(Problem(
                    source, f"{how}„{slug}“ steht schon in Zeile {other_row}. Jede Gruppe "
                            "braucht eine eigene Kennung (sie ist Teil der Adresse); bitte in "
                            f"Zeile {other_row} oder {row_number} eine andere eintragen.",
                    row_number, KENNUNG))
            else:
                first_row_of[slug] = (row_number, typed)
        if not publish:
            if slug:
                hidden.add(slug)
            continue
        warnings.extend(reader.warnings)
        if group is None:
            continue
        if group.is_listed and group.checked and group.checked < stale_before:
            stale.append(group.slug)
            warnings.append(Problem(source, f"Stand {group.checked:%d.%m.%Y} ist älter als "
                                            f"{stale_months} Monate – bitte prüfen.",
                                    row_number, STAND))
        if group.checked and group.checked > today:
            warnings.append(Problem(source, f"Stand {group.checked:%d.%m.%Y} liegt in der "
                                            "Zukunft – bitte prüfen.", row_number, STAND))
        if group.status is Status.ACTIVE and not group.schedule.has_rule:
            warnings.append(Problem(source, "Kein Treffen angegeben (Wochentag und Turnus "
                                            "leer): Die Seite nennt keine Termine.",
                                    row_number, WOCHENTAG))
        groups.append(group)

    problems.sort(key=lambda p: p.row or 0)
    return ReadResult(tuple(groups), frozenset(hidden - {g.slug for g in groups}),
                      tuple(problems), tuple(warnings), tuple(stale), encoding, delimiter)


def read_file(path: Path, source: str, **options) -> ReadResult:
    return read_groups(path.read_bytes(), source, **options)

