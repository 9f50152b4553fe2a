"""`python -m sitetools.check_post FILE…`: an editor checks a submitted post without a build."""

from __future__ import annotations

import os
import subprocess
import sys

from sitetools import check_post
from tests.conftest import ROOT

GOOD = """Title: Mein erstes Treffen
Date: 2026-03-14 10:00
Category: Erfahrungsberichte
Tags: Sucht, Mut
Author: Franky, Gruppe Lichtblick
Summary: Zwei Jahre habe ich gezögert.

Ich stand zehn Minuten vor der Tür. „Komm rein“, sagte er.

![Stuhlkreis im Gemeindehaus]({static}/bilder/stuhlkreis.jpg)
"""

ONLY_NOTES = """Title: Unser Film
Date: 2026-03-14 10:00
Category: Gastbeiträge
Author: Gruppe Atempause

Hier ist unser Film:

<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>
<script>alert(1)</script>
"""

PROBLEMS = """Title: <b>Alles</b> falsch
Date: gestern Abend
Category: Sonstiges
Save_as: index.html
Slug: startseite
Status: hidden
Author: Kim

Ein Bild ohne Beschreibung: ![](https://cdn.example/a.jpg)

<img src="{static}/bilder/stuhlkreis.jpg">

Und [eine Datei]({static}/../../etc/passwd).

<iframe src="https://video.example/x"></iframe>
"""

NO_TITLE_NO_DATE = """Category: Erfahrungsberichte
Author: Kim

Nur Text.
"""


def run(capsys, *paths) -> tuple[int, list[str]]:
    status = check_post.main([str(p) for p in paths])
    return status, capsys.readouterr().out.splitlines()


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_post_is_in_order(tmp_path, capsys):
    path = write(tmp_path, "gut.md", GOOD)
    status, lines = run(capsys, path)
    assert status == 0
    assert lines[0].endswith("gut.md: in Ordnung.")
    assert lines[-1] == "0 Problem(e), 0 Hinweis(e). Die Beiträge können so veröffentlicht werden."


def test_notes_alone_do_not_fail(tmp_path, capsys):
    path = write(tmp_path, "film.md", ONLY_NOTES)
    status, lines = run(capsys, path)
    assert status == 0
    shown = str(path)
    assert lines[:2] == [
        f"{shown}:8: Hinweis: <iframe> durch einen Link ersetzt – externe Inhalte werden nicht "
        "eingebunden",
        f"{shown}:9: Hinweis: <script> entfernt – Skripte sind in Beiträgen nicht erlaubt",
    ]
    assert lines[-1].startswith("0 Problem(e), 2 Hinweis(e).")


def test_every_problem_is_named_with_its_line(tmp_path, capsys):
    path = write(tmp_path, "falsch.md", PROBLEMS)
    status, lines = run(capsys, path)
    assert status == 1
    shown = str(path)
    expected_problems = [
        f"{shown}:2: Problem: „Date: gestern Abend“ ist kein gültiges Datum (Beispiel: "
        "2026-03-14 10:00).",
        f"{shown}:3: Problem: Kategorie „Sonstiges“ gibt es nicht; erlaubt: Erfahrungsberichte, "
        "Gastbeiträge.",
        f"{shown}:4: Problem: Angabe „Save_as:“ entfernt – eingesandte Beiträge dürfen nicht "
        "festlegen, wohin sie geschrieben werden",
        f"{shown}:5: Problem: Angabe „Slug:“ entfernt – die Adresse eines Beitrags ergibt sich "
        "aus dem Dateinamen",
        f"{shown}:6: Problem: Status „hidden“ nicht erlaubt – der Beitrag bleibt ein Entwurf "
        "(draft)",
        f"{shown}:9: Problem: Bild ohne Alternativtext: bitte beschreiben, was zu sehen ist "
        "(![Beschreibung](…) oder alt=\"…\"); ein rein schmückendes Bild: ![(dekorativ)](…).",
        f"{shown}:11: Problem: Bild ohne Alternativtext: bitte beschreiben, was zu sehen ist "
        "(![Beschreibung](…) oder alt=\"…\"); ein rein schmückendes Bild: ![(dekorativ)](…).",
        f"{shown}:13: Problem: Verweis „{{static}}/../../etc/passwd“ zeigt aus dem "
        "Inhaltsordner heraus; er wurde durch „#“ ersetzt. Verweise mit {static}, {attach} "
        "und {filename} dürfen nur auf Dateien im Inhaltsordner zeigen.",
    ]
    for line in expected_problems:
        assert line in lines, line
    assert f"{shown}:1: Hinweis: Titel: HTML und Steuerzeichen entfernt – hier ist nur reiner " \
           "Text erlaubt" in lines
    assert f"{shown}:9: Hinweis: <img> durch einen Link ersetzt – Bilder von fremden Servern " \
           "werden nicht geladen (Datenschutz der Lesenden)" in lines
    assert f"{shown}:15: Hinweis: <iframe> durch einen Link ersetzt – externe Inhalte werden " \
           "nicht eingebunden" in lines
    problems = [line for line in lines if ": Problem: " in line]
    assert len(problems) == len(expected_problems)
    assert lines.index(expected_problems[0]) < lines.index(problems[-1])  # problems first
    assert lines[-1] == (f"{len(problems)} Problem(e), 3 Hinweis(e). Bitte die Probleme "
                         "beheben und die Datei noch einmal prüfen.")


def test_missing_title_and_date_and_missing_file(tmp_path, capsys):
    path = write(tmp_path, "leer.md", NO_TITLE_NO_DATE)
    status, lines = run(capsys, path, tmp_path / "gibt-es-nicht.md")
    assert status == 1
    assert f"{path}:1: Problem: Pflichtangabe „Title:“ fehlt." in lines
    assert f"{path}:1: Problem: Pflichtangabe „Date:“ fehlt." in lines
    assert f"{tmp_path / 'gibt-es-nicht.md'}: Problem: Datei nicht gefunden." in lines


def test_a_trusted_page_is_only_checked_for_path_escapes(capsys):
    status, lines = run(capsys, ROOT / "content" / "seiten" / "kontakt.md")
    assert status == 0
    assert lines[0] == ("content/seiten/kontakt.md: Hinweis: Die Datei liegt in einem "
                        "vertrauenswürdigen Ordner und wird beim Bauen nicht bereinigt.")


def test_the_command_line_runs_without_a_build(tmp_path):
    path = write(tmp_path, "falsch.md", PROBLEMS)
    result = subprocess.run(
        [sys.executable, "-m", "sitetools.check_post", str(path)], cwd=ROOT, text=True,
        capture_output=True, timeout=120, check=False,
        env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1"))
    assert result.returncode == 1
    assert "Problem: Kategorie „Sonstiges“ gibt es nicht" in result.stdout
    assert not (tmp_path / "output").exists()
