"""rebuild_cache: a rebuild reads and renders only what changed, and its output is that of a
clean build; every input that changes the output starts a fresh cache."""

from __future__ import annotations

import datetime
import logging
import os
import re
import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import DictLoader, Environment, FileSystemLoader
from pelican.log import LimitFilter
from pelican.settings import DEFAULT_CONFIG

from rebuild_cache import fingerprint
from rebuild_cache.helper import FromBothEnds, can_fork
from rebuild_cache.inputs import ALL_VARIABLES, Digester, template_inputs, template_variables
from rebuild_cache.reading import ReadingCache, caching_reader
from rebuild_cache.rendering import RenderCache, caching_writer
from sitetools import written_page
from rebuild_cache.store import EntryFolder

from .conftest import ROOT, build_site, make_content, run_build, tree_digest

CACHE_LINE = re.compile(r"Zwischenspeicher: (\d+) von (\d+) Dateien unverändert, "
                        r"(\d+) von (\d+) Seiten wiederverwendet")
POST = "beitraege/erstes-treffen.md"


def cache_counts(stdout: str) -> tuple[int, int, int, int]:
    """(files reused, files, pages reused, pages) from the build's report line."""
    match = CACHE_LINE.search(stdout)
    assert match, stdout
    return tuple(int(n) for n in match.groups())  # type: ignore[return-value]


def comparable(folder: Path) -> dict[str, str]:
    """The tree's digest minus what differs between any two clean builds: Pagefind writes
    its filter files in a random order (so their names and the meta file naming them
    differ), and pelican-sitemap dates list pages with the build time."""
    digest = tree_digest(folder)
    for name in list(digest):
        if re.match(r"pagefind/(teil-\d+/)?(filter/|pagefind\..*\.pf_meta$|"
                    r"pagefind-entry\.json$)", name):
            del digest[name]
    sitemap = (folder / "sitemap.xml").read_text(encoding="utf-8")
    today = date.today().isoformat()
    digest["sitemap.xml"] = re.sub(rf"<lastmod>{today}T[^<]*</lastmod>", "<lastmod>heute"
                                   "</lastmod>", sitemap)
    return digest


def rebuild(root: Path, **overrides):
    result = run_build(root / "content", root / "output", overrides=overrides or None)
    assert result.returncode == 0, result.stderr
    return result


# --- build level ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built_twice(tmp_path_factory):
    """The fixture site built, one post changed, built again with the first build's cache."""
    root = tmp_path_factory.mktemp("incremental")
    first = build_site(root)
    post = root / "content" / POST
    post.write_text(post.read_text(encoding="utf-8").replace(
        "Es gibt immer Pfefferminz.", "Es gibt immer Pfefferminz und Fenchel."),
        encoding="utf-8")
    second = rebuild(root)
    return root, first, second


def test_a_cold_build_reads_and_renders_everything(built_twice):
    _, first, _ = built_twice
    reused_files, files, reused_pages, pages = cache_counts(first.stdout)
    assert (reused_files, reused_pages) == (0, 0)
    assert files >= 10 and pages > 50


def test_after_one_changed_post_only_that_post_is_read_and_few_pages_rendered(built_twice):
    _, first, second = built_twice
    reused_files, files, reused_pages, pages = cache_counts(second.stdout)
    assert files - reused_files == 1
    rendered = pages - reused_pages
    # The post's own page and the pages listing it (home, archive, category, tags, author,
    # its group), never the whole site.
    assert 1 <= rendered <= 15, second.stdout
    assert pages == cache_counts(first.stdout)[3]


def test_the_rebuilt_site_equals_a_clean_build(built_twice, tmp_path):
    root, _, _ = built_twice
    assert "Pfefferminz und Fenchel" in (
        root / "output/beitraege/erstes-treffen/index.html").read_text(encoding="utf-8")
    clean_content = tmp_path / "content"
    shutil.copytree(root / "content", clean_content)
    result = run_build(clean_content, tmp_path / "output")
    assert result.returncode == 0, result.stderr
    assert cache_counts(result.stdout)[2] == 0  # really clean
    assert comparable(root / "output") == comparable(tmp_path / "output")


