"""The group table reader: every export variant reads the same, every error is reported once,
with the spreadsheet's row number, the column, the value and what is allowed (in German)."""

from __future__ import annotations

from datetime import date, time

import json
import pytest

from group_directory.errors import Problem
from group_directory.model import LAST, Accessibility, Audience, Form, Rhythm, Status
from group_directory.reader import decode, read_groups, sniff_delimiter
from group_directory.sanitize import SiteCleaner, load_policy
from group_directory.slugs import german_slug, initial, sort_key
from sitetools.entry_store import ENTRIES_FILE, EntryStore

from tests.conftest import ROOT

SOURCE = "content/gruppen/gruppen.csv"
TODAY = date(2026, 11, 24)
SAMPLE = ROOT.parent / "shared" / "samples" / "gruppen.csv"

HEADER = ["Kennung", "Name", "Themen", "Zielgruppe", "Ort", "Stadtteil", "Form", "Status",
          "Wochentag", "Turnus", "Beginn", "Ende", "Treffen (Hinweis)", "Treffpunkt",
          "Barrierefrei", "Sprachen", "Neue willkommen", "Kontakt öffentlich", "E-Mail",
          "Telefon", "Webseite", "Beschreibung", "Stand", "Veröffentlichen"]

BASE = {
    "Kennung": "kreuzbund-2", "Name": "Kreuzbund Gruppe 2", "Themen": "Alkohol, Sucht",
    "Zielgruppe": "Betroffene und Angehörige", "Ort": "Beispielstadt", "Stadtteil": "Lengfeld",
    "Form": "Präsenz", "Status": "aktiv", "Wochentag": "Dienstag", "Turnus": "wöchentlich",
    "Beginn": "19:00", "Ende": "21:00", "Treffen (Hinweis)": "", "Treffpunkt": "Pfarrheim",
    "Barrierefrei": "ja", "Sprachen": "Deutsch", "Neue willkommen": "ja",
    "Kontakt öffentlich": "nein", "E-Mail": "", "Telefon": "", "Webseite": "",
    "Beschreibung": "Gesprächsgruppe für suchtkranke Menschen; auch für Angehörige.",
    "Stand": "18.03.2026", "Veröffentlichen": "ja",
}

PLAIN = SiteCleaner(None)  # the strict fallback: deterministic, no post_sanitizer needed


def quote(value: str, delimiter: str) -> str:
    if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def table(*rows: dict[str, str], header: list[str] = HEADER, delimiter: str = ";",
          newline: str = "\r\n") -> str:
    lines = [delimiter.join(quote(name, delimiter) for name in header)]
    for row in rows:
        values = [row.get(name, BASE.get(name, "")) for name in header]
        lines.append(delimiter.join(quote(v.replace("\n", newline), delimiter) for v in values))
    return newline.join(lines) + newline


def encode(text: str, *, encoding: str = "utf-8", bom: bool = True) -> bytes:
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom and encoding == "utf-8" else data


def read(data: bytes | str, **options):
    if isinstance(data, str):
        data = encode(data)
    options.setdefault("cleaner", PLAIN)
    options.setdefault("today", TODAY)
    return read_groups(data, SOURCE, **options)


def messages(result) -> list[str]:
    return [str(problem) for problem in result.problems]


# --- Export variants -----------------------------------------------------------------------

ROWS = (
    dict(BASE),
    dict(BASE, Kennung="", Name="Männer-SHG „Über den Berg“", Themen="Lebenskrisen",
         Beschreibung="Erste Zeile; mit Semikolon, Komma und \"Anführungszeichen\".\n\n"
                      "Zweiter Absatz.", Stand="02.02.2026"),
)


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("encoding,bom", [("utf-8", True), ("utf-8", False), ("cp1252", False)])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_every_export_variant_reads_the_same(delimiter, encoding, bom, newline):
    data = encode(table(*ROWS, delimiter=delimiter, newline=newline), encoding=encoding, bom=bom)
    result = read(data)
    assert result.problems == ()
    assert result.delimiter == delimiter
    assert result.encoding == ("cp1252" if encoding == "cp1252" else "utf-8")
    first, second = result.groups
    assert (first.slug, first.name) == ("kreuzbund-2", "Kreuzbund Gruppe 2")
    assert [t.name for t in first.topics] == ["Alkohol", "Sucht"]
    assert second.slug == "maenner-shg-ueber-den-berg"
    assert second.name == "Männer-SHG „Über den Berg“"
    assert "Semikolon, Komma und" in second.description_text
    assert second.description_html.count("<p>") == 2


