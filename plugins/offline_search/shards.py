"""The search index in shards, each reused from the cache while its pages stay the same.

Pagefind cannot change an index, only build one, so every rebuild indexed every page again:
for 1,937 pages about 4 s of Pagefind's CPU, the longest part of a rebuild after one changed
post. Now the documents are split into shards of about OFFLINE_SEARCH_PAGES_PER_SHARD
pages: posts and groups into shards of their own, each by a stable hash of the URL
(ShardPlan says why). Each shard is a bundle of its own, and the search page
merges them in the reader's browser (Pagefind's mergeIndex). A merged bundle loads no second
WebAssembly, only its own entry and metadata files (a few kB) and, per search word, one small
index chunk, so readers pay a few small requests more per search.

A shard's bundle is kept in CACHE_PATH/offline_search/ under the digest of everything it is
made of: each document's page as written (the digest of its file, from rebuild_cache's
writer where it knows it: sitetools/written_page.py), its filters and metadata, the extra
words' lists, the settings and code of this plugin and the Pagefind program. A rebuild links
the bundles of unchanged shards into the output (hard links: nothing writes into them) and
indexes only the other shards. A shard is known to have changed as soon as one of its pages
is new to the cache; it is then indexed while Pelican writes on, as a single index was
before.

The first shard's bundle is the primary one at OFFLINE_SEARCH_BUNDLE_DIR (pagefind/, with
pagefind.js and the WebAssembly); shard n at pagefind/teil-n/ has only its index.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sitetools import written_page

from .indexer import (IndexingError, IndexingSession, IndexStats, _as_indexing_error,
                      bundle_folder, file_key)
from .selection import Document
from .service import PagefindService, Usage, find_executable
from .words import Expander

SHARD_PREFIX = "teil-"
#: Files only the primary bundle needs: merged bundles use the primary's script and program.
PRIMARY_ONLY = ("pagefind.js", "wasm.de.pagefind", "wasm.unknown.pagefind")
DONE_MARKER = "documents.json"  #: written last into a cached shard: it is complete


def shard_count(documents: int, per_shard: int, most: int) -> int:
    if per_shard <= 0:
        return 1
    return max(1, min(most, math.ceil(documents / per_shard)))


def shard_of(url: str, count: int) -> int:
    """A document's place among `count` shards: stable across builds, whatever else is
    added or removed."""
    return int.from_bytes(hashlib.sha256(url.encode("utf-8")).digest()[:8], "big") % count


@dataclass(frozen=True)
class ShardPlan:
    """Which shard each document goes to.

    Pelican writes the posts and pages first and the group pages last. A shard that mixes
    both is complete, and Pagefind can write its bundle, only once the last group page is
    written; a full build then waited about a second for the bundles after everything else
    was done. So posts (with the few pages) and groups get shards of their own, each kind
    spread over its shards by a hash of the URL (stable across builds): the posts' bundles
    are written while Pelican still writes the groups, and a rebuild after a changed post
    indexes only posts again."""

    count: int
    first_shard: dict[str, int]  #: kind of document -> its first shard
    shards_of_kind: dict[str, int]  #: kind -> how many shards it has
    kind_section: dict[str, str]  #: kind -> the kind whose shards it shares

    @classmethod
    def by_url(cls, count: int) -> ShardPlan:
        """`count` shards, every document placed by its URL alone."""
        return cls(count, {}, {}, {})

    def shard_of(self, document: Document) -> int:
        section = self.kind_section.get(document.kind, document.kind)
        if section not in self.first_shard:
            return shard_of(document.url, self.count)
        return self.first_shard[section] + shard_of(document.url,
                                                    self.shards_of_kind[section])


def plan_shards(documents: Sequence[Document], per_shard: int, most: int) -> ShardPlan:
    """Shards of about `per_shard` documents, at most `most` in all, one set per kind of
    document in the order of `documents` (posts, pages, groups). A kind with fewer than half
    a shard's documents shares the shards of the kind before it (the pages those of the
    posts); where the kinds need more than `most` shards, the kind with the most gives some
    up, so posts keep small shards even beside 10,000 groups. With more kinds than `most`,
    or `per_shard` 0 or less, every document is placed by its URL alone, as one set."""
    per_kind = Counter(document.kind for document in documents)  # in order of appearance
    sizes: dict[str, int] = {}
    kind_section: dict[str, str] = {}
    for kind, size in per_kind.items():
        previous = next(reversed(sizes), None)
        small = per_shard > 0 and size < per_shard / 2
        section = previous if small and previous else kind
        kind_section[kind] = section
        sizes[section] = sizes.get(section, 0) + size
    if per_shard <= 0 or not sizes or len(sizes) > most:
        return ShardPlan.by_url(shard_count(len(documents), per_shard, most))
    shards = {section: max(1, math.ceil(size / per_shard)) for section, size in sizes.items()}
    while sum(shards.values()) > most:
        largest = max(shards, key=lambda section: (shards[section], sizes[section]))
        shards[largest] -= 1
    first, start = {}, 0
    for section, number in shards.items():
        first[section] = start
        start += number
    return ShardPlan(start, first, shards, kind_section)


def shard_dir(bundle_dir: str, number: int) -> str:
    """A shard's bundle folder, relative to the output folder."""
    return bundle_dir if number == 0 else f"{bundle_dir}/{SHARD_PREFIX}{number + 1}"