def test_a_new_post_reaches_every_list_it_belongs_to(tmp_path):
    build_site(tmp_path)
    (tmp_path / "content/beitraege/neu.md").write_text(
        "Title: Ein neuer Abend\nDate: 2026-11-20 19:00\nCategory: Erfahrungsberichte\n"
        "Tags: Sucht\nAuthor: Jo, Gruppe Lichtblick\n\nHeute war ich zum ersten Mal da.\n",
        encoding="utf-8")
    rebuild(tmp_path)
    clean = tmp_path / "clean"
    shutil.copytree(tmp_path / "content", clean / "content")
    assert run_build(clean / "content", clean / "output").returncode == 0
    assert comparable(tmp_path / "output") == comparable(clean / "output")
    assert "Ein neuer Abend" in (tmp_path / "output/index.html").read_text(encoding="utf-8")


def test_one_changed_group_renders_its_own_pages_not_every_group_page(tmp_path):
    first = build_site(tmp_path)
    table = tmp_path / "content/gruppen/gruppen.csv"
    text = table.read_text(encoding="utf-8-sig")
    assert text.count("Das erste Treffen im Monat ist auch für Interessierte offen.") == 1
    table.write_text(text.replace("Das erste Treffen im Monat ist auch für Interessierte offen.",
                                  "Das erste Treffen im Monat ist für alle offen."),
                     encoding="utf-8-sig")
    second = rebuild(tmp_path)

    _, _, reused, pages = cache_counts(second.stdout)
    # Its page, the indexes listing it and the pages of the groups showing it as related:
    # 11 here. It was 18 when every group page depended on the whole directory.
    assert 1 <= pages - reused <= 12, second.stdout
    assert pages == cache_counts(first.stdout)[3]
    assert "für alle offen" in (tmp_path / "output/gruppen/lichtblick-alkohol/index.html"
                                ).read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    shutil.copytree(tmp_path / "content", clean / "content")
    assert run_build(clean / "content", clean / "output").returncode == 0
    assert comparable(tmp_path / "output") == comparable(clean / "output")


def test_a_changed_setting_renders_everything_again(tmp_path):
    first = build_site(tmp_path)
    second = rebuild(tmp_path, SITENAME="Selbsthilfe-Kontaktstelle Neustadt")
    _, _, reused, pages = cache_counts(second.stdout)
    assert reused == 0 and pages == cache_counts(first.stdout)[3]
    assert "Kontaktstelle Neustadt" in (tmp_path / "output/index.html").read_text("utf-8")
    assert cache_counts(second.stdout)[0] == 0  # reading too: settings shape Markdown


def copy_of(folder: str, target: Path) -> Path:
    shutil.copytree(ROOT / folder, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_a_changed_template_or_static_file_renders_everything_again(tmp_path):
    theme = copy_of("theme", tmp_path / "theme")
    first = build_site(tmp_path, overrides={"THEME": str(theme)})
    pages = cache_counts(first.stdout)[3]
    footer = theme / "templates" / "base.html"
    footer.write_text(footer.read_text(encoding="utf-8").replace(
        "</footer>", "<p>Neu im Fuß</p></footer>", 1), encoding="utf-8")
    second = rebuild(tmp_path, THEME=str(theme))
    assert cache_counts(second.stdout)[2:] == (0, pages)
    assert "Neu im Fuß" in (tmp_path / "output/impressum/index.html").read_text("utf-8")
    assert cache_counts(second.stdout)[0] > 0  # posts need not be read again for a theme

    css = theme / "static" / "css" / "site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* Druckfarben */\n", encoding="utf-8")
    third = rebuild(tmp_path, THEME=str(theme))
    assert cache_counts(third.stdout)[2] == 0
    # No page's text changed, so the search index is the last one (pages are keyed by the
    # digest of their file, not by the render cache's generation).
    assert "unverändert aus dem Zwischenspeicher übernommen" in third.stdout


