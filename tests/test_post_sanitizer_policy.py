"""post_sanitizer's pure functions: the hostile-input table, properties, and each helper."""

from __future__ import annotations

import html
import importlib.util
import os
import re
import time
from pathlib import Path

import pelicanconf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pelican.urlwrappers import Author, Category, Tag

from post_sanitizer.backend import BleachCleaner, make_cleaner
from post_sanitizer.cache import ResultCache, cache_key
from post_sanitizer.checks import Output, duplicate_outputs, forbidden_extensions
from post_sanitizer.defaults import DEFAULTS
from post_sanitizer.errors import DuplicateOutputError, PathEscapeError, SanitizeError
from post_sanitizer.metadata import MetadataRules, sanitize_metadata
from post_sanitizer.model import CleanResult, Removal
from post_sanitizer.paths import is_trusted, neutralise_path_escapes
from post_sanitizer.policy import (
    BODY, SUMMARY, allowlist, clean_body_html, clean_summary_html, clean_text,
    policy_fingerprint, sanitize_summary,
)
from post_sanitizer.report import LineFinder, first_body_line, header_lines, metadata_line
from post_sanitizer.urls import is_allowed_url, is_external, is_own_image, url_host, url_scheme
from tests.conftest import source_copies
from tests.hostile_inputs import HARMLESS, HOSTILE, SITE_HOST
from tests.html_checks import violations

EXTERNAL = 'rel="nofollow ugc noopener noreferrer"'
TAG_START = re.compile(r"<[A-Za-z/!?]")


# --- the table ------------------------------------------------------------------------------
def test_the_table_is_long_enough_and_names_are_unique():
    assert len(HOSTILE) >= 150
    names = [name for name, *_ in HOSTILE + HARMLESS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(("name", "dirty", "expected"), HOSTILE, ids=[n for n, *_ in HOSTILE])
def test_hostile_input(name, dirty, expected):
    result = clean_body_html(dirty, site_host=SITE_HOST)
    assert result.html == expected
    assert violations(result.html) == []


@pytest.mark.parametrize(("name", "clean"), HARMLESS, ids=[n for n, _ in HARMLESS])
def test_harmless_german_content_survives_byte_for_byte(name, clean):
    result = clean_body_html(clean, site_host=SITE_HOST)
    assert result.html == clean
    assert result.removals == []


def test_nh3_backend_is_as_strict_and_differs_only_in_entities():
    pytest.importorskip("nh3")
    for name, dirty, expected in HOSTILE + [(n, h, h) for n, h in HARMLESS]:
        result = clean_body_html(dirty, site_host=SITE_HOST, backend="nh3")
        assert violations(result.html) == [], name
        assert html.unescape(result.html) == html.unescape(expected), name


# --- properties -----------------------------------------------------------------------------
TAGS = ["p", "a", "img", "script", "style", "iframe", "svg", "math", "div", "span", "h1", "li",
        "ol", "sup", "table", "td", "object", "embed", "form", "input", "button", "base", "meta",
        "link", "template", "noscript", "textarea", "title", "xmp", "select", "video", "source",
        "mglyph", "mtext", "b", "abbr", "br", "noembed", "image", "details"]
ATTRIBUTES = ["href", "src", "onerror", "onclick", "style", "id", "class", "rel", "target",
              "title", "alt", "width", "data", "xlink:href", "srcdoc", "formaction", "start"]
URLS = ["javascript:alert(1)", "JaVaScRiPt:x", "java\tscript:x", "&#106;avascript:x",
        "&#x6A;avascript:x", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x",
        "https://evil.example/x.png", "//evil.example/x", "https:evil.example/p",
        "/\\evil.example/p", "/bilder/x.jpg", "{static}/bilder/x.jpg", "#fn:1", "fn:1",
        "fnref:2", "mailto:a@b.de", "tel:+4930", "  javascript:x", "\x01javascript:x",
        "javascript&colon;x", "javascript%3Ax", "`javascript:x`", f"https://{SITE_HOST}/bilder/a.jpg",
        "footnote footnote-ref", "text-align: left;", "nofollow ugc noopener noreferrer", "1"]
TEXT = st.sampled_from([
    "Grüße", "„Zitat“", " – ", "Ärger & Öl", "<", ">", "&", "&amp;", "&lt;script&gt;", "&#60;",
    "&foo;", "&#0;", '"', "'", "ß€", "\x00", "\u202e", "<!--", "-->", "]]>", "<![CDATA[", "<?",
    "<![", "`", "=", "/", " ", "\n", "x",
]) | st.text(max_size=4)


def render_attribute(name: str, value: str, quote: str) -> str:
    if not quote:
        value = value.replace(" ", "").replace(">", "")
    return f" {name}={quote}{value}{quote}"


@st.composite
def start_tags(draw) -> str:
    tag = draw(st.sampled_from(TAGS))
    tag = tag.upper() if draw(st.booleans()) else tag
    attributes = draw(st.lists(st.tuples(st.sampled_from(ATTRIBUTES),
                                         st.sampled_from(URLS) | TEXT,
                                         st.sampled_from(['"', "'", ""])), max_size=3))
    end = draw(st.sampled_from([">", "/>", " >", ""]))
    return f"<{tag}{''.join(render_attribute(*a) for a in attributes)}{end}"


HTMLISH = st.lists(start_tags() | st.sampled_from(TAGS).map(lambda t: f"</{t}>") | TEXT,
                   max_size=25).map("".join)
FAST = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))


