"""Unit tests of offline_search: the synonym list, German word splitting and expansion, which
pages are indexed, the search page's CSP, the Pagefind client (with the real program) and the
plugin's sending of pages while the site is written."""

from __future__ import annotations

import gc
import gzip
import json
import os
import re
import shutil
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from offline_search import csp, indexer, plugin, selection, service, shards, synonyms
from offline_search.defaults import DEFAULTS
from offline_search.service import PagefindService, ServiceError, find_executable
from offline_search.words import Expander, Vocabulary, forms, tokens
from sitetools import written_page

SOURCE = "content/gruppen/synonyme.csv"


def read_bytes(data: bytes) -> synonyms.SynonymList:
    return synonyms.parse(synonyms.decode(data), SOURCE)


def pairs(result: synonyms.SynonymList) -> list[tuple[str, str]]:
    return [(s.word, s.term) for s in result.synonyms]


# --- The synonym list ------------------------------------------------------------------------

def test_reads_semicolon_csv_with_bom_and_crlf():
    data = "\ufeffSuchwort;Begriff\r\nTrinken;Alkohol\r\nSaufen ; Alkohol \r\n".encode()
    result = read_bytes(data)
    assert result.problems == ()
    assert pairs(result) == [("Trinken", "Alkohol"), ("Saufen", "Alkohol")]


def test_reads_comma_csv_with_quoted_cells_and_several_words_per_cell():
    data = ('Suchwort,Begriff\n"Magersucht, Bulimie",Essstörungen\n'
            'Burn-out,"Burnout, Erschöpfung"\n').encode()
    assert pairs(read_bytes(data)) == [
        ("Magersucht", "Essstörungen"), ("Bulimie", "Essstörungen"),
        ("Burn-out", "Burnout"), ("Burn-out", "Erschöpfung")]


def test_reads_windows_1252_tabs_header_spelling_and_column_order():
    data = "BEGRIFF\tSuchwörter \nÜbergewicht\tFettleibigkeit\n".encode("cp1252")
    assert pairs(read_bytes(data)) == [("Fettleibigkeit", "Übergewicht")]


def test_blank_lines_and_extra_columns_are_ignored():
    data = b"\n\nSuchwort;Begriff;Notiz\n\nTrinken;Alkohol;von Frau K.\n;;\n"
    result = read_bytes(data)
    assert result.problems == () and pairs(result) == [("Trinken", "Alkohol")]


def test_problems_name_file_and_line_and_all_are_reported():
    data = ('Suchwort;Begriff\nTrinken;Alkohol\n"Zwei\nZeilen";\n;Sucht\n'
            f"{'x' * 70};Sucht\n1234;Sucht\nSaufen;Alkohol\n").encode()
    result = read_bytes(data)
    assert result.problems == (
        f"{SOURCE}:3: Spalte „Begriff“ ist leer. Jede Zeile braucht ein Suchwort und einen "
        "Begriff, z. B. „Trinken;Alkohol“.",
        f"{SOURCE}:5: Spalte „Suchwort“ ist leer. Jede Zeile braucht ein Suchwort und einen "
        "Begriff, z. B. „Trinken;Alkohol“.",
        f"{SOURCE}:6: „{'x' * 60}…“ ist zu lang (höchstens 60 Zeichen).",
        f"{SOURCE}:7: „1234“ enthält kein Wort.",
    )
    assert pairs(result) == [("Trinken", "Alkohol"), ("Saufen", "Alkohol")]


def test_missing_header_is_one_clear_problem():
    result = read_bytes(b"Trinken;Alkohol\nSaufen;Alkohol\n")
    assert result.synonyms == ()
    assert result.problems[0].startswith(f"{SOURCE}:1: Die erste Zeile muss die "
                                         "Spaltenüberschriften „Suchwort“ und „Begriff“")


def test_missing_file_is_an_empty_list(tmp_path):
    assert synonyms.read(tmp_path / "fehlt.csv", SOURCE) == synonyms.SynonymList((), ())


def test_the_projects_list_is_valid_and_maps_lay_words_to_topics():
    result = synonyms.read(Path(__file__).parents[1] / SOURCE, SOURCE)
    assert result.problems == ()
    found = dict(pairs(result))
    assert len(result.synonyms) >= 30
    assert found["Trinken"] == "Alkohol" and found["Saufen"] == "Alkohol"
    assert found["Magersucht"] == "Essstörungen" and found["Spielsucht"] == "Glücksspiel"
    assert found["Burn-out"] == "Burnout"


# --- Words: splitting and expansion ----------------------------------------------------------

VOCABULARY = Vocabulary.of(["Sucht", "Alkohol", "Spiel", "Glücksspiel", "Spielsucht", "Gruppe",
                            "Depression", "Psychische Gesundheit", "Angehörige", "Trauer"])


@pytest.mark.parametrize("word, parts", [
    ("alkoholsucht", ("alkohol", "sucht")),
    ("spielsucht", ("spiel", "sucht")),  # a known word itself, still split into its parts
    ("glücksspielsucht", ("glücksspiel", "sucht")),  # the fewest parts win
    ("depressionsgruppe", ("depression", "gruppe")),  # linking -s-
    ("angehörigengruppen", ("angehörige", "gruppe")),  # linking -n-, plural ending
    ("alkoholiker", ("alkohol",)),  # a known head of 5+ letters, 4+ letters after it
    ("alkoholsuchtberatung", ("alkohol", "sucht")),
    ("trauerfeier", ("trauer",)),
])
def test_compound_words_split_into_known_words(word, parts):
    assert VOCABULARY.split(word) == parts


