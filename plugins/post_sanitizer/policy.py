"""What contributed content may contain, as pure functions (no Pelican here).

The plugin glue, `sitetools.check_post` and the group directory all call these:

- `clean_text(value, max_length)`: plain text for titles, names, tags, notes;
- `clean_summary_html(html)`: a summary, through a small allowlist;
- `clean_body_html(html, site_host=…)`: a post body; returns the HTML and what was removed.

Cleaning runs in two passes: rewrite.py rewrites and reports (external images become links,
footnote ids get our prefix, …), then the backend (bleach or nh3) enforces the same
allowlist once more on that pass's output.
"""

from __future__ import annotations

import hashlib
import html as html_module
import platform
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from .backend import AttributeCheck, Allowlist, HtmlCleaner, backend_version, make_cleaner
from .model import CleanResult, Removal
from .rewrite import (
    DROP_WITH_CONTENT, EXTERNAL_REL, NUMBER, NUMERIC_ATTRIBUTES, OWN_FOOTNOTE_ID, VOID_TAGS,
    Profile, drop_bad_chars, rewrite,
)
from .urls import ALLOWED_SCHEMES, is_allowed_url, is_own_image

__all__ = [
    "BODY", "SUMMARY", "CleanResult", "Removal", "clean_body_html", "clean_summary_html",
    "clean_text", "policy_fingerprint", "sanitize_summary",
]

DEFAULT_IMAGE_PATHS = ("bilder",)

_NONE: frozenset[str] = frozenset()

# Fits python-markdown's output with footnotes, tables, sane_lists and smarty, plus the few
# elements an author may reasonably write by hand. Nothing that runs, loads or styles.
BODY = Profile(
    name="body",
    label="Beitrag",
    tags={
        "p": _NONE, "h2": _NONE, "h3": _NONE, "h4": _NONE, "h5": _NONE, "h6": _NONE,
        "ul": _NONE, "ol": frozenset({"start"}), "li": frozenset({"id"}),
        "blockquote": _NONE, "em": _NONE, "strong": _NONE, "b": _NONE, "i": _NONE,
        "code": _NONE, "pre": _NONE,
        "table": _NONE, "thead": _NONE, "tbody": _NONE, "tr": _NONE, "th": _NONE, "td": _NONE,
        "hr": _NONE, "br": _NONE, "abbr": frozenset({"title"}), "sup": frozenset({"id"}),
        "sub": _NONE, "div": frozenset({"class"}), "figure": _NONE, "figcaption": _NONE,
        "a": frozenset({"href", "title", "rel", "class"}),
        "img": frozenset({"src", "alt", "width", "height", "title"}),
    },
    # Only the classes the theme styles, for python-markdown's footnotes.
    classes={"div": frozenset({"footnote"}),
             "a": frozenset({"footnote-ref", "footnote-backref"})},
    id_tags=frozenset({"li", "sup"}),
    rename={"h1": "h2"},  # the page's own <h1> is the post title
    media_to_links=True,
)

SUMMARY = Profile(
    name="summary",
    label="Kurzfassung",
    tags={"a": frozenset({"href", "title", "rel"}), "em": _NONE, "strong": _NONE,
          "code": _NONE, "p": _NONE, "br": _NONE, "abbr": frozenset({"title"})},
)

PROFILES = {profile.name: profile for profile in (BODY, SUMMARY)}


def gate_check(profile: Profile, site_host: str,
               image_paths: tuple[str, ...]) -> AttributeCheck:
    """The backend's attribute-value check: the same rules rewrite.py applies."""

    def allowed(tag: str, name: str, value: str) -> bool:
        if name.startswith("on") or name == "style":
            return False
        if name == "class":
            tokens = value.split()
            return bool(tokens) and all(t in profile.classes.get(tag, ()) for t in tokens)
        if name == "id":
            return tag in profile.id_tags and bool(OWN_FOOTNOTE_ID.match(value))
        if name == "rel":
            return value == EXTERNAL_REL
        if name in NUMERIC_ATTRIBUTES:
            return bool(NUMBER.match(value))
        if name == "href":
            return is_allowed_url(value)
        if name == "src":
            return tag == "img" and is_own_image(value, site_host, image_paths)
        return True

    return allowed


def allowlist(profile: Profile, site_host: str, image_paths: tuple[str, ...]) -> Allowlist:
    return Allowlist(
        tags=frozenset(profile.tags),
        attributes=dict(profile.tags),
        protocols=ALLOWED_SCHEMES,
        attribute_allowed=gate_check(profile, site_host, image_paths),
        drop_content=DROP_WITH_CONTENT - VOID_TAGS,
    )


@lru_cache(maxsize=32)
def cleaner(backend: str, profile_name: str, site_host: str,
            image_paths: tuple[str, ...]) -> HtmlCleaner:
    """Built once per combination: building a bleach Cleaner is the costly part."""
    profile = PROFILES[profile_name]
    return make_cleaner(backend, allowlist(profile, site_host, image_paths))


# HTML parsers restructure badly nested markup (a heading inside a heading, a newline right
# after <pre>), and a second parse of the result may restructure it once more. Cleaning is
# repeated on its own output until the gate changes nothing but entity spelling, so that
# cleaning clean HTML never changes it. Real posts need one round.
MAX_ROUNDS = 5
_REFERENCE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_MARKUP_CHARACTERS = frozenset('<>&"\'')


