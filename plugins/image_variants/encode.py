"""Open contributed images safely, and encode their variants (Pillow; no Pelican here).

`probe()` reads only the header: format, size, orientation, transparency. `encode()` decodes
the pixels once, applies the EXIF orientation, resizes to every width and writes WebP (AVIF)
and JPEG/PNG files that carry no metadata at all. It runs in worker processes, so everything
it takes and returns is plain, picklable data.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import time
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageCms, ImageFile, UnidentifiedImageError, features

from .errors import ImageError
from .metadata import find_metadata, sniff


MIME_TYPES = {"avif": "image/avif", "webp": "image/webp", "jpg": "image/jpeg",
              "png": "image/png"}

# Orientation tag value -> the transposition that makes the picture upright.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

_FORMAT_NAMES = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF",
                 "AVIF": "AVIF", "HEIC": "HEIC", "TIFF": "TIFF", "BMP": "BMP", "ICO": "ICO",
                 "CUR": "CUR", "JXL": "JPEG XL", "SVG": "SVG", "PDF": "PDF"}

ImageFile.LOAD_TRUNCATED_IMAGES = False


@lru_cache(maxsize=4)
def code_version(folder: Path = Path(__file__).parent) -> str:
    """This plugin's source: changed encoding (or cache) code never serves an old cached
    variant. A change to the markup code makes new variants too; that is rare and safe."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class EncodeSettings:
    """Everything that decides the bytes of the variants (part of the cache key)."""

    widths: tuple[int, ...] = (480, 960, 1600)
    avif: bool = False
    webp_quality: int = 78
    jpeg_quality: int = 80
    avif_quality: int = 65
    avif_speed: int = 8
    convert_to_srgb: bool = True
    accepted_formats: tuple[str, ...] = ("JPEG", "PNG", "WEBP")
    max_pixels: int = 50_000_000

    def fingerprint(self) -> dict:
        return {
            "plugin": code_version(), "pillow": Image.__version__,
            "libs": {name: features.version(name) for name in ("jpg", "webp", "avif", "zlib",
                                                               "littlecms2")},
            "widths": list(self.widths), "avif": self.avif,
            "quality": [self.webp_quality, self.jpeg_quality, self.avif_quality,
                        self.avif_speed],
            "srgb": self.convert_to_srgb,
            # A cached image skips probe(): a tightened limit must still apply to it.
            "accepted": sorted(self.accepted_formats), "max_pixels": self.max_pixels,
        }

    @property
    def modern_formats(self) -> tuple[str, ...]:
        return ("avif", "webp") if self.avif else ("webp",)


@dataclass(frozen=True)
class ImageInfo:
    """What the markup needs to know, from the header only (or from the cache)."""

    width: int  # upright, i.e. after the EXIF orientation is applied
    height: int
    widths: tuple[int, ...]  # of the variants, ascending
    fallback: str  # "jpg" or "png"

    def height_for(self, width: int) -> int:
        return max(1, round(self.height * width / self.width))

    def to_json(self) -> dict:
        return {"width": self.width, "height": self.height, "widths": list(self.widths),
                "fallback": self.fallback}

    @classmethod
    def from_json(cls, data: dict) -> ImageInfo:
        return cls(int(data["width"]), int(data["height"]), tuple(data["widths"]),
                   data["fallback"])


@dataclass(frozen=True)
class Variant:
    name: str  # file name inside the cache entry, e.g. "960.webp"
    width: int
    height: int
    format: str  # avif, webp, jpg, png
    size: int  # bytes


@dataclass
class EncodeResult:
    variants: list[Variant]
    decoded: int = 1
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def variant_widths(width: int, wanted: tuple[int, ...]) -> tuple[int, ...]:
    """The wanted widths below the original's, plus the largest that fits: never upscaled."""
    chosen = {w for w in wanted if w < width}
    chosen.add(min(width, max(wanted)))
    return tuple(sorted(chosen))


def variant_file_name(width: int, fmt: str) -> str:
    return f"{width}.{fmt}"


@contextlib.contextmanager
def pixel_limit(max_pixels: int):
    """Pillow's decompression-bomb limit for this block; its warning counts as an error."""
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _format_name(kind: str | None) -> str:
    return _FORMAT_NAMES.get(kind or "", kind or "")


def accepted_list(settings: EncodeSettings, conjunction: str = "und") -> str:
    names = [_format_name(f) for f in settings.accepted_formats]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def megapixels(pixels: float) -> str:
    """German figure: 1,5 / 12 / 50."""
    value = pixels / 1e6
    text = f"{value:.1f}" if value < 10 and round(value, 1) != round(value) else f"{value:.0f}"
    return text.replace(".", ",")