def test_decode_and_sniff():
    assert decode("Kennung;Name".encode("cp1252")) == ("Kennung;Name", "utf-8")
    assert decode("Männer".encode("cp1252")) == ("Männer", "cp1252")
    assert decode(b"\xef\xbb\xbfM\xc3\xa4nner") == ("Männer", "utf-8")
    assert sniff_delimiter("Kennung,Name,Themen\na;b") == ","
    assert sniff_delimiter("Kennung;Name;Themen\n\"a,b,c,d\";x") == ";"
    assert sniff_delimiter("Kennung\tName\n") == "\t"


def test_quoted_line_breaks_stray_spaces_and_header_variants():
    header = [" kennung ", "NAME", "themen", "Zielgruppe", "  Ort", "Stadtteil", "form ",
              "STATUS", "Wochentag", "Turnus", "Beginn", "Ende", "Treffen  (Hinweis)",
              "Treffpunkt", "Barrierefrei", "Sprachen", "Neue Willkommen", "Kontakt Öffentlich",
              "Email", "Telefon", "Website", "Beschreibung", "Stand", "veröffentlichen"]
    row = {" kennung ": "  kreuzbund-2 ", "NAME": " Kreuzbund Gruppe 2 ",
           "themen": " Alkohol ,  Sucht ,", "  Ort": " Beispielstadt", "form ": " präsenz ",
           "STATUS": "Aktiv", "Wochentag": "Di", "Turnus": " Wöchentlich ",
           "Beginn": "19 Uhr", "Ende": "21.00", "Treffen  (Hinweis)": "nicht in den\nFerien",
           "Barrierefrei": "JA", "Neue Willkommen": "x", "Kontakt Öffentlich": "JA",
           "Email": " info@kreuzbund.example ", "Website": "https://kreuzbund.example/wue",
           "veröffentlichen": ""}
    result = read(table(row, header=header))
    assert result.problems == () and result.warnings == ()
    (group,) = result.groups
    assert group.slug == "kreuzbund-2" and group.name == "Kreuzbund Gruppe 2"
    assert [t.slug for t in group.topics] == ["alkohol", "sucht"]
    assert (group.form, group.status) == (Form.PRESENCE, Status.ACTIVE)
    assert group.schedule.weekday == 1 and group.schedule.rhythm is Rhythm.WEEKLY
    assert (group.schedule.start, group.schedule.end) == (time(19), time(21))
    assert group.schedule_hint == "nicht in den Ferien"
    assert group.accessible is Accessibility.YES and group.newcomers_welcome
    assert group.contact_public and group.email == "info@kreuzbund.example"
    assert group.website == "https://kreuzbund.example/wue"


@pytest.mark.parametrize("value,expected", [
    ("ja", True), ("Ja", True), ("JA", True), ("x", True), ("X", True), ("nein", False),
    ("Nein", False), ("NEIN", False), ("", True),
])
def test_yes_no_values(value, expected):
    (group,) = read(table(dict(BASE, **{"Neue willkommen": value}))).groups
    assert group.newcomers_welcome is expected


@pytest.mark.parametrize("value,expected", [
    ("19:00", time(19)), ("19 Uhr", time(19)), ("19.00", time(19)), ("19.30 Uhr", time(19, 30)),
    ("9:05", time(9, 5)), ("7", time(7)),
])
def test_time_values(value, expected):
    (group,) = read(table(dict(BASE, Beginn=value, Ende="23:00"))).groups
    assert group.schedule.start == expected


