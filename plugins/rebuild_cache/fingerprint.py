"""What a cache generation depends on, as short digests.

Pelican's own cache only compares a file's stamp (pelican#1416, #1544): a changed setting,
Markdown configuration, plugin or package version still served the old result. Here every
cache entry lives in a folder named after the digest of all of those, so any change starts
a fresh generation and old results can never be served.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

# Settings that say where this run writes or caches, not what it writes.
NOT_INPUTS = frozenset({"OUTPUT_PATH", "DELETE_OUTPUT_DIRECTORY", "CACHE_PATH"})
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def stable_text(value) -> str:
    """A text for `value` that is the same in every process: functions by name, objects
    without their memory address (their behaviour is covered by the code digest)."""
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '?')}.{value.__qualname__}"
    return _ADDRESS.sub("", repr(value))


def settings_digest(settings: dict) -> str:
    shown = {name: value for name, value in settings.items() if name not in NOT_INPUTS}
    text = json.dumps(shown, sort_keys=True, default=stable_text, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def tree_digest(folders: Iterable[Path | str]) -> str:
    """Names and bytes of every file below `folders` (Python's bytecode caches left out)."""
    digest = hashlib.sha256()
    for folder in folders:
        folder = Path(folder)
        digest.update(f"\0{folder.name}\0".encode())
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def installed_versions() -> list[str]:
    """Every installed distribution: Markdown, bleach, Pillow, Jinja2, Pelican and all the
    libraries they use change output between versions."""
    return sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())


def versions_digest(versions: Iterable[str] | None = None) -> str:
    listed = installed_versions() if versions is None else sorted(versions)
    return hashlib.sha256("\n".join(listed).encode()).hexdigest()


def combine(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
