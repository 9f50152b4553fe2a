"""Build the Pagefind index of the selected documents inside the output folder being built.

Each page is read from the output folder as soon as Pelican has written it (IndexingSession;
any page not seen then, once the site is written) and handed to Pagefind together with what
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
import os
import re
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .selection import Document
from .service import PagefindService, ServiceError, Usage, find_executable
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
    #: from the first page sent to Pagefind (while the site was written) to the bundle
    #: written: reading and sending pages, Pagefind's work, writing the bundle
    seconds: float
    #: of that: from asking Pagefind for the bundle (once the last page is sent) to the
    #: bundle written: mostly Pagefind building and writing the index
    write_seconds: float
    #: of that: after the site was written (finish), the time indexing adds to a build
    finish_seconds: float
    sent_while_writing: int  #: pages sent as Pelican wrote them (content_written)
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


#: Pagefind meta field with the first EXTRA_WORDS_MARK of a page's extra words as indexed:
#: where they begin at the end of its content (search.js knows the name). No word is added
#: twice, so these words in this order mark the one place.
EXTRA_WORDS_META = "stichwoerter"
EXTRA_WORDS_MARK = 3


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
        words = ", ".join(extra_words)
        # Found, but never shown: they are not the page's words ("Saufen" on a group's
        # page). Pagefind makes its excerpts from all indexed text; the search page
        # (search.js) cuts these words off where their first few begin, at the content's end.
        start = ", ".join(extra_words[:EXTRA_WORDS_MARK])
        added.append(f'<span data-pagefind-meta="{attribute(EXTRA_WORDS_META + ":" + start)}">'
                     "</span>")
        # Weighted below normal text: a page that says "Trinken" itself ranks first.
        added.append('<div data-pagefind-body data-pagefind-weight="0.5"><p>'
                     + html.escape(words) + "</p></div>")
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


def file_key(path: str | Path) -> str:
    """A file's path as the key of IndexingSession's documents. Pelican's content_written
    names a page as its output folder joined with save_as, like IndexingSession does; only
    relative folders, Windows' slashes and case need normalising. (No realpath: a syscall
    per folder, for every file written. A page named otherwise is only sent later.)"""
    return os.path.normcase(os.path.abspath(path))


class IndexingSession:
    """One Pagefind index built while Pelican writes the site, so Pagefind works on the
    other core meanwhile: start() before the first page is written; page_written() for every
    file as soon as it is written (sends it if it is a document's; after the last document,
    asks Pagefind for the bundle, which it builds while Pelican finishes); finish() when the
    site is written (sends the documents not seen yet, waits for the bundle); close() in any
    case. Every failure raises IndexingError."""

    def __init__(self, output_path: Path, documents: Sequence[Document], expander: Expander,
                 *, bundle_dir: str = "pagefind", language: str = "de",
                 exclude_selectors: Sequence[str] = (), unused_files: Sequence[str] = (),
                 timeout: float = 300.0, executable: Path | None = None,
                 service: PagefindService | None = None, bundle: Path | None = None):
        """`service`: a Pagefind program shared with other sessions (shards.py), which
        closes it; else the session starts and ends its own. `bundle`: where the bundle
        goes instead of `bundle_dir` in the output folder."""
        self.output_path = Path(os.path.abspath(output_path))  # Pagefind runs in it
        self.bundle = bundle or bundle_folder(self.output_path, bundle_dir)
        self.expander = expander
        self.config = {"force_language": language, "exclude_selectors": list(exclude_selectors)}
        self.slim = slim_pages_allowed(exclude_selectors)
        self.unused_files = tuple(unused_files)
        self.timeout = timeout
        self.executable = executable
        #: the documents not sent yet, by file_key of their page
        self.unsent = {file_key(self.output_path / d.save_as): d for d in documents}
        self._owner = os.getpid()
        self._service: PagefindService | None = service
        self._owns_service = service is None
        self._sent = 0
        self._index_id: int | None = None
        self._first_sent: float | None = None
        self._sent_while_writing = 0
        self._writing_since: float | None = None  # when WriteFiles was sent

    # --- while the site is written ----------------------------------------------------------

    def start(self) -> None:
        """Start Pagefind and a new index."""
        # Pagefind runs in the output folder (where it finds no configuration file of its
        # own); before the first build into it, Pelican has not made it yet.
        self.output_path.mkdir(parents=True, exist_ok=True)
        with _as_indexing_error():
            if self._service is None:
                self._service = PagefindService(self.executable or find_executable(),
                                                timeout=self.timeout,
                                                cwd=str(self.output_path))
            answer = self._service.request({"type": "NewIndex", "config": self.config},
                                           "die Einstellungen", "NewIndex")
        self._index_id = answer["index_id"]

    def page_written(self, path: str, page_digest: str | None = None) -> bool:
        """Send the file Pelican has just written at `path` if it is an unsent document's
        page; whether it was. Does not wait for Pagefind (unless WINDOW pages are waiting).
        `page_digest` is ignored: only ShardedIndex keys pages by it."""
        if os.getpid() != self._owner:
            return False  # a forked helper's copy of the build: Pagefind is the parent's
        document = self.unsent.pop(file_key(path), None)
        if document is None:
            return False
        self._send(document)
        self._sent_while_writing += 1
        if not self.unsent:  # the last one: Pagefind builds the index while Pelican finishes
            self._write_bundle()
        return True

    def _send(self, document: Document) -> None:
        service = self._running()
        page = read_page(self.output_path, document)
        payload = {"type": "AddFile", "index_id": self._index_id, "file_path": None,
                   "url": "/" + document.url.lstrip("/"),
                   "file_contents": prepare_html(page, document,
                                                 self.expander.extra_words(document.text),
                                                 slim=self.slim)}
        if self._first_sent is None:
            self._first_sent = time.perf_counter()
        with _as_indexing_error():
            service.submit(payload, f"die Seite {document.save_as}", "IndexedFile")
        self._sent += 1

    def _running(self) -> PagefindService:
        if self._index_id is None:
            self.start()
        return self._service

    def _write_bundle(self) -> None:
        """Ask Pagefind to build the index and write the bundle, without waiting."""
        if self.bundle.is_dir():  # an earlier build's index in the same folder (preview)
            shutil.rmtree(self.bundle)
        self._writing_since = time.perf_counter()
        with _as_indexing_error():
            self._running().submit({"type": "WriteFiles", "index_id": self._index_id,
                                    "output_path": str(self.bundle)},
                                   "das Schreiben des Index", "WriteFiles")

    # --- once the site is written -----------------------------------------------------------

    def finish(self) -> IndexStats:
        """Send the documents not seen yet (written without content_written), have the
        bundle written (unless that is under way), wait for all of Pagefind's answers; what
        it took."""
        finishing = time.perf_counter()
        while self.unsent:
            self._send(self.unsent.pop(next(iter(self.unsent))))
        if self._writing_since is None:
            self._write_bundle()
        service = self._running()
        with _as_indexing_error():
            service.collect()
            self._wait_for_writes(service)
            written = time.perf_counter()
            usage = service.close() if self._owns_service else Usage(0.0, 0)
        version = self._tidy_bundle()
        files = [p for p in self.bundle.rglob("*") if p.is_file()]
        return IndexStats(pages=self._sent,
                          seconds=written - (self._first_sent or finishing),
                          write_seconds=written - self._writing_since,
                          finish_seconds=written - finishing,
                          sent_while_writing=self._sent_while_writing,
                          bundle_bytes=sum(p.stat().st_size for p in files),
                          bundle_files=len(files), peak_rss_bytes=usage.peak_rss_bytes,
                          version=version)

    def _wait_for_writes(self, service: PagefindService) -> None:
        """Pagefind 1.5 answers WriteFiles while its last writes may still be under way, and
        ends at once when its input ends, losing them (Pagefind issue #1271): on a busy
        machine pagefind-entry.json was empty in about 1 of 15 builds of a small site. So
        wait, while it runs, until it has no file of the bundle open any more (Linux), or
        else until that file, written last, is complete. _tidy_bundle checks it anyway."""
        bundle = os.path.realpath(self.bundle) + os.sep
        entry = self.bundle / "pagefind-entry.json"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            open_files = service.open_files()
            if open_files is not None:
                if not any(path.startswith(bundle) for path in open_files):
                    return
            elif _is_json(entry):
                return
            time.sleep(0.002)

    def _tidy_bundle(self) -> str:
        """Remove the unused files from the bundle; Pagefind's version."""
        entry = self.bundle / "pagefind-entry.json"
        try:
            version = json.loads(entry.read_text(encoding="utf-8")).get("version", "?")
        except (OSError, ValueError) as error:
            raise IndexingError(f"Pagefind hat keinen Index geschrieben ({entry}).") from error
        for name in self.unused_files:
            unused = self.bundle / name
            if unused.is_file():
                unused.unlink()
        return version

    def close(self) -> None:
        """End Pagefind: after finish() it has ended; else (a failed build) at once."""
        if self._service is not None and self._owns_service:
            self._service.close(grace=1.0)

    def __enter__(self) -> IndexingSession:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


@contextmanager
def _as_indexing_error() -> Iterator[None]:
    try:
        yield
    except ServiceError as error:
        raise IndexingError(str(error)) from error


def _is_json(path: Path) -> bool:
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return True


def read_page(output_path: Path, document: Document) -> str:
    """A document's page as written, with the marker of its main content."""
    try:
        page = (output_path / document.save_as).read_text(encoding="utf-8")
    except OSError as error:
        raise IndexingError(f"{document.save_as} fehlt im Bau: {error}") from error
    if not has_body_marker(page):
        raise IndexingError(
            f"{document.save_as}: Die Vorlage markiert den Hauptinhalt nicht mit "
            "data-pagefind-body; ohne diese Markierung würde Pagefind Menü und "
            "Fußzeile mit durchsuchen.")
    return page


def build_index(output_path: Path, documents: Sequence[Document], expander: Expander,
                **options) -> IndexStats:
    """Index `documents` of an already written site into `output_path/bundle_dir` in one go
    (options: those of IndexingSession)."""
    with IndexingSession(output_path, documents, expander, **options) as session:
        return session.finish()
