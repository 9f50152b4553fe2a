"""Benchmark: this project's publish build against plain Pelican on the same posts.

    python3 make.py bench [--posts 1000] [--groups 1000] [--runs 3] [--markdown]

Generates N realistic German posts (about 5 KB of Markdown each) and a table of M groups
(bench/make_groups.py) into a temporary folder. Each run then measures, per variant:

- the full build, with the output folder, its spare (.spare-<name>) and the cache moved
  out of the way first (deleted when the bench ends: see move_out_of_the_way);
- the rebuild after one post changed, with the cache kept (no spare yet: the full build had
  no output to replace);
- the rebuild after another post changed, which writes into the spare
  (sitetools/staging.py), as every later rebuild of an editor does;
- the rebuild without any change: the same command once more. Our publish command skips the
  build when nothing changed since the last one (sitetools/publish.py; we never pass
  --force). Plain Pelican has no such skip and simply builds again.

For each build: wall time, CPU time (user + sys; the sys part on its own too, since it grows
when the machine is busy from outside) and peak memory (max RSS). Both come from os.wait4, so
they include the processes the build waited for, such as Pagefind. Besides, the
search index figures our build prints ("Suchindex: …") and the size of the output folder.

Plain Pelican 4.12 builds the same posts with quickstart's defaults (default theme, no
plugins, feeds as in quickstart's publishconf); "plain-cached" is the same with Pelican's
content cache on (CACHE_CONTENT, LOAD_CONTENT_CACHE), its own path for rebuilds. Every ratio
is against plain Pelican without the cache, as the issue asks. Plain Pelican cannot build
the group directory, and that is intended: the question is what our site with posts and
groups costs compared with a plain blog of the same posts. Prints min/median/max of every figure, the ratio of the medians
(ours / plain) and our rebuilds as a share of our own full build, each against the targets of
the issue. --markdown prints the main figures once more as a table for README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = (
    "Gruppe Treffen Angehörige Sucht Alkohol Abend Gespräch Vertrauen Stuhlkreis Hoffnung "
    "Rückfall Erfahrung Kontaktstelle Beratung Gefühl Freundschaft Angst Mut Alltag Arbeit "
    "Familie Kinder Nacht Sorge Zuhören Schweigen Lachen Woche Monat Jahr Weg Schritt Hilfe "
    "Selbsthilfe Gemeinschaft Grenzen Kraft Müdigkeit Schmerzen Diagnose Ärztin Klinik Therapie "
    "Ruhe Tee Raum Tür Stimme Geschichte Zukunft Frühling Winter Sommer Herbst Ärger Freude"
).split()
VERBS = "erzählt hört lernt findet braucht teilt sucht schreibt versteht trägt hofft".split()
TAGS = ("Sucht Alkohol Angehörige Depression Angst Trauer Diabetes Rückfall Burnout "
        "Erstes-Treffen Online-Gruppe Gruppengründung Selbstfürsorge Schmerzen").split()
AUTHORS = [f"{name}, Gruppe {group}" for name in ("Franky", "Sabine K.", "M.", "Jo", "Aylin")
           for group in ("Lichtblick", "Atempause", "Weitblick", "Zwischenraum")]

PLAIN_PELICAN_SETTINGS = """
AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = "https://www.selbsthilfe-beispielstadt.example"
PATH = "content"
TIMEZONE = "Europe/Berlin"
DEFAULT_LANG = "de"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = 10
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
ARTICLE_PATHS = ["beitraege"]
PAGE_PATHS = ["seiten"]
STATIC_PATHS = ["bilder"]
"""
# Plain Pelican's own incremental path: its content cache (reader output per file, checked
# by modification time). It still renders and writes every page; the cache folder is the one
# measure_run moves aside before each full build.
PLAIN_PELICAN_CACHE_SETTINGS = """
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = {cache_path!r}
"""


def sentence(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(6, 14))
    words.insert(rng.randint(1, len(words) - 1), rng.choice(VERBS))
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", " …"])


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def post_text(number: int, rng: random.Random) -> str:
    day = 1 + number % 28
    month = 1 + (number // 28) % 12
    year = 2018 + number // 336
    tags = ", ".join(rng.sample(TAGS, 3))
    body = []
    for section in range(rng.randint(3, 5)):
        body.append(f"## {sentence(rng).rstrip('.?… ')}")
        body += [paragraph(rng) for _ in range(rng.randint(2, 3))]
        if section == 1:
            body.append("\n".join(f"- {sentence(rng)}" for _ in range(3)))
            body.append(f"> {sentence(rng)}")
    body.append(f"Ein Satz mit Fußnote.[^1]\n\n[^1]: {sentence(rng)}")
    return (
        f"Title: Bericht {number}: {sentence(rng).rstrip('.?… ')}\n"
        f"Date: {year}-{month:02d}-{day:02d} {number % 24:02d}:00\n"
        f"Category: {'Erfahrungsberichte' if number % 3 else 'Gastbeiträge'}\n"
        f"Tags: {tags}\nAuthor: {rng.choice(AUTHORS)}\nSummary: {sentence(rng)}\n\n"
        + "\n\n".join(body) + "\n"
    )


def generate_content(target: Path, posts: int, groups: int) -> None:
    rng = random.Random(20261124)
    shutil.copytree(ROOT / "content", target, ignore=shutil.ignore_patterns("beitraege",
                                                                          "gruppen.csv"))
    (target / "beitraege").mkdir()
    for number in range(posts):
        (target / "beitraege" / f"bericht-{number:05d}.md").write_text(
            post_text(number, rng), encoding="utf-8")
    if groups:
        from bench.make_groups import write_groups  # written with the group directory

        write_groups(target / "gruppen" / "gruppen.csv", groups)


# What each build phase is called in the output, in the order a run performs them.
PHASES = {"full": "Vollbau", "rebuild": "Nach 1 Änderung",
          "rebuild_again": "Nach weiterer Änderung", "unchanged": "Ohne Änderung"}

# Targets from the issue: rebuilds as a share of our own full build, full build against plain.
TARGET_REBUILD_SHARE = 0.20
TARGET_UNCHANGED_SHARE = 0.10
TARGET_FULL_RATIO = 1.3

# What sitetools/publish.py prints when it skipped the build because nothing changed.
SKIP_MESSAGE = "Seit dem letzten Bauen hat sich nichts geändert"

# The line plugins/offline_search prints after indexing, e.g. "Suchindex: 1937 Seiten in
# 3.3 s, 3.6 MB in 1981 Dateien (Pagefind 1.5.2, Speicher höchstens 187 MiB)."
# Decimal commas are accepted too, in case the plugin ever formats numbers the German way.
SEARCH_INDEX_LINE = re.compile(
    r"Suchindex: (?P<pages>\d+) Seiten in (?P<seconds>[\d.,]+) s, "
    r"(?P<megabytes>[\d.,]+) MB in (?P<files>\d+) Dateien "
    r"\(Pagefind [^,]*, Speicher höchstens (?P<peak_mib>[\d.,]+) MiB\)")


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    peak_mib: float
    stdout: str = ""
    #: of cpu_seconds, the time the kernel worked for the build; it varies with the machine's
    #: load (page faults, file system) and shows when a run was slowed down from outside
    system_seconds: float = 0.0


@dataclass(frozen=True)
class SearchIndex:
    pages: int
    seconds: float
    megabytes: float
    files: int
    peak_mib: float


@dataclass
class Measurements:
    """Everything measured for one variant, one entry per run."""

    runs: dict[str, list[Run]] = field(default_factory=lambda: {phase: [] for phase in PHASES})
    # Only from runs whose full build printed the line: plain Pelican never does.
    search_indexes: list[SearchIndex] = field(default_factory=list)
    output_mib: list[float] = field(default_factory=list)
    skipped_unchanged: int = 0


def parse_search_index(stdout: str) -> SearchIndex | None:
    """The figures of offline_search's summary line in `stdout`; None if there is none."""
    match = SEARCH_INDEX_LINE.search(stdout)
    if match is None:
        return None

    def number(name: str) -> float:
        return float(match[name].replace(",", "."))

    return SearchIndex(pages=int(match["pages"]), seconds=number("seconds"),
                       megabytes=number("megabytes"), files=int(match["files"]),
                       peak_mib=number("peak_mib"))


