"""Benchmark: this project's publish build against plain Pelican on the same posts.

    python3 make.py bench [--posts 1000] [--groups 0] [--runs 3]

Generates N realistic German posts (about 5 KB of Markdown each) into a temporary folder, then
measures, each over several runs: the full build, the rebuild after one post changed, peak
memory (max RSS of the build process) and output size. Plain Pelican 4.12 builds the same posts
with quickstart's defaults (default theme, no plugins, feeds as in quickstart's publishconf).
Prints min/median/max of every figure and the ratio of the medians (ours / plain).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    peak_mib: float


def measure(command: list[str], cwd: Path) -> Run:
    """Run one build; wall time, CPU time and peak memory of exactly that process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    # stderr goes to a file: a pipe nobody reads while we wait would fill up and block.
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                   stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"build failed: {' '.join(command)}\n{errors.read().decode()}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def folder_size_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def ours(content: Path, output: Path, **settings) -> list[str]:
    settings = {"CACHE_PATH": str(content.parent / "cache"), **settings}  # cleared per run
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


# What each variant builds; "plain" is the reference for every ratio.
VARIANTS = {
    "ours": lambda content, out, plain_settings: ours(content, out),
    "plain": lambda content, out, plain_settings: plain(content, out, plain_settings),
    "ours-nh3": lambda content, out, plain_settings: ours(
        content, out, POST_SANITIZER_BACKEND="nh3"),
    "ours-unsanitised": lambda content, out, plain_settings: ours(
        content, out, PLUGINS=without_sanitiser()),
}
LABELS = {"ours": "dieses Projekt", "plain": "Pelican pur", "ours-nh3": "mit nh3",
          "ours-unsanitised": "ohne Bereinigung"}


def touch_one_post(content: Path, round_number: int) -> None:
    post = content / "beitraege" / "bericht-00007.md"
    post.write_text(post.read_text(encoding="utf-8") + f"\nNachtrag {round_number}.\n",
                    encoding="utf-8")


def summary(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variants", default="ours,plain",
                        help=f"comma-separated, from: {', '.join(VARIANTS)}")
    args = parser.parse_args(argv)
    variants = args.variants.split(",")
    if "plain" not in variants:
        variants.append("plain")

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        content = work / "content"
        generate_content(content, args.posts, args.groups)
        plain_settings = work / "plainconf.py"
        plain_settings.write_text(PLAIN_PELICAN_SETTINGS, encoding="utf-8")
        results: dict[str, dict[str, list[Run]]] = {name: {"full": [], "rebuild": []}
                                                    for name in variants}
        sizes = {}
        for round_number in range(args.runs):
            # Paired runs, rotating who goes first, so drift in machine load hits all alike.
            shift = round_number % len(variants)
            for name in variants[shift:] + variants[:shift]:
                output = work / f"out-{name}"
                shutil.rmtree(output, ignore_errors=True)
                shutil.rmtree(work / "cache", ignore_errors=True)
                command = VARIANTS[name](content, output, plain_settings)
                results[name]["full"].append(measure(command, work))
                touch_one_post(content, round_number)
                results[name]["rebuild"].append(measure(command, work))
                sizes[name] = folder_size_mib(output)
        print_table(args, variants, results, sizes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def print_table(args, variants, results, sizes) -> None:
    print(f"\n{args.posts} Beiträge, {args.groups} Gruppen, {args.runs} Läufe "
          f"(min/Median/max; Verhältnis: Median geteilt durch Pelican pur)\n")
    header = f"{'Messgröße':34}" + "".join(f"{LABELS[v]:>30}" for v in variants)
    print(header)
    for phase in ("full", "rebuild"):
        for label, pick, unit in (("Zeit", lambda r: r.seconds, "s"),
                                  ("CPU-Zeit", lambda r: r.cpu_seconds, "s"),
                                  ("Spitzenspeicher", lambda r: r.peak_mib, "MiB")):
            triples = {v: summary([pick(r) for r in results[v][phase]]) for v in variants}
            reference = triples["plain"][1]
            title = f"{'Vollbau' if phase == 'full' else 'Nach 1 Änderung'}: {label}"
            cells = "".join(
                f"{format_triple(triples[v], unit) + f' ({triples[v][1] / reference:.2f}×)':>30}"
                for v in variants)
            print(f"{title:34}{cells}")
    reference_size = sizes["plain"]
    cells = "".join(f"{f'{sizes[v]:.1f} MiB ({sizes[v] / reference_size:.2f}×)':>30}"
                    for v in variants)
    print(f"{'Ausgabe':34}{cells}")


def format_triple(values: tuple[float, float, float], unit: str) -> str:
    low, middle, high = values
    return f"{low:.1f}/{middle:.1f}/{high:.1f} {unit}"


if __name__ == "__main__":
    sys.exit(main())
