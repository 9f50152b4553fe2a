"""Benchmark: how long post_sanitizer takes per post, with bleach and nh3, cached and not.

    .venv/bin/python bench/sanitizer_speed.py [--posts 200] [--runs 5]

Generates realistic contributed posts as python-markdown would render them (about 5 KB of
HTML each: paragraphs with German typography, headings, lists, a table, a blockquote,
footnotes, links, and in every fifth post something to remove: an iframe, an external image,
a script, an onclick). Then measures, each as the median of several runs over all posts:

1. the two passes alone: rewrite.py (stdlib parser, reports) and the backend gate;
2. the whole `clean_body_html` with bleach and with nh3 (if installed);
3. the build path `plugin.clean_body` with the on-disk cache: first build (every post a
   miss, cleaned and written) and a second build (every post read from the cache).

Needs only the standard library and the plugin (nh3 is optional: pip install nh3).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from post_sanitizer import plugin  # noqa: E402
from post_sanitizer.policy import BODY, clean_body_html, cleaner  # noqa: E402
from post_sanitizer.rewrite import rewrite  # noqa: E402

SITE_HOST = "www.selbsthilfe-beispielstadt.example"
WORDS = (
    "Gruppe Treffen Angehörige Sucht Abend Gespräch Vertrauen Stuhlkreis Hoffnung Rückfall "
    "Erfahrung Kontaktstelle Beratung Gefühl Freundschaft Angst Mut Alltag Arbeit Familie "
    "Kinder Nacht Sorge Zuhören Schweigen Lachen Woche Monat Jahr Schritt Hilfe Selbsthilfe "
    "Gemeinschaft Grenzen Kraft Müdigkeit Diagnose Ärztin Therapie Ruhe Tee Raum Tür Stimme"
).split()
VERBS = "erzählt hört lernt findet braucht teilt sucht schreibt versteht trägt hofft".split()
HOSTILE = [
    '<iframe src="https://www.youtube-nocookie.com/embed/abc123" allowfullscreen></iframe>',
    '<p><img alt="Unser Ausflug" src="https://cdn.example/ausflug.jpg"></p>',
    '<script>alert("hallo")</script>',
    '<p onclick="alert(1)">Klicken Sie hier.</p>',
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
    words.insert(1, rng.choice(VERBS))
    text = " ".join(words)
    if rng.random() < 0.3:
        text = f"&bdquo;{text}&ldquo;"
    if rng.random() < 0.2:
        text += " &ndash; " + rng.choice(WORDS)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    parts = [sentence(rng) for _ in range(rng.randint(3, 6))]
    if rng.random() < 0.3:
        parts[0] = f"<em>{parts[0]}</em>"
    if rng.random() < 0.3:
        parts.append(f'<a href="https://www.telefonseelsorge.de/">{rng.choice(WORDS)}</a>')
    return "<p>" + " ".join(parts) + "</p>"


def post(rng: random.Random, number: int) -> str:
    heading = f"<h2>{rng.choice(WORDS)} und {rng.choice(WORDS)}</h2>"
    blocks = [paragraph(rng), paragraph(rng), heading]
    blocks += [paragraph(rng) for _ in range(3)]
    blocks.append("<ul>\n" + "\n".join(f"<li>{sentence(rng)}</li>" for _ in range(4)) + "\n</ul>")
    blocks.append(f"<blockquote>\n{paragraph(rng)}\n</blockquote>")
    rows = "\n".join(f"<tr>\n<td>{rng.choice(WORDS)}</td>\n<td>{rng.randint(1, 30)} Tage</td>"
                     "\n</tr>" for _ in range(3))
    blocks.append('<table>\n<thead>\n<tr>\n<th style="text-align: left;">Was</th>\n'
                  f"<th>Wann</th>\n</tr>\n</thead>\n<tbody>\n{rows}\n</tbody>\n</table>")
    blocks.append('<p><img alt="Stuhlkreis" src="{static}/bilder/stuhlkreis.jpg"></p>')
    blocks += [paragraph(rng) for _ in range(3)]
    blocks.append('<p>Danke fürs Lesen.<sup id="fnref:1"><a class="footnote-ref" '
                  'href="#fn:1">1</a></sup></p>')
    if number % 5 == 0:
        blocks.append(HOSTILE[(number // 5) % len(HOSTILE)])
    blocks.append('<div class="footnote">\n<hr>\n<ol>\n<li id="fn:1">\n<p>'
                  f'{sentence(rng)}&#160;<a class="footnote-backref" href="#fnref:1" '
                  'title="Zurück zum Text (Fußnote 1)">&#8617;</a></p>\n</li>\n</ol>\n</div>')
    return "\n".join(blocks)


def median_seconds(work: Callable[[], None], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(label: str, seconds: float, posts: int, base: float | None = None) -> None:
    per_post = seconds / posts * 1000
    ratio = f"   ({base / seconds:4.1f}× schneller)" if base else ""
    print(f"  {label:<44} {per_post:7.3f} ms/Beitrag   {seconds * 1000:8.1f} ms gesamt{ratio}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    rng = random.Random(42)
    posts = [post(rng, number) for number in range(args.posts)]
    size = statistics.mean(len(p.encode()) for p in posts) / 1024
    print(f"{args.posts} Beiträge, im Mittel {size:.1f} KB HTML; Median aus {args.runs} "
          "Durchläufen\n")

    try:
        import nh3  # noqa: F401, PLC0415
        backends = ["bleach", "nh3"]
    except ImportError:
        backends = ["bleach"]
        print("  (nh3 ist nicht installiert: pip install nh3==0.3.8)\n")

    print("Einzelne Schritte:")
    rewritten = [rewrite(p, BODY, SITE_HOST)[0] for p in posts]
    seconds = median_seconds(lambda: [rewrite(p, BODY, SITE_HOST) for p in posts], args.runs)
    report("1. Durchgang rewrite.py (html.parser)", seconds, len(posts))
    for backend in backends:
        gate = cleaner(backend, "body", SITE_HOST, ("bilder",))
        seconds = median_seconds(lambda g=gate: [g.clean(r) for r in rewritten], args.runs)
        report(f"2. Durchgang {backend}", seconds, len(posts))

    print("\nclean_body_html (beide Durchgänge, ohne Zwischenspeicher):")
    results = {}
    for backend in backends:
        clean_body_html(posts[0], site_host=SITE_HOST, backend=backend)  # cleaner built once
        results[backend] = median_seconds(
            lambda b=backend: [clean_body_html(p, site_host=SITE_HOST, backend=b) for p in posts],
            args.runs)
    for backend in backends:
        report(backend, results[backend], len(posts),
               results["bleach"] if backend != "bleach" else None)

    print("\nMit dem Zwischenspeicher auf der Platte (plugin.clean_body, wie beim Bauen):")
    for backend in backends:
        misses, hits = [], []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as folder:
                settings = {"PATH": str(Path(folder) / "content"),
                            "SITEURL": f"https://{SITE_HOST}",
                            "CACHE_PATH": str(Path(folder) / "cache"),
                            "POST_SANITIZER_BACKEND": backend}
                start = time.perf_counter()
                for p in posts:
                    plugin.clean_body(settings, p)
                misses.append(time.perf_counter() - start)
                start = time.perf_counter()
                for p in posts:
                    plugin.clean_body(settings, p)
                hits.append(time.perf_counter() - start)
        uncached = results[backend]
        report(f"{backend}: 1. Build (bereinigen + speichern)", statistics.median(misses),
               len(posts))
        report(f"{backend}: 2. Build (aus dem Speicher)", statistics.median(hits), len(posts),
               uncached)
    return 0


if __name__ == "__main__":
    sys.exit(main())
