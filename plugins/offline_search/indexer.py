"""Build the Pagefind index of the selected documents inside a built output folder.

Each page is read from the output folder and handed to Pagefind together with what
selection.py and words.py found for it: its filters and metadata (kind, date, a group's
facets), a group's facts in few words, and the extra words (compound parts, lay words).
All of that goes into the copy Pagefind reads, never into the published page: no hidden
text for screen readers, nothing changes for readers. Pagefind indexes only the elements
marked `data-pagefind-body` (the main content in article.html, page.html and group.html)
minus OFFLINE_SEARCH_EXCLUDE_SELECTORS, so menus, footers and link lists stay out.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .selection import Document
from .service import PagefindService, ServiceError, find_executable
from .words import Expander, Vocabulary

BODY_MARKER = re.compile(r"<[a-zA-Z][^>]*\sdata-pagefind-body(?=[\s>=/])")


class IndexingError(Exception):
    """Indexing failed; the message says why, in German."""


@dataclass(frozen=True)
class IndexStats:
    pages: int
    seconds: float  #: the whole indexing step: reading pages, Pagefind, writing the bundle
    write_seconds: float  #: of that: Pagefind building and writing the bundle
    bundle_bytes: int  #: size of the bundle folder as published
    bundle_files: int
    peak_rss_bytes: int  #: the Pagefind program's peak memory
    version: str


def has_body_marker(page: str) -> bool:
    return BODY_MARKER.search(page) is not None


def attribute(value: str) -> str:
    return html.escape(value, quote=True)


def prepare_html(page: str, document: Document, extra_words: Sequence[str]) -> str:
    """The page as Pagefind reads it: its filters, metadata and extra words before </body>.

    Filters and metadata are set inline ("name:value"), one element each, so a value may
    contain commas; they need not be inside data-pagefind-body."""
    added = []
    for name, values in document.all_filters:
        for value in values:
            added.append(f'<span data-pagefind-filter="{attribute(f"{name}:{value}")}"></span>')
    for name, value in document.all_meta:
        if value:
            added.append(f'<span data-pagefind-meta="{attribute(f"{name}:{value}")}"></span>')
    if document.facts:
        added.append("<div data-pagefind-body><p>"
                     + html.escape(". ".join(document.facts)) + ".</p></div>")
    if extra_words:
        # Weighted below normal text: a page that says "Trinken" itself ranks first.
        added.append('<div data-pagefind-body data-pagefind-weight="0.5"><p>'
                     + html.escape(", ".join(extra_words)) + "</p></div>")
    block = "".join(added)
    end = page.rfind("</body>")
    return page + block if end < 0 else page[:end] + block + page[end:]


def bundle_folder(output_path: Path, bundle_dir: str) -> Path:
    relative = Path(bundle_dir)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise IndexingError(f"OFFLINE_SEARCH_BUNDLE_DIR „{bundle_dir}“ muss ein Ordner "
                            "innerhalb der Website sein, z. B. „pagefind“.")
    return output_path / relative


def write_words(output_path: Path, save_as: str, vocabulary: Vocabulary) -> None:
    """The vocabulary for splitting compound words in the reader's query (search.js)."""
    if not save_as:
        return
    target = bundle_folder(output_path, save_as)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(vocabulary.for_browser(), ensure_ascii=False,
                                 separators=(",", ":")), encoding="utf-8")


def build_index(output_path: Path, documents: Sequence[Document], expander: Expander, *,
                bundle_dir: str = "pagefind", language: str = "de",
                exclude_selectors: Sequence[str] = (), unused_files: Sequence[str] = (),
                timeout: float = 300.0, executable: Path | None = None) -> IndexStats:
    """Index `documents` (read from `output_path`) into `output_path/bundle_dir`."""
    started = time.perf_counter()
    output_path = Path(output_path)
    bundle = bundle_folder(output_path, bundle_dir)
    if bundle.is_dir():  # an earlier build's index in the same folder (preview)
        shutil.rmtree(bundle)
    config = {"force_language": language, "exclude_selectors": list(exclude_selectors)}

    def pages(index_id: int) -> Iterator[tuple[dict, str]]:
        for document in documents:
            path = output_path / document.save_as
            try:
                page = path.read_text(encoding="utf-8")
            except OSError as error:
                raise IndexingError(f"{document.save_as} fehlt im Bau: {error}") from error
            if not has_body_marker(page):
                raise IndexingError(
                    f"{document.save_as}: Die Vorlage markiert den Hauptinhalt nicht mit "
                    "data-pagefind-body; ohne diese Markierung würde Pagefind Menü und "
                    "Fußzeile mit durchsuchen.")
            yield ({"type": "AddFile", "index_id": index_id, "file_path": None,
                    "url": "/" + document.url.lstrip("/"),
                    "file_contents": prepare_html(page, document,
                                                  expander.extra_words(document.text))},
                   f"die Seite {document.save_as}")

    try:
        with PagefindService(executable or find_executable(), timeout=timeout,
                             cwd=str(output_path)) as service:
            answer = service.request({"type": "NewIndex", "config": config},
                                     "die Einstellungen", "NewIndex")
            index_id = answer["index_id"]
            count = sum(1 for _ in service.stream(pages(index_id), "IndexedFile"))
            writing = time.perf_counter()
            service.request({"type": "WriteFiles", "index_id": index_id,
                             "output_path": str(bundle)}, "das Schreiben des Index",
                            "WriteFiles")
        usage = service.usage
        write_seconds = time.perf_counter() - writing
    except ServiceError as error:
        raise IndexingError(str(error)) from error
    entry = bundle / "pagefind-entry.json"
    try:
        version = json.loads(entry.read_text(encoding="utf-8")).get("version", "?")
    except (OSError, ValueError) as error:
        raise IndexingError(f"Pagefind hat keinen Index geschrieben ({entry}).") from error
    for name in unused_files:
        unused = bundle / name
        if unused.is_file():
            unused.unlink()
    files = [p for p in bundle.rglob("*") if p.is_file()]
    return IndexStats(pages=count, seconds=time.perf_counter() - started,
                      write_seconds=write_seconds,
                      bundle_bytes=sum(p.stat().st_size for p in files),
                      bundle_files=len(files), peak_rss_bytes=usage.peak_rss_bytes,
                      version=version)