def open_image(path: str, shown: str, settings: EncodeSettings) -> Image.Image:
    """Open an accepted image (header only). Must be called inside `pixel_limit()`.

    Raises ImageError with a message for editors for anything we do not publish."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except FileNotFoundError:
        raise ImageError(shown, "Diese Bilddatei gibt es nicht.") from None
    except OSError as error:
        raise ImageError(shown, f"Die Datei lässt sich nicht lesen ({error.strerror}).") from None
    kind = sniff(head)
    accepted = accepted_list(settings)
    choice = accepted_list(settings, "oder")
    if kind == "SVG":
        raise ImageError(shown, "SVG-Grafiken werden nicht angenommen, weil sie Skripte "
                         f"enthalten können. Bitte als {choice} einreichen.")
    if kind == "HEIC":
        raise ImageError(shown, "Das Bild ist im HEIC-Format (iPhone). Bitte als JPEG "
                         "einreichen (iPhone: Einstellungen › Kamera › Formate › „Maximale "
                         "Kompatibilität“).")
    if kind is None or kind not in settings.accepted_formats:
        if kind is None or kind == "PDF":
            raise ImageError(shown, "Die Datei ist kein Bild (oder in einem unbekannten "
                             f"Format). Angenommen werden {accepted}.")
        reason = " (meist Animationen)" if kind == "GIF" else ""
        raise ImageError(shown, f"Bilder im Format {_format_name(kind)}{reason} werden nicht "
                         f"angenommen. Bitte als {choice} einreichen.")
    formats = list(settings.accepted_formats)
    try:
        image = Image.open(path, formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(shown, path, settings) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ImageError(shown, "Die Datei ist beschädigt und lässt sich nicht als Bild "
                         f"öffnen ({error}).") from None
    if image.format not in settings.accepted_formats and not (
            image.format == "MPO" and "JPEG" in settings.accepted_formats):
        image.close()
        raise ImageError(shown, f"Bilder im Format {_format_name(image.format)} werden nicht "
                         f"angenommen. Bitte als {choice} einreichen.")
    if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
        image.close()
        raise ImageError(shown, "Das Bild ist animiert. Angenommen werden nur unbewegte "
                         "Bilder.")
    return image


def _too_large(shown: str, path: str, settings: EncodeSettings) -> ImageError:
    size = ""
    with contextlib.suppress(Exception):
        previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(path, formats=list(settings.accepted_formats)) as image:
                    width, height = image.size
            size = f" ({width} × {height} Pixel, {megapixels(width * height)} Megapixel)"
        finally:
            Image.MAX_IMAGE_PIXELS = previous
    return ImageError(shown, f"Das Bild ist zu groß, um es sicher zu verarbeiten{size}; "
                      f"höchstens {megapixels(settings.max_pixels)} Megapixel. Bitte verkleinert "
                      "einreichen.")


def _orientation(image: Image.Image) -> int:
    try:
        value = int(image.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001 - a broken EXIF block: treat the image as upright
        return 1
    return value if value in _TRANSPOSE or value == 1 else 1


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def probe(path: str, shown: str, settings: EncodeSettings) -> ImageInfo:
    """Header-only look at an image: no pixels are decoded."""
    with pixel_limit(settings.max_pixels):
        image = open_image(path, shown, settings)
        with image:
            width, height = image.size
            if _orientation(image) in (5, 6, 7, 8):
                width, height = height, width
            fallback = "png" if _has_alpha(image) else "jpg"
    return ImageInfo(width, height, variant_widths(width, settings.widths), fallback)


def _decode(path: str, shown: str, settings: EncodeSettings, info: ImageInfo) -> Image.Image:
    """Decode once, at the smallest JPEG scale that still covers the largest variant, apply
    the orientation and colour profile; return an RGB or RGBA image without any info."""
    with pixel_limit(settings.max_pixels):
        image = open_image(path, shown, settings)
        with image:
            orientation = _orientation(image)
            icc = image.info.get("icc_profile")
            largest = info.widths[-1]
            target = (largest, info.height_for(largest))
            if orientation in (5, 6, 7, 8):
                target = (target[1], target[0])
            if image.format in ("JPEG", "MPO"):
                image.draft(None, target)  # DCT scaling: decode 12 MP at 1/2 for 1600 px
            try:
                image.load()
            except (OSError, ValueError, SyntaxError, EOFError) as error:
                raise ImageError(shown, "Die Datei ist beschädigt oder unvollständig "
                                 f"übertragen ({error}). Bitte erneut einreichen.") from None
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _too_large(shown, path, settings) from None
            alpha = info.fallback == "png"
            if icc and settings.convert_to_srgb:
                converted = _to_srgb(image if image.mode in ("RGB", "RGBA", "CMYK")
                                     else _normalise_mode(image, alpha), icc, alpha)
                if converted is not None:
                    image = converted
                icc = None  # converted to sRGB, or unusable: published without a profile
            decoded = _normalise_mode(image, alpha)
    if orientation in _TRANSPOSE:
        decoded = decoded.transpose(_TRANSPOSE[orientation])
    decoded.info = {"icc_profile": icc} if icc else {}
    return decoded


def _normalise_mode(image: Image.Image, alpha: bool) -> Image.Image:
    """RGBA if the image has transparency, else RGB; always a new image."""
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    wanted = "RGBA" if alpha else "RGB"
    return image.convert(wanted) if image.mode != wanted else image.copy()


_SRGB = None


def _to_srgb(image: Image.Image, icc: bytes, alpha: bool) -> Image.Image | None:
    """The image converted to sRGB, the image itself if it is sRGB already, or None if the
    profile cannot be used (the pixels then stay as they are)."""
    global _SRGB  # noqa: PLW0603 - built once per process
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        description = ImageCms.getProfileDescription(source) or ""
        if "srgb" in description.lower().replace(" ", "") and image.mode != "CMYK":
            return image
        if _SRGB is None:
            _SRGB = ImageCms.createProfile("sRGB")
        output_mode = "RGBA" if alpha and image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None


def _save(image: Image.Image, fmt: str, settings: EncodeSettings) -> bytes:
    buffer = io.BytesIO()
    icc = image.info.get("icc_profile")
    extra = {"icc_profile": icc} if icc else {}
    if fmt == "webp":
        image.save(buffer, "WEBP", quality=settings.webp_quality, method=4, **extra)
    elif fmt == "avif":
        image.save(buffer, "AVIF", quality=settings.avif_quality, speed=settings.avif_speed,
                   **extra)
    elif fmt == "jpg":
        image.save(buffer, "JPEG", quality=settings.jpeg_quality, optimize=True,
                   progressive=True, subsampling="4:2:0", **extra)
    else:
        image.save(buffer, "PNG", optimize=True, **extra)
    return buffer.getvalue()


def encode(path: str, shown: str, settings: EncodeSettings, info: ImageInfo,
           target_dir: str) -> EncodeResult:
    """Decode `path` once and write every variant into `target_dir` (created).

    Raises ImageError for bad images. Every file written is checked to carry no metadata."""
    started = time.perf_counter()
    try:
        image = _decode(path, shown, settings, info)
    except ImageError:
        raise
    except MemoryError:
        raise ImageError(shown, "Zu wenig Arbeitsspeicher, um das Bild zu verarbeiten. "
                         "Bitte verkleinert einreichen.") from None
    Path(target_dir).mkdir(parents=True, exist_ok=True)
    formats = (*settings.modern_formats, info.fallback)
    if image.size != (info.width, info.height) and abs(
            image.size[0] / image.size[1] - info.width / info.height) > 0.01:
        raise ImageError(shown, "Die Bildmaße im Dateikopf passen nicht zu den Bilddaten.")
    variants = []
    current = image
    for width in sorted(info.widths, reverse=True):
        size = (width, info.height_for(width))
        if current.size != size:
            # Each width from the next larger one: much faster, and at factors below 3
            # Lanczos loses nothing visible.
            current = current.resize(size, Image.Resampling.LANCZOS)
        current.info = dict(image.info)
        for fmt in formats:
            data = _save(current, fmt, settings)
            found = find_metadata(data)
            if found:  # never publish what Pillow might have added after all
                raise ImageError(shown, f"Interner Fehler: Variante enthält {found}.")
            name = variant_file_name(width, fmt)
            with open(os.path.join(target_dir, name), "wb") as handle:
                handle.write(data)
            variants.append(Variant(name, size[0], size[1], fmt, len(data)))
    return EncodeResult(variants, decoded=1, seconds=time.perf_counter() - started)


def encode_job(job: tuple) -> EncodeResult:
    """Entry point for worker processes: `encode(*job)`."""
    return encode(*job)