@pytest.mark.parametrize("word", [
    "untersucht", "besucht", "versucht", "sehnsucht",  # end in "sucht", start unknown
    "alkohol", "sucht", "gruppen",  # known words (or forms) are not compounds
    "suchtest", "trauern",  # too little after the head
])
def test_words_that_must_not_split(word):
    assert VOCABULARY.split(word) == ()


def test_forms_cover_endings_and_linking_elements():
    assert {"essstörung", "essstörungen", "essstörungens"} <= forms("essstörungen")
    assert "trau" not in forms("trauer")  # never strip to a stub


def test_tokens_are_lower_case_and_split_at_hyphens_and_digits():
    assert tokens("Typ-1-Diabetes, STRASSE und Straße") == ["typ", "diabetes", "strasse",
                                                            "und", "straße"]


EXPANDER = Expander.build(
    [("Trinken", "Alkohol"), ("Saufen", "Alkohol"), ("Magersucht", "Essstörungen"),
     ("Abhängigkeit", "Sucht"), ("Seelische Gesundheit", "Psychische Gesundheit")],
    ["Sucht", "Alkohol", "Spiel"])


def test_a_page_with_the_term_gets_the_lay_words():
    assert EXPANDER.extra_words("Die Gruppe hilft bei Problemen mit Alkohol.") == [
        "Saufen", "Trinken"]


def test_lay_words_already_on_the_page_are_not_added_again():
    assert EXPANDER.extra_words("Alkohol und Saufen") == ["Trinken"]


def test_compound_words_add_their_parts_and_the_parts_lay_words():
    assert EXPANDER.extra_words("Mein Weg aus der Alkoholsucht") == [
        "Alkohol", "Sucht", "Abhängigkeit", "Saufen", "Trinken"]


def test_inflected_nouns_match_but_verbs_that_look_alike_do_not():
    assert EXPANDER.extra_words("Hilfe bei einer Essstörung") == ["Magersucht"]
    assert EXPANDER.extra_words("Er suchte lange nach Worten.") == []  # not "Sucht"


def test_multi_word_terms_match_as_a_phrase():
    assert EXPANDER.extra_words("Alles über psychische Gesundheit.") == ["Seelische Gesundheit"]
    assert EXPANDER.extra_words("Psychische Belastung und Gesundheit") == []


def test_extra_words_are_capped():
    many = Expander.build([(f"Wort{chr(97 + i)}x", "Alkohol") for i in range(20)], [], limit=5)
    assert len(many.extra_words("Alkohol")) == 5


def test_vocabulary_for_the_browser_is_what_search_js_needs():
    data = VOCABULARY.for_browser()
    assert data["words"] == sorted(data["words"]) and "alkohol" in data["words"]
    assert "gesundheit" in data["words"] and "psychische gesundheit" not in data["words"]
    assert {"endings", "minPart", "minCompound", "minHead", "minTail", "minStripped"} <= set(data)


# --- Which pages are indexed -----------------------------------------------------------------

def post(slug, status="published", **extra):
    return SimpleNamespace(save_as=f"beitraege/{slug}/index.html", url=f"beitraege/{slug}/",
                           status=status, title=slug.title(), tags=["Sucht"], summary="<p>S</p>",
                           _content="<p>Text &amp; mehr</p>", date=datetime(2026, 3, 14), **extra)


def page(slug, status="published"):
    return SimpleNamespace(save_as=f"{slug}/index.html", url=f"{slug}/", status=status,
                           title=slug.title(), _content="<p>Seite</p>")


def group(slug, listed=True):
    return SimpleNamespace(
        save_as=f"gruppen/{slug}/index.html", url=f"gruppen/{slug}/", is_listed=listed,
        name=slug.title(), topics=(SimpleNamespace(name="Sucht"), SimpleNamespace(name="Alkohol")),
        place=SimpleNamespace(name="Beispielstadt"), district=SimpleNamespace(name="Altstadt"),
        form="Präsenz", status="in Gründung", venue="Saal", schedule_hint="",
        audience="Angehörige", languages=("Deutsch", "Englisch"),
        description_text="Wir trinken Tee.")


def test_only_published_posts_pages_and_listed_groups_are_indexed():
    chosen = selection.select(
        [post("neu"), post("entwurf", "draft"), post("versteckt", "hidden"), post("neu")],
        [page("kontakt"), page("geheim", "hidden"), page("entwurf", "draft")],
        [group("aktiv"), group("beendet", listed=False)])
    assert [(d.kind, d.url) for d in chosen] == [
        ("Beitrag", "beitraege/neu/"), ("Seite", "kontakt/"), ("Gruppe", "gruppen/aktiv/")]


def test_pages_without_a_file_are_not_indexed():
    unsaved = page("nirgends")
    unsaved.save_as = ""
    assert selection.select([], [unsaved], []) == []


