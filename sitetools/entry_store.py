"""Cache entries (bytes by key) in one SQLite file instead of one file per entry.

The build caches hold thousands of small entries: a post's Markdown, its cleaned body,
summary and metadata, every rendered page. As one file each, a full build of 1,000 posts
and 1,000 groups created about 11,000 files and 800 folders in the cache. On a file system
like this machine's (ext4 without a journal), creating a file soon after many were deleted
(the previous build's output, a cleared cache) scans past every recently deleted inode:
perf put between a fifth and two fifths of a full build's CPU samples there. One SQLite
file per cache holds the same entries in three files; an insert takes about 40 µs, a
lookup about 5 µs.

Several processes share a store: a build forks helpers that fill the caches, and the preview
and a publish build may run at once. WAL mode lets readers go on while one process writes;
every write is committed at once, so a helper's entry is visible the moment it says it is
done. Each process opens its own connection (one must never be used in a process forked
from the one that opened it) and never closes one it inherited: closing it there could
remove the parent's write-ahead log. A new store is made complete in a file of its own and
then linked into place, so processes opening it at the same moment all see the same one.

Nothing here may fail a build: a cache that cannot be read or written only makes the build
slower. A file SQLite reports as damaged is put aside (`entries.sqlite.defekt`, replacing
an earlier one) and the store starts empty; a store locked by another process for longer
than BUSY_TIMEOUT gets nothing more from this process for WRITES_PAUSED_FOR (reading goes
on). Not for network shares: SQLite's WAL mode needs the shared memory of one machine.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

try:
    import sqlite3
except ImportError:  # a Python built without SQLite (pyenv without libsqlite3-dev)
    sqlite3 = None

logger = logging.getLogger(__name__)
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    used REAL NOT NULL
)
"""
ENTRIES_FILE = "entries.sqlite"  #: the usual name of a store inside a cache folder
BUSY_TIMEOUT = 10.0  # seconds: another process writing one entry takes milliseconds
RETRY_AFTER = 30.0  # seconds before a store that could not be opened is tried again
WRITES_PAUSED_FOR = 300.0  # seconds this process writes nothing to a store found locked
# remember_use() rewrites an entry's time of use only when the recorded one is older than
# this: recording all 3,000 entries of a rebuild took 40 ms, for a pruning measured in days.
USE_RECORDED_FOR = 86400  # seconds
# SQLite's primary result codes (stable across versions).
DAMAGED = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB
BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED


class _Open:
    """This process's connection to one store, and which file it has open."""

    def __init__(self, connection: sqlite3.Connection, identity: tuple[int, int]) -> None:
        self.connection = connection
        self.identity = identity


# (pid, path) -> the open store, or the time opening it failed. Kept for the life of the
# process and never closed in a forked child: see the module docstring.
_open: dict[tuple[int, str], _Open | float] = {}
# (pid, path) -> until when this process leaves a store it found locked alone (for every
# EntryStore of that path, as they share the file and so the lock).
_writes_paused: dict[tuple[int, str], float] = {}


def _identity(path: str) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_dev, status.st_ino


def _is_damage(error: sqlite3.Error) -> bool:
    return (getattr(error, "sqlite_errorcode", 0) & 0xFF) in DAMAGED


def _is_busy(error: sqlite3.Error) -> bool:
    return (getattr(error, "sqlite_errorcode", 0) & 0xFF) in BUSY


def _create(path: str) -> None:
    """Make the store at `path` unless it exists: complete (WAL mode, table) in a file of
    its own first, then linked to its name, which fails if another process was quicker."""
    fresh = f"{path}.{os.getpid()}.neu"
    try:
        connection = sqlite3.connect(fresh, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(SCHEMA)
        finally:
            connection.close()
        try:
            os.link(fresh, path)
        except FileExistsError:
            pass
        except OSError:  # no hard links here (FAT): not atomic, but never over a store
            if not os.path.exists(path):
                os.replace(fresh, path)
    finally:
        for leftover in (fresh, f"{fresh}-wal", f"{fresh}-shm"):
            try:
                os.unlink(leftover)
            except OSError:
                pass


def _connect(path: str) -> sqlite3.Connection:
    if not os.path.exists(path):
        _create(path)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None,
                                 check_same_thread=False)
    try:
        if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            connection.execute("PRAGMA journal_mode=WAL")
        # A cache may lose its last writes in a power cut; it must not be corrupted (WAL
        # with NORMAL keeps it consistent), and a lost entry is only made again.
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(SCHEMA)
    except BaseException:
        connection.close()
        raise
    return connection


