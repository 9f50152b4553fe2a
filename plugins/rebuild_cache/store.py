"""Cache folders: one per generation, entries written atomically, unused ones removed.

    CACHE_PATH/rebuild_cache/reading-<digest>/ab/abcdef….pickle
    CACHE_PATH/rebuild_cache/render-<digest>/ab/abcdef….html

A build only ever reads entries of its own generation (see fingerprint.py). After a
successful build, entries of that generation the build did not use are removed (they belong
to older versions of a file or page), and only the most recently used generations are kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

USED_MARKER = ".used"


class EntryFolder:
    """Entries named by key in `folder`; `None` makes a folder that never hits."""

    def __init__(self, folder: Path | None, suffix: str) -> None:
        self.folder = folder
        self.suffix = suffix
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0

    def path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}{self.suffix}"

    def read(self, key: str) -> bytes | None:
        if self.folder is None:
            return None
        try:
            data = self.path(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        self.used.add(key)
        self.hits += 1
        return data

    def contains(self, key: str) -> bool:
        return self.folder is not None and self.path(key).is_file()

    def write(self, key: str, data: bytes) -> None:
        if self.folder is None:
            return
        self.used.add(key)
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower

    def count(self) -> int:
        if self.folder is None or not self.folder.is_dir():
            return 0
        return sum(len(os.listdir(shard.path)) for shard in os.scandir(self.folder)
                   if shard.is_dir())

    def remove_unused(self) -> int:
        """Delete the entries this build did not use; returns how many."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed = 0
        for shard in os.scandir(self.folder):
            if not shard.is_dir():
                continue
            for entry in os.scandir(shard.path):
                key = entry.name.removesuffix(self.suffix)
                if key not in self.used:
                    try:
                        os.unlink(entry.path)
                        removed += 1
                    except OSError:
                        pass
        return removed


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
        shutil.rmtree(old, ignore_errors=True)
    # Scratch folders of helper processes whose build was killed (a running build's own
    # is younger than an hour).
    for scratch in root.glob("helper-*"):
        try:
            if time.time() - scratch.stat().st_mtime > 3600:
                shutil.rmtree(scratch, ignore_errors=True)
        except OSError:
            pass
