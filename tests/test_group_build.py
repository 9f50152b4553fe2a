"""The group directory in a real build (publishconf.py) of the fixture site and its
tests/fixtures/site/gruppen/gruppen.csv: pages, indexes, privacy, posts, exports, failures."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from icalendar import Calendar

from tests.conftest import ROOT, BuiltSite, build_site, make_content, run_build

SITE = "https://www.selbsthilfe-beispielstadt.example"
TODAY = "2026-11-24"

LISTED = ["lichtblick-alkohol", "atempause-depression", "angehoerige-sucht", "mutig-online",
          "schmerz-nordheim", "diabetes-eltern", "maennergruppe-ueber-den-berg"]
ENDED = "trauer-verwaiste-eltern"
WITH_CALENDAR = ["lichtblick-alkohol", "atempause-depression", "angehoerige-sucht",
                 "mutig-online", "schmerz-nordheim", "maennergruppe-ueber-den-berg"]
SECRETS = ["geheimgruppe", "geheimthema", "geheim@example.org", "01234 000111", "01234000111"]
PRIVATE_CONTACTS = ["lichtblick.privat@example.org", "0170 9998887", "01709998887"]

POST_WITH_GROUP = """Title: Freitags bei Lichtblick
Date: 2026-04-10 10:00
Category: Erfahrungsberichte
Tags: Sucht
Author: Franky, Gruppe Lichtblick
Gruppe: lichtblick-alkohol
Summary: Wie es ist, jeden Freitag in den Stuhlkreis zu kommen.

Jeden Freitag ein freier Stuhl.
"""
POST_OF_ENDED_GROUP = """Title: Abschied von unserer Gruppe
Date: 2026-08-01 10:00
Category: Gastbeiträge
Tags: Trauer
Author: Die Gruppe Verwaiste Eltern
Summary: Nach vielen Jahren haben wir uns aufgelöst.
Gruppe: trauer-verwaiste-eltern

Danke für alles.
"""
POST_UNKNOWN_GROUP = """Title: Ein Bericht
Date: 2026-04-10 10:00
Category: Erfahrungsberichte
Tags: Sucht
Author: Jo
Gruppe: gibt-es-nicht
Summary: Kurz.