def measure(command: list[str], cwd: Path) -> Run:
    """Run one build; wall time, CPU time and peak memory of that process and its children."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    # Both streams go to files: a pipe nobody reads while we wait would fill up and block.
    with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        # wait4 reaped the child behind Popen's back; tell it, or it warns "still running".
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"build failed: {' '.join(command)}\n{errors.read().decode()}")
        output.seek(0)
        stdout = output.read().decode(errors="replace")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout,
               usage.ru_stime)


def folder_size_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def ours(content: Path, output: Path, **settings) -> list[str]:
    settings = {"CACHE_PATH": str(content.parent / "cache"), **settings}  # cleared per run
    # Deliberately without --force: the no-change rebuild must exercise publish's skip.
    command = [sys.executable, "-m", "sitetools.publish",
               "--settings", str(ROOT / "publishconf.py"),
               "--content", str(content), "--output", str(output)]
    for name, value in settings.items():
        command += ["--set", f"{name}={json.dumps(value)}"]
    return command


def plain(content: Path, output: Path, settings: Path) -> list[str]:
    return [sys.executable, "-m", "pelican", str(content), "-s", str(settings), "-o", str(output),
            "-q"]


def without_sanitiser() -> list[str]:
    """Our plugins minus post_sanitizer: only to measure what sanitising costs."""
    import pelicanconf

    return [name for name in pelicanconf.PLUGINS if name != "post_sanitizer"]


CACHED_SETTINGS_FILE = "plaincachedconf.py"  # beside plainconf.py: write_plain_settings

# What each variant builds; "ours" is what the targets are about, "plain" the reference for
# every ratio, so both are always measured.
VARIANTS = {
    "ours": lambda content, out, plain_settings: ours(content, out),
    "plain": lambda content, out, plain_settings: plain(content, out, plain_settings),
    "plain-cached": lambda content, out, plain_settings: plain(
        content, out, plain_settings.with_name(CACHED_SETTINGS_FILE)),
    "ours-nh3": lambda content, out, plain_settings: ours(
        content, out, POST_SANITIZER_BACKEND="nh3"),
    "ours-unsanitised": lambda content, out, plain_settings: ours(
        content, out, PLUGINS=without_sanitiser()),
}
LABELS = {"ours": "dieses Projekt", "plain": "Pelican pur",
          "plain-cached": "Pelican pur mit Cache", "ours-nh3": "mit nh3",
          "ours-unsanitised": "ohne Bereinigung"}


def write_plain_settings(work: Path) -> Path:
    """Plain Pelican's settings file, and beside it the one with its content cache, which
    lives where measure_run moves the cache aside before each full build."""
    plain_settings = work / "plainconf.py"
    plain_settings.write_text(PLAIN_PELICAN_SETTINGS, encoding="utf-8")
    plain_settings.with_name(CACHED_SETTINGS_FILE).write_text(
        PLAIN_PELICAN_SETTINGS + PLAIN_PELICAN_CACHE_SETTINGS.format(
            cache_path=str(work / "cache")), encoding="utf-8")
    return plain_settings


def touch_one_post(content: Path, round_number: int, again: bool = False) -> None:
    post = content / "beitraege" / ("bericht-00011.md" if again else "bericht-00007.md")
    post.write_text(post.read_text(encoding="utf-8") + f"\nNachtrag {round_number}.\n",
                    encoding="utf-8")


# Where the previous run's output, spare and cache go; removed only when the bench ends.
TRASH = "beiseite"


def move_out_of_the_way(folder: Path, trash: Path) -> None:
    """Move `folder` into `trash` instead of deleting it. Deleting the last run's 10,000 and
    more files right before a build slowed that build by about a second here: ext4 without
    a journal (this machine's disk) skips every inode deleted in the last minutes when it
    allocates a new one. That would measure the bench's cleaning up, not the build."""
    if folder.exists():
        trash.mkdir(exist_ok=True)
        folder.rename(trash / f"{len(list(trash.iterdir()))}-{folder.name}")


def measure_run(command: list[str], work: Path, output: Path, content: Path,
                round_number: int, measurements: Measurements) -> None:
    """Full build, rebuild after one change, rebuild without change, in this order: each
    phase starts from the output and cache the previous one left behind."""
    # A full build starts from nothing: without the output before last, too.
    for folder in (output, work / "cache", output.parent / f".spare-{output.name}"):
        move_out_of_the_way(folder, work / TRASH)
    full = measure(command, work)
    measurements.runs["full"].append(full)
    search_index = parse_search_index(full.stdout)
    if search_index:
        measurements.search_indexes.append(search_index)
    measurements.output_mib.append(folder_size_mib(output))

    touch_one_post(content, round_number)
    measurements.runs["rebuild"].append(measure(command, work))
    # Editors change one post after another: from the second rebuild on, publish writes
    # into the output before last (sitetools/staging.py), which the first one cannot.
    touch_one_post(content, round_number, again=True)
    measurements.runs["rebuild_again"].append(measure(command, work))

    unchanged = measure(command, work)
    measurements.runs["unchanged"].append(unchanged)
    if SKIP_MESSAGE in unchanged.stdout:
        measurements.skipped_unchanged += 1


def file_system_of(path: Path) -> str:
    """The type of the file system `path` is on ("ext4", "tmpfs"), from /proc/mounts; "?"
    where there is none. Creating files costs very different amounts on each (README.md)."""
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return "?"
    best, kind = "", "?"
    resolved = str(path.resolve())
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), fields[1])
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def chosen_variants(parser: argparse.ArgumentParser, names: str) -> list[str]:
    variants = list(dict.fromkeys(name.strip() for name in names.split(",") if name.strip()))
    unknown = [name for name in variants if name not in VARIANTS]
    if unknown:
        parser.error(f"unbekannte Variante(n): {', '.join(unknown)}")
    if "ours" not in variants:
        variants.insert(0, "ours")
    if "plain" not in variants:
        variants.append("plain")
    return variants


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variants", default="ours,plain,plain-cached",
                        help=f"comma-separated, from: {', '.join(VARIANTS)} "
                             "(ours and plain are always measured)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where the generated site and the builds go (default: the "
                             "system's temporary folder); e.g. /dev/shm to measure without "
                             "the disk's file system, see bench/README.md")
    parser.add_argument("--markdown", action="store_true",
                        help="also print the main figures as a Markdown table for README.md")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs muss mindestens 1 sein")
    if args.work_dir is not None and not args.work_dir.is_dir():
        parser.error(f"--work-dir {args.work_dir}: Ordner gibt es nicht")
    if args.posts < 8:
        parser.error("--posts muss mindestens 8 sein (Beitrag 7 wird für den Neubau geändert)")
    variants = chosen_variants(parser, args.variants)

    work = Path(tempfile.mkdtemp(prefix="bench-", dir=args.work_dir))
    args.file_system = file_system_of(work)
    try:
        progress(f"Erzeuge {args.posts} Beiträge und {args.groups} Gruppen …")
        content = work / "content"
        generate_content(content, args.posts, args.groups)
        plain_settings = write_plain_settings(work)
        measurements = {name: Measurements() for name in variants}
        for round_number in range(args.runs):
            # Paired runs, rotating who goes first, so drift in machine load hits all alike.
            shift = round_number % len(variants)
            for name in variants[shift:] + variants[:shift]:
                progress(f"Lauf {round_number + 1}/{args.runs}: {LABELS[name]} …")
                output = work / f"out-{name}"
                command = VARIANTS[name](content, output, plain_settings)
                measure_run(command, work, output, content, round_number, measurements[name])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print_table(args, variants, measurements)
    print("\nZiele (Mediane):")
    for line in target_lines(args.runs, measurements):
        print(f"  {line}")
    if args.markdown:
        print_markdown(args, measurements)
    return 0


