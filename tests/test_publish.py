"""The publish build is atomic, reports every problem at once and never touches the sources."""

from __future__ import annotations

import logging
import os
import re
import shutil
import time

import pytest

from tests.conftest import FIXTURE_SITE, ROOT, build_site, make_content, run_build, tree_digest
from tests.test_rebuild_cache import POST as POST_PATH, comparable

POST_TO_CHANGE = POST_PATH.split("/")[-1]

BROKEN_LINK_POST = """Title: Ein Verweis ins Leere
Date: 2026-04-01 10:00
Category: Erfahrungsberichte
Tags: Sucht
Author: Franky, Gruppe Lichtblick
Summary: Dieser Beitrag verweist auf einen Beitrag, den es nicht gibt.

Erster Absatz ohne Verweis.

Wie [Sabine schreibt]({filename}/beitraege/gibt-es-nicht.md), hilft Zuhören.
"""

LINK_TO_DRAFT_POST = """Title: Verweis auf einen Entwurf
Date: 2026-04-02 10:00
Category: Erfahrungsberichte
Author: Franky, Gruppe Lichtblick
Summary: Verweist auf einen Entwurf.

Siehe [unser Sommerfest]({filename}entwurf-sommerfest.md).
"""

NO_LONGER_THERE_POST = """Title: Nur für kurze Zeit
Date: 2026-04-04 10:00
Category: Erfahrungsberichte
Author: Jo, Gruppe Atempause
Summary: Ein Beitrag, den die Gruppe wieder zurückgezogen hat.

Diesen Beitrag gibt es nur im ersten Bau.
"""

IMPOSSIBLE_DATE_POST = """Title: Ein Datum, das es nicht gibt
Date: 2026-13-45 19:00
Category: Erfahrungsberichte
Author: Jo, Gruppe Atempause

Der Monat 13 ist ein Tippfehler.
"""

NO_TITLE_POST = """Date: 2026-04-03 10:00
Category: Erfahrungsberichte

Ein Beitrag ohne Titel.
"""



def test_failed_build_reports_every_problem_and_keeps_previous_output(tmp_path):
    site = build_site(tmp_path)
    before = tree_digest(site.output)
    content = tmp_path / "content"
    (content / "beitraege/verweis-ins-leere.md").write_text(BROKEN_LINK_POST, encoding="utf-8")
    (content / "beitraege/verweis-auf-entwurf.md").write_text(LINK_TO_DRAFT_POST, encoding="utf-8")
    (content / "beitraege/ohne-titel.md").write_text(NO_TITLE_POST, encoding="utf-8")
    (content / "beitraege/falsches-datum.md").write_text(IMPOSSIBLE_DATE_POST,
                                                         encoding="utf-8")
    sources_before = tree_digest(content)

    result = run_build(content, site.output)

    assert result.returncode == 1
    report = result.stderr
    assert "NICHT veröffentlicht" in report
    assert "beitraege/verweis-ins-leere.md:10: Verweis auf „/beitraege/gibt-es-nicht.md“" in report
    assert "beitraege/verweis-auf-entwurf.md:7:" in report and "Entwurf" in report
    assert "beitraege/ohne-titel.md:1: Pflichtangabe fehlt: „Title:“" in report
    # Pelican only says it could not process the file; the report says where and why.
    assert ("beitraege/falsches-datum.md:2: „Date: 2026-13-45 19:00“ ist kein gültiges Datum"
            in report), report
    assert "falsches-datum.md: Datei konnte nicht verarbeitet werden" not in report
    assert tree_digest(site.output) == before
    assert tree_digest(content) == sources_before
    # The failed build's folder is removed by a detached process.
    assert wait_for_removals(tmp_path) == []


def wait_for_removals(root, seconds: float = 30) -> list[str]:
    """The temporary folders still beside the output once background removals are done."""
    def leftovers() -> list[str]:
        return [p.name for p in root.iterdir() if p.name.startswith((".build-", ".old-"))]

    deadline = time.monotonic() + seconds
    while leftovers() and time.monotonic() < deadline:
        time.sleep(0.05)
    return leftovers()


def test_plugin_that_fails_to_load_fails_the_build(tmp_path):
    content = make_content(tmp_path)
    result = run_build(content, tmp_path / "output",
                       overrides={"PLUGINS": ["blog_extras", "gibt_es_nicht"]})
    assert result.returncode == 1
    assert "„gibt_es_nicht“ konnte nicht geladen werden" in result.stderr
    assert not (tmp_path / "output").exists()


