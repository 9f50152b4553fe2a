#!/usr/bin/env python3
"""Hostile-content check: contributed posts full of XSS and tracking vectors, in Chromium.

    python checks/hostile_browser_check.py [--keep] [--limit N]

Builds the test fixture site (tests/fixtures/site) plus tests.conftest.HOSTILE_POST and
further hostile posts (script tags, event handlers, javascript: URLs, SVG, iframes,
tracking pixels, hostile metadata) with publishconf.py into a temporary folder, with
SITEURL set to a local web server on 127.0.0.1. Every HTML page of that build is loaded
in Debian's Chromium with:

  * an init script defining window.__xss_marker() and replacing alert/confirm/prompt/print
    so that any call sets window.__xss_called (checked in every frame after load, after
    focusing and hovering every element);
  * every request to a host other than 127.0.0.1 aborted and reported;
  * the CSP bypassed (bypass_csp=True): the CSP is the second line of defence, this check
    tests the first -- that no hostile markup reaches the page at all.

After load, the DOM is also searched for what the sanitiser must have removed: on*
attributes, javascript:/vbscript:/data: URLs, iframes, objects, embeds, <base>, meta
refresh, inline scripts other than JSON-LD, style attributes and <style> in the body.
Exit status 1 on any finding (or if the build fails).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_common import (ROOT, build_site, launch_chromium, temporary_site,  # noqa: E402
                    print_capped, url_for)

MARK = "window.__xss_marker()"
XSS_TITLE = f"Harmlos <script>{MARK}</script><img src=x onerror={MARK}>"

# Each vector on its own paragraph, so Markdown keeps it as a raw HTML block or inline.
BODY_VECTORS = [
    f"<script>{MARK}</script>",
    f"<script src=\"https://tracker.example/evil.js\"></script>",
    f"<img src=x onerror={MARK}>",
    f"<img src=\"x\" onerror=\"{MARK}\" alt=\"kaputt\">",
    f"<svg onload={MARK}></svg>",
    f"<svg><script>{MARK}</script></svg>",
    f"<svg><a xlink:href=\"javascript:{MARK}\"><text x=\"0\" y=\"20\">svg-link</text></a></svg>",
    f"<a href=\"javascript:{MARK}\">klick mich</a>",
    f"<a href=\"  JaVaScRiPt:{MARK}\">klick mich auch</a>",
    f"<a href=\"jav&#x09;ascript:{MARK}\">kodiert</a>",
    f"<a href=\"data:text/html,<script>{MARK}</script>\">daten</a>",
    f"<a href=\"#\" onclick=\"{MARK}\" onmouseover=\"{MARK}\">hover mich</a>",
    f"<p onmouseover=\"{MARK}\">Absatz mit Handler</p>",
    f"<input autofocus onfocus=\"{MARK}\">",
    f"<details open ontoggle=\"{MARK}\"><summary>auf</summary>zu</details>",
    f"<body onload=\"{MARK}\">",
    f"<video src=x onerror=\"{MARK}\"></video>",
    f"<audio src=\"https://tracker.example/a.mp3\" autoplay></audio>",
    f"<video poster=\"https://tracker.example/poster.png\"></video>",
    f"<iframe src=\"https://example.com\"></iframe>",
    f"<iframe srcdoc=\"<script>parent.__xss_marker()</script>\"></iframe>",
    f"<object data=\"javascript:{MARK}\"></object>",
    f"<embed src=\"https://tracker.example/flash.swf\">",
    f"<form action=\"javascript:{MARK}\"><button>senden</button></form>",
    f"<meta http-equiv=\"refresh\" content=\"0;url=javascript:{MARK}\">",
    "<base href=\"https://evil.example/\">",
    "<link rel=\"stylesheet\" href=\"https://tracker.example/x.css\">",
    "<style>@import url(https://tracker.example/i.css); "
    "body { background: url(https://tracker.example/bg.png) }</style>",
    "<div style=\"background: url(https://tracker.example/style.png)\">Stil</div>",
    "<img src=\"https://tracker.example/pixel.gif\" alt=\"\">",
    "<img srcset=\"https://tracker.example/srcset.png 1x\" alt=\"\">",
    "<picture><source srcset=\"https://tracker.example/source.png\"><img alt=\"\"></picture>",
    "![Zählpixel](https://tracker.example/markdown.png)",
    f"[Markdown-Link](javascript:{MARK})",
    f"![Markdown-Bild](javascript:{MARK})",
    f"<javascript:{MARK}>",
    # Mutation XSS: markup that parses differently after a naive sanitiser serialises it.
    f"<math><mtext><table><mglyph><style><img src=x onerror={MARK}>",
    f"<noscript><p title=\"</noscript><img src=x onerror={MARK}>\"></noscript>",
    f"<svg></p><style><a id=\"</style><img src=1 onerror={MARK}>\">",
    f"<template><img src=x onerror={MARK}></template>",
    f"<a href=\"https://example.com\" target=\"_blank\">ein normaler externer Link</a>",
]

XSS_POST = f"""Title: {XSS_TITLE}
Date: 2026-02-03 12:00
Category: Gastbeiträge
Tags: Sucht, <svg onload={MARK}>
Author: Eve "><img src=x onerror={MARK}>
Summary: Zusammenfassung <img src=x onerror={MARK}> mit <script>{MARK}</script>
Inhaltshinweis: Hinweis <img src=x onerror={MARK}><script>{MARK}</script>

