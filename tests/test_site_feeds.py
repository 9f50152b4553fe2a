"""Unit tests of the feed builder: deterministic, complete entries, readable by feedparser."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import feedparser
import pytest

from site_feeds.feeds import ATOM, RSS, FeedEntry, FeedInfo, render, tag_uri

BERLIN = timezone(timedelta(hours=1))
SITE = "https://www.selbsthilfe-beispielstadt.example"


def entry(slug, day, title="Mein erstes Treffen", summary="<p>Zwei Jahre habe ich gezögert.</p>"):
    when = datetime(2026, 3, day, 10, 0, tzinfo=BERLIN)
    return FeedEntry(url=f"{SITE}/beitraege/{slug}/", title=title, published=when, updated=when,
                     summary_html=summary, content_html=summary + "<p>Mehr Text – „Zitat“.</p>",
                     authors=("Franky, Gruppe Lichtblick",), categories=("Erfahrungsberichte",))


def info(*entries):
    return FeedInfo(title="Kontaktstelle: alle Beiträge", site_url=SITE,
                    self_url=f"{SITE}/feeds/alle.atom.xml", description="Beiträge aus den Gruppen",
                    entries=entries)


@pytest.mark.parametrize("kind", [ATOM, RSS])
def test_feed_is_deterministic_and_dated_by_newest_post(kind):
    feed_info = info(entry("a", 1), entry("b", 14), entry("c", 7))
    first = render(feed_info, kind)
    assert render(feed_info, kind) == first
    parsed = feedparser.parse(first)
    assert not parsed.bozo, parsed.get("bozo_exception")
    updated = parsed.feed.get("updated_parsed")
    assert updated[:3] == (2026, 3, 14)


@pytest.mark.parametrize("kind", [ATOM, RSS])
def test_every_entry_has_id_title_link_updated_and_summary(kind):
    parsed = feedparser.parse(render(info(entry("a", 1), entry("b", 2, title="Über „Mut“ & Angst")), kind))
    assert [e.title for e in parsed.entries] == ["Über „Mut“ & Angst", "Mein erstes Treffen"]
    for item in parsed.entries:
        assert item.id and item.link.startswith(SITE)
        assert item.get("updated_parsed") or item.get("published_parsed")
        assert "gezögert" in item.summary


def test_entries_newest_first_in_atom():
    parsed = feedparser.parse(render(info(entry("alt", 1), entry("neu", 20)), ATOM))
    assert [e.link for e in parsed.entries] == [f"{SITE}/beitraege/neu/", f"{SITE}/beitraege/alt/"]


def test_tag_uri_is_stable_across_schemes():
    when = datetime(2026, 3, 14, tzinfo=BERLIN)
    assert tag_uri("https://a.example/beitraege/x/", when) == "tag:a.example,2026-03-14:/beitraege/x/"
    assert tag_uri("http://a.example/beitraege/x/", when) == tag_uri("https://a.example/beitraege/x/", when)