@FAST
@given(HTMLISH)
def test_body_cleaning_lets_nothing_outside_the_allowlist_through_and_is_idempotent(dirty):
    once = clean_body_html(dirty, site_host=SITE_HOST)
    assert violations(once.html) == []
    twice = clean_body_html(once.html, site_host=SITE_HOST)
    assert twice.html == once.html
    assert twice.removals == []


@FAST
@given(HTMLISH)
def test_summary_cleaning_lets_nothing_outside_its_allowlist_through_and_is_idempotent(dirty):
    once = clean_summary_html(dirty, site_host=SITE_HOST)
    assert violations(once, SUMMARY) == []
    assert clean_summary_html(once, site_host=SITE_HOST) == once


@pytest.mark.skipif(importlib.util.find_spec("nh3") is None, reason="nh3 is optional")
@FAST
@given(HTMLISH)
def test_nh3_backend_has_the_same_properties(dirty):
    once = clean_body_html(dirty, site_host=SITE_HOST, backend="nh3")
    assert violations(once.html) == []
    assert clean_body_html(once.html, site_host=SITE_HOST, backend="nh3").html == once.html


@FAST
@given(HTMLISH, st.integers(min_value=5, max_value=200))
def test_clean_text_is_plain_short_and_idempotent(dirty, max_length):
    text = clean_text(dirty, max_length)
    assert len(text) <= max_length
    assert clean_text(text, max_length) == text
    assert text == " ".join(text.split())
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text)
    assert not TAG_START.search(text)


# --- removal reports ------------------------------------------------------------------------
@pytest.mark.parametrize(("dirty", "expected"), [
    ('<iframe src="https://video.example/x"></iframe>',
     "<iframe> durch einen Link ersetzt – externe Inhalte werden nicht eingebunden"),
    ("<script>alert(1)</script>", "<script> entfernt – Skripte sind in Beiträgen nicht erlaubt"),
    ('<p onclick="x()">a</p>', "Attribut onclick entfernt – Skripte sind in Beiträgen nicht "
                               "erlaubt"),
    ('<a href="javascript:x">a</a>', "Linkziel mit „javascript:“ entfernt – nur Links mit http, "
                                     "https, mailto oder tel sind erlaubt"),
    ('<img src="data:image/png;base64,AA" alt="x">',
     "<img> entfernt – eingebettete Bilddaten (data:) sind nicht erlaubt"),
    ('<img src="https://cdn.example/a.jpg" alt="x">',
     "<img> durch einen Link ersetzt – Bilder von fremden Servern werden nicht geladen "
     "(Datenschutz der Lesenden)"),
    ("<!-- intern -->", "HTML-Kommentar entfernt – Kommentare werden nicht veröffentlicht"),
    ('<span style="color:red">x</span>', "<span> entfernt – dieses HTML-Element ist in "
                                         "Beiträgen nicht erlaubt, der Text bleibt erhalten"),
    ('<p id="inhalt">x</p>', "Attribut id entfernt – eigene Sprungmarken könnten die Seite "
                             "stören"),
])
def test_each_removal_is_explained_in_german(dirty, expected):
    removals = clean_body_html(dirty).removals
    assert expected in [str(removal) for removal in removals]


