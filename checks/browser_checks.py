#!/usr/bin/env python3
"""Browser checks of the real site in Debian's Chromium: axe-core and page health.

    python checks/browser_checks.py [--all] [--page REL ...] [--widths 390,1280]

Builds the site with publishconf.py into a temporary folder, with SITEURL set to a local
web server on 127.0.0.1, and loads one page of every page type (home, its page 2, an
article, an article with a content note, a page, category, tag, author, the archives, a
year archive, the lists of tags, categories and authors, the 404 page, the search page and,
if built, the group directory under gruppen/) at each viewport width. Then, per page and width:

  * axe-core (WCAG 2.0/2.1 A and AA rules) must report no violations. axe is injected in a
    context with bypass_csp=True, since the site's CSP forbids inline scripts.
  * In a second context that keeps the CSP: no CSP violation, no script error, no request
    to any host but 127.0.0.1 (such requests are aborted), no failed subresource.

And a real search on suche/ (Pagefind, under the page's own CSP): "Trinken" must find a
group about Alkohol (lay word from content/gruppen/synonyme.csv), "Alkoholsucht" must find
something (compound split), the filters must be filled, ?q= must search on load, and axe
must find nothing on the page with its results shown.

Run with the project's .venv Python (`python3 make.py ci` installs Playwright there) and
after `npm ci` in checks/ (axe-core). Exit status 1 on any finding.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_common import (AXE_JS, build_site, launch_chromium, temporary_site,  # noqa: E402
                    print_capped, url_for)

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEFAULT_WIDTHS = [390, 1280]
HEIGHT = {390: 844, 1280: 800}
# Top-level folders that are not Pelican pages.
NOT_PAGES = {"beitraege", "kategorie", "schlagwort", "autorinnen-und-autoren", "archiv",
             "seite", "theme", "feeds", "bilder", "gruppen", "drafts", "suche"}
PREFERRED_PAGE = ["kontakt", "ueber-uns", "hilfe-in-krisen"]


def first(paths: list[str]) -> str | None:
    return paths[0] if paths else None


def pick_pages(site: Path) -> list[tuple[str, str]]:
    """(label, relative path) of one page per page type that exists in the build."""
    html = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    have = set(html)
    chosen: list[tuple[str, str]] = []

    def add(label: str, relative: str | None) -> None:
        if relative and relative in have and relative not in {r for _, r in chosen}:
            chosen.append((label, relative))

    def under(pattern: str) -> list[str]:
        regex = re.compile(pattern)
        return [p for p in html if regex.fullmatch(p)]

    articles = under(r"beitraege/[^/]+/index\.html")
    with_note = [p for p in articles
                 if re.search(r'class="[^"]*\bcontent-note\b', (site / p).read_text("utf-8"))]
    add("home", "index.html")
    add("home, page 2", first(under(r"seite/\d+/index\.html")))
    add("article", first([p for p in articles if p not in with_note]) or first(articles))
    add("article with content note", first(with_note))
    pages = [p for p in under(r"[^/]+/index\.html") if p.split("/")[0] not in NOT_PAGES]
    preferred = [f"{slug}/index.html" for slug in PREFERRED_PAGE]
    add("page", first([p for p in preferred if p in have]) or first(pages))
    add("category", first(under(r"kategorie/[^/]+/index\.html")))
    add("category, page 2", first(under(r"kategorie/[^/]+/seite/\d+/index\.html")))
    add("categories", "kategorie/index.html")
    add("tag", first(under(r"schlagwort/[^/]+/index\.html")))
    add("tags", "schlagwort/index.html")
    add("author", first(under(r"autorinnen-und-autoren/[^/]+/index\.html")))
    add("authors", "autorinnen-und-autoren/index.html")
    add("archives", "archiv/index.html")
    add("year archive", first(under(r"archiv/\d{4}/index\.html")))
    add("404", "404.html")
    add("search", "suche/index.html")
    # The group directory: its start page, then one page per folder shape (a-z, one group,
    # the topic list, one topic), whatever the URLs turn out to be.
    groups = under(r"gruppen/.+\.html")
    add("groups: start page", "gruppen/index.html")
    folder = {p: p.rsplit("/", 1)[0] for p in groups}  # gruppen/x/index.html -> gruppen/x
    parent = {p: (d.rsplit("/", 1)[0] if p.endswith("/index.html") else d)
              for p, d in folder.items()}
    has_children = {p for p in groups if p.endswith("/index.html")
                    and any(q != p and q.startswith(folder[p] + "/") for q in groups)}
    for path in groups:
        if re.search(r"(^|[-_])(a-z|a-bis-z|az|abc|alphabet)", path.split("/")[-2 if path.endswith(
                "/index.html") else -1]):
            add("groups: A-Z", path)
    for path in sorted(has_children - {"gruppen/index.html"})[:3]:
        add(f"groups: index {folder[path]}/", path)
    for dad in sorted(set(parent.values())):
        leaves = [p for p in groups if parent[p] == dad and p not in has_children
                  and p not in {r for _, r in chosen}]
        if leaves:
            add(f"groups: a page in {dad}/", leaves[0])
    return chosen


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                helpUrl: v.helpUrl, nodes: v.nodes.map(n => ({target: n.target.join(' '),
                html: n.html, summary: n.failureSummary || ''}))}));
        }""", AXE_TAGS)
    return result


