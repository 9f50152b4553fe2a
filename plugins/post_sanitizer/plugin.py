"""Pelican glue for post_sanitizer. The rules live in policy.py, metadata.py and paths.py.

Signals used (see shared notes on Pelican 4.12, section 3):

- `initialized`: check the Markdown configuration and this plugin's settings;
- `get_generators`: forget the last run's resolved folders (the preview runs many);
- `readers_init`: remember which file each metadata dict came from (trust and line numbers);
- `article_generator_context` / `page_generator_context`: clean the metadata of contributed
  content before Pelican builds slugs, URLs, taxonomies and feeds from it (remembered per
  file, metadata_memo.py);
- `content_object_init`: refuse path escapes (all content) and clean contributed bodies,
  before Pelican collects `{static}` links to copy;
- `all_generators_finalized`: fail on two contents writing the same output file;
- `finalized`: prune the cache.

Warnings tell editors what was removed; errors (path escapes, duplicate outputs, forbidden
Markdown extensions, bad settings) fail a publish build through sitetools/problems.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import logging
import os
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pelican import signals
from pelican.contents import Article, Page
from pelican.urlwrappers import Author, Category

from .backend import BACKENDS
from .cache import ResultCache, cache_key
from .checks import Output, duplicate_outputs, forbidden_extensions
from .defaults import setting
from .errors import (
    DuplicateOutputError, ForbiddenExtensionError, PathEscapeError, SanitizeError,
    SettingsError,
)
from .metadata import MetadataRules, sanitize_metadata
from .metadata_memo import apply_result, describe_result, metadata_key
from .model import CleanResult
from .paths import (
    invalid_trusted_paths, lies_in, neutralise_path_escapes, trusted_folders,
)
from .policy import clean_body_html, policy_fingerprint, sanitize_summary
from .report import LineFinder, display_path, metadata_line, read_source, report_line

logger = logging.getLogger(__name__)

# Private metadata keys, set by the wrapped readers and removed again before Pelican uses
# the metadata: the file a metadata dict came from, and which keys the file itself set.
SOURCE_KEY = "_post_sanitizer_source"
FILE_KEYS_KEY = "_post_sanitizer_file_keys"

CONTENT_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations",
                 "drafts", "drafts_translations", "pages", "hidden_pages", "draft_pages",
                 "draft_translations")


# --- settings ------------------------------------------------------------------------------
def content_root(settings: dict) -> str:
    return settings["PATH"]


def site_host(settings: dict) -> str:
    return (urlsplit(settings.get("SITEURL") or "").hostname or "").lower()


def backend_name(settings: dict) -> str:
    """The configured backend, or bleach if it is unknown or not installed (reported at
    `initialized`, which fails a publish build)."""
    name = setting(settings, "POST_SANITIZER_BACKEND")
    if name == "nh3":
        try:
            import nh3  # noqa: F401, PLC0415 - only to see whether it is installed
        except ImportError:
            return "bleach"
    return name if name in BACKENDS else "bleach"


def image_paths(settings: dict) -> tuple[str, ...]:
    return tuple(setting(settings, "POST_SANITIZER_IMAGE_PATHS"))


def metadata_rules(settings: dict) -> MetadataRules:
    return MetadataRules(
        allowed_keys=frozenset(k.lower() for k in
                               setting(settings, "POST_SANITIZER_ALLOWED_METADATA")),
        allowed_statuses=frozenset(s.lower() for s in
                                   setting(settings, "POST_SANITIZER_ALLOWED_STATUSES")),
        title_max=setting(settings, "POST_SANITIZER_TITLE_MAX_LENGTH"),
        text_max=setting(settings, "POST_SANITIZER_TEXT_MAX_LENGTH"),
        site_host=site_host(settings),
        image_paths=image_paths(settings),
        backend=backend_name(settings),
        default_author=setting(settings, "POST_SANITIZER_DEFAULT_AUTHOR"),
        default_category=settings.get("DEFAULT_CATEGORY") or "Allgemein",
        summary_cleaner=lambda summary: clean_summary(settings, summary),
    )


def trusted(settings: dict, source_path: str | None) -> bool:
    if source_path is None:
        return False  # unknown origin: treat as contributed
    return _trusted(source_path, str(content_root(settings)),
                    tuple(setting(settings, "POST_SANITIZER_TRUSTED_PATHS")))


# Asked twice per post (metadata, body); resolving the paths each time took a quarter of a
# rebuild's reading. Forgotten at the start of every run (the preview runs many).
@lru_cache(maxsize=4096)
def _trusted(source_path: str, root: str, trusted_paths: tuple[str, ...]) -> bool:
    return lies_in(source_path, _trusted_folders(root, trusted_paths))


@lru_cache(maxsize=8)
def _trusted_folders(root: str, trusted_paths: tuple[str, ...]) -> list[Path]:
    return trusted_folders(root, trusted_paths)


def forget_previous_run(_pelican=None) -> None:
    _settings_parts.clear()
    _trusted.cache_clear()
    _trusted_folders.cache_clear()
    _cache_for.cache_clear()


def settings_problems(settings: dict) -> list[SanitizeError]:
    """Everything wrong with the Markdown configuration and this plugin's settings."""
    problems: list[SanitizeError] = []
    forbidden = setting(settings, "POST_SANITIZER_FORBIDDEN_MARKDOWN_EXTENSIONS")
    for name in forbidden_extensions(settings.get("MARKDOWN", {}), forbidden):
        problems.append(ForbiddenExtensionError(
            "pelicanconf.py", None,
            f"MARKDOWN: Die Erweiterung „{name}“ ist nicht erlaubt, weil sie Text in Beiträgen "
            "HTML-Attribute setzen, Dateien lesen oder Code ausführen lässt. Bitte aus "
            "MARKDOWN[\"extension_configs\"] entfernen."))
    for folder in invalid_trusted_paths(content_root(settings),
                                        setting(settings, "POST_SANITIZER_TRUSTED_PATHS")):
        problems.append(SettingsError(
            "pelicanconf.py", None,
            f"POST_SANITIZER_TRUSTED_PATHS: „{folder}“ ist kein Unterordner des "
            "Inhaltsordners; nur einzelne Unterordner können vertrauenswürdig sein."))
    backend = setting(settings, "POST_SANITIZER_BACKEND")
    if backend not in BACKENDS:
        problems.append(SettingsError(
            "pelicanconf.py", None,
            f"POST_SANITIZER_BACKEND: unbekannter Wert „{backend}“; erlaubt sind "
            f"{', '.join(BACKENDS)}."))
    elif backend != backend_name(settings):
        problems.append(SettingsError(
            "pelicanconf.py", None,
            f"POST_SANITIZER_BACKEND: „{backend}“ ist nicht installiert; bitte "
            f"„pip install {backend}“ oder „bleach“ einstellen."))
    return problems