def test_removals_carry_needles_to_find_their_line():
    removals = clean_body_html('<img src="https://cdn.example/a.jpg"><p onclick="x">a</p>').removals
    assert removals[0].needles[0] == "https://cdn.example/a.jpg"
    assert removals[1].needles[0] == "onclick"


def test_markdown_table_alignment_is_dropped_without_a_report():
    result = clean_body_html('<table><tr><td style="text-align: right;">1</td></tr></table>')
    assert "style" not in result.html and result.removals == []


def test_source_prefixes_the_messages():
    result = clean_body_html("<script>x</script>", source="content/gruppen/gruppen.csv")
    assert result.messages() == ["content/gruppen/gruppen.csv: <script> entfernt – Skripte "
                                 "sind in Beiträgen nicht erlaubt"]


def test_external_links_get_rel_but_own_and_relative_links_do_not():
    assert EXTERNAL in clean_body_html('<a href="https://example.org">x</a>',
                                       site_host=SITE_HOST).html
    for url in (f"https://{SITE_HOST}/kontakt/", "/kontakt/", "#oben", "mailto:a@b.de"):
        assert "rel=" not in clean_body_html(f'<a href="{url}">x</a>', site_host=SITE_HOST).html
    # Without a SITEURL (preview) every absolute link is external.
    assert EXTERNAL in clean_body_html(f'<a href="https://{SITE_HOST}/">x</a>').html


# --- summaries and plain text ---------------------------------------------------------------
@pytest.mark.parametrize(("dirty", "expected"), [
    ("<p>Ein Text über <b>Grenzen</b> und „Mut“.</p>", "<p>Ein Text über Grenzen und „Mut“.</p>"),
    ("<p><em>Kurz</em> &amp; <strong>gut</strong><br><code>x</code></p>",
     "<p><em>Kurz</em> &amp; <strong>gut</strong><br><code>x</code></p>"),
    ('<p><a href="javascript:alert(1)">Klick</a></p>', "<p><a>Klick</a></p>"),
    ('<p><a href="https://example.org">Mehr</a></p>',
     f'<p><a href="https://example.org" {EXTERNAL}>Mehr</a></p>'),
    ('<p><img src="https://t.example/p.gif">Danke</p>', "<p>Danke</p>"),
    ("<h2>Titel</h2><ul><li>eins</li></ul>", "Titeleins"),
    ('<p><abbr title="Selbsthilfe">SH</abbr></p>', '<p><abbr title="Selbsthilfe">SH</abbr></p>'),
    ("<script>alert(1)</script><p>Text</p>", "<p>Text</p>"),
])
def test_summary_allowlist(dirty, expected):
    assert clean_summary_html(dirty) == expected


def test_summary_removals_are_reported():
    result = sanitize_summary('<p><img src="x.png"> und <iframe src="https://v.example"></iframe></p>')
    assert [str(r) for r in result.removals] == [
        "<img> entfernt – Bilder sind in der Kurzfassung nicht erlaubt",
        "<iframe> entfernt – externe Inhalte werden nicht eingebunden",
    ]


