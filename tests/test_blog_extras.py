"""Unit tests of blog_extras' small functions: German dates, reading time, related posts."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog_extras import texts
from blog_extras.related import RelatedPosts, link_neighbours, related_posts
from blog_extras.texts import (
    count_words, german_date, german_month, reading_minutes, reading_time_label, strip_tags,
)

ROOT = Path(__file__).resolve().parents[1]


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


# --- Related posts: the tag index gives exactly what comparing every pair of posts gave -----

def reference_related_posts(post, candidates, limit=3):
    """related_posts before the tag index: every candidate compared, then one stable sort."""
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


def six_posts():
    """Newest first, as generator.articles. Two posts share a date; many share tags."""
    return [
        Post("Rückfall nach acht Jahren", datetime(2026, 3, 1, 9, 0),
             [Tag("sucht"), Tag("alkohol"), Tag("rueckfall")]),
        Post("Mein erstes Treffen", datetime(2026, 2, 10, 18, 0),
             [Tag("sucht"), Tag("erstes-treffen"), Tag("alkohol")]),
        Post("Als Angehörige im Stuhlkreis", datetime(2026, 2, 10, 18, 0),
             [Tag("sucht"), Tag("angehoerige"), Tag("alkohol")]),
        Post("Die Sucht meines Mannes", datetime(2026, 1, 5, 12, 0),
             [Tag("angehoerige"), Tag("sucht"), Tag("alkohol")]),
        Post("Trauer braucht Zeit", datetime(2025, 12, 1, 8, 30), [Tag("trauer")]),
        Post("Feiertage als Angehörige", datetime(2025, 11, 20, 20, 0),
             [Tag("angehoerige"), Tag("trauer"), Tag("alkohol")]),
    ]


SIX_POSTS_RELATED = {
    # two shared tags each; "Mein erstes Treffen" and "Als Angehörige …" on the same date
    # keep their order in the list
    "Rückfall nach acht Jahren": ["Mein erstes Treffen", "Als Angehörige im Stuhlkreis",
                                  "Die Sucht meines Mannes"],
    "Mein erstes Treffen": ["Rückfall nach acht Jahren", "Als Angehörige im Stuhlkreis",
                            "Die Sucht meines Mannes"],
    # three shared tags first, then two, newest first
    "Als Angehörige im Stuhlkreis": ["Die Sucht meines Mannes", "Rückfall nach acht Jahren",
                                     "Mein erstes Treffen"],
    "Die Sucht meines Mannes": ["Als Angehörige im Stuhlkreis", "Rückfall nach acht Jahren",
                                "Mein erstes Treffen"],
    "Trauer braucht Zeit": ["Feiertage als Angehörige"],
    "Feiertage als Angehörige": ["Als Angehörige im Stuhlkreis", "Die Sucht meines Mannes",
                                 "Rückfall nach acht Jahren"],
}


def titles(posts):
    return [p.title for p in posts]


def test_related_posts_of_six_posts_with_overlapping_tags_and_ties():
    posts = six_posts()
    for me in posts:
        expected = SIX_POSTS_RELATED[me.title]
        assert titles(related_posts(me, posts, limit=3)) == expected, me.title
        assert titles(reference_related_posts(me, posts, limit=3)) == expected, me.title


def test_related_posts_equal_dates_keep_the_candidates_order():
    posts = six_posts()
    oldest_first = posts[::-1]
    assert titles(related_posts(posts[0], oldest_first, limit=3)) == [
        "Als Angehörige im Stuhlkreis", "Mein erstes Treffen", "Die Sucht meines Mannes"]


def test_related_posts_limit_none_lists_every_post_sharing_a_tag():
    posts = six_posts()
    assert titles(related_posts(posts[5], posts, limit=None)) == [
        "Als Angehörige im Stuhlkreis", "Die Sucht meines Mannes", "Rückfall nach acht Jahren",
        "Mein erstes Treffen", "Trauer braucht Zeit"]
    assert related_posts(posts[5], posts, limit=0) == []


def test_plugin_sets_related_posts_and_neighbours_of_every_post():
    from blog_extras.plugin import add_related_and_neighbours

    posts = six_posts()
    add_related_and_neighbours(SimpleNamespace(articles=posts, settings={}))
    assert {p.title: titles(p.related_posts) for p in posts} == SIX_POSTS_RELATED
    assert (posts[1].newer_post, posts[1].older_post) == (posts[0], posts[2])

    posts = six_posts()
    add_related_and_neighbours(
        SimpleNamespace(articles=posts, settings={"BLOG_EXTRAS_RELATED_POSTS": 1}))
    assert {p.title: titles(p.related_posts) for p in posts} == {
        title: expected[:1] for title, expected in SIX_POSTS_RELATED.items()}


@pytest.mark.parametrize("seed", range(8))
def test_related_posts_index_equals_comparing_every_pair(seed):
    rng = random.Random(seed)
    pool = ["sucht", "alkohol", "angehoerige", "depression", "trauer", "rueckfall",
            "erstes-treffen", "schmerzen"]
    days = [datetime(2026, 1, day, 18, 0) for day in (1, 2, 2, 3, 5, 8)]  # many equal dates
    posts = []
    for number in range(60):
        tags = [Tag(slug) for slug in rng.sample(pool, rng.randint(0, 4))]
        if tags and rng.random() < 0.1:
            tags.append(Tag(tags[0].slug))  # the same slug twice counts once
        posts.append(Post(f"Beitrag {number}", rng.choice(days), tags))
    candidates = sorted(posts, key=lambda p: p.date, reverse=True)
    candidates += rng.sample(candidates, 3)  # listed twice: listed twice before, too
    rng.shuffle(candidates[-10:])
    outsider = Post("Nicht in der Liste", days[2], [Tag("sucht"), Tag("trauer")])
    index = RelatedPosts(candidates)
    for me in [*posts, outsider]:
        for limit in (0, 1, 2, 3, 5, 100, None, -1):
            expected = reference_related_posts(me, candidates, limit)
            assert related_posts(me, candidates, limit) == expected, (me.title, limit)
            assert index.for_post(me, limit) == expected, (me.title, limit)


# --- Word counts and plain text: the fast path reads HTML exactly as HTMLParser does --------

class _ReferenceText(HTMLParser):
    """strip_tags before the fast path, verbatim."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def parse_html_declaration(self, i: int) -> int:
        if self.rawdata.startswith("<!--", i):
            return self.parse_comment(i)
        return self.parse_bogus_comment(i)