@pytest.mark.parametrize("turnus,rhythm,weeks", [
    ("wöchentlich", Rhythm.WEEKLY, ()), ("14-täglich", Rhythm.BIWEEKLY, ()),
    ("14-tägig", Rhythm.BIWEEKLY, ()), ("monatlich: 1.", Rhythm.MONTHLY, (1,)),
    ("monatlich: 2., 4.", Rhythm.MONTHLY, (2, 4)), ("Monatlich: 4., 2.", Rhythm.MONTHLY, (2, 4)),
    ("monatlich: letzter", Rhythm.MONTHLY, (LAST,)),
    ("monatlich: 1. und letzter", Rhythm.MONTHLY, (1, LAST)),
])
def test_turnus_values(turnus, rhythm, weeks):
    (group,) = read(table(dict(BASE, Turnus=turnus))).groups
    assert (group.schedule.rhythm, group.schedule.weeks) == (rhythm, weeks)


def test_fields_and_defaults():
    result = read(table(dict(BASE, Zielgruppe="", Sprachen="", Barrierefrei="",
                             Form="Online", Ort="online", Stadtteil="")))
    (group,) = result.groups
    assert group.audience is None and group.languages == ("Deutsch",)
    assert group.accessible is Accessibility.UNKNOWN
    assert group.place.name == "Online" and group.place.slug == "online"
    assert group.checked == date(2026, 3, 18)
    (both,) = read(table(dict(BASE, Zielgruppe="angehörige", Sprachen="Deutsch, Türkisch"))).groups
    assert both.audience is Audience.RELATIVES and both.languages == ("Deutsch", "Türkisch")


# --- Privacy -------------------------------------------------------------------------------

def test_contacts_not_released_are_dropped():
    private = dict(BASE, **{"Kontakt öffentlich": "nein", "E-Mail": "privat@example.org",
                            "Telefon": "0170 1234567"})
    (group,) = read(table(private)).groups
    assert not group.contact_public and group.email == "" and group.phone == ""
    (group,) = read(table(dict(private, **{"Kontakt öffentlich": ""}))).groups
    assert group.email == "" and group.phone == ""
    (group,) = read(table(dict(private, **{"Kontakt öffentlich": "ja"}))).groups
    assert (group.email, group.phone) == ("privat@example.org", "0170 1234567")


def test_errors_do_not_repeat_contacts_that_are_not_public():
    result = read(table(dict(BASE, **{"E-Mail": "geheim-at-example.org", "Telefon": "abc"})))
    text = "\n".join(messages(result))
    assert len(result.problems) == 2
    assert "geheim-at-example.org" not in text and "abc" not in text
    assert "nicht öffentlich" in text


def test_unpublished_rows_appear_in_no_group():
    result = read(table(BASE, dict(BASE, Kennung="", Name="Geheimgruppe Vorbereitung",
                                   **{"Veröffentlichen": "nein"})))
    assert [g.slug for g in result.groups] == ["kreuzbund-2"]
    assert result.hidden == {"geheimgruppe-vorbereitung"}


# --- Errors --------------------------------------------------------------------------------

