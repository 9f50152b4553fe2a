"""Digests of what a template reads, so an output whose inputs did not change is not rendered
again.

A template's inputs are the context variables it (or a template it extends, includes or
imports) names: Jinja's own analysis (`jinja2.meta`) lists them. Each variable's value is
digested by what it holds, not by identity, so the same post gives the same digest in the
next build:

- posts and pages by their own fields (body, metadata, everything plugins set on them) and
  the metadata of the posts they point to (related posts, neighbours), whose body counts
  only where it makes their summary: a page shows a neighbour's title, date, URL and
  summary, never its body or reading time;
- a body with intra-site links (`{filename}…`) also by every link target's URL, because
  Pelican fills those in while rendering;
- categories, tags and authors by name and slug (their URLs follow from the settings, which
  are part of the cache generation, see fingerprint.py);
- everything else by its value; objects by their fields.

Only the settings, theme, plugin code and package versions are outside this digest; they
name the cache generation instead.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import functools
import hashlib
import re
import types
from collections.abc import Callable, Iterable, Mapping

from jinja2 import Environment, meta
from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper

from .fingerprint import stable_text

# Attributes of a post that are not its content: the whole site's settings and context (part
# of the generation, or digested variable by variable), and memos filled while rendering.
NOT_FIELDS = frozenset({"settings", "_context", "reading_time_label"})
ALL_VARIABLES = None  # a template whose inputs cannot be known statically
FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, types.MethodType,
             functools.partial, type)


@dataclasses.dataclass(frozen=True)
class TemplateInputs:
    variables: frozenset[str] | None  #: context variables it can read; None: any
    sources: str  #: digest of its source and of every template it uses
    templates: tuple[str, ...] = ()  #: the names of those templates

    def to_json(self) -> dict:
        return {"variables": None if self.variables is None else sorted(self.variables),
                "sources": self.sources, "templates": list(self.templates)}

    @classmethod
    def from_json(cls, data: dict) -> TemplateInputs:
        variables = data["variables"]
        return cls(None if variables is None else frozenset(variables), data["sources"],
                   tuple(data["templates"]))


def sources_digest(env: Environment, names: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for name in names:
        source, _, _ = env.loader.get_source(env, name)
        digest.update(f"{name}\0{source}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


# One template's own variables and the templates it names (None: one chosen at render time).
Analysis = tuple[frozenset[str], tuple[str | None, ...]]


def template_inputs(env: Environment, name: str,
                    analysed: dict[str, Analysis] | None = None) -> TemplateInputs:
    """What `name` and the templates it extends, includes or imports read: their context
    variables and their sources (a template may live outside the theme, like robots.txt).
    `analysed` keeps each template's analysis for the next call with the same environment:
    every page template extends base.html and shares partials, and parsing is the slow part."""
    analysed = {} if analysed is None else analysed
    found: set[str] = set()
    seen: list[str] = []
    dynamic = False
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.append(current)
        if current not in analysed:
            source, _, _ = env.loader.get_source(env, current)
            tree = env.parse(source, current)
            analysed[current] = (frozenset(meta.find_undeclared_variables(tree)),
                                 tuple(meta.find_referenced_templates(tree)))
        variables, references = analysed[current]
        found |= variables
        for referenced in references:
            if referenced is None:
                dynamic = True  # chosen at render time: any variable may matter
            else:
                pending.append(referenced)
    return TemplateInputs(ALL_VARIABLES if dynamic else frozenset(found),
                          sources_digest(env, seen), tuple(seen))


def template_variables(env: Environment, name: str) -> frozenset[str] | None:
    return template_inputs(env, name).variables


class Digester:
    """Digests of template inputs for one build. Long-lived objects (posts, taxonomy
    entries, the lists in the shared context) are remembered by identity; the memo keeps a
    reference, so an identity is never reused for another object during the build."""

    def __init__(self, link_pattern: str = r"[{|](?P<what>.*?)[|}]") -> None:
        self._memo: dict[int, tuple[object, bytes]] = {}
        self._neighbours: dict[int, tuple[object, bytes]] = {}
        self._in_progress: set[int] = set()
        self._cycle_open = False
        self._link_targets: Callable[[], bytes] | None = None
        self._link_targets_digest: bytes | None = None
        self._has_links = re.compile(link_pattern).search

    def set_link_targets(self, link_targets: Callable[[], bytes]) -> None:
        """Where intra-site link targets are published, computed on first need."""
        self._link_targets = link_targets
        self._link_targets_digest = None

    # --- public ------------------------------------------------------------------------------
    def key(self, parts: Iterable[str], context: Mapping, variables: frozenset[str] | None
            ) -> str:
        digest = hashlib.sha256()
        for part in parts:
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        names = sorted(context) if variables is ALL_VARIABLES else sorted(variables)
        for name in names:
            if name in context:
                digest.update(name.encode() + b"=" + self.value(context[name]) + b"\0")
        return digest.hexdigest()

    def value(self, value) -> bytes:
        kind = type(value)
        if kind is str or isinstance(value, str):  # Markup too
            return _text(value)
        if value is None or kind in (bool, int, float):
            return repr(value).encode()
        if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
            return repr(value).encode()
        if isinstance(value, enum.Enum):
            return f"{type(value).__qualname__}.{value.name}".encode()
        if isinstance(value, bytes):
            return b"b%d:" % len(value) + value
        remembered = self._memo.get(id(value))
        if remembered is not None:
            return remembered[1]
        if id(value) in self._in_progress:  # a cycle: an object that contains itself
            self._cycle_open = True
            return b"cycle:" + type(value).__qualname__.encode()
        outer_cycle, self._cycle_open = self._cycle_open, False
        self._in_progress.add(id(value))
        try:
            result = self._compute(value)
        finally:
            self._in_progress.discard(id(value))
        if not self._cycle_open:
            # Kept with a reference, so no other object can get the same id() in this
            # build. A digest made with a cycle placeholder depends on where the walk
            # started, so it is not remembered.
            self._memo[id(value)] = (value, result)
        self._cycle_open = self._cycle_open or outer_cycle
        return result

    # --- by kind -----------------------------------------------------------------------------
    def _compute(self, value) -> bytes:
        kind = type(value)  # the common kinds first: a rebuild digests 200,000 values
        if kind is dict:
            return self._mapping(value)
        if kind is list or kind is tuple:
            return self._sequence(value)
        if isinstance(value, Content):
            return self.content(value)
        if isinstance(value, URLWrapper):
            return _hash(b"u", f"{type(value).__name__}|{value.name}|{value.slug}".encode())
        if isinstance(value, Paginator):
            # Not its whole list: one post more on page 9 must not re-render pages 1 to 8.
            return _hash(b"P", repr((value.name, value.url, value.per_page, value.orphans,
                                     value.count, value.num_pages)).encode())
        if isinstance(value, Page):
            return _hash(b"p", repr((value.full_name, value.base_url, value.number)).encode(),
                         self.value(value.paginator), self.value(value.object_list))
        if isinstance(value, FUNCTIONS):
            return _hash(b"f", stable_text(value).encode())
        if isinstance(value, Mapping):
            return self._mapping(value)
        if isinstance(value, (set, frozenset)):
            return _hash(b"S", *sorted(self.value(item) for item in value))
        if isinstance(value, (list, tuple)) or _is_sequence(value):
            return self._sequence(value)
        if dataclasses.is_dataclass(value):
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            return self._object(b"d", value, fields)
        fields = _fields(value)
        if fields is None:
            return _hash(b"r", stable_text(value).encode())
        return self._object(b"o", value, fields)

    def _sequence(self, value) -> bytes:
        return _hash(b"l", *(self.value(item) for item in value))

    def _mapping(self, value: Mapping) -> bytes:
        value_of = self.value
        items = sorted(((_text(k) if type(k) is str else value_of(k)), value_of(v))
                       for k, v in value.items())
        return _hash(b"m", *(k + b":" + v for k, v in items))

    def _object(self, kind: bytes, value, fields: dict) -> bytes:
        # In the order the class sets its fields, which is the same in every run: sorting
        # them, as for real mappings, took a sixth of a rebuild.
        parts = [type(value).__qualname__.encode()]
        for name, field in fields.items():
            parts.append(name.encode())
            parts.append(self.value(field))
        return _hash(kind, *parts)

    def content(self, content) -> bytes:
        """A post or page: its own fields; posts it points to by their own fields only."""
        fields = {}
        for name, field in vars(content).items():
            if name in NOT_FIELDS:
                continue
            fields[name] = self._shallow(field)
        digest = [self._object(b"C", content, fields)]
        body = getattr(content, "_content", None) or ""
        if self._link_targets is not None and self._has_links(body):
            digest.append(self.link_targets())
        return _hash(b"c", *digest)

    def _shallow(self, field):
        """Posts inside a post's fields (related posts, neighbours) stand for themselves by
        what a template shows of them, not by their own neighbours (which would chain every
        post to every other)."""
        if isinstance(field, Content):
            return self._neighbour(field)
        if isinstance(field, (list, tuple)) and any(isinstance(i, Content) for i in field):
            return [self._neighbour(i) if isinstance(i, Content) else i for i in field]
        return field

    def _neighbour(self, content) -> bytes:
        remembered = self._neighbours.get(id(content))
        if remembered is not None:
            return remembered[1]
        fields = {name: value for name, value in vars(content).items()
                  if name not in NOT_FIELDS and not _holds_content(value)}
        if fields.get("_summary"):
            # Its body only shows through an automatic summary: with a written summary, a
            # corrected typo in a post does not re-render the pages of its neighbours.
            fields.pop("_content", None)
        result = self._object(b"n", content, fields)
        self._neighbours[id(content)] = (content, result)
        return result

    def link_targets(self) -> bytes:
        if self._link_targets_digest is None:
            self._link_targets_digest = self._link_targets() if self._link_targets else b""
        return self._link_targets_digest


def _holds_content(value) -> bool:
    if isinstance(value, Content):
        return True
    return isinstance(value, (list, tuple)) and any(isinstance(i, Content) for i in value)


def _fields(value) -> dict | None:
    if hasattr(value, "__dict__"):
        return {k: v for k, v in vars(value).items() if k not in NOT_FIELDS}
    slots = getattr(type(value), "__slots__", None)
    if slots:
        names = [slots] if isinstance(slots, str) else list(slots)
        return {name: getattr(value, name, None) for name in names}
    return None


def _is_sequence(value) -> bool:
    # Pelican's paginator pages and similar list-likes without being lists.
    return hasattr(value, "__iter__") and hasattr(value, "__len__") and not hasattr(
        value, "__dict__")



def _text(value: str) -> bytes:
    data = value.encode("utf-8", "surrogatepass")
    return b"s%d:" % len(data) + data


def _hash(kind: bytes, *parts: bytes) -> bytes:
    """sha256 of `kind` and each part with its length before it (one buffer, one call)."""
    return hashlib.sha256(kind + b"".join(
        [len(part).to_bytes(8, "little") + part for part in parts])).digest()