class Health:
    """Records what a page does besides rendering: foreign requests, errors, CSP reports."""

    def __init__(self, origin: str) -> None:
        self.host = urlsplit(origin).netloc
        self.problems: list[str] = []

    def attach(self, context) -> None:
        context.route("**/*", self.route)

    def route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.host:
            self.problems.append(f"request to a foreign host, aborted: {url}")
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def watch(self, page) -> None:
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", self.failed)
        page.on("response", self.response)
        page.on("websocket", lambda ws: self.problems.append(f"websocket opened: {ws.url}"))

    def console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or message.type == "error":
            self.problems.append(f"console {message.type}: {text[:300]}")

    def failed(self, request) -> None:
        if urlsplit(request.url).netloc == self.host:
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"HTTP {response.status} for {response.url}")


def check_page(csp_context, axe_context, health: Health, url: str, where: str,
               load_problems: list[str], health_problems: list[str]) -> list[dict]:
    """Load one page as visitors get it (CSP in force), then run axe on it."""
    page = csp_context.new_page()
    try:
        health.problems = []
        health.watch(page)
        response = page.goto(url, wait_until="load", timeout=20000)
        if response is None or response.status != 200:
            load_problems.append(f"{where}: HTTP {response and response.status}")
        page.wait_for_timeout(100)
        health_problems += [f"{where}: {p}" for p in dict.fromkeys(health.problems)]
    finally:
        page.close()
    page = axe_context.new_page()  # CSP bypassed, so that axe can be injected
    try:
        page.goto(url, wait_until="load", timeout=20000)
        return run_axe(page)
    finally:
        page.close()


SEARCH_PAGE = "suche/"
# (query, what the results must contain): a lay word of the synonym list, a compound word.
SEARCH_CASES = [
    ("Trinken", "a group about Alkohol"),
    ("Alkoholsucht", "at least one result"),
]


def search_results(page, query: str) -> dict:
    """Type `query` into the search page and return its status text and results."""
    page.fill("#suche-eingabe", query)
    page.press("#suche-eingabe", "Enter")
    page.wait_for_function(
        """(q) => { const s = document.getElementById('suche-meldung').textContent;
                    return s.includes('„' + q + '“'); }""", arg=query, timeout=15000)
    return page.evaluate(
        """() => ({status: document.getElementById('suche-meldung').textContent,
                  results: Array.from(document.querySelectorAll('.search-result')).map(li => ({
                    href: li.querySelector('a').getAttribute('href'),
                    meta: (li.querySelector('.search-result-meta') || {}).textContent || ''}))})""")


