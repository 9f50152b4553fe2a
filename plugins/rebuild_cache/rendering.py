"""Render an output page only when something it shows changed.

Pelican renders and rewrites every page on every build. The writer here hands Pelican a
template wrapper: its render() looks the page up by the digest of the template's inputs
(inputs.py) and renders only on a miss. Pelican still writes every file and sends
`content_written`, so the sitemap and every other plugin see the same build as before, and
the output is byte for byte that of a full build.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping

from pelican.writers import FileOverwriteFailedError, Writer

from sitetools import written_page

from .inputs import (ALL_VARIABLES, Analysis, Digester, TemplateInputs, sources_digest,
                     template_inputs)
from .output import KeepIfSame
from .reading import recording_logs
from .store import EntryFolder

logger = logging.getLogger(__name__)

# Read by Pelican's writer itself, or by Content.content while rendering.
ALWAYS_INPUTS = frozenset({"output_file", "SITEURL", "localsiteurl"})


class RenderCache:
    def __init__(self, entries: EntryFolder, digester: Digester, settings: dict) -> None:
        self.entries = entries
        self.digester = digester
        self.settings = settings
        self._inputs: dict[str, TemplateInputs] = {}
        # Shared by the generators' environments: a template name means the same source in
        # each (the theme's loaders; a template page's own loader serves only its own name).
        self._analysed: dict[str, Analysis] = {}
        self._known: dict[str, dict] = {}
        self.load_known_templates()
        self.rendered = 0
        self.reused = 0
        self.made_by_helper = 0  #: of `reused`: rendered by the helper in this build
        self.helper_made_current = False  #: set by the writer for the page being written

    def inputs(self, template) -> TemplateInputs:
        name = template.name
        if name not in self._inputs:
            found = self._remembered_inputs(template) or template_inputs(
                template.environment, name, self._analysed)
            self._known[name] = found.to_json()
            variables = (ALL_VARIABLES if found.variables is ALL_VARIABLES
                         else found.variables | ALWAYS_INPUTS)
            self._inputs[name] = TemplateInputs(variables, found.sources, found.templates)
        return self._inputs[name]

    def _remembered_inputs(self, template) -> TemplateInputs | None:
        """Jinja's analysis is slow (a second per build for this theme): reuse the last
        build's as long as the sources of the template and those it uses are the same."""
        data = self._known.get(template.name)
        if not data:
            return None
        try:
            known = TemplateInputs.from_json(data)
            same = sources_digest(template.environment, known.templates) == known.sources
        except Exception:  # noqa: BLE001 - a template gone or renamed: analyse again
            return None
        return known if same else None

    def load_known_templates(self) -> None:
        try:
            self._known = json.loads(self._templates_file().read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError):
            self._known = {}

    def save_known_templates(self) -> None:
        try:
            self._templates_file().write_text(json.dumps(self._known), encoding="utf-8")
        except (OSError, TypeError):
            pass

    def _templates_file(self):
        if self.entries.folder is None:
            raise TypeError("no cache folder")
        return self.entries.folder / "templates.json"

    def render(self, template, context: Mapping) -> str:
        if template.name is None:  # a template made from a string: nothing to key it by
            return template.render(context)
        inputs = self.inputs(template)
        key = self.digester.key((template.name, inputs.sources), context, inputs.variables)
        cached = self.entries.read(key)
        if cached is not None:
            logged, digest, html = cached.split(b"\n", 2)
            self.reused += 1
            self.made_by_helper += self.helper_made_current
            for record in json.loads(logged):  # e.g. Pelican's "Unable to find" a link
                logging.getLogger(record[0]).log(record[1], "%s", record[2])
            text = html.decode("utf-8", "surrogatepass")
            page_digest = digest.decode()
        else:
            with recording_logs() as records:
                text = template.render(context)
            logged = json.dumps([[r.logger, r.level, r.message] for r in records])
            page_digest = text_digest(text)
            self.entries.write(key, logged.encode() + b"\n" + page_digest.encode() + b"\n"
                               + text.encode("utf-8", "surrogatepass"))
            self.rendered += 1
            logger.debug("rebuild_cache: %s neu erzeugt", context.get("output_file"))
        if page_digest and isinstance(context, dict):  # for content_written: the search index
            context[written_page.DIGEST_VARIABLE] = page_digest
        return text


