"""URL keys and alphabetical order for German names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG_LENGTH = 80

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                         "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ẞ": "SS"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def is_valid_slug(value: str) -> bool:
    return len(value) <= MAX_SLUG_LENGTH and SLUG_PATTERN.fullmatch(value) is not None


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=4096)
def german_slug(text: str) -> str:
    """'Männer-SHG Würzburg' -> 'maenner-shg-wuerzburg': ä→ae, ö→oe, ü→ue, ß→ss, then a-z0-9-."""
    text = unicodedata.normalize("NFC", text).translate(_GERMAN)
    text = _without_accents(text).lower()
    slug = _NOT_SLUG.sub("-", text).strip("-")
    if len(slug) > MAX_SLUG_LENGTH:
        slug = slug[:MAX_SLUG_LENGTH].rstrip("-")
    return slug


def sort_key(name: str) -> tuple[str, str]:
    """Dictionary order (DIN 5007-1: Ä sorts as A), ignoring leading quotes and dashes."""
    folded = _without_accents(name.replace("ß", "ss")).casefold()
    folded = re.sub(r"^[^0-9a-z]+", "", folded)
    return folded, name


def initial(name: str) -> str:
    """The letter a name is filed under in the A–Z list: A–Z, or "0–9" for anything else."""
    folded = sort_key(name)[0]
    first = folded[:1].upper()
    return first if "A" <= first <= "Z" else "0–9"