def test_template_error_fails_the_build_naming_template_and_line(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    article = theme / "templates" / "article.html"
    lines = article.read_text(encoding="utf-8").splitlines()
    lines[5] = "{{ article.title|gibt_es_nicht }}"
    article.write_text("\n".join(lines), encoding="utf-8")
    content = make_content(tmp_path)
    result = run_build(content, tmp_path / "output", overrides={"THEME": str(theme)})
    assert result.returncode == 1
    assert "article.html:6" in result.stderr and "Vorlage" in result.stderr


def test_successful_build_leaves_no_temporary_folders(tmp_path):
    build_site(tmp_path)
    build_site_again = run_build(tmp_path / "content", tmp_path / "output",
                                 extra_args=["--force"])
    assert build_site_again.returncode == 0

    def leftovers() -> list[str]:
        return [p.name for p in tmp_path.iterdir()
                if p.name.startswith(".") and p.name != ".spare-output"]

    # The output before last is kept as the spare, for the next build to write into.
    assert (tmp_path / ".spare-output" / "index.html").is_file()
    deadline = time.monotonic() + 30
    while leftovers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert leftovers() == []


def test_a_build_into_the_spare_equals_a_clean_build_and_keeps_unchanged_files(tmp_path):
    # Build 1 has a post that build 2 no longer has; build 3 writes into build 1's output
    # (the spare), where that post's page must not survive.
    extra = "beitraege/nur-einmal.md"
    site = build_site(tmp_path, extra_files={extra: NO_LONGER_THERE_POST})
    content, output = tmp_path / "content", site.output
    (content / extra).unlink()
    assert run_build(content, output).returncode == 0
    spare = tmp_path / ".spare-output"
    assert (spare / "beitraege/nur-einmal/index.html").is_file()
    unchanged_page = spare / "ueber-uns/index.html"
    unchanged_inode = unchanged_page.stat().st_ino
    post = content / "beitraege" / POST_TO_CHANGE
    post.write_text(post.read_text(encoding="utf-8") + "\nEin Nachtrag.\n", encoding="utf-8")

    assert run_build(content, output).returncode == 0

    assert not spare.exists() or not (spare / "beitraege/nur-einmal").exists()
    assert not (output / "beitraege/nur-einmal").exists()
    assert "Ein Nachtrag." in (output / "beitraege" / POST_TO_CHANGE.removesuffix(".md")
                               / "index.html").read_text(encoding="utf-8")
    # A page with the same text stays the same file (only touched), no new one is made.
    assert (output / "ueber-uns/index.html").stat().st_ino == unchanged_inode
    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    assert run_build(clean / "content", clean / "output").returncode == 0
    assert comparable(output) == comparable(clean / "output")


def test_a_failed_build_into_the_spare_does_not_reuse_it_again(tmp_path):
    site = build_site(tmp_path)
    content = tmp_path / "content"
    assert run_build(content, site.output, extra_args=["--force"]).returncode == 0
    assert (tmp_path / ".spare-output").is_dir()
    (content / "beitraege/ohne-titel.md").write_text(NO_TITLE_POST, encoding="utf-8")
    before = tree_digest(site.output)

    assert run_build(content, site.output).returncode == 1

    assert tree_digest(site.output) == before
    assert not (tmp_path / ".spare-output").exists()  # half written: thrown away


def test_group_table_errors_are_reported_together_with_other_problems(tmp_path):
    table = (FIXTURE_SITE / "gruppen" / "gruppen.csv").read_bytes()
    broken_table = table.replace(";Präsenz;aktiv;Freitag;".encode(),
                                 ";Präsens;aktiv;Freitag;".encode(), 1)
    assert broken_table != table
    prepared = ("\r\nvorbereitet-test;Noch nicht fertig;;;;;;;;;;;;;;;;;;;;;;nein").encode()
    site = build_site(tmp_path, extra_files={
        "gruppen/gruppen.csv": broken_table + prepared,
        "beitraege/verweis-ins-leere.md": BROKEN_LINK_POST,
    }, expect_success=False)
    assert site.returncode == 1
    assert "Zeile 2, Spalte „Form“: „Präsens“" in site.stderr
    assert "beitraege/verweis-ins-leere.md:10: Verweis" in site.stderr
    # The prepared, unpublished row is incomplete: a warning, not one of the problems.
    warnings, problems = site.stderr.split("NICHT veröffentlicht", 1)
    assert "Zeile 12, Spalte „Themen“: Angabe fehlt" in warnings
    assert "Zeile 12" not in problems


def test_publishing_again_without_changes_keeps_the_output_and_any_change_rebuilds(tmp_path):
    site = build_site(tmp_path)
    content, output = tmp_path / "content", site.output
    built = tree_digest(output)

    again = run_build(content, output)
    assert again.returncode == 0 and "nichts geändert" in again.stdout
    assert tree_digest(output) == built
    assert wait_for_removals(tmp_path) == []
    assert not (tmp_path / ".spare-output").exists()  # no earlier output, so no spare

    post = content / "beitraege" / "erstes-treffen.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nNachtrag: Es gab Kuchen.\n",
                    encoding="utf-8")
    changed = run_build(content, output)
    assert "Fertig" in changed.stdout
    assert "Es gab Kuchen" in (output / "beitraege/erstes-treffen/index.html").read_text(
        encoding="utf-8")

    (output / "index.html").write_text("von Hand überschrieben", encoding="utf-8")
    repaired = run_build(content, output)
    assert "Fertig" in repaired.stdout
    assert "Willkommen" in (output / "index.html").read_text(encoding="utf-8")

    other_setting = run_build(content, output, overrides={"DEFAULT_PAGINATION": 2})
    assert "Fertig" in other_setting.stdout and (output / "seite/2/index.html").exists()


