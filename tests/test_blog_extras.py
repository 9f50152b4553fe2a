"""Unit tests of blog_extras' small functions: German dates, reading time, related posts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from blog_extras.related import link_neighbours, related_posts
from blog_extras.texts import count_words, german_date, german_month, reading_minutes, reading_time_label


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 11, 24), "24. November 2026"),
        (datetime(2026, 3, 1, 23, 59), "1. März 2026"),
        (date(2025, 12, 31), "31. Dezember 2025"),
        (date(2024, 2, 29), "29. Februar 2024"),
    ],
)
def test_german_date_without_system_locale(value, expected):
    assert german_date(value) == expected


def test_german_date_with_weekday():
    assert german_date(date(2026, 11, 24), with_weekday=True) == "Dienstag, 24. November 2026"


def test_german_month():
    assert german_month(date(2026, 3, 14)) == "März 2026"


def test_words_are_counted_in_text_not_markup():
    html = '<p>Ich stand <a href="/x" title="eins zwei drei">zehn Minuten</a> vor der Tür.</p>'
    assert count_words(html) == 7


def test_hyphenated_and_umlaut_words_count_once():
    assert count_words("<p>Selbsthilfe-Kontaktstelle, Angehörigen-Gruppe, Müdigkeit</p>") == 3


@pytest.mark.parametrize(
    ("words", "minutes"), [(0, 1), (1, 1), (200, 1), (201, 2), (1000, 5), (1001, 6)]
)
def test_reading_minutes_round_up_and_never_zero(words, minutes):
    html = "<p>" + " ".join(["Wort"] * words) + "</p>"
    assert reading_minutes(html, 200) == minutes


def test_reading_time_label_is_german_singular_and_plural():
    assert reading_time_label(1) == "1 Minute Lesezeit"
    assert reading_time_label(4) == "4 Minuten Lesezeit"


@dataclass
class Tag:
    slug: str


@dataclass(eq=False)
class Post:
    title: str
    date: datetime
    tags: list = field(default_factory=list)


def post(title, day, *tags):
    return Post(title, datetime(2026, 1, day), [Tag(t) for t in tags])


def test_related_posts_prefer_more_shared_tags_then_newer():
    me = post("Erstes Treffen", 10, "sucht", "alkohol", "erstes-treffen")
    one_tag_old = post("Angehörige", 1, "sucht")
    two_tags = post("Rückfall", 2, "sucht", "alkohol")
    one_tag_new = post("Gruppengründung", 20, "erstes-treffen")
    unrelated = post("Trauer", 25, "trauer")
    result = related_posts(me, [me, one_tag_old, two_tags, one_tag_new, unrelated], limit=3)
    assert [p.title for p in result] == ["Rückfall", "Gruppengründung", "Angehörige"]


def test_related_posts_respect_limit_and_exclude_self():
    me = post("A", 1, "sucht")
    others = [post(f"B{i}", i + 2, "sucht") for i in range(5)]
    result = related_posts(me, [me, *others], limit=3)
    assert len(result) == 3 and me not in result


def test_post_without_tags_has_no_related_posts():
    assert related_posts(post("A", 1), [post("B", 2, "sucht")]) == []


def test_neighbours_link_newer_and_older():
    newest, middle, oldest = post("neu", 3), post("mitte", 2), post("alt", 1)
    link_neighbours([newest, middle, oldest])
    assert (newest.newer_post, newest.older_post) == (None, middle)
    assert (middle.newer_post, middle.older_post) == (newest, oldest)
    assert (oldest.newer_post, oldest.older_post) == (middle, None)