def reference_strip_tags(html):
    parser = _ReferenceText()
    parser.feed(html or "")
    parser.close()
    return " ".join("".join(parser.parts).split())


def reference_count_words(html):
    return len(re.compile(r"\w+(?:[-'’]\w+)*").findall(reference_strip_tags(html)))


# Realistic post bodies as python-markdown (footnotes, tables, smarty) and the sanitiser give
# them to the reading time: German words, entities, footnotes, a table, <br>, nested tags,
# comments. With the number of words, counted by hand (the footnote mark "1" is a word,
# "3.000" and "d. h." are two, the backlink arrow is none).
GERMAN_BODIES = [
    pytest.param(
        "<p>Ich stand <a href=\"/x\" title=\"eins zwei drei\">zehn Minuten</a> vor der Tür.</p>",
        7, id="link-title-not-counted"),
    pytest.param(
        "<p>&bdquo;Geht&rsquo;s dir gut?&ldquo;, fragte die Ärztin. Ich sagte &ndash; "
        "wie immer &ndash; &bdquo;ja&ldquo;.</p>\n<p>Heute weiß ich: Das war gelogen&hellip;</p>",
        17, id="smarty-entities-apostrophe"),
    pytest.param(
        "<h2>Die Selbsthilfe-Kontaktstelle</h2>\n<p>Die Angehörigen-Gruppe trifft sich "
        "<strong>jeden <em>zweiten</em> Dienstag</strong> um 19&nbsp;Uhr in der "
        "Ludwig-Erhard-Straße&#160;12.<br>\nDer Raum ist im Erdgeschoß.<br />Klingeln!</p>",
        22, id="hyphens-eszett-nbsp-br-nested"),
    pytest.param(
        "<p>Danke fürs Lesen.<sup id=\"fnref:1\"><a class=\"footnote-ref\" "
        "href=\"#fn:1\">1</a></sup></p>\n<div class=\"footnote\">\n<hr>\n<ol>\n"
        "<li id=\"fn:1\">\n<p>Quelle: Deutsche Hauptstelle für Suchtfragen (DHS), "
        "Jahrbuch Sucht 2025.&#160;<a class=\"footnote-backref\" href=\"#fnref:1\" "
        "title=\"Zurück zum Text (Fußnote 1)\">&#8617;</a></p>\n</li>\n</ol>\n</div>",
        13, id="footnote"),
    pytest.param(
        "<table>\n<thead>\n<tr>\n<th style=\"text-align: left;\">Gruppe</th>\n"
        "<th>Termin</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>Atempause</td>\n"
        "<td>montags, 18&ndash;19:30&nbsp;Uhr</td>\n</tr>\n<tr>\n<td>Weitblick</td>\n"
        "<td>jeden 1. &amp; 3. Donnerstag</td>\n</tr>\n</tbody>\n</table>",
        13, id="table"),
    pytest.param(
        "<!-- Redaktion: Foto fehlt noch -->\n<p>Wir sind zwölf Frauen und Männer."
        "<!-- Zahl prüfen --></p>\n<blockquote>\n<p>&bdquo;Man ist nicht allein.&ldquo;"
        "</p>\n</blockquote>\n<ul>\n<li>Kaffee &amp; Tee</li>\n<li>Rückfall? Kein Grund, "
        "nicht zu kommen.</li>\n</ul>",
        18, id="comments-quote-list"),
    pytest.param(
        "<p><img alt=\"Ein Stuhlkreis mit zwölf Stühlen\" src=\"{static}/bilder/kreis.jpg\" "
        "width=\"1600\" height=\"1067\"></p>\n<p>Über 3.000 Menschen &ndash; "
        "d.&thinsp;h. jede*r Zehnte &ndash; sind betroffen: &quot;zu viele&quot;.</p>",
        13, id="image-alt-not-counted-numbers"),
    pytest.param("", 0, id="empty"),
    pytest.param("Treffen &amp; Austausch", 2, id="no-markup"),
]