# --- sitetools/staging.py on its own ----------------------------------------------------------

def test_the_spare_keeps_what_the_build_wrote_or_touched_and_drops_the_rest(tmp_path):
    from sitetools import staging

    folder = tmp_path / "spare"
    (folder / "beitraege").mkdir(parents=True)
    for name in ("alt.html", "neu-geschrieben.html", "beruehrt.html", "beitraege/weg.html"):
        (folder / name).write_text("vorher", encoding="utf-8")
    cached = tmp_path / "cache-bild.webp"
    cached.write_bytes(b"RIFF")
    os.link(cached, folder / "bild.webp")

    spare = staging.Spare(folder)
    assert not (folder / "bild.webp").exists()  # a link into a cache: linked again if used
    time.sleep(0.01)
    (folder / "neu-geschrieben.html").write_text("nachher", encoding="utf-8")
    os.utime(folder / "beruehrt.html")
    (folder / "ganz-neu.html").write_text("neu", encoding="utf-8")
    reported = {str(folder / "alt.html")}  # Pelican said it wrote it: kept in any case

    assert spare.sweep(reported) == 1
    assert sorted(p.name for p in folder.rglob("*")) == [
        "alt.html", "beruehrt.html", "ganz-neu.html", "neu-geschrieben.html"]


def test_a_failed_swap_puts_the_old_output_back(tmp_path, monkeypatch):
    from sitetools import staging

    output, new = tmp_path / "output", tmp_path / ".build-x"
    for folder, text in ((output, "alt"), (new, "neu")):
        folder.mkdir()
        (folder / "index.html").write_text(text, encoding="utf-8")
    real_rename = os.rename

    def failing_rename(source, target):
        if os.fspath(source) == os.fspath(new):
            raise PermissionError("in use")
        real_rename(source, target)

    monkeypatch.setattr(staging.os, "rename", failing_rename)
    for reuse in (True, False):  # POSIX (spare) and Windows (removed in the background)
        monkeypatch.setattr(staging, "reuse_allowed", lambda reuse=reuse: reuse)
        with pytest.raises(PermissionError):
            staging.swap_into_place(new, output)
        assert (output / "index.html").read_text(encoding="utf-8") == "alt"


def test_this_file_system_allows_reuse(tmp_path):
    from sitetools import staging

    assert staging.file_system_allows_reuse(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_file_pelican_could_not_process_is_reported_with_the_reason():
    from sitetools.problems import ProblemCollector

    collector = ProblemCollector()
    logger = logging.getLogger("pelican.generators.test")
    logger.addHandler(collector)
    try:
        try:
            raise ValueError("month must be in 1..12")
        except ValueError:  # as Pelican logs it: inside the except block, without exc_info
            logger.exception("Could not process %s", "/site/content/beitraege/x.md",
                             exc_info=False)
        logger.error("Could not process %s", "/site/content/beitraege/y.md")  # no exception
    finally:
        logger.removeHandler(collector)
    hint = " (Zeile und Erklärung: `python3 make.py check` mit dieser Datei)"
    assert [str(p) for p in collector.problems] == [
        "content/beitraege/x.md: Datei konnte nicht verarbeitet werden: ValueError: month must "
        "be in 1..12" + hint,
        "content/beitraege/y.md: Datei konnte nicht verarbeitet werden: " + hint]


def test_a_detailed_report_takes_the_place_of_could_not_process():
    from sitetools.problems import Problem, ProblemCollector

    collector = ProblemCollector()
    logger = logging.getLogger("pelican.generators.test")
    logger.addHandler(collector)
    try:
        logger.error("Unable to find 'x.md', skipping url replacement.")
        logger.error("Could not process %s", "beitraege/kaputt.md")
        logger.error("Could not process %s", "beitraege/unklar.md")
    finally:
        logger.removeHandler(collector)
    assert set(collector.unprocessed) == {"beitraege/kaputt.md", "beitraege/unklar.md"}

    collector.explain("beitraege/kaputt.md", [Problem("beitraege/kaputt.md:2: Datum falsch."),
                                              Problem("beitraege/kaputt.md:9: Bild ohne Alt.")])
    collector.explain("beitraege/unklar.md", [])  # nothing found: the bare report stays
    assert [str(p).split(" (Zeile")[0] for p in collector.problems] == [
        "Ein Verweis zeigt auf „x.md“, aber diese Datei gibt es nicht.",
        "beitraege/kaputt.md:2: Datum falsch.", "beitraege/kaputt.md:9: Bild ohne Alt.",
        "beitraege/unklar.md: Datei konnte nicht verarbeitet werden: "]