def progress(message: str) -> None:
    # On stderr, so that stdout holds only the results (and the Markdown table).
    print(message, file=sys.stderr, flush=True)


# --- Reporting ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    """One row of the results: a label and how to get its values (one per run) per variant."""

    label: str
    unit: str
    values: Callable[[Measurements], list[float]]
    digits: int = 1


# Attribute of Run -> (label, unit).
RUN_QUANTITIES = {"seconds": ("Zeit", "s"), "cpu_seconds": ("CPU-Zeit", "s"),
                  "system_seconds": ("davon Systemzeit", "s"),
                  "peak_mib": ("Spitzenspeicher", "MiB")}


def run_figure(phase: str, attribute: str) -> Figure:
    label, unit = RUN_QUANTITIES[attribute]
    return Figure(f"{PHASES[phase]}: {label}", unit,
                  lambda m: [getattr(run, attribute) for run in m.runs[phase]])


def search_figure(label: str, unit: str, attribute: str, digits: int = 1) -> Figure:
    return Figure(f"Suchindex: {label}", unit,
                  lambda m: [getattr(index, attribute) for index in m.search_indexes], digits)


FIGURES = {figure.label: figure for figure in [
    *(run_figure(phase, attribute) for phase in PHASES for attribute in RUN_QUANTITIES),
    search_figure("Seiten", "", "pages", digits=0),
    search_figure("Zeit", "s", "seconds"),
    search_figure("Größe", "MB", "megabytes"),
    search_figure("Spitzenspeicher", "MiB", "peak_mib", digits=0),
    Figure("Ausgabe", "MiB", lambda m: m.output_mib),
]}
# The rows worth keeping in README.md; the console table shows every figure.
MARKDOWN_FIGURES = [
    "Vollbau: Zeit", "Vollbau: CPU-Zeit", "Vollbau: davon Systemzeit", "Nach 1 Änderung: Zeit",
    "Nach 1 Änderung: CPU-Zeit", "Nach weiterer Änderung: Zeit",
    "Nach weiterer Änderung: CPU-Zeit", "Ohne Änderung: Zeit", "Vollbau: Spitzenspeicher",
    "Suchindex: Seiten", "Suchindex: Zeit", "Suchindex: Größe", "Suchindex: Spitzenspeicher",
    "Ausgabe",
]