def _decode_reference(match: re.Match) -> str:
    character = html_module.unescape(match.group(0))
    return match.group(0) if character in _MARKUP_CHARACTERS else character


def same_markup(first: str, second: str) -> bool:
    """Equal up to how characters are written (`&bdquo;` or „)."""
    return first == second or (_REFERENCE.sub(_decode_reference, first)
                               == _REFERENCE.sub(_decode_reference, second))


def _clean(html: str, profile: Profile, site_host: str, backend: str,
           image_paths: tuple[str, ...]) -> CleanResult:
    gate = cleaner(backend, profile.name, site_host.lower(), image_paths)
    rewritten, removals = rewrite(html or "", profile, site_host, image_paths)
    final = gate.clean(rewritten)
    for _ in range(MAX_ROUNDS - 1):
        if same_markup(final, rewritten):
            break
        rewritten, _later = rewrite(final, profile, site_host, image_paths)  # already reported
        final = gate.clean(rewritten)
    return CleanResult(final, removals)


def clean_body_html(html: str, *, site_host: str = "", source: str | None = None,
                    backend: str = "bleach",
                    image_paths: tuple[str, ...] = DEFAULT_IMAGE_PATHS) -> CleanResult:
    """A post body through the body allowlist.

    `site_host` is the site's own host (links elsewhere get rel="nofollow ugc noopener
    noreferrer"; images from it may show). `source` names where the HTML came from; it only
    prefixes `result.messages()`."""
    result = _clean(html, BODY, site_host, backend, tuple(image_paths))
    return CleanResult(result.html, result.removals, source)


def sanitize_summary(html: str, *, site_host: str = "", backend: str = "bleach") -> CleanResult:
    """A summary (already Markdown-rendered HTML) with the removals, for reporting."""
    return _clean(html, SUMMARY, site_host, backend, DEFAULT_IMAGE_PATHS)


def clean_summary_html(html: str, *, site_host: str = "", backend: str = "bleach") -> str:
    """A summary through the small allowlist: a, em, strong, code, p, br, abbr."""
    return sanitize_summary(html, site_host=site_host, backend=backend).html


# --- plain text ----------------------------------------------------------------------------
TAG_START = re.compile(r"<+(?=[A-Za-z/!?])")

class _TextOnly(HTMLParser):
    """Collects text, leaving out tags, comments and the content of script-like elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip: str | None = None
        self.depth = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if self.skip is None and tag in DROP_WITH_CONTENT and tag not in VOID_TAGS:
            self.skip, self.depth = tag, 1
        elif tag == self.skip:
            self.depth += 1
        elif tag in ("br", "p", "div", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == self.skip:
            self.depth -= 1
            if self.depth == 0:
                self.skip = None

    def handle_data(self, data: str) -> None:
        if self.skip is None:
            self.parts.append(data)

    def parse_html_declaration(self, i: int) -> int:
        # Python's parser raises on some "<![…"; read every "<!…>" as a comment, as browsers do.
        if self.rawdata.startswith("<!--", i):
            return self.parse_comment(i)
        return self.parse_bogus_comment(i)


def strip_tags(value: str) -> str:
    parser = _TextOnly()
    try:
        parser.feed(value)
        parser.close()
    except AssertionError:  # Python's parser gives up on some malformed markup
        return re.sub(r"<[^>]*>?", "", value)
    return "".join(parser.parts)


def truncate(text: str, max_length: int) -> str:
    if len(text) <= max_length:
        return text
    cut = text[: max_length - 1]
    space = cut.rfind(" ")
    if space > max_length * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


@lru_cache(maxsize=4096)  # tags, authors and categories repeat across posts
def clean_text(value: str, max_length: int = 100) -> str:
    """Plain text for a shown field: no tags, entities as characters, no control or bidi
    characters, whitespace collapsed, at most `max_length` characters ("…" if cut).

    Stripping repeats until nothing changes, so that `&lt;b&gt;` cannot turn into a tag
    later and cleaning twice gives the same text. A "<" is kept only where it cannot start
    a tag ("5 < 6", "<3")."""
    text = value if isinstance(value, str) else str(value)
    for _ in range(5):
        stripped = strip_tags(text)
        if stripped == text:
            break
        text = stripped
    # What is left of an unfinished tag ("<p href=\">" at the very end) is not a tag to a
    # browser, but could become one when some other program joins texts: its "<" goes.
    text = TAG_START.sub("", drop_bad_chars(text))
    text = " ".join(text.split())
    return truncate(text, max_length)


@lru_cache(maxsize=4)
def code_version(folder: Path = Path(__file__).parent) -> str:
    """This plugin's source: a changed rule or rewrite never serves an old cached result."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=32)
def policy_fingerprint(backend: str = "bleach", site_host: str = "",
                       image_paths: tuple[str, ...] = DEFAULT_IMAGE_PATHS) -> str:
    """Everything besides the HTML that decides a cleaning result, for cache keys."""
    # The Python version too: the standard library's HTML parser and entity tables change.
    parts = [code_version(), platform.python_version(), backend_version(backend),
             site_host.lower(), repr(image_paths)]
    for profile in (BODY, SUMMARY):
        parts.append(repr(sorted((tag, sorted(attrs)) for tag, attrs in profile.tags.items())))
        parts.append(repr(sorted((tag, sorted(c)) for tag, c in profile.classes.items())))
    parts.append(repr(sorted(DROP_WITH_CONTENT)) + EXTERNAL_REL)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