ERRORS = [
    # column, value, expected text (after „value“ where there is one)
    ("Form", "Präsens", "Zeile 2, Spalte „Form“: „Präsens“ ist nicht erlaubt. Erlaubt: "
                        "Präsenz, Online, Hybrid."),
    ("Status", "aktive", "Spalte „Status“: „aktive“ ist nicht erlaubt. Erlaubt: aktiv, "
                         "in Gründung, pausiert, beendet."),
    ("Wochentag", "Dienstags", "Spalte „Wochentag“: „Dienstags“ ist nicht erlaubt. Erlaubt: "
                               "Montag, Dienstag"),
    ("Turnus", "monatlich: 5.", "Spalte „Turnus“: „monatlich: 5.“ ist nicht erlaubt. Erlaubt: "
                                "wöchentlich, 14-täglich, monatlich: 1."),
    ("Turnus", "täglich", "„täglich“ ist nicht erlaubt"),
    ("Beginn", "19,30", "Spalte „Beginn“: „19,30“ ist keine Uhrzeit. Erlaubt: eine Uhrzeit"),
    ("Ende", "25:00", "Spalte „Ende“: „25:00“ ist keine Uhrzeit"),
    ("Ende", "18:00", "Spalte „Ende“: „18:00“ liegt nicht nach dem Beginn 19:00"),
    ("Stand", "31.02.2026", "Spalte „Stand“: „31.02.2026“ ist kein gültiges Datum. Erlaubt: "
                            "ein Datum wie 14.03.2026 (TT.MM.JJJJ)."),
    ("Stand", "März 2026", "„März 2026“ ist kein gültiges Datum"),
    ("Webseite", "www.kreuzbund.example", "Spalte „Webseite“: „www.kreuzbund.example“ ist "
                                          "nicht erlaubt. Erlaubt: eine vollständige Adresse, "
                                          "die mit https:// beginnt"),
    ("Webseite", "http://kreuzbund.example", "„http://kreuzbund.example“ ist nicht erlaubt"),
    ("Webseite", "javascript:alert(1)", "„javascript:alert(1)“ ist nicht erlaubt"),
    ("Kennung", "Kreuzbund 2", "Spalte „Kennung“: „Kreuzbund 2“ ist nicht erlaubt. Erlaubt: "
                               "Kleinbuchstaben a–z, Ziffern und Bindestriche, z. B. "
                               "„kreuzbund-2“"),
    ("Zielgruppe", "Eltern", "Spalte „Zielgruppe“: „Eltern“ ist nicht erlaubt. Erlaubt: "
                             "Betroffene, Angehörige, Betroffene und Angehörige."),
    ("Barrierefrei", "teilweise", "„teilweise“ ist nicht erlaubt. Erlaubt: ja, nein, unbekannt."),
    ("Neue willkommen", "vielleicht", "„vielleicht“ ist nicht erlaubt. Erlaubt: ja, nein"),
    ("Veröffentlichen", "bald", "Spalte „Veröffentlichen“: „bald“ ist nicht erlaubt"),
    ("Name", "", "Spalte „Name“: Angabe fehlt"),
    ("Themen", " , ", "Spalte „Themen“: Angabe fehlt"),
    ("Ort", "", "Spalte „Ort“: Angabe fehlt"),
    ("Form", "", "Spalte „Form“: Angabe fehlt. Erlaubt: Präsenz, Online, Hybrid."),
]


@pytest.mark.parametrize("column,value,expected", ERRORS)
def test_each_error_names_row_column_value_and_what_is_allowed(column, value, expected):
    result = read(table(dict(BASE, **{column: value})))
    assert result.groups == ()
    assert len(result.problems) == 1, messages(result)
    (problem,) = result.problems
    assert (problem.row, problem.column) == (2, column)
    assert str(problem).startswith(f"{SOURCE}, Zeile 2, Spalte „{column}“: ")
    assert expected in str(problem)


def test_public_contact_errors_show_the_value():
    public = {"Kontakt öffentlich": "ja"}
    result = read(table(dict(BASE, **public, **{"E-Mail": "info@", "Telefon": "12"})))
    assert messages(result) == [
        f"{SOURCE}, Zeile 2, Spalte „E-Mail“: „info@“ ist keine gültige E-Mail-Adresse. "
        "Erlaubt: eine Adresse wie name@beispiel.de.",
        f"{SOURCE}, Zeile 2, Spalte „Telefon“: „12“ ist keine gültige Telefonnummer. "
        "Erlaubt: Ziffern, Leerzeichen, +, /, - und Klammern, z. B. 01234 567890.",
    ]


