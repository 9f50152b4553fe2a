"""Encoded variants kept between builds, keyed by content and settings (no Pelican here).

Layout: <CACHE_PATH>/image_variants/<key[:2]>/<key>/ with one file per variant ("960.webp")
and meta.json, written last. An entry is created in a temporary folder and renamed into
place, so a crashed or concurrent build never leaves half an entry behind. The key is the
SHA-256 of the original's bytes plus the encoding settings, the Pillow and library versions
and the plugin's code (EncodeSettings.fingerprint), so any change makes new variants.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from .encode import ImageInfo, Variant

META = "meta.json"


def cache_key(source_sha256: str, fingerprint: dict) -> str:
    settings = json.dumps(fingerprint, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{source_sha256}\n{settings}".encode()).hexdigest()


class VariantCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def entry(self, key: str) -> Path:
        return self.root / key[:2] / key

    def load(self, key: str) -> tuple[ImageInfo, list[Variant]] | None:
        """The cached info and variants, or None if the entry is missing or incomplete."""
        folder = self.entry(key)
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
            info = ImageInfo.from_json(meta["info"])
            variants = [Variant(**item) for item in meta["variants"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        for variant in variants:
            try:
                if (folder / variant.name).stat().st_size != variant.size:
                    return None
            except OSError:
                return None
        with contextlib.suppress(OSError):
            os.utime(folder / META)  # last used, for pruning
        return info, variants

    def staging(self, key: str) -> Path:
        """A fresh folder to encode into; hand it to `commit` afterwards."""
        self.root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".neu-{key[:12]}-", dir=self.root))

    def commit(self, key: str, staging: Path, info: ImageInfo, variants: list[Variant],
               source: str) -> None:
        meta = {"info": info.to_json(), "variants": [vars(v) for v in variants],
                "source": source}
        (staging / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        for path in staging.iterdir():
            path.chmod(0o644)  # the web server reads the hard links to these files
        staging.chmod(0o755)
        target = self.entry(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(staging, target)
        except OSError:  # another build got there first, or a broken entry is in the way
            if self.load(key) is None:
                shutil.rmtree(target, ignore_errors=True)
                with contextlib.suppress(OSError):
                    os.rename(staging, target)
                    return
            shutil.rmtree(staging, ignore_errors=True)

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def prune(self, max_age_days: float) -> int:
        """Delete entries unused for longer than `max_age_days`; returns how many."""
        if max_age_days is None or max_age_days <= 0 or not self.root.is_dir():
            return 0
        limit = time.time() - max_age_days * 86400
        removed = 0
        for folder in self.root.glob("??/*"):
            try:
                stamp = (folder / META).stat().st_mtime
            except OSError:  # an entry without meta.json is broken
                stamp = 0
            if stamp < limit:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        for leftover in self.root.glob(".neu-*"):  # from builds that were killed
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime < time.time() - 86400:
                    shutil.rmtree(leftover, ignore_errors=True)
        return removed


def place(source: Path, target: Path) -> None:
    """Put a cached file into the output folder: a hard link if possible, else a copy.

    Nothing ever writes into an output file in place, so sharing the inode is safe."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        with contextlib.suppress(OSError):
            if os.path.samefile(source, target):
                return
        target.unlink()
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
        os.chmod(target, 0o644)
