"""Pelican glue for rebuild_cache: reuse what earlier builds read and rendered.

* get_generators (sent at the start of every run, also each rebuild of the preview): name
  this run's cache generations (fingerprint.py) and open them;
* readers_init: wrap every reader so a file whose bytes did not change is not read again
  (reading.py); runs after post_sanitizer, whose wrapper it keeps;
* all_generators_finalized: every post and page is known; intra-site links can be digested;
* get_writer: a writer that renders only pages whose inputs changed (rendering.py); on a
  cold cache a helper process starts rendering pages from the far end;
* finalized: drop entries this build did not use and old generations; report the counts.

Sanitising has its own cache in post_sanitizer (keyed by the HTML and the policy), and image
variants theirs in image_variants; together a rebuild after one changed post reads,
sanitises and renders only what that post changes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from pelican import signals
from pelican.contents import Article, Content

from . import fingerprint, store
from .defaults import setting
from .helper import FromBothEnds
from .inputs import Digester
from .reading import ReadingCache, caching_reader
from .rendering import (
    RenderAhead, RenderCache, caching_writer, record_pages, rendering_only_writer,
)
from .store import EntryFolder

logger = logging.getLogger(__name__)

TOOLS_FOLDER = Path(__file__).resolve().parents[2] / "sitetools"


@dataclass
class BuildCaches:
    root: Path
    reading: ReadingCache
    render: RenderCache
    digester: Digester
    helper: FromBothEnds | None = None
    generators: list | None = None
    ahead: RenderAhead | None = None
    scratch: str | None = None


# The run in progress in this process. The preview runs one after another in one process,
# with one `initialized` for all of them; `get_generators` comes at the start of each.
_current: BuildCaches | None = None


def cache_root(settings: dict) -> Path | None:
    root = Path(settings.get("CACHE_PATH") or "cache").resolve() / "rebuild_cache"
    content = Path(settings["PATH"]).resolve()
    if root == content or root.is_relative_to(content):
        return None  # never write into content/: a build must not change its sources
    return root


# Settings as they were before the first run: Pelican's Markdown reader adds its default
# extensions to MARKDOWN during a run, so later runs of the preview would see other settings.
_settings_digests: dict[int, str] = {}


def remember_settings(pelican) -> None:
    _settings_digests[id(pelican.settings)] = fingerprint.settings_digest(pelican.settings)


def generations(settings: dict) -> tuple[str, str]:
    """(reading, rendering) generation digests."""
    settings_digest = (_settings_digests.get(id(settings))
                       or fingerprint.settings_digest(settings))
    # The settings files too: a function defined there (a Jinja filter) is digested by name.
    code = fingerprint.tree_digest([*settings.get("PLUGIN_PATHS", []), TOOLS_FOLDER,
                                    *sorted(TOOLS_FOLDER.parent.glob("*conf.py"))])
    reading = fingerprint.combine(settings_digest, code, fingerprint.versions_digest())
    theme = fingerprint.tree_digest([settings["THEME"]])
    return reading, fingerprint.combine(reading, theme)


def open_caches(pelican) -> None:
    """Returns no generator: `get_generators` is only the signal that starts every run."""
    global _current
    settings = pelican.settings
    finish_run(_current)  # a previous run in this process that failed half-way
    _current = None
    root = cache_root(settings)
    if not setting(settings, "REBUILD_CACHE_ENABLED") or root is None:
        return
    reading_generation, render_generation = generations(settings)
    reading_folder = (store.generation_folder(root, "reading", reading_generation)
                      if setting(settings, "REBUILD_CACHE_READING") else None)
    render_folder = (store.generation_folder(root, "render", render_generation)
                     if setting(settings, "REBUILD_CACHE_RENDERING") else None)
    digester = Digester(link_pattern=settings.get("INTRASITE_LINK_REGEX",
                                                  "[{|](?P<what>.*?)[|}]"))
    remember_compiled_templates(settings, root)
    _current = BuildCaches(
        root=root,
        reading=ReadingCache(EntryFolder(reading_folder), settings),
        render=RenderCache(EntryFolder(render_folder), digester, settings),
        digester=digester)


def remember_compiled_templates(settings: dict, root: Path) -> None:
    """Jinja compiles every template again in each generator of each build; its bytecode
    cache (keyed by the template's source) saves that. Set here, after the settings were
    digested (remember_settings) and before Pelican makes the generators' environments."""
    environment = settings.get("JINJA_ENVIRONMENT") or {}
    if "bytecode_cache" in environment:  # set in the settings, or by an earlier run
        folder = getattr(environment["bytecode_cache"], "directory", None)
        if folder:  # cache/ may have been deleted while the preview ran
            Path(folder).mkdir(parents=True, exist_ok=True)
        return
    # Jinja keys its bytecode by the template's source only; options such as trim_blocks
    # change the code, so each set of options gets its own folder.
    options = hashlib.sha256(repr(sorted(environment.items())).encode()).hexdigest()[:16]
    folder = root / "jinja" / options
    folder.mkdir(parents=True, exist_ok=True)
    settings["JINJA_ENVIRONMENT"] = {**environment,
                                     "bytecode_cache": FileSystemBytecodeCache(str(folder))}


def wrap_readers(readers) -> None:
    if _current is None or _current.reading.entries.folder is None:
        return
    for extension, reader_class in list(readers.reader_classes.items()):
        if reader_class and extension != "static":
            readers.reader_classes[extension] = caching_reader(reader_class,
                                                               _current.reading)


def start_reading_helper(generator) -> None:
    """On a cold cache, let a second process read posts from the other end (helper.py)."""
    caches = _current
    settings = generator.settings
    if caches is None or caches.reading.entries.folder is None:
        return
    if setting(settings, "REBUILD_CACHE_HELPERS") < 1:
        return
    relative = generator.get_files(settings["ARTICLE_PATHS"],
                                   exclude=settings["ARTICLE_EXCLUDES"])
    paths = [os.path.abspath(os.path.join(generator.path, f)) for f in relative]
    missing = sum(1 for path in paths if not caches.reading.contains(path))
    if missing < setting(settings, "REBUILD_CACHE_HELPER_FROM"):
        return

    def read_in_helper(path: str) -> None:
        if caches.reading.contains(path):
            return
        generator.readers.read_file(
            base_path=generator.path, path=os.path.relpath(path, generator.path),
            content_class=Article, context=generator.context,
            preread_signal=signals.article_generator_preread, preread_sender=generator,
            context_signal=signals.article_generator_context, context_sender=generator)

    helper = FromBothEnds(paths)
    if helper.start(read_in_helper, paths):
        caches.helper = caches.reading.helper = helper


def stop_reading_helper(_generator=None) -> None:
    """article_generator_finalized: every post is read; the reading helper has stopped."""
    if _current is not None and _current.helper is not None:
        _current.helper.finish()
        _current.helper = _current.reading.helper = None


def link_targets_digest(context: dict) -> bytes:
    """Where every file a body can link to (`{filename}`, `{static}`) is published.

    Through Content's own properties: Static's `url` and `save_as` mark the file as
    referenced, after which `{attach}` could no longer move it."""
    digest = hashlib.sha256()
    for name in ("generated_content", "static_content"):
        for path, target in sorted((context.get(name) or {}).items()):
            try:
                url, save_as = Content.url.fget(target), Content.save_as.fget(target)
            except Exception:  # noqa: BLE001 - an odd entry: key by its path alone
                url = save_as = ""
            digest.update(f"{name}\0{path}\0{url}\0{save_as}\n".encode("utf-8",
                                                                          "surrogatepass"))
    return digest.digest()


ATTACH = re.compile(r"[{|]attach[|}]")


def resolve_attachments(generators) -> None:
    """`{attach}` moves a file next to the page linking it, as a side effect of rendering
    that page's body. A page taken from the cache is not rendered, so the bodies that attach
    something are resolved here, before anything is written (as Pelican would when
    rendering them)."""
    for generator in generators:
        for name in ("articles", "translations", "hidden_articles", "pages", "hidden_pages",
                     "drafts", "draft_pages"):
            for content in getattr(generator, name, None) or ():
                if (isinstance(content, Content) and ATTACH.search(content._content or "")
                        and content.save_as):
                    content.get_content(content.settings.get("SITEURL", ""))


def know_generators(generators) -> None:
    if _current is None or not generators:
        return
    _current.generators = list(generators)
    resolve_attachments(generators)
    context = generators[0].context
    _current.digester.set_link_targets(lambda: link_targets_digest(context))


def get_writer(_pelican):
    caches = _current
    if caches is None or caches.render.entries.folder is None:
        return None
    # Here, after every receiver of all_generators_finalized and Pelican's last changes to
    # the context (refresh_metadata_intersite_links): the helper's copy of the build is
    # then the one this process writes, so its pages are found here.
    if caches.generators:
        caches.ahead = start_render_helper(caches, caches.generators[0].settings)
    return caching_writer(caches.render, caches.ahead)


def start_render_helper(caches: BuildCaches, settings: dict) -> RenderAhead | None:
    """On a cold render cache, let a second process render pages from the other end
    (rendering.RenderAhead). On a warm one it does not pay: handing the digests of cached
    pages over to this process was measured as slow as computing them here."""
    if setting(settings, "REBUILD_CACHE_HELPERS") < 1 or caches.render.entries.count():
        return None  # only for a new generation: then nearly every page is new
    jobs = record_pages(caches.generators or ())
    if len(jobs) < setting(settings, "REBUILD_CACHE_HELPER_FROM"):
        return None
    caches.scratch = tempfile.mkdtemp(prefix="helper-", dir=caches.root)
    writer = rendering_only_writer(caches.render, caches.scratch)

    def render_in_helper(item: str) -> None:
        name, args, kwargs = jobs[int(item)]
        writer.write_file(name, *args, **kwargs)

    numbers = [str(n) for n in range(len(jobs))]
    helper = FromBothEnds(numbers)
    if not helper.start(render_in_helper, numbers):
        return None
    return RenderAhead(jobs, helper)


def finish_run(caches: BuildCaches | None) -> None:
    """Stop and reap the helpers, remove the helper's scratch folder."""
    if caches is None:
        return
    if caches.helper is not None:  # a run that failed while reading
        caches.helper.finish()
        caches.helper = caches.reading.helper = None
    if caches.ahead is not None:
        caches.ahead.helper.finish()
        caches.ahead = None
    if caches.scratch:
        shutil.rmtree(caches.scratch, ignore_errors=True)
        caches.scratch = None


def tidy_up(pelican) -> None:
    global _current
    caches, _current = _current, None
    if caches is None:
        return
    finish_run(caches)
    keep = setting(pelican.settings, "REBUILD_CACHE_GENERATIONS")
    caches.reading.entries.remove_unused()
    caches.render.entries.remove_unused()
    caches.render.save_known_templates()
    store.keep_recent_generations(caches.root, "reading", keep)
    store.keep_recent_generations(caches.root, "render", keep)
    reading, render = caches.reading.entries, caches.render
    # What the helper process made in this build counts as new, not as reused.
    files_reused = reading.hits - caches.reading.read_by_helper
    pages_reused = render.reused - render.made_by_helper
    print(f"Zwischenspeicher: {files_reused} von {reading.hits + reading.misses} Dateien "
          f"unverändert, {pages_reused} von {render.reused + render.rendered} Seiten "
          "wiederverwendet.", flush=True)


def register() -> None:
    signals.initialized.connect(remember_settings)
    signals.get_generators.connect(open_caches)
    signals.readers_init.connect(wrap_readers)
    signals.article_generator_init.connect(start_reading_helper)
    signals.article_generator_finalized.connect(stop_reading_helper)
    signals.all_generators_finalized.connect(know_generators)
    signals.get_writer.connect(get_writer)
    signals.finalized.connect(tidy_up)