Text.
"""
EXTRA_POSTS = {"beitraege/freitags-bei-lichtblick.md": POST_WITH_GROUP,
               "beitraege/abschied.md": POST_OF_ENDED_GROUP}
FIXTURE_CSV = ROOT / "tests/fixtures/site/gruppen/gruppen.csv"


def overrides(cache: Path) -> dict:
    return {"GROUP_DIRECTORY_TODAY": TODAY, "CACHE_PATH": str(cache)}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> BuiltSite:
    root = tmp_path_factory.mktemp("groups")
    return build_site(root, extra_files=EXTRA_POSTS, overrides=overrides(root / "cache"))


def group_slugs(html: str) -> list[str]:
    return re.findall(rf'class="group-card-title"><a href="{SITE}/gruppen/([a-z0-9-]+)/"', html)


class Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[dict] = []
        self.json_ld: list[dict] = []
        self._json = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.external.append(attrs)
        self._json = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._json:
            self.json_ld.append(json.loads(data))
            self._json = False


def scripts(html: str) -> Scripts:
    parser = Scripts()
    parser.feed(html)
    return parser


# --- Pages and indexes -----------------------------------------------------------------------

def test_every_group_page_and_index_exists(site):
    for slug in [*LISTED, ENDED]:
        assert (site.output / "gruppen" / slug / "index.html").exists(), slug
    for page in ["gruppen/index.html", "gruppen/a-z/index.html", "gruppen/neue-gruppen/index.html",
                 "gruppen/thema/sucht/index.html", "gruppen/ort/beispielstadt/index.html",
                 "gruppen/ort/online/index.html", "gruppen/form/praesenz/index.html",
                 "gruppen/form/online/index.html", "gruppen/form/hybrid/index.html",
                 "gruppen/zielgruppe/betroffene/index.html",
                 "gruppen/zielgruppe/angehoerige/index.html"]:
        assert (site.output / page).exists(), page
    calendars = sorted(p.parent.name for p in site.files("gruppen/*/termine.ics"))
    assert calendars == sorted(WITH_CALENDAR)
    assert "Gruppen finden" in site.read("index.html")  # first menu entry


def test_indexes_list_the_right_groups(site):
    az = group_slugs(site.read("gruppen/a-z/index.html"))
    assert sorted(az) == sorted(LISTED) and ENDED not in az
    assert az.index("angehoerige-sucht") < az.index("atempause-depression") < az.index(
        "schmerz-nordheim")  # A–Z by name: „Mutig“ files under M, not under the quote
    assert group_slugs(site.read("gruppen/thema/sucht/index.html")) == [
        "angehoerige-sucht", "lichtblick-alkohol"]
    assert group_slugs(site.read("gruppen/form/online/index.html")) == ["mutig-online"]
    assert group_slugs(site.read("gruppen/neue-gruppen/index.html")) == ["schmerz-nordheim"]
    assert set(group_slugs(site.read("gruppen/zielgruppe/angehoerige/index.html"))) == {
        "angehoerige-sucht", "mutig-online", "diabetes-eltern"}  # "… und Angehörige": both
    assert "mutig-online" in group_slugs(site.read("gruppen/zielgruppe/betroffene/index.html"))
    place = site.read("gruppen/ort/beispielstadt/index.html")
    assert place.index('id="stadtteil-altstadt"') < place.index("lichtblick-alkohol/") < place.index(
        'id="stadtteil-nordviertel"') < place.index("angehoerige-sucht/")
    assert not (site.output / "gruppen/thema/trauer").exists()  # only an ended group has it
    start = site.read("gruppen/index.html")
    assert f'href="{SITE}/gruppen/thema/sucht/">Sucht</a> <span class="muted">(2)</span>' in start
    for url in ["gruppen/a-z/", "gruppen/neue-gruppen/", "gruppen/form/hybrid/",
                "gruppen/zielgruppe/angehoerige/", "gruppen/ort/online/", "gruppen/gruppen.json",
                "gruppen/neue-gruppen.atom.xml"]:
        assert f'href="{SITE}/{url}"' in start, url


def test_paused_group_is_listed_with_a_note(site):
    card = site.read("gruppen/a-z/index.html").split("gruppen/diabetes-eltern/", 1)[1][:600]
    assert "Pausiert zurzeit" in card
    page = site.read("gruppen/diabetes-eltern/index.html")
    assert "Diese Gruppe pausiert zurzeit." in page
    assert "Die nächsten Termine" not in page and "termine.ics" not in page


def test_ended_group_keeps_its_page_but_is_not_listed(site):
    page = site.read(f"gruppen/{ENDED}/index.html")
    assert "Diese Gruppe trifft sich nicht mehr" in page
    related = page.split('id="aehnliche-gruppen"', 1)[1]
    assert group_slugs(related) == ["angehoerige-sucht"]  # active, shares "Angehörige"
    assert f'href="{SITE}/gruppen/thema/angehoerige/"' in related
    for path, text in site.all_text().items():
        if path.name.endswith(".html") and ENDED not in str(path):
            assert f'class="group-card-title"><a href="{SITE}/gruppen/{ENDED}/' not in text, path
    assert ENDED not in site.read("gruppen/gruppen.json")


def test_unpublished_group_appears_nowhere(site):
    for path, text in site.all_text().items():
        lowered = text.lower()
        for secret in SECRETS:
            assert secret not in lowered, (path, secret)
    assert not list(site.output.glob("gruppen/geheim*"))


def test_contacts_that_are_not_public_appear_nowhere(site):
    for path, text in site.all_text().items():
        for secret in PRIVATE_CONTACTS:
            assert secret not in text, (path, secret)
    lichtblick = site.read("gruppen/lichtblick-alkohol/index.html")
    assert "Der erste Kontakt läuft über die Kontaktstelle" in lichtblick
    assert 'href="tel:+491234567890"' in lichtblick
    atempause = site.read("gruppen/atempause-depression/index.html")
    assert 'href="mailto:atempause@example.org"' in atempause
    assert 'href="tel:01234111222"' in atempause


# --- One group page -------------------------------------------------------------------------

def test_group_page_content(site):
    html = site.read("gruppen/angehoerige-sucht/index.html")
    assert "<h1>Angehörigengruppe Sucht</h1>" in html
    assert "jeden 2. und 4. Dienstag im Monat, 19:00–20:30 Uhr" in html
    assert f'<a href="{SITE}/gruppen/thema/sucht/">Sucht</a>' in html
    assert f'<a href="{SITE}/gruppen/ort/beispielstadt/#stadtteil-nordviertel">Nordviertel</a>' in html
    dates = re.findall(r'<li data-day="([\d-]+)">', html)
    assert dates == ["2026-11-24", "2026-12-08", "2026-12-22"]  # today is the 4th Tuesday
    assert 'Dienstag, 8. Dezember 2026</time>, <span class="time-range">19:00–20:30 Uhr</span>' in html
    assert "Berechnet am 24. November 2026" in html
    assert f'href="{SITE}/gruppen/angehoerige-sucht/termine.ics"' in html
    assert "Nein, der Treffpunkt ist nicht barrierefrei" in html
    assert "Stand: September 2025" in html
    parsed = scripts(html)
    assert [s["src"] for s in parsed.external] == [f"{SITE}/theme/js/group-dates.js"]
    assert all("defer" in s for s in parsed.external)
    group = next(block for block in parsed.json_ld if block["name"] == "Angehörigengruppe Sucht")
    assert group["@type"] == "Organization" and group["url"] == f"{SITE}/gruppen/angehoerige-sucht/"
    assert group["event"][0]["startDate"] == "2026-11-24T19:00:00+01:00"
    assert group["event"][0]["eventSchedule"]["byMonthWeek"] == [2, 4]
    atempause = site.read("gruppen/atempause-depression/index.html")
    assert "alle 14 Tage donnerstags, 18:00–19:30 Uhr" in atempause
    assert "nicht in den Schulferien" in atempause
    assert "<strong>Depressionserfahrung</strong>" in atempause  # Markdown, sanitised
    assert "<li>Zuhören</li>" in atempause
    new = site.read("gruppen/schmerz-nordheim/index.html")
    assert "Diese Gruppe wird gerade gegründet" in new
    derived = site.read("gruppen/maennergruppe-ueber-den-berg/index.html")
    assert "Männergruppe „Über den Berg“" in derived and "jeden Montag, 19:00–21:00 Uhr" in derived


def test_posts_and_groups_link_each_other(site):
    post = site.read("beitraege/freitags-bei-lichtblick/index.html")
    assert (f'<p class="post-group">Aus der Gruppe: <a href="{SITE}/gruppen/lichtblick-alkohol/">'
            "Anonyme Alkoholiker – Gruppe „Lichtblick“</a></p>") in post
    group = site.read("gruppen/lichtblick-alkohol/index.html")
    posts = group.split('id="beitraege-der-gruppe"', 1)[1]
    assert f'href="{SITE}/beitraege/freitags-bei-lichtblick/">Freitags bei Lichtblick</a>' in posts
    assert "Abschied von unserer Gruppe" in site.read(f"gruppen/{ENDED}/index.html")
    assert 'class="post-group"' not in site.read("beitraege/erstes-treffen/index.html")


def test_a_to_z_filter_works_without_and_with_javascript(site):
    html = site.read("gruppen/a-z/index.html")
    assert '<form class="group-filter" hidden' in html
    for label in ('<label for="filter-suche">', '<label for="filter-thema">',
                  '<label for="filter-ort">', '<label for="filter-form">'):
        assert label in html
    assert 'role="status" aria-live="polite"' in html
    assert '<div class="group-filter-none" hidden>' in html
    assert 'data-topics="sucht alkohol" data-place="beispielstadt" data-form="praesenz"' in html
    assert '<option value="sucht">Sucht (2)</option>' in html
    assert [s["src"] for s in scripts(html).external] == [f"{SITE}/theme/js/group-filter.js"]
    assert "defer" in scripts(html).external[0]
    assert (site.output / "theme/js/group-filter.js").exists()
    assert (site.output / "theme/js/group-dates.js").exists()


def test_a_word_on_no_card_points_to_the_search_which_knows_related_words(tmp_path):
    """"Trinken" is on no card of the A–Z list (the search knows it as a word for Alkohol):
    the list says that nothing in it matches, not that there is no group, and links to the
    search for the word. A word on a card that the lists chose away gets no such link."""
    pytest.importorskip("playwright.sync_api")
    import sys

    sys.path.insert(0, str(ROOT / "checks"))
    from check_common import CHROMIUM, LocalServer, launch_chromium
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    server = LocalServer(tmp_path / "output")
    built = build_site(tmp_path, overrides={**overrides(tmp_path / "cache"),
                                            "SITEURL": server.origin})
    assert "Trinken" not in built.read("gruppen/a-z/index.html").split("group-letter", 1)[1]
    server.start()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page()
            page.goto(f"{server.origin}/gruppen/a-z/")
            page.wait_for_selector("form.group-filter:not([hidden])")

            def status() -> str:
                page.wait_for_function(
                    "() => document.getElementById('filter-status').textContent !== ''")
                return page.text_content("#filter-status")

            page.fill("#filter-suche", "Trinken & Co")
            page.wait_for_selector(".group-filter-none:not([hidden])")
            note = page.text_content(".group-filter-none")
            assert "Keine Gruppe in dieser Liste passt" in note
            assert "Hier ist zurzeit keine Gruppe eingetragen" not in note
            assert page.is_visible(".group-filter-search")
            assert page.get_attribute(".group-filter-search a", "href") == (
                f"{server.origin}/suche/?q=Trinken%20%26%20Co")
            assert "Link zur Suche" in status()  # what a screen reader hears
            # On a card, but not in the chosen form: the search would not help.
            page.evaluate("() => { document.getElementById('filter-status').textContent = ''; }")
            page.fill("#filter-suche", "Lichtblick")
            page.select_option("#filter-form", "online")
            page.wait_for_selector(".group-filter-none:not([hidden])")
            assert page.is_hidden(".group-filter-search")
            assert "Link zur Suche" not in status()
            page.click("button[type=reset]")
            page.wait_for_selector(".group-filter-none", state="hidden")
            assert page.is_hidden(".group-filter-search")
            browser.close()
    finally:
        server.stop()


def test_empty_index_shows_the_calm_note(tmp_path):
    only_active = b"\n".join(
        line for line in FIXTURE_CSV.read_bytes().split(b"\n") if b"in Gr\xc3\xbcndung" not in line)
    built = build_site(tmp_path, extra_files={"gruppen/gruppen.csv": only_active},
                       overrides=overrides(tmp_path / "cache"))
    html = built.read("gruppen/neue-gruppen/index.html")
    assert 'class="group-empty"' in html and "eine zu gründen" in html
    assert "Hier ist zurzeit keine Gruppe eingetragen." in html
    assert "Zurzeit gründet sich keine neue Gruppe" in built.read("gruppen/index.html")


# --- Exports ---------------------------------------------------------------------------------

def test_json_export_has_public_fields_only(site):
    data = json.loads(site.read("gruppen/gruppen.json"))
    assert data["anzahl"] == len(LISTED) == len(data["gruppen"])
    records = {g["kennung"]: g for g in data["gruppen"]}
    assert set(records) == set(LISTED)
    lichtblick = records["lichtblick-alkohol"]
    assert lichtblick["kontakt"]["ueber"] == "kontaktstelle"
    assert lichtblick["url"] == f"{SITE}/gruppen/lichtblick-alkohol/"
    assert lichtblick["kalender"] == f"{SITE}/gruppen/lichtblick-alkohol/termine.ics"
    assert lichtblick["treffen"]["text"] == "jeden Freitag, 19:30–21:00 Uhr"
    assert records["atempause-depression"]["kontakt"] == {
        "ueber": "gruppe", "email": "atempause@example.org", "telefon": "01234 111222"}
    assert data["stand"] == "2026-11-20"


def test_new_groups_feed(site):
    feed = feedparser.parse(site.read("gruppen/neue-gruppen.atom.xml"))
    assert not feed.bozo, feed.get("bozo_exception")
    (entry,) = feed.entries
    assert entry.title == "Gesprächskreis Chronische Schmerzen Nordheim"
    assert entry.link == f"{SITE}/gruppen/schmerz-nordheim/"
    assert entry.updated.startswith("2026-11-20")
    assert feed.feed.updated.startswith("2026-11-20")


def test_calendar_files_parse(site):
    for path in site.files("gruppen/*/termine.ics"):
        calendar = Calendar.from_ical(path.read_bytes())
        (event,) = calendar.walk("VEVENT")
        assert event["UID"] == f"{path.parent.name}@www.selbsthilfe-beispielstadt.example"
        assert calendar.walk("VTIMEZONE")


def test_sitemap_has_group_pages(site):
    sitemap = site.read("sitemap.xml")
    assert f"<loc>{SITE}/gruppen/</loc>" in sitemap
    assert f"<loc>{SITE}/gruppen/lichtblick-alkohol/</loc>" in sitemap
    assert f"<loc>{SITE}/gruppen/thema/sucht/</loc>" in sitemap
    assert "termine.ics" not in sitemap and "gruppen.json" not in sitemap


def test_editors_summary_is_printed(site):
    assert "Gruppenverzeichnis: 7 Gruppen veröffentlicht, davon 1 in Gründung und 1 pausiert" in site.stdout
    assert "Bitte prüfen (Stand älter als 12 Monate): 1." in site.stdout
    assert "Stand 15.09.2025 ist älter als 12 Monate – bitte prüfen." in site.stderr


# --- Templates ---------------------------------------------------------------------------------

def test_templates_mark_only_the_sanitised_description_safe():
    templates = ROOT / "theme" / "templates"
    ours = [*templates.glob("group*.html"), *templates.glob("partials/group_*.html")]
    assert len(ours) >= 10
    uses = [(p.name, m) for p in ours for m in re.findall(r"[\w.]+\s*\|\s*safe", p.read_text())]
    assert uses == [("group.html", "group.content|safe")]  # the sanitised description
    for path in (ROOT / "plugins" / "group_directory").glob("*.py"):
        assert "Markup(" not in path.read_text(), path


# --- Failures ----------------------------------------------------------------------------------

def test_unknown_group_in_a_post_fails_naming_file_and_line(tmp_path):
    built = build_site(tmp_path, extra_files={"beitraege/ein-bericht.md": POST_UNKNOWN_GROUP},
                       overrides=overrides(tmp_path / "cache"), expect_success=False)
    assert built.returncode == 1
    assert ("content/beitraege/ein-bericht.md:6: Gruppe „gibt-es-nicht“ gibt es im "
            "Gruppenverzeichnis nicht.") in built.stderr
    assert not built.output.exists()


def test_post_may_not_link_an_unpublished_group(tmp_path):
    post = POST_UNKNOWN_GROUP.replace("gibt-es-nicht", "geheimgruppe-vorbereitung")
    built = build_site(tmp_path, extra_files={"beitraege/ein-bericht.md": post},
                       overrides=overrides(tmp_path / "cache"), expect_success=False)
    assert built.returncode == 1
    assert "ein-bericht.md:6: Die Gruppe „geheimgruppe-vorbereitung“ ist nicht veröffentlicht" in built.stderr


def digest(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_csv_errors_fail_the_build_and_leave_the_previous_output(tmp_path, site):
    output = tmp_path / "output"
    cache = tmp_path / "cache"
    good = make_content(tmp_path / "good", EXTRA_POSTS)
    assert run_build(good, output, overrides=overrides(cache)).returncode == 0
    before = digest(output)
    for name in ("gruppen/neue-gruppen.atom.xml", "gruppen/gruppen.json",
                 "gruppen/atempause-depression/termine.ics"):  # deterministic across builds
        assert before[name] == (site.output / name).read_bytes(), name

    text = FIXTURE_CSV.read_text(encoding="utf-8-sig")
    broken = (text.replace(";Hybrid;aktiv;Donnerstag;14-täglich;", ";Präsens;aktiv;Donnerstag;14-täglich;")
              .replace("19 Uhr;20.30", "19 Uhr;abends"))
    bad = make_content(tmp_path / "bad", {"gruppen/gruppen.csv": broken})
    result = run_build(bad, output, overrides=overrides(cache))
    assert result.returncode == 1
    assert ("content/gruppen/gruppen.csv, Zeile 3, Spalte „Form“: „Präsens“ ist nicht erlaubt. "
            "Erlaubt: Präsenz, Online, Hybrid.") in result.stderr
    assert "content/gruppen/gruppen.csv, Zeile 4, Spalte „Ende“: „abends“ ist keine Uhrzeit" in result.stderr
    assert digest(output) == before

    # The next good build reports what is new since the last one.
    added = text.rstrip("\r\n") + "\r\nneu-gruppe;Neue Gruppe Trauer;Trauer;;Beispielstadt;;Online;in Gründung;;;;;;;;;;;;;;;01.11.2026;ja\r\n"
    again = make_content(tmp_path / "again", {"gruppen/gruppen.csv": added})
    result = run_build(again, output, overrides=overrides(cache))
    assert result.returncode == 0, result.stderr
    assert "Neu seit dem letzten Bauen: 1 (neu-gruppe)" in result.stdout
    assert json.loads((cache / "group_directory_state.json").read_text())["kennungen"][0] == (
        "angehoerige-sucht")


def test_a_site_without_group_data_builds_without_a_directory(tmp_path):
    built = build_site(tmp_path, remove=("gruppen/gruppen.csv",),
                       overrides=overrides(tmp_path / "cache"))
    assert built.returncode == 0
    assert not (built.output / "gruppen").exists()
    assert "Gruppenverzeichnis" not in built.stdout
