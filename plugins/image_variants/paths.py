"""Which file an image reference names, and what the variants are called (pure functions)."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

# Pelican's placeholders, {static} or |static|.
_PLACEHOLDER = re.compile(r"^[{|](?P<what>static|attach|filename)[|}]", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")

# A link (<a href>) to one of these is a link to an image and is pointed at a variant.
LINKED_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")


class Outside(str):
    """A reference that climbs out of the content folder (value: the reference)."""


def local_target(reference: str, source_dir: str, site_url: str,
                 exists: Callable[[str], bool]) -> str | Outside | None:
    """The content-relative path (e.g. "bilder/foto.jpg") an image reference names.

    None for references to other hosts or with other schemes (data:, mailto: …): those are
    not ours. `source_dir` is the referring file's folder relative to the content folder
    ("beitraege"); `exists(path)` says whether a content-relative file exists.

    - `{static}/bilder/x.jpg`, `{attach}…`, `{filename}…`: as Pelican resolves them
      (leading "/" from the content folder, otherwise from the referring file's folder);
    - `/bilder/x.jpg` and `https://<our host>/bilder/x.jpg`: from the site root, which is
      the content folder;
    - `../bilder/x.jpg`: from the referring file's folder; if no such file exists there,
      as a URL relative to the page (`../../bilder/x.jpg` on beitraege/slug/), i.e. from the
      site root after dropping the leading "../" (as post_sanitizer reads such paths).
    """
    value = reference.strip()
    if not value or value.startswith("#"):
        return None
    placeholder = _PLACEHOLDER.match(value)
    if placeholder:
        path = _path_only(value[placeholder.end():])
        return _join(source_dir, path, reference)
    if value.startswith("//") or _SCHEME.match(value):
        parts = urlsplit(value)
        site = urlsplit(site_url or "")
        if parts.scheme.lower() not in ("http", "https", "") or not site.hostname:
            return None
        if (parts.hostname or "").lower() != site.hostname.lower():
            return None
        path = unquote(parts.path)
        base = site.path.rstrip("/")
        if base and not (path == base or path.startswith(base + "/")):
            return None
        return _join("", "/" + path[len(base):].lstrip("/"), reference)
    path = _path_only(value)
    if path.startswith("/"):
        return _join("", path, reference)
    relative = _join(source_dir, path, reference)
    if not isinstance(relative, Outside) and exists(relative):
        return relative
    stripped = path
    while stripped.startswith("../"):
        stripped = stripped[3:]
    from_root = _join("", "/" + stripped, reference)
    if not isinstance(from_root, Outside) and exists(from_root):
        return from_root
    return relative


def _path_only(value: str) -> str:
    return unquote(re.split(r"[?#]", value, maxsplit=1)[0])


def _join(source_dir: str, path: str, reference: str) -> str | Outside:
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(source_dir, path)
    normalised = posixpath.normpath(joined) if joined else ""
    if not normalised or normalised == "." or normalised.startswith("../") or normalised == "..":
        return Outside(reference)
    return normalised


def is_linked_image(path: str) -> bool:
    return path.lower().endswith(LINKED_IMAGE_EXTENSIONS)


_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae",
                                "Ö": "oe", "Ü": "ue"})


def file_stem(path: str) -> str:
    """A URL-safe name from a file name: "Unser Stuhlkreis (2).JPG" -> "unser-stuhlkreis-2"."""
    stem = posixpath.splitext(posixpath.basename(path))[0].translate(_TRANSLITERATE)
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")
    return slug[:80].rstrip("-") or "bild"


def variant_path(output_dir: str, stem: str, width: int, digest: str, fmt: str) -> str:
    """Output-relative path of one variant: bilder/<name>-<width>.<hash8>.<ext>."""
    return f"{output_dir.strip('/')}/{stem}-{width}.{digest[:8]}.{fmt}"


def url_base(site_url: str, relative_urls: bool, save_as: str) -> str:
    """What variant paths are prefixed with in a page written to `save_as`.

    Absolute (SITEURL + "/") for the published site, relative to the page's own folder with
    RELATIVE_URLS, root-relative ("/") without SITEURL."""
    if not relative_urls:
        return (site_url or "").rstrip("/") + "/"
    folder = posixpath.dirname(save_as.strip("/")) if save_as else ""
    depth = len([part for part in folder.split("/") if part and part != "."])
    return "../" * depth
