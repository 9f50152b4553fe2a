"""Check submitted posts without building the site.

    python -m sitetools.check_post [--settings pelicanconf.py] FILE...
    python3 make.py check FILE...

Reads each Markdown file with Pelican's MarkdownReader and the site's settings, applies the
same cleaning as the build (plugins/post_sanitizer) and prints, per file and line, in German:

- problems the author must fix: missing or invalid title/date, images without alt text,
  metadata that is not allowed, an unknown category, links that leave the content folder;
- notes: what the build will remove or replace (scripts, embeds, external images, …).

Exit status 1 if any file has a problem, 0 if there are only notes (or nothing at all).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Finding:
    line: int | None
    message: str
    problem: bool

    def render(self, path: str) -> str:
        kind = "Problem" if self.problem else "Hinweis"
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {kind}: {self.message}"


def load_settings(settings_file: str) -> dict:
    from pelican.settings import read_settings  # noqa: PLC0415 - keeps --help dependency-free

    settings = read_settings(settings_file)
    for folder in settings.get("PLUGIN_PATHS", []):
        path = str((Path(settings_file).resolve().parent / folder).resolve())
        if path not in sys.path:
            sys.path.insert(0, path)
    return settings


def make_reader(settings: dict):
    """Pelican's MarkdownReader, but an invalid date is recorded instead of raised."""
    from pelican.readers import MarkdownReader  # noqa: PLC0415

    class CheckingReader(MarkdownReader):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.invalid: dict[str, str] = {}

        def process_metadata(self, name, value):
            try:
                return super().process_metadata(name, value)
            except (ValueError, OverflowError):
                self.invalid[name] = value
                return value

    return CheckingReader(settings)


def shown(path: Path) -> str:
    relative = os.path.relpath(path.resolve(), Path.cwd())
    return str(path) if relative.startswith("..") else relative


def check_file(path: Path, settings: dict) -> list[Finding]:
    """Everything worth telling about one submitted post."""
    from post_sanitizer import plugin as glue  # noqa: PLC0415 - found via PLUGIN_PATHS
    from post_sanitizer.defaults import setting  # noqa: PLC0415
    from post_sanitizer.metadata import sanitize_metadata  # noqa: PLC0415
    from post_sanitizer.paths import neutralise_path_escapes  # noqa: PLC0415
    from post_sanitizer.policy import clean_body_html  # noqa: PLC0415
    from post_sanitizer.report import LineFinder, metadata_line, read_source  # noqa: PLC0415

    if not path.is_file():
        return [Finding(None, "Datei nicht gefunden.", True)]
    text = read_source(path)
    reader = make_reader(settings)
    try:
        content, metadata = reader.read(str(path))
    except (OSError, ValueError) as error:  # unreadable, not UTF-8, broken metadata
        return [Finding(None, f"Datei konnte nicht gelesen werden: {error}", True)]

    def at(key: str) -> int | None:
        return metadata_line(text, key)

    findings: list[Finding] = []
    for key, value in reader.invalid.items():
        findings.append(Finding(at(key), f"„{key.capitalize()}: {value}“ ist kein gültiges "
                                         "Datum (Beispiel: 2026-03-14 10:00).", True))
        metadata.pop(key, None)
    root = Path(settings["PATH"])
    inside = path.resolve().is_relative_to(root.resolve())
    is_trusted = inside and glue.trusted(settings, str(path))
    required = (("title", "Title"),) if is_trusted else (("title", "Title"), ("date", "Date"))
    for key, name in required:  # pages (trusted) need no date
        if key not in metadata and key not in reader.invalid:
            findings.append(Finding(1, f"Pflichtangabe „{name}:“ fehlt.", True))

    folder = (os.path.dirname(os.path.relpath(path.resolve(), root.resolve())) if inside
              else (settings.get("ARTICLE_PATHS") or [""])[0])  # where it will be published
    finder = LineFinder(text)
    published = glue.published_folders(settings)
    content, escapes = neutralise_path_escapes(content or "", folder, root,
                                               static_folders=published)
    summary, summary_escapes = neutralise_path_escapes(str(metadata.get("summary", "")),
                                                       folder, root, static_folders=published)
    for escape in escapes:
        line = finder.line_for((escape.written, "{" + escape.kind + "}"))
        findings.append(Finding(line, escape.message(), True))
    findings += [Finding(at("summary"), e.message(), True) for e in summary_escapes]

    if is_trusted:
        findings.append(Finding(None, "Die Datei liegt in einem vertrauenswürdigen Ordner und "
                                      "wird beim Bauen nicht bereinigt.", False))
        return findings

    from image_variants.markup import missing_alt_texts  # noqa: PLC0415 - the build's rule

    for line, _src in missing_alt_texts(text):
        findings.append(Finding(line, "Bild ohne Alternativtext: bitte beschreiben, was zu "
                                      "sehen ist (![Beschreibung](…) oder alt=\"…\"); ein "
                                      "rein schmückendes Bild: ![(dekorativ)](…).", True))

    if "summary" in metadata:
        metadata["summary"] = summary
    rules = glue.metadata_rules(settings)
    for note in sanitize_metadata(metadata, tuple(metadata), rules):
        findings.append(Finding(at(note.key) or 1, note.message, note.problem))

    categories = setting(settings, "POST_SANITIZER_CATEGORIES")
    category = metadata.get("category")
    if category is None:
        findings.append(Finding(1, "Pflichtangabe „Category:“ fehlt (erlaubt: "
                                   f"{', '.join(categories)}).", True))
    elif str(category) not in categories:
        findings.append(Finding(at("category"), f"Kategorie „{category}“ gibt es nicht; "
                                                f"erlaubt: {', '.join(categories)}.", True))

    result = clean_body_html(content, site_host=rules.site_host, backend=rules.backend,
                             image_paths=rules.image_paths)
    for removal in result.removals:
        findings.append(Finding(finder.line_for(removal.needles), str(removal), False))
    # As the build does: cleaning may turn an encoded or unquoted target into a real link.
    _, hidden_escapes = neutralise_path_escapes(result.html, folder, root,
                                                static_folders=published)
    for escape in hidden_escapes:
        line = finder.line_for((escape.written, "static", "attach", "filename"))
        findings.append(Finding(line, escape.message(), True))
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", default=str(ROOT / "pelicanconf.py"))
    parser.add_argument("files", nargs="+", metavar="DATEI")
    args = parser.parse_args(argv)

    settings = load_settings(args.settings)
    from post_sanitizer.plugin import settings_problems  # noqa: PLC0415 - needs PLUGIN_PATHS

    problems = notes = 0
    for problem in settings_problems(settings):
        print(f"Problem: {problem}")
        problems += 1
    for name in args.files:
        path = Path(name)
        findings = sorted(check_file(path, settings),
                          key=lambda f: (not f.problem, f.line or 0))
        for finding in findings:
            print(finding.render(shown(path)))
        file_problems = sum(f.problem for f in findings)
        problems += file_problems
        notes += len(findings) - file_problems
        if not findings:
            print(f"{shown(path)}: in Ordnung.")
    print(f"\n{problems} Problem(e), {notes} Hinweis(e).", end=" ")
    if problems:
        print("Bitte die Probleme beheben und die Datei noch einmal prüfen.")
        return 1
    print("Die Beiträge können so veröffentlicht werden." if notes == 0 else
          "Die Hinweise zeigen, was beim Veröffentlichen automatisch entfernt wird.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