def shard_dirs(bundle_dir: str, count: int) -> list[str]:
    return [shard_dir(bundle_dir, number) for number in range(count)]


def document_key(document: Document, page_digest: str) -> str:
    """A document as Pagefind gets it: its page as written (the SHA-256 of the file, hex)
    and everything selection.py says of it (filters, metadata, facts, the text the extra
    words come from)."""
    digest = hashlib.sha256(repr(document).encode("utf-8", "surrogatepass"))
    digest.update(bytes.fromhex(page_digest))
    return digest.hexdigest()


@dataclass
class Shard:
    number: int
    bundle_dir: str  #: relative to the output folder
    documents: dict[str, Document]  #: by file_key of the page
    keys: dict[str, str] = field(default_factory=dict)  #: document keys, once pages are seen
    session: IndexingSession | None = None
    scratch: Path | None = None  #: where Pagefind writes this shard's bundle
    cached: Path | None = None  #: the finished bundle in the cache
    stats: IndexStats | None = None


@dataclass(frozen=True)
class ShardStats:
    pages: int  #: documents in the index
    indexed: int  #: of those: pages Pagefind indexed in this build
    sent_while_writing: int  #: of those: sent as Pelican wrote them (content_written)
    shards: int
    reused: int  #: shards taken from the cache
    seconds: float  #: from the first page sent to Pagefind to the last bundle written
    finish_seconds: float  #: of that: after the site was written
    bundle_bytes: int
    bundle_files: int
    peak_rss_bytes: int
    version: str


