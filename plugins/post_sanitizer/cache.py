"""A small on-disk cache of cleaned bodies and metadata, with their reports.

Bodies are keyed by sha256 of the raw HTML plus `policy_fingerprint()` (allowlists, backend
and its version, the plugin's code, site host); metadata as metadata_memo.py says. Reports
are stored with the results, so a cached post still tells editors what was removed. One JSON
file per entry; written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

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


def entry_path(folder: Path, key: str) -> Path:
    return folder / key[:2] / f"{key}.json"


class ResultCache:
    """Cached CleanResults in `folder`; with folder None, a cache that never hits."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
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
        if self.folder is None:
            return None
        path = entry_path(self.folder, key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("old format")
        except (OSError, ValueError, AttributeError):
            self.misses += 1
            return None
        try:
            os.utime(path)  # keeps entries in use from being pruned
        except OSError:
            pass
        self.hits += 1
        return data

    def put_data(self, key: str, data: dict) -> None:
        if self.folder is None:
            return
        path = entry_path(self.folder, key)
        data = {"format": FORMAT, **data}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False)
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot write only makes the build slower

    def prune(self, max_age_days: float) -> int:
        """Delete entries unused for `max_age_days`; return how many. At most once a day:
        looking at every entry took a few percent of a rebuild."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        now = time.time()
        marker = self.folder / PRUNED_MARKER
        try:
            if marker.stat().st_mtime > now - PRUNE_INTERVAL:
                return 0
        except OSError:
            pass
        limit = now - max_age_days * 86400
        removed = 0
        for path in self.folder.glob("*/*.json"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        try:
            marker.touch()
        except OSError:
            pass
        return removed