def test_documents_carry_plain_text_dates_and_group_facets():
    article, club = selection.select([post("neu")], [], [group("aktiv")])
    assert article.text == "Neu Sucht  S   Text & mehr "
    assert article.all_filters == (("art", ("Beitrag",)),)
    assert article.all_meta == (("art", "Beitrag"), ("datum", "14. März 2026"))
    assert club.text == "Aktiv Sucht Alkohol Beispielstadt, Altstadt Saal Wir trinken Tee."
    assert club.all_filters == (("art", ("Gruppe",)), ("thema", ("Sucht", "Alkohol")),
                                ("ort", ("Beispielstadt",)), ("form", ("Präsenz",)),
                                ("status", ("in Gründung",)))
    assert dict(club.all_meta) == {"art": "Gruppe", "themen": "Sucht, Alkohol",
                                   "ort": "Beispielstadt, Altstadt", "form": "Präsenz",
                                   "status": "in Gründung"}
    assert club.facts == ("Sucht, Alkohol", "Beispielstadt, Altstadt", "Präsenz", "Saal",
                          "Angehörige", "Deutsch, Englisch")
    german_only = group("x")
    german_only.languages, german_only.audience, german_only.venue = ("Deutsch",), None, ""
    assert selection.group_document(german_only).facts == (
        "Sucht, Alkohol", "Beispielstadt, Altstadt", "Präsenz")


# --- The search page's CSP -------------------------------------------------------------------

SITE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            "object-src 'none'")


def test_wasm_is_added_to_script_src_only():
    assert csp.with_wasm(SITE_CSP) == (
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
        "connect-src 'self'; object-src 'none'")
    assert csp.with_wasm(csp.with_wasm(SITE_CSP)) == csp.with_wasm(SITE_CSP)