def check_search(csp_context, axe_context, health: "Health", origin: str, where: str
                 ) -> tuple[list[str], list[dict]]:
    """A real search under the search page's CSP; returns (problems, axe violations)."""
    problems: list[str] = []
    page = csp_context.new_page()
    try:
        health.problems = []
        health.watch(page)
        page.goto(f"{origin}/{SEARCH_PAGE}", wait_until="load", timeout=20000)
        try:
            page.wait_for_selector("form#suche-formular[data-ready]", state="attached",
                                   timeout=15000)
        except Exception:  # noqa: BLE001 - report what the page says instead
            status = page.text_content("#suche-meldung") or ""
            problems.append(f"{where}: search did not start ({status.strip() or 'no message'})")
            return problems + [f"{where}: {p}" for p in dict.fromkeys(health.problems)], []
        topics = page.eval_on_selector_all("#suche-thema option", "o => o.length")
        if topics < 2:
            problems.append(f"{where}: the topic filter has no values")
        for query, expected in SEARCH_CASES:
            found = search_results(page, query)
            results = found["results"]
            print(f"  search {query!r:<18} {where:<56} {len(results)} result(s) shown: "
                  f"{found['status']}", flush=True)
            if expected == "a group about Alkohol":
                ok = any("/gruppen/" in r["href"] and "Alkohol" in r["meta"] for r in results)
            else:
                ok = bool(results)
            if not ok:
                problems.append(f"{where}: search for {query!r} found not {expected}: "
                                f"{found['status']}")
        problems += [f"{where}: {p}" for p in dict.fromkeys(health.problems)]
    finally:
        page.close()
    page = axe_context.new_page()  # the results page, for axe (CSP bypassed to inject it)
    try:
        page.goto(f"{origin}/{SEARCH_PAGE}?q=Trinken", wait_until="load", timeout=20000)
        try:
            page.wait_for_selector(".search-result", timeout=15000)
        except Exception:  # noqa: BLE001
            problems.append(f"{where}: ?q=Trinken showed no results on load")
        return problems, run_axe(page)
    finally:
        page.close()


def record_violations(found: list[dict], where: str, violations, nodes) -> None:
    """Group axe's violations by rule, remembering the pages and one sample per node."""
    for v in found:
        key = (v["id"], v["impact"], v["help"], v["helpUrl"])
        violations[key].append(where)
        for node in v["nodes"]:
            nodes[key].setdefault(node["target"], (node["html"], node["summary"]))


