"""First pass over a post's HTML: rewrite it to what the policy allows and note every removal.

A stdlib `html.parser` walk, because editors need to be told what was removed and why, and
because some things are *replaced* rather than removed (an external image becomes a link).
The output is plain, canonical HTML (escaped text, double-quoted attributes) that the backend
cleaner (bleach or nh3) then checks once more against the same allowlist: should this parser
read some odd input differently from a browser, the second gate still only sees this pass's
canonical output and lets nothing outside the allowlist through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.entities import html5 as HTML5_ENTITIES
from html.parser import HTMLParser

from .model import Removal
from .urls import (
    ALLOWED_SCHEMES, intrasite_kind, is_allowed_url, is_external, is_own_image, tidy_url,
    url_host, url_scheme,
)

EXTERNAL_REL = "nofollow ugc noopener noreferrer"
FOOTNOTE_ID_PREFIX = "beitrag-"

VOID_TAGS = frozenset({
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
})

# Removed together with everything inside: their content is code, styling, form widgets or
# a fallback for an embed, never text a reader should see without its element.
DROP_WITH_CONTENT = frozenset({
    "script", "style", "template", "noscript", "noembed", "noframes", "xmp", "plaintext",
    "title", "textarea", "select", "datalist", "svg", "math", "head", "iframe",
    "object", "applet", "canvas", "video", "audio", "frameset",
})

# Embeds that become a plain link to their URL (the reader decides whether to follow it).
MEDIA_LABELS = {
    "iframe": "Externer Inhalt", "frame": "Externer Inhalt", "object": "Externer Inhalt",
    "embed": "Externer Inhalt", "applet": "Externer Inhalt", "video": "Externes Video",
    "audio": "Externe Audiodatei",
}
MEDIA_URL_ATTRIBUTES = ("src", "data", "code")
EXTERNAL_IMAGE_LABEL = "Externes Bild"

REASON_SCRIPT = "Skripte sind in Beiträgen nicht erlaubt"
REASON_EXTERNAL = "externe Inhalte werden nicht eingebunden"
REASON_OTHER_TAG = "dieses HTML-Element ist in Beiträgen nicht erlaubt"
TAG_REASONS = {
    **dict.fromkeys(("script", "noscript"), REASON_SCRIPT),
    **dict.fromkeys(("style", "link"), "Gestaltungsangaben (CSS) sind in Beiträgen nicht erlaubt"),
    **dict.fromkeys(("iframe", "frame", "frameset", "object", "embed", "applet", "video",
                     "audio", "source", "track", "param", "canvas", "picture"), REASON_EXTERNAL),
    **dict.fromkeys(("form", "input", "button", "select", "textarea", "option", "optgroup",
                     "datalist", "keygen", "label", "fieldset", "legend", "output"),
                    "Formulare sind in Beiträgen nicht erlaubt"),
    **dict.fromkeys(("base", "meta", "head", "title", "html", "body"),
                    "Angaben zur ganzen Seite sind in Beiträgen nicht erlaubt"),
    **dict.fromkeys(("svg", "math"), "SVG- und MathML-Inhalte sind in Beiträgen nicht erlaubt"),
}
KEEPS_TEXT = ", der Text bleibt erhalten"

# Markdown's table alignment, the only style a post produces without raw HTML: dropped
# silently (the theme aligns tables itself).
TABLE_ALIGN = re.compile(r"^\s*text-align:\s*(left|right|center)\s*;?\s*$", re.I)
FOOTNOTE_ID = re.compile(r"^(fn|fnref\d*)[:\-](.+)$", re.S)
OWN_FOOTNOTE_ID = re.compile(rf"^{FOOTNOTE_ID_PREFIX}(fn|fnref\d*)-[\w-]+$")
NUMBER = re.compile(r"^\d{1,6}$")
NUMERIC_ATTRIBUTES = frozenset({"width", "height", "start"})
URL_ATTRIBUTES = frozenset({"href", "src"})

# Characters never written: C0/C1 controls (but tab, newline, carriage return), bidi
# overrides that can make text read differently from what it is, noncharacters.
_BAD_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)


@dataclass(frozen=True)
class Profile:
    """One allowlist: for post bodies, or the smaller one for summaries."""

    name: str
    label: str  # German, for messages: "Kurzfassung"
    tags: Mapping[str, frozenset[str]]  # allowed tag -> its allowed attributes
    classes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    id_tags: frozenset[str] = frozenset()  # tags that may keep a (namespaced) footnote id
    rename: Mapping[str, str] = field(default_factory=dict)  # e.g. h1 -> h2
    media_to_links: bool = False  # external images and embeds become links


def drop_bad_chars(text: str) -> str:
    return _BAD_CHARS.sub("", text)


def escape_text(text: str) -> str:
    return drop_bad_chars(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(value: str) -> str:
    return (drop_bad_chars(value).replace("&", "&amp;").replace('"', "&quot;")
            .replace("<", "&lt;"))


def footnote_id(value: str) -> str | None:
    """python-markdown's `fn:1` / `fnref2:1` in our own namespace; None for any other id."""
    if OWN_FOOTNOTE_ID.match(value):
        return value
    match = FOOTNOTE_ID.match(value)
    if not match:
        return None
    label = re.sub(r"[^\w-]", "-", match.group(2))
    return f"{FOOTNOTE_ID_PREFIX}{match.group(1)}-{label}"


