"""Pelican glue for offline_search: index the site with Pagefind while Pelican writes it.

* initialized: fill in the defaults (defaults.py) and the search page's CSP, so templates
  can use OFFLINE_SEARCH_* settings.
* all_generators_finalized: every post, page and group is known; select the documents to
  index (selection.py), read the synonym list and start Pagefind (indexer.IndexingSession),
  before any page is written.
* content_written: Pelican has written a file; if it is a selected document's page, hand it
  to Pagefind at once, which indexes it on the other core while Pelican writes on; after
  the last one, Pagefind builds and writes the bundle meanwhile.
* finalized: the site is written to pelican.output_path (publish: the staging folder);
  send the pages not seen yet, wait for Pagefind to write the bundle. Any failure is
  logged as an ERROR, which fails a publish build, so a site is never published with a
  missing or broken index.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator

from sitetools import written_page

from . import csp, indexer, selection, shards, synonyms
from .defaults import DEFAULTS, setting
from .service import ServiceError, find_executable
from .words import Expander

logger = logging.getLogger(__name__)

# The index being built, by output folder: from all_generators_finalized to finalized of
# one Pelican run. The preview runs builds one after another in one process.
_SESSIONS: dict[str, indexer.IndexingSession] = {}


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
    close_leftover_sessions()
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
    plan = shards.plan_shards(documents, setting(settings, "OFFLINE_SEARCH_PAGES_PER_SHARD"),
                              setting(settings, "OFFLINE_SEARCH_MAX_SHARDS"))
    bundle_dir = setting(settings, "OFFLINE_SEARCH_BUNDLE_DIR")
    # For the search page (search.html): the bundles it merges into the primary one.
    first.context["OFFLINE_SEARCH_MERGED_BUNDLES"] = shards.shard_dirs(bundle_dir, plan.count)[1:]
    words = ([(s.word, s.term) for s in synonym_list.synonyms], topics,
             setting(settings, "OFFLINE_SEARCH_COMPOUND_PARTS"))
    start_session(settings, first.output_path, documents, expander, plan, repr(words))


def settings_digest(settings: dict, words: str) -> str:
    """Everything besides the documents that makes a shard's bundle what it is."""
    digest = hashlib.sha256(words.encode("utf-8", "surrogatepass"))
    for name in ("OFFLINE_SEARCH_BUNDLE_DIR", "OFFLINE_SEARCH_LANGUAGE",
                 "OFFLINE_SEARCH_EXCLUDE_SELECTORS", "OFFLINE_SEARCH_MAX_EXTRA_WORDS",
                 "OFFLINE_SEARCH_UNUSED_FILES"):
        digest.update(f"{name}={setting(settings, name)!r}\n".encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    try:
        program = find_executable()
        status = program.stat()
        digest.update(f"{program}\0{status.st_size}\0{status.st_mtime_ns}".encode())
    except (OSError, ServiceError):
        pass  # reported when Pagefind is started
    return digest.hexdigest()


def start_session(settings: dict, output_path: str, documents: list[selection.Document],
                  expander: Expander, plan: shards.ShardPlan, words: str) -> None:
    key = os.path.realpath(output_path)
    try:
        _SESSIONS[key] = shards.ShardedIndex(
            Path(output_path), documents, expander,
            Path(settings.get("CACHE_PATH") or "cache").resolve() / "offline_search",
            settings_digest(settings, words), plan=plan,
            bundle_dir=setting(settings, "OFFLINE_SEARCH_BUNDLE_DIR"),
            keep_paths=[setting(settings, "OFFLINE_SEARCH_WORDS_SAVE_AS")],
            language=setting(settings, "OFFLINE_SEARCH_LANGUAGE"),
            exclude_selectors=setting(settings, "OFFLINE_SEARCH_EXCLUDE_SELECTORS"),
            unused_files=setting(settings, "OFFLINE_SEARCH_UNUSED_FILES"),
            timeout=setting(settings, "OFFLINE_SEARCH_TIMEOUT"))
    except indexer.IndexingError as error:
        give_up(key, error)


def close_leftover_sessions() -> None:
    """Pelican runs one build at a time: a session still open when the next build starts is
    from a build that failed before finalized (the preview goes on after one). Without this,
    its Pagefind would run until Python exits (service.py ends it then)."""
    while _SESSIONS:
        _SESSIONS.popitem()[1].close()


def report(error: Exception) -> None:
    logger.error("Suchindex (Pagefind) konnte nicht erstellt werden: %s", error)


def give_up(key: str, error: Exception) -> None:
    """Indexing failed during the build: say so (which fails a publish build) and end
    Pagefind; finalized then has nothing to do."""
    report(error)
    session = _SESSIONS.pop(key, None)
    if session is not None:
        session.close()


def send_page(path: str, context=None) -> None:
    """content_written: Pelican has just written `path` (any file it writes). Its digest,
    where rebuild_cache's writer put it into the context, spares reading the page back."""
    page_digest = (context.get(written_page.DIGEST_VARIABLE) if isinstance(context, dict)
                   else None)
    for key, session in list(_SESSIONS.items()):
        try:
            if session.page_written(path, page_digest):
                return
        except (indexer.IndexingError, OSError) as error:
            give_up(key, error)
            return


def index_site(pelican) -> None:
    session = _SESSIONS.pop(os.path.realpath(pelican.output_path), None)
    if session is None:  # search is off, or indexing failed and said so
        return
    settings = pelican.settings
    try:
        indexer.write_words(Path(pelican.output_path),
                            setting(settings, "OFFLINE_SEARCH_WORDS_SAVE_AS"),
                            session.expander.vocabulary)
        stats = session.finish()
    except (indexer.IndexingError, OSError) as error:
        report(error)
        return
    finally:
        session.close()
    shards = f"{stats.shards} {'Teil' if stats.shards == 1 else 'Teile'}"
    if stats.indexed:
        summary = (f"Suchindex: {stats.pages} Seiten in {stats.seconds:.1f} s, "
                   f"{stats.bundle_bytes / 1e6:.1f} MB in {stats.bundle_files} Dateien "
                   f"(Pagefind {stats.version}, Speicher höchstens "
                   f"{stats.peak_rss_bytes / 2**20:.0f} MiB). {shards}, davon {stats.reused} "
                   f"unverändert übernommen; {stats.indexed} Seiten neu indexiert.")
    else:  # Pagefind did not even start
        summary = (f"Suchindex: {stats.pages} Seiten, {stats.bundle_bytes / 1e6:.1f} MB in "
                   f"{stats.bundle_files} Dateien (Pagefind {stats.version}), unverändert "
                   f"aus dem Zwischenspeicher übernommen ({shards}).")
    logger.info("%s Nach dem Schreiben der Website: %.1f s. %d von %d neu indexierten Seiten "
                "schon beim Schreiben gesendet.", summary, stats.finish_seconds,
                stats.sent_while_writing, stats.indexed)
    print(summary, flush=True)


def register() -> None:
    signals.initialized.connect(apply_defaults)
    signals.all_generators_finalized.connect(collect)
    signals.content_written.connect(send_page)
    signals.finalized.connect(index_site)