@pytest.mark.parametrize("row,column", [
    (dict(BASE, Wochentag="Montag", Turnus=""), "Turnus"),
    (dict(BASE, Wochentag="", Turnus="wöchentlich"), "Wochentag"),
    (dict(BASE, Beginn="", Ende="21:00"), "Beginn"),
    (dict(BASE, Turnus="14-täglich", Stand=""), "Stand"),
])
def test_incomplete_schedules(row, column):
    (problem,) = read(table(row)).problems
    assert (problem.row, problem.column) == (2, column)
    assert "Angabe fehlt" in problem.message


def test_every_error_of_the_file_at_once_in_row_order():
    rows = [dict(BASE, Kennung=f"g{i}") for i in range(5)]
    rows[1]["Form"] = "Präsens"
    rows[3].update(Status="weg", Beginn="abends")
    result = read(table(*rows))
    assert [(p.row, p.column) for p in result.problems] == [
        (3, "Form"), (5, "Status"), (5, "Beginn")]
    assert [g.slug for g in result.groups] == ["g0", "g2", "g4"]


def test_missing_required_columns_are_named():
    header = [name for name in HEADER if name not in ("Themen", "Form")]
    result = read(table(BASE, header=header))
    assert messages(result)[:2] == [
        f"{SOURCE}, Zeile 1, Spalte „Themen“: Die Pflichtspalte fehlt in der Kopfzeile. "
        "Pflichtspalten: Name, Themen, Ort, Form, Status.",
        f"{SOURCE}, Zeile 1, Spalte „Form“: Die Pflichtspalte fehlt in der Kopfzeile. "
        "Pflichtspalten: Name, Themen, Ort, Form, Status.",
    ]


def test_duplicate_kennung_names_both_rows():
    result = read(table(BASE, dict(BASE, Name="Andere Gruppe"), dict(BASE, Kennung="x")))
    (problem,) = result.problems
    assert (problem.row, problem.column) == (3, "Kennung")
    assert "„kreuzbund-2“ steht schon in Zeile 2" in str(problem)
    assert "Zeile 2 oder 3" in str(problem)


def test_duplicate_derived_kennung_names_both_rows():
    result = read(table(dict(BASE, Kennung="", Name="SHG Süd"),
                        dict(BASE, Kennung="", Name="SHG süd")))
    (problem,) = result.problems
    assert problem.row == 3
    assert "Die aus dem Namen gebildete Kennung „shg-sued“ steht schon in Zeile 2" in str(problem)


def test_reserved_kennung():
    (problem,) = read(table(dict(BASE, Kennung="a-z")),
                      reserved={"a-z": "die Liste aller Gruppen von A bis Z"}).problems
    assert "„a-z“ ist reserviert für die Liste aller Gruppen von A bis Z" in str(problem)


def test_row_numbers_count_records_not_lines_after_multi_line_cells():
    rows = [dict(BASE, Kennung="eins", Beschreibung="Zeile 1\nZeile 2\n\nZeile 4"),
            dict(BASE, Kennung="zwei", Beschreibung="a\nb"),
            dict(BASE, Kennung="drei", Form="Präsens")]
    for newline in ("\r\n", "\n"):
        (problem,) = read(table(*rows, newline=newline)).problems
        assert problem.row == 4, newline  # as the spreadsheet shows it; lines would say 9


def test_empty_rows_are_skipped_but_counted():
    text = table(BASE) + ";" * (len(HEADER) - 1) + "\r\n" + table(
        dict(BASE, Kennung="zwei", Form="x")).split("\r\n", 1)[1]
    (problem,) = read(text).problems
    assert problem.row == 4


def test_a_row_with_too_many_cells():
    text = table(BASE).rstrip("\r\n") + ";überzählig\r\n"
    (problem,) = read(text).problems
    assert problem.row == 2 and "24 Zellen" not in problem.message
    assert "25 Zellen, die Kopfzeile nur 24" in problem.message


def test_empty_file():
    (problem,) = read(b"").problems
    assert problem.row == 1 and "Die Datei ist leer" in problem.message



# --- Warnings ------------------------------------------------------------------------------