@pytest.mark.parametrize(("dirty", "max_length", "expected"), [
    ('Wir sagen <b>"Nein"</b> & meinen es </script><script>alert(1)</script>', 200,
     'Wir sagen "Nein" & meinen es'),
    ("Ärger &amp; Öl – „Zitat“", 100, "Ärger & Öl – „Zitat“"),
    ("&lt;img src=x onerror=alert(1)&gt;Titel", 100, "Titel"),
    ("A &amp;amp; B", 100, "A & B"),
    ("5 < 6 und 7 > 3", 100, "5 < 6 und 7 > 3"),
    ("  viel\t\n  Raum\u00a0 hier ", 100, "viel Raum hier"),
    ("Steuer\x00zeichen\x1b[31m und \u202eumgedreht", 100, "Steuerzeichen[31m und umgedreht"),
    ("<svg onload=alert(1)>Eva</svg>", 100, ""),
    ("<i>Kim</i>", 100, "Kim"),
    ("Ein sehr langer Titel über die Gruppe", 20, "Ein sehr langer…"),
    ("Donaudampfschifffahrtsgesellschaft", 10, "Donaudamp…"),
    ("Zeile<br>zwei", 100, "Zeile zwei"),
])
def test_clean_text(dirty, max_length, expected):
    assert clean_text(dirty, max_length) == expected


def test_clean_text_accepts_non_strings():
    assert clean_text(Tag("<b>Mut</b>", {}), 100) == "Mut"


# --- URLs -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "scheme"), [
    ("https://example.org", "https"), ("  JavaScript:x", "javascript"), ("java\tscript:x",
                                                                          "javascript"),
    ("&#106;avascript:x", "javascript"), ("javascript%3Ax", "javascript"), ("/bilder/x", None),
    ("{static}/x", None), ("#fn:1", None), ("\x01data:text/html,x", "data"), ("tel:+49", "tel"),
    ("`javascript:x`", "javascript"),
])
def test_url_scheme_is_judged_after_decoding(url, scheme):
    assert url_scheme(url) == scheme
    assert is_allowed_url(url) == (scheme in (None, "http", "https", "mailto", "tel"))


@pytest.mark.parametrize(("url", "host"), [
    ("https://Example.org/x", "example.org"), ("//cdn.example/x", "cdn.example"),
    ("https:cdn.example/x", "cdn.example"), ("/\\cdn.example/x", "cdn.example"),
    ("https://user@evil.example:8080/", "evil.example"), ("/kontakt/", None),
    ("mailto:a@b.de", None), ("{static}/bilder/a.jpg", None),
])
def test_url_host(url, host):
    assert url_host(url) == host
    assert is_external(url, "www.example.org") == (host is not None)


@pytest.mark.parametrize(("src", "own"), [
    ("{static}/bilder/a.jpg", True), ("{attach}a.jpg", True), ("|static|/bilder/a.jpg", True),
    ("/bilder/a.jpg", True), ("bilder/a.jpg", True), ("../../bilder/a.jpg", True),
    (f"https://{SITE_HOST}/bilder/a.jpg", True), (f"https://{SITE_HOST}/theme/a.png", False),
    ("/bilder/../theme/a.png", False), ("/bilder", False), ("/theme/a.png", False),
    ("https://cdn.example/bilder/a.jpg", False), ("//cdn.example/bilder/a.jpg", False),
    ("data:image/png;base64,AA", False), ("javascript:alert(1)", False),
    ("{filename}/beitraege/x.md", False),
])
def test_own_images(src, own):
    assert is_own_image(src, SITE_HOST, ("bilder",)) is own


# --- trust and path escapes -----------------------------------------------------------------
@pytest.fixture
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    for folder in ("seiten", "beitraege", "bilder"):
        (root / folder).mkdir(parents=True)
    (root / "seiten" / "a.md").write_text("Title: A\n")
    (root / "beitraege" / "b.md").write_text("Title: B\n")
    return root


def test_trust_comes_from_the_resolved_path_only(content, tmp_path):
    assert is_trusted(content / "seiten" / "a.md", content, ["seiten"])
    assert not is_trusted(content / "beitraege" / "b.md", content, ["seiten"])
    assert not is_trusted(content / "beitraege" / ".." / "beitraege" / "b.md", content, ["seiten"])
    assert is_trusted(content / "beitraege" / ".." / "seiten" / "a.md", content, ["seiten"])
    # A link in the trusted folder pointing at a contributed post stays untrusted.
    os.symlink(content / "beitraege" / "b.md", content / "seiten" / "link.md")
    assert not is_trusted(content / "seiten" / "link.md", content, ["seiten"])
    # A trusted folder that is all of content/ or outside it trusts nothing.
    assert not is_trusted(content / "beitraege" / "b.md", content, ["."])
    assert not is_trusted(content / "beitraege" / "b.md", content, ["../content/beitraege/.."])
    outside = tmp_path / "outside.md"
    outside.write_text("x")
    assert not is_trusted(outside, content, ["seiten", ".."])