def test_changed_plugin_code_reads_and_renders_everything_again(tmp_path):
    plugins = copy_of("plugins", tmp_path / "plugins")
    first = build_site(tmp_path, overrides={"PLUGIN_PATHS": [str(plugins)]})
    extras = plugins / "blog_extras" / "texts.py"
    extras.write_text(extras.read_text(encoding="utf-8") + "\n# geändert\n", encoding="utf-8")
    second = rebuild(tmp_path, PLUGIN_PATHS=[str(plugins)])
    assert cache_counts(second.stdout)[0] == 0
    assert cache_counts(second.stdout)[2:] == (0, cache_counts(first.stdout)[3])


def test_an_unchanged_rebuild_reuses_everything(tmp_path):
    first = build_site(tmp_path)
    skipped = run_build(tmp_path / "content", tmp_path / "output")
    assert "nichts geändert" in skipped.stdout  # publish's own shortcut
    forced = run_build(tmp_path / "content", tmp_path / "output", extra_args=["--force"])
    assert forced.returncode == 0, forced.stderr
    reused_files, files, reused_pages, pages = cache_counts(forced.stdout)
    assert (reused_files, reused_pages) == (files, pages) == cache_counts(first.stdout)[1::2]


def test_a_cache_folder_inside_content_is_refused(tmp_path):
    content = make_content(tmp_path)
    before = tree_digest(content)
    result = run_build(content, tmp_path / "output",
                       overrides={"CACHE_PATH": str(content / "gruppen")})
    assert result.returncode == 1
    assert "CACHE_PATH" in result.stderr and "Inhaltsordner" in result.stderr
    assert tree_digest(content) == before
    assert not (tmp_path / "output").exists()


# --- fingerprints ---------------------------------------------------------------------------
@pytest.mark.parametrize("package", ["Markdown", "bleach", "pillow"])
def test_another_version_of_markdown_bleach_or_pillow_is_another_generation(package):
    installed = ["Markdown==3.11.3", "bleach==6.4.0", "pillow==13.0.0", "pelican==4.12.0"]
    changed = [f"{package}==99.0" if line.startswith(package + "==") else line
               for line in installed]
    assert fingerprint.versions_digest(installed) != fingerprint.versions_digest(changed)
    assert fingerprint.versions_digest(installed) == fingerprint.versions_digest(
        list(reversed(installed)))


def test_installed_versions_name_the_packages_that_shape_output():
    names = {line.split("==")[0].lower() for line in fingerprint.installed_versions()}
    assert {"markdown", "bleach", "pillow", "pelican", "jinja2"} <= names


def test_settings_digest_is_stable_across_processes_and_sees_changes():
    def slugify(text):
        return text.lower()

    settings = {"SITENAME": "Kontaktstelle", "JINJA_FILTERS": {"slug": slugify},
                "OUTPUT_PATH": "/tmp/.build-abc", "MARKDOWN": {"output_format": "html5"}}
    same = dict(settings, OUTPUT_PATH="/tmp/.build-xyz")
    assert fingerprint.settings_digest(settings) == fingerprint.settings_digest(same)
    other = dict(settings, MARKDOWN={"output_format": "xhtml"})
    assert fingerprint.settings_digest(settings) != fingerprint.settings_digest(other)


# --- template inputs ------------------------------------------------------------------------
TEMPLATES = {
    "base.html": "<title>{{ SITENAME }}</title>{% block content %}{% endblock %}"
                 "{% include 'footer.html' %}",
    "footer.html": "{% for label, url in FOOTER_LINKS %}{{ label }}{% endfor %}",
    "article.html": "{% extends 'base.html' %}{% block content %}{{ article.title }}"
                    "{% for tag in article.tags %}{{ tag }}{% endfor %}{% endblock %}",
    "dynamic.html": "{% include chosen %}",
}


