"""Remember what cleaning made of a post's metadata, for the next build.

Cleaning the metadata of a thousand unchanged posts took a tenth of a rebuild. The result
is a pure function of the metadata dict Pelican hands over, the file (its bytes give the
line numbers in messages), the settings and versions the cleaning reads and this plugin's
code; the Pelican glue builds the key from all of them with `metadata_key` and stores what
`describe_result` returns, with the messages cleaning made (as data, never taken from the
logging system, whose level and filters differ between runs).

Only an allow-list of value types is remembered: strings, numbers, None, dates and times,
Pelican's own Tag/Author/Category with a slug made from their name, and lists of these (a
Markup string may be read, but a result holding one is not remembered: nothing here marks
text safe). Metadata with any other value is cleaned afresh on every build. A date or
time that cleaning passed through is stored as "the same as given"; everything else by its
value, so a replay never hands back an object as the file wrote it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from markupsafe import Markup
from pelican.urlwrappers import Author, Category, Tag

WRAPPERS = {"Tag": Tag, "Author": Author, "Category": Category}
PLAIN = (type(None), bool, int, float)
MOMENTS = (datetime.date, datetime.time)  # datetime is a date


class NotDescribable(ValueError):
    pass


def _wrapper_kind(value) -> str | None:
    """"Tag", "Author" or "Category" for Pelican's own classes, with a slug from the name
    (a slug set by hand would not survive a replay)."""
    kind = type(value).__name__
    if WRAPPERS.get(kind) is type(value) and getattr(value, "_slug_from_name", False):
        return kind
    return None


def _describe_input(value) -> Any:
    if type(value) in (str, Markup):
        return [type(value).__name__, str(value)]
    if type(value) in PLAIN:
        return [type(value).__name__, repr(value)]
    if isinstance(value, MOMENTS):
        return [type(value).__name__, repr(value)]
    kind = _wrapper_kind(value)
    if kind:
        return [kind, value.name]
    if type(value) in (list, tuple):
        return [type(value).__name__, [_describe_input(item) for item in value]]
    raise NotDescribable(type(value).__name__)


def metadata_key(metadata: dict, *parts: str) -> str | None:
    """A key for this metadata and everything else (`parts`) that decides the cleaning."""
    try:
        described = {key: _describe_input(value) for key, value in metadata.items()}
    except NotDescribable:
        return None
    digest = hashlib.sha256(b"metadata\0")
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(json.dumps(described, sort_keys=True).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _describe_output(value, given) -> Any:
    if type(value) is str:
        return ["s", value]
    if type(value) in PLAIN:
        return ["v", value]
    kind = _wrapper_kind(value)
    if kind:  # cleaning renames wrappers in place: always by name, never "the same"
        return ["w", kind, value.name]
    if type(value) is list:
        return ["l", [_describe_output(item, None) for item in value]]
    if isinstance(value, MOMENTS) and value is given:
        return ["same"]
    raise NotDescribable(type(value).__name__)


def describe_result(given: dict, cleaned: dict) -> dict | None:
    """The cleaned metadata as JSON, relative to the `given` metadata it was cleaned from."""
    try:
        return {key: _describe_output(value, given.get(key)) for key, value in cleaned.items()}
    except NotDescribable:
        return None


def _rebuild(description: list, given, settings: dict) -> Any:
    tag = description[0]
    if tag == "s":
        return str(description[1])
    if tag == "v" and type(description[1]) in PLAIN:
        return description[1]
    if tag == "w":
        return WRAPPERS[description[1]](str(description[2]), settings)
    if tag == "l":
        return [_rebuild(item, None, settings) for item in description[1]]
    if tag == "same" and isinstance(given, MOMENTS):
        return given
    raise ValueError(f"not a description: {description!r}")


def apply_result(metadata: dict, description: dict, settings: dict) -> None:
    """Turn `metadata` (as given) into the cleaned metadata `description` stands for. Raises
    on a damaged description and leaves `metadata` untouched then."""
    cleaned = {str(key): _rebuild(value, metadata.get(key), settings)
               for key, value in description.items()}
    metadata.clear()
    metadata.update(cleaned)