def connection_for(path: Path) -> sqlite3.Connection | None:
    """This process's connection to the store at `path`; None if it cannot be opened now.
    A store whose file was removed or replaced since (a deleted cache folder, a store put
    aside) is opened anew."""
    if sqlite3 is None:
        _warn_once_without_sqlite()
        return None
    name = str(path)
    key = (os.getpid(), name)
    known = _open.get(key)
    if isinstance(known, float):
        if time.monotonic() - known < RETRY_AFTER:
            return None
        known = None
    if known is not None:
        try:
            if _identity(name) == known.identity:
                return known.connection
        except OSError:
            pass
        known.connection.close()  # opened by this process: safe to close
        del _open[key]
    for attempt in ("first", "after putting a damaged file aside"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = _connect(name)
            _open[key] = _Open(connection, _identity(name))
            return connection
        except sqlite3.Error as error:
            if not _is_damage(error) or attempt != "first":
                break
            put_aside(path)
        except OSError:
            break
    _open[key] = time.monotonic()
    return None


_told_without_sqlite = False


def _warn_once_without_sqlite() -> None:
    global _told_without_sqlite
    if not _told_without_sqlite:
        _told_without_sqlite = True
        logger.warning("Dieses Python kann kein SQLite (Modul sqlite3 fehlt): Der Bau nutzt "
                       "keinen Zwischenspeicher und dauert jedes Mal so lange wie der erste.")


def put_aside(path: Path) -> None:
    """Move a damaged store and its log out of the way; the next use starts an empty one."""
    logger.warning("Zwischenspeicher %s ist beschädigt und wird neu angelegt (der Bau dauert "
                   "dadurch einmal länger).", path)
    forget(path)
    for suffix in ("", "-wal", "-shm"):
        try:
            os.replace(f"{path}{suffix}", f"{path}.defekt{suffix}")
        except OSError:
            pass


def forget(path: Path) -> None:
    """Close this process's connection to `path`, if it has one."""
    known = _open.pop((os.getpid(), str(path)), None)
    if isinstance(known, _Open):
        known.connection.close()


def close_stores_under(folder: Path) -> None:
    """Close this process's stores inside `folder`, before the folder is removed."""
    prefix = os.path.join(str(folder), "")
    for pid, name in list(_open):
        if pid == os.getpid() and name.startswith(prefix):
            forget(Path(name))


class EntryStore:
    """Entries by key in the SQLite file `path`; with `path` None, a store that never hits.

    `used` collects the keys this process read or wrote in this build; `remember_use`
    records their time in one statement, `remove_unused` and `remove_older_than` prune.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0
        self._use_to_record: set[str] = set()  # read, and recorded as used long ago

    def _connection(self) -> sqlite3.Connection | None:
        return None if self.path is None else connection_for(self.path)

    def _writable_connection(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        paused_until = _writes_paused.get((os.getpid(), str(self.path)))
        if paused_until is not None and time.monotonic() < paused_until:
            return None
        return self._connection()

    def _failed(self, error: sqlite3.Error, writing: bool = False) -> None:
        if _is_damage(error):
            put_aside(self.path)
        elif writing and _is_busy(error):
            _writes_paused[(os.getpid(), str(self.path))] = (time.monotonic()
                                                             + WRITES_PAUSED_FOR)
            logger.warning("Zwischenspeicher %s ist von einem anderen Vorgang gesperrt; in den "
                           "nächsten Minuten wird dort nichts abgelegt (der Bau dauert nur "
                           "länger).", self.path)

    def get(self, key: str) -> bytes | None:
        connection = self._connection()
        row = None
        if connection is not None:
            try:
                row = connection.execute("SELECT data, used FROM entries WHERE key = ?",
                                         (key,)).fetchone()
            except sqlite3.Error as error:
                self._failed(error)
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
        except sqlite3.Error as error:
            self._failed(error)
            return False

    def put(self, key: str, data: bytes) -> None:
        connection = self._writable_connection()
        if connection is None:
            return
        self.used.add(key)
        try:
            connection.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                               (key, data, time.time()))
        except sqlite3.Error as error:
            self._failed(error, writing=True)

    def count(self) -> int:
        connection = self._connection()
        if connection is None:
            return 0
        try:
            return connection.execute("SELECT count(*) FROM entries").fetchone()[0]
        except sqlite3.Error as error:
            self._failed(error)
            return 0

    def keys(self) -> list[str]:
        connection = self._connection()
        if connection is None:
            return []
        try:
            return [row[0] for row in connection.execute("SELECT key FROM entries")]
        except sqlite3.Error as error:
            self._failed(error)
            return []

    def remember_use(self, keys: Iterable[str] | None = None, at: float | None = None
                     ) -> None:
        """Mark `keys` as used `at` (default: now). By default the entries read in this build
        whose recorded use is older than a day; those written in it were recorded then."""
        chosen = self._use_to_record if keys is None else set(keys)
        when = time.time() if at is None else at

        def record(connection: sqlite3.Connection) -> bool:
            connection.executemany("UPDATE entries SET used = ? WHERE key = ?",
                                   ((when, key) for key in chosen))
            return True

        if self._in_transaction(record, False) and keys is None:
            self._use_to_record.clear()

    def remove_unused(self) -> int:
        """Delete every entry this process did not read or write in this build."""

        def remove(connection: sqlite3.Connection) -> int:
            connection.execute("CREATE TEMP TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY)")
            connection.execute("DELETE FROM kept")
            connection.executemany("INSERT OR IGNORE INTO kept VALUES (?)",
                                   ((key,) for key in self.used))
            removed = connection.execute(
                "DELETE FROM entries WHERE key NOT IN (SELECT key FROM kept)").rowcount
            connection.execute("DELETE FROM kept")
            return removed

        return self._in_transaction(remove, 0)

    def remove_older_than(self, seconds: float) -> int:
        """Delete entries not used for `seconds`."""
        return self._in_transaction(
            lambda connection: connection.execute("DELETE FROM entries WHERE used < ?",
                                                  (time.time() - seconds,)).rowcount, 0)

    def _in_transaction(self, work: Callable[[sqlite3.Connection], T], failed: T) -> T:
        """`work(connection)` in one transaction; `failed` if the store cannot be written
        now (the transaction is then rolled back and has had no effect)."""
        connection = self._writable_connection()
        if connection is None:
            return failed
        try:
            connection.execute("BEGIN IMMEDIATE")
            result = work(connection)
            connection.execute("COMMIT")
            return result
        except sqlite3.Error as error:
            if connection.in_transaction:
                try:
                    connection.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            self._failed(error, writing=True)
            return failed