@pytest.mark.parametrize(("html", "words"), GERMAN_BODIES)
def test_word_count_of_german_bodies(html, words):
    assert count_words(html) == words
    assert reference_count_words(html) == words
    assert strip_tags(html) == reference_strip_tags(html)


@pytest.mark.parametrize(("html", "words"), GERMAN_BODIES)
def test_well_formed_bodies_take_the_fast_path(html, words, monkeypatch):
    def no_parser(html):
        raise AssertionError("HTMLParser used for well-formed markup")

    monkeypatch.setattr(texts, "_parsed_text", no_parser)
    assert count_words(html) == words


# Markup the fast path leaves to HTMLParser, and why; then edge cases of the fast path.
PARSER_ONLY = [
    "<p>Text</p><script>var a = '<b>nicht</b> gezählt? doch';</script><p>Ende</p>",  # raw text
    "<style>p { font-family: 'Atkinson Hyperlegible' }</style><p>Stil</p>",
    "<SCRIPT>alert('Hallo Welt')</SCRIPT> Rest",  # any case
    "<textarea>Ihre Nachricht &amp; Grüße</textarea>",  # raw text in newer Pythons
    "<iframe src=\"https://example.org\">Kein Rahmen</iframe> danach",
    "<p>Wenn a < b und b > c, dann a&lt;c.</p>",  # "<" as text
    "<p>3 <5 Tage</p>",
    "<!DOCTYPE html><p>Dokument</p>",  # declarations, CDATA, processing instructions
    "<![CDATA[x < y]]><p>nach CDATA</p>",
    "<?php echo 'Hallo'; ?><p>nach PI</p>",
    "<p>offen <!-- kein Ende",  # unterminated comment and tag
    "<p>Tag ohne Ende <a href=\"x\"",
    "<!--> leerer Kommentar --> Text",  # comments that end early or oddly
    "<!---> Text -->",
    "<!-- a -- b --> nach Kommentar",
    "<!-- Ende mit Strich ---> danach",
    "<p class=x>bar</p><a href=a title='b'class=c>ohne Leerzeichen</a>",
    "<p\xa0class=\"x\">geschütztes Leerzeichen im Tag</p>",
    "<a href=x\xa0y>Wert mit Leerzeichen</a>",
    "<p =x>kein Attributname</p>",
    "</ p>Endtag mit Leerzeichen</p >",
    "<a title=\"a>b\" href='c<d'>Pfeile im Wert</a>",
    "<br/><br /><hr/>Striche&shy;trennung",
    "&am<b>p;</b> &#3<i>9;</i> &amp &ampx &#x41 &#0; &#xD800; &#1114112; &bogus; &",
    "Text am Ende &amp",
    "Text am Ende &",
    "&#",
    "<p>Unterstrich_wort, Bindestrich-- doppelt, -vorne, hinten-, O’Brien's ’s</p>",
]