def test_a_group_page_names_neither_all_groups_nor_the_whole_directory():
    # Jinja's analysis compiles the template, which needs every filter and test it names;
    # the theme's own (german_date …) come from plugins and only matter when rendering.
    class AnyFilter(dict):
        def __contains__(self, name):
            return True

        def __missing__(self, name):
            return lambda value, *args, **kwargs: value

        def get(self, name, default=None):
            return self[name]

    env = Environment(loader=FileSystemLoader(str(ROOT / "theme/templates")))
    env.filters = AnyFilter(env.filters)
    env.tests = AnyFilter(env.tests)
    variables = template_variables(env, "group.html")
    assert {"group", "related_groups", "form_terms", "audience_terms"} <= variables
    assert not {"groups", "group_directory"} & variables
    assert "groups" in template_variables(env, "groups_topic.html")  # lists all of a topic


def test_a_shared_analysis_gives_what_a_fresh_one_gives():
    env = Environment(loader=DictLoader({
        "base.html": "{{ SITENAME }}{% block content %}{% endblock %}",
        "article.html": "{% extends 'base.html' %}{% block content %}{{ article }}{% endblock %}",
        "page.html": "{% extends 'base.html' %}{% block content %}{{ page }}{% endblock %}",
    }))
    shared: dict = {}
    for name in ("article.html", "page.html", "article.html"):
        assert template_inputs(env, name, shared) == template_inputs(env, name)
    assert set(shared) == {"base.html", "article.html", "page.html"}


def test_template_variables_follow_extends_and_includes():
    env = Environment(loader=DictLoader(TEMPLATES))
    assert template_variables(env, "article.html") == {"SITENAME", "FOOTER_LINKS", "article"}
    assert template_variables(env, "dynamic.html") is ALL_VARIABLES


class Post:  # stands in for a Pelican Article in digest tests (plain object fields)
    def __init__(self, title: str, body: str) -> None:
        self.title = title
        self.body = body
        self.tags = ["Sucht", "Mut"]


def test_digest_depends_on_values_not_identity():
    variables = frozenset({"article", "SITENAME"})
    one = Digester().key(["article.html"], {"article": Post("Mein erstes Treffen", "Tee"),
                                             "SITENAME": "KIBIS"}, variables)
    two = Digester().key(["article.html"], {"article": Post("Mein erstes Treffen", "Tee"),
                                             "SITENAME": "KIBIS"}, variables)
    changed = Digester().key(["article.html"], {"article": Post("Mein erstes Treffen",
                                                                 "Kaffee"),
                                                 "SITENAME": "KIBIS"}, variables)
    unused = Digester().key(["article.html"], {"article": Post("Mein erstes Treffen", "Tee"),
                                                "SITENAME": "KIBIS", "MENU": ["x"]}, variables)
    assert one == two == unused
    assert one != changed


@pytest.mark.parametrize("value, digest", [
    ({1: "a", 12: "b"}, "4c2b5c5ce5a22e13b6da9de9f6295fb01ab21a57383a4edfd0e5235c4a80c503"),
    ({"titel": "Treffen", "ort": "Herne"},
     "ce7d302d283a2125347519b4971c1d36a61a8b5b986dadc4b616a5785ed74918"),
    (["Sucht", 3, None, True, 2.5],
     "b2fe09cea42dfe39752b0fbc3b4827c1f9711a9a8403750827927b36c105ce71"),
    ((datetime.date(2026, 12, 7), b"x"),
     "06a3406ccfd3f5e325484665acb3a20f7c70aa3b861203ee6079da69815fa1bc"),
    ({"gruppen": [{"name": "Lichtblick"}, ("Hybrid", 1)]},
     "dcea5909b32f4e0de1498ffd4d2bc01371578bb6453ecc7fb77d85762264f8c8"),
], ids=["int-keys", "str-keys", "list", "tuple", "nested"])
def test_digests_stay_what_they_were(value, digest):
    # Computed by the digester before its fast paths for dicts and lists: a speed-up must
    # not change a digest (a key's order decides, not the order of the joined bytes).
    assert Digester().value(value).hex() == digest


