"""Cache folders: one per generation, its entries in one SQLite file, unused ones removed.

    CACHE_PATH/rebuild_cache/reading-<digest>/entries.sqlite
    CACHE_PATH/rebuild_cache/render-<digest>/entries.sqlite

A build only ever reads entries of its own generation (see fingerprint.py). After a
successful build, entries of that generation the build did not use are removed (they belong
to older versions of a file or page), and only the most recently used generations are kept.
Why one file and not a file per entry: sitetools/entry_store.py.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from sitetools.entry_store import ENTRIES_FILE, EntryStore, close_stores_under

USED_MARKER = ".used"


class EntryFolder(EntryStore):
    """The entries of one generation folder; `None` makes a folder that never hits."""

    def __init__(self, folder: Path | None) -> None:
        super().__init__(None if folder is None else folder / ENTRIES_FILE)
        self.folder = folder

    read = EntryStore.get
    write = EntryStore.put


def generation_folder(root: Path, kind: str, digest: str) -> Path:
    folder = root / f"{kind}-{digest[:24]}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / USED_MARKER).write_text(str(time.time()), encoding="utf-8")
    return folder


def keep_recent_generations(root: Path, kind: str, keep: int) -> None:
    """Remove all but the `keep` most recently used generations of `kind`."""
    if not root.is_dir():
        return

    def last_used(folder: Path) -> float:
        try:
            return (folder / USED_MARKER).stat().st_mtime
        except OSError:
            return 0.0

    folders = sorted((p for p in root.glob(f"{kind}-*") if p.is_dir()), key=last_used,
                     reverse=True)
    for old in folders[max(keep, 1):]:
        close_stores_under(old)  # this process's connection (the preview keeps them open)
        shutil.rmtree(old, ignore_errors=True)
    # Scratch folders of helper processes whose build was killed (a running build's own
    # is younger than an hour).
    for scratch in root.glob("helper-*"):
        try:
            if time.time() - scratch.stat().st_mtime > 3600:
                shutil.rmtree(scratch, ignore_errors=True)
        except OSError:
            pass
