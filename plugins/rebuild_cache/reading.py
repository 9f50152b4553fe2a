"""Remember what a reader made of a file, keyed by the file's path and bytes.

Pelican's own reader cache compares only the file's stamp and ignores settings and plugins;
this one is keyed by content and lives in a generation folder (fingerprint.py). What the
reader logged (warnings, errors) is stored with the result and logged again on every build
that uses it, so an editor sees the same report whether or not the file was cached.
"""

from __future__ import annotations

import hashlib
import io
import logging
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .store import EntryFolder

FORMAT = 1
SETTINGS_ID = "settings"


@dataclass
class LoggedRecord:
    logger: str
    level: int
    message: str


@dataclass
class ReaderResult:
    content: str
    metadata: dict
    logged: list[LoggedRecord] = field(default_factory=list)


class _RecordCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[LoggedRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(LoggedRecord(record.name, record.levelno, record.getMessage()))


@contextmanager
def recording_logs() -> Iterator[list[LoggedRecord]]:
    """What is logged (warnings and worse) while the block runs, to be stored with its
    result and logged again whenever the result is reused."""
    collector = _RecordCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield collector.records
    finally:
        root.removeHandler(collector)


class _Pickler(pickle.Pickler):
    """Metadata objects (tags, categories, authors) hold the whole settings dict; it is
    stored as a reference and re-attached to the current settings when loading."""

    def __init__(self, file, settings: dict) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.settings = settings

    def persistent_id(self, obj):
        return SETTINGS_ID if obj is self.settings else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, settings: dict) -> None:
        super().__init__(file)
        self.settings = settings

    def persistent_load(self, pid):
        if pid == SETTINGS_ID:
            return self.settings
        raise pickle.UnpicklingError(f"unknown reference {pid!r}")


def file_key(source_path: str) -> str | None:
    try:
        with open(source_path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    digest = hashlib.sha256(source_path.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


class ReadingCache:
    def __init__(self, entries: EntryFolder, settings: dict) -> None:
        self.entries = entries
        self.settings = settings
        self.helper = None  # a helper.FromBothEnds reading from the other end, if any
        self.read_by_helper = 0  #: cache hits the helper read in this build

    def contains(self, source_path: str) -> bool:
        key = file_key(source_path)
        return key is not None and self.entries.contains(key)

    def get(self, key: str) -> ReaderResult | None:
        data = self.entries.read(key)
        if data is None:
            return None
        try:
            format_, result = _Unpickler(io.BytesIO(data), self.settings).load()
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, never a failure
            return None
        return result if format_ == FORMAT else None

    def put(self, key: str, result: ReaderResult) -> None:
        buffer = io.BytesIO()
        try:
            _Pickler(buffer, self.settings).dump((FORMAT, result))
        except (pickle.PicklingError, TypeError, AttributeError):
            return  # metadata a plugin made unpicklable: simply not cached
        self.entries.write(key, buffer.getvalue())

    def read(self, read_file, source_path: str) -> tuple[str, dict]:
        """`read_file(source_path)` through the cache, replaying what it logged."""
        read_by_helper = self.helper is not None and self.helper.claim(source_path)
        key = file_key(source_path)
        cached = self.get(key) if key else None
        if cached is not None:
            self.read_by_helper += read_by_helper
            for record in cached.logged:
                logging.getLogger(record.logger).log(record.level, "%s", record.message)
            return cached.content, cached.metadata
        with recording_logs() as records:
            content, metadata = read_file(source_path)
        # Stored only if the file did not change while it was read (an editor saving during
        # the preview's build), else the new text would sit under the old bytes' key.
        if key and file_key(source_path) == key:
            self.put(key, ReaderResult(content, metadata, records))
        return content, metadata


def caching_reader(reader_class: type, reading_cache: ReadingCache) -> type:
    """A subclass of `reader_class` whose read() goes through `reading_cache`."""
    base = _unwrapped(reader_class)

    def read(self, source_path):
        return reading_cache.read(lambda path: base.read(self, path), source_path)

    # Same name and module: Pelican derives metadata["reader"] from the class name.
    return type(reader_class.__name__, (reader_class,), {
        "read": read, "_rebuild_cache_base": base, "__module__": reader_class.__module__,
        "__doc__": reader_class.__doc__,
    })


def _unwrapped(reader_class: type) -> type:
    """The class below our own wrapper, so a class is never wrapped twice."""
    return getattr(reader_class, "_rebuild_cache_base", reader_class)
