#!/usr/bin/env python3
"""Internal link check of a built site: every link to the site itself must resolve.

    python3 checks/link_check.py SITE_DIR [--site-url URL] [--limit N]

For every HTML page, each href, src and srcset (and og:/twitter: image and URL meta tags)
that points to the site itself -- relative, root-relative, or starting with SITEURL of
publishconf.py -- must name a file of the build (a folder means its index.html), and a
#fragment must be an id (or <a name>) in the target page. sitemap.xml's <loc> entries and
the feeds' links are checked the same way. External links are counted, never fetched.
Exit status 1 if anything is broken.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_common import print_capped, production_siteurl  # noqa: E402

# Schemes that are neither the site nor a web page elsewhere: never checked, never counted.
OTHER_SCHEMES = {"mailto", "tel", "sms", "data", "javascript", "about", "blob", "geo"}
# Fragments a browser understands without an element of that id.
BUILTIN_FRAGMENTS = {"", "top"}
META_URL_KEYS = {"og:url", "og:image", "og:image:url", "og:image:secure_url", "og:audio",
                 "og:video", "twitter:image", "twitter:url"}
LOCAL_BASE = "http://site.invalid"  # stands for the build's root while resolving


class PageParser(HTMLParser):
    """Collects the URLs a page refers to, and the ids it defines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, int]] = []  # (url, "tag@attr", line)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        attributes = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in ("href", "src", "poster", "action", "formaction", "data", "cite"):
                self.links.append((value.strip(), f"{tag}@{name}", line))
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    url = candidate.strip().split()[0] if candidate.strip() else ""
                    if url:
                        self.links.append((url, f"{tag}@{name}", line))
        if tag == "meta":
            key = attributes.get("property") or attributes.get("name") or ""
            if key.lower() in META_URL_KEYS and attributes.get("content"):
                self.links.append((attributes["content"].strip(), f"meta[{key}]", line))

    handle_startendtag = handle_starttag


