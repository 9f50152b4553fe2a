"""Find Pelican's intra-site links ({filename}, {static}, {attach}) and where they point.

Pure functions: the Pelican glue in plugin.py supplies what exists.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

# The same shape Pelican uses (INTRASITE_LINK_REGEX inside href/src attributes).
INTRASITE_LINK = re.compile(
    r"""(?P<markup><[^>]+(?:href|src|poster|data|cite|formaction|action|content)\s*=\s*)"""
    r"""(?P<quote>["'])(?P<path>[{|](?P<what>filename|static|attach)[|}](?P<value>.*?))(?P=quote)""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class IntrasiteLink:
    kind: str  # filename, static or attach
    target: str  # as written, e.g. "/beitraege/x.md" or "../bilder/a.jpg"


@dataclass(frozen=True)
class BrokenLink:
    link: IntrasiteLink
    reason: str  # German


def intrasite_links(html: str) -> Iterator[IntrasiteLink]:
    for match in INTRASITE_LINK.finditer(html):
        yield IntrasiteLink(match.group("what").lower(), match.group("value"))


def resolve(target: str, source_dir: str) -> str | None:
    """The content-relative path a link names, or None if it leaves the content folder."""
    path = unquote(urlsplit(target).path)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(source_dir, path)
    normalised = posixpath.normpath(joined)
    if normalised.startswith("..") or posixpath.isabs(normalised):
        return None
    return "" if normalised == "." else normalised


def check_links(html: str, source_dir: str, describe_content: Callable[[str], str | None],
                is_static: Callable[[str], bool], file_exists: Callable[[str], bool],
                ) -> list[BrokenLink]:
    """Every intra-site link in `html` that will not work in the published site.

    `describe_content(path)` returns None for a published post or page at that path, or a
    German reason why it can't be linked (missing, draft); `is_static(path)` says whether
    the path is a static file of the site; `file_exists(path)` whether it is in the content
    folder at all ({static} links copy such files too).
    """
    broken = []
    for link in intrasite_links(html):
        if not urlsplit(link.target).path:
            continue  # a bare "#anchor"
        path = resolve(link.target, source_dir)
        if path is None:
            broken.append(BrokenLink(link, "Der Verweis führt aus dem Inhaltsordner heraus."))
            continue
        if link.kind == "filename":
            reason = describe_content(path)
            if reason and is_static(path):
                reason = None  # Pelican links static files named with {filename} as well
            if reason:
                broken.append(BrokenLink(link, reason))
        elif not file_exists(path):
            broken.append(BrokenLink(link, "Diese Datei gibt es nicht."))
    return broken


def line_of(source_text: str, needle: str) -> int:
    """1-based line of the first occurrence of `needle`; 1 if it can't be found."""
    index = source_text.find(needle)
    return source_text.count("\n", 0, index) + 1 if index >= 0 else 1