def test_warnings_unknown_column_stale_entry_no_schedule():
    header = HEADER + ["Farbe"]
    rows = [dict(BASE, Kennung="alt", Stand="23.11.2025", Farbe="blau"),
            dict(BASE, Kennung="frisch", Stand="24.11.2025"),
            dict(BASE, Kennung="ohne-termin", Wochentag="", Turnus="", Beginn="", Ende=""),
            dict(BASE, Kennung="pause", Status="pausiert", Wochentag="", Turnus="",
                 Stand="01.01.2020")]
    result = read(table(*rows, header=header))
    assert result.problems == ()
    assert [str(w) for w in result.warnings] == [
        f"{SOURCE}, Zeile 1, Spalte „Farbe“: Unbekannte Spalte, sie wird nicht verwendet. "
        "Bekannte Spalten: " + ", ".join(HEADER) + ".",
        f"{SOURCE}, Zeile 2, Spalte „Stand“: Stand 23.11.2025 ist älter als 12 Monate – "
        "bitte prüfen.",
        f"{SOURCE}, Zeile 4, Spalte „Wochentag“: Kein Treffen angegeben (Wochentag und Turnus "
        "leer): Die Seite nennt keine Termine.",
        f"{SOURCE}, Zeile 5, Spalte „Stand“: Stand 01.01.2020 ist älter als 12 Monate – "
        "bitte prüfen.",
    ]
    assert result.stale == ("alt", "pause")


# --- Slugs and order -----------------------------------------------------------------------

@pytest.mark.parametrize("name,slug", [
    ("Männer-SHG Würzburg", "maenner-shg-wuerzburg"), ("Straße der Hoffnung", "strasse-der-hoffnung"),
    ("Öffentliche Übung", "oeffentliche-uebung"), ("„Glückskekse“ – Freizeit", "glueckskekse-freizeit"),
    ("Long Covid / ME/CFS", "long-covid-me-cfs"), ("Café Guillain-Barré", "cafe-guillain-barre"),
    ("  ", ""),
])
def test_german_slug(name, slug):
    assert german_slug(name) == slug


def test_alphabetical_order_and_initials():
    names = ["Zeitlos", "„Glückskekse“", "Äpfel", "Angst", "12 Schritte", "Überleben", "Essen"]
    assert sorted(names, key=sort_key) == [
        "12 Schritte", "Angst", "Äpfel", "Essen", "„Glückskekse“", "Überleben", "Zeitlos"]
    assert [initial(n) for n in ("Äpfel", "„Glückskekse“", "12 Schritte")] == ["A", "G", "0–9"]


# --- Real files ----------------------------------------------------------------------------

@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/samples/gruppen.csv not present")
def test_the_shared_sample_reads_without_errors():
    result = read(SAMPLE.read_bytes())
    assert result.problems == (), [str(p) for p in result.problems]
    assert len(result.groups) == 30 and result.hidden == {"endometriose"}
    organ = next(g for g in result.groups if g.slug == "organtransplantierte")
    assert organ.contact_public and organ.phone == "0931 1234567"
    assert "Angehörige sind ausdrücklich willkommen" in organ.description_text


def test_the_fixture_and_the_project_content_read_without_errors():
    for path in (ROOT / "tests/fixtures/site/gruppen/gruppen.csv",
                 ROOT / "content/gruppen/gruppen.csv"):
        if path.exists():
            assert read(path.read_bytes()).problems == (), path


# --- Sanitising ----------------------------------------------------------------------------

def test_fallback_cleaner_never_lets_markup_through():
    hostile = dict(BASE, Name='SHG <script>alert(1)</script><b onclick="x">Mut</b>',
                   Beschreibung='<img src=x onerror=alert(1)> **fett** <a href="javascript:x">a</a>')
    (group,) = read(table(hostile)).groups
    assert "<" not in group.name and "alert" in group.name  # text only, escaped later
    assert group.description_html == "<p>**fett** a</p>"  # tags removed, no Markdown


policy = load_policy()