def summary(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def median_or_none(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def format_triple(values: list[float], unit: str, digits: int = 1, separator: str = "/") -> str:
    """min/median/max, or one number if all three look alike; "–" if nothing was measured."""
    if not values:
        return "–"
    shown = [f"{value:.{digits}f}" for value in summary(values)]
    numbers = shown[0] if len(set(shown)) == 1 else separator.join(shown)
    return f"{numbers} {unit}".rstrip()


def format_ratio(figure: Figure, measurements: Measurements, reference: Measurements) -> str:
    subject, base = median_or_none(figure.values(measurements)), median_or_none(
        figure.values(reference))
    if subject is None or not base:
        return "–"
    return f"{subject / base:.2f}×"


def print_table(args, variants: list[str], measurements: dict[str, Measurements]) -> None:
    print(f"\n{args.posts} Beiträge, {args.groups} Gruppen (Pelican pur baut nur die Beiträge), "
          f"{args.runs} Läufe (min/Median/max; Verhältnis: Median geteilt durch Pelican pur); "
          f"Dateisystem: {getattr(args, 'file_system', '?')}\n")
    reference = measurements["plain"]
    rows = [[figure.label] + [
        cell_with_ratio(figure, measurements[v], reference) for v in variants]
        for figure in FIGURES.values()]
    header = ["Messgröße"] + [LABELS[v] for v in variants]
    label_width = max(len(row[0]) for row in [header, *rows]) + 2
    cell_width = max(len(cell) for row in [header, *rows] for cell in row[1:]) + 3
    for row in [header, *rows]:
        print(f"{row[0]:{label_width}}" + "".join(f"{cell:>{cell_width}}" for cell in row[1:]))


def cell_with_ratio(figure: Figure, measurements: Measurements,
                    reference: Measurements) -> str:
    values = figure.values(measurements)
    if not values:
        return "–"
    return (f"{format_triple(values, figure.unit, figure.digits)} "
            f"({format_ratio(figure, measurements, reference)})")


def target_lines(runs: int, measurements: dict[str, Measurements]) -> list[str]:
    """Our rebuilds as a share of our own full build, and our full build against plain's."""
    own, reference = measurements["ours"], measurements["plain"]
    full = statistics.median(run.seconds for run in own.runs["full"])
    plain_full = statistics.median(run.seconds for run in reference.runs["full"])
    lines = []
    for phase, target in (("rebuild", TARGET_REBUILD_SHARE),
                          ("rebuild_again", TARGET_REBUILD_SHARE),
                          ("unchanged", TARGET_UNCHANGED_SHARE)):
        share = statistics.median(run.seconds for run in own.runs[phase]) / full
        lines.append(f"{PHASES[phase]}: {percent(share)} des eigenen Vollbaus "
                     f"(Ziel ≤ {percent(target)}) – {verdict(share <= target)}")
    ratio = full / plain_full
    lines.append(f"Vollbau: {ratio:.2f}× so lang wie Pelican pur (Ziel ≤ {TARGET_FULL_RATIO}×) "
                 f"– {verdict(ratio <= TARGET_FULL_RATIO)}")
    if own.skipped_unchanged < runs:
        # Then "Ohne Änderung" measured a full rebuild, not the skip the target is about.
        lines.append(f"Achtung: Ohne Änderung hat dieses Projekt in "
                     f"{runs - own.skipped_unchanged} von {runs} Läufen trotzdem neu gebaut "
                     "(hat sich während der Messung etwas in plugins/, theme/ oder "
                     "sitetools/ geändert?).")
    return lines


def percent(share: float) -> str:
    return f"{share * 100:.0f} %"  # German style: a space before the percent sign


def verdict(reached: bool) -> str:
    return "erreicht" if reached else "verfehlt"


def print_markdown(args, measurements: dict[str, Measurements]) -> None:
    own, reference = measurements["ours"], measurements["plain"]
    others = [name for name in measurements if name not in ("ours", "plain")]
    print(f"\nMarkdown für README.md:\n\n"
          f"{args.posts} Beiträge und {args.groups} Gruppen (Pelican pur baut nur die "
          f"Beiträge), {args.runs} Läufe; Python {platform.python_version()}, "
          f"{platform.system()}, {os.cpu_count()} Prozessorkerne, Dateisystem "
          f"{getattr(args, 'file_system', '?')}. Eine einzelne Zahl: alle Läufe gleich.\n")
    columns = ["ours", "plain", *others]
    print("| Messgröße | " + " | ".join(f"{LABELS[name]} (min/Median/max)" for name in columns)
          + " | Verhältnis dieses Projekt / Pelican pur (Median) |")
    print("|---|" + "---:|" * (len(columns) + 1))
    for label in MARKDOWN_FIGURES:
        figure = FIGURES[label]
        cells = [format_triple(figure.values(measurements[name]), figure.unit, figure.digits,
                               separator=" / ") for name in columns]
        print(f"| {label} | {' | '.join(cells)} | {format_ratio(figure, own, reference)} |")
    print()
    for line in target_lines(args.runs, measurements):
        print(f"- {line}")


if __name__ == "__main__":
    sys.exit(main())