def check_settings(pelican) -> None:
    for problem in settings_problems(pelican.settings):
        logger.error(str(problem))


# --- which file, which line ----------------------------------------------------------------
def record_sources(readers) -> None:
    """Make each reader's metadata name the file it came from and the keys it set.

    `article_generator_context` only receives the metadata dict, but trust and line numbers
    need the file. `readers_init` comes before the readers are created, so the reader
    classes are swapped for recording subclasses. The keys are removed in `clean_metadata`.
    """
    for extension, reader_class in list(readers.reader_classes.items()):
        if reader_class and extension != "static":
            readers.reader_classes[extension] = recording_reader(reader_class)


@cache
def recording_reader(reader_class: type) -> type:
    if getattr(reader_class, "_post_sanitizer_recording", False):
        return reader_class

    def read(self, source_path):
        content, metadata = reader_class.read(self, source_path)
        metadata = dict(metadata or {})
        metadata[FILE_KEYS_KEY] = tuple(metadata)
        metadata[SOURCE_KEY] = source_path
        return content, metadata

    # Same name: Pelican derives metadata["reader"] from the class name.
    return type(reader_class.__name__, (reader_class,), {
        "read": read, "_post_sanitizer_recording": True, "__module__": reader_class.__module__,
        "__doc__": reader_class.__doc__,
    })


@lru_cache(maxsize=256)
def _source_text(path: str, _mtime: float) -> str:
    return read_source(path)


def source_text(path: str | None) -> str:
    if not path:
        return ""
    try:
        return _source_text(path, os.path.getmtime(path))
    except OSError:
        return ""


def relative_dir(settings: dict, source_path: str) -> str:
    return os.path.dirname(os.path.relpath(os.path.abspath(source_path),
                                           os.path.abspath(content_root(settings))))