def test_without_script_src_a_copy_of_default_src_gets_it():
    assert csp.with_wasm("default-src 'self'; img-src 'self'") == (
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self'")
    assert csp.with_wasm("img-src 'self'") == "img-src 'self'"  # scripts are unrestricted


# --- Preparing pages for Pagefind ------------------------------------------------------------

def test_filters_meta_and_extra_words_go_before_body_end_escaped():
    document = selection.Document("a/index.html", "a/", "Gruppe", "",
                                  filters=(("thema", ("Sucht", 'A"&B')),),
                                  meta=(("ort", "Am See, Nord"), ("leer", "")),
                                  facts=("Sucht, A&B", "Am See"))
    html = indexer.prepare_html("<body><main data-pagefind-body>x</main></body>", document,
                                ["Trinken", "<b>&"], slim=False)
    assert html == (
        '<body><main data-pagefind-body>x</main>'
        '<span data-pagefind-filter="art:Gruppe"></span>'
        '<span data-pagefind-filter="thema:Sucht"></span>'
        '<span data-pagefind-filter="thema:A&quot;&amp;B"></span>'
        '<span data-pagefind-meta="art:Gruppe"></span>'
        '<span data-pagefind-meta="ort:Am See, Nord"></span>'
        '<div data-pagefind-body><p>Sucht, A&amp;B. Am See.</p></div>'
        '<span data-pagefind-meta="stichwoerter:Trinken, &lt;b&gt;&amp;"></span>'
        '<div data-pagefind-body data-pagefind-weight="0.5"><p>Trinken, &lt;b&gt;&amp;</p>'
        '</div></body>')


def test_body_marker_is_an_attribute_not_text():
    assert indexer.has_body_marker('<article class="post" data-pagefind-body>')
    assert indexer.has_body_marker('<div data-pagefind-body="">')
    assert not indexer.has_body_marker("<p>Das Attribut data-pagefind-body erklärt</p>")


# A post as the theme writes it (base.html, article.html), with a quoted testimonial that is
# an <article> of its own inside the marked one, a comment and a script that mention
# </article>, and a quoted attribute value with markup in it.
POST_PAGE = """<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="description" content="Wie die Gruppe Lichtblick hilft.">
<title>Mein Weg aus der Alkoholsucht – Selbsthilfe-Kontaktstelle Beispielstadt</title>
<link rel="stylesheet" href="/theme/css/site.css">
<script type="application/ld+json">{"@type": "BlogPosting", "headline": "Mein Weg"}</script>
</head>
<body>
<a class="skip-link" href="#inhalt">Zum Inhalt springen</a>
<header class="site-header">
  <a class="site-name" href="/">Selbsthilfe-Kontaktstelle Beispielstadt</a>
  <p class="crisis-link"><a href="/hilfe-in-krisen/">Hilfe in Krisen</a>: TelefonSeelsorge</p>
  <nav class="main-nav" aria-label="Hauptmenü"><ul><li><a href="/gruppen/">Gruppen finden</a></li>
  <li><a href="/suche/">Suche</a></li></ul></nav>
</header>
<main id="inhalt" class="wrap" tabindex="-1">
<article class="post" data-pagefind-body>
  <header class="post-header">
    <h1>Mein Weg aus der Alkoholsucht</h1>
    <p class="post-meta"><time datetime="2026-03-14">14. März 2026</time> · 3 Minuten Lesezeit</p>
  </header>
  <div class="post-body">
<p>Lange habe ich nicht darüber gesprochen.</p>
<h2 id="erster-abend">Der erste Abend</h2>
<p><img src="/bilder/stuhlkreis.jpg" alt="Ein Stuhlkreis" title="<article> im Titel"></p>
<article class="zitat"><p>„Hier hört mir jemand zu.“</p></article>
<!-- Entwurf: </article> hier nicht schließen -->
<script>document.write("</article>");</script>
<p>Heute treffe ich mich jeden Dienstag mit der Gruppe Lichtblick.</p>
  </div>
  <footer class="post-footer">
    <p class="tags">Schlagwörter: <a href="/schlagwort/sucht/">Sucht</a></p>
  </footer>
</article>
<section class="related" aria-labelledby="aehnliche">
  <h2 id="aehnliche">Ähnliche Beiträge</h2>
  <ul><li><a href="/beitraege/trauer/">Trauer teilen</a></li></ul>
</section>
</main>
<footer class="site-footer">
  <section><h2>Kontakt</h2><p>Lindenstraße 12, 12345 Beispielstadt</p></section>
  <nav aria-label="Rechtliches"><a href="/impressum/">Impressum</a></nav>
</footer>
</body>
</html>
"""
POST_DOCUMENT = selection.Document(
    "beitraege/weg/index.html", "beitraege/weg/", "Beitrag", "Mein Weg aus der Alkoholsucht",
    meta=(("datum", "14. März 2026"),))


def marked_element(page: str) -> str:
    start = page.index("<article class=\"post\"")
    end = page.index("</article>\n<section class=\"related\"") + len("</article>")
    return page[start:end]


def test_pagefind_gets_title_lang_and_the_marked_element_only():
    slim = indexer.prepare_html(POST_PAGE, POST_DOCUMENT, ["Sucht", "Trinken"])
    element = marked_element(POST_PAGE)
    assert slim == (
        '<!DOCTYPE html><html lang="de"><head><title>Mein Weg aus der Alkoholsucht – '
        "Selbsthilfe-Kontaktstelle Beispielstadt</title></head><body>" + element
        + '<span data-pagefind-filter="art:Beitrag"></span>'
        '<span data-pagefind-meta="art:Beitrag"></span>'
        '<span data-pagefind-meta="datum:14. März 2026"></span>'
        '<span data-pagefind-meta="stichwoerter:Sucht, Trinken"></span>'
        '<div data-pagefind-body data-pagefind-weight="0.5"><p>Sucht, Trinken</p></div>'
        "</body></html>")
    # The nested <article>, and everything after it up to the marked one's end, is in it.
    assert "Hier hört mir jemand zu" in slim and "jeden Dienstag" in slim
    assert "Schlagwörter" in slim and 'src="/bilder/stuhlkreis.jpg"' in slim
    for outside in ("Zum Inhalt springen", "Hauptmenü", "Gruppen finden", "TelefonSeelsorge",
                    "Ähnliche Beiträge", "Trauer teilen", "Lindenstraße", "Impressum",
                    "BlogPosting", "Wie die Gruppe Lichtblick hilft"):
        assert outside not in slim, outside


def test_the_marked_element_ends_at_its_own_end_tag():
    page = ('<html lang="de"><head><title>T</title></head><body><nav>Menü</nav>'
            '<section data-pagefind-body><section><h1>Gruppe</h1></section>'
            '<SECTION class="x">Innen</SECTION>Außen</section><footer>Fuß</footer></body></html>')
    assert indexer.slim_page(page) == (
        '<!DOCTYPE html><html lang="de"><head><title>T</title></head><body>'
        '<section data-pagefind-body><section><h1>Gruppe</h1></section>'
        '<SECTION class="x">Innen</SECTION>Außen</section></body></html>')


@pytest.mark.parametrize("change", [
    # Pagefind would read these outside the marked element, so it gets the whole page.
    ("<head>", '<head><meta data-pagefind-meta="bild[content]" content="/a.jpg">'),
    ('<main id="inhalt"', '<main data-pagefind-ignore id="inhalt"'),
    ("</section>\n</main>", '</section><p data-pagefind-filter="ort:Nord"></p>\n</main>'),
    ('<a class="site-name"', '<h1 class="site-name">Kontaktstelle</h1><a class="site-name"'),
    ("<h2>Kontakt</h2>", "<H1>Kontakt</H1>"),
    ("<h2>Kontakt</h2>", '<div data-pagefind-body><p>Noch ein Hauptinhalt</p></div>'),
    # Cannot be sure where the marked element ends.
    ("</article>\n<section", "\n<section"),
    ('<article class="zitat">', '<article class="zitat"><article>'),
])
def test_pages_pagefind_would_read_more_of_are_sent_whole(change):
    old, new = change
    assert old in POST_PAGE
    page = POST_PAGE.replace(old, new)
    assert indexer.slim_page(page) is None
    whole = indexer.prepare_html(page, POST_DOCUMENT, [])
    assert whole.startswith("<!doctype html>") and "Hauptmenü" in whole
    assert whole.endswith('<span data-pagefind-meta="datum:14. März 2026"></span></body>\n'
                          "</html>\n")


def test_an_image_after_the_marked_element_is_fine_if_one_follows_its_h1():
    page = POST_PAGE.replace("<h2>Kontakt</h2>", '<h2>Kontakt</h2><img src="/logo.png" alt="">')
    assert indexer.slim_page(page) is not None
    assert indexer.slim_page(page.replace('<p><img src="/bilder/', '<p><span src="/')) is None


def test_a_marker_in_a_comment_or_an_attribute_value_is_not_used():
    commented = POST_PAGE.replace("<body>", "<body><!-- <div data-pagefind-body> -->")
    assert indexer.slim_page(commented) is None
    quoted = ('<html><head><title>T</title></head><body><a title="<b data-pagefind-body>">x</a>'
              "<p>y</p></body></html>")
    assert indexer.has_body_marker(quoted) and indexer.slim_page(quoted) is None


def test_slim_pages_only_with_exclude_selectors_that_ignore_ancestors():
    assert indexer.slim_pages_allowed([".post-meta", "#kontakt", "aside", "[data-intern]",
                                       "div.a.b", ".x, .y"])
    assert indexer.slim_pages_allowed([])
    for selector in ("main .post-meta", "article > p", ".a + .b", "h2 ~ p", "p:first-child"):
        assert not indexer.slim_pages_allowed([".post-meta", selector]), selector


# --- Indexing with the real Pagefind program -------------------------------------------------

PAGE = """<!doctype html><html lang="de"><head><title>{title}</title></head><body>
<nav>Menü Impressum</nav><main><article data-pagefind-body><h1>{title}</h1>
<p class="post-meta">3 Minuten Lesezeit</p><p>{text}</p>
<a href="/t/">Suchtberatung</a></article></main>
<footer>Fußzeile Datenschutz</footer></body></html>"""


def fragments(bundle: Path) -> dict[str, dict]:
    found = {}
    for path in (bundle / "fragment").iterdir():
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        found[data["url"]] = data
    return found


def write_site(root: Path, pages: dict[str, tuple[str, str]]) -> list[selection.Document]:
    documents = []
    for slug, (title, text) in pages.items():
        (root / slug).mkdir(parents=True)
        (root / slug / "index.html").write_text(PAGE.format(title=title, text=text), "utf-8")
        documents.append(selection.Document(
            f"{slug}/index.html", f"{slug}/", "Gruppe", f"{title} {text}",
            filters=(("thema", ("Sucht", "Alkohol")),), meta=(("ort", "Am See, Nord"),)))
    return documents


def test_build_index_writes_a_bundle_with_extra_words_filters_and_main_content_only(tmp_path):
    documents = write_site(tmp_path, {"lichtblick": ("Lichtblick", "Weg aus der Alkoholsucht."),
                                      "andere": ("Andere", "Nicht indexiert.")})
    (tmp_path / "pagefind").mkdir()
    (tmp_path / "pagefind" / "alt.txt").write_text("vom letzten Bau")
    stats = indexer.build_index(tmp_path, documents[:1], EXPANDER,
                                exclude_selectors=[".post-meta"],
                                unused_files=["pagefind-ui.js", "pagefind-worker.js"])
    bundle = tmp_path / "pagefind"
    assert stats.pages == 1 and stats.version == "1.5.2"
    assert stats.peak_rss_bytes > 0 and stats.bundle_bytes > 0
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert entry["languages"]["de"]["page_count"] == 1
    assert not (bundle / "alt.txt").exists()  # the folder is written anew
    assert not (bundle / "pagefind-ui.js").exists() and (bundle / "pagefind.js").exists()
    records = fragments(bundle)
    assert list(records) == ["/lichtblick/"]
    record = records["/lichtblick/"]
    assert record["filters"] == {"art": ["Gruppe"], "thema": ["Sucht", "Alkohol"]}
    # The extra words at the end of the content; where they begin is in a meta value, by
    # which the search page leaves them out of excerpts (search.js).
    assert record["meta"] == {"title": "Lichtblick", "art": "Gruppe", "ort": "Am See, Nord",
                              "stichwoerter": "Alkohol, Sucht, Abhängigkeit"}
    assert record["content"].endswith("Alkohol, Sucht, Abhängigkeit, Saufen, Trinken.")
    for boilerplate in ("Menü", "Impressum", "Fußzeile", "Lesezeit"):
        assert boilerplate not in record["content"]


def test_the_slim_pages_give_pagefind_the_same_index_as_the_whole_pages(tmp_path, monkeypatch):
    (tmp_path / "beitraege" / "weg").mkdir(parents=True)
    (tmp_path / "beitraege" / "weg" / "index.html").write_text(POST_PAGE, "utf-8")
    (tmp_path / "ohne-h1").mkdir()
    (tmp_path / "ohne-h1" / "index.html").write_text(
        POST_PAGE.replace("<h1>Mein Weg aus der Alkoholsucht</h1>", ""), "utf-8")
    documents = [POST_DOCUMENT, selection.Document("ohne-h1/index.html", "ohne-h1/", "Seite",
                                                   "Ohne Überschrift")]
    assert all(indexer.slim_page((tmp_path / d.save_as).read_text("utf-8")) for d in documents)

    def records(bundle_dir: str) -> dict[str, dict]:
        indexer.build_index(tmp_path, documents, EXPANDER, bundle_dir=bundle_dir,
                            exclude_selectors=[".post-meta"])
        return fragments(tmp_path / bundle_dir)

    slim = records("schlank")
    monkeypatch.setattr(indexer, "slim_pages_allowed", lambda selectors: False)
    assert records("ganz") == slim
    for record in slim.values():  # search.js finds where the extra words begin by this
        if "stichwoerter" in record["meta"]:
            assert record["content"].rfind(record["meta"]["stichwoerter"]) > 0
    post = slim["/beitraege/weg/"]
    assert post["meta"] == {"title": "Mein Weg aus der Alkoholsucht", "art": "Beitrag",
                            "datum": "14. März 2026", "image": "/bilder/stuhlkreis.jpg",
                            "image_alt": "Ein Stuhlkreis",
                            "stichwoerter": "Alkohol, Sucht, Abhängigkeit"}
    assert [anchor["id"] for anchor in post["anchors"]] == ["erster-abend"]
    assert "Hier hört mir jemand zu" in post["content"] and "jeden Dienstag" in post["content"]
    # Pagefind leaves out <footer> elements, even inside the marked element.
    assert "Schlagwörter" not in post["content"]
    assert "Hauptmenü" not in post["content"] and "Lesezeit" not in post["content"]
    assert slim["/ohne-h1/"]["meta"]["title"] == ("Mein Weg aus der Alkoholsucht – "
                                                  "Selbsthilfe-Kontaktstelle Beispielstadt")


def test_a_page_without_main_content_marker_fails_indexing(tmp_path):
    documents = write_site(tmp_path, {"a": ("A", "Text")})
    (tmp_path / "a" / "index.html").write_text("<html><body><p>Text</p></body></html>")
    with pytest.raises(indexer.IndexingError, match="data-pagefind-body"):
        indexer.build_index(tmp_path, documents, EXPANDER)


def test_a_missing_page_fails_indexing(tmp_path):
    documents = write_site(tmp_path, {"a": ("A", "Text")})
    shutil.rmtree(tmp_path / "a")
    with pytest.raises(indexer.IndexingError, match="a/index.html fehlt"):
        indexer.build_index(tmp_path, documents, EXPANDER)


def test_bundle_folder_must_stay_inside_the_site(tmp_path):
    with pytest.raises(indexer.IndexingError, match="innerhalb der Website"):
        indexer.build_index(tmp_path, [], EXPANDER, bundle_dir="../draussen")


def test_a_program_that_does_not_answer_is_an_error(tmp_path):
    fake = tmp_path / "fake-pagefind"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(indexer.IndexingError, match="unerwartet beendet"):
        indexer.build_index(tmp_path, [], EXPANDER, executable=fake)


def test_a_silent_program_times_out(tmp_path):
    fake = tmp_path / "fake-pagefind"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(0o755)
    with pytest.raises(ServiceError, match="nicht geantwortet"):
        with PagefindService(fake, timeout=0.5) as service:  # killed after 1 s on error
            service.request({"type": "NewIndex", "config": None}, "x", "NewIndex")


def test_pagefind_errors_are_reported_with_the_page():
    with PagefindService(find_executable()) as service:
        answer = service.request({"type": "NewIndex", "config": None}, "x", "NewIndex")
        with pytest.raises(ServiceError, match="konnte die Seite x nicht verarbeiten: Either"):
            service.request({"type": "AddFile", "index_id": answer["index_id"],
                             "file_path": None, "url": None, "file_contents": "<p>x</p>"},
                            "die Seite x", "IndexedFile")


# --- Sending pages while the site is written -------------------------------------------------

def add_file(index_id: int, url: str) -> dict:
    return {"type": "AddFile", "index_id": index_id, "file_path": None, "url": url,
            "file_contents": PAGE.format(title=url, text="Weg aus der Sucht")}


@pytest.fixture(params=["selector", "thread"])
def reader(request, monkeypatch) -> str:
    """Both ways of reading Pagefind's answers: a selector (POSIX), a thread (Windows)."""
    if request.param == "thread":
        monkeypatch.setattr(PagefindService, "reader_class", service._ThreadReader)
    return request.param


def test_submit_keeps_at_most_window_pages_in_flight_and_collect_gets_every_answer(
        reader, monkeypatch):
    monkeypatch.setattr(PagefindService, "WINDOW", 4)
    in_flight = []
    with PagefindService(find_executable()) as pagefind:
        index_id = pagefind.request({"type": "NewIndex", "config": None}, "x",
                                    "NewIndex")["index_id"]
        send = pagefind._send

        def counting_send(*args):
            message_id = send(*args)
            in_flight.append(pagefind.in_flight)
            return message_id

        monkeypatch.setattr(pagefind, "_send", counting_send)
        urls = [f"/seite-{number}/" for number in range(40)]
        for url in urls:
            pagefind.submit(add_file(index_id, url), f"die Seite {url}", "IndexedFile")
        answers = pagefind.collect()
        assert pagefind.in_flight == 0 and pagefind.collect() == []
    assert len(in_flight) == 40 and max(in_flight) <= 4
    assert sorted(answer["page_url"] for answer in answers) == sorted(urls)
    assert {answer["type"] for answer in answers} == {"IndexedFile"}


def test_submit_does_not_wait_for_answers_until_the_window_is_full(tmp_path, reader,
                                                                   monkeypatch):
    silent = tmp_path / "fake-pagefind"  # reads every request, never answers
    silent.write_text("#!/bin/sh\nexec cat 3>&1 >/dev/null\n")  # output stays open
    silent.chmod(0o755)
    monkeypatch.setattr(PagefindService, "WINDOW", 3)
    with pytest.raises(ServiceError, match="0 s lang nicht geantwortet"):
        with PagefindService(silent, timeout=0.5) as pagefind:  # killed after 1 s on error
            started = time.perf_counter()
            for number in range(3):
                pagefind.submit({"type": "AddFile"}, f"die Seite {number}", "IndexedFile")
            assert time.perf_counter() - started < 0.4 and pagefind.in_flight == 3
            pagefind.submit({"type": "AddFile"}, "die Seite 3", "IndexedFile")  # waits


def test_an_error_answer_to_a_submitted_page_is_raised(reader):
    with PagefindService(find_executable()) as pagefind:
        index_id = pagefind.request({"type": "NewIndex", "config": None}, "x",
                                    "NewIndex")["index_id"]
        pagefind.submit(add_file(index_id, "/gut/"), "die Seite gut", "IndexedFile")
        broken = {**add_file(index_id, "/kaputt/"), "url": None}  # neither path nor URL
        with pytest.raises(ServiceError, match="konnte die Seite kaputt nicht verarbeiten"):
            pagefind.submit(broken, "die Seite kaputt", "IndexedFile")
            pagefind.submit(add_file(index_id, "/danach/"), "die Seite danach", "IndexedFile")
            pagefind.collect()  # at the latest


def test_a_service_nobody_closes_ends_its_program():
    pagefind = PagefindService(find_executable())
    program = pagefind._process
    del pagefind  # as when a build fails before indexing finished (also at Python's exit)
    gc.collect()
    assert program.wait(timeout=5) is not None


def test_pages_are_sent_as_written_and_the_others_when_the_site_is_done(tmp_path):
    documents = write_site(tmp_path, {slug: (slug.title(), "Weg aus der Alkoholsucht.")
                                      for slug in ("a", "b", "c")})
    with indexer.IndexingSession(tmp_path, documents, EXPANDER) as session:
        session.start()
        assert not session.page_written(str(tmp_path / "index.html"))  # no document's
        assert session.page_written(str(tmp_path / "a" / "index.html"))
        assert not session.page_written(str(tmp_path / "a" / "index.html"))  # sent once
        assert session.page_written(os.path.relpath(tmp_path / "b" / "index.html"))
        stats = session.finish()  # c: written without content_written
    assert stats.pages == 3 and stats.sent_while_writing == 2
    assert stats.seconds >= stats.finish_seconds >= stats.write_seconds > 0
    assert set(fragments(tmp_path / "pagefind")) == {"/a/", "/b/", "/c/"}


def test_after_the_last_page_pagefind_writes_the_bundle_while_the_build_goes_on(tmp_path):
    documents = write_site(tmp_path, {"a": ("A", "Text"), "b": ("B", "Text")})
    entry = tmp_path / "pagefind" / "pagefind-entry.json"
    with indexer.IndexingSession(tmp_path, documents, EXPANDER) as session:
        session.start()
        session.page_written(str(tmp_path / "a" / "index.html"))
        assert not entry.exists()
        session.page_written(str(tmp_path / "b" / "index.html"))  # the last one
        deadline = time.monotonic() + 30
        while not entry.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert entry.exists()  # before finish()
        stats = session.finish()
    assert stats.pages == 2 and stats.sent_while_writing == 2
    assert set(fragments(tmp_path / "pagefind")) == {"/a/", "/b/"}


def test_finish_waits_until_pagefind_has_written_its_last_file(tmp_path, monkeypatch):
    # Pagefind 1.5 answers WriteFiles while its last writes may still be under way, and
    # would lose them when it ends (Pagefind issue #1271).
    documents = write_site(tmp_path, {"a": ("A", "Text")})
    still_open = [os.path.realpath(tmp_path / "pagefind" / "pagefind-entry.json")] * 2
    looks = []

    def open_files(self):
        looks.append(still_open[len(looks):len(looks) + 1])
        return looks[-1]

    monkeypatch.setattr(PagefindService, "open_files", open_files)
    assert indexer.build_index(tmp_path, documents, EXPANDER).pages == 1
    assert looks == [still_open[:1], still_open[:1], []]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_copy_of_the_build_sends_nothing(tmp_path):
    # rebuild_cache's helper renders pages in a forked copy, which sends content_written too.
    documents = write_site(tmp_path, {"a": ("A", "Text")})
    page = str(tmp_path / "a" / "index.html")
    with indexer.IndexingSession(tmp_path, documents, EXPANDER) as session:
        session.start()
        child = os.fork()
        if child == 0:
            try:
                os._exit(1 if session.page_written(page) else 0)
            finally:
                os._exit(2)
        assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0
        assert session.page_written(page)
        assert session.finish().pages == 1


# --- The plugin's signal receivers, as in the preview's builds one after another -------------

@pytest.fixture
def runs(tmp_path, monkeypatch):
    """A written site and what the plugin's receivers get for it from Pelican."""
    site = tmp_path / "site"
    site.mkdir()
    documents = write_site(site, {"a": ("A", "Alkohol"), "b": ("B", "Sucht")})
    monkeypatch.setattr(plugin.selection, "select", lambda *lists: documents)
    settings = {**DEFAULTS, "PATH": str(tmp_path / "content"),
                "CACHE_PATH": str(tmp_path / "cache")}
    yield SimpleNamespace(site=site, pages=[str(site / d.save_as) for d in documents],
                          generators=[SimpleNamespace(settings=settings, output_path=str(site),
                                                      context={})],
                          pelican=SimpleNamespace(settings=settings, output_path=str(site)))
    plugin.close_leftover_sessions()


def test_each_run_gets_its_own_pagefind_and_a_failed_run_leaves_none(runs, capsys):
    plugin.collect(runs.generators)  # a build that fails after writing one page
    failed = plugin._SESSIONS[os.path.realpath(runs.site)]
    plugin.send_page(runs.pages[0], context={})
    pagefind = failed._service._process
    plugin.collect(runs.generators)  # the next: ends the failed one's Pagefind
    assert pagefind.poll() is not None
    for page in runs.pages:
        plugin.send_page(page, context={})
    plugin.index_site(runs.pelican)
    assert plugin._SESSIONS == {}
    assert set(fragments(runs.site / "pagefind")) == {"/a/", "/b/"}
    assert re.search(r"^Suchindex: 2 Seiten in [\d.]+ s, ", capsys.readouterr().out, re.M)


def test_a_failure_while_writing_is_an_error_and_ends_pagefind(runs, caplog):
    Path(runs.pages[1]).write_text("<html><body><p>Kein Hauptinhalt</p></body></html>")
    plugin.collect(runs.generators)
    session = plugin._SESSIONS[os.path.realpath(runs.site)]
    plugin.send_page(runs.pages[0], context={})
    pagefind = session._service._process
    plugin.send_page(runs.pages[1], context={})
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        "Suchindex (Pagefind) konnte nicht erstellt werden: b/index.html: Die Vorlage "
        "markiert den Hauptinhalt nicht mit data-pagefind-body; ohne diese Markierung würde "
        "Pagefind Menü und Fußzeile mit durchsuchen."]
    assert pagefind.poll() is not None
    plugin.index_site(runs.pelican)  # nothing more to do, nothing more to say
    assert not (runs.site / "pagefind").exists()
    assert len([r for r in caplog.records if r.levelname == "ERROR"]) == 1


