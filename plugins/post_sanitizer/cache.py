"""A small on-disk cache of cleaned bodies and metadata, with their reports.

Bodies are keyed by sha256 of the raw HTML plus `policy_fingerprint()` (allowlists, backend
and its version, the plugin's code, site host); metadata as metadata_memo.py says. Reports
are stored with the results, so a cached post still tells editors what was removed. The
entries are JSON, all in one SQLite file (sitetools/entry_store.py says why).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from sitetools.entry_store import ENTRIES_FILE, EntryStore

from .model import CleanResult, Removal

FORMAT = 1
PRUNED_MARKER = "zuletzt-aufgeraeumt"
PRUNE_INTERVAL = 86400  # seconds


def cache_key(html: str, fingerprint: str) -> str:
    digest = hashlib.sha256()
    digest.update(fingerprint.encode())
    digest.update(b"\0")
    digest.update(html.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class ResultCache:
    """Cached CleanResults in `folder`; with folder None, a cache that never hits."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.entries = EntryStore(None if folder is None else folder / ENTRIES_FILE)
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> CleanResult | None:
        data = self.get_data(key)
        try:
            return CleanResult(data["html"], [Removal.from_json(r) for r in data["removals"]])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, key: str, result: CleanResult) -> None:
        self.put_data(key, {"html": result.html,
                            "removals": [removal.to_json() for removal in result.removals]})

    def get_data(self, key: str) -> dict | None:
        """The JSON object stored under `key`, or None."""
        stored = self.entries.get(key)
        try:
            data = json.loads(stored) if stored is not None else None
            if data is not None and data.get("format") != FORMAT:
                raise ValueError("old format")
        except (ValueError, AttributeError):
            data = None
        if data is None:
            self.misses += 1
        else:
            self.hits += 1
        return data

    def put_data(self, key: str, data: dict) -> None:
        data = {"format": FORMAT, **data}
        self.entries.put(key, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def prune(self, max_age_days: float) -> int:
        """Record this build's use of its entries; delete entries unused for
        `max_age_days`, at most once a day. Returns how many were deleted."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        self.entries.remember_use()
        now = time.time()
        marker = self.folder / PRUNED_MARKER
        try:
            if marker.stat().st_mtime > now - PRUNE_INTERVAL:
                return 0
        except OSError:
            pass
        removed = self.entries.remove_older_than(max_age_days * 86400)
        for old in self.folder.glob("??/*.json"):  # one file per entry, before entries.sqlite
            old.unlink(missing_ok=True)
        for shard in self.folder.glob("??"):
            try:
                shard.rmdir()
            except OSError:
                pass
        try:
            marker.touch()
        except OSError:
            pass
        return removed