def text_digest(text: str) -> str:
    """The digest of the file Pelican's writer makes of `text` (it writes UTF-8); "" for a
    text it could not write."""
    try:
        return written_page.digest(written_page.file_bytes(text))
    except UnicodeEncodeError:
        return ""


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
    """Pages rendered by a helper process from the last one backwards, while this process
    writes them from the first (helper.py). The helper only fills the render cache; this
    process still writes every file and sends every signal.

    The pages are those of ArticlesGenerator.generate_pages (posts, archives, index, tags,
    categories, authors) and of every plugin generator with a `write_pages(writer)` method
    that writes its template pages through the writer and nothing else (the group
    directory). Pages are matched by output name, so other writes in between do not matter.
    """

    def __init__(self, jobs: list[tuple[str, tuple, dict]], helper) -> None:
        self.jobs = jobs  # (name, args, kwargs) of each write_file call, in Pelican's order
        self.numbers = {name: number for number, (name, _, _) in enumerate(jobs)}
        self.helper = helper

    def claim(self, name: str) -> bool:
        """True if the helper rendered the pages of this write."""
        number = self.numbers.get(name)
        return number is not None and self.helper.claim(str(number))


def record_pages(generators) -> list[tuple[str, tuple, dict]]:
    """The write_file calls that rendering ahead covers, without rendering anything."""
    from pelican.generators import ArticlesGenerator

    jobs: list[tuple[str, tuple, dict]] = []

    class Recorder:
        def write_file(self, name, *args, **kwargs):
            jobs.append((name, args, kwargs))

    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            generator.generate_pages(Recorder())
        elif callable(getattr(generator, "write_pages", None)):
            generator.write_pages(Recorder())
    jobs = [job for job in jobs if job[0]]  # Pelican skips writes without a name
    names = [name for name, _, _ in jobs]
    if len(set(names)) != len(names):
        return []  # a name written twice: cannot tell the calls apart, render in order
    return jobs


def caching_writer(cache: RenderCache, ahead: RenderAhead | None = None) -> type[Writer]:
    class CachingWriter(Writer):
        def _open_w(self, filename, encoding, override=False):
            """Pelican's Writer._open_w, but the file is only replaced if it changed."""
            if filename in self._overridden_files:
                if override:
                    raise FileOverwriteFailedError(
                        f'Failed to overwrite "{filename}" a second time (was previously '
                        "overwritten)")
                logger.info('Skipping "%s", not overwriting', filename)
                return open(os.devnull, "w", encoding=encoding)
            if filename in self._written_files and not override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already written to it '
                    "previously (set `override=True` if intended)")
            if override:
                self._overridden_files.add(filename)
            self._written_files.add(filename)
            return KeepIfSame(filename, encoding)

        def write_file(self, name, template, context, *args, **kwargs):
            cache.helper_made_current = ahead is not None and ahead.claim(name)
            try:
                return super().write_file(name, CachedTemplate(template, cache), context,
                                          *args, **kwargs)
            finally:
                cache.helper_made_current = False

    return CachingWriter


def rendering_only_writer(cache: RenderCache, scratch: str) -> Writer:
    """For the helper: renders into the cache, writes nothing (files go to os.devnull; the
    folders it creates are in `scratch`)."""

    class RenderingOnlyWriter(caching_writer(cache)):
        def _open_w(self, filename, encoding, override=False):
            return open(os.devnull, "w", encoding=encoding)

    return RenderingOnlyWriter(scratch, settings=cache.settings)
