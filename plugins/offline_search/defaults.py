"""Settings of offline_search, with their defaults. Override any of them in pelicanconf.py.

The plugin indexes published posts, pages and listed groups with Pagefind while the site is
written, inside the output folder that is being built (publish: the staging folder, so a
failure of indexing fails the build and the previous site stays online).
"""

DEFAULTS = {
    # Off switch, e.g. for a quick local build without search.
    "OFFLINE_SEARCH_ENABLED": True,
    # The editors' list of lay words (relative to the content folder PATH). Columns
    # `Suchwort` and `Begriff`; see README.md, section "Suche". A missing file means: none.
    "OFFLINE_SEARCH_SYNONYMS": "gruppen/synonyme.csv",
    # Where Pagefind's bundle (pagefind.js, WebAssembly, index) is written, relative to the
    # output folder. The search page loads pagefind.js from here.
    "OFFLINE_SEARCH_BUNDLE_DIR": "pagefind",
    # The vocabulary for splitting compound words in the reader's query (search.js),
    # relative to the output folder. "" turns query-side splitting off.
    "OFFLINE_SEARCH_WORDS_SAVE_AS": "suche/woerter.json",
    # The index is split into shards of about this many pages (posts and groups apart, each
    # by a hash of the page's URL), at most OFFLINE_SEARCH_MAX_SHARDS; the search page
    # merges them in the browser.
    # A rebuild indexes only the shards whose pages changed (shards.py). Each shard costs
    # readers two small requests more when the search starts, and one per search word.
    "OFFLINE_SEARCH_PAGES_PER_SHARD": 250,
    "OFFLINE_SEARCH_MAX_SHARDS": 16,
    # Language of the index. Every page is German (lang="de"); forcing it gives one index.
    "OFFLINE_SEARCH_LANGUAGE": "de",
    # Parts of the main content that are boilerplate, not content: dates, reading time,
    # the contact point's address on every group page, lists of links to other pages, and a
    # group's fact list (its searchable facts are indexed in few words instead, see
    # selection.group_document). Prefer plain selectors (".x", "#id", "tag", "[attr]"): with
    # a combinator ("main .x", "a > b") or a pseudo-class Pagefind gets whole pages instead
    # of the main content only, which gives the same index but takes longer (indexer.py).
    "OFFLINE_SEARCH_EXCLUDE_SELECTORS": [
        ".post-meta", ".group-facts", ".group-dates", ".group-contact", ".group-posts",
        ".group-checked",
    ],
    # Word parts known besides the topics of the groups and the synonym list, for splitting
    # compound words: "Spielsucht" -> Spiel + Sucht, "Kaufsucht" -> Kauf + Sucht. Every part
    # found is added to the page's index record, so list words readers search for, not
    # generic ones like "Gruppe" or "Beratung".
    "OFFLINE_SEARCH_COMPOUND_PARTS": [
        "Sucht", "Spiel", "Kauf", "Mager", "Internet", "Medien", "Alkohol", "Drogen",
        "Medikamente", "Nikotin", "Angst", "Panik", "Trauer", "Schmerz", "Schmerzen", "Krebs",
        "Eltern", "Kinder", "Jugend", "Familie", "Frauen", "Männer", "Angehörige", "Pflege",
        "Krise", "Depression", "Essstörung", "Zwang", "Rheuma", "Diabetes", "Demenz",
        "Trennung", "Scheidung", "Gewalt", "Mobbing",
    ],
    # At most this many extra words (compound parts and lay words) are added to one page.
    "OFFLINE_SEARCH_MAX_EXTRA_WORDS": 40,
    # Files of Pagefind's bundle the site does not use (its ready-made UIs need inline
    # styles; our own search.js runs Pagefind on the main thread, so no worker either).
    "OFFLINE_SEARCH_UNUSED_FILES": [
        "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
        "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
        "pagefind-highlight.js", "pagefind-worker.js",
    ],
    # Seconds to wait for any answer of the Pagefind program before the build fails.
    "OFFLINE_SEARCH_TIMEOUT": 300,
    # The search page's Content-Security-Policy. None: CONTENT_SECURITY_POLICY plus
    # 'wasm-unsafe-eval' in script-src, which Pagefind's WebAssembly needs (see csp.py).
    "OFFLINE_SEARCH_CSP": None,
}


def setting(settings: dict, name: str):
    return settings.get(name, DEFAULTS[name])
