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
    real = real_path(source_path)
    return any(real != folder and real.is_relative_to(folder)
               for folder in trusted_folders(content_root, trusted_paths))


@dataclass(frozen=True)
class PathEscape:
    kind: str  # static, attach or filename
    written: str  # the whole target as written, e.g. "{static}/../../etc/passwd"

    def message(self) -> str:
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


def escapes_content(value: str, relative_dir: str, content_root: str | os.PathLike) -> bool:
    """Does the target (the part after `{static}`) resolve outside the content folder?

    Like Pelican: a leading `/` means relative to the content folder, anything else is
    relative to the folder of the file that links."""
    root = real_path(content_root)
    for path in _path_variants(value):
        if "\x00" in path:
            return True
        if path.startswith("/"):
            # Pelican drops one "/" only: "{static}//etc/passwd" joins to "/etc/passwd".
            candidate = os.path.join(root, path[1:])
        else:
            candidate = os.path.join(root, relative_dir, path)
        if not real_path(candidate).is_relative_to(root):
            return True
    return False


def neutralise_path_escapes(text: str, relative_dir: str, content_root: str | os.PathLike,
                            intrasite_regex: str = DEFAULT_INTRASITE_REGEX,
                            ) -> tuple[str, list[PathEscape]]:
    """Replace each {static}/{attach}/{filename} target that leaves the content folder by
    `#`; return the new HTML and the escapes found."""
    escapes: list[PathEscape] = []

    def replace(match: re.Match) -> str:
        kind = match.group("what").lower()
        if kind not in FILE_KINDS or not escapes_content(match.group("value"), relative_dir,
                                                          content_root):
            return match.group(0)
        escapes.append(PathEscape(kind, match.group("path")))
        quote = match.group("quote")
        return f"{match.group('markup')}{quote}#{quote}"

    return link_pattern(intrasite_regex).sub(replace, text or ""), escapes
