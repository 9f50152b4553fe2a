"""Pelican glue for site_feeds: turn published posts into feed entries and write the feeds."""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass

from pelican import signals
from pelican.generators import Generator

from .defaults import setting
from .feeds import ATOM, MIME_TYPES, RSS, FeedEntry, FeedInfo, render


@dataclass(frozen=True)
class FeedLink:
    path: str
    title: str
    kind: str

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.kind]


def has_text(fragment: str) -> bool:
    """Whether an HTML fragment shows any text (a summary of only an image does not)."""
    return bool(re.sub(r"<[^>]*>|&nbsp;|\s", "", fragment or ""))


def feed_links(settings: dict) -> list[FeedLink]:
    """The site-wide feeds, for <link rel="alternate"> in every page's head."""
    sitename = settings["SITENAME"]
    links = []
    if setting(settings, "SITE_FEEDS_ALL_ATOM"):
        links.append(FeedLink(setting(settings, "SITE_FEEDS_ALL_ATOM"),
                              f"{sitename}: alle Beiträge (Atom)", ATOM))
    if setting(settings, "SITE_FEEDS_ALL_RSS"):
        links.append(FeedLink(setting(settings, "SITE_FEEDS_ALL_RSS"),
                              f"{sitename}: alle Beiträge (RSS)", RSS))
    return links


def category_feed(settings: dict, category) -> FeedLink | None:
    pattern = setting(settings, "SITE_FEEDS_CATEGORY_ATOM")
    if not pattern:
        return None
    return FeedLink(pattern.format(slug=category.slug),
                    f"{settings['SITENAME']}: {category} (Atom)", ATOM)


def to_entry(article, site_url: str) -> FeedEntry:
    # Titles, authors and categories are plain text already (post_sanitizer cleans them
    # before the article exists); feedgen escapes them as text.
    summary = article.get_summary(site_url) or ""
    content = article.get_content(site_url)
    return FeedEntry(
        url=f"{site_url}/{article.url}",
        title=article.title,
        published=article.date,
        updated=getattr(article, "modified", None) or article.date,
        summary_html=summary if has_text(summary) else html.escape(article.title),
        content_html=content,
        authors=tuple(str(author) for author in article.authors),
        categories=(str(article.category),),
    )


class SiteFeedsGenerator(Generator):
    """Writes Atom and RSS feeds of the published posts, site-wide and per category."""

    def generate_context(self) -> None:
        pass  # everything needed is in the articles generator's context already

    def generate_output(self, writer) -> None:
        settings = self.settings
        site_url = settings.get("FEED_DOMAIN") or settings["SITEURL"]
        posts = self.context.get("articles", [])[: setting(settings, "SITE_FEEDS_MAX_ITEMS")]
        entries = [to_entry(post, site_url) for post in posts]
        description = settings.get("SITE_DESCRIPTION", "")
        for link in feed_links(settings):
            self._write(link, entries, site_url, description)
        for category, category_posts in self.context.get("categories", []):
            limited = category_posts[: setting(settings, "SITE_FEEDS_MAX_ITEMS")]
            for pattern_name, kind in (("SITE_FEEDS_CATEGORY_ATOM", ATOM),
                                       ("SITE_FEEDS_CATEGORY_RSS", RSS)):
                pattern = setting(settings, pattern_name)
                if pattern:
                    link = FeedLink(pattern.format(slug=category.slug),
                                    f"{settings['SITENAME']}: {category}", kind)
                    self._write(link, [to_entry(p, site_url) for p in limited], site_url,
                                f"Beiträge der Kategorie {category}")

    def _write(self, link: FeedLink, entries, site_url: str, description: str) -> None:
        info = FeedInfo(title=link.title, site_url=site_url, self_url=f"{site_url}/{link.path}",
                        description=description, entries=entries)
        path = os.path.join(self.output_path, link.path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(render(info, link.kind))


def add_template_helpers(generator) -> None:
    settings = generator.settings
    generator.env.globals.update(
        site_feed_links=lambda: feed_links(settings),
        site_feed_for=lambda category: category_feed(settings, category),
    )


def get_generators(_pelican):
    return SiteFeedsGenerator


def register() -> None:
    signals.generator_init.connect(add_template_helpers)
    signals.get_generators.connect(get_generators)
