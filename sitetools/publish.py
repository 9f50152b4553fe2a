"""Publish the site atomically: build into a temporary folder, swap it in only on success.

    python -m sitetools.publish [--settings publishconf.py] [--output output]

A failed build leaves the previous output folder untouched, prints every problem of the run
in German and exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from datetime import date
from pathlib import Path

from sitetools import staging, unchanged
from sitetools.problems import Problem, ProblemCollector


class PublishFailed(Exception):
    """The build found problems; the previous site stays as it was."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} Problem(e)")
        self.problems = problems


def describe_exception(error: BaseException) -> list[Problem]:
    """Turn an exception from a build into problems an editor can act on."""
    problems = getattr(error, "problems", None)
    if problems:
        return [Problem(str(p)) for p in problems]
    lineno = getattr(error, "lineno", None)
    filename = getattr(error, "filename", None) or getattr(error, "name", None)
    if lineno and filename:  # Jinja's TemplateSyntaxError and friends
        return [Problem(f"{filename}:{lineno}: Fehler in der Vorlage: {error}")]
    if type(error).__module__.startswith("jinja2"):
        where = template_location(error)
        return [Problem(f"{where}Fehler in der Vorlage: {type(error).__name__}: {error}")]
    return [Problem(f"Unerwarteter Fehler beim Bauen: {type(error).__name__}: {error}")]


def template_location(error: BaseException) -> str:
    """The template file and line from a Jinja runtime error's traceback, if any."""
    for frame, lineno in reversed(list(traceback.walk_tb(error.__traceback__))):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            return f"{filename}:{lineno}: "
    return ""


def read_build_settings(settings_file: str, staging: Path, overrides: dict | None) -> dict:
    # Imported here so `--help` works before the dependencies are installed.
    from pelican.settings import read_settings

    return read_settings(settings_file, override={
        "OUTPUT_PATH": str(staging), "DELETE_OUTPUT_DIRECTORY": False, **(overrides or {}),
    })


def refuse_cache_in_content(settings: dict) -> None:
    """Caches are written during the build; inside content/ they would change the sources."""
    cache = Path(settings.get("CACHE_PATH") or "cache").resolve()
    content = Path(settings["PATH"]).resolve()
    if cache == content or cache.is_relative_to(content):
        raise PublishFailed([Problem(
            f"CACHE_PATH ({cache}) liegt im Inhaltsordner {content}; ein Bau darf die "
            "Quellen nicht verändern. Bitte einen Ordner außerhalb wählen (Standard: cache).")])


def explain_unprocessed(collector: ProblemCollector, settings: dict) -> None:
    """Pelican only says that a file could not be processed (an impossible date, say);
    `make.py check` finds where and why, so its problems with lines replace that report."""
    from sitetools.check_post import check_file  # noqa: PLC0415 - only when a file failed

    for name in list(collector.unprocessed):
        path = Path(name) if os.path.isabs(name) else Path(settings["PATH"]) / name
        try:
            findings = check_file(path, settings)
        except Exception:  # noqa: BLE001 - then Pelican's report (with its reason) stays
            continue
        collector.explain(name, [Problem(f"{name}:{finding.line or 1}: {finding.message}")
                                 for finding in findings if finding.problem])


def build(settings_file: str, output: Path, overrides: dict | None = None,
          force: bool = False) -> bool:
    """Build the site into `output` atomically; False if nothing had changed since the last
    successful build into `output` (which is then already up to date), True otherwise.

    Raises PublishFailed with every problem found; `output` is then left as it was.
    """
    from pelican import Pelican, signals

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging.remove_leftovers(output)
    collector = ProblemCollector()
    root_logger = logging.getLogger()
    root_logger.addHandler(collector)
    written: set[str] = set()

    def remember_written(path, **_) -> None:
        written.add(os.path.normpath(os.path.abspath(path)))

    folder = None
    try:
        folder = staging.new_staging(output)
        spare = staging.take_spare(output, folder)
        settings = read_build_settings(settings_file, folder, overrides)
        refuse_cache_in_content(settings)
        settings_files = sorted(Path(settings_file).resolve().parent.glob("*conf.py"))
        fingerprint = unchanged.input_fingerprint(settings, settings_files, date.today())
        if not force and unchanged.is_unchanged(settings, fingerprint, output):
            if spare is not None:
                staging.keep_as_spare(folder, output)
            else:
                folder.rmdir()  # still empty
            folder = None  # nothing to clean up
            return False
        if spare is not None and not staging.settings_allow_reuse(settings):
            staging.empty_folder(folder, output)
            spare = None
        signals.content_written.connect(remember_written)
        signals.feed_written.connect(remember_written)
        try:
            Pelican(settings).run()
        except Exception as error:  # noqa: BLE001 - every failure must become a report
            collector.problems.extend(describe_exception(error))
        finally:
            signals.content_written.disconnect(remember_written)
            signals.feed_written.disconnect(remember_written)
        explain_unprocessed(collector, settings)
        if spare is not None and not collector.problems:
            spare.sweep(written)
            for path in staging.missing(written):
                collector.problems.append(Problem(
                    f"Interner Fehler: {path} fehlt nach dem Aufräumen. Bitte noch einmal "
                    "bauen; der nächste Bau beginnt mit einem leeren Ordner."))
        if collector.problems:
            raise PublishFailed(collector.problems)
        staging.swap_into_place(folder, output)
        folder = None
        unchanged.remember(settings, fingerprint, output)
    finally:
        root_logger.removeHandler(collector)
        if folder is not None:  # a failed build: its half-written folder is never reused
            staging.discard(folder, output)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", default="publishconf.py")
    parser.add_argument("--output", default="output")
    parser.add_argument("--content", help="content folder instead of the settings' PATH")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=JSON",
                        help="override one setting, value as JSON (for tests and bench/)")
    parser.add_argument("--force", action="store_true",
                        help="build even if nothing changed since the last build")
    args = parser.parse_args(argv)
    overrides = {name: json.loads(value) for name, value in
                 (item.split("=", 1) for item in args.set)}
    if args.content:
        overrides["PATH"] = str(Path(args.content).resolve())

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    print(f"Baue die Website mit {args.settings} …", flush=True)
    try:
        built = build(args.settings, Path(args.output), overrides, force=args.force)
    except PublishFailed as failure:
        print(file=sys.stderr)
        print(f"Die Website wurde NICHT veröffentlicht. {len(failure.problems)} Problem(e) "
              f"gefunden; der bisherige Ordner {args.output}/ ist unverändert:", file=sys.stderr)
        for number, problem in enumerate(failure.problems, 1):
            print(f"  {number}. {problem}", file=sys.stderr)
        return 1
    if not built:
        print(f"Seit dem letzten Bauen hat sich nichts geändert: {args.output}/ ist aktuell. "
              "(Neu bauen trotzdem: --force)")
        return 0
    print(f"Fertig: Die Website liegt vollständig in {args.output}/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
