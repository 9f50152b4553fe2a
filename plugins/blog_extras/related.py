"""Related posts by shared tags, and the neighbouring posts in time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _tag_slugs(post: Any) -> set[str]:
    return {tag.slug for tag in getattr(post, "tags", None) or ()}


class RelatedPosts:
    """Related posts for many posts among the same candidates, with an index built once.

    Ranks every candidate that has tags once, newest first (candidates with the same date keep
    their order in `candidates`), and indexes the ranks by tag slug. A post then only looks at
    the candidates sharing one of its tags, with set operations, instead of comparing its tags
    with those of every candidate.

    The result is that of comparing with every candidate and sorting stably by (shared tags,
    date), descending: more shared tags first, then newer, then earlier in `candidates`.
    """

    def __init__(self, candidates: Sequence[Any]) -> None:
        tagged = [(other, slugs) for other in candidates if (slugs := _tag_slugs(other))]
        # sort() is stable, also with reverse=True: equal dates keep the candidates' order.
        tagged.sort(key=lambda entry: entry[0].date, reverse=True)
        self._ranked = [other for other, _ in tagged]
        by_tag: dict[str, list[int]] = {}
        self._ranks_of: dict[int, list[int]] = {}  # by id(): a candidate may be listed twice
        for rank, (other, slugs) in enumerate(tagged):
            for slug in slugs:
                by_tag.setdefault(slug, []).append(rank)
            self._ranks_of.setdefault(id(other), []).append(rank)
        self._by_tag = {slug: frozenset(ranks) for slug, ranks in by_tag.items()}

    def for_post(self, post: Any, limit: int | None = 3) -> list[Any]:
        """Up to `limit` other posts sharing the most tags with `post`; newer first on ties."""
        own_tags = _tag_slugs(post)
        if not own_tags:
            return []
        # sharing[i]: the ranks of the candidates sharing at least i + 1 of the post's tags.
        sharing: list[set[int]] = []
        for slug in own_tags:
            ranks = self._by_tag.get(slug)
            if ranks is None:
                continue
            if not sharing:
                sharing.append(set(ranks))
                continue
            one_more = sharing[-1] & ranks
            for i in range(len(sharing) - 1, 0, -1):  # top down: sharing[i - 1] still as was
                sharing[i] |= sharing[i - 1] & ranks
            sharing[0] |= ranks
            if one_more:
                sharing.append(one_more)
        # A plain count stops early; any other limit (None, negative) slices the whole order.
        wanted = limit if isinstance(limit, int) and limit >= 0 else None
        found: list[int] = []
        done = set(self._ranks_of.get(id(post), ()))  # never the post itself (by identity)
        for ranks in reversed(sharing):  # most shared tags first, each level newest first
            found += sorted(ranks - done)
            if wanted is not None and len(found) >= wanted:
                break
            done |= ranks
        return [self._ranked[rank] for rank in found[:limit]]


def related_posts(post: Any, candidates: Sequence[Any], limit: int | None = 3) -> list[Any]:
    """Up to `limit` other posts sharing the most tags with `post`; newer first on ties.

    For one post. For every post of a build, build `RelatedPosts(candidates)` once instead."""
    if not _tag_slugs(post):
        return []
    return RelatedPosts(candidates).for_post(post, limit)


def link_neighbours(posts_newest_first: Sequence[Any]) -> None:
    """Set `newer_post` and `older_post` on each post (None at either end)."""
    for index, post in enumerate(posts_newest_first):
        post.newer_post = posts_newest_first[index - 1] if index > 0 else None
        is_last = index + 1 >= len(posts_newest_first)
        post.older_post = None if is_last else posts_newest_first[index + 1]
