"""Related posts by shared tags, and the neighbouring posts in time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def related_posts(post: Any, candidates: Sequence[Any], limit: int = 3) -> list[Any]:
    """Up to `limit` other posts sharing the most tags with `post`; newer first on ties."""
    own_tags = {tag.slug for tag in getattr(post, "tags", None) or ()}
    if not own_tags:
        return []
    scored = []
    for other in candidates:
        if other is post:
            continue
        shared = len(own_tags & {tag.slug for tag in getattr(other, "tags", None) or ()})
        if shared:
            scored.append((shared, other.date, other))
    scored.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [other for _, _, other in scored[:limit]]


def link_neighbours(posts_newest_first: Sequence[Any]) -> None:
    """Set `newer_post` and `older_post` on each post (None at either end)."""
    for index, post in enumerate(posts_newest_first):
        post.newer_post = posts_newest_first[index - 1] if index > 0 else None
        is_last = index + 1 >= len(posts_newest_first)
        post.older_post = None if is_last else posts_newest_first[index + 1]
