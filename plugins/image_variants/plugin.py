"""Pelican glue for image_variants: <img> becomes <picture> with clean, sized variants.

Signals, in the order they fire in one run:

- `get_generators`: a new run starts (also on every rebuild of the preview);
- `content_object_init` (after post_sanitizer, which is listed before us in PLUGINS): every
  local <img> of a post or page becomes <picture> markup with final URLs; the images are
  looked up in the cache or their headers are read (no pixels are decoded here);
- `all_generators_finalized`: the images of every written post and page that are not
  cached yet are encoded (in worker processes if there are several), the variants are put
  into the output folder, and every problem of the run is logged at ERROR level, together;
- `finalized`: every image file in the output folder is checked for metadata once more.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import posixpath
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from pelican import signals
from pelican.contents import Article, Page

from .cache import VariantCache, cache_key, place
from .cleanup import clean_file
from .defaults import setting
from .encode import MIME_TYPES, EncodeSettings, ImageInfo, Variant, encode_job, probe
from .errors import ImageError
from .markup import (
    Source, Tag, find_tags, has_alt_text, is_decorative, line_of, picture, replace_tags,
    start_tag,
)
from .paths import Outside, file_stem, is_linked_image, local_target, url_base, variant_path

logger = logging.getLogger(__name__)

# Attributes of an <img> that the <picture> markup keeps (editors' pages may use them).
KEPT_ATTRIBUTES = ("class", "id", "lang")


@dataclass
class Use:
    content: object  # the Pelican content object
    source: str  # e.g. content/beitraege/x.md
    line: int


@dataclass
class Entry:
    """One original image of this run."""

    path: str  # relative to the content folder, e.g. bilder/foto.jpg
    shown: str  # as editors know it, e.g. content/bilder/foto.jpg
    key: str = ""
    info: ImageInfo | None = None
    variants: list[Variant] = field(default_factory=list)
    cached: bool = False
    error: ImageError | None = None
    uses: list[Use] = field(default_factory=list)


@dataclass
class Problem:
    content: object | None  # reported only if this content is written (None: always)
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


def settings_problems(settings: dict) -> list[str]:
    """German messages for settings this plugin cannot work with (checked once per run)."""
    problems = []
    widths = setting(settings, "IMAGE_VARIANTS_WIDTHS")
    if not widths or not all(isinstance(w, int) and 16 <= w <= 8000 for w in widths):
        problems.append("IMAGE_VARIANTS_WIDTHS muss eine Liste von Breiten in Pixeln sein "
                        f"(16 bis 8000), nicht {widths!r}.")
    for name in ("IMAGE_VARIANTS_WEBP_QUALITY", "IMAGE_VARIANTS_JPEG_QUALITY",
                 "IMAGE_VARIANTS_AVIF_QUALITY"):
        value = setting(settings, name)
        if not isinstance(value, int) or not 1 <= value <= 100:
            problems.append(f"{name} muss eine Zahl von 1 bis 100 sein, nicht {value!r}.")
    accepted = setting(settings, "IMAGE_VARIANTS_ACCEPTED_FORMATS")
    if not accepted or not set(f.upper() for f in accepted) <= {"JPEG", "PNG", "WEBP"}:
        problems.append("IMAGE_VARIANTS_ACCEPTED_FORMATS darf nur JPEG, PNG und WEBP "
                        f"enthalten, nicht {accepted!r}.")
    output_dir = setting(settings, "IMAGE_VARIANTS_OUTPUT_DIR").strip("/")
    if output_dir in [p.strip("/") for p in settings.get("STATIC_PATHS", [])]:
        problems.append(f"STATIC_PATHS enthält „{output_dir}“: Pelican würde die Originalbilder "
                        "mit allen Metadaten (GPS!) veröffentlichen. Bitte aus STATIC_PATHS "
                        "entfernen; image_variants veröffentlicht die Bilder selbst.")
    return problems


def encode_settings(settings: dict) -> EncodeSettings:
    return EncodeSettings(
        widths=tuple(sorted({int(w) for w in setting(settings, "IMAGE_VARIANTS_WIDTHS")})),
        avif=bool(setting(settings, "IMAGE_VARIANTS_AVIF")) and _avif_available(),
        webp_quality=int(setting(settings, "IMAGE_VARIANTS_WEBP_QUALITY")),
        jpeg_quality=int(setting(settings, "IMAGE_VARIANTS_JPEG_QUALITY")),
        avif_quality=int(setting(settings, "IMAGE_VARIANTS_AVIF_QUALITY")),
        avif_speed=int(setting(settings, "IMAGE_VARIANTS_AVIF_SPEED")),
        convert_to_srgb=bool(setting(settings, "IMAGE_VARIANTS_CONVERT_TO_SRGB")),
        accepted_formats=tuple(f.upper() for f in
                               setting(settings, "IMAGE_VARIANTS_ACCEPTED_FORMATS")),
        max_pixels=int(setting(settings, "IMAGE_VARIANTS_MAX_PIXELS")),
    )


def _avif_available() -> bool:
    from PIL import features  # noqa: PLC0415

    return bool(features.check("avif"))


class Run:
    """Everything about the images of one build."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.encoding = encode_settings(settings)
        self.fingerprint = self.encoding.fingerprint()
        self.content_root = Path(settings["PATH"]).resolve()
        self.output_root = Path(settings["OUTPUT_PATH"])
        self.output_dir = setting(settings, "IMAGE_VARIANTS_OUTPUT_DIR").strip("/")
        self.cache = VariantCache(Path(settings["CACHE_PATH"]) / "image_variants")
        self.site_url = settings.get("SITEURL") or ""
        self.relative_urls = bool(settings.get("RELATIVE_URLS"))
        self.sizes = setting(settings, "IMAGE_VARIANTS_SIZES")
        self.markers = tuple(setting(settings, "IMAGE_VARIANTS_DECORATIVE_MARKERS"))
        self.fetchpriority = setting(settings, "IMAGE_VARIANTS_FIRST_IMAGE_FETCHPRIORITY")
        self.entries: dict[str, Entry] = {}
        self.problems: list[Problem] = []
        self.placed: set[Path] = set()
        self.stats: Counter = Counter()
        self.seconds = 0.0  # spent in this plugin's receivers
        self.finished = False

    # --- Reading: markup and image lookup --------------------------------------------------

    def display(self, path: str | Path) -> str:
        """A path as editors know it: content/beitraege/x.md."""
        return os.path.relpath(Path(path).resolve(), self.content_root.parent)

    def exists(self, relative: str) -> bool:
        return (self.content_root / relative).is_file()

    def entry(self, relative: str) -> Entry:
        entry = self.entries.get(relative)
        if entry is not None:
            return entry
        path = self.content_root / relative
        entry = Entry(relative, self.display(path))
        self.entries[relative] = entry
        try:
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            entry.error = ImageError(entry.shown, "Diese Bilddatei gibt es nicht.")
            return entry
        except OSError as error:
            entry.error = ImageError(entry.shown, f"Die Datei lässt sich nicht lesen "
                                     f"({error.strerror}).")
            return entry
        entry.key = cache_key(hashlib.sha256(data).hexdigest(), self.fingerprint)
        cached = self.cache.load(entry.key)
        if cached:
            entry.info, entry.variants = cached
            entry.cached = True
            return entry
        try:
            self.stats["probed"] += 1
            entry.info = probe(str(path), entry.shown, self.encoding)
        except ImageError as error:
            entry.error = error
        return entry

    def process(self, content) -> None:
        html = content._content  # never .content here: it is memoised per siteurl (#1986)
        tags = find_tags(html or "")
        if not tags:
            return
        source_rel = content.get_relative_source_path().replace(os.sep, "/")
        source_dir = posixpath.dirname(source_rel)
        if not _is_written(content):
            # A draft that is not published (publishconf.py): its images are not published
            # either, and no {static} link may make Pelican copy an original.
            self._hide_images(content, tags, source_dir)
            return
        shown_source = self.display(content.source_path)
        base = url_base(self.site_url, self.relative_urls, content.save_as)
        seen: Counter = Counter()
        state = {"first": True, "text": None}
        used: list[str] = []

        def line(needle: str) -> int:
            if state["text"] is None:
                try:
                    state["text"] = Path(content.source_path).read_text(encoding="utf-8",
                                                                          errors="replace")
                except OSError:
                    state["text"] = ""
            seen[needle] += 1
            return line_of(state["text"], needle, seen[needle])

        def replace(tag: Tag) -> str | None:
            attribute = "src" if tag.name == "img" else "href"
            reference = tag.get(attribute) or ""
            if tag.in_picture or not reference:
                return None
            target = local_target(reference, source_dir, self.site_url, self.exists)
            if target is None:
                return None
            if tag.name == "a" and (isinstance(target, Outside) or not is_linked_image(target)):
                return None
            where = line(reference)
            if isinstance(target, Outside):
                self.problems.append(Problem(content, shown_source, where,
                                             f"Der Bildpfad „{reference}“ führt aus dem "
                                             "Inhaltsordner heraus."))
                return self._unavailable(tag)
            entry = self.entry(target)
            entry.uses.append(Use(content, shown_source, where))
            used.append(target)
            if tag.name == "a":
                if entry.info is None:
                    return start_tag("a", [(k, v) for k, v in tag.attrs if k != "href"])
                href = base + self.variant_paths(entry)[(entry.info.widths[-1],
                                                         entry.info.fallback)]
                return start_tag("a", [(k, href if k == "href" else v) for k, v in tag.attrs])
            alt = tag.get("alt")
            if not has_alt_text(alt):
                name = posixpath.basename(reference.split("?")[0].split("#")[0]) or reference
                self.problems.append(Problem(
                    content, shown_source, where,
                    f"Bild „{name}“ hat keinen Alternativtext. Beschreiben Sie in den eckigen "
                    f"Klammern, was darauf zu sehen ist: ![Beschreibung]({reference}). Ist das "
                    f"Bild reiner Schmuck, schreiben Sie ![(dekorativ)]({reference})."))
            if entry.info is None:
                return self._unavailable(tag)
            markup = self.render(entry, base, tag, state["first"])
            state["first"] = False
            return markup

        content._content = replace_tags(html, tags, replace)
        # Kept on the object, so contents restored from Pelican's cache still publish theirs.
        content._image_variants_sources = tuple(used)

    def _hide_images(self, content, tags: list[Tag], source_dir: str) -> None:
        def replace(tag: Tag) -> str | None:
            reference = tag.get("src" if tag.name == "img" else "href") or ""
            target = local_target(reference, source_dir, self.site_url, self.exists)
            if tag.in_picture or target is None:
                return None
            if tag.name == "img":
                return self._unavailable(tag)
            if isinstance(target, Outside) or not is_linked_image(target):
                return None
            return start_tag("a", [(k, v) for k, v in tag.attrs if k != "href"])

        content._content = replace_tags(content._content, tags, replace)

    def _unavailable(self, tag: Tag) -> str:
        """What stands in for an image that cannot be shown (the build fails anyway)."""
        alt = (tag.get("alt") or "").strip()
        return f"<span>[Bild: {escape(alt)}]</span>" if alt else "<span>[Bild]</span>"

    def variant_paths(self, entry: Entry) -> dict[tuple[int, str], str]:
        stem = file_stem(entry.path)
        formats = (*self.encoding.modern_formats, entry.info.fallback)
        return {(width, fmt): variant_path(self.output_dir, stem, width, entry.key, fmt)
                for width in entry.info.widths for fmt in formats}

    def render(self, entry: Entry, base: str, tag: Tag, first: bool) -> str:
        info = entry.info
        paths = self.variant_paths(entry)

        def source(fmt: str) -> Source:
            return Source(MIME_TYPES[fmt], tuple((base + paths[(w, fmt)], w)
                                                 for w in info.widths))

        width = info.widths[-1]
        height = info.height_for(width)
        sizes = self.sizes
        wanted = tag.get("width") or ""
        if wanted.isdigit() and 0 < int(wanted) < width:  # shown smaller on purpose
            width, height = int(wanted), info.height_for(int(wanted))
            sizes = f"(max-width: {width + 32}px) calc(100vw - 2rem), {width}px"
        alt = tag.get("alt") or ""
        if is_decorative(alt, self.markers):
            alt = ""
        return picture([source(fmt) for fmt in self.encoding.modern_formats],
                       source(info.fallback), alt=alt.strip(), width=width, height=height,
                       sizes=sizes, title=tag.get("title"), first=first,
                       fetchpriority=self.fetchpriority,
                       extra=[(k, v) for k, v in tag.attrs if k in KEPT_ATTRIBUTES])

    # --- Encoding, placing, reporting ------------------------------------------------------

    def finish(self, generators) -> None:
        if self.finished:
            return
        self.finished = True
        for content in _contents(generators):
            for relative in getattr(content, "_image_variants_sources", ()):
                entry = self.entry(relative)
                if not any(use.content is content for use in entry.uses):
                    entry.uses.append(Use(content, self.display(content.source_path), 1))
        published = [e for e in self.entries.values()
                     if any(_is_written(use.content) for use in e.uses)]
        todo = [e for e in published if e.info and not e.cached and not e.error]
        self.encode_all(todo)
        for entry in published:
            if entry.error is None and entry.info is not None:
                self.put_into_output(entry)
        self.report(published)
        self.stats["encoded"] = sum(1 for e in todo if e.error is None)
        self.stats["cached"] = sum(1 for e in published if e.cached)
        logger.info("Bilder: %d neu berechnet, %d aus dem Zwischenspeicher",
                    self.stats["encoded"], self.stats["cached"])
        if not any(e.error for e in published) and not self.problems:
            self.cache.prune(setting(self.settings, "IMAGE_VARIANTS_CACHE_MAX_AGE_DAYS"))

    def encode_all(self, todo: list[Entry]) -> None:
        todo = sorted(todo, key=lambda e: -(self.content_root / e.path).stat().st_size)
        jobs = {}
        for entry in todo:
            staging = self.cache.staging(entry.key)
            jobs[entry.path] = (staging, (str(self.content_root / entry.path), entry.shown,
                                          self.encoding, entry.info, str(staging)))
        workers = int(setting(self.settings, "IMAGE_VARIANTS_WORKERS"))
        parallel = (len(todo) >= int(setting(self.settings, "IMAGE_VARIANTS_PARALLEL_FROM"))
                    and workers > 1 and "fork" in multiprocessing.get_all_start_methods())
        if parallel:
            self._encode_in_pool(todo, jobs, min(workers, len(todo)))
        else:
            for entry in todo:
                self._encoded(entry, jobs[entry.path][0], lambda e=entry: encode_job(
                    jobs[e.path][1]))

    def _encode_in_pool(self, todo: list[Entry], jobs: dict, workers: int) -> None:
        # fork: the workers get the plugin's modules as they are, whatever PLUGIN_PATHS is.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(encode_job, jobs[e.path][1]): e for e in todo}
            for future in as_completed(futures):
                entry = futures[future]
                self._encoded(entry, jobs[entry.path][0], future.result)

    def _encoded(self, entry: Entry, staging: Path, get_result) -> None:
        try:
            result = get_result()
        except ImageError as error:
            entry.error = error
        except BrokenProcessPool:
            entry.error = ImageError(entry.shown, "Die Verarbeitung wurde abgebrochen "
                                     "(zu wenig Arbeitsspeicher?). Bitte verkleinert "
                                     "einreichen.")
        except Exception as error:  # noqa: BLE001 - every failure must name the image
            entry.error = ImageError(entry.shown, "Unerwarteter Fehler beim Verarbeiten: "
                                     f"{type(error).__name__}: {error}")
        else:
            self.stats["decoded"] += result.decoded
            self.cache.commit(entry.key, staging, entry.info, result.variants, entry.shown)
            entry.variants = result.variants
            return
        self.cache.discard(staging)

    def put_into_output(self, entry: Entry) -> None:
        folder = self.cache.entry(entry.key)
        paths = self.variant_paths(entry)
        for variant in entry.variants:
            target = self.output_root / paths[(variant.width, variant.format)]
            place(folder / variant.name, target)
            self.placed.add(target.resolve())
            self.stats["variants"] += 1

    def report(self, published: list[Entry]) -> None:
        problems = [p for p in self.problems if p.content is None or _is_written(p.content)]
        for entry in published:
            if entry.error is None:
                continue
            uses = sorted({(u.source, u.line) for u in entry.uses if _is_written(u.content)})
            source, line = uses[0]
            also = ""
            if len(uses) > 1:
                also = " (Auch verwendet in: " + ", ".join(f"{s}:{n}" for s, n in uses[1:]) + ")"
            problems.append(Problem(None, source, line,
                                    f"Bild „{entry.shown}“: {entry.error.message}{also}"))
        for problem in sorted(problems, key=lambda p: (p.source, p.line, p.message)):
            logger.error("%s", problem)

    def write_stats(self) -> None:
        target = setting(self.settings, "IMAGE_VARIANTS_STATS_FILE")
        if not target:
            return
        figures = {name: self.stats[name] for name in
                   ("encoded", "cached", "decoded", "probed", "variants", "cleaned")}
        figures["seconds"] = round(self.seconds, 3)
        Path(target).write_text(json.dumps(figures), encoding="utf-8")

    # --- After writing: no image in the output carries metadata ----------------------------

    def check_output(self) -> None:
        if setting(self.settings, "IMAGE_VARIANTS_CLEAN_OUTPUT"):
            max_pixels = self.encoding.max_pixels
            root = self.output_root.resolve()
            placed = {str(path) for path in self.placed}
            # Paths under the resolved root are resolved already (a build writes no links):
            # resolving thousands of pages one by one took longer than checking them. Plain
            # strings, too: Path objects for every file of the site took half a second.
            files = sorted(os.path.join(folder, name) for folder, _, names in os.walk(root)
                           for name in names)
            for path in files:
                if path in placed:
                    continue
                shown = path[len(str(root)) + 1:]
                try:
                    removed = clean_file(Path(path), f"{self.output_root.name}/{shown}",
                                         max_pixels)
                except ImageError as error:
                    logger.error("%s", error)
                    continue
                if removed:
                    self.stats["cleaned"] += 1
                    logger.info("Metadaten (%s) aus %s entfernt", ", ".join(removed), shown)


