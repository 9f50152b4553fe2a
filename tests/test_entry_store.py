"""sitetools.entry_store: the build caches' entries in one SQLite file, shared by the build
and its forked helper processes; never a reason for a build to fail."""

from __future__ import annotations

import os
import time

import pytest

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


def test_a_store_without_a_path_never_hits_and_writes_nothing(tmp_path):
    store = EntryStore(None)
    store.put("a", b"x")
    assert store.get("a") is None and not store.contains("a") and store.count() == 0
    assert store.remove_unused() == 0 and store.remove_older_than(0) == 0
    assert list(tmp_path.iterdir()) == []


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
    assert EntryStore(tmp_path / ENTRIES_FILE).count() == 3


def test_a_damaged_file_is_put_aside_and_the_cache_starts_empty(tmp_path):
    path = tmp_path / "kaputt" / ENTRIES_FILE
    path.parent.mkdir()
    path.write_bytes(b"Das ist keine Datenbank. " * 200)
    store = EntryStore(path)
    assert store.get("a") is None
    store.put("a", b"x")
    assert store.get("a") == b"x"
    assert [p.name for p in path.parent.iterdir() if ".defekt-" in p.name]


def test_a_cache_that_cannot_be_written_only_misses(tmp_path):
    blocked = tmp_path / "datei"
    blocked.write_text("kein Ordner")
    store = EntryStore(blocked / ENTRIES_FILE)  # its folder would have to be inside a file
    store.put("a", b"x")
    assert store.get("a") is None and store.count() == 0