# --- shards -----------------------------------------------------------------------------------
def documents(posts: int, pages: int, groups: int) -> list[selection.Document]:
    return ([selection.Document(f"beitraege/bericht-{n}/index.html", f"beitraege/bericht-{n}/",
                                selection.POST, "") for n in range(posts)]
            + [selection.Document(f"seite-{n}/index.html", f"seite-{n}/", selection.PAGE, "")
               for n in range(pages)]
            + [selection.Document(f"gruppen/gruppe-{n}/index.html", f"gruppen/gruppe-{n}/",
                                  selection.GROUP, "") for n in range(groups)])


def test_posts_and_groups_get_shards_of_their_own_so_the_posts_bundles_are_written_early():
    site = documents(1000, 7, 930)
    plan = shards.plan_shards(site, per_shard=250, most=16)
    placed = [plan.shard_of(document) for document in site]
    post_shards = set(placed[:1007])  # the pages join the posts: too few for a shard
    group_shards = set(placed[1007:])
    assert post_shards == set(range(5)) and group_shards == set(range(5, 9))
    assert plan.count == 9
    # Stable: a page's shard follows from its URL, not from its place in the build's order.
    shuffled = site[:1000][::-1] + site[1000:1007] + site[1007:][::-1]
    again = shards.plan_shards(shuffled, 250, 16)
    assert [again.shard_of(document) for document in site] == placed


