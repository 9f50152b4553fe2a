"""Trust and path escapes, decided from resolved paths only (no Pelican here).

A file is trusted when its real location (symlinks and `..` resolved) lies inside one of the
trusted folders of the content folder. Nothing a file contains can change that.

Pelican copies every `{static}`/`{attach}` target into the output, even one outside the
content folder (`{static}/../../etc/passwd`); `neutralise_path_escapes` replaces such targets
by `#` before Pelican collects them.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

# Pelican's default INTRASITE_LINK_REGEX.
DEFAULT_INTRASITE_REGEX = "[{|](?P<what>.*?)[|}]"
FILE_KINDS = frozenset({"static", "attach", "filename"})


def real_path(path: str | os.PathLike) -> Path:
    return Path(os.path.realpath(path))


def trusted_folders(content_root: str | os.PathLike, trusted_paths: Iterable[str]) -> list[Path]:
    """The trusted folders that really lie inside the content folder (never all of it)."""
    root = real_path(content_root)
    folders = []
    for folder in trusted_paths:
        resolved = real_path(root / folder)
        if resolved != root and resolved.is_relative_to(root):
            folders.append(resolved)
    return folders


def invalid_trusted_paths(content_root: str | os.PathLike,
                          trusted_paths: Iterable[str]) -> list[str]:
    """Entries that would trust the whole content folder or something outside it."""
    root = real_path(content_root)
    bad = []
    for folder in trusted_paths:
        resolved = real_path(root / folder)
        if resolved == root or not resolved.is_relative_to(root):
            bad.append(folder)
    return bad


def is_trusted(source_path: str | os.PathLike, content_root: str | os.PathLike,
               trusted_paths: Iterable[str]) -> bool:
    return lies_in(source_path, trusted_folders(content_root, trusted_paths))


def lies_in(source_path: str | os.PathLike, folders: Iterable[Path]) -> bool:
    """True if the resolved `source_path` lies inside one of the (resolved) `folders`."""
    real = real_path(source_path)
    return any(real != folder and real.is_relative_to(folder) for folder in folders)


@dataclass(frozen=True)
class PathEscape:
    kind: str  # static, attach or filename
    written: str  # the whole target as written, e.g. "{static}/../../etc/passwd"
    inside_content: bool = False  # inside content/, but not in a folder that is published

    def message(self) -> str:
        if self.inside_content:
            return (f"Verweis „{self.written}“ zeigt auf eine Datei, die nicht veröffentlicht "
                    "werden darf (z. B. die Gruppentabelle); er wurde durch „#“ ersetzt. "
                    "{static} und {attach} dürfen nur auf Dateien in den Ordnern für Bilder "
                    "und Downloads zeigen.")
        return (f"Verweis „{self.written}“ zeigt aus dem Inhaltsordner heraus; er wurde durch "
                "„#“ ersetzt. Verweise mit {static}, {attach} und {filename} dürfen nur auf "
                "Dateien im Inhaltsordner zeigen.")


def link_pattern(intrasite_regex: str = DEFAULT_INTRASITE_REGEX) -> re.Pattern:
    """The same pattern Pelican uses to find (and copy) link targets in content."""
    return re.compile(
        rf"""
        (?P<markup><[^\>]+
            (?:href|src|poster|data|cite|formaction|action|content)\s*=\s*)
        (?P<quote>["\'])
        (?P<path>{intrasite_regex}(?P<value>.*?))
        (?P=quote)""",
        re.X,
    )


def _path_variants(value: str) -> set[str]:
    """Every reading Pelican may give a target: as is, %-decoded, entity-decoded, and only
    the path part of each."""
    readings = {value, html.unescape(value)}
    for reading in list(readings):
        readings |= {unquote(reading), unquote(unquote(reading))}
    variants = set()
    for reading in readings:
        slashed = reading.replace("\\", "/")  # Windows-style separators count as "/"
        variants.add(re.split(r"[?#]", slashed, maxsplit=1)[0])
        variants.add(urlparse(slashed).path)
    return variants


def _targets(value: str, relative_dir: str, root: Path) -> Iterable[Path | None]:
    """Every file a target may name (None for an impossible one).

    Like Pelican: a leading `/` means relative to the content folder, anything else is
    relative to the folder of the file that links."""
    for path in _path_variants(value):
        if "\x00" in path:
            yield None
        elif path.startswith("/"):
            # Pelican drops one "/" only: "{static}//etc/passwd" joins to "/etc/passwd".
            yield real_path(os.path.join(root, path[1:]))
        else:
            yield real_path(os.path.join(root, relative_dir, path))


def escapes_content(value: str, relative_dir: str, content_root: str | os.PathLike) -> bool:
    """Does the target (the part after `{static}`) resolve outside the content folder?"""
    root = real_path(content_root)
    return any(target is None or not target.is_relative_to(root)
               for target in _targets(value, relative_dir, root))


def outside_folders(value: str, relative_dir: str, content_root: str | os.PathLike,
                    folders: Iterable[str]) -> bool:
    """Does the target name a file outside every one of `folders` (relative to content/)?

    Pelican copies any {static} target in the content folder into the site; without this
    a post could publish content/gruppen/gruppen.csv with the groups' private contacts."""
    root = real_path(content_root)
    allowed = [real_path(root / folder) for folder in folders]
    return any(target is None or not any(target.is_relative_to(a) for a in allowed)
               for target in _targets(value, relative_dir, root))


def neutralise_path_escapes(text: str, relative_dir: str, content_root: str | os.PathLike,
                            intrasite_regex: str = DEFAULT_INTRASITE_REGEX,
                            static_folders: Iterable[str] | None = None,
                            ) -> tuple[str, list[PathEscape]]:
    """Replace by `#` each {static}/{attach}/{filename} target that leaves the content
    folder, and each {static}/{attach} target outside `static_folders` (if given); return the
    new HTML and the escapes found."""
    escapes: list[PathEscape] = []
    folders = list(static_folders) if static_folders is not None else None

    def replace(match: re.Match) -> str:
        kind, value = match.group("what").lower(), match.group("value")
        if kind not in FILE_KINDS:
            return match.group(0)
        if escapes_content(value, relative_dir, content_root):
            escapes.append(PathEscape(kind, match.group("path")))
        elif (kind != "filename" and folders is not None
              and outside_folders(value, relative_dir, content_root, folders)):
            escapes.append(PathEscape(kind, match.group("path"), inside_content=True))
        else:
            return match.group(0)
        quote = match.group("quote")
        return f"{match.group('markup')}{quote}#{quote}"

    return link_pattern(intrasite_regex).sub(replace, text or ""), escapes
