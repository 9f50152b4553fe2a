"""Reading sanitised HTML the way a browser would (html5lib, as vendored by bleach), to check
that nothing outside the post_sanitizer allowlist survives."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bleach._vendor import html5lib

from post_sanitizer.policy import BODY, SUMMARY
from post_sanitizer.rewrite import EXTERNAL_REL, OWN_FOOTNOTE_ID, Profile

ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
SITE_HOST = "www.selbsthilfe-beispielstadt.example"


@dataclass(frozen=True)
class Element:
    tag: str  # "{namespace}name" for SVG/MathML
    attributes: dict[str, str]


def elements(fragment: str) -> list[Element]:
    tree = html5lib.parseFragment(fragment, treebuilder="etree", namespaceHTMLElements=False)
    found = []
    for node in tree.iter():
        if isinstance(node.tag, str) and node.tag != "DOCUMENT_FRAGMENT":
            found.append(Element(node.tag, dict(node.attrib)))
    return found


def comments(fragment: str) -> int:
    tree = html5lib.parseFragment(fragment, treebuilder="etree", namespaceHTMLElements=False)
    return sum(1 for node in tree.iter() if not isinstance(node.tag, str))


def scheme(url: str) -> str | None:
    probe = INVISIBLE.sub("", html.unescape(url)).lower()
    match = SCHEME.match(probe)
    return match.group(1) if match else None


def violations(fragment: str, profile: Profile = BODY) -> list[str]:
    """Everything in `fragment` that the profile must never let through."""
    problems = []
    if comments(fragment):
        problems.append("comment")
    for element in elements(fragment):
        if element.tag not in profile.tags:
            problems.append(f"tag {element.tag}")
            continue
        allowed = profile.tags[element.tag]
        for name, value in element.attributes.items():
            if not isinstance(name, str) or name not in allowed:
                problems.append(f"attribute {name} on {element.tag}")
            elif name in ("href", "src") and scheme(value) not in (None, *ALLOWED_SCHEMES):
                problems.append(f"scheme in {name}={value!r}")
            elif name == "src" and (scheme(value) or value.lstrip().startswith(("//", "\\"))) \
                    and SITE_HOST not in value:
                problems.append(f"foreign image {value!r}")
            elif name == "id" and not OWN_FOOTNOTE_ID.match(value):
                problems.append(f"id {value!r}")
            elif name == "rel" and value != EXTERNAL_REL:
                problems.append(f"rel {value!r}")
            elif name == "class" and not set(value.split()) <= profile.classes.get(
                    element.tag, set()):
                problems.append(f"class {value!r} on {element.tag}")
    return problems


__all__ = ["BODY", "SUMMARY", "elements", "violations"]
