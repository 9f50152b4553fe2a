"""sitetools.entry_store: the build caches' entries in one SQLite file, shared by the build
and its forked helper processes; never a reason for a build to fail."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from sitetools import entry_store
from sitetools.entry_store import ENTRIES_FILE, EntryStore

PAGE = "<p>Wir treffen uns jeden Dienstag im Nachbarschaftshaus.</p>".encode()


def test_round_trip_counts_and_keeps_everything_in_one_file(tmp_path):
    store = EntryStore(tmp_path / "render" / ENTRIES_FILE)
    assert store.get("fehlt") is None and store.misses == 1
    for number in range(200):
        store.put(f"seite-{number}", PAGE + str(number).encode())
    assert store.get("seite-7") == PAGE + b"7" and store.hits == 1
    assert store.contains("seite-199") and not store.contains("seite-200")
    assert store.count() == 200
    # 200 entries, but only the database and its write-ahead log and index beside it.
    assert {path.name for path in (tmp_path / "render").iterdir()} <= {
        ENTRIES_FILE, f"{ENTRIES_FILE}-wal", f"{ENTRIES_FILE}-shm"}


def test_a_store_without_a_path_never_hits():
    store = EntryStore(None)
    store.put("a", b"x")
    assert store.get("a") is None and not store.contains("a") and store.count() == 0
    assert store.remove_unused() == 0 and store.remove_older_than(0) == 0


def test_a_later_build_removes_what_it_did_not_use(tmp_path):
    first = EntryStore(tmp_path / ENTRIES_FILE)
    for key in ("alt", "bleibt", "auch-alt"):
        first.put(key, b"1")
    later = EntryStore(tmp_path / ENTRIES_FILE)  # the next build: its own `used`
    assert later.get("bleibt") == b"1"
    later.put("neu", b"2")
    assert later.remove_unused() == 2
    assert sorted(later.keys()) == ["bleibt", "neu"]


def test_entries_unused_for_a_while_are_pruned(tmp_path):
    store = EntryStore(tmp_path / ENTRIES_FILE)
    store.put("vor-40-tagen", b"x")
    store.put("heute", b"y")
    store.remember_use(["vor-40-tagen"], at=time.time() - 40 * 86400)
    assert store.remove_older_than(30 * 86400) == 1
    assert store.keys() == ["heute"]


def test_an_entry_read_again_is_recorded_as_used_and_survives_pruning(tmp_path):
    store = EntryStore(tmp_path / ENTRIES_FILE)
    for key in ("gelesen", "nicht-gelesen"):
        store.put(key, b"x")
    store.remember_use(["gelesen", "nicht-gelesen"], at=time.time() - 40 * 86400)
    later = EntryStore(tmp_path / ENTRIES_FILE)
    assert later.get("gelesen") == b"x"
    later.remember_use()
    assert later.remove_older_than(30 * 86400) == 1
    assert later.keys() == ["gelesen"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="helpers fork; Windows has no fork")
def test_a_forked_helper_writes_with_its_own_connection_and_the_build_reads_it(tmp_path):
    store = EntryStore(tmp_path / ENTRIES_FILE)
    store.put("vom-build", b"a")  # the build's connection is open before the fork
    pid = os.fork()
    if pid == 0:  # the helper: as rebuild_cache's, it ends with os._exit
        status = 1
        try:
            store.put("vom-helfer", b"b")
            status = 0 if store.get("vom-build") == b"a" else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert store.get("vom-helfer") == b"b"
    store.put("danach", b"c")  # the parent's connection still works after the child's
    with closing(sqlite3.connect(tmp_path / ENTRIES_FILE)) as reader:  # as another process
        assert reader.execute("SELECT count(*) FROM entries").fetchone()[0] == 3


def test_a_damaged_file_is_put_aside_and_the_cache_starts_empty(tmp_path):
    path = tmp_path / "kaputt" / ENTRIES_FILE
    path.parent.mkdir()
    path.write_bytes(b"Das ist keine Datenbank. " * 200)
    store = EntryStore(path)
    assert store.get("a") is None
    store.put("a", b"x")
    assert store.get("a") == b"x"
    assert (path.parent / f"{ENTRIES_FILE}.defekt").read_bytes().startswith(b"Das ist keine")


def test_damage_inside_the_file_is_noticed_by_a_query_and_the_store_starts_anew(tmp_path):
    path = tmp_path / ENTRIES_FILE
    store = EntryStore(path)
    for number in range(300):
        store.put(f"seite-{number}", PAGE * 40)
    entry_store.forget(path)  # as at the end of a build: the log is written into the file
    data = bytearray(path.read_bytes())
    page_size = 4096
    for page in range(2, len(data) // page_size):  # the header and schema stay intact
        data[page * page_size:(page + 1) * page_size] = b"\xff" * page_size
    path.write_bytes(bytes(data))
    later = EntryStore(path)
    assert later.get("seite-7") is None  # damaged: a miss, and the file is put aside
    later.put("seite-7", b"neu")
    assert later.get("seite-7") == b"neu"
    assert (tmp_path / f"{ENTRIES_FILE}.defekt").is_file()


def _fill(folder: str, task: int) -> int:
    store = EntryStore(Path(folder) / ENTRIES_FILE)
    for number in range(200):
        store.put(f"{task}-{number}", b"x" * 300)
    return 200


@pytest.mark.skipif(not hasattr(os, "fork"), reason="helpers fork; Windows has no fork")
def test_processes_creating_a_new_store_at_the_same_moment_share_one(tmp_path):
    """As group_directory's calendar workers on the first build of a day: a busy store
    being made by one process must not look damaged to another (the first version of this
    module then put the live store aside: 10 of 30 such trials lost entries)."""
    context = multiprocessing.get_context("fork")
    for trial in range(10):
        folder = tmp_path / f"versuch-{trial}"
        with ProcessPoolExecutor(8, mp_context=context) as pool:
            expected = sum(pool.map(_fill, [str(folder)] * 16, range(16)))
        with closing(sqlite3.connect(folder / ENTRIES_FILE)) as reader:
            assert reader.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert reader.execute("SELECT count(*) FROM entries").fetchone()[0] == expected
        assert not list(folder.glob("*defekt*"))


def test_a_removed_cache_folder_is_made_again_by_a_long_running_preview(tmp_path):
    path = tmp_path / "cache" / "render" / ENTRIES_FILE
    EntryStore(path).put("a", b"x")
    shutil.rmtree(tmp_path / "cache")  # the README says deleting cache/ is always safe
    again = EntryStore(path)  # the next build of the same preview process
    assert again.get("a") is None
    again.put("b", b"y")
    assert path.is_file() and again.keys() == ["b"]


def test_a_store_locked_by_another_process_is_left_alone_after_one_wait(tmp_path, monkeypatch):
    monkeypatch.setattr(entry_store, "BUSY_TIMEOUT", 0.2)
    monkeypatch.setattr(entry_store, "_writes_paused", {})
    path = tmp_path / ENTRIES_FILE
    EntryStore(path).put("a", b"x")
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another build, stopped while writing
        entry_store.forget(path)  # a new connection, with the short timeout
        started = time.monotonic()
        for number in range(20):  # as the calendars: a new EntryStore for every entry
            EntryStore(path).put(f"k{number}", b"y")
        assert time.monotonic() - started < 1, "waited for more than one entry"
        assert EntryStore(path).get("a") == b"x"  # reading goes on
        other.execute("ROLLBACK")


def test_a_cache_that_cannot_be_written_only_misses(tmp_path):
    blocked = tmp_path / "datei"
    blocked.write_text("kein Ordner")
    store = EntryStore(blocked / ENTRIES_FILE)  # its folder would have to be inside a file
    store.put("a", b"x")
    assert store.get("a") is None and store.count() == 0


def test_a_python_without_sqlite_builds_without_caches(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(entry_store, "sqlite3", None)
    monkeypatch.setattr(entry_store, "_told_without_sqlite", False)
    store = EntryStore(tmp_path / ENTRIES_FILE)
    store.put("a", b"x")
    assert store.get("a") is None and store.count() == 0 and store.remove_unused() == 0
    assert not (tmp_path / ENTRIES_FILE).exists()
    assert sum("kein SQLite" in r.getMessage() for r in caplog.records) == 1