def _is_written(content) -> bool:
    if content is None:
        return True
    try:
        return bool(content.save_as) and getattr(content, "status", "published") != "skip"
    except Exception:  # noqa: BLE001 - a content that cannot say where it goes is not written
        return False


def _contents(generators):
    for generator in generators:
        for attribute in ("articles", "translations", "hidden_articles", "hidden_translations",
                          "drafts", "drafts_translations", "pages", "hidden_pages",
                          "hidden_translations", "draft_pages", "draft_translations"):
            yield from getattr(generator, attribute, ())


# --- Signal receivers ------------------------------------------------------------------------

_run: Run | None = None


def start_run(pelican) -> None:
    global _run  # noqa: PLW0603 - one run at a time per process
    problems = settings_problems(pelican.settings)
    for problem in problems:
        logger.error("Einstellungen (pelicanconf.py): %s", problem)
    settings = pelican.settings
    if problems:  # keep going with the defaults, so the build reports everything else too
        from .defaults import DEFAULTS  # noqa: PLC0415
        settings = {**settings, **DEFAULTS}
        settings["STATIC_PATHS"] = pelican.settings.get("STATIC_PATHS", [])
    _run = Run(settings)


def current_run(settings: dict) -> Run:
    global _run  # noqa: PLW0603
    if _run is None:  # get_generators did not fire: Pelican used without its run()
        _run = Run(settings)
    return _run


class _Timed:
    """Adds the time spent in a receiver to the run's figures."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def __enter__(self) -> Run:
        self.started = time.perf_counter()
        return self.run

    def __exit__(self, *exc) -> None:
        self.run.seconds += time.perf_counter() - self.started


def on_content(content) -> None:
    if isinstance(content, (Article, Page)):
        with _Timed(current_run(content.settings)) as run:
            run.process(content)


def on_all_generators_finalized(generators) -> None:
    if generators:
        with _Timed(current_run(generators[0].settings)) as run:
            run.finish(generators)


def on_finalized(pelican) -> None:
    if _run is not None:
        with _Timed(_run) as run:
            run.check_output()
        _run.write_stats()


def register() -> None:
    signals.get_generators.connect(start_run)
    signals.content_object_init.connect(on_content)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.finalized.connect(on_finalized)