@pytest.mark.parametrize("html", PARSER_ONLY)
def test_unusual_markup_reads_as_with_htmlparser(html):
    assert strip_tags(html) == reference_strip_tags(html)
    assert count_words(html) == reference_count_words(html)


# Pieces of HTML: text, well-formed markup and odd markup. Joined at random, they must read the
# same; most joins are well-formed, to test the fast path, some are odd, to test the fallback.
TEXT_FRAGMENTS = [
    "Wort", "Straße", "Müdigkeit", "Selbsthilfe-Gruppe", "Angehörigen-Treffen,", "geht’s",
    "Gabi's", "O'", "-", "–", "—", "’", "'", "_", "3.000", "19:30", "½", "²", "٣", "x_y",
    " ", "  ", "\n", "\t", "\xa0", "\u2009", "\u3000", "\x1c", ".", ",", "!", "?", "„", "“",
    "…", "(", ")", ">", "=", "\"", "&", "&amp;", "&amp", "&am", "p;", "&#", "&#3", "9;", "&#x",
    "41;", "&nbsp;", "&nbsp", "&bdquo;", "&ldquo;", "&ndash;", "&shy;", "&lt;", "&gt;",
    "&lt;b&gt;", "&#8617;", "&#160;", "&#xDF;", "&auml;", "&Auml", "&notin;", "&notit;", "&;",
    "&#0;", "&#128;", "-->", "]]>", "?>",
]
WELL_FORMED_MARKUP = [
    "<p>", "</p>", "<br>", "<br/>", "<br />", "<hr>", "<em>", "</em>", "<strong>",
    "</strong>", "<a href=\"#fn:1\">", "<a href='/x' title=\"Zurück (Fußnote 1)\">", "</a>",
    "<sup id=\"fnref:1\">", "</sup>", "<td style=\"text-align: left;\">", "</td>",
    "<img alt=\"Stuhlkreis\" src=\"{static}/bilder/x.jpg\">", "<input disabled>",
    "<a href=x>", "<a href=/x/>", "<P CLASS=\"Gross\">", "</P >", "<h2 id=\"wer-wir-sind\">",
    "<abbr\ttitle='Deutsche Mark'>", "<a title=\"a>b &amp; c<d\">", "<td colspan = 2>",
    "<!-- Kommentar -->", "<!---->", "<!-- a - b -->", "<!--<p>-->",
]
ODD_MARKUP = [
    "<!--", "<!-->", "--!>", "<!", "<!DOCTYPE html>", "<![CDATA[", "<?", "<", "</", "<a",
    "<a ", "<p\xa0class=x>", "<script>", "</script>", "<style>", "</style>", "<title>",
    "</title>", "<textarea>", "<xmp>", "<noscript>", "<plaintext>", "</ p>", "<p =x>",
    "<a href=\"x\"class=y>", "<br/ >", "<a href=x\xa0y>", "<!-- a -- b -->",
]