@pytest.mark.parametrize("target", [
    "{static}/../../etc/passwd", "{static}../../../etc/passwd", "{attach}/../secret.txt",
    "{filename}/../../x.md", "{static}/%2e%2e/%2e%2e/etc/passwd", "{static}/%252e%252e/x",
    "{static}/&#46;&#46;/x", "{static}/..\\..\\x", "|static|/../x", "{static}//etc/passwd",
    "{static}/bilder/../../x",
])
def test_path_escapes_are_replaced_by_a_hash(content, target):
    html_in = f'<p><a href="{target}">x</a> <img src="{target}" alt="y"></p>'
    cleaned, escapes = neutralise_path_escapes(html_in, "beitraege", content)
    assert cleaned == '<p><a href="#">x</a> <img src="#" alt="y"></p>'
    assert len(escapes) == 2 and escapes[0].written == target


@pytest.mark.parametrize("target", [
    "{static}/bilder/a.jpg", "{filename}../seiten/a.md", "{filename}/seiten/a.md",
    "{attach}b.jpg", "{static}/bilder/a.jpg?x=1#y", "{tag}sucht", "{category}../../x",
])
def test_targets_inside_content_are_kept(content, target):
    html_in = f'<a href="{target}">x</a>'
    assert neutralise_path_escapes(html_in, "beitraege", content) == (html_in, [])


def test_path_escape_message_is_german(content):
    _, escapes = neutralise_path_escapes('<a href="{static}/../x">x</a>', "beitraege", content)
    assert escapes[0].message().startswith("Verweis „{static}/../x“ zeigt aus dem Inhaltsordner")


# --- metadata -------------------------------------------------------------------------------
SETTINGS = {name: getattr(pelicanconf, name) for name in (
    "SLUG_REGEX_SUBSTITUTIONS", "TAG_REGEX_SUBSTITUTIONS", "AUTHOR_REGEX_SUBSTITUTIONS",
    "CATEGORY_REGEX_SUBSTITUTIONS", "SLUGIFY_USE_UNICODE")}
RULES = MetadataRules(allowed_keys=frozenset(DEFAULTS["POST_SANITIZER_ALLOWED_METADATA"]),
                      site_host=SITE_HOST)


def make_wrapper(kind: str, name: str):
    return (Author if kind == "author" else Category)(name, SETTINGS)


def test_metadata_allowlist_and_plain_text():
    metadata = {
        "title": 'Wir <b>"Nein"</b>', "save_as": "index.html", "template": "page",
        "url": "x.html", "slug": "index", "lang": "en", "status": "hidden",
        "tags": [Tag("<b>Mut</b>", SETTINGS), Tag("<script>x</script>", SETTINGS),
                 Tag("!!!", SETTINGS)],
        "author": Author("<svg onload=alert(1)>", SETTINGS),
        "category": Category("<img src=x onerror=alert(1)>", SETTINGS),
        "inhaltshinweis": ["<u>Gewalt</u>", "Sucht"], "gruppe": "<i>lichtblick</i>",
        "summary": '<p>Kurz <a href="javascript:x">Klick</a></p>', "image": "https://t.example/a.png",
        "reader": "markdown",
    }
    file_keys = [k for k in metadata if k != "reader"]
    notes = sanitize_metadata(metadata, file_keys, RULES, make_wrapper)
    assert metadata["title"] == 'Wir "Nein"'
    assert metadata["status"] == "draft"
    assert [t.name for t in metadata["tags"]] == ["Mut"]
    assert metadata["author"].name == "Anonym"
    assert metadata["category"].name == "Allgemein"
    assert metadata["inhaltshinweis"] == "Gewalt, Sucht"
    assert metadata["gruppe"] == "lichtblick"
    assert metadata["summary"] == "<p>Kurz <a>Klick</a></p>"
    assert metadata["reader"] == "markdown"  # set by Pelican, not by the file
    for key in ("save_as", "template", "url", "slug", "lang", "image"):
        assert key not in metadata
    messages = {note.key: note.message for note in notes}
    assert messages["slug"] == ("Angabe „Slug:“ entfernt – die Adresse eines Beitrags ergibt "
                                "sich aus dem Dateinamen")
    assert messages["status"].startswith("Status „hidden“ nicht erlaubt")
    assert all(note.problem for note in notes if note.key in ("save_as", "slug", "status"))


