"""Cache entries (bytes by key) in one SQLite file instead of one file per entry.

The build caches hold thousands of small entries: a post's Markdown, its cleaned body,
summary and metadata, every rendered page. As one file each, a full build of 1,000 posts
and 1,000 groups created about 11,000 files and 800 folders in the cache. On ext4,
creating a file right after many were deleted (the previous build's output, a cleared
cache) scans the inode table for each new one: measured here, that cost more CPU than
Markdown and bleach together. One SQLite file per cache holds the same entries in a few
inodes; an insert takes about 40 µs, a lookup about 5 µs.

Safe for several processes: WAL mode lets the build read while a helper process writes,
every write is committed at once (a helper's entry is visible the moment it says it is
done), and each process opens its own connection: a connection must never be used in a
process forked from the one that opened it. Connections are kept for the life of the
process and never closed in a forked child (closing one there could remove the parent's
write-ahead log).

Nothing here may fail a build: a cache that cannot be read or written only makes the build
slower. A damaged file is put aside and started anew.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    used REAL NOT NULL
) WITHOUT ROWID
"""
BUSY_TIMEOUT_MS = 60_000
# remember_use() rewrites an entry's time of use only when the recorded one is older than
# this: recording all 3,000 entries of a rebuild took 40 ms, for a pruning measured in days.
USE_RECORDED_FOR = 86400  # seconds
ENTRIES_FILE = "entries.sqlite"  #: the usual name of a store inside a cache folder

# (pid, path) -> connection. Kept, never closed: see the module docstring.
_connections: dict[tuple[int, str], sqlite3.Connection] = {}


def _connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000,
                                 isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    # A cache may lose its last writes in a power cut; it must not be corrupted (WAL with
    # NORMAL keeps it consistent), and a lost entry is only made again.
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(SCHEMA)
    return connection


def connection_for(path: Path) -> sqlite3.Connection | None:
    """This process's connection to the store at `path`; None if it cannot be opened."""
    name = str(path)
    key = (os.getpid(), name)
    connection = _connections.get(key)
    if connection is not None:
        return connection
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = _connect(name)
    except sqlite3.DatabaseError:
        connection = _start_afresh(path)
    except (OSError, sqlite3.Error):
        return None
    if connection is not None:
        _connections[key] = connection
    return connection


def _start_afresh(path: Path) -> sqlite3.Connection | None:
    """A damaged or foreign file: move it aside (never delete what might be someone's) and
    begin an empty store."""
    try:
        os.replace(path, path.with_name(f"{path.name}.defekt-{int(time.time())}"))
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return _connect(str(path))
    except (OSError, sqlite3.Error):
        return None


class EntryStore:
    """Entries by key in the SQLite file `path`; with `path` None, a store that never hits.

    `used` collects the keys this process read or wrote in this build; `remember_use`
    records their time in one statement, `remove_unused` and `remove_older_than` prune.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.used: set[str] = set()
        self._use_to_record: set[str] = set()  # read, and recorded as used long ago
        self.hits = 0
        self.misses = 0

    def _connection(self) -> sqlite3.Connection | None:
        return None if self.path is None else connection_for(self.path)

    def get(self, key: str) -> bytes | None:
        connection = self._connection()
        if connection is None:
            return None
        try:
            row = connection.execute("SELECT data, used FROM entries WHERE key = ?",
                                     (key,)).fetchone()
        except sqlite3.Error:
            row = None
        if row is None:
            self.misses += 1
            return None
        self.used.add(key)
        if row[1] < time.time() - USE_RECORDED_FOR:
            self._use_to_record.add(key)
        self.hits += 1
        return bytes(row[0])

    def contains(self, key: str) -> bool:
        connection = self._connection()
        if connection is None:
            return False
        try:
            return connection.execute("SELECT 1 FROM entries WHERE key = ?",
                                      (key,)).fetchone() is not None
        except sqlite3.Error:
            return False

    def put(self, key: str, data: bytes) -> None:
        connection = self._connection()
        if connection is None:
            return
        self.used.add(key)
        try:
            connection.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                               (key, data, time.time()))
        except sqlite3.Error:
            pass

    def count(self) -> int:
        connection = self._connection()
        if connection is None or not self.path.exists():
            return 0
        try:
            return connection.execute("SELECT count(*) FROM entries").fetchone()[0]
        except sqlite3.Error:
            return 0

    def keys(self) -> list[str]:
        connection = self._connection()
        if connection is None:
            return []
        try:
            return [row[0] for row in connection.execute("SELECT key FROM entries")]
        except sqlite3.Error:
            return []

    def remember_use(self, keys: Iterable[str] | None = None, at: float | None = None
                     ) -> None:
        """Mark `keys` as used `at` (default: now). By default the entries read in this build
        whose recorded use is older than a day; those written in it were recorded then."""
        connection = self._connection()
        if connection is None:
            return
        when = time.time() if at is None else at
        try:
            with _transaction(connection):
                connection.executemany("UPDATE entries SET used = ? WHERE key = ?",
                                       ((when, key) for key in (
                                           self._use_to_record if keys is None else keys)))
            if keys is None:
                self._use_to_record.clear()
        except sqlite3.Error:
            pass

    def remove_unused(self) -> int:
        """Delete every entry this process did not read or write in this build."""
        connection = self._connection()
        if connection is None:
            return 0
        try:
            with _transaction(connection):
                connection.execute("CREATE TEMP TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY)")
                connection.execute("DELETE FROM kept")
                connection.executemany("INSERT OR IGNORE INTO kept VALUES (?)",
                                       ((key,) for key in self.used))
                removed = connection.execute(
                    "DELETE FROM entries WHERE key NOT IN (SELECT key FROM kept)").rowcount
                connection.execute("DELETE FROM kept")
            return removed
        except sqlite3.Error:
            return 0

    def remove_older_than(self, seconds: float) -> int:
        """Delete entries not used for `seconds`."""
        connection = self._connection()
        if connection is None:
            return 0
        try:
            return connection.execute("DELETE FROM entries WHERE used < ?",
                                      (time.time() - seconds,)).rowcount
        except sqlite3.Error:
            return 0


@contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """BEGIN … COMMIT on a connection that otherwise commits every statement."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
