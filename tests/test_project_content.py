"""The contact point's own content (content/) builds into a complete site."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, BuiltSite, run_build

SEITEN = ["ueber-uns", "kontakt", "impressum", "datenschutz", "barrierefreiheit",
          "hilfe-in-krisen", "leichte-sprache"]


def content_digest() -> dict[str, tuple[int, bytes]]:
    return {str(p): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted((ROOT / "content").rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> BuiltSite:
    output = tmp_path_factory.mktemp("project") / "output"
    before = content_digest()
    result = run_build(ROOT / "content", output)
    assert result.returncode == 0, result.stderr
    assert content_digest() == before, "the build changed files in content/"
    return BuiltSite(output.parent, output, result.returncode, result.stdout, result.stderr)


def test_all_editor_pages_are_published(site):
    for slug in SEITEN:
        assert (site.output / slug / "index.html").exists(), slug
    assert "§ 5 DDG" in site.read("impressum/index.html")


def test_at_least_twelve_posts_and_the_draft_nowhere(site):
    posts = list((site.output / "beitraege").glob("*/index.html"))
    assert len(posts) >= 12
    for path, text in site.all_text().items():
        assert "entwurf-sommerfest" not in text, path
        assert "Entwurf: Unser Sommerfest" not in text, path


def test_post_with_image_footnotes_and_content_note(site):
    texts = [p.read_text(encoding="utf-8") for p in (site.output / "beitraege").glob("*/index.html")]
    assert any('class="footnote"' in t for t in texts)
    assert any('class="content-note"' in t and "Suizidgedanken" in t for t in texts)
    assert any("<img" in t and 'alt="' in t for t in texts)
