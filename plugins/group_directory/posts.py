"""Posts and groups link each other: a post's `Gruppe: <kennung>` metadata.

Sets `post.group` to the Group (article.html shows the link) and collects each group's
published posts for its page. An unknown or unpublished Kennung in a post is an error naming
the post's file and the line of `Gruppe:`; in a draft it is only a warning.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from .errors import Problem
from .model import Group

METADATA_KEY = "gruppe"
_METADATA_LINE = re.compile(r"^\s*gruppe\s*:", re.IGNORECASE)


def line_of_metadata(source_path: str, key_pattern: re.Pattern[str] = _METADATA_LINE) -> int:
    """The line number of `Gruppe:` in a post's source file (1 if it cannot be found)."""
    try:
        lines = Path(source_path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 1
    for number, line in enumerate(lines, 1):
        if key_pattern.match(line):
            return number
    return 1


def _posts(context: Mapping[str, Any]) -> Iterator[tuple[Any, bool]]:
    """(post, is a draft) for every post Pelican read, translations included."""
    seen: set[int] = set()
    for key, is_draft in (("articles", False), ("hidden_articles", False), ("drafts", True)):
        for post in context.get(key, ()):
            for item in (post, *getattr(post, "translations", ())):
                if id(item) not in seen:
                    seen.add(id(item))
                    yield item, is_draft or getattr(item, "status", "") == "draft"


def link_posts(context: Mapping[str, Any], groups: Mapping[str, Group],
               hidden: Collection[str], display_path: Callable[[str], str],
               ) -> tuple[dict[str, list[Any]], list[Problem], list[Problem]]:
    """Link posts to groups. Returns (published posts per Kennung, errors, warnings)."""
    by_group: dict[str, list[Any]] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    listed = {id(post) for post in context.get("articles", ())}
    for post, is_draft in _posts(context):
        value = getattr(post, "metadata", {}).get(METADATA_KEY)
        if not value:
            continue
        slug = str(value).strip().lower()
        group = groups.get(slug)
        if group is not None:
            post.group = group
            if id(post) in listed:
                by_group.setdefault(slug, []).append(post)
            continue
        post.group = None
        where = f"{display_path(post.source_path)}:{line_of_metadata(post.source_path)}"
        if slug in hidden:
            message = (f"Die Gruppe „{slug}“ ist nicht veröffentlicht "
                       "(Veröffentlichen: nein); ein Beitrag kann nicht auf sie verweisen.")
        else:
            close = difflib.get_close_matches(slug, list(groups), n=1)
            message = (f"Gruppe „{slug}“ gibt es im Gruppenverzeichnis nicht. Erlaubt: eine "
                       "Kennung aus der Spalte „Kennung“ der Gruppentabelle"
                       + (f" – meinten Sie „{close[0]}“?" if close else "."))
        (warnings if is_draft else problems).append(Problem(where, message))
    return by_group, problems, warnings
