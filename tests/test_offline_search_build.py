"""The offline search in a real build: the Pagefind index is in the published site, holds
exactly the published posts, pages and listed groups (main content only, with lay words,
compound parts and the group facets), the search page works without JavaScript and only it
may run WebAssembly; a broken synonym list or a failed indexing stops the publish. And, when
Playwright and Debian's Chromium are there, a real search in the browser."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import HOSTILE_POST, ROOT, BuiltSite, build_site, make_content, tree_digest

SITE = "https://www.selbsthilfe-beispielstadt.example"
TODAY = "2026-11-24"

SYNONYMS = "\ufeffSuchwort;Begriff\r\nTrinken;Alkohol\r\nSaufen;Alkohol\r\n" \
           "Zocken, Spielsucht;Glücksspiel\r\nSchwermut;Depression\r\n"
SPIELSUCHT_POST = """Title: Als das Zocken mein Leben bestimmte
Date: 2026-05-02 10:00
Category: Erfahrungsberichte
Tags: Glücksspiel
Author: Ben
Summary: Über Spielsucht und den Weg heraus.

Meine Spielsucht begann am Automaten. Heute spreche ich darüber.
"""
HIDDEN_PAGE = """Title: Interne Notizen
Slug: interne-notizen
Status: hidden

Versteckseitenwort.
"""
EXTRA_FILES = {"gruppen/synonyme.csv": SYNONYMS, "beitraege/spielsucht.md": SPIELSUCHT_POST,
               "seiten/interne-notizen.md": HIDDEN_PAGE}

POSTS = ["angehoerige-sucht", "erstes-treffen", "gruppe-stellt-sich-vor", "schwere-zeit",
         "spielsucht"]
PAGES = ["barrierefreiheit", "datenschutz", "hilfe-in-krisen", "impressum", "kontakt",
         "leichte-sprache", "ueber-uns"]
LISTED_GROUPS = ["angehoerige-sucht", "atempause-depression", "diabetes-eltern",
                 "lichtblick-alkohol", "maennergruppe-ueber-den-berg", "mutig-online",
                 "schmerz-nordheim"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> BuiltSite:
    root = tmp_path_factory.mktemp("search")
    return build_site(root, extra_files=EXTRA_FILES,
                      overrides={"GROUP_DIRECTORY_TODAY": TODAY})


def records(site: BuiltSite) -> dict[str, dict]:
    """Every record of the index, by URL, read from Pagefind's fragment files."""
    found = {}
    for path in (site.output / "pagefind" / "fragment").iterdir():
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        found[data["url"]] = data
    return found


def test_the_index_is_published_with_the_site(site):
    entry = json.loads(site.read("pagefind/pagefind-entry.json"))
    assert entry["version"] == "1.5.2"
    assert list(entry["languages"]) == ["de"]
    assert (site.output / "pagefind" / "pagefind.js").is_file()
    assert (site.output / "pagefind" / "wasm.de.pagefind").is_file()
    # Pagefind's ready-made UIs (inline styles) and its worker are not published.
    for unused in ("pagefind-ui.js", "pagefind-ui.css", "pagefind-worker.js",
                   "pagefind-modular-ui.css", "pagefind-component-ui.js"):
        assert not (site.output / "pagefind" / unused).exists(), unused
    assert re.search(r"Suchindex: \d+ Seiten in [\d.]+ s", site.stdout)


def test_exactly_published_posts_pages_and_listed_groups_are_indexed(site):
    expected = ({f"/beitraege/{slug}/" for slug in POSTS} | {f"/{slug}/" for slug in PAGES}
                | {f"/gruppen/{slug}/" for slug in LISTED_GROUPS})
    assert set(records(site)) == expected
    entry = json.loads(site.read("pagefind/pagefind-entry.json"))
    assert entry["languages"]["de"]["page_count"] == len(expected)


def test_drafts_hidden_unpublished_and_ended_content_is_in_no_index_file(site):
    # The ended group's page and the hidden page exist, but are not indexed.
    assert (site.output / "gruppen" / "trauer-verwaiste-eltern" / "index.html").is_file()
    assert (site.output / "interne-notizen" / "index.html").is_file()
    everything = b"".join(gzip.decompress(p.read_bytes()) for p in
                          (site.output / "pagefind").rglob("*.pf_*"))
    for secret in (b"geheimentwurf", b"Sommerfest", b"Versteckseitenwort",
                   b"verwaiste", b"Verwaiste Eltern", b"Geheimgruppe", b"geheimthema"):
        assert secret not in everything, secret