def check(site: Path, origin: str, chosen: list[tuple[str, str]], widths: list[int],
          limit: int) -> int:
    from playwright.sync_api import sync_playwright

    violations: dict[tuple, list[str]] = defaultdict(list)  # (id, impact, help, url) -> where
    nodes: dict[tuple, dict[str, tuple[str, str]]] = defaultdict(dict)  # -> target -> html
    health_problems: list[str] = []
    load_problems: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for width in widths:
                viewport = {"width": width, "height": HEIGHT.get(width, 900)}
                axe_context = browser.new_context(viewport=viewport, bypass_csp=True,
                                                  locale="de-DE")
                axe_health = Health(origin)
                axe_health.attach(axe_context)  # never let axe's run reach the network
                csp_context = browser.new_context(viewport=viewport, locale="de-DE")
                health = Health(origin)
                health.attach(csp_context)
                for label, relative in chosen:
                    url = url_for(origin, relative)
                    where = f"{relative} @{width}px"
                    try:
                        found = check_page(csp_context, axe_context, health, url, where,
                                           load_problems, health_problems)
                    except Exception as error:  # noqa: BLE001 - report, go on with the rest
                        load_problems.append(f"{where}: {type(error).__name__}: "
                                             f"{str(error)[:300]}")
                        print(f"  {label:<36} {where:<56} ERROR", flush=True)
                        continue
                    record_violations(found, where, violations, nodes)
                    count = sum(len(v["nodes"]) for v in found)
                    status = "ok" if not found else f"{len(found)} violation(s), {count} node(s)"
                    print(f"  {label:<36} {where:<56} axe: {status}", flush=True)
                if (site / SEARCH_PAGE / "index.html").is_file():
                    where = f"{SEARCH_PAGE} (searching) @{width}px"
                    try:
                        found_problems, found = check_search(csp_context, axe_context, health,
                                                             origin, where)
                    except Exception as error:  # noqa: BLE001 - report, go on
                        found_problems, found = [f"{where}: {type(error).__name__}: "
                                                 f"{str(error)[:300]}"], []
                    health_problems += found_problems
                    record_violations(found, where, violations, nodes)
                health_problems += [f"(axe context) {p}" for p in axe_health.problems]
                axe_context.close()
                csp_context.close()
        finally:
            browser.close()

    failures = 0
    if violations:
        failures += 1
        print(f"\naxe-core: {len(violations)} distinct violation(s) "
              f"(tags {', '.join(AXE_TAGS)}):")
        lines = []
        for key, places in violations.items():
            rule, impact, help_text, help_url = key
            lines.append(f"- [{impact}] {rule}: {help_text} ({help_url})")
            shown = ", ".join(places[:6]) + (f", … ({len(places)} in all)"
                                             if len(places) > 6 else "")
            lines.append(f"    on: {shown}")
            for target, (html, summary) in list(nodes[key].items())[:5]:
                lines.append(f"    node {target}: {' '.join(html.split())[:200]}")
                why = " ".join(summary.splitlines()[1:2]).strip()
                if why:
                    lines.append(f"      {why[:240]}")
            if len(nodes[key]) > 5:
                lines.append(f"    … and {len(nodes[key]) - 5} more node(s)")
        print_capped(lines, limit * 4)
    if health_problems or load_problems:
        failures += 1
        print(f"\nPage health: {len(health_problems) + len(load_problems)} problem(s):")
        print_capped(load_problems + health_problems, limit, "problems")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("--settings", default="publishconf.py")
    parser.add_argument("--content", type=Path, help="content folder (default: the settings')")
    parser.add_argument("--all", action="store_true", help="check every HTML page, not one "
                        "per page type")
    parser.add_argument("--page", action="append", default=[], metavar="REL",
                        help="check this output file too (e.g. kontakt/index.html)")
    parser.add_argument("--widths", default=",".join(map(str, DEFAULT_WIDTHS)),
                        help="viewport widths in CSS px (default: 390,1280)")
    parser.add_argument("--limit", type=int, default=60, help="cap on printed findings")
    parser.add_argument("--keep", action="store_true", help="keep the temporary build")
    args = parser.parse_args(argv)
    widths = [int(w) for w in args.widths.split(",") if w.strip()]
    if not AXE_JS.is_file():
        print(f"{AXE_JS} is missing: run `npm ci` in checks/", file=sys.stderr)
        return 2

    with temporary_site("browser-checks-", keep=args.keep) as (_tmp, site, server):
        started = time.monotonic()
        result = build_site(site, settings=args.settings, content=args.content,
                            overrides={"SITEURL": server.origin})
        if result.returncode != 0:
            print("Build failed:\n" + result.stdout[-3000:] + result.stderr[-3000:])
            return 1
        server.start()
        if args.all:
            chosen = [(p.relative_to(site).parent.as_posix(), p.relative_to(site).as_posix())
                      for p in sorted(site.rglob("*.html"))]
        else:
            chosen = pick_pages(site)
        for extra in args.page:
            if (site / extra).is_file():
                chosen.append(("requested", extra))
            else:
                print(f"--page {extra}: not in the build")
                return 1
        print(f"Built in {time.monotonic() - started:.1f} s, serving on {server.origin}; "
              f"checking {len(chosen)} page(s) at {', '.join(f'{w}px' for w in widths)}:")
        failures = check(site, server.origin, chosen, widths, args.limit)
    if failures:
        return 1
    print("\nNo axe-core violations, no page health problems.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