Ein Beitrag, der angreift.

""" + "\n\n".join(BODY_VECTORS) + "\n\nEnde des Beitrags.\n"

# Metadata alone, with a body that is harmless.
META_POST = f"""Title: "><svg onload={MARK}>
Date: 2026-02-04 12:00
Category: Gastbeiträge
Tags: Mut
Author: </script><script>{MARK}</script>
Summary: '"><img src=x onerror={MARK}>

Ein ganz normaler Text.
"""

# Runs before any page script, in every frame.
INIT_SCRIPT = """
(() => {
  const hit = (how) => () => {
    try { window.top.__xss_called = true; } catch (e) {}
    window.__xss_called = true;
    (window.__xss_how = window.__xss_how || []).push(how);
  };
  window.__xss_marker = hit('__xss_marker');
  window.alert = hit('alert');
  window.confirm = hit('confirm');
  window.prompt = hit('prompt');
  window.print = hit('print');
})();
"""

# Focus and hover every element, so onfocus/onmouseover handlers would run now.
POKE_SCRIPT = """
() => {
  for (const el of document.querySelectorAll('body *')) {
    for (const type of ['pointerover', 'pointerenter', 'mouseover', 'mouseenter', 'mousemove']) {
      try { el.dispatchEvent(new MouseEvent(type, {bubbles: true})); } catch (e) {}
    }
    try { if (typeof el.focus === 'function') el.focus(); } catch (e) {}
    try { el.dispatchEvent(new FocusEvent('focus')); } catch (e) {}
  }
}
"""

# What a sanitised page must not contain, found in the live DOM.
AUDIT_SCRIPT = r"""
() => {
  const found = [];
  const short = (el) => el.outerHTML.replace(/\s+/g, ' ').slice(0, 160);
  const badUrl = /^(javascript|vbscript|data):/i;
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster',
                    'background', 'srcdoc', 'ping'];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\u0000-\u0020]/g, '');
      if (name.startsWith('on')) found.push(`event handler ${name}: ${short(el)}`);
      else if (urlAttrs.includes(name) && badUrl.test(value))
        found.push(`${name}=${attr.value.slice(0, 60)}: ${short(el)}`);
      else if (name === 'style' && el.closest('body')) found.push(`style attribute: ${short(el)}`);
    }
  }
  const forbidden = 'iframe, frame, frameset, object, embed, applet, base, ' +
                    'meta[http-equiv="refresh" i], body style, body link';
  for (const el of document.querySelectorAll(forbidden)) found.push(`element: ${short(el)}`);
  for (const el of document.querySelectorAll('script')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    const src = el.getAttribute('src');
    if (type === 'application/ld+json') continue;
    if (src && new URL(src, location.href).origin === location.origin) continue;
    found.push(`script: ${short(el)}`);
  }
  return found;
}
"""


def hostile_content(root: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.conftest import HOSTILE_POST, make_content  # needs the test extra (pytest)

    return make_content(root, extra_files={
        "beitraege/wir-sagen-nein.md": HOSTILE_POST,
        "beitraege/xss-vektoren.md": XSS_POST,
        "beitraege/xss-metadaten.md": META_POST,
    })


def check(site: Path, origin: str, limit: int) -> int:
    from playwright.sync_api import sync_playwright

    host = urlsplit(origin).netloc
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    foreign: dict[str, set[str]] = defaultdict(set)  # url -> pages
    executed: list[str] = []
    dom: dict[str, set[str]] = defaultdict(set)  # finding -> pages
    other: list[str] = []
    current = {"page": ""}

    def route(route):
        parts = urlsplit(route.request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
            foreign[route.request.url].add(current["page"])
            route.abort("blockedbyclient")
        else:
            route.continue_()

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(bypass_csp=True, java_script_enabled=True,
                                          viewport={"width": 1280, "height": 800})
            context.add_init_script(INIT_SCRIPT)
            context.route("**/*", route)
            for relative in pages:
                current["page"] = relative
                page = context.new_page()
                dialogs: list[str] = []
                page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
                page.on("websocket", lambda ws, r=relative: foreign[ws.url].add(r))
                try:
                    page.goto(url_for(origin, relative), wait_until="load", timeout=15000)
                    page.wait_for_timeout(150)
                    page.evaluate(POKE_SCRIPT)
                    page.wait_for_timeout(150)
                    how: list[str] = []
                    for frame in page.frames:
                        try:
                            if frame.evaluate("() => window.__xss_called === true"):
                                how += frame.evaluate("() => window.__xss_how || []")
                        except Exception:  # noqa: BLE001 - aborted or foreign frames
                            pass
                    if how or dialogs:
                        calls = how + [f"dialog {d}" for d in dialogs]
                        summary = ", ".join(f"{name} x{calls.count(name)}"
                                            for name in dict.fromkeys(calls))
                        executed.append(f"  {relative}: {summary}")
                    if urlsplit(page.url).netloc != host:
                        other.append(f"{relative}: navigated away to {page.url}")
                    else:
                        for finding in page.evaluate(AUDIT_SCRIPT):
                            dom[finding].add(relative)
                except Exception as error:  # noqa: BLE001 - report and go on
                    other.append(f"{relative}: {type(error).__name__}: {str(error)[:200]}")
                finally:
                    page.close()
            context.close()
        finally:
            browser.close()

    print(f"Loaded {len(pages)} page(s) of the hostile build.")
    failures = 0
    if executed:
        failures += 1
        print(f"\nINJECTED SCRIPT RAN on {len(executed)} page(s):")
        print_capped(executed, limit, "pages")
    if foreign:
        failures += 1
        print(f"\nRequests to foreign hosts (aborted): {len(foreign)} URL(s):")
        print_capped([f"  {url}  (from {', '.join(sorted(p)[:3])}"
                      f"{', …' if len(p) > 3 else ''})" for url, p in sorted(foreign.items())],
                     limit, "URLs")
    if dom:
        failures += 1
        print(f"\nHostile markup left in the DOM: {len(dom)} distinct finding(s):")
        print_capped([f"  {finding}\n      on {', '.join(sorted(p)[:3])}"
                      f"{f' … ({len(p)} pages)' if len(p) > 3 else ''}"
                      for finding, p in sorted(dom.items())], limit, "findings")
    if other:
        failures += 1
        print(f"\nOther problems: {len(other)}")
        print_capped(other, limit)
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("--settings", default="publishconf.py")
    parser.add_argument("--limit", type=int, default=40, help="cap on printed findings")
    parser.add_argument("--keep", action="store_true", help="keep the temporary build")
    args = parser.parse_args(argv)

    with temporary_site("hostile-check-", keep=args.keep) as (tmp, site, server):
        content = hostile_content(tmp)
        result = build_site(site, settings=args.settings, content=content,
                            overrides={"SITEURL": server.origin})
        if result.returncode != 0:
            print("The hostile build failed (a post was refused?):")
            print_capped((result.stdout + result.stderr).strip().splitlines(), args.limit)
            return 1
        server.start()
        failures = check(site, server.origin, args.limit)
    if failures:
        return 1
    print("No script ran, no foreign request, no hostile markup left.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