def valid_codepoint(number: int) -> bool:
    if number in (0x09, 0x0A, 0x0D):
        return True
    if number < 0x20 or 0x7F <= number <= 0x9F or number > 0x10FFFF:
        return False
    if 0xD800 <= number <= 0xDFFF or number in (0xFFFE, 0xFFFF):
        return False
    return not (0x202A <= number <= 0x202E or 0x2066 <= number <= 0x2069)


def charref_number(name: str) -> int | None:
    try:
        return int(name[1:], 16) if name[:1] in "xX" else int(name)
    except ValueError:
        return None


def scheme_label(url: str) -> str:
    scheme = url_scheme(url)
    return f"„{scheme}:“" if scheme else "unbekanntem Ziel"


class Rewriter(HTMLParser):
    """Walks one HTML fragment; `finish()` returns the rewritten HTML and the removals."""

    def __init__(self, profile: Profile, site_host: str, image_paths: tuple[str, ...]) -> None:
        super().__init__(convert_charrefs=False)
        self.profile = profile
        self.site_host = site_host
        self.image_paths = image_paths
        self.out: list[str] = []
        self.removals: list[Removal] = []
        self.stack: list[tuple[str, str | None]] = []  # (tag as written, tag emitted or None)
        self.skip_tag: str | None = None  # inside an element dropped with its content
        self.skip_depth = 0
        self.pending_media: tuple[str, str | None] | None = None  # (tag, url) awaiting a link

    # --- results -------------------------------------------------------------------------
    def finish(self) -> tuple[str, list[Removal]]:
        self.close()
        if self.skip_tag is not None:
            self._end_skip()
        for _, emitted in reversed(self.stack):
            if emitted:
                self.out.append(f"</{emitted}>")
        self.stack.clear()
        return "".join(self.out), self.removals

    def _remove(self, what: str, reason: str, *needles: str, action: str = "entfernt") -> None:
        self.removals.append(Removal(what, reason, action, tuple(n for n in needles if n)))

    # --- parser events -------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=True)

    def handle_endtag(self, tag: str) -> None:
        if self.skip_tag is not None:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if self.skip_depth == 0:
                    self._end_skip()
            return
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                for _, emitted in reversed(self.stack[index:]):
                    if emitted:
                        self.out.append(f"</{emitted}>")
                del self.stack[index:]
                return
        # A stray end tag closes nothing: dropped.

    def handle_data(self, data: str) -> None:
        if self.skip_tag is None:
            self.out.append(escape_text(data))

    def handle_entityref(self, name: str) -> None:
        if self.skip_tag is not None:
            return
        if name + ";" in HTML5_ENTITIES:
            self.out.append(f"&{name};")
        else:
            self.out.append(f"&amp;{escape_text(name)}")

    def handle_charref(self, name: str) -> None:
        if self.skip_tag is not None:
            return
        number = charref_number(name)
        if number is not None and valid_codepoint(number):
            self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        if self.skip_tag is None:
            self._remove("HTML-Kommentar", "Kommentare werden nicht veröffentlicht", "<!--")

    def parse_html_declaration(self, i: int) -> int:
        """`<!…>` as HTML5 reads it: a comment, a doctype, or else a bogus comment up to the
        next `>` (Python's own parser raises on `<![` followed by a non-name)."""
        rawdata = self.rawdata
        if rawdata.startswith("<!--", i):
            return self.parse_comment(i)
        if rawdata[i:i + 9].lower() == "<!doctype":
            end = rawdata.find(">", i + 9)
            if end == -1:
                return -1
            self.handle_decl(rawdata[i + 2:end])
            return end + 1
        return self.parse_bogus_comment(i)

    def handle_decl(self, decl: str) -> None:
        pass  # <!DOCTYPE …>: meaningless inside a post, nothing to tell

    def handle_pi(self, data: str) -> None:
        if self.skip_tag is None:
            self._remove("Anweisung „<?…>“", REASON_OTHER_TAG, "<?")

    def unknown_decl(self, data: str) -> None:
        if self.skip_tag is None:
            self._remove("Abschnitt „<![…]>“", REASON_OTHER_TAG, "<![")

    # --- start tags ----------------------------------------------------------------------
    def _start(self, tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        values = first_values(attrs)
        if self.skip_tag is not None:
            self._inside_skip(tag, values)
            return
        is_void = tag in VOID_TAGS or (self_closing and tag not in self.profile.tags
                                      and tag not in DROP_WITH_CONTENT)
        if tag in MEDIA_LABELS or tag in DROP_WITH_CONTENT:
            self._drop_element(tag, values, is_void)
            return
        if tag == "img":
            self._image(values)
            return
        emitted = self.profile.rename.get(tag, tag)
        if emitted not in self.profile.tags:
            reason = TAG_REASONS.get(tag, REASON_OTHER_TAG)
            if not is_void:
                reason += KEEPS_TEXT
                self.stack.append((tag, None))
            self._remove(f"<{tag}>", reason, f"<{tag}")
            self._note_lost_attributes(values)
            return
        if emitted == "div" and "footnote" not in (values.get("class") or "").split():
            self.stack.append((tag, None))  # a plain <div> only groups: unwrapped silently
            self._note_lost_attributes(values)
            return
        kept = self._attributes(emitted, values)
        self.out.append(start_tag(emitted, kept))
        if not is_void:
            self.stack.append((tag, emitted))

    def _inside_skip(self, tag: str, values: dict[str, str]) -> None:
        if tag == self.skip_tag and tag not in VOID_TAGS:
            self.skip_depth += 1
        if (tag == "source" and self.pending_media is not None
                and self.pending_media[1] is None and values.get("src")):
            self.pending_media = (self.pending_media[0], values["src"])

    def _drop_element(self, tag: str, values: dict[str, str], is_void: bool) -> None:
        url = next((values[a] for a in MEDIA_URL_ATTRIBUTES if values.get(a)), None)
        if tag in MEDIA_LABELS and self.profile.media_to_links:
            if is_void:
                self._media_link(tag, url)
            else:
                self.pending_media = (tag, url)
        else:
            self._remove(f"<{tag}>", TAG_REASONS.get(tag, REASON_OTHER_TAG), f"<{tag}")
        if not is_void:
            self.skip_tag, self.skip_depth = tag, 1

    def _end_skip(self) -> None:
        self.skip_tag, self.skip_depth = None, 0
        if self.pending_media is not None:
            tag, url = self.pending_media
            self.pending_media = None
            self._media_link(tag, url)

    def _media_link(self, tag: str, url: str | None) -> None:
        """An embed as a plain link to its URL, if that URL is one we may link to."""
        target = tidy_url(url or "")
        if not target or not is_allowed_url(target) or intrasite_kind(target) is not None:
            self._remove(f"<{tag}>", REASON_EXTERNAL, target, f"<{tag}")
            return
        host = url_host(target)
        label = f"{MEDIA_LABELS[tag]} ({host})" if host else MEDIA_LABELS[tag]
        self._link_instead(target, label)
        self._remove(f"<{tag}>", REASON_EXTERNAL, target, f"<{tag}",
                     action="durch einen Link ersetzt")

    def _image(self, values: dict[str, str]) -> None:
        src = tidy_url(values.get("src") or "")
        alt = " ".join(drop_bad_chars(values.get("alt") or "").split())
        if "img" in self.profile.tags and src and is_own_image(src, self.site_host,
                                                                self.image_paths):
            self.out.append(start_tag("img", self._attributes("img", values)))
            return
        scheme = url_scheme(src) if src else None
        if not self.profile.media_to_links:
            self._remove("<img>", f"Bilder sind in der {self.profile.label} nicht erlaubt", src,
                         "<img", "![")
        elif not src or intrasite_kind(src) is not None:
            self._remove("<img>", "die Bildquelle fehlt oder ist nicht erlaubt", src,
                         "<img", "![")
        elif scheme == "data":
            self._remove("<img>", "eingebettete Bilddaten (data:) sind nicht erlaubt",
                         "data:", "<img", "![")
        elif scheme is not None and scheme not in ALLOWED_SCHEMES - {"mailto", "tel"}:
            self._remove("<img>", f"Bildquelle mit {scheme_label(src)} ist nicht erlaubt",
                         f"{scheme}:", "<img", "![")
        else:
            external = url_host(src) is not None
            self._link_instead(src, alt or EXTERNAL_IMAGE_LABEL)
            reason = ("Bilder von fremden Servern werden nicht geladen (Datenschutz der "
                      "Lesenden)" if external else
                      "nur Bilder aus dem Ordner " + "/, ".join(self.image_paths)
                      + "/ werden angezeigt")
            self._remove("<img>", reason, src, "<img", "![", action="durch einen Link ersetzt")

    def _link_instead(self, url: str, label: str) -> None:
        if any(emitted == "a" for _, emitted in self.stack):
            self.out.append(escape_text(label))  # links cannot nest: the text alone
            return
        attributes = [("href", self._fragment(url))]
        if is_external(url, self.site_host):
            attributes.append(("rel", EXTERNAL_REL))
        self.out.append(f"{start_tag('a', attributes)}{escape_text(label)}</a>")

    # --- attributes ----------------------------------------------------------------------
    def _note_lost_attributes(self, values: dict[str, str]) -> None:
        """An unwrapped element's attributes go with it; tell about the ones that matter."""
        for name, value in values.items():
            if name.startswith("on") or name in ("style", "id"):
                self._attribute("", name, value, frozenset())

    def _attributes(self, tag: str, values: dict[str, str]) -> list[tuple[str, str]]:
        allowed = self.profile.tags[tag]
        kept: list[tuple[str, str]] = []
        for name, value in values.items():
            result = self._attribute(tag, name, value, allowed)
            if result is not None:
                kept.append((name, result))
        if tag == "a" and "rel" in allowed and any(
                name == "href" and is_external(value, self.site_host) for name, value in kept):
            kept.append(("rel", EXTERNAL_REL))
        return kept

    def _attribute(self, tag: str, name: str, value: str, allowed: frozenset[str]) -> str | None:
        """The value to keep, or None (the removal, if worth telling, is noted)."""
        if name.startswith("on"):
            self._remove(f"Attribut {name}", REASON_SCRIPT, name)
            return None
        if name == "style":
            if not (tag in ("th", "td") and TABLE_ALIGN.match(value)):
                self._remove("Attribut style", "Gestaltungsangaben sind in Beiträgen nicht "
                             "erlaubt", "style=", "style")
            return None
        if name == "rel" and tag == "a":
            return None  # decided by us: external links only
        if name == "id":
            namespaced = footnote_id(value) if tag in self.profile.id_tags else None
            if namespaced is None:
                self._remove("Attribut id", "eigene Sprungmarken könnten die Seite stören",
                             f'id="{value}"', "id=")
            return namespaced
        if name == "class":
            return self._classes(tag, value)
        if name not in allowed:
            self._remove(f"Attribut {name}", "dieses Attribut ist in Beiträgen nicht erlaubt",
                         f"{name}=", name)
            return None
        if name in NUMERIC_ATTRIBUTES:
            if NUMBER.match(value.strip()):
                return value.strip()
            self._remove(f"Attribut {name}", "nur Zahlen sind erlaubt", f"{name}=")
            return None
        if name in URL_ATTRIBUTES:
            return self._url(tag, name, value)
        return value

    def _classes(self, tag: str, value: str) -> str | None:
        allowed = self.profile.classes.get(tag, frozenset())
        tokens = value.split()
        kept = [token for token in tokens if token in allowed]
        if len(kept) < len(tokens):
            self._remove("Attribut class", "Gestaltungsklassen sind in Beiträgen nicht erlaubt",
                         "class=")
        return " ".join(kept) or None

    def _url(self, tag: str, name: str, value: str) -> str | None:
        url = tidy_url(value)
        if not is_allowed_url(url):
            self._remove(f"Linkziel mit {scheme_label(url)}",
                         "nur Links mit http, https, mailto oder tel sind erlaubt",
                         f"{url_scheme(url)}:", f"{name}=")
            return None
        return self._fragment(url)

    def _fragment(self, url: str) -> str:
        """`#fn:1` points at the footnote's id, which has our prefix now."""
        if url.startswith("#") and self.profile.id_tags:
            namespaced = footnote_id(url[1:])
            if namespaced is not None:
                return "#" + namespaced
        return url


def first_values(attrs: list[tuple[str, str | None]]) -> dict[str, str]:
    """Attributes as a dict; like browsers, the first of duplicate names wins."""
    values: dict[str, str] = {}
    for name, value in attrs:
        values.setdefault(name, value or "")
    return values


def start_tag(tag: str, attributes: list[tuple[str, str]] | dict[str, str]) -> str:
    items = attributes.items() if isinstance(attributes, dict) else attributes
    rendered = "".join(f' {name}="{escape_attribute(value)}"' for name, value in items)
    return f"<{tag}{rendered}>"


# A complete "&name;" reference. Python's parser does not say whether a reference ended in
# ";", so unknown names are escaped up front to keep "&foo;" as the text "&foo;".
UNKNOWN_ENTITY = re.compile(r"&([A-Za-z][-.A-Za-z0-9]*);")


def _escape_unknown_entity(match: re.Match) -> str:
    if match.group(1) + ";" in HTML5_ENTITIES:
        return match.group(0)
    return f"&amp;{match.group(1)};"


def rewrite(html: str, profile: Profile, site_host: str = "",
            image_paths: tuple[str, ...] = ("bilder",)) -> tuple[str, list[Removal]]:
    html = UNKNOWN_ENTITY.sub(_escape_unknown_entity, html)
    try:
        rewriter = Rewriter(profile, site_host, image_paths)
        rewriter.feed(html)
        return rewriter.finish()
    except AssertionError:
        # Python's parser still gives up on some malformed markup; then no "<!" or "<?" is
        # read as markup at all (they become text) and the walk starts again.
        rewriter = Rewriter(profile, site_host, image_paths)
        rewriter.feed(html.replace("<!", "&lt;!").replace("<?", "&lt;?"))
        return rewriter.finish()
