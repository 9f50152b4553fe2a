"""Build the Pagefind index of the selected documents inside a built output folder.

Each page is read from the output folder and handed to Pagefind together with what
selection.py and words.py found for it: its filters and metadata (kind, date, a group's
facets), a group's facts in few words, and the extra words (compound parts, lay words).
All of that goes into the copy Pagefind reads, never into the published page: no hidden
text for screen readers, nothing changes for readers. Pagefind indexes only the elements
marked `data-pagefind-body` (the main content in article.html, page.html and group.html)
minus OFFLINE_SEARCH_EXCLUDE_SELECTORS, so menus, footers and link lists stay out.

The copy is slim (slim_page): the page's <html> tag (lang), its <title> and the marked
element, less than half of the page; Pagefind's own parsing of the rest was a quarter of its
time for reading pages, for the same index. Outside the marked element Pagefind reads only
data-pagefind-* attributes, <title>, the first h1 (the result's title) and the first img
after it (its image): a page with any of these outside the element is sent whole, and so are
all pages if an exclude selector depends on ancestors ("main .x", see slim_pages_allowed).
"""

from __future__ import annotations

import functools
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

#: Elements whose content is text, not markup: a "<article" in them is no tag.
RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")
#: A tag's attributes up to its ">": quoted values may contain ">" and "<".
ATTRIBUTES = r"""(?:[^>=]++|=\s*+"[^"]*+"|=\s*+'[^']*+'|=)*+>"""
TAG_NAME = re.compile(r"<([a-zA-Z][^\s/>]*)")
QUOTED_VALUE = re.compile(r"""=\s*(?:"[^"]*"|'[^']*')""")
BODY_ATTRIBUTE = re.compile(r"\sdata-pagefind-body(?=[\s>=/])")
HTML_START = re.compile(rf"<html(?=[\s/>]){ATTRIBUTES}", re.IGNORECASE)
TITLE_ELEMENT = re.compile(rf"<title(?=[\s/>]){ATTRIBUTES}.*?</title\s*>",
                           re.IGNORECASE | re.DOTALL)
#: Pagefind takes the first <img> after the end of the first h1 as the result's image.
IMAGE_AFTER_H1 = re.compile(r"</h1\s*>.*?<img(?=[\s/>])", re.IGNORECASE | re.DOTALL)
#: An exclude selector that matches an element by itself (tag, #id, .class, [attribute]),
#: whatever its ancestors: leaving the ancestors out changes nothing it matches.
SIMPLE_SELECTOR = re.compile(r"\s*(?:[a-zA-Z0-9_*.#-]|\[[^\]]*\])+\s*")


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


def find_body_marker(page: str) -> re.Match | None:
    """BODY_MARKER's first match: searched from the tag around the first occurrence of the
    attribute's name (a match cannot start before the ">" preceding it), which is quicker."""
    hint = page.find("data-pagefind-body")
    if hint < 0:
        return None
    return BODY_MARKER.search(page, page.rfind(">", 0, hint) + 1)


def has_body_marker(page: str) -> bool:
    return find_body_marker(page) is not None


def attribute(value: str) -> str:
    return html.escape(value, quote=True)


@functools.lru_cache(maxsize=16)
def _tokens(name: str, every_tag: bool) -> re.Pattern:
    """Start and end tags of elements called `name` (groups "same" and "end", which is "/"
    in an end tag), and comments and raw text elements, in which such tags are text. With
    `every_tag` all other tags too, so that markup in their attribute values is skipped."""
    raw = "|".join(tag for tag in RAW_TEXT if tag != name)
    return re.compile(
        r"<!--.*?-->|<!\[CDATA\[.*?\]\]>"
        rf"|<(?P<raw>{raw})(?=[\s/>]){ATTRIBUTES}.*?</(?P=raw)\s*>"
        rf"|<(?P<end>/?)(?P<same>{re.escape(name)})(?=[\s/>]){ATTRIBUTES}"
        + (rf"|</?[a-zA-Z][^\s/>]*{ATTRIBUTES}" if every_tag else ""),
        re.IGNORECASE | re.DOTALL)


