"""Shared test helpers: build a real site from small fixtures into a temporary folder.

Builds run in a subprocess because Pelican's signal receivers are global to a process: a
second build in the same process would still call the first one's plugins.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_SITE = ROOT / "tests" / "fixtures" / "site"
PLUGINS = ROOT / "plugins"
sys.path.insert(0, str(PLUGINS))

# A contributed post whose title and metadata try to break out of HTML, attributes and JSON.
HOSTILE_TITLE = 'Wir sagen <b>"Nein"</b> & meinen es </script><script>alert(1)</script>'
HOSTILE_POST = f"""Title: {HOSTILE_TITLE}
Date: 2026-02-02 12:00
Category: Gastbeiträge
Tags: Sucht, Mut
Author: Kim "<i>K.</i>", Gruppe Weitblick
Summary: Ein Text über <b>Grenzen</b> und "Mut".

Grenzen setzen ist schwer. Wir üben es gemeinsam.
"""


@dataclass
class BuiltSite:
    root: Path
    output: Path
    returncode: int
    stdout: str
    stderr: str

    def read(self, relative: str) -> str:
        return (self.output / relative).read_text(encoding="utf-8")

    def files(self, pattern: str = "**/*") -> list[Path]:
        return sorted(p for p in self.output.glob(pattern) if p.is_file())

    def html_pages(self) -> list[Path]:
        return self.files("**/*.html")

    def all_text(self) -> dict[Path, str]:
        texts = {}
        for path in self.files():
            try:
                texts[path] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
        return texts


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file below `folder` with the sha256 of its bytes, to prove nothing changed."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def source_copies(package: Path, root: Path, changed: str) -> tuple[Path, Path, Path]:
    """Three copies of a plugin's source files: two the same, and one where the module
    `changed` has one more comment line (for tests of cache keys that follow the code)."""
    copies = root / "vorher", root / "gleich", root / "geaendert"
    for folder in copies:
        folder.mkdir(parents=True)
        for source in package.glob("*.py"):
            (folder / source.name).write_bytes(source.read_bytes())
    module = copies[2] / changed
    module.write_text(module.read_text(encoding="utf-8") + "\n# eine Zeile mehr\n",
                      encoding="utf-8")
    return copies


def make_content(root: Path, extra_files: dict[str, str | bytes] | None = None,
                 remove: tuple[str, ...] = ()) -> Path:
    content = root / "content"
    shutil.copytree(FIXTURE_SITE, content)
    for relative in remove:
        (content / relative).unlink()
    for relative, text in (extra_files or {}).items():
        target = content / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
    return content


def run_build(content: Path, output: Path, settings: str = "publishconf.py",
              overrides: dict | None = None, extra_args: list[str] | tuple[str, ...] = ()
              ) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "sitetools.publish", "--settings", settings,
               "--content", str(content), "--output", str(output), *extra_args]
    # Each test site gets its own caches, beside its content folder.
    overrides = {"CACHE_PATH": str(content.parent / "cache"), **(overrides or {})}
    for name, value in overrides.items():
        command += ["--set", f"{name}={json.dumps(value)}"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def build_site(root: Path, *, extra_files: dict[str, str | bytes] | None = None,
               remove: tuple[str, ...] = (), settings: str = "publishconf.py",
               overrides: dict | None = None, expect_success: bool = True) -> BuiltSite:
    content = make_content(root, extra_files, remove)
    output = root / "output"
    result = run_build(content, output, settings, overrides)
    site = BuiltSite(root, output, result.returncode, result.stdout, result.stderr)
    if expect_success and result.returncode != 0:
        pytest.fail(f"build failed:\n{result.stdout}\n{result.stderr}")
    return site


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> BuiltSite:
    """The fixture site plus one hostile post, built once with publishconf.py."""
    root = tmp_path_factory.mktemp("published")
    return build_site(root, extra_files={"beitraege/wir-sagen-nein.md": HOSTILE_POST})
