"""The editors' short summary after each build, and the remembered list of Kennungen.

The list lives in CACHE_PATH (never in content/ or the output), so "new since the last build"
compares with whatever this machine built last.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

STATE_VERSION = 1


@dataclass(frozen=True)
class Summary:
    published: int
    founding: int
    paused: int
    ended: int
    new: tuple[str, ...] | None  #: None: no previous build to compare with
    stale: int
    stale_months: int
    warnings: int
    unpublished: int

    def lines(self) -> list[str]:
        if self.new is None:
            new = "Neu seit dem letzten Bauen: – (kein früherer Stand gespeichert)"
        elif self.new:
            shown = ", ".join(self.new[:10]) + (" …" if len(self.new) > 10 else "")
            new = f"Neu seit dem letzten Bauen: {len(self.new)} ({shown})"
        else:
            new = "Neu seit dem letzten Bauen: keine"
        return [
            f"Gruppenverzeichnis: {self.published} Gruppen veröffentlicht, davon "
            f"{self.founding} in Gründung und {self.paused} pausiert; {self.ended} beendet "
            f"(Seite bleibt, nicht gelistet); {self.unpublished} nicht veröffentlicht.",
            new,
            f"Bitte prüfen (Stand älter als {self.stale_months} Monate): {self.stale}. "
            f"Warnungen: {self.warnings}.",
        ]

    def text(self) -> str:
        return "\n".join(self.lines())


def load_previous(path: Path) -> set[str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    slugs = data.get("kennungen") if isinstance(data, dict) else None
    return set(slugs) if isinstance(slugs, list) else None


def save_current(path: Path, slugs: Iterable[str]) -> None:
    """Write atomically, so an interrupted build never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"version": STATE_VERSION, "kennungen": sorted(slugs)}
    handle, temporary = tempfile.mkstemp(prefix=".group-state-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(document, stream, ensure_ascii=False, indent=0)
    os.replace(temporary, path)


def new_since(previous: set[str] | None, current: Iterable[str]) -> tuple[str, ...] | None:
    if previous is None:
        return None
    return tuple(sorted(set(current) - previous))
