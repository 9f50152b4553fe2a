"""Pelican glue for offline_search: collect what to index, then index the built site.

* initialized: fill in the defaults (defaults.py) and the search page's CSP, so templates
  can use OFFLINE_SEARCH_* settings.
* all_generators_finalized: every post, page and group is known; select the documents to
  index (selection.py) and read the synonym list.
* finalized: the site is written to pelican.output_path (publish: the staging folder);
  index it with Pagefind. Any failure is logged as an ERROR, which fails a publish build,
  so a site is never published with a missing or broken index.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator

from . import csp, indexer, selection, synonyms
from .defaults import DEFAULTS, setting
from .words import Expander

logger = logging.getLogger(__name__)

# What all_generators_finalized found, for finalized, by output folder. A Pelican run sends
# both signals in one process; the preview's rebuilds replace the entry each time.
_PENDING: dict[str, tuple[list[selection.Document], Expander]] = {}


def apply_defaults(pelican) -> None:
    settings = pelican.settings
    for name, value in DEFAULTS.items():
        settings.setdefault(name, value)
    if not settings.get("OFFLINE_SEARCH_CSP"):
        settings["OFFLINE_SEARCH_CSP"] = csp.with_wasm(settings.get("CONTENT_SECURITY_POLICY")
                                                       or "")


def source_path(settings: dict) -> tuple[Path, str]:
    """The synonym list's path, and the same as editors know it (content/gruppen/…)."""
    content = Path(settings["PATH"])
    path = content / setting(settings, "OFFLINE_SEARCH_SYNONYMS")
    shown = os.path.relpath(path, content.resolve().parent)
    return path, shown


def collect(generators) -> None:
    first = generators[0] if generators else None
    if first is None:
        return
    settings = first.settings
    if not setting(settings, "OFFLINE_SEARCH_ENABLED"):
        return
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    pages = next((g for g in generators if isinstance(g, PagesGenerator)), None)
    directory = first.context.get("group_directory")
    documents = selection.select(articles.articles if articles else (),
                                 pages.pages if pages else (),
                                 directory.pages if directory else ())
    path, shown = source_path(settings)
    synonym_list = synonyms.read(path, shown)
    for problem in synonym_list.problems:
        logger.error("%s", problem)
    topics = [facet.term.name for facet in directory.topics] if directory else []
    expander = Expander.build(
        [(s.word, s.term) for s in synonym_list.synonyms],
        [*topics, *setting(settings, "OFFLINE_SEARCH_COMPOUND_PARTS")],
        limit=setting(settings, "OFFLINE_SEARCH_MAX_EXTRA_WORDS"))
    _PENDING[os.path.realpath(first.output_path)] = (documents, expander)


def index_site(pelican) -> None:
    settings = pelican.settings
    pending = _PENDING.pop(os.path.realpath(pelican.output_path), None)
    if pending is None or not setting(settings, "OFFLINE_SEARCH_ENABLED"):
        return
    documents, expander = pending
    output = Path(pelican.output_path)
    try:
        indexer.write_words(output, setting(settings, "OFFLINE_SEARCH_WORDS_SAVE_AS"),
                            expander.vocabulary)
        stats = indexer.build_index(
            output, documents, expander,
            bundle_dir=setting(settings, "OFFLINE_SEARCH_BUNDLE_DIR"),
            language=setting(settings, "OFFLINE_SEARCH_LANGUAGE"),
            exclude_selectors=setting(settings, "OFFLINE_SEARCH_EXCLUDE_SELECTORS"),
            unused_files=setting(settings, "OFFLINE_SEARCH_UNUSED_FILES"),
            timeout=setting(settings, "OFFLINE_SEARCH_TIMEOUT"))
    except (indexer.IndexingError, OSError) as error:
        logger.error("Suchindex (Pagefind) konnte nicht erstellt werden: %s", error)
        return
    summary = (f"Suchindex: {stats.pages} Seiten in {stats.seconds:.1f} s, "
               f"{stats.bundle_bytes / 1e6:.1f} MB in {stats.bundle_files} Dateien "
               f"(Pagefind {stats.version}, Speicher höchstens "
               f"{stats.peak_rss_bytes / 2**20:.0f} MiB).")
    logger.info("%s Davon Pagefinds Aufbau und Schreiben des Index: %.1f s.", summary,
                stats.write_seconds)
    print(summary, flush=True)


def register() -> None:
    signals.initialized.connect(apply_defaults)
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(index_site)
