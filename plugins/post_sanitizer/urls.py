"""Judging URLs the way a browser reads them: after entities, whitespace and control
characters are gone. Pure functions, no Pelican."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# Pelican's link targets ({static}/…, |attach|…); Pelican rewrites them to site URLs later.
INTRASITE_PREFIX = re.compile(r"^[{|](?P<what>[a-z]+)[}|]", re.I)

# Browsers drop ASCII tab and newline anywhere in a URL and C0 controls and spaces at its
# ends; zero-width and bidi characters are invisible to editors; old Internet Explorers
# read a backtick as a quote. All go before judging.
_INVISIBLE = re.compile(
    "[`\x00-\x20\x7f-\x9f\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u2000-\u200f"
    "\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]"
)
_CONTROLS = re.compile("[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def tidy_url(value: str) -> str:
    """The URL as it will be written out: controls removed, outer spaces stripped.

    What we write is then exactly what `url_scheme` judged (up to case and %-escapes)."""
    return _CONTROLS.sub("", value).strip(" \u00a0")


def _probes(value: str) -> list[str]:
    """The URL once plain and once %-decoded (twice), each without invisible characters."""
    plain = html.unescape(value)
    variants = [plain, unquote(plain), unquote(unquote(plain))]
    return [_INVISIBLE.sub("", v).replace("\\", "/").lower() for v in variants]


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see, or None for a relative URL.

    A scheme hidden behind %-escapes counts too: refusing `javascript%3A…` costs nothing."""
    for probe in _probes(value):
        match = _SCHEME.match(probe)
        if match and match.group(1) not in ALLOWED_SCHEMES:
            return match.group(1)
    match = _SCHEME.match(_probes(value)[0])
    return match.group(1) if match else None


def is_allowed_url(value: str) -> bool:
    """http, https, mailto, tel, or a relative URL (including Pelican's {static}… targets)."""
    scheme = url_scheme(value)
    return scheme is None or scheme in ALLOWED_SCHEMES


def url_host(value: str) -> str | None:
    """The host of an absolute or protocol-relative http(s) URL; None for anything else.

    Follows browsers: `https:evil.example` and `/\\evil.example` both leave the site."""
    probe = _probes(value)[0]
    scheme = url_scheme(value)
    if scheme in ("http", "https"):
        rest = probe[len(scheme) + 1:].lstrip("/")
    elif scheme is None and probe.startswith("//"):
        rest = probe.lstrip("/")
    else:
        return None
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = authority.rsplit("@", 1)[-1]
    if host.startswith("["):  # IPv6 literal
        host = host.split("]", 1)[0] + "]"
    else:
        host = host.split(":", 1)[0]
    return host.rstrip(".") or None


def is_external(value: str, site_host: str) -> bool:
    """An http(s) link to another host than the site's own."""
    host = url_host(value)
    return host is not None and host != (site_host or "").lower()


def intrasite_kind(value: str) -> str | None:
    """"static", "attach", "filename", … for Pelican's {kind}… targets, else None."""
    match = INTRASITE_PREFIX.match(_probes(value)[0])
    return match.group("what").lower() if match else None


def path_segments(value: str) -> list[str]:
    """The path of a relative URL as segments, without query, fragment and empty parts."""
    probe = _probes(value)[0]
    probe = INTRASITE_PREFIX.sub("", probe)
    path = re.split(r"[?#]", probe, maxsplit=1)[0]
    return [segment for segment in path.split("/") if segment not in ("", ".")]


def is_own_image(value: str, site_host: str, image_paths: tuple[str, ...]) -> bool:
    """An image from our own content: {static}/{attach} targets, or a path under one of
    `image_paths` (relative, absolute, or on the site's own host). Never one with `..` that
    climbs above the site root, never data: or any other scheme."""
    kind = intrasite_kind(value)
    if kind in ("static", "attach"):
        return ".." not in path_segments(value)
    if kind is not None:
        return False
    probe = _probes(value)[0]
    if url_scheme(value) is not None or probe.startswith("//"):
        if not site_host or url_host(value) != site_host.lower():
            return False
        after_host = re.sub(r"^(?:https?:)?/*[^/?#]*", "", probe)
        path = re.split(r"[?#]", after_host, maxsplit=1)[0]
        segments = [s for s in path.split("/") if s not in ("", ".")]
    else:
        segments = path_segments(value)
    while segments and segments[0] == "..":
        segments = segments[1:]  # relative to a post's own folder, e.g. ../../bilder/x.jpg
    if ".." in segments or len(segments) < 2:
        return False
    return segments[0] in {p.strip("/").lower() for p in image_paths}
