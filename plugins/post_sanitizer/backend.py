"""The only module that talks to an HTML sanitiser library.

bleach is deprecated (mozilla/bleach#698) and nh3 succeeds it, so the rest of the plugin only
sees the tiny `HtmlCleaner` interface. Both cleaners enforce the same allowlist, handed over as
plain data plus one attribute-value check; they are the last gate after policy.py's own
rewriting, so whatever that rewriting misses, these never let through.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol

import bleach
from bleach.sanitizer import Cleaner

from .errors import BackendUnavailableError, SettingsError

# (tag, attribute, value) -> keep the attribute?
AttributeCheck = Callable[[str, str, str], bool]

BACKENDS = ("bleach", "nh3")


@dataclass(frozen=True)
class Allowlist:
    """What a cleaner lets through: tags, their attributes, URL schemes, a value check."""

    tags: frozenset[str]
    attributes: Mapping[str, frozenset[str]]
    protocols: frozenset[str]
    attribute_allowed: AttributeCheck
    # Tags removed together with everything inside them.
    drop_content: frozenset[str] = frozenset({"script", "style"})


class HtmlCleaner(Protocol):
    def clean(self, html: str) -> str: ...


class BleachCleaner:
    """bleach with an explicit allowlist; the Cleaner is built once and reused."""

    name = "bleach"

    def __init__(self, allowlist: Allowlist) -> None:
        def keep(tag: str, name: str, value: str) -> bool:
            return (name in allowlist.attributes.get(tag, ())
                    and allowlist.attribute_allowed(tag, name, value))

        self._cleaner = Cleaner(
            tags=set(allowlist.tags),
            attributes=keep,
            protocols=set(allowlist.protocols),
            strip=True,
            strip_comments=True,
        )

    def clean(self, html: str) -> str:
        return self._cleaner.clean(html)


class Nh3Cleaner:
    """nh3 (ammonia, in Rust) with the same allowlist. Optional: imported only when used."""

    name = "nh3"

    def __init__(self, allowlist: Allowlist) -> None:
        try:
            import nh3  # noqa: PLC0415 - optional dependency, see pyproject's "bench" extra
        except ImportError as error:
            raise BackendUnavailableError(
                "POST_SANITIZER_BACKEND", None,
                "„nh3“ ist nicht installiert (pip install nh3); bitte „bleach“ verwenden.",
            ) from error

        def keep(tag: str, name: str, value: str) -> str | None:
            return value if allowlist.attribute_allowed(tag, name, value) else None

        self._cleaner = nh3.Cleaner(
            tags=set(allowlist.tags),
            clean_content_tags=set(allowlist.drop_content) - set(allowlist.tags),
            attributes={tag: set(names) for tag, names in allowlist.attributes.items()},
            attribute_filter=keep,
            url_schemes=set(allowlist.protocols),
            strip_comments=True,
            link_rel=None,  # rel is decided by policy.py (external links only)
        )

    def clean(self, html: str) -> str:
        return self._cleaner.clean(html)


def make_cleaner(backend: str, allowlist: Allowlist) -> HtmlCleaner:
    if backend == "bleach":
        return BleachCleaner(allowlist)
    if backend == "nh3":
        return Nh3Cleaner(allowlist)
    raise SettingsError("POST_SANITIZER_BACKEND", None,
                        f"unbekannter Wert „{backend}“; erlaubt sind: {', '.join(BACKENDS)}.")


def backend_version(backend: str) -> str:
    """The library's version, part of the cache key: a new version may clean differently."""
    if backend == "nh3":
        try:
            return f"nh3 {version('nh3')}"
        except PackageNotFoundError:
            return "nh3 (nicht installiert)"
    return f"bleach {bleach.__version__}"
