"""Files of the directory's rebuild caches (calendars, cleaned descriptions)."""

from __future__ import annotations

import os
from pathlib import Path


def remember(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (the worker processes write beside this one). A
    cache that cannot be written only makes the next build slower, so errors are ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        pass