def test_only_the_main_content_is_indexed(site):
    for url, record in records(site).items():
        content = record["content"]
        for boilerplate in ("Zum Inhalt springen", "Rechtliches und Service", "Hauptmenü",
                            "Lesezeit", "Lindenstraße 12", "Vorheriger Beitrag"):
            assert boilerplate not in content, (url, boilerplate)
    group = records(site)["/gruppen/lichtblick-alkohol/"]["content"]
    assert "Kontakt aufnehmen" not in group and "Die nächsten Termine" not in group
    # The fact list's boilerplate is not indexed, its searchable facts are, in few words.
    assert "Neue sind willkommen" not in group and "barrierefrei" not in group
    assert "Sucht, Alkohol. Beispielstadt, Altstadt. Präsenz." in group


def test_lay_words_and_compound_parts_are_added_to_the_index_only(site):
    found = records(site)
    lichtblick = found["/gruppen/lichtblick-alkohol/"]["content"]
    assert "Saufen" in lichtblick and "Zocken" not in lichtblick
    post = found["/beitraege/spielsucht/"]["content"]
    assert "Glücksspiel" not in post  # the page does not say it, so no lay words of it …
    assert re.search(r"Spiel, Sucht", post)  # … but "Spielsucht" gives its parts
    depression = found["/gruppen/atempause-depression/"]["content"]
    assert "Schwermut" in depression
    # Nothing of this is on the published pages.
    assert "Saufen" not in site.read("gruppen/lichtblick-alkohol/index.html")
    assert "Schwermut" not in site.read("gruppen/atempause-depression/index.html")


def test_groups_have_their_facets_as_filters_and_metadata(site):
    found = records(site)
    group = found["/gruppen/lichtblick-alkohol/"]
    assert group["filters"] == {"art": ["Gruppe"], "thema": ["Sucht", "Alkohol"],
                                "ort": ["Beispielstadt"], "form": ["Präsenz"],
                                "status": ["aktiv"]}
    assert group["meta"]["title"] == "Anonyme Alkoholiker – Gruppe „Lichtblick“"
    assert group["meta"]["themen"] == "Sucht, Alkohol"
    assert found["/gruppen/diabetes-eltern/"]["filters"]["status"] == ["pausiert"]
    assert found["/gruppen/schmerz-nordheim/"]["filters"]["status"] == ["in Gründung"]
    assert found["/gruppen/mutig-online/"]["filters"]["form"] == ["Online"]
    post = found["/beitraege/erstes-treffen/"]
    assert post["filters"] == {"art": ["Beitrag"]}
    assert post["meta"]["art"] == "Beitrag" and post["meta"]["datum"] == "14. März 2026"
    assert found["/kontakt/"]["filters"] == {"art": ["Seite"]}


def test_templates_mark_main_content_but_never_on_ended_groups_or_lists(site):
    marker = "data-pagefind-body"
    assert marker in site.read("beitraege/erstes-treffen/index.html")
    assert marker in site.read("kontakt/index.html")
    assert marker in site.read("gruppen/lichtblick-alkohol/index.html")
    assert marker not in site.read("gruppen/trauer-verwaiste-eltern/index.html")
    for listing in ("index.html", "gruppen/index.html", "gruppen/a-z/index.html",
                    "schlagwort/index.html", "archiv/index.html", "suche/index.html"):
        assert marker not in site.read(listing), listing


def test_only_the_search_page_may_run_webassembly(site):
    for page in site.html_pages():
        text = page.read_text(encoding="utf-8")
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', text).group(1)
        csp = csp.replace("&#39;", "'")
        if page == site.output / "suche" / "index.html":
            assert "script-src 'self' 'wasm-unsafe-eval';" in csp
            assert "connect-src 'self'" in csp and "unsafe-inline" not in csp
            assert "'unsafe-eval'" not in csp.replace("'wasm-unsafe-eval'", "")
        else:
            assert "wasm" not in csp, page


def test_search_page_without_javascript_explains_and_links_onwards(site):
    html = site.read("suche/index.html")
    assert "<h1>Suche</h1>" in html
    form = re.search(r"<form [^>]*>", html).group(0)
    assert 'id="suche-formular"' in form and " hidden" in form  # shown by search.js only
    assert f'action="{SITE}/suche/" method="get" role="search"' in form
    assert '<label for="suche-eingabe">Suchbegriff</label>' in html
    assert 'type="search" id="suche-eingabe" name="q"' in html
    for name in ("art", "thema", "ort", "form", "status"):
        assert f'<label for="suche-{name}">' in html and f'id="suche-{name}" name="{name}"' in html
    assert 'id="suche-meldung" role="status" aria-live="polite"' in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert "braucht dafür JavaScript" in html
    for target in ("gruppen/", "gruppen/a-z/", "gruppen/#themen", "gruppen/thema/alkohol/",
                   "schlagwort/", "archiv/"):
        assert f'href="{SITE}/{target}"' in html, target
    assert f'<script type="module" src="{SITE}/theme/js/search.js"></script>' in html
    assert f'data-pagefind="{SITE}/pagefind/pagefind.js"' in html
    assert f'href="{SITE}/suche/" aria-current="page">Suche</a>' in html  # menu