def test_a_cycle_between_objects_is_digested():
    first, second = Post("A", "a"), Post("B", "b")
    first.other, second.other = second, first
    assert Digester().value(first) == Digester().value(first)


# --- reading cache --------------------------------------------------------------------------
class NoisyReader:
    reads = 0

    def __init__(self, settings):
        self.settings = settings

    def read(self, source_path):
        NoisyReader.reads += 1
        logging.getLogger("tests.reader").warning("%s: Bild ohne Alternativtext",
                                                     source_path)
        return "<p>Hallo</p>", {"title": "Hallo", "settings_ref": self.settings}


def test_reading_cache_reuses_results_and_repeats_what_the_reader_logged(tmp_path, caplog):
    settings = {"SITENAME": "KIBIS"}
    source = tmp_path / "post.md"
    source.write_text("Title: Hallo\n\nHallo", encoding="utf-8")
    cache = ReadingCache(EntryFolder(tmp_path / "cache"), settings)
    reader = caching_reader(NoisyReader, cache)(settings)
    NoisyReader.reads = 0
    with caplog.at_level(logging.WARNING):
        first = reader.read(str(source))
        # Pelican's loggers drop a message they logged before in the same process; a build
        # is one process, so only the cached read logs it there.
        LimitFilter._raised_messages.clear()
        second = reader.read(str(source))
    assert NoisyReader.reads == 1
    assert first[0] == second[0] == "<p>Hallo</p>"
    assert second[1]["settings_ref"] is settings  # re-attached, not a stale copy
    assert [r.getMessage() for r in caplog.records].count(
        f"{source}: Bild ohne Alternativtext") == 2
    source.write_text("Title: Hallo\n\nHallo Welt", encoding="utf-8")
    reader.read(str(source))
    assert NoisyReader.reads == 2


# --- two processes --------------------------------------------------------------------------
@pytest.mark.skipif(not can_fork(), reason="needs os.fork")
def test_main_process_and_helper_do_each_item_exactly_once(tmp_path):
    items = [f"beitrag-{n:03d}" for n in range(120)]
    done = tmp_path / "done"
    done.mkdir()

    def work(item: str) -> None:
        with open(done / item, "a", encoding="utf-8") as mark:
            mark.write(f"{os.getpid()}\n")

    split = FromBothEnds(items)
    assert split.start(work, items)
    for item in items:
        split.claim(item)
        if not (done / item).exists():
            work(item)
    split.finish()
    writers = [(done / item).read_text(encoding="utf-8").split() for item in items]
    assert all(len(pids) == 1 for pids in writers)
    assert {pids[0] for pids in writers} - {str(os.getpid())}  # the helper did some


PREVIEW_RUNS = """
import sys
from pathlib import Path
from pelican import Pelican
from pelican.settings import read_settings

content, output, cache = (Path(p) for p in sys.argv[1:4])
settings = read_settings("pelicanconf.py", override={
    "PATH": str(content), "OUTPUT_PATH": str(output), "CACHE_PATH": str(cache)})
pelican = Pelican(settings)  # as `pelican --autoreload` does: one instance, many runs
pelican.run()
post = content / "beitraege" / "erstes-treffen.md"
post.write_text(post.read_text(encoding="utf-8") + "\\nNachtrag aus der Vorschau.\\n",
                encoding="utf-8")
pelican.run()
"""


def test_the_preview_rebuilds_through_the_same_caches(tmp_path):
    """sitetools/preview.py runs `pelican --autoreload`: one Pelican instance whose run() is
    called again after each change. The second run must use the first run's caches."""
    import subprocess
    import sys

    content = make_content(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", PREVIEW_RUNS, str(content), str(tmp_path / "vorschau"),
         str(tmp_path / "cache")],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
        text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    runs = [tuple(int(n) for n in m.groups()) for m in CACHE_LINE.finditer(result.stdout)]
    assert len(runs) == 2, result.stdout
    (cold_files, files, cold_pages, pages), (warm_files, _, warm_pages, _) = runs
    assert (cold_files, cold_pages) == (0, 0)
    assert warm_files == files - 1 and pages - 15 <= warm_pages < pages
    assert "Nachtrag aus der Vorschau" in (
        tmp_path / "vorschau/beitraege/erstes-treffen/index.html").read_text(encoding="utf-8")


