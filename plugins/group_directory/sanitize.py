"""Turn the editors' free text into safe text and HTML, with the same policy as posts.

The policy lives in the post_sanitizer plugin (`post_sanitizer.policy`): `clean_text` for plain
text and `clean_body_html` for HTML. It is imported lazily so that this module (and the pure
reader) can be used and tested on its own. If that plugin is not there at all, a strict
fallback is used instead: tags are removed from text, and descriptions are shown as escaped
plain paragraphs without Markdown. The fallback never lets markup through.
"""

from __future__ import annotations

import hashlib
import html
import importlib
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from sitetools.entry_store import ENTRIES_FILE, EntryStore


POLICY_MODULE = "post_sanitizer.policy"
_TAG = re.compile(r"<[^>]*>?")
_SPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class CleanHtml:
    html: str  #: safe to print unescaped
    text: str  #: the same content as plain text
    removals: tuple[str, ...] = ()  #: what the sanitiser removed, for a warning


class Cleaner(Protocol):
    """What the reader needs to make editors' text safe."""

    def text(self, value: str, max_length: int) -> str: ...

    def markdown(self, source: str, where: str) -> CleanHtml: ...

    def prepare(self, sources: Sequence[str]) -> None:
        """Optionally clean many Markdown sources ahead of the `markdown()` calls."""


def import_sibling_plugin_module(name: str) -> ModuleType:
    """Import a module of another local plugin (e.g. post_sanitizer.policy).

    Pelican imports local plugins from PLUGIN_PATHS without putting that folder on sys.path,
    so a plugin that is loaded is importable, one that is not is found next to this plugin.
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is None or not name.startswith(error.name):
            raise  # the module exists but one of its own imports is missing
    plugins_dir = str(Path(__file__).resolve().parent.parent)
    if plugins_dir not in sys.path:
        sys.path.append(plugins_dir)
    return importlib.import_module(name)


def load_policy() -> ModuleType | None:
    try:
        return import_sibling_plugin_module(POLICY_MODULE)
    except ModuleNotFoundError as error:
        if error.name is not None and POLICY_MODULE.startswith(error.name):
            return None
        raise


@cache
def _code_version() -> str:
    """This module's source, so changed cleaning rules never serve an old result."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def strip_tags(value: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value))).strip()


def shorten(text: str, max_length: int) -> str:
    if len(text) <= max_length:
        return text
    cut = text[: max_length - 1].rsplit(" ", 1)[0] or text[: max_length - 1]
    return cut.rstrip(" ,;:–-") + "…"


DESCRIPTIONS_KEPT_FOR = 30 * 86400  # seconds a cleaned description is kept unused