def test_valid_metadata_is_left_alone():
    metadata = {"title": "Mein erstes Treffen", "status": "Published",
                "tags": [Tag("Sucht", SETTINGS)], "authors": [Author("Franky", SETTINGS)],
                "category": Category("Erfahrungsberichte", SETTINGS),
                "image": "{static}/bilder/a.jpg"}
    assert sanitize_metadata(metadata, list(metadata), RULES, make_wrapper) == []
    assert metadata["status"] == "published" and metadata["image"] == "{static}/bilder/a.jpg"


def test_long_title_is_cut_and_reported():
    metadata = {"title": "Wort " * 60}
    notes = sanitize_metadata(metadata, ["title"], RULES)
    assert len(metadata["title"]) <= 200 and metadata["title"].endswith("…")
    assert notes[0].message == "Titel: auf 200 Zeichen gekürzt"


# --- reports, cache, checks, errors, backend ------------------------------------------------
SOURCE = """Title: Test
Date: 2026-01-01
Summary: kurz

Erste Zeile.
<iframe src="a"></iframe>
Mitte
<IFRAME src="b"></iframe>
"""


def test_lines_are_found_in_order_with_the_first_body_line_as_fallback():
    assert header_lines(SOURCE) == 3
    assert first_body_line(SOURCE) == 5
    assert metadata_line(SOURCE, "summary") == 3 and metadata_line(SOURCE, "slug") is None
    finder = LineFinder(SOURCE)
    assert [finder.line_for(["<iframe"]) for _ in range(3)] == [6, 8, 8]
    assert finder.line_for(["nirgends", ""]) == 5


def test_yaml_style_metadata_block():
    text = "---\ntitle: X\ndate: 2026-01-01\n---\n\nText\n"
    assert header_lines(text) == 4 and first_body_line(text) == 6


def test_cache_round_trip_and_pruning(tmp_path):
    cache = ResultCache(tmp_path)
    key = cache_key("<p>x</p>", "fp")
    assert cache_key("<p>x</p>", "other") != key
    assert cache.get(key) is None
    result = CleanResult("<p>x</p>", [Removal("<script>", "Grund", "entfernt", ("<script",))])
    cache.put(key, result)
    assert cache.get(key) == result
    assert (tmp_path / "entries.sqlite").is_file()
    old = time.time() - 40 * 86400

    def unused_since_40_days() -> ResultCache:
        later = ResultCache(tmp_path)  # a later build, which has not used the entry
        later.entries.remember_use([key], at=old)
        return later

    assert cache.prune(30) == 0, "written in this build: recorded as used now"
    (tmp_path / "zuletzt-aufgeraeumt").unlink()
    later = unused_since_40_days()
    assert later.prune(30) == 1 and later.get(key) is None
    assert ResultCache(None).get(key) is None
    later.put(key, result)
    again = unused_since_40_days()
    assert again.prune(30) == 0, "pruned again on the same day"
    marker = tmp_path / "zuletzt-aufgeraeumt"
    os.utime(marker, (old, old))
    assert again.prune(30) == 1 and again.get(key) is None