def _inside_tag(page: str, position: int) -> bool:
    """Whether `position` may be inside another tag (in a quoted attribute value)."""
    return page.rfind("<", 0, position) > page.rfind(">", 0, position)


def _element_end(page: str, start: int, name: str, every_tag: bool) -> int | None:
    """The end of the end tag of the element whose start tag ends at `start`; None if it is
    not closed, or (without `every_tag`) if a tag of that name may be in an attribute."""
    depth = 1
    for token in _tokens(name, every_tag).finditer(page, start):
        if token.group("same") is None:  # a comment, raw text or another tag
            continue
        if not every_tag and _inside_tag(page, token.start()):
            raise LookupError  # cannot tell quickly: read every tag
        depth += -1 if token.group("end") else 1
        if depth == 0:
            return token.end()
    return None


def body_element(page: str) -> tuple[int, int] | None:
    """Where the element marked data-pagefind-body is: (start of its start tag, end of its
    end tag), counting nested elements of the same name. None if it is not found or not
    closed, or if the markup around it is too odd to be sure.

    Assumes what Pelican and Jinja write: in attribute values "<" and ">" are escaped, or
    at least not both a ">" and then a start tag with data-pagefind-body."""
    found = find_body_marker(page)
    if found is None:
        return None
    start = found.start()
    if page.rfind("<!--", 0, start) > page.rfind("-->", 0, start) or _inside_tag(page, start):
        return None  # inside a comment or a tag
    name = TAG_NAME.match(page, start).group(1).lower()
    first = _tokens(name, False).match(page, start)
    if (first is None or first.group("same") is None or first.group("end")
            or not BODY_ATTRIBUTE.search(QUOTED_VALUE.sub("=", first.group(0)))):
        return None  # not the start tag of the marked element as HTML reads it
    try:
        end = _element_end(page, first.end(), name, every_tag=False)
    except LookupError:
        end = _element_end(page, first.end(), name, every_tag=True)
    return None if end is None else (start, end)


def slim_page(page: str) -> str | None:
    """The page as Pagefind needs it: its <html> tag (lang), its <title> and the element
    marked data-pagefind-body, which is all Pagefind reads of our pages. None if Pagefind
    could read anything else of this page: any data-pagefind-* attribute (filters,
    metadata, sort keys, ignore, another body) or an h1 (the result's title) outside the
    element, an <img> after it (the result's image, unless one follows the element's h1),
    a <title> after it (if there is none before); or if the element is not found."""
    where = body_element(page)
    if where is None:
        return None
    start, end = where
    element = page[start:end]
    title = TITLE_ELEMENT.search(page, 0, start)
    # bytes.lower() changes ASCII letters only (as HTML's names are case-insensitive), fast
    before, after = page[:start].encode().lower(), page[end:].encode().lower()
    if (b"data-pagefind-" in before or b"<h1" in before or b"data-pagefind-" in after
            or b"<h1" in after or (b"<title" in after and title is None)
            or (b"<img" in after and not IMAGE_AFTER_H1.search(element))):
        return None
    html_start = HTML_START.search(page, 0, start)
    return "".join(("<!DOCTYPE html>", html_start.group(0) if html_start else "<html>",
                    "<head>", title.group(0) if title else "", "</head><body>", element,
                    "</body></html>"))


def slim_pages_allowed(exclude_selectors: Sequence[str]) -> bool:
    """Whether the exclude selectors match the same in a slim page as in the whole page:
    not if one of them depends on the ancestors of the marked element ("main .x")."""
    return all(SIMPLE_SELECTOR.fullmatch(part)
               for selector in exclude_selectors for part in selector.split(","))


def prepare_html(page: str, document: Document, extra_words: Sequence[str], *,
                 slim: bool = True) -> str:
    """The page as Pagefind reads it: with `slim` only what Pagefind reads of it (see
    slim_page; else, or if that fails, the whole page), and its filters, metadata and extra
    words before </body>.

    Filters and metadata are set inline ("name:value"), one element each, so a value may
    contain commas; they need not be inside data-pagefind-body."""
    if slim:
        page = slim_page(page) or page
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
    slim = slim_pages_allowed(exclude_selectors)

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
                                                  expander.extra_words(document.text),
                                                  slim=slim)},
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