class SiteCleaner:
    """Sanitises with post_sanitizer's policy; Markdown as configured for posts."""

    def __init__(self, policy: ModuleType | None, markdown_settings: dict[str, Any] | None = None,
                 site_host: str = "", backend: str | None = None, *, workers: int = 0,
                 parallel_from: int = 1000, cache_folder: Path | None = None) -> None:
        """`policy`: post_sanitizer.policy (see `load_policy`), or None for the fallback.
        `backend`: the HTML cleaner the site chose for posts (POST_SANITIZER_BACKEND).
        `workers`, `parallel_from`: see `prepare`. `cache_folder`: where cleaned
        descriptions are kept for the next build (None: nowhere)."""
        self.cache_folder = cache_folder
        self._cache: EntryStore | None = None
        self.policy = policy
        self.backend = {"backend": backend} if backend else {}
        self.site_host = site_host
        self.workers = workers
        self.parallel_from = parallel_from
        self._markdown_settings = markdown_settings or {}
        self._markdown: Any = None
        self._texts: dict[tuple[str, int], str] = {}  # topics and places repeat a lot
        self._prepared: dict[str, CleanHtml] = {}

    @property
    def uses_fallback(self) -> bool:
        return self.policy is None

    def text(self, value: str, max_length: int) -> str:
        key = (value, max_length)
        cleaned = self._texts.get(key)
        if cleaned is None:
            if self.policy is not None:
                cleaned = self.policy.clean_text(value, max_length=max_length)
                cleaned = _SPACE.sub(" ", cleaned).strip()
            else:
                cleaned = shorten(strip_tags(value), max_length)
            self._texts[key] = cleaned
        return cleaned

    def prepare(self, sources: Sequence[str]) -> None:
        """Clean many descriptions at once: with `workers` processes beside this one when
        there are at least `parallel_from` of them (else nothing is done ahead)."""
        todo = [s for s in dict.fromkeys(sources) if s.strip() and s not in self._prepared]
        todo = [s for s in todo if not self._from_cache(s)]
        if self.policy is None or self.workers <= 0 or len(todo) < self.parallel_from:
            return
        from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

        from .workers import chunk_size, process_context  # noqa: PLC0415

        own = len(todo) // (self.workers + 1)  # this process does its share meanwhile
        theirs = todo[own:]
        size = chunk_size(len(theirs), self.workers)
        with ProcessPoolExecutor(
                max_workers=self.workers, mp_context=process_context(),
                initializer=_start_worker,
                initargs=(self._markdown_settings, self.site_host, self.backend)) as pool:
            futures = [pool.submit(_clean_in_worker, theirs[i:i + size])
                       for i in range(0, len(theirs), size)]
            for source in todo[:own]:
                self._prepared[source] = self._clean_markdown(source, "")
            for start, future in zip(range(0, len(theirs), size), futures):
                for source, result in zip(theirs[start:start + size], future.result()):
                    self._prepared[source] = result
        for source in todo:
            self._to_cache(source, self._prepared[source])

    def markdown(self, source: str, where: str) -> CleanHtml:
        if not source.strip():
            return CleanHtml("", "")
        prepared = self._prepared.get(source)
        if prepared is not None or self._from_cache(source):
            return self._prepared[source]
        result = self._clean_markdown(source, where)
        self._to_cache(source, result)
        return result

    # --- the cache of cleaned descriptions, for rebuilds ----------------------------------------
    @property
    def cache(self) -> EntryStore:
        """Cleaned descriptions of earlier builds (a store that never hits without a cache
        folder or without post_sanitizer's policy)."""
        if self._cache is None:
            usable = self.cache_folder is not None and self.policy is not None
            self._cache = EntryStore(self.cache_folder / ENTRIES_FILE if usable else None)
        return self._cache

    def tidy_cache(self) -> None:
        """After every description was cleaned: record which entries this build used, drop
        those unused for DESCRIPTIONS_KEPT_FOR (by age, not by this build's use: the preview
        and the publish build clean for different hosts and share the cache), and the
        one-file-per-entry cache of earlier versions of this plugin."""
        self.cache.remember_use()
        self.cache.remove_older_than(DESCRIPTIONS_KEPT_FOR)
        if self.cache_folder is not None:
            for old in self.cache_folder.glob("*.json"):
                old.unlink(missing_ok=True)

    def _cache_key(self, source: str) -> str:
        fingerprint = (self.policy.policy_fingerprint(**self.backend, site_host=self.site_host)
                       if self.policy is not None else "")
        key = hashlib.sha256(repr((fingerprint, sorted(self._markdown_settings.items(), key=str),
                                   source, _code_version())).encode("utf-8", "surrogatepass"))
        return key.hexdigest()

    def _from_cache(self, source: str) -> bool:
        if self.cache.path is None:
            return False
        stored = self.cache.get(self._cache_key(source))
        if stored is None:
            return False
        try:
            data = json.loads(stored)
            self._prepared[source] = CleanHtml(data["html"], data["text"],
                                               tuple(data["removals"]))
        except (ValueError, KeyError, TypeError):
            return False
        return True

    def _to_cache(self, source: str, result: CleanHtml) -> None:
        if self.cache.path is None:
            return
        self.cache.put(self._cache_key(source), json.dumps(
            {"html": result.html, "text": result.text,
             "removals": list(result.removals)}).encode())

    def _clean_markdown(self, source: str, where: str) -> CleanHtml:
        if self.policy is None:
            paragraphs = [strip_tags(part) for part in _PARAGRAPH_BREAK.split(source)]
            body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
            return CleanHtml(body, " ".join(p for p in paragraphs if p))
        rendered = self._render_markdown(source)
        result = self.policy.clean_body_html(rendered, site_host=self.site_host, source=where,
                                             **self.backend)
        removals = tuple(str(item) for item in (getattr(result, "removals", None) or ()))
        safe_html = str(result.html)
        text = _SPACE.sub(" ", self.policy.clean_text(safe_html, max_length=10_000)).strip()
        return CleanHtml(safe_html, text, removals)

    def _render_markdown(self, source: str) -> str:
        if self._markdown is None:
            from markdown import Markdown  # noqa: PLC0415 - only needed with descriptions

            configs = {
                name: config
                for name, config in self._markdown_settings.get("extension_configs", {}).items()
                if not name.endswith((".meta", ".codehilite", ".toc"))
            }
            self._markdown = Markdown(
                extensions=list(configs), extension_configs=configs,
                output_format=self._markdown_settings.get("output_format", "html5"))
        return self._markdown.reset().convert(source)


_worker_cleaner: SiteCleaner | None = None


def _start_worker(markdown_settings: dict[str, Any], site_host: str,
                  backend: dict[str, str]) -> None:
    global _worker_cleaner  # noqa: PLW0603 - one cleaner per worker process
    _worker_cleaner = SiteCleaner(load_policy(), markdown_settings, site_host,
                                  backend.get("backend"))


def _clean_in_worker(sources: list[str]) -> list[CleanHtml]:
    assert _worker_cleaner is not None
    return [_worker_cleaner.markdown(source, "") for source in sources]


def describe_removals(removals: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(removals[:limit])
    return shown + (f" und {len(removals) - limit} weitere" if len(removals) > limit else "")