def test_beside_ten_thousand_groups_posts_keep_small_shards_and_the_total_is_capped():
    site = documents(1000, 7, 10_000)
    plan = shards.plan_shards(site, per_shard=250, most=16)
    sizes = Counter(plan.shard_of(document) for document in site)
    assert plan.count == 16 and set(sizes) == set(range(16))
    assert max(sizes[n] for n in range(5)) < 250  # a changed post re-indexes few pages


def test_a_small_site_keeps_one_shard_and_a_site_of_one_kind_splits_by_url():
    assert shards.plan_shards(documents(16, 7, 22), per_shard=250, most=16).count == 1
    groups_only = documents(0, 0, 40)
    plan = shards.plan_shards(groups_only, per_shard=10, most=3)
    assert plan.count == 3
    placed = [plan.shard_of(document) for document in groups_only]
    assert placed == [shards.shard_of(document.url, 3) for document in groups_only]
    assert set(placed) == {0, 1, 2}
    assert shards.plan_shards(documents(5, 5, 5), per_shard=0, most=16).count == 1
    assert shards.plan_shards([], per_shard=250, most=16).count == 1


def test_a_page_whose_digest_the_writer_gives_is_not_read_again(tmp_path):
    """rebuild_cache's writer puts the digest of the written file into the page's context;
    the shard's key then comes from it, the same key reading the file gives."""
    document = documents(1, 0, 0)[0]
    output = tmp_path / "site"
    page = output / document.save_as
    page.parent.mkdir(parents=True)
    page.write_bytes("<main>Erster Abend im Stuhlkreis</main>".encode())
    digest = written_page.digest(page.read_bytes())
    cache = tmp_path / "cache"
    known = cache / "teil-bekannt"
    known.mkdir(parents=True)
    (known / shards.DONE_MARKER).write_text(
        json.dumps([shards.document_key(document, digest)]), encoding="utf-8")
    index = shards.ShardedIndex(output, [document], EXPANDER, cache, "x")
    assert index._key(document) == shards.document_key(document, digest)  # read: the same
    page.unlink()  # from now on, reading it would fail
    assert index.page_written(str(page), digest)
    assert index._service is None  # a known key: the shard's cached bundle will do
    # Written a second time in one build: Pelican may have sent that text to os.devnull
    # (override_output), so the file is read, not the digest of what was rendered.
    with pytest.raises(indexer.IndexingError, match="fehlt im Bau"):
        index.page_written(str(page), digest)