def test_search_page_is_in_the_menu_of_every_page(site):
    assert f'<a href="{SITE}/suche/">Suche</a>' in site.read("index.html")


def test_query_vocabulary_is_published(site):
    words = json.loads(site.read("suche/woerter.json"))
    assert {"alkohol", "sucht", "spiel", "glücksspiel", "trinken"} <= set(words["words"])


def test_search_script_uses_no_inline_code_and_no_third_party():
    script = (ROOT / "theme/static/js/search.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "eval(" not in script and "http" not in script
    assert "noWorker: true" in script


def test_a_broken_synonym_list_stops_the_publish(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    (output / "alt.html").write_text("bisherige Website")
    before = tree_digest(output)
    site = build_site(tmp_path, extra_files={"gruppen/synonyme.csv": "Wort;Bedeutung\nA;B\n"},
                      expect_success=False)
    assert site.returncode == 1
    assert "content/gruppen/synonyme.csv:1: Die erste Zeile muss" in site.stderr
    assert tree_digest(output) == before


def test_a_failed_indexing_stops_the_publish(tmp_path):
    site = build_site(tmp_path, overrides={"OFFLINE_SEARCH_BUNDLE_DIR": "../ausserhalb"},
                      expect_success=False)
    assert site.returncode == 1
    assert "Suchindex (Pagefind) konnte nicht erstellt werden" in site.stderr
    assert not site.output.exists()


# --- The preview: several builds in one process -------------------------------------------

# Builds the site twice with one Pelican, as `pelican --autoreload` (the preview) does, with
# the plugin's INFO messages; then lists the child processes still there (Linux).
TWO_BUILDS = """
import logging, os, sys
from pathlib import Path
from pelican import Pelican
from pelican.settings import read_settings

logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
logging.getLogger("offline_search").setLevel(logging.INFO)
root, content, output = sys.argv[1:4]
pelican = Pelican(read_settings(os.path.join(root, "pelicanconf.py"), override={
    "PATH": content, "OUTPUT_PATH": output, "CACHE_PATH": os.path.join(output, "..", "cache"),
    "GROUP_DIRECTORY_TODAY": "2026-11-24"}))
for build in range(2):
    pelican.run()
children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
pids = children.read_text().split() if children.exists() else []
print("Kinder:", [Path(f"/proc/{pid}/comm").read_text().strip() for pid in pids])
"""


def test_the_preview_indexes_every_build_while_writing_and_leaves_no_pagefind(tmp_path):
    content = make_content(tmp_path, EXTRA_FILES)
    output = tmp_path / "vorschau"
    result = subprocess.run(
        [sys.executable, "-c", TWO_BUILDS, str(ROOT), str(content), str(output)], cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1"),
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stderr, result.stderr
    pages = len(POSTS) + len(PAGES) + len(LISTED_GROUPS)
    # The first build sent every page to Pagefind as Pelican wrote it. The second changed
    # nothing: it took the index (one shard, this site is small) from the cache.
    sent = re.findall(r"(\d+) von (\d+) neu indexierten Seiten schon beim Schreiben gesendet",
                      result.stderr)
    assert sent == [(str(pages), str(pages)), ("0", "0")], result.stderr
    assert re.findall(r"1 Teil, davon (\d) unverändert übernommen; (\d+) Seiten neu",
                      result.stderr) == [("0", str(pages))]
    assert f"Suchindex: {pages} Seiten, " in result.stdout
    assert "unverändert aus dem Zwischenspeicher übernommen (1 Teil)." in result.stdout
    assert len(re.findall(r"^Suchindex: \d+ Seiten[ ,]", result.stdout, re.M)) == 2
    entry = json.loads((output / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["de"]["page_count"] == pages
    found = records(BuiltSite(tmp_path, output, 0, "", ""))
    assert "Saufen" in found["/gruppen/lichtblick-alkohol/"]["content"]
    assert "Spielsucht" in found["/beitraege/spielsucht/"]["content"]
    assert "Kinder: []" in result.stdout


# --- A real search in Chromium (skipped where Playwright or Chromium is missing) -----------

@pytest.mark.parametrize("per_shard", [250, 4], ids=["ein-teil", "mehrere-teile"])
def test_search_in_the_browser_finds_lay_words_and_compounds(tmp_path, per_shard):
    pytest.importorskip("playwright.sync_api")
    sys.path.insert(0, str(ROOT / "checks"))
    from check_common import CHROMIUM, LocalServer, build_site as build_for, launch_chromium

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    site = tmp_path / "site"
    server = LocalServer(site)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "site", content)
    for relative, text in {**EXTRA_FILES, "beitraege/wir-sagen-nein.md": HOSTILE_POST}.items():
        (content / relative).write_text(text, encoding="utf-8")
    result = build_for(site, content=content,
                       overrides={"SITEURL": server.origin, "CACHE_PATH": str(tmp_path / "c"),
                                  "GROUP_DIRECTORY_TODAY": TODAY,
                                  "OFFLINE_SEARCH_PAGES_PER_SHARD": per_shard})
    assert result.returncode == 0, result.stderr
    # With 4 pages per shard, the search page merges 5 bundles or more; results come from
    # all of them.
    assert (site / "pagefind/teil-5/pagefind-entry.json").is_file() == (per_shard == 4)
    server.start()
    problems: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"),
                                              dialog.dismiss()))
            page.goto(f"{server.origin}/suche/")
            page.wait_for_selector("form#suche-formular[data-ready]", state="attached")
            assert page.is_visible("#suche-eingabe") and page.is_hidden("#suche-ohne-js")

            def search(query: str) -> tuple[str, list[str]]:
                page.fill("#suche-eingabe", query)
                page.press("#suche-eingabe", "Enter")
                page.wait_for_function(
                    "q => document.getElementById('suche-meldung').textContent.includes(q)",
                    arg=f"„{query}“")
                hrefs = page.eval_on_selector_all(".search-result a",
                                                  "links => links.map(a => a.href)")
                return page.text_content("#suche-meldung"), hrefs

            def excerpts() -> dict[str, str]:
                return dict(page.eval_on_selector_all(".search-result", """items => items.map(
                    item => [item.querySelector("a").href,
                             (item.querySelector(".search-result-excerpt") || {}).textContent
                             || ""])"""))

            status, hrefs = search("Saufen")
            assert f"{server.origin}/gruppen/lichtblick-alkohol/" in hrefs, status
            # Found through the synonym list, but a word no page says is never quoted: the
            # group's result shows its own words.
            shown = excerpts()
            assert "Saufen" not in "".join(shown.values()), shown
            assert "Offenes Meeting" in shown[f"{server.origin}/gruppen/lichtblick-alkohol/"]
            status, hrefs = search("Trinken")  # the group's own text says "Trinken"
            shown = excerpts()[f"{server.origin}/gruppen/lichtblick-alkohol/"]
            assert "Trinken" in shown and "Saufen" not in shown, shown
            marks = page.eval_on_selector_all(
                ".search-result", """items => items.filter(item => item.querySelector("a")
                    .href.endsWith("/gruppen/lichtblick-alkohol/")).flatMap(item => Array.from(
                    item.querySelectorAll(".search-result-excerpt mark"), m => m.textContent))""")
            assert any(mark.startswith("Trinken") for mark in marks), marks
            status, hrefs = search("Alkoholsucht")  # no page says it: split into its parts
            assert f"{server.origin}/gruppen/lichtblick-alkohol/" in hrefs, status
            # A hostile post's title and text are shown as text, never as markup.
            status, hrefs = search("Grenzen")
            assert f"{server.origin}/beitraege/wir-sagen-nein/" in hrefs, status
            titles = page.eval_on_selector_all(".search-result-title a",
                                               "links => links.map(a => a.textContent)")
            assert 'Wir sagen "Nein" & meinen es' in titles  # as the post's <h1> shows it
            assert page.eval_on_selector_all("#suche-ergebnisse script, #suche-ergebnisse b, "
                                             "#suche-ergebnisse i", "found => found.length") == 0
            status, _ = search("Quarkstrudel")
            assert status.startswith("Keine Ergebnisse für „Quarkstrudel“")
            # Posts only: "Sucht" finds the post that only says "Spielsucht".
            page.select_option("#suche-art", "Beitrag")
            status, hrefs = search("Sucht")
            assert f"{server.origin}/beitraege/spielsucht/" in hrefs, status
            assert hrefs and all("/beitraege/" in href for href in hrefs)
            # Groups on one topic, without a search word.
            page.select_option("#suche-art", index=0)  # "Alles"
            page.select_option("#suche-thema", "Alkohol")
            page.fill("#suche-eingabe", "")
            page.press("#suche-eingabe", "Enter")
            page.wait_for_function("() => /^[0-9]+ Ergebnis(se)? [(]eingegrenzt[)][.]$/.test("
                                   "document.getElementById('suche-meldung').textContent)")
            hrefs = page.eval_on_selector_all(".search-result a", "ls => ls.map(a => a.href)")
            assert f"{server.origin}/gruppen/lichtblick-alkohol/" in hrefs
            assert all("/gruppen/" in href for href in hrefs)
            assert "thema=Alkohol" in page.url and "q=" not in page.url
            browser.close()
    finally:
        server.stop()
    assert problems == []