def shown_path(settings: dict, source_path: str | None) -> str:
    if not source_path:
        return "(unbekannte Datei)"
    return display_path(source_path, content_root(settings))


# --- metadata ------------------------------------------------------------------------------
def clean_metadata(generator, metadata: dict) -> None:
    settings = generator.settings
    source = metadata.pop(SOURCE_KEY, None)
    # Without the reader's record every key counts as the file's own (the safe side), except
    # the one Pelican always adds.
    file_keys = metadata.pop(FILE_KEYS_KEY, tuple(k for k in metadata if k != "reader"))
    # Path escapes depend on the file system (symbolic links), so they are checked on every
    # build, around the remembered cleaning: before it for all content, again after it.
    refuse_summary_escapes(settings, source, metadata)
    if trusted(settings, source):
        return
    cache = result_cache(settings)
    key = metadata_cache_key(settings, source, metadata, file_keys) if cache.folder else None
    messages = remembered_cleaning(cache, key, metadata, settings) if key else None
    if messages is None:
        given = dict(metadata)
        messages = clean_contributed_metadata(settings, source, metadata, file_keys)
        description = describe_result(given, metadata)
        if key and description is not None:
            cache.put_data(key, {"metadata": description, "messages": messages})
    for level, message in messages:
        logger.log(level, "%s", message)
    refuse_summary_escapes(settings, source, metadata)


def remembered_cleaning(cache: ResultCache, key: str, metadata: dict,
                        settings: dict) -> list[tuple[int, str]] | None:
    """Apply a remembered cleaning to `metadata`; its messages, or None if there is none."""
    remembered = cache.get_data(key)
    if remembered is None:
        return None
    try:
        messages = [(int(level), str(message)) for level, message in remembered["messages"]]
        apply_result(metadata, remembered["metadata"], settings)
    except Exception:  # noqa: BLE001 - a damaged entry: clean again (metadata is untouched)
        return None
    return messages


def refuse_summary_escapes(settings: dict, source: str | None, metadata: dict) -> None:
    if source and isinstance(metadata.get("summary"), str):
        metadata["summary"] = refuse_path_escapes(settings, source, metadata["summary"],
                                                  metadata_key="summary")


def clean_contributed_metadata(settings: dict, source: str | None, metadata: dict,
                               file_keys: tuple[str, ...]) -> list[tuple[int, str]]:
    """Clean a contributed post's metadata in place; return what to log, as (level,
    message), made here rather than taken from logging, so a remembered cleaning tells
    the same whatever the logging setup of the build that made it."""

    def make_wrapper(kind: str, name: str):
        return (Author if kind == "author" else Category)(name, settings)

    notes = sanitize_metadata(metadata, file_keys, metadata_rules(settings), make_wrapper)
    messages = []
    if notes:
        text = source_text(source)
        path = shown_path(settings, source)
        for note in notes:
            line = metadata_line(text, note.key) if text else None
            messages.append((logging.WARNING, report_line(path, line or 1, note.message)))
    problem = unknown_category(settings, source, metadata, file_keys)
    if problem:
        messages.append((logging.ERROR, problem))
    return messages


def metadata_cache_key(settings: dict, source: str | None, metadata: dict,
                       file_keys: tuple[str, ...]) -> str | None:
    """Everything that decides clean_contributed_metadata's result and messages: the
    metadata, the file (line numbers), the settings and versions it reads (slugs decide
    whether a tag is kept) and the plugin's code."""
    if not source:
        return None
    try:
        with open(source, "rb") as handle:
            file_digest = hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None
    return metadata_key(metadata, os.path.abspath(source), file_digest, repr(file_keys),
                        settings_key_part(settings))


# The settings' part of the key, once per run and settings dict (it took 0.17 s per thousand
# posts when made for each). The dict is kept with it, so its id() is not reused meanwhile.
_settings_parts: dict[int, tuple[dict, str]] = {}


