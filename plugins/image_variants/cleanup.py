"""Make sure no image in the output folder carries metadata (theme, favicon, static files).

The variants this plugin writes are clean by construction; everything else that reached the
output (Pelican's static and theme copies) is checked here and cleaned: losslessly where
possible, by decoding, rotating upright and encoding again where an EXIF orientation must
be applied. Files are replaced (new file, then rename), never written in place, so a hard
link to a source file in content/ or theme/ is never modified.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from .encode import pixel_limit
from .errors import ImageError
from .metadata import INSPECTABLE, NeedsReencode, UnreadableImage, scan, sniff, strip_metadata

# Raster formats a browser might show; SVG and PDF are not raster images.
RASTER = INSPECTABLE | {"TIFF", "BMP", "JXL"}
UNCHECKABLE = {"TIFF", "JXL", "HEIC"}


def image_kind(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            kind = sniff(handle.read(32))
    except OSError:
        return None
    return kind if kind in RASTER else None


def clean_file(path: Path, shown: str, max_pixels: int) -> list[str]:
    """Remove metadata from one output file; returns what was removed ([] if clean).

    Raises ImageError if the file is broken or cannot be cleaned."""
    kind = image_kind(path)
    if kind is None or kind == "BMP":
        return []
    if kind in UNCHECKABLE:
        raise ImageError(shown, f"Bilder im Format {kind} können nicht auf Metadaten geprüft "
                         "werden und werden nicht veröffentlicht. Bitte als PNG oder JPEG "
                         "ablegen.")
    data = path.read_bytes()
    try:
        findings = list(scan(data).findings)
        if not findings:
            return []
        try:
            cleaned = strip_metadata(data)
        except NeedsReencode:
            cleaned = _reencode(data, kind, shown, max_pixels)
    except UnreadableImage as error:
        raise ImageError(shown, f"Die Bilddatei ist beschädigt ({error}).") from None
    try:
        left = scan(cleaned).findings
    except UnreadableImage:
        left = ("unlesbar",)
    if left:
        raise ImageError(shown, f"Metadaten ({', '.join(left)}) ließen sich nicht entfernen.")
    _replace(path, cleaned)
    return findings


def _reencode(data: bytes, kind: str, shown: str, max_pixels: int) -> bytes:
    try:
        with pixel_limit(max_pixels), Image.open(io.BytesIO(data)) as image:
            if getattr(image, "n_frames", 1) > 1 and image.format != "MPO":
                raise ImageError(shown, "Das animierte Bild enthält eine EXIF-Drehung und "
                                 "lässt sich nicht verlustfrei bereinigen.")
            icc = image.info.get("icc_profile")
            upright = ImageOps.exif_transpose(image)
            upright.info = {}
            extra = {"icc_profile": icc} if icc else {}
            buffer = io.BytesIO()
            if kind == "JPEG":
                upright.save(buffer, "JPEG", quality=90, optimize=True, **extra)
            elif kind == "WEBP":
                lossless = b"VP8L" in data[12:64]
                upright.save(buffer, "WEBP", quality=90, lossless=lossless, **extra)
            elif kind == "AVIF":
                upright.save(buffer, "AVIF", quality=80, **extra)
            else:
                upright.save(buffer, "PNG", optimize=True, **extra)
            return buffer.getvalue()
    except ImageError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure names the file
        raise ImageError(shown, f"Das Bild ließ sich nicht neu speichern ({error}).") from None


def _replace(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".bereinigt-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
