"""Where in the source file a removal happened, and the German report lines for editors.

The HTML no longer knows its source lines, so the line is found by searching the source
text for the removed thing (`<iframe`, `onerror`, `javascript:`, the image URL, …), in order:
the second removed `<iframe` is reported at the second `<iframe` of the file. If nothing is
found, the report names the first line of the text body.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

METADATA_KEY = re.compile(r"^(?P<key>[A-Za-z0-9_-]+)\s*:")
# Markdown's meta extension: continuation lines are indented by four spaces or more.
CONTINUATION = re.compile(r"^ {4,}\S")


def header_lines(text: str) -> int:
    """How many lines at the top of a Markdown file hold metadata (0 if none)."""
    lines = text.splitlines()
    index = 0
    if lines and lines[0].strip() == "---":
        index = 1
    if index >= len(lines) or not METADATA_KEY.match(lines[index]):
        return 0
    while index < len(lines):
        line = lines[index]
        if line.strip() in ("", "---", "..."):
            return index + (1 if line.strip() else 0)
        if not (METADATA_KEY.match(line) or CONTINUATION.match(line)):
            return index
        index += 1
    return index


def first_body_line(text: str) -> int:
    """The 1-based number of the first non-empty line after the metadata."""
    lines = text.splitlines()
    index = header_lines(text)
    while index < len(lines) and not lines[index].strip():
        index += 1
    return min(index, max(len(lines) - 1, 0)) + 1


def metadata_line(text: str, key: str) -> int | None:
    """The line of `Key: …` in the metadata block (any case), or None."""
    for number, line in enumerate(text.splitlines()[: max(header_lines(text), 1)], 1):
        match = METADATA_KEY.match(line)
        if match and match.group("key").lower() == key.lower():
            return number
    return None


class LineFinder:
    """Finds successive occurrences of removed things in one source text."""

    def __init__(self, text: str | None, start_line: int | None = None) -> None:
        self.text = (text or "").lower()
        self.fallback = start_line or (first_body_line(text) if text else 1)
        self.start = self._offset_of_line(self.fallback)
        self.next_offset: dict[str, int] = {}
        self.last_line: dict[str, int] = {}

    def _offset_of_line(self, line: int) -> int:
        offset = 0
        for _ in range(line - 1):
            found = self.text.find("\n", offset)
            if found == -1:
                return offset
            offset = found + 1
        return offset

    def line_for(self, needles: Sequence[str]) -> int:
        for needle in needles:
            key = needle.lower()
            if not key:
                continue
            found = self.text.find(key, self.next_offset.get(key, self.start))
            if found != -1:
                self.next_offset[key] = found + len(key)
                line = self.text.count("\n", 0, found) + 1
                self.last_line[key] = line
                return line
            if key in self.last_line:  # more removals than occurrences: stay on the last
                return self.last_line[key]
        return self.fallback


def display_path(source_path: str | os.PathLike, content_root: str | os.PathLike) -> str:
    """The path editors know: relative to the folder that holds content/."""
    source = os.path.abspath(source_path)
    base = os.path.dirname(os.path.abspath(content_root))
    relative = os.path.relpath(source, base)
    return source if relative.startswith("..") else relative


def read_source(source_path: str | os.PathLike) -> str:
    """The source text for line numbers; empty if it cannot be read (then line = 1)."""
    try:
        with open(source_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def report_line(path: str, line: int | None, message: str) -> str:
    return f"{path}:{line}: {message}" if line else f"{path}: {message}"