def settings_key_part(settings: dict) -> str:
    remembered = _settings_parts.get(id(settings))
    if remembered is not None and remembered[0] is settings:
        return remembered[1]
    rules = metadata_rules(settings)
    rules_text = stable_repr([(field.name, getattr(rules, field.name))
                              for field in dataclasses.fields(rules)
                              if not callable(getattr(rules, field.name))])
    slug_settings = stable_repr(sorted((name, value) for name, value in settings.items()
                                       if "SLUG" in name or name.endswith("_SUBSTITUTIONS")))
    part = "\0".join([rules_text, stable_repr(setting(settings, "POST_SANITIZER_CATEGORIES")),
                      slug_settings, slug_versions(),
                      policy_fingerprint(rules.backend, rules.site_host, rules.image_paths)])
    _settings_parts[id(settings)] = (settings, part)
    return part


def stable_repr(value) -> str:
    """repr(), but sets in a fixed order: their order follows string hashes, which differ
    between processes."""
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(stable_repr(item) for item in value)) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(stable_repr(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(sorted(f"{stable_repr(k)}: {stable_repr(v)}"
                                      for k, v in value.items())) + "}"
    return repr(value)


@lru_cache(maxsize=1)
def slug_versions() -> str:
    """Pelican's slugify and Unidecode decide which names make a slug."""
    found = []
    for name in ("pelican", "unidecode"):
        try:
            found.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} fehlt")
    return " ".join(found)


def unknown_category(settings: dict, source: str | None, metadata: dict,
                     file_keys: tuple[str, ...]) -> str | None:
    """A missing or misspelt category fails the build, as `make.py check` says: otherwise
    Pelican quietly opens a new category page and feed ("Erfahrungsbericht")."""
    allowed = setting(settings, "POST_SANITIZER_CATEGORIES")
    if "category" not in file_keys:
        message, line = f"Pflichtangabe „Category:“ fehlt (erlaubt: {', '.join(allowed)}).", 1
    elif str(metadata.get("category", "")) not in allowed:
        message = (f"Kategorie „{metadata.get('category', '')}“ gibt es nicht; erlaubt: "
                   f"{', '.join(allowed)}.")
        line = metadata_line(source_text(source), "category") or 1
    else:
        return None
    return report_line(shown_path(settings, source), line, message)


# --- bodies --------------------------------------------------------------------------------
def published_folders(settings: dict) -> list[str]:
    """The folders whose files a {static} or {attach} link may publish."""
    return [*settings.get("STATIC_PATHS", []), *image_paths(settings)]


def refuse_path_escapes(settings: dict, source: str, html: str,
                        metadata_key: str | None = None) -> str:
    """Replace path-escaping link targets by "#" and log an error for each."""
    cleaned, escapes = neutralise_path_escapes(html, relative_dir(settings, source),
                                               content_root(settings),
                                               settings.get("INTRASITE_LINK_REGEX",
                                                            "[{|](?P<what>.*?)[|}]"),
                                               static_folders=published_folders(settings))
    if escapes:
        text = source_text(source)
        finder = LineFinder(text)
        for escape in escapes:
            if metadata_key:
                line = metadata_line(text, metadata_key) or 1
            else:
                line = finder.line_for((escape.written, "{" + escape.kind + "}",
                                        "|" + escape.kind + "|"))
            logger.error(str(PathEscapeError(shown_path(settings, source), line,
                                             escape.message())))
    return cleaned


def result_cache(settings: dict) -> ResultCache:
    if not setting(settings, "POST_SANITIZER_CACHE"):
        return ResultCache(None)
    return _cache_for(settings.get("CACHE_PATH") or "cache", str(content_root(settings)))


@lru_cache(maxsize=8)
def _cache_for(cache_path: str, content: str) -> ResultCache:
    folder = Path(cache_path).resolve() / "post_sanitizer"
    root = Path(content).resolve()
    if folder == root or folder.is_relative_to(root):
        return ResultCache(None)  # never write into content/
    return ResultCache(folder)


def clean_body(settings: dict, html: str) -> CleanResult:
    """The cleaned body and its removals, from the cache if this HTML was cleaned before
    with the same policy, backend and site host."""
    backend, host, images = backend_name(settings), site_host(settings), image_paths(settings)
    cache = result_cache(settings)
    key = cache_key(html, policy_fingerprint(backend, host, images))
    cached = cache.get(key)
    if cached is not None:
        return cached
    result = clean_body_html(html, site_host=host, backend=backend, image_paths=images)
    cache.put(key, result)
    return result


def clean_summary(settings: dict, html: str) -> CleanResult:
    """A summary through the summary allowlist, from the cache like bodies."""
    backend, host = backend_name(settings), site_host(settings)
    cache = result_cache(settings)
    key = cache_key(html, "summary\0" + policy_fingerprint(backend, host, image_paths(settings)))
    cached = cache.get(key)
    if cached is not None:
        return cached
    result = sanitize_summary(html, site_host=host, backend=backend)
    cache.put(key, result)
    return result


def clean_content(content) -> None:
    """Path escapes for all content; the full cleaning for contributed Articles and Pages.

    Runs inside Content.__init__, before Pelican collects `{static}` links to copy. Reads
    and writes `_content` only: `.content` and `.summary` are memoised (#1986)."""
    if not isinstance(content, (Article, Page)) or not content._content:
        return
    settings = content.settings
    source = content.source_path
    content._content = refuse_path_escapes(settings, source, content._content)
    if trusted(settings, source):
        return
    result = clean_body(settings, content._content)
    # Again on the cleaned HTML: cleaning decodes entities and quotes attributes, so a
    # target written as `&#123;static&#125;/…` or unquoted only becomes a link here.
    content._content = refuse_path_escapes(settings, source, result.html)
    if result.removals:
        path = shown_path(settings, source)
        finder = LineFinder(source_text(source))
        for removal in result.removals:
            logger.warning(report_line(path, finder.line_for(removal.needles), str(removal)))


# --- whole site ----------------------------------------------------------------------------
def planned_outputs(generators) -> list[Output]:
    """Every content file's output, then Pelican's own pages (index, tags, …)."""
    outputs: list[Output] = []
    seen: set[int] = set()
    settings = None
    for generator in generators:
        settings = settings or getattr(generator, "settings", None)
        for name in CONTENT_LISTS:
            for content in getattr(generator, name, None) or []:
                if id(content) not in seen and isinstance(content, (Article, Page)):
                    seen.add(id(content))
                    outputs.append(Output(content.save_as, content.source_path))
    for generator in generators:
        for name in ("tags", "categories", "authors"):
            for entry in getattr(generator, name, None) or {}:
                # dicts while reading, lists of (wrapper, articles) after Pelican sorts them
                wrapper = entry[0] if isinstance(entry, tuple) else entry
                outputs.append(Output(wrapper.save_as, f"Pelicans Übersichtsseite „{wrapper}“",
                                      is_content=False))
    for template in (settings or {}).get("DIRECT_TEMPLATES", []):
        save_as = settings.get(f"{template.upper()}_SAVE_AS", f"{template}.html")
        outputs.append(Output(save_as, f"Pelicans Seite „{template}“", is_content=False))
    return outputs


def check_duplicate_outputs(generators) -> None:
    settings = next((g.settings for g in generators if hasattr(g, "settings")), None)
    if settings is None:
        return
    for first, second in duplicate_outputs(planned_outputs(generators)):
        writer, other = (second, first) if second.is_content else (first, second)
        path = shown_path(settings, writer.source)
        line = _output_key_line(writer.source)
        other_name = (shown_path(settings, other.source) if other.is_content else other.source)
        message = (f"Diese Datei und {other_name} würden beide die Ausgabedatei "
                   f"„{writer.save_as}“ schreiben; eine würde die andere überschreiben. Bitte "
                   "„Slug:“ (oder „Save_as:“) in einer der beiden ändern.")
        logger.error(str(DuplicateOutputError(path, line, message, other_name)))


def _output_key_line(source: str) -> int | None:
    text = source_text(source)
    for key in ("save_as", "slug", "url"):
        line = metadata_line(text, key) if text else None
        if line:
            return line
    return None


def prune_cache(pelican) -> None:
    settings = pelican.settings
    cache = result_cache(settings)
    cache.prune(setting(settings, "POST_SANITIZER_CACHE_MAX_AGE_DAYS"))
    logger.debug("post_sanitizer: %d aus dem Zwischenspeicher, %d neu bereinigt",
                 cache.hits, cache.misses)


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.get_generators.connect(forget_previous_run)
    signals.readers_init.connect(record_sources)
    signals.article_generator_context.connect(clean_metadata)
    signals.page_generator_context.connect(clean_metadata)
    signals.content_object_init.connect(clean_content)
    signals.all_generators_finalized.connect(check_duplicate_outputs)
    signals.finalized.connect(prune_cache)
