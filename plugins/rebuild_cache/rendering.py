"""Render an output page only when something it shows changed.

Pelican renders and rewrites every page on every build. The writer here hands Pelican a
template wrapper: its render() looks the page up by the digest of the template's inputs
(inputs.py) and renders only on a miss. Pelican still writes every file and sends
`content_written`, so the sitemap and every other plugin see the same build as before, and
the output is byte for byte that of a full build.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from pelican.writers import Writer

from .inputs import ALL_VARIABLES, Digester, template_variables
from .store import EntryFolder

logger = logging.getLogger(__name__)

# Read by Pelican's writer itself, or by Content.content while rendering.
ALWAYS_INPUTS = frozenset({"output_file", "SITEURL", "localsiteurl"})


class RenderCache:
    def __init__(self, entries: EntryFolder, digester: Digester, settings: dict) -> None:
        self.entries = entries
        self.digester = digester
        self.settings = settings
        self._variables: dict[str, frozenset[str] | None] = {}
        self.rendered = 0
        self.reused = 0

    def variables(self, template) -> frozenset[str] | None:
        name = template.name
        if name not in self._variables:
            found = template_variables(template.environment, name)
            self._variables[name] = (ALL_VARIABLES if found is ALL_VARIABLES
                                     else found | ALWAYS_INPUTS)
        return self._variables[name]

    def render(self, template, context: Mapping) -> str:
        if template.name is None:  # a template made from a string: nothing to key it by
            return template.render(context)
        key = self.digester.key((template.name,), context, self.variables(template))
        cached = self.entries.read(key)
        if cached is not None:
            self.reused += 1
            return cached.decode("utf-8", "surrogatepass")
        text = template.render(context)
        self.entries.write(key, text.encode("utf-8", "surrogatepass"))
        self.rendered += 1
        logger.debug("rebuild_cache: %s neu erzeugt", context.get("output_file"))
        return text


class CachedTemplate:
    """Stands in for a Jinja template in Writer.write_file."""

    def __init__(self, template, cache: RenderCache) -> None:
        self._template = template
        self._cache = cache

    def render(self, context=None, **variables) -> str:
        if variables:
            context = dict(context or {}, **variables)
        return self._cache.render(self._template, context or {})

    def __getattr__(self, name):
        return getattr(self._template, name)


class RenderAhead:
    """The posts' pages (ArticlesGenerator.generate_pages: post pages, archives, index,
    tags, categories, authors) rendered by a helper process from the last one backwards,
    while this process writes them from the first (helper.py). The helper only fills the
    render cache; this process still writes every file and sends every signal."""

    def __init__(self, jobs: list[tuple[str, tuple, dict]], helper) -> None:
        self.jobs = jobs  # (name, args, kwargs) of each write_file call, in Pelican's order
        self.helper = helper
        self.calls = 0

    def claim_next(self, name: str) -> None:
        number = self.calls
        self.calls += 1
        if number < len(self.jobs) and self.jobs[number][0] == name:
            self.helper.claim(str(number))


def record_post_pages(articles_generator) -> list[tuple[str, tuple, dict]]:
    """The write_file calls ArticlesGenerator.generate_pages will make, without rendering."""
    jobs: list[tuple[str, tuple, dict]] = []

    class Recorder:
        def write_file(self, name, *args, **kwargs):
            jobs.append((name, args, kwargs))

    articles_generator.generate_pages(Recorder())
    return jobs


def caching_writer(cache: RenderCache, ahead: RenderAhead | None = None) -> type[Writer]:
    class CachingWriter(Writer):
        def write_file(self, name, template, context, *args, **kwargs):
            if ahead is not None:
                ahead.claim_next(name)
            return super().write_file(name, CachedTemplate(template, cache), context,
                                      *args, **kwargs)

    return CachingWriter


def rendering_only_writer(cache: RenderCache, scratch: str) -> Writer:
    """For the helper: renders into the cache, writes nothing (files go to os.devnull; the
    folders it creates are in `scratch`)."""

    class RenderingOnlyWriter(caching_writer(cache)):
        def _open_w(self, filename, encoding, override=False):
            return open(os.devnull, "w", encoding=encoding)

    return RenderingOnlyWriter(scratch, settings=cache.settings)
