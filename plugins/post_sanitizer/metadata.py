"""Metadata of contributed posts: an allowlist of keys, and plain text in every shown field.

Works on the metadata dict Pelican builds before it creates the Article. Tags, authors and
the category arrive as Pelican's URLWrapper objects (Tag, Author, Category); they are only
duck-typed here (`.name`, `.slug`), so this module needs no Pelican import.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .policy import DEFAULT_IMAGE_PATHS, clean_text, sanitize_summary
from .urls import is_own_image


@dataclass(frozen=True)
class MetadataNote:
    key: str  # the metadata key, to find its line in the source
    message: str  # German, for editors
    problem: bool = False  # the author must fix the file (not just a note)


@dataclass(frozen=True)
class MetadataRules:
    allowed_keys: frozenset[str]
    allowed_statuses: frozenset[str] = frozenset({"published", "draft"})
    title_max: int = 200
    text_max: int = 100
    site_host: str = ""
    image_paths: tuple[str, ...] = DEFAULT_IMAGE_PATHS
    backend: str = "bleach"
    default_author: str = "Anonym"
    default_category: str = "Allgemein"
    # Cleans a summary; the Pelican glue passes one that remembers results across builds.
    summary_cleaner: Callable[[str], Any] | None = None


# (kind, name) -> a new Author or Category; given by the Pelican glue.
WrapperFactory = Callable[[str, str], Any]


DROP_REASONS = {
    "slug": "die Adresse eines Beitrags ergibt sich aus dem Dateinamen",
    "save_as": "eingesandte Beiträge dürfen nicht festlegen, wohin sie geschrieben werden",
    "url": "eingesandte Beiträge dürfen nicht festlegen, wohin sie geschrieben werden",
    "template": "eingesandte Beiträge dürfen keine eigene Vorlage wählen",
    "lang": "eingesandte Beiträge erscheinen immer auf Deutsch",
    "translation": "eingesandte Beiträge haben keine Übersetzungen",
}
# Fields shown as plain text, with the setting that limits their length.
TEXT_FIELDS = ("inhaltshinweis", "gruppe")
GERMAN_NAMES = {"title": "Titel", "author": "Autor/in", "authors": "Autor/innen",
                "tags": "Schlagwort", "category": "Kategorie", "summary": "Kurzfassung",
                "inhaltshinweis": "Inhaltshinweis", "gruppe": "Gruppe", "image": "Bild"}


def label(key: str) -> str:
    return f"„{key.capitalize()}:“"


def _text_change(original: str, cleaned: str, max_length: int) -> str | None:
    """Why `cleaned` differs from what the author wrote, if it differs in substance."""
    plain = " ".join(html.unescape(original).split())
    if cleaned == plain:
        return None
    if cleaned.endswith("…") and plain.startswith(cleaned[:-1]) and len(plain) > max_length:
        return f"auf {max_length} Zeichen gekürzt"
    return "HTML und Steuerzeichen entfernt – hier ist nur reiner Text erlaubt"


def _clean_wrapper(wrapper: Any, max_length: int) -> tuple[Any | None, str | None]:
    """A Tag/Author/Category with a plain-text name, or None if nothing usable is left.

    A name whose slug is empty would make Pelican write `schlagwort//index.html`."""
    original = str(getattr(wrapper, "name", wrapper))
    cleaned = clean_text(original, max_length)
    change = _text_change(original, cleaned, max_length)
    if not cleaned:
        return None, "nach dem Entfernen von HTML bleibt nichts übrig"
    if not hasattr(wrapper, "name"):
        return cleaned, change
    if cleaned != wrapper.name:
        wrapper.name = cleaned  # Pelican recomputes the slug from the new name
    if not wrapper.slug:
        return None, "daraus lässt sich keine Adresse bilden"
    return wrapper, change


def _clean_wrappers(metadata: dict, key: str, max_length: int, notes: list[MetadataNote]) -> None:
    values = metadata[key]
    single = not isinstance(values, list)
    kept = []
    for value in [values] if single else values:
        cleaned, problem = _clean_wrapper(value, max_length)
        name = GERMAN_NAMES.get(key, key)
        shown = clean_text(str(getattr(value, "name", value)), 60) or "(leer)"
        if cleaned is None:
            notes.append(MetadataNote(key, f"{name} „{shown}“ entfernt – {problem}"))
        else:
            kept.append(cleaned)
            if problem:
                notes.append(MetadataNote(key, f"{name} „{shown}“: {problem}"))
    if not kept:
        del metadata[key]
    else:
        metadata[key] = kept[0] if single else kept


def _clean_plain(metadata: dict, key: str, max_length: int, notes: list[MetadataNote]) -> None:
    value = metadata[key]
    original = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    cleaned = clean_text(original, max_length)
    change = _text_change(original, cleaned, max_length)
    name = GERMAN_NAMES.get(key, key.capitalize())
    if not cleaned:
        del metadata[key]
        notes.append(MetadataNote(key, f"{name} entfernt – nach dem Entfernen von HTML bleibt "
                                       "nichts übrig"))
        return
    metadata[key] = cleaned
    if change:
        notes.append(MetadataNote(key, f"{name}: {change}"))


def sanitize_metadata(metadata: dict, file_keys: Iterable[str], rules: MetadataRules,
                      make_wrapper: WrapperFactory | None = None) -> list[MetadataNote]:
    """Clean a contributed post's metadata in place; return what editors should know.

    Only keys the file itself set (`file_keys`) are checked against the allowlist; keys
    Pelican adds from the settings (`reader`, a default category) stay. An author or
    category that cleans away entirely is replaced by the default one (with
    `make_wrapper`), because the theme and Pelican rely on both."""
    notes: list[MetadataNote] = []
    from_file = {key.lower() for key in file_keys}
    for key in list(metadata):
        if key in from_file and key not in rules.allowed_keys:
            del metadata[key]
            reason = DROP_REASONS.get(key, "in eingesandten Beiträgen nicht erlaubt")
            notes.append(MetadataNote(key, f"Angabe {label(key)} entfernt – {reason}",
                                      problem=True))

    if "status" in metadata and "status" in from_file:
        status = str(metadata["status"]).strip().lower()
        if status not in rules.allowed_statuses:
            status = "draft"
            notes.append(MetadataNote("status", f"Status „{clean_text(metadata['status'], 30)}“ "
                                                "nicht erlaubt – der Beitrag bleibt ein Entwurf "
                                                "(draft)", problem=True))
        metadata["status"] = status

    if "title" in metadata:
        _clean_plain(metadata, "title", rules.title_max, notes)
    for key in ("author", "authors", "tags"):
        if key in metadata:
            _clean_wrappers(metadata, key, rules.text_max, notes)
    # No author, or one that was nothing but HTML: anonymous is normal in self-help.
    if "author" not in metadata and "authors" not in metadata and make_wrapper:
        metadata["author"] = make_wrapper("author", rules.default_author)
        notes.append(MetadataNote("author", f"Autor/in wird als „{rules.default_author}“ "
                                            "angezeigt"))
    if "category" in metadata:
        _clean_wrappers(metadata, "category", rules.text_max, notes)
        if "category" not in metadata and make_wrapper:
            metadata["category"] = make_wrapper("category", rules.default_category)
            notes.append(MetadataNote("category", "Kategorie wird als "
                                                  f"„{rules.default_category}“ angezeigt"))
    for key in TEXT_FIELDS:
        if key in metadata:
            _clean_plain(metadata, key, rules.text_max, notes)
    if "image" in metadata:
        _clean_image(metadata, rules, notes)
    if "summary" in metadata:
        summary = str(metadata["summary"])
        result = (rules.summary_cleaner(summary) if rules.summary_cleaner else
                  sanitize_summary(summary, site_host=rules.site_host, backend=rules.backend))
        metadata["summary"] = result.html
        notes.extend(MetadataNote("summary", f"Kurzfassung: {removal}")
                     for removal in result.removals)
    return notes


def _clean_image(metadata: dict, rules: MetadataRules, notes: list[MetadataNote]) -> None:
    value = clean_text(str(metadata["image"]), 300)
    if value and is_own_image(value, rules.site_host, rules.image_paths):
        metadata["image"] = value
        return
    del metadata["image"]
    folders = ", ".join(f"{p}/" for p in rules.image_paths)
    notes.append(MetadataNote("image", f"Angabe {label('image')} entfernt – nur Bilder aus "
                                       f"dem Ordner {folders} sind erlaubt", problem=True))
