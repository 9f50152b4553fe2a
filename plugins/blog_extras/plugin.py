"""Pelican glue for blog_extras: template filters and globals, related and neighbouring posts."""

from __future__ import annotations

from functools import partial

from pelican import signals

from . import structured_data, texts
from .defaults import setting
from .related import RelatedPosts, link_neighbours


def add_template_helpers(generator) -> None:
    settings = generator.settings
    words_per_minute = setting(settings, "BLOG_EXTRAS_WORDS_PER_MINUTE")

    def reading_time(content) -> str:
        # Reads the raw, already sanitised body: `.content` is memoised per siteurl (#1986).
        # Remembered on the post: every list page shows it again for the same post.
        label = getattr(content, "reading_time_label", None)
        if label is None:
            minutes = texts.reading_minutes(content._content, words_per_minute)
            label = content.reading_time_label = texts.reading_time_label(minutes)
        return label

    generator.env.filters.update(
        german_date=texts.german_date,
        german_month=texts.german_month,
        reading_time=reading_time,
    )
    generator.env.globals.update(
        organization_jsonld=partial(structured_data.organization, settings),
        blog_posting_jsonld=lambda article: structured_data.blog_posting(article, settings),
    )


def add_related_and_neighbours(generator) -> None:
    posts = generator.articles  # published only, newest first
    limit = setting(generator.settings, "BLOG_EXTRAS_RELATED_POSTS")
    related = RelatedPosts(posts)  # tag index built once, not one comparison per pair of posts
    for post in posts:
        post.related_posts = related.for_post(post, limit)
    link_neighbours(posts)


def register() -> None:
    signals.generator_init.connect(add_template_helpers)
    signals.article_generator_finalized.connect(add_related_and_neighbours)
