"""Build Atom and RSS documents with feedgen from plain entries (no Pelican objects here).

Deterministic by design: the feed's `updated` is the newest entry's date, never the build
time, so two builds of the same posts give byte-identical feeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

ATOM = "atom"
RSS = "rss"
MIME_TYPES = {ATOM: "application/atom+xml", RSS: "application/rss+xml"}


@dataclass(frozen=True)
class FeedEntry:
    url: str  # absolute
    title: str  # plain text
    published: datetime
    updated: datetime
    summary_html: str  # never empty: feed readers show it in lists
    content_html: str
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedInfo:
    title: str
    site_url: str  # absolute, no trailing slash
    self_url: str  # absolute URL of this feed
    description: str
    language: str = "de"
    entries: Sequence[FeedEntry] = field(default_factory=tuple)


def tag_uri(url: str, published: datetime) -> str:
    """A stable entry id (RFC 4151) that survives a change of http to https."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return f"tag:{host},{published:%Y-%m-%d}:{parts.path or '/'}"


def build_feed(info: FeedInfo) -> FeedGenerator:
    entries = sorted(info.entries, key=lambda e: e.published, reverse=True)
    feed = FeedGenerator()
    feed.id(info.self_url)  # one id per feed: readers must not merge the category feeds
    feed.title(info.title)
    feed.subtitle(info.description)
    feed.description(info.description)
    feed.link(href=info.site_url + "/", rel="alternate")
    feed.link(href=info.self_url, rel="self")
    feed.language(info.language)
    feed.generator("Selbsthilfe-Kontaktstelle (Pelican, feedgen)")
    if entries:
        newest = max(entry.updated for entry in entries)
        feed.updated(newest)
        feed.lastBuildDate(newest)
    # feedgen prepends each new entry; adding oldest first keeps the newest on top.
    for entry in reversed(entries):
        item = feed.add_entry()
        item.id(tag_uri(entry.url, entry.published))
        item.guid(entry.url, permalink=True)
        item.title(entry.title)
        item.link(href=entry.url)
        item.published(entry.published)
        item.updated(entry.updated)
        item.summary(entry.summary_html, type="html")
        item.description(entry.summary_html)
        item.content(entry.content_html, type="html")
        for author in entry.authors:
            item.author(name=author)
        for category in entry.categories:
            item.category(term=category)
    return feed


def render(info: FeedInfo, kind: str) -> bytes:
    feed = build_feed(info)
    return feed.atom_str(pretty=True) if kind == ATOM else feed.rss_str(pretty=True)