class Site:
    def __init__(self, root: Path, site_url: str) -> None:
        self.root = root.resolve()
        self.site_url = site_url.rstrip("/")
        self.site = urlsplit(self.site_url) if self.site_url else None
        self._ids: dict[Path, set[str] | None] = {}

    def page_url(self, path: Path) -> str:
        """URL of a file of the build, under LOCAL_BASE ('a/index.html' -> /a/index.html)."""
        return f"{LOCAL_BASE}/{path.relative_to(self.root).as_posix()}"

    def classify(self, url: str, base: str) -> tuple[str, str | None]:
        """('internal', local URL) | ('external', None) | ('other', None)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in OTHER_SCHEMES:
            return "other", None
        if scheme and scheme not in ("http", "https"):
            return "other", None
        if scheme or url.startswith("//"):
            absolute = url if scheme else f"{self.site.scheme if self.site else 'https'}:{url}"
            parts = urlsplit(absolute)
            if self.site and parts.netloc.lower() == self.site.netloc.lower():
                prefix = self.site.path.rstrip("/")
                if parts.path == prefix or parts.path.startswith(prefix + "/"):
                    rest = parts.path[len(prefix):] or "/"
                    query = f"?{parts.query}" if parts.query else ""
                    fragment = f"#{parts.fragment}" if parts.fragment else ""
                    return "internal", f"{LOCAL_BASE}{rest}{query}{fragment}"
            return "external", None
        return "internal", urljoin(base, url)

    def target_file(self, local_url: str) -> Path | None:
        path = unquote(urlsplit(local_url).path)
        candidate = (self.root / path.lstrip("/")).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            return None  # ../ above the site's root
        if path.endswith("/") or candidate == self.root:
            candidate = candidate / "index.html"
        elif candidate.is_dir():
            candidate = candidate / "index.html"  # the server redirects /a to /a/
        return candidate if candidate.is_file() else None

    def ids_of(self, path: Path) -> set[str] | None:
        if path not in self._ids:
            if path.suffix.lower() in (".html", ".htm"):
                parser = PageParser()
                parser.feed(path.read_text(encoding="utf-8", errors="replace"))
                self._ids[path] = parser.ids
            else:
                self._ids[path] = None  # not an HTML page: fragments are not checked
        return self._ids[path]

    def check_url(self, url: str, base: str) -> tuple[str, str | None]:
        """(kind, problem) with problem None when the link is fine."""
        kind, local = self.classify(url, base)
        if kind != "internal":
            return kind, None
        target = self.target_file(local)
        if target is None:
            return kind, "no such file in the build"
        fragment = unquote(urlsplit(local).fragment)
        if fragment not in BUILTIN_FRAGMENTS:
            ids = self.ids_of(target)
            if ids is not None and fragment not in ids:
                return kind, f"no element with id \"{fragment}\" in {target.relative_to(self.root)}"
        return kind, None


def xml_links(path: Path) -> list[tuple[str, str, int]]:
    """<loc> of a sitemap; href of Atom <link>; text of RSS <link>."""
    try:
        tree = ET.parse(path)
    except ET.ParseError as error:
        return [("", f"XML parse error: {error}", 0)]
    links = []
    for element in tree.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name == "loc" and element.text:
            links.append((element.text.strip(), "loc", 0))
        elif name == "link":
            if element.get("href"):
                links.append((element.get("href").strip(), "link@href", 0))
            elif element.text and element.text.strip():
                links.append((element.text.strip(), "link", 0))
    return links


def check(root: Path, site_url: str) -> tuple[list[tuple[str, str, str]], dict[str, int], int]:
    """Broken links as (url, problem, "page:line"), link counts, number of external URLs."""
    site = Site(root, site_url)
    broken: list[tuple[str, str, str]] = []
    counts: dict[str, int] = defaultdict(int)
    external: set[str] = set()
    pages = sorted(p for p in site.root.rglob("*") if p.suffix.lower() in (".html", ".htm"))
    xml_files = sorted(p for p in site.root.rglob("*.xml"))
    for path in pages + xml_files:
        relative = path.relative_to(site.root).as_posix()
        if path.suffix.lower() == ".xml":
            links = xml_links(path)
            # Feeds and sitemaps must use absolute URLs; resolve against the site's root.
            base = f"{LOCAL_BASE}/"
        else:
            parser = PageParser()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            site._ids[path.resolve()] = parser.ids
            links = parser.links
            base = site.page_url(path.resolve())
        for url, where, line in links:
            if where.startswith("XML parse error"):
                broken.append(("", where, relative))
                continue
            if url == "":
                continue  # the page itself
            kind, problem = site.check_url(url, base)
            counts[kind] += 1
            if kind == "external":
                external.add(url)
            if problem:
                at = f":{line}" if line else ""
                broken.append((url, problem, f"{relative}{at} ({where})"))
    counts["pages"] = len(pages)
    counts["xml"] = len(xml_files)
    return broken, counts, len(external)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="The site URL defaults to SITEURL of publishconf.py.")
    parser.add_argument("site", type=Path, help="folder of the built site")
    parser.add_argument("--site-url", help="the site's absolute URL (default: publishconf.py)")
    parser.add_argument("--settings", default="publishconf.py",
                        help="settings file to read SITEURL from (default: publishconf.py)")
    parser.add_argument("--limit", type=int, default=100,
                        help="print at most this many broken targets (default: 100)")
    args = parser.parse_args(argv)
    if not args.site.is_dir():
        parser.error(f"{args.site} is not a folder")
    site_url = args.site_url if args.site_url is not None else production_siteurl(args.settings)
    broken, counts, external = check(args.site, site_url)
    print(f"Checked {counts['pages']} HTML pages and {counts['xml']} XML files: "
          f"{counts['internal']} internal links, {external} distinct external links "
          f"(not fetched), {counts['other']} mailto:/tel:/other.")
    if broken:
        by_target: dict[tuple[str, str], list[str]] = defaultdict(list)
        for url, problem, where in broken:
            by_target[(url, problem)].append(where)
        print(f"{len(broken)} broken internal link(s) to {len(by_target)} distinct target(s):")
        lines = []
        for (url, problem), places in sorted(by_target.items()):
            more = f", … ({len(places)} places)" if len(places) > 3 else ""
            shown = ", ".join(places[:3]) + more
            lines.append(f"  {url or '(file)'}: {problem}\n      on {shown}")
        print_capped(lines, args.limit, "broken targets")
        return 1
    print("No broken internal links.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