@pytest.mark.skipif(policy is None, reason="post_sanitizer.policy is not there yet")
def test_site_policy_sanitises_names_and_descriptions():
    cleaner = SiteCleaner(policy, {"output_format": "html5"})
    hostile = dict(BASE, Name='SHG <script>alert(1)</script><b>Mut</b>',
                   Beschreibung='Text mit **Fett**.\n\n<img src=x onerror=alert(1)>'
                                '<script>alert(2)</script> [Link](javascript:alert(3))')
    (group,) = read(table(hostile), cleaner=cleaner).groups
    assert "<" not in group.name and "Mut" in group.name
    assert "<strong>Fett</strong>" in group.description_html
    for bad in ("<script", "onerror", "javascript:", "<img src=x"):
        assert bad not in group.description_html


@pytest.mark.skipif(policy is None, reason="post_sanitizer.policy is not there yet")
def test_descriptions_cleaned_in_a_worker_process_are_the_same():
    sources = [f"Gruppe {i}: **fett** <script>x</script>\n\n- Punkt {i}" for i in range(6)]
    serial = SiteCleaner(policy, {"output_format": "html5"})
    parallel = SiteCleaner(policy, {"output_format": "html5"}, workers=1, parallel_from=2)
    parallel.prepare(sources)
    assert len(parallel._prepared) == len(sources)  # done ahead, partly in the worker
    for source in sources:
        assert parallel.markdown(source, "") == serial.markdown(source, "")


@pytest.mark.skipif(policy is None, reason="post_sanitizer.policy is not there yet")
def test_the_next_build_takes_cleaned_descriptions_from_the_cache(tmp_path):
    source = "Wir treffen uns **jeden Dienstag**.\n\n<script>alert(1)</script>Neue sind willkommen."
    first = SiteCleaner(policy, {"output_format": "html5"}, cache_folder=tmp_path)
    cleaned = first.markdown(source, "gruppen.csv, Zeile 2")
    store = EntryStore(tmp_path / ENTRIES_FILE)
    (key,) = store.keys()
    stored = store.get(key).decode()
    assert "<script" not in json.loads(stored)["html"]
    store.put(key, stored.replace("jeden Dienstag", "aus dem Zwischenspeicher").encode())
    again = SiteCleaner(policy, {"output_format": "html5"}, cache_folder=tmp_path)
    assert "aus dem Zwischenspeicher" in again.markdown(source, "gruppen.csv, Zeile 2").html
    other_site = SiteCleaner(policy, {"output_format": "html5"}, "andere.example",
                             cache_folder=tmp_path)
    assert other_site.markdown(source, "") == cleaned  # another host: another key, fresh


@pytest.mark.skipif(policy is None, reason="post_sanitizer.policy is not there yet")
def test_descriptions_unused_for_a_month_leave_the_cache_whatever_the_host(tmp_path):
    (tmp_path / "alt.json").write_text("{}", encoding="utf-8")  # before entries.sqlite
    text = "Wir treffen uns dienstags."
    preview = SiteCleaner(policy, {"output_format": "html5"}, cache_folder=tmp_path)
    preview.markdown(text, "gruppen.csv, Zeile 2")
    preview.markdown("Die Gruppe hat sich aufgelöst.", "gruppen.csv, Zeile 3")
    preview.tidy_cache()
    publish = SiteCleaner(policy, {"output_format": "html5"}, "www.beispiel.example",
                          cache_folder=tmp_path)
    publish.markdown(text, "gruppen.csv, Zeile 2")
    publish.tidy_cache()  # another host, other keys: the preview's entries stay
    store = EntryStore(tmp_path / ENTRIES_FILE)
    assert len(store.keys()) == 3 and not (tmp_path / "alt.json").exists()
    store.remember_use(store.keys(), at=0.0)  # last used in 1970
    again = SiteCleaner(policy, {"output_format": "html5"}, cache_folder=tmp_path)
    again.markdown(text, "gruppen.csv, Zeile 2")  # read: kept
    again.tidy_cache()
    assert len(store.keys()) == 1