def test_a_template_page_from_content_is_rendered_again_when_it_changes(tmp_path):
    """robots.txt is a template in content/extra/, outside the theme."""
    build_site(tmp_path)
    robots = tmp_path / "content" / "extra" / "robots.txt"
    robots.write_text(robots.read_text(encoding="utf-8") + "# Stand: November\n",
                      encoding="utf-8")
    rebuild(tmp_path)
    assert "# Stand: November" in (tmp_path / "output" / "robots.txt").read_text("utf-8")


def test_template_sources_are_part_of_the_inputs():
    env = Environment(loader=DictLoader(TEMPLATES))
    changed = Environment(loader=DictLoader(dict(TEMPLATES, **{
        "footer.html": "<p>Impressum</p>{{ FOOTER_LINKS|length }}"})))
    assert (template_inputs(env, "article.html").sources
            != template_inputs(changed, "article.html").sources)
    assert template_inputs(env, "article.html").sources == template_inputs(
        Environment(loader=DictLoader(TEMPLATES)), "article.html").sources


def test_a_written_page_carries_the_digest_of_its_file_for_the_search_index(tmp_path):
    """The search index keys a page by this instead of reading the file back: it must be
    the digest of the file as written, rendered or taken from the cache, in any cache
    generation."""
    from pelican import signals

    template = Environment(loader=DictLoader(TEMPLATES)).get_template("article.html")
    sent: list[tuple[str, str | None]] = []

    def note(path, context=None, **_):
        sent.append((path, context.get(written_page.DIGEST_VARIABLE)))

    def write(generation: str, title: str) -> Path:
        cache = RenderCache(EntryFolder(tmp_path / generation), Digester(), {})
        writer = caching_writer(cache)(str(tmp_path / "site"), settings=dict(DEFAULT_CONFIG))
        writer.write_file("treffen/index.html", template,
                          {"SITENAME": "Kontaktstelle", "FOOTER_LINKS": []},
                          article=SimpleNamespace(title=title, tags=["Sucht"]))
        return tmp_path / "site" / "treffen" / "index.html"

    signals.content_written.connect(note)
    try:
        page = write("render-aaa", "Erstes Treffen")  # rendered
        write("render-aaa", "Erstes Treffen")  # from the cache
        write("render-bbb", "Erstes Treffen")  # another generation, the same page
        first = written_page.digest(page.read_bytes())
        write("render-aaa", "Zweites Treffen")
        second = written_page.digest(page.read_bytes())
    finally:
        signals.content_written.disconnect(note)
    assert sent == [(str(page), first)] * 3 + [(str(page), second)]
    assert first != second


LINKING_PAGE = """Title: Anfahrt
Slug: anfahrt

Wie Sie uns finden, steht unter [Kontakt]({filename}/seiten/kontakt.md). Den Flyer gibt es
[als PDF]({attach}/extra/flyer.pdf).
"""


def test_renamed_link_targets_and_attached_files_match_a_clean_build(tmp_path):
    """A page linking another one is rendered again when the target's address changes,
    and `{attach}` still moves the file next to the page when the page comes from the
    cache."""
    extra = {"seiten/anfahrt.md": LINKING_PAGE, "extra/flyer.pdf": b"%PDF-1.4 Flyer\n"}
    build_site(tmp_path, extra_files=extra)
    assert (tmp_path / "output/anfahrt/flyer.pdf").is_file()
    kontakt = tmp_path / "content/seiten/kontakt.md"
    kontakt.write_text(kontakt.read_text(encoding="utf-8").replace(
        "Slug: kontakt", "Slug: kontakt-und-anfahrt"), encoding="utf-8")
    rebuild(tmp_path)
    page = (tmp_path / "output/anfahrt/index.html").read_text(encoding="utf-8")
    assert "/kontakt-und-anfahrt/" in page
    assert (tmp_path / "output/anfahrt/flyer.pdf").is_file()
    clean = tmp_path / "clean"
    shutil.copytree(tmp_path / "content", clean / "content")
    assert run_build(clean / "content", clean / "output").returncode == 0
    assert comparable(tmp_path / "output") == comparable(clean / "output")


