"""Build-level tests: a real site from the fixture content, built with publishconf.py."""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser

import feedparser
import pytest

from tests.conftest import build_site

SITE = "https://www.selbsthilfe-beispielstadt.example"


class PageFacts(HTMLParser):
    """What a test needs to know about one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = None
        self.h1_count = 0
        self.title = ""
        self.meta = {}
        self.scripts = []  # (attrs, text)
        self.in_title = False
        self.in_script = None
        self.links = []
        self.resources = []
        self.style_attributes = 0
        self.style_elements = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.style_attributes += 1
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            key = attrs.get("name") or attrs.get("http-equiv")
            if key:
                self.meta[key.lower()] = attrs.get("content", "")
        elif tag == "script":
            self.in_script = [attrs, ""]
            if attrs.get("src"):
                self.resources.append(attrs["src"])
        elif tag == "style":
            self.style_elements += 1
        elif tag == "link":
            self.links.append(attrs)
            if attrs.get("rel") in ("stylesheet", "icon", "preload"):
                self.resources.append(attrs.get("href", ""))
        elif tag in ("img", "iframe", "video", "audio", "source", "embed", "object"):
            self.resources.append(attrs.get("src") or attrs.get("data") or "")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag == "script" and self.in_script is not None:
            self.scripts.append(tuple(self.in_script))
            self.in_script = None

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if self.in_script is not None:
            self.in_script[1] += data


def facts(text: str) -> PageFacts:
    parser = PageFacts()
    parser.feed(text)
    return parser


@pytest.fixture(scope="module")
def site(published_site):
    return published_site


def test_every_page_is_german_with_one_h1_title_and_description(site):
    pages = site.html_pages()
    assert len(pages) > 20
    titles = {}
    for page in pages:
        page_facts = facts(page.read_text(encoding="utf-8"))
        name = page.relative_to(site.output)
        assert page_facts.lang == "de", name
        assert page_facts.h1_count == 1, name
        assert page_facts.meta.get("description"), name
        assert page_facts.title.strip(), name
        titles.setdefault(page_facts.title, []).append(str(name))
    duplicates = {title: names for title, names in titles.items() if len(names) > 1}
    assert not duplicates


def test_csp_without_unsafe_inline_and_no_inline_code_or_foreign_resources(site):
    for page in site.html_pages():
        page_facts = facts(page.read_text(encoding="utf-8"))
        name = page.relative_to(site.output)
        csp = page_facts.meta["content-security-policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp, name
        assert page_facts.style_elements == 0 and page_facts.style_attributes == 0, name
        for attrs, text in page_facts.scripts:
            if attrs.get("src"):
                continue
            assert attrs.get("type") == "application/ld+json", name
            json.loads(text)
        for url in page_facts.resources:
            assert url.startswith(SITE + "/") or not re.match(r"^(https?:)?//", url), (name, url)


def test_crisis_help_link_on_every_page(site):
    for page in site.html_pages():
        text = page.read_text(encoding="utf-8")
        assert f'href="{SITE}/hilfe-in-krisen/">Hilfe in Krisen</a>' in text, page
        assert "0800 111 0 111" in text


def test_draft_appears_nowhere(site):
    assert not (site.output / "drafts").exists()
    for path, text in site.all_text().items():
        assert "geheimentwurf" not in text.lower(), path
        assert "entwurf-sommerfest" not in text, path


def test_post_page_shows_german_date_author_category_tags_reading_time(site):
    html = site.read("beitraege/erstes-treffen/index.html")
    assert '<time datetime="2026-03-14T10:00:00+01:00">14. März 2026</time>' in html
    assert "Franky, Gruppe Lichtblick</a>" in html
    assert f'href="{SITE}/kategorie/erfahrungsberichte/">Erfahrungsberichte</a>' in html
    assert f'href="{SITE}/schlagwort/erstes-treffen/" rel="tag">Erstes Treffen</a>' in html
    assert "1 Minute Lesezeit" in html
    assert 'class="footnote"' in html  # footnotes rendered
    assert "Ähnliche Beiträge" in html and "Als Angehörige nicht mehr allein" in html
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_blog_posting_json_ld(site):
    html = site.read("beitraege/erstes-treffen/index.html")
    blocks = [json.loads(text) for attrs, text in facts(html).scripts
              if attrs.get("type") == "application/ld+json"]
    posting = next(b for b in blocks if b["@type"] == "BlogPosting")
    assert posting["headline"] == "Mein erstes Treffen"
    assert posting["datePublished"].startswith("2026-03-14")
    assert posting["author"] == [{"@type": "Person", "name": "Franky, Gruppe Lichtblick"}]
    assert any(b["@type"] == "Organization" for b in blocks)


def test_content_note_before_text_and_in_listings_with_crisis_help_below(site):
    html = site.read("beitraege/schwere-zeit/index.html")
    note = html.index('class="content-note"')
    assert note < html.index('class="post-body"') < html.index('class="crisis-help"')
    assert "Suizidgedanken" in html[note:note + 200]
    assert "Suizidgedanken" in site.read("kategorie/erfahrungsberichte/index.html")
    assert 'class="crisis-help"' not in site.read("beitraege/erstes-treffen/index.html")


def test_hostile_title_is_escaped_on_every_page_type(site):
    raw = '<b>"Nein"</b>'
    pages = ["index.html", "beitraege/wir-sagen-nein/index.html", "kategorie/gastbeitraege/index.html",
             "schlagwort/mut/index.html", "archiv/index.html", "archiv/2026/index.html"]
    pages += [str(p.relative_to(site.output)) for p in (site.output / "autorinnen-und-autoren").glob("kim*/index.html")]
    assert len(pages) == 7
    for page in pages:
        html = site.read(page)
        assert "Wir sagen" in html, page
        assert raw not in html, page
        assert "<script>alert(1)" not in html, page
        assert "Nein" in html
    for path, text in site.all_text().items():
        assert raw not in text and "</script><script>" not in text, path


def test_archive_by_year_and_taxonomy_pages(site):
    archive = site.read("archiv/index.html")
    assert 'id="jahr-2026"' in archive and 'id="jahr-2024"' in archive
    assert "Die Gruppe Atempause stellt sich vor" in site.read("archiv/2024/index.html")
    assert "Als Angehörige nicht mehr allein" in site.read("schlagwort/angehoerige/index.html")
    assert (site.output / "kategorie/index.html").exists()
    assert (site.output / "schlagwort/index.html").exists()
    assert (site.output / "autorinnen-und-autoren/index.html").exists()


def test_feeds_are_valid_complete_and_linked_from_every_page(site):
    feeds = ["feeds/alle.atom.xml", "feeds/alle.rss.xml",
             "feeds/kategorie/erfahrungsberichte.atom.xml", "feeds/kategorie/gastbeitraege.rss.xml"]
    for feed in feeds:
        parsed = feedparser.parse(site.read(feed))
        assert not parsed.bozo, (feed, parsed.get("bozo_exception"))
        assert parsed.entries, feed
        for item in parsed.entries:
            assert item.id and item.title and item.link.startswith(SITE) and item.summary.strip()
            assert item.get("updated_parsed") or item.get("published_parsed")
    atom = feedparser.parse(site.read("feeds/alle.atom.xml"))
    assert atom.feed.updated.startswith("2026-05-02")  # newest post, not the build time
    for page in site.html_pages():
        assert f'href="{SITE}/feeds/alle.atom.xml"' in page.read_text(encoding="utf-8"), page


def test_feeds_identical_across_two_builds(site, tmp_path):
    from tests.conftest import HOSTILE_POST
    again = build_site(tmp_path, extra_files={"beitraege/wir-sagen-nein.md": HOSTILE_POST})
    for feed in site.files("feeds/**/*.xml"):
        relative = feed.relative_to(site.output)
        assert (again.output / relative).read_bytes() == feed.read_bytes(), relative


def test_sitemap_robots_404_favicon(site):
    sitemap = site.read("sitemap.xml")
    assert f"<loc>{SITE}/beitraege/erstes-treffen/</loc>" in sitemap
    assert "404" not in sitemap and "entwurf" not in sitemap
    assert f"Sitemap: {SITE}/sitemap.xml" in site.read("robots.txt")
    assert "Diese Seite gibt es nicht (mehr)" in site.read("404.html")
    assert (site.output / "favicon.ico").stat().st_size > 0
    assert (site.output / ".htaccess").exists()


def test_article_page_is_light(site):
    html = (site.output / "beitraege/erstes-treffen/index.html").read_bytes()
    css = (site.output / "theme/css/site.css").read_bytes()
    assert len(gzip.compress(html)) + len(gzip.compress(css)) < 30 * 1024


def test_pagination_has_accessible_labels_and_distinct_titles(tmp_path):
    site = build_site(tmp_path, overrides={"DEFAULT_PAGINATION": 2})
    second = site.read("seite/2/index.html")
    assert 'aria-label="Seiten der Liste"' in second
    assert "Seite 2 von 2" in facts(second).title
    assert 'rel="prev"' in second
    assert "Seite 2 von 2" not in facts(site.read("index.html")).title


def test_deploy_headers_send_the_same_csp_as_the_pages():
    import pelicanconf
    from offline_search.csp import with_wasm

    from tests.conftest import ROOT

    site_policy = pelicanconf.CONTENT_SECURITY_POLICY
    for path in ("content/extra/htaccess", "deploy/nginx.conf"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert f"\"{site_policy}; frame-ancestors 'none'\"" in text, path
        assert f"\"{with_wasm(site_policy)}; frame-ancestors 'none'\"" in text, path
