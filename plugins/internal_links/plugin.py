"""Pelican glue for internal_links: a link to another post that does not exist fails the build.

Pelican itself only logs "Unable to find …" without naming the file; this names file and line.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pelican import signals

from .links import check_links, line_of

logger = logging.getLogger(__name__)


def check_all_links(generators) -> None:
    context = generators[0].context
    settings = generators[0].settings
    content_root = Path(settings["PATH"])
    drafts_unpublished = not settings.get("DRAFT_SAVE_AS") and not settings.get("DRAFT_PAGE_SAVE_AS")

    def describe_content(path: str) -> str | None:
        target = context["generated_content"].get(path)
        if target is None:
            return "Diesen Beitrag bzw. diese Seite gibt es nicht."
        if getattr(target, "status", "published") == "draft" and drafts_unpublished:
            return "Das Ziel ist ein Entwurf und wird nicht veröffentlicht."
        return None

    def is_static(path: str) -> bool:
        return path in context.get("static_content", {})

    def file_exists(path: str) -> bool:
        return (content_root / path).is_file()

    for content in published_contents(generators):
        relative_source = content.get_relative_source_path()
        source_dir = os.path.dirname(relative_source).replace(os.sep, "/")
        broken = check_links(content._content, source_dir, describe_content, is_static,
                             file_exists)
        if not broken:
            continue
        source_text = Path(content.source_path).read_text(encoding="utf-8", errors="replace")
        for item in broken:
            line = line_of(source_text, item.link.target)
            logger.error("%s:%d: Verweis auf „%s“ funktioniert nicht: %s",
                         display_path(content.source_path, content_root), line,
                         item.link.target, item.reason)


def published_contents(generators):
    for generator in generators:
        for attribute in ("articles", "translations", "pages", "hidden_pages",
                          "hidden_translations"):
            yield from getattr(generator, attribute, ())


def display_path(path: str, content_root: Path) -> str:
    """The path as editors know it: content/beitraege/x.md."""
    return os.path.relpath(path, content_root.parent)


def register() -> None:
    signals.all_generators_finalized.connect(check_all_links)
