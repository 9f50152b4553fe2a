#!/usr/bin/env python3
"""One entry point for editors and developers; needs nothing but Python 3.11+.

    python3 make.py publish          build the production site into output/ (atomic)
    python3 make.py test             run the test suite
    python3 make.py preview          local preview on http://127.0.0.1:8000, rebuilds on change
    python3 make.py check FILE...    check submitted posts without building the site

Every command first makes sure `.venv/` holds exactly the pinned dependencies of
pyproject.toml, so a fresh machine needs no other set-up step.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
# Windows keeps a venv's interpreter elsewhere; editors at contact points often use Windows.
VENV_PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")

# Which optional dependency groups each command needs, besides the base ones.
EXTRAS_FOR_COMMAND = {
    "publish": [],
    "preview": [],
    "check": [],
    "test": ["test"],
    "ci": ["test", "ci"],
    "bench": ["test", "bench"],
}


def required_packages(extras: list[str]) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    packages = list(project["dependencies"])
    for extra in extras:
        packages += project["optional-dependencies"][extra]
    return packages


def ensure_environment(extras: list[str]) -> None:
    """Create .venv and install the pinned packages, unless that is already done."""
    packages = required_packages(extras)
    stamp = VENV / f".installed-{'-'.join(extras) or 'base'}"
    fingerprint = hashlib.sha256("\n".join(packages).encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == fingerprint and VENV_PYTHON.exists():
        return
    if not VENV_PYTHON.exists():
        print("Richte die Arbeitsumgebung in .venv/ ein (einmalig) …", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("Installiere die benötigten Pakete …", flush=True)
    subprocess.run(
        [str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         *packages],
        check=True,
    )
    stamp.write_text(fingerprint)


def run_in_venv(args: list[str]) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.call([str(VENV_PYTHON), *args], cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in EXTRAS_FOR_COMMAND:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_environment(EXTRAS_FOR_COMMAND[command])
    if command == "publish":
        return run_in_venv(["-m", "sitetools.publish", *rest])
    if command == "preview":
        return run_in_venv(["-m", "sitetools.preview", *rest])
    if command == "check":
        return run_in_venv(["-m", "sitetools.check_post", *rest])
    if command == "test":
        return run_in_venv(["-m", "pytest", *rest])
    if command == "bench":
        return run_in_venv(["bench/run.py", *rest])
    return 0  # "ci": only installs; .ci/run drives the checks itself


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
