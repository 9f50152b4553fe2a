"""Unit tests of the CI's own checks (checks/): the link checker and the page picker."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "checks"))

import browser_checks  # noqa: E402
import link_check  # noqa: E402

SITEURL = "https://www.example.org"


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def broken_urls(root: Path) -> set[str]:
    broken, _, _ = link_check.check(root, SITEURL)
    return {url for url, _, _ in broken}


def test_good_links_of_every_kind_pass(tmp_path):
    site = write(tmp_path, {
        "index.html": (
            '<a href="a/">a</a><a href="/a/#teil">teil</a><a href="#oben">oben</a>'
            f'<a href="{SITEURL}/a/">abs</a><a href="{SITEURL}">root</a>'
            '<img src="bild.jpg" srcset="bild.jpg 1x, /bild.jpg 2x" alt="">'
            '<a href="mailto:x@example.org">m</a><a href="tel:112">t</a>'
            '<a href="https://elsewhere.example/x">ext</a><a href="a?q=1">query</a>'
            '<a href="#">top</a><h1 id="oben">x</h1>'),
        "a/index.html": '<h2 id="teil">t</h2><a href="../">up</a><a href="../bild.jpg">b</a>',
        "bild.jpg": "jpeg",
    })
    broken, counts, external = link_check.check(site, SITEURL)
    assert broken == []
    assert external == 1
    assert counts["other"] == 2


def test_broken_links_fragments_and_escapes_are_reported(tmp_path):
    site = write(tmp_path, {
        "index.html": (
            '<a href="fehlt/">x</a><a href="/a/#nicht-da">y</a><a href="#weg">z</a>'
            f'<a href="{SITEURL}/auch-weg/">abs</a><img src="x.png" alt="">'
            '<img srcset="gut.jpg 1x, kaputt.jpg 2x" alt=""><a href="../../etc/passwd">p</a>'),
        "a/index.html": "<p>kein Anker</p>",
        "gut.jpg": "jpeg",
    })
    assert broken_urls(site) == {
        "fehlt/", "/a/#nicht-da", "#weg", f"{SITEURL}/auch-weg/", "x.png", "kaputt.jpg",
        "../../etc/passwd"}


def test_sitemap_and_feed_links_are_checked(tmp_path):
    site = write(tmp_path, {
        "index.html": "<p>x</p>",
        "sitemap.xml": ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                        f'sitemap/0.9"><url><loc>{SITEURL}/</loc></url>'
                        f"<url><loc>{SITEURL}/weg/</loc></url></urlset>"),
        "feed.atom.xml": ('<feed xmlns="http://www.w3.org/2005/Atom">'
                          f'<link href="{SITEURL}/gibtsnicht/"/></feed>'),
    })
    assert broken_urls(site) == {f"{SITEURL}/weg/", f"{SITEURL}/gibtsnicht/"}


def test_main_exit_status(tmp_path, capsys):
    site = write(tmp_path, {"index.html": '<a href="weg/">x</a>'})
    assert link_check.main([str(site), "--site-url", SITEURL]) == 1
    assert "weg/" in capsys.readouterr().out
    (site / "weg").mkdir()
    (site / "weg" / "index.html").write_text("<p>da</p>", encoding="utf-8")
    assert link_check.main([str(site), "--site-url", SITEURL]) == 0


def test_page_picker_finds_each_page_type(tmp_path):
    files = ["index.html", "seite/2/index.html", "404.html", "beitraege/a/index.html",
             "kontakt/index.html", "kategorie/index.html", "kategorie/k/index.html",
             "schlagwort/index.html", "schlagwort/t/index.html", "archiv/index.html",
             "archiv/2025/index.html", "autorinnen-und-autoren/index.html",
             "autorinnen-und-autoren/x/index.html", "gruppen/index.html",
             "gruppen/a-z/index.html", "gruppen/atempause/index.html",
             "gruppen/themen/index.html", "gruppen/themen/sucht/index.html"]
    site = write(tmp_path, {f: "<p>x</p>" for f in files})
    write(site, {"beitraege/b/index.html": '<p class="content-note">Hinweis</p>'})
    picked = dict((relative, label) for label, relative in browser_checks.pick_pages(site))
    assert picked["beitraege/b/index.html"] == "article with content note"
    assert picked["beitraege/a/index.html"] == "article"
    assert picked["kontakt/index.html"] == "page"
    for expected in files:
        if expected.startswith("gruppen/") and expected != "gruppen/index.html":
            continue
        assert expected in picked, expected
    group_pages = {r for r in picked if r.startswith("gruppen/")}
    assert {"gruppen/index.html", "gruppen/a-z/index.html", "gruppen/themen/index.html",
            "gruppen/atempause/index.html", "gruppen/themen/sucht/index.html"} == group_pages
