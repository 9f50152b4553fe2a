"""Find images in HTML and Markdown, and write the <picture> markup (pure functions).

- `find_tags(html)`: every <img> and <a href> start tag with its position, via the stdlib
  html.parser, so the rest of the HTML is kept byte for byte;
- `replace_tags(html, tags, replacement)`: splice replacements in;
- `picture(...)`: the <picture> element for one image;
- `missing_alt_texts(source)`: images without alternative text in Markdown or HTML source,
  with line numbers, for the build and for `make.py check`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

DEFAULT_DECORATIVE_MARKERS = ("(dekorativ)",)
_IMAGE_LINK_HINT = re.compile(r"<a\s[^>]*\.(?:jpe?g|png|webp)\b")


@dataclass(frozen=True)
class Tag:
    name: str  # "img" or "a"
    start: int  # offsets of the start tag in the HTML
    end: int
    attrs: tuple[tuple[str, str | None], ...]
    in_picture: bool  # already inside a <picture>: left alone

    def get(self, name: str) -> str | None:
        for key, value in self.attrs:
            if key == name:
                return value
        return None

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.attrs)


class _TagFinder(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.line_starts = [0]
        for match in re.finditer("\n", html):
            self.line_starts.append(match.end())
        self.tags: list[Tag] = []
        self.picture_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "picture":
            self.picture_depth += 1
        if tag not in ("img", "a"):
            return
        text = self.get_starttag_text() or ""
        line, column = self.getpos()
        start = self.line_starts[line - 1] + column
        self.tags.append(Tag(tag, start, start + len(text), tuple(attrs),
                             self.picture_depth > 0))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "picture" and self.picture_depth:
            self.picture_depth -= 1


def find_tags(html: str) -> list[Tag]:
    """Every <img> and <a> start tag in `html`, in document order."""
    lowered = html.lower()
    if "<img" not in lowered and not _IMAGE_LINK_HINT.search(lowered):
        return []  # the common case, decided without parsing
    finder = _TagFinder(html)
    finder.feed(html)
    finder.close()
    return finder.tags


def replace_tags(html: str, tags: Iterable[Tag],
                 replacement: Callable[[Tag], str | None]) -> str:
    """`html` with each tag replaced by `replacement(tag)` (None keeps the tag)."""
    out, position = [], 0
    for tag in tags:
        new = replacement(tag)
        if new is None:
            continue
        out.append(html[position:tag.start])
        out.append(new)
        position = tag.end
    if not out:
        return html
    out.append(html[position:])
    return "".join(out)


def start_tag(name: str, attrs: Iterable[tuple[str, str | None]]) -> str:
    parts = [name]
    for key, value in attrs:
        parts.append(key if value is None else f'{key}="{escape(value, quote=True)}"')
    return "<" + " ".join(parts) + ">"


def is_decorative(alt: str | None, markers: Sequence[str] = DEFAULT_DECORATIVE_MARKERS) -> bool:
    return alt is not None and alt.strip().casefold() in {m.strip().casefold() for m in markers}


def has_alt_text(alt: str | None) -> bool:
    return alt is not None and bool(alt.strip())


@dataclass(frozen=True)
class Source:
    mime: str
    candidates: tuple[tuple[str, int], ...]  # (url, width)


def srcset(candidates: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{url} {width}w" for url, width in candidates)


def picture(sources: Sequence[Source], fallback: Source, *, alt: str, width: int,
            height: int, sizes: str, title: str | None = None, first: bool = False,
            fetchpriority: str = "",
            extra: Sequence[tuple[str, str | None]] = ()) -> str:
    """<picture> with one <source> per modern format and an <img> with the fallback.

    width/height are those of the largest variant (reserves the space: no layout shift).
    The first image of a page loads at once (no lazy, no async decoding). `extra` are
    attributes kept from the original <img> (class, id, lang on editors' pages)."""
    parts = ["<picture>"]
    for source in sources:
        parts.append(start_tag("source", [("type", source.mime),
                                          ("srcset", srcset(source.candidates)),
                                          ("sizes", sizes)]))
    attrs: list[tuple[str, str | None]] = [
        ("src", fallback.candidates[-1][0]),
        ("srcset", srcset(fallback.candidates)),
        ("sizes", sizes),
        ("width", str(width)),
        ("height", str(height)),
        ("alt", alt),
    ]
    if title:
        attrs.append(("title", title))
    attrs += extra
    if first:
        if fetchpriority:
            attrs.append(("fetchpriority", fetchpriority))
    else:
        attrs += [("loading", "lazy"), ("decoding", "async")]
    parts.append(start_tag("img", attrs))
    parts.append("</picture>")
    return "".join(parts)


# --- Alternative texts in source files ------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_ALT = r"(?P<alt>(?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.)*\])*)"
_INLINE_IMAGE = re.compile(
    r"(?<!\\)!\[" + _ALT + r"\]\(\s*(?P<src><[^>\n]*>|[^\s)]+)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)", re.S)
_REFERENCE_IMAGE = re.compile(r"(?<!\\)!\[" + _ALT + r"\]\[(?P<ref>[^\]]*)\]", re.S)
_DEFINITION = re.compile(r"^ {0,3}\[(?P<ref>[^\]]+)\]:\s*(?P<url><[^>]*>|\S+)", re.M)
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.I | re.S)


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):
        self.attrs = dict(attrs)

    handle_startendtag = handle_starttag


def _tag_attributes(text: str) -> dict[str, str | None]:
    parser = _Attributes()
    parser.feed(text)
    parser.close()
    return parser.attrs


def _without_code(source: str) -> str:
    """`source` with fenced code blocks and code spans blanked out (same length and lines)."""
    lines = source.split("\n")
    fence = None
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            lines[index] = " " * len(line)
        elif fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            lines[index] = " " * len(line)
    text = "\n".join(lines)
    return _CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def missing_alt_texts(markdown_or_html_source: str) -> list[tuple[int, str]]:
    """(line, src) of every image without an alternative text, in document order.

    Finds Markdown images (`![](foto.jpg)`, `![ ][ref]`) and HTML <img> tags (without alt,
    or with an empty one), but not inside code. Lines count from 1 in the given text. A
    decorative image (`![(dekorativ)](…)`) has an alternative text and is not listed."""
    text = _without_code(markdown_or_html_source)
    definitions = {m.group("ref").strip().casefold(): m.group("url").strip("<>")
                   for m in _DEFINITION.finditer(text)}
    found: list[tuple[int, int, str]] = []
    for match in _INLINE_IMAGE.finditer(text):
        if not match.group("alt").strip():
            found.append((match.start(), 0, match.group("src").strip("<>")))
    for match in _REFERENCE_IMAGE.finditer(text):
        if not match.group("alt").strip():
            ref = match.group("ref").strip() or match.group("alt").strip()
            found.append((match.start(), 0, definitions.get(ref.casefold(), ref)))
    for match in _IMG_TAG.finditer(text):
        attrs = _tag_attributes(match.group(0))
        if not has_alt_text(attrs.get("alt")):
            found.append((match.start(), 1, attrs.get("src") or ""))
    found.sort()
    return [(text.count("\n", 0, offset) + 1, src) for offset, _, src in found]


def line_of(source_text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th appearance of `needle`; 1 if not found."""
    index = -1
    for _ in range(max(1, occurrence)):
        index = source_text.find(needle, index + 1)
        if index < 0:
            index = source_text.find(needle)
            break
    return source_text.count("\n", 0, index) + 1 if index >= 0 else 1