@pytest.mark.parametrize("seed", range(4))
def test_generated_fragments_read_as_with_htmlparser(seed, monkeypatch):
    parsed = []
    parse = texts._parsed_text
    monkeypatch.setattr(texts, "_parsed_text", lambda html: parsed.append(html) or parse(html))
    rng = random.Random(seed)
    for _ in range(2000):
        pieces = []
        for _ in range(rng.randint(1, 30)):
            pool = rng.choices([TEXT_FRAGMENTS, WELL_FORMED_MARKUP, ODD_MARKUP], [60, 40, 1])[0]
            pieces.append(rng.choice(pool))
        html = "".join(pieces)
        assert strip_tags(html) == reference_strip_tags(html), html
        assert count_words(html) == reference_count_words(html), html
    assert 1000 < 2000 - len(parsed) / 2 < 1900  # both paths well tested


def test_project_posts_read_as_with_htmlparser():
    import markdown

    md = markdown.Markdown(
        extensions=["footnotes", "tables", "sane_lists", "smarty"],
        extension_configs={"smarty": {"substitutions": {
            "left-double-quote": "&bdquo;", "right-double-quote": "&ldquo;",
            "left-single-quote": "&sbquo;", "right-single-quote": "&lsquo;"}}},
        output_format="html5")
    sources = sorted([*ROOT.glob("content/**/*.md"), *ROOT.glob("tests/fixtures/**/*.md")])
    assert sources
    for source in sources:
        html = md.reset().convert(source.read_text(encoding="utf-8"))
        assert count_words(html) == reference_count_words(html), source
        assert strip_tags(html) == reference_strip_tags(html), source


def test_unicode_facts_the_word_count_relies_on():
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    word_characters = set(re.findall(r"\w", every))
    assert word_characters == {c for c in every if c.isalnum() or c == "_"}
    separators = {c for c in every if c.isspace()} | set(texts._PUNCTUATION)
    assert not separators & (word_characters | set("-'’"))
    assert all(len(f"a{c}b".split()) == (2 if c.isspace() else 1) for c in every)


# The same two comparisons with hypothesis, which also tries arbitrary text and shrinks a
# failure to a small example.
fragments = st.one_of(st.sampled_from(TEXT_FRAGMENTS), st.sampled_from(WELL_FORMED_MARKUP),
                      st.sampled_from(ODD_MARKUP), st.text(max_size=6))


@settings(max_examples=400, deadline=None)
@given(st.lists(fragments, max_size=30).map("".join))
def test_any_fragment_reads_as_with_htmlparser(html):
    assert strip_tags(html) == reference_strip_tags(html)
    assert count_words(html) == reference_count_words(html)


@st.composite
def post_lists(draw):
    slugs = st.sampled_from(["sucht", "alkohol", "angehoerige", "trauer", "rueckfall"])
    days = st.integers(1, 4).map(lambda day: datetime(2026, 1, day))  # many equal dates
    posts = draw(st.lists(st.builds(lambda n, day, tags: Post(f"Beitrag {n}", day, tags),
                                    st.integers(0, 999), days,
                                    st.lists(slugs.map(Tag), max_size=4)),
                          min_size=1, max_size=14))
    candidates = draw(st.lists(st.sampled_from(posts), max_size=20))  # any order, repeats
    return posts, candidates


@settings(max_examples=300, deadline=None)
@given(post_lists(), st.sampled_from([0, 1, 2, 3, 10, None, -2]))
def test_any_posts_relate_as_when_comparing_every_pair(posts_and_candidates, limit):
    posts, candidates = posts_and_candidates
    index = RelatedPosts(candidates)
    for me in posts:
        expected = reference_related_posts(me, candidates, limit)
        assert index.for_post(me, limit) == expected
        assert related_posts(me, candidates, limit) == expected