class ShardedIndex:
    """Like IndexingSession (page_written while Pelican writes, finish once it is done,
    close in any case), for the index in shards. `settings_digest` stands for everything
    besides the documents that changes a bundle (plugin.py makes it)."""

    def __init__(self, output_path: Path, documents: Sequence[Document], expander: Expander,
                 cache: Path, settings_digest: str, *, plan: ShardPlan | None = None,
                 bundle_dir: str = "pagefind", keep_paths: Sequence[str] = (),
                 executable: Path | None = None, **session_options) -> None:
        self.output_path = Path(os.path.abspath(output_path))
        bundle_folder(self.output_path, bundle_dir)  # refuses a folder outside the site
        self.expander = expander
        self.cache = cache
        self.bundle_dir = bundle_dir
        self.keep_paths = {file_key(self.output_path / p) for p in keep_paths if p}
        self.executable = executable
        self.session_options = session_options
        self.settings_digest = settings_digest
        plan = plan or ShardPlan.by_url(1)
        self.shards = [Shard(n, shard_dir(bundle_dir, n), {}) for n in range(plan.count)]
        self.by_page: dict[str, Shard] = {}
        for document in documents:
            shard = self.shards[plan.shard_of(document)]
            page = file_key(self.output_path / document.save_as)
            shard.documents[page] = document
            self.by_page[page] = shard
        self.known = self._known_documents()
        self._service: PagefindService | None = None
        self._owner = os.getpid()
        self._first_sent: float | None = None

    # --- while the site is written ----------------------------------------------------------

    def page_written(self, path: str, page_digest: str | None = None) -> bool:
        """`page_digest`: the file's digest as the writer knows it (sitetools/written_page.py),
        else the file is read. Not for a page written a second time in a build: Pelican may
        have sent the second text to os.devnull (override_output)."""
        if os.getpid() != self._owner:
            return False  # a forked helper's copy of the build: Pagefind is the parent's
        page = file_key(path)
        shard = self.by_page.get(page)
        if shard is None:
            return False
        document = shard.documents[page]
        if page_digest is None or page in shard.keys:
            shard.keys[page] = self._key(document)
        else:
            shard.keys[page] = document_key(document, page_digest)
        if shard.session is not None:
            shard.session.page_written(page)
        elif shard.keys[page] not in self.known:
            self._start(shard)
        return True

    def _key(self, document: Document) -> str:
        path = self.output_path / document.save_as
        try:
            return document_key(document, written_page.digest(path.read_bytes()))
        except OSError as error:
            raise IndexingError(f"{document.save_as} fehlt im Bau: {error}") from error

    def _start(self, shard: Shard) -> None:
        """Index this shard: Pagefind gets its pages written so far now, the rest as they
        are written."""
        if self._service is None:
            with _as_indexing_error():
                self._service = PagefindService(self.executable or find_executable(),
                                                timeout=self.session_options.get("timeout",
                                                                                 300.0),
                                                cwd=str(self.output_path))
        if self._first_sent is None:
            self._first_sent = time.perf_counter()
        shard.scratch = self.cache / f"neu-{os.getpid()}-{shard.number}"
        if shard.scratch.exists():  # left by a build that failed in this process
            shutil.rmtree(shard.scratch)
        self.cache.mkdir(parents=True, exist_ok=True)
        options = dict(self.session_options)
        if shard.number:
            options["unused_files"] = (*options.get("unused_files", ()), *PRIMARY_ONLY)
        shard.session = IndexingSession(self.output_path, list(shard.documents.values()),
                                        self.expander, service=self._service,
                                        bundle=shard.scratch, **options)
        shard.session.start()
        for page in list(shard.keys):
            shard.session.page_written(page)

    # --- once the site is written -----------------------------------------------------------

    def finish(self) -> ShardStats:
        finishing = time.perf_counter()
        for shard in self.shards:
            for page, document in shard.documents.items():
                if page not in shard.keys:  # written without content_written
                    shard.keys[page] = self._key(document)
            if shard.session is None:
                cached = self.cache / self._shard_digest(shard)
                if (cached / DONE_MARKER).is_file():
                    os.utime(cached)  # in use: a concurrent build's _prune keeps it
                    shard.cached = cached
                    continue
                self._start(shard)
        for shard in self.shards:
            if shard.session is not None:
                shard.stats = shard.session.finish()
                shard.cached = self._store(shard)
        written = time.perf_counter()
        usage = Usage(0.0, 0)
        if self._service is not None:
            with _as_indexing_error():
                usage = self._service.close()
            self._service = None
        files, size = self._place()
        self._prune()
        indexed = [shard.stats for shard in self.shards if shard.stats is not None]
        return ShardStats(
            pages=sum(len(shard.documents) for shard in self.shards),
            indexed=sum(stats.pages for stats in indexed),
            sent_while_writing=sum(stats.sent_while_writing for stats in indexed),
            shards=len(self.shards), reused=len(self.shards) - len(indexed),
            seconds=written - self._first_sent if self._first_sent else 0.0,
            finish_seconds=written - finishing, bundle_bytes=size, bundle_files=files,
            peak_rss_bytes=usage.peak_rss_bytes, version=self._version())

    def _shard_digest(self, shard: Shard) -> str:
        # Its documents and whether it is the primary bundle make a shard, not its number:
        # when the posts gain a shard, the groups' shards move up by one and are reused.
        role = "primary" if shard.number == 0 else "merged"
        digest = hashlib.sha256(f"{self.settings_digest}\0{role}\0".encode())
        for page in sorted(shard.keys):
            digest.update(f"{shard.documents[page].url}\0{shard.keys[page]}\n".encode())
        return "teil-" + digest.hexdigest()[:32]

    def _store(self, shard: Shard) -> Path:
        """Move a shard's new bundle into the cache, under its digest."""
        target = self.cache / self._shard_digest(shard)
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        os.rename(shard.scratch, target / "bundle")
        (target / DONE_MARKER).write_text(json.dumps(sorted(shard.keys.values())),
                                          encoding="utf-8")
        return target

    def _place(self) -> tuple[int, int]:
        """Link every shard's bundle into the output; remove what else is in the bundle
        folder (an earlier build's shards)."""
        wanted: dict[str, Path] = {}
        for shard in self.shards:
            source = shard.cached / "bundle"
            for folder, _, names in os.walk(source):
                relative = os.path.relpath(folder, source)
                for name in names:
                    target = self.output_path / shard.bundle_dir / relative / name
                    wanted[file_key(target)] = Path(folder, name)
        files = size = 0
        for target, source in wanted.items():
            place(source, Path(target))
            files += 1
            size += source.stat().st_size
        root = self.output_path / self.bundle_dir
        for folder, _, names in os.walk(root, topdown=False):
            for name in names:
                path = file_key(os.path.join(folder, name))
                if path not in wanted and path not in self.keep_paths:
                    os.unlink(path)
            if not os.listdir(folder):
                os.rmdir(folder)
        return files, size

    def _prune(self) -> None:
        """Keep the bundles of this build and the most recently used others (the preview's
        and the publish build's may alternate), up to three sets; older ones only once
        unused for a day, so a build running at the same time never loses its bundles."""
        used = {shard.cached for shard in self.shards}
        for folder in used:
            os.utime(folder)
        others = sorted((p for p in self.cache.iterdir() if p.is_dir() and p not in used),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        day_ago = time.time() - 86400
        for stale in others[2 * len(self.shards):]:
            if stale.stat().st_mtime < day_ago:
                shutil.rmtree(stale, ignore_errors=True)

    def _known_documents(self) -> set[str]:
        known: set[str] = set()
        if not self.cache.is_dir():
            return known
        for folder in self.cache.iterdir():
            try:
                known.update(json.loads((folder / DONE_MARKER).read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return known

    def _version(self) -> str:
        entry = self.output_path / self.bundle_dir / "pagefind-entry.json"
        try:
            return json.loads(entry.read_text(encoding="utf-8")).get("version", "?")
        except (OSError, ValueError) as error:
            raise IndexingError(f"Pagefind hat keinen Index geschrieben ({entry}).") from error

    def close(self) -> None:
        for shard in self.shards:
            if shard.session is not None:
                shard.session.close()
        if self._service is not None:
            self._service.close(grace=1.0)
            self._service = None
        for shard in self.shards:
            if shard.scratch is not None and shard.scratch.exists():
                shutil.rmtree(shard.scratch, ignore_errors=True)


def place(source: Path, target: Path) -> None:
    """Put a cached file into the output: a hard link, else a copy. Nothing writes into an
    output file in place, so sharing the inode is safe."""
    try:
        if os.path.samefile(source, target):
            return  # the preview's folder: linked by the last build already
        target.unlink()
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