def test_an_entry_read_in_a_build_is_kept_by_pruning_and_the_old_layout_goes(tmp_path):
    key = cache_key("<p>x</p>", "fp")
    result = CleanResult("<p>x</p>", [])
    ResultCache(tmp_path).put(key, result)
    ResultCache(tmp_path).entries.remember_use([key], at=time.time() - 40 * 86400)
    old_layout = tmp_path / "ab" / ("ab" + "0" * 62 + ".json")
    old_layout.parent.mkdir()
    old_layout.write_text('{"format": 1, "html": "", "removals": []}', encoding="utf-8")
    later = ResultCache(tmp_path)  # a later build reads the entry, unused for 40 days
    assert later.get(key) == result and (later.hits, later.misses) == (1, 0)
    assert later.prune(30) == 0  # read in this build: kept
    assert ResultCache(tmp_path).get(key) == result
    assert not old_layout.parent.exists()


def test_an_unreadable_entry_counts_as_a_miss(tmp_path):
    cache = ResultCache(tmp_path)
    cache.entries.put("kaputt", b"kein JSON")
    assert cache.get("kaputt") is None and (cache.hits, cache.misses) == (0, 1)


def test_fingerprint_changes_with_backend_and_host():
    assert policy_fingerprint("bleach", "a") != policy_fingerprint("bleach", "b")
    assert policy_fingerprint("bleach", "a") != policy_fingerprint("nh3", "a")


def test_fingerprint_follows_the_plugin_code(tmp_path, monkeypatch):
    from post_sanitizer import policy

    before, same, after = source_copies(Path(policy.__file__).parent, tmp_path, "rewrite.py")
    assert policy.code_version(before) == policy.code_version(same)
    assert policy.code_version(before) != policy.code_version(after)

    current = policy_fingerprint("bleach", "a")
    policy_fingerprint.cache_clear()
    changed = policy.code_version(after)
    monkeypatch.setattr(policy, "code_version", lambda: changed)
    try:
        assert policy_fingerprint("bleach", "a") != current
    finally:
        policy_fingerprint.cache_clear()


def test_forbidden_markdown_extensions_are_found_in_any_spelling():
    class AttrListExtension:
        pass

    AttrListExtension.__module__ = "markdown.extensions.attr_list"
    forbidden = DEFAULTS["POST_SANITIZER_FORBIDDEN_MARKDOWN_EXTENSIONS"]
    settings_in = {"extension_configs": {"markdown.extensions.extra": {},
                                         "markdown.extensions.tables": {}},
                   "extensions": ["md_in_html", "pymdownx.snippets:SnippetsExtension",
                                  AttrListExtension()]}
    assert forbidden_extensions(settings_in, forbidden) == [
        "extra", "md_in_html", "pymdownx.snippets", "attr_list"]
    assert forbidden_extensions(pelicanconf.MARKDOWN, forbidden) == []


def test_duplicate_outputs():
    outputs = [Output("a/index.html", "content/seiten/a.md"),
               Output("./a//index.html", "content/seiten/b.md"),
               Output("", "content/beitraege/entwurf.md"), Output("", "content/x.md"),
               Output("index.html", "Pelicans Seite „index“", is_content=False),
               Output("index.html", "content/seiten/c.md"),
               Output("t.html", "Pelican 1", is_content=False),
               Output("t.html", "Pelican 2", is_content=False)]
    pairs = duplicate_outputs(outputs)
    assert [(a.source, b.source) for a, b in pairs] == [
        ("content/seiten/a.md", "content/seiten/b.md"),
        ("Pelicans Seite „index“", "content/seiten/c.md")]


def test_errors_name_file_and_line():
    assert str(PathEscapeError("content/b.md", 7, "Verweis …")) == "content/b.md:7: Verweis …"
    error = DuplicateOutputError("content/a.md", None, "doppelt", "content/b.md")
    assert str(error) == "content/a.md: doppelt" and error.other_path == "content/b.md"
    assert isinstance(error, SanitizeError)


def test_backend_cleaner_is_reusable_and_unknown_backends_are_refused():
    cleaner = BleachCleaner(allowlist(BODY, "", ("bilder",)))
    assert cleaner.clean("<p onclick=x>a</p>") == "<p>a</p>"
    assert cleaner.clean("<em>b</em><script>x</script>") == "<em>b</em>x"  # the 2nd gate only
    with pytest.raises(SanitizeError, match="unbekannter Wert"):
        make_cleaner("html-purifier", allowlist(BODY, "", ("bilder",)))