# --- typography: smarty without its idle work --------------------------------------------------
GERMAN_QUOTES = {"left-double-quote": "&bdquo;", "right-double-quote": "&ldquo;",
                 "left-single-quote": "&sbquo;", "right-single-quote": "&lsquo;"}
MARKDOWN_PIECES = [
    '"', "'", "--", "---", "...", "....", "<<", ">>", " ", "Wort", "Gruppe", "*betont*",
    "`code 'x' -- ...`", '[Link](https://a.example "Titel")', "\n\n", "\n", "„", "“", "'80er",
    "Petra's", "&nbsp;", "–", "—", "(", ")", "[", "]", '**fett "x"**', '\\"', "\\'",
    "<span>'a'</span>", "1. ", "- ", "> ", "Fußnote[^1]", '\n\n[^1]: Text "q"\n\n',
    "| a | b |\n|---|---|\n| 'x' | \"y\" |\n\n", "    eingerückt 'code'\n",
]


def markdown_with(extension: str, angled: bool):
    import markdown

    configs = {"footnotes": {}, "tables": {}, "sane_lists": {},
               extension: {"substitutions": GERMAN_QUOTES, "smart_angled_quotes": angled}}
    return markdown.Markdown(extensions=list(configs), extension_configs=configs,
                             output_format="html5")


@pytest.mark.parametrize("angled", [False, True])
def test_typography_writes_what_smarty_writes(angled):
    rng = random.Random(20261207)
    sources = [path.read_text(encoding="utf-8")
               for path in sorted([*ROOT.glob("content/**/*.md"),
                                   *ROOT.glob("tests/fixtures/**/*.md")])]
    sources += ["".join(rng.choice(MARKDOWN_PIECES) for _ in range(rng.randint(1, 40)))
                for _ in range(1500)]
    smarty = markdown_with("smarty", angled)
    ours = markdown_with("blog_extras.typography", angled)
    for source in sources:
        assert ours.reset().convert(source) == smarty.reset().convert(source), source
    sample = ours.reset().convert('Sie sagte: "Wir treffen uns -- wie immer ... um 19 Uhr."')
    assert "&bdquo;Wir" in sample and "&ndash;" in sample and "&hellip;" in sample


def test_typography_leaves_texts_without_marks_to_themselves(monkeypatch):
    from markdown.treeprocessors import InlineProcessor

    from blog_extras import typography

    handled: list[str] = []
    original = InlineProcessor._InlineProcessor__handleInline

    def counting(self, data, patternIndex=0):  # noqa: N803 - python-markdown's name
        if isinstance(self, typography.TextWithoutMarksProcessor):
            handled.append(data)
        return original(self, data, patternIndex)

    monkeypatch.setattr(InlineProcessor, "_InlineProcessor__handleInline", counting)
    ours = markdown_with("blog_extras.typography", angled=False)
    html = ours.convert('Ein Satz ohne Zeichen.\n\nUnd ein "Zitat" mit *Betonung*.')
    assert html == ('<p>Ein Satz ohne Zeichen.</p>\n'
                    '<p>Und ein &bdquo;Zitat&ldquo; mit <em>Betonung</em>.</p>')
    assert handled == ['Und ein "Zitat" mit ']  # not the first paragraph, not "Betonung"


def test_every_smarty_pattern_needs_one_of_the_marks_typography_looks_for():
    """If python-markdown adds or changes a pattern of smarty, this fails: then check that
    typography.NEEDED_BY_SOME_PATTERN still names a mark every pattern needs."""
    import markdown

    from blog_extras.typography import TypographyExtension

    extension = TypographyExtension(smart_angled_quotes=True)
    markdown.Markdown(extensions=[extension])
    patterns = [item.compiled_re.pattern for item in extension.inlinePatterns]
    assert len(patterns) == 20  # ellipses, 15 for quotes, 2 for dashes, 2 for angle quotes
    marks = ("'", '"', "--", r"\.{3}", r"\<\<", r"\>\>")
    for pattern in patterns:
        assert any(mark in pattern for mark in marks), pattern