def test_without_fork_the_main_process_does_everything(monkeypatch):
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    split = FromBothEnds(["a", "b"])
    assert not split.start(lambda item: None, ["a", "b"])
    assert split.claim("a") is False
    split.finish()


def test_a_digest_made_inside_a_cycle_is_not_remembered():
    first, second = Post("A", "a"), Post("B", "b")
    first.other, second.other = second, first
    digester = Digester()
    digester.value(first)  # walks into `second` while `first` is still open
    before = digester.value(second)
    first.title = "A, geändert"
    after = digester.value(second)
    assert after != before  # `second` shows `first`'s title: the change is seen
    assert after == Digester().value(second)


@pytest.mark.skipif(not can_fork(), reason="needs os.fork")
def test_helpers_on_a_cold_cache_give_the_same_site_as_no_cache_at_all(tmp_path):
    """The fixture site is below REBUILD_CACHE_HELPER_FROM; lowered, the helper processes
    read and render part of it. The site must equal one built without rebuild_cache."""
    helped = build_site(tmp_path / "helped", overrides={"REBUILD_CACHE_HELPER_FROM": 2})
    plain = build_site(tmp_path / "plain", overrides={"REBUILD_CACHE_ENABLED": False})
    assert "Zwischenspeicher" not in plain.stdout
    assert comparable(helped.output) == comparable(plain.output)


def test_a_rebuild_after_a_helped_build_with_search_shards_equals_a_clean_build(tmp_path):
    """The helper renders from the far end on the cold cache, the search page names the
    shards (a value set late in the build); after a changed post the site must equal one
    built without rebuild_cache."""
    settings = {"REBUILD_CACHE_HELPER_FROM": 2, "OFFLINE_SEARCH_PAGES_PER_SHARD": 4}
    helped = tmp_path / "helped"
    build_site(helped, overrides=settings)
    post = helped / "content" / POST
    post.write_text(post.read_text(encoding="utf-8").replace(
        "Stuhlkreis", "Stuhlkreis am Fenster", 1), encoding="utf-8")
    result = rebuild(helped, **settings)
    reused, total = re.search(r"(\d+) von (\d+) Seiten wiederverwendet", result.stdout).groups()
    assert 0 < int(total) - int(reused) < int(total)  # some pages new, most reused
    plain = tmp_path / "plain"
    shutil.copytree(helped / "content", plain / "content")
    assert run_build(plain / "content", plain / "output", overrides={
        "REBUILD_CACHE_ENABLED": False, "OFFLINE_SEARCH_PAGES_PER_SHARD": 4}).returncode == 0
    assert re.search(r'data-merge="[^"]*/pagefind/teil-2/',
                     (helped / "output/suche/index.html").read_text(encoding="utf-8"))
    assert comparable(helped / "output") == comparable(plain / "output")


def test_the_preview_makes_the_template_cache_folder_again_after_cache_was_deleted(tmp_path):
    from rebuild_cache.plugin import remember_compiled_templates

    settings = {"JINJA_ENVIRONMENT": {"autoescape": True}}
    remember_compiled_templates(settings, tmp_path / "cache")  # the preview's first run
    folder = Path(settings["JINJA_ENVIRONMENT"]["bytecode_cache"].directory)
    assert folder.is_dir()
    shutil.rmtree(tmp_path / "cache")  # "den Ordner cache/ dürfen Sie jederzeit löschen"
    remember_compiled_templates(settings, tmp_path / "cache")  # its next run
    assert folder.is_dir()
