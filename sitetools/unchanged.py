"""Recognise a publish build whose inputs are exactly those of the last successful one.

Editors often run `publish` again without having changed anything. Then the previous output
is already what a new build would produce, and the build can be skipped. "Inputs" are
everything that can change the output: the content, the theme, the plugins and these build
tools, the settings (after overrides), the installed package versions and the day of the
build (group pages list the next meeting dates). The output itself is checked too, so a file
changed or deleted in output/ by hand is never kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from datetime import date
from importlib import metadata
from pathlib import Path

from sitetools import staging

RECORD_FILE = "publish_record.json"
TOOLS = Path(__file__).resolve().parent
# Settings that name where this particular run writes, not what it writes.
NOT_INPUTS = {"OUTPUT_PATH", "DELETE_OUTPUT_DIRECTORY"}


def _hash_tree(digest, folder: Path) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def input_fingerprint(settings: dict, settings_files: Iterable[Path], today: date) -> str:
    digest = hashlib.sha256()
    folders = [settings["PATH"], settings["THEME"], *settings.get("PLUGIN_PATHS", []), TOOLS]
    for folder in folders:
        digest.update(f"\0{folder}\0".encode())
        if Path(folder).is_dir():
            _hash_tree(digest, Path(folder))
    for path in sorted(settings_files):
        digest.update(path.read_bytes())
    shown = {name: value for name, value in settings.items() if name not in NOT_INPUTS}
    # default=repr: an object without a stable repr changes the fingerprint every run, so
    # such settings never cause a wrong skip, only a needless build.
    digest.update(json.dumps(shown, sort_keys=True, default=repr).encode())
    versions = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    digest.update("\n".join(versions).encode())
    digest.update(today.isoformat().encode())
    return digest.hexdigest()


def output_digest(output: Path) -> str:
    """Names, sizes and modification times: any hand edit, deletion or addition changes it,
    and it costs a stat per file instead of reading the whole site twice per build."""
    digest = hashlib.sha256()
    root = os.fspath(output)
    # Strings, not Path objects: those took a third of a second for a large site.
    for path in sorted(staging.walk_files(output)):
        stat = os.stat(path)
        digest.update(f"{path[len(root) + 1:]}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
                      .encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def record_path(settings: dict) -> Path:
    return Path(settings["CACHE_PATH"]) / RECORD_FILE


def is_unchanged(settings: dict, fingerprint: str, output: Path) -> bool:
    """True when `output` is exactly the result of a successful build from these inputs."""
    try:
        record = json.loads(record_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (record.get("inputs") == fingerprint and record.get("output_folder") == str(output)
            and output.is_dir() and record.get("output") == output_digest(output))


def remember(settings: dict, fingerprint: str, output: Path) -> None:
    path = record_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"inputs": fingerprint, "output_folder": str(output),
                                "output": output_digest(output)}), encoding="utf-8")
