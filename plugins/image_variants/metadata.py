"""Find and remove metadata in image files at the byte level, without decoding any pixels.

Pure functions on bytes (Pillow is used only to read an EXIF block's orientation tag).

Metadata here is everything that is not needed to show the picture: EXIF (with GPS
coordinates, maker notes, serial numbers and thumbnails), XMP, IPTC/Photoshop blocks,
comments, text chunks, timestamps, extra pictures and anything after the image's end.
What stays: the pixels and what is needed to show them correctly (ICC colour profile,
transparency, gamma, JFIF density, animation control).

Removing is lossless (no re-encoding). When an EXIF block asks for a rotation, removing it
would turn the picture sideways: `strip_metadata` then raises NeedsReencode, and the caller
decodes, rotates and encodes the image instead.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# --- Recognising formats -------------------------------------------------------------------


def sniff(head: bytes) -> str | None:
    """The format of a file from its first bytes (32 are enough), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"\x00\x00\x01\x00" and len(head) >= 6 and head[4:6] != b"\x00\x00":
        return "ICO"
    if head[:4] == b"\x00\x00\x02\x00" and len(head) >= 6 and head[4:6] != b"\x00\x00":
        return "CUR"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "AVIF"
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"):
            return "HEIC"
        return None
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[:2] == b"BM":
        return "BMP"
    if head[:4] == b"\x00\x00\x00\x0cjXL" or head[:2] == b"\xff\x0a":
        return "JXL"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml", b"<!doctype svg", b"<!--")):
        return "SVG"
    if head.startswith(b"%PDF"):
        return "PDF"
    return None


# Formats handled here byte by byte; others need Pillow (see the plugin's output check).
STRIPPABLE = frozenset({"JPEG", "PNG", "WEBP", "GIF", "ICO", "CUR"})
INSPECTABLE = STRIPPABLE | {"AVIF", "HEIC"}


class UnreadableImage(ValueError):
    """The file's structure is broken: nothing can be said about its metadata."""


class NeedsReencode(Exception):
    """Metadata cannot be removed losslessly: the EXIF orientation must first be applied."""


@dataclass(frozen=True)
class Scan:
    format: str
    findings: tuple[str, ...]  # German labels, e.g. ("EXIF", "XMP", "Kommentar")
    orientation: int = 1  # EXIF orientation (1 = upright)


def scan(data: bytes) -> Scan:
    """What metadata `data` carries. Raises UnreadableImage for broken files, and
    ValueError for formats that cannot be inspected here (see INSPECTABLE)."""
    kind = sniff(data[:32])
    if kind == "JPEG":
        return _scan_jpeg(data)
    if kind == "PNG":
        return _scan_png(data)
    if kind == "WEBP":
        return _scan_webp(data)
    if kind == "GIF":
        return Scan(kind, tuple(label for label, _, _ in _gif_blocks(data) if label))
    if kind in ("ICO", "CUR"):
        return _scan_ico(data, kind)
    if kind in ("AVIF", "HEIC"):
        return Scan(kind, _isobmff_findings(data))
    raise ValueError(f"format {kind or 'unbekannt'} cannot be inspected byte by byte")


def find_metadata(data: bytes) -> list[str]:
    """The kinds of metadata found in `data` (empty if clean)."""
    return list(scan(data).findings)


def strip_metadata(data: bytes) -> bytes:
    """`data` without metadata, losslessly. Raises NeedsReencode if an EXIF orientation
    must be applied first, UnreadableImage for broken files, ValueError for other formats."""
    kind = sniff(data[:32])
    result = scan(data)
    if not result.findings:
        return data
    if result.orientation != 1:
        raise NeedsReencode(f"EXIF-Ausrichtung {result.orientation}")
    if kind == "JPEG":
        return _strip_jpeg(data)
    if kind == "PNG":
        return _strip_png(data)
    if kind == "WEBP":
        return _strip_webp(data)
    if kind == "GIF":
        return b"".join(data[start:end] for label, start, end in _gif_blocks(data)
                        if not label)
    if kind in ("ICO", "CUR"):
        return _strip_ico(data)
    raise NeedsReencode(f"{kind}: nur durch neues Kodieren zu bereinigen")


def exif_orientation(exif_block: bytes) -> int:
    """The orientation tag (1-8) of an EXIF block (with or without the "Exif\\0\\0" prefix)."""
    from PIL import Image  # noqa: PLC0415 - only the EXIF parser, no image decoding

    try:
        exif = Image.Exif()
        exif.load(exif_block)
        value = int(exif.get(0x0112, 1))
    except Exception:  # noqa: BLE001 - a broken EXIF block is removed anyway
        return 1
    return value if 1 <= value <= 8 else 1


# --- JPEG ----------------------------------------------------------------------------------

_XMP_IDS = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")


@dataclass(frozen=True)
class _Piece:
    marker: int  # 0 for SOI
    start: int
    end: int  # end of the piece, including entropy-coded data after SOS


def _jpeg_pieces(data: bytes) -> tuple[list[_Piece], int]:
    """The marker segments of a JPEG and the offset just after EOI."""
    if not data.startswith(b"\xff\xd8"):
        raise UnreadableImage("kein JPEG-Anfang")
    pieces = [_Piece(0xD8, 0, 2)]
    pos, size = 2, len(data)
    while True:
        if pos + 1 >= size or data[pos] != 0xFF:
            raise UnreadableImage("JPEG-Struktur beschädigt oder unvollständig")
        while pos + 1 < size and data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if pos + 1 >= size:
            raise UnreadableImage("JPEG unvollständig")
        marker = data[pos + 1]
        if marker == 0xD9:
            pieces.append(_Piece(marker, pos, pos + 2))
            return pieces, pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pieces.append(_Piece(marker, pos, pos + 2))
            pos += 2
            continue
        if pos + 4 > size:
            raise UnreadableImage("JPEG unvollständig")
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > size:
            raise UnreadableImage("JPEG-Segment reicht über das Dateiende hinaus")
        if marker == 0xDA:
            end = _skip_entropy_coded(data, end)
        pieces.append(_Piece(marker, pos, end))
        pos = end


def _skip_entropy_coded(data: bytes, pos: int) -> int:
    while True:
        index = data.find(b"\xff", pos)
        if index < 0 or index + 1 >= len(data):
            raise UnreadableImage("JPEG endet mitten in den Bilddaten")
        following = data[index + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos = index + 2
        elif following == 0xFF:
            pos = index + 1
        else:
            return index


def _jpeg_label(data: bytes, piece: _Piece) -> str | None:
    """None if the segment is needed to show the picture, else what kind of metadata it is."""
    marker = piece.marker
    payload = data[piece.start + 4:piece.end]
    if marker == 0xE0:
        if payload.startswith(b"JFIF\x00"):
            has_thumbnail = len(payload) >= 14 and (payload[12] or payload[13])
            return "Vorschaubild (JFIF)" if has_thumbnail or len(payload) > 14 else None
        if payload.startswith(b"JFXX\x00"):
            return "Vorschaubild (JFXX)"
        return "APP0-Daten"
    if marker == 0xE1:
        if payload.startswith(b"Exif\x00"):
            return "EXIF"
        if payload.startswith(_XMP_IDS):
            return "XMP"
        return "APP1-Daten"
    if marker == 0xE2:
        if payload.startswith(b"ICC_PROFILE\x00"):
            return None
        if payload.startswith(b"MPF\x00"):
            return "MPF (weitere Bilder)"
        return "APP2-Daten"
    if marker == 0xED:
        return "IPTC/Photoshop"
    if marker == 0xEE:
        return None if payload.startswith(b"Adobe") else "APP14-Daten"
    if 0xE3 <= marker <= 0xEF:
        return f"APP{marker - 0xE0}-Daten"
    if marker == 0xFE:
        return "Kommentar"
    return None


def _scan_jpeg(data: bytes) -> Scan:
    pieces, end = _jpeg_pieces(data)
    findings = []
    orientation = 1
    for piece in pieces:
        label = _jpeg_label(data, piece)
        if label and label not in findings:
            findings.append(label)
        if label == "EXIF":
            orientation = exif_orientation(data[piece.start + 4:piece.end])
    if data[end:].strip(b"\x00"):
        findings.append("Daten nach dem Bildende")
    return Scan("JPEG", tuple(findings), orientation)


def _strip_jpeg(data: bytes) -> bytes:
    pieces, _ = _jpeg_pieces(data)
    out = []
    for piece in pieces:
        label = _jpeg_label(data, piece)
        if label is None:
            out.append(data[piece.start:piece.end])
        elif label == "Vorschaubild (JFIF)":
            body = data[piece.start + 4:piece.start + 4 + 12] + b"\x00\x00"  # no thumbnail
            out.append(b"\xff\xe0" + struct.pack(">H", len(body) + 2) + body)
    return b"".join(out)


# --- PNG -----------------------------------------------------------------------------------

# Chunks needed to show the picture; every other chunk (tEXt, zTXt, iTXt, eXIf, tIME,
# private chunks of phone and editing apps …) is metadata.
_PNG_KEEP = frozenset({
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"cICP", b"mDCV", b"mDCv", b"cLLI", b"cLLi", b"pHYs", b"bKGD", b"hIST", b"sPLT",
    b"acTL", b"fcTL", b"fdAT",
})
_PNG_LABELS = {b"tEXt": "Text", b"zTXt": "Text", b"iTXt": "Text/XMP", b"eXIf": "EXIF",
               b"tIME": "Zeitstempel"}


def _png_chunks(data: bytes) -> tuple[list[tuple[bytes, int, int]], int]:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise UnreadableImage("kein PNG-Anfang")
    chunks, pos, size = [], 8, len(data)
    while True:
        if pos + 12 > size:
            raise UnreadableImage("PNG unvollständig")
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > size:
            raise UnreadableImage("PNG-Block reicht über das Dateiende hinaus")
        chunks.append((kind, pos, end))
        pos = end
        if kind == b"IEND":
            return chunks, pos


def _scan_png(data: bytes) -> Scan:
    chunks, end = _png_chunks(data)
    findings, orientation = [], 1
    for kind, start, stop in chunks:
        if kind in _PNG_KEEP:
            continue
        label = _PNG_LABELS.get(kind, f"Zusatzblock {kind.decode('latin-1')}")
        if label not in findings:
            findings.append(label)
        if kind == b"eXIf":
            orientation = exif_orientation(data[start + 8:stop - 4])
    if data[end:]:
        findings.append("Daten nach dem Bildende")
    return Scan("PNG", tuple(findings), orientation)


def _strip_png(data: bytes) -> bytes:
    chunks, _ = _png_chunks(data)
    return data[:8] + b"".join(data[start:end] for kind, start, end in chunks
                                if kind in _PNG_KEEP)


# --- WebP ----------------------------------------------------------------------------------

_WEBP_KEEP = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})


def _webp_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise UnreadableImage("kein WebP-Anfang")
    riff_end = 8 + int.from_bytes(data[4:8], "little")
    if riff_end > len(data):
        raise UnreadableImage("WebP unvollständig")
    chunks, pos = [], 12
    while pos + 8 <= riff_end:
        kind = data[pos:pos + 4]
        length = int.from_bytes(data[pos + 4:pos + 8], "little")
        end = pos + 8 + length + (length & 1)
        if end > riff_end:
            raise UnreadableImage("WebP-Block reicht über das Dateiende hinaus")
        chunks.append((kind, pos, end))
        pos = end
    return chunks


def _scan_webp(data: bytes) -> Scan:
    chunks = _webp_chunks(data)
    findings, orientation = [], 1
    for kind, start, end in chunks:
        if kind in _WEBP_KEEP:
            continue
        label = {b"EXIF": "EXIF", b"XMP ": "XMP"}.get(kind,
                                                     f"Zusatzblock {kind.decode('latin-1')}")
        if label not in findings:
            findings.append(label)
        if kind == b"EXIF":
            orientation = exif_orientation(data[start + 8:end])
    riff_end = 8 + int.from_bytes(data[4:8], "little")
    if data[riff_end:]:
        findings.append("Daten nach dem Bildende")
    return Scan("WEBP", tuple(findings), orientation)


def _strip_webp(data: bytes) -> bytes:
    body = []
    for kind, start, end in _webp_chunks(data):
        if kind not in _WEBP_KEEP:
            continue
        chunk = data[start:end]
        if kind == b"VP8X":  # clear the "has EXIF" (0x08) and "has XMP" (0x04) flags
            chunk = chunk[:8] + bytes([chunk[8] & ~0x0C & 0xFF]) + chunk[9:]
        body.append(chunk)
    payload = b"WEBP" + b"".join(body)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


# --- GIF -----------------------------------------------------------------------------------

_GIF_KEEP_APPS = (b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012")


def _gif_sub_blocks_end(data: bytes, pos: int) -> int:
    while True:
        if pos >= len(data):
            raise UnreadableImage("GIF unvollständig")
        length = data[pos]
        pos += 1 + length
        if length == 0:
            return pos


def _gif_blocks(data: bytes) -> list[tuple[str | None, int, int]]:
    """(label or None, start, end) for every part of a GIF; label marks metadata."""
    if len(data) < 13:
        raise UnreadableImage("GIF unvollständig")
    flags = data[10]
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    blocks: list[tuple[str | None, int, int]] = [(None, 0, pos)]
    while True:
        if pos >= len(data):
            raise UnreadableImage("GIF ohne Ende")
        introducer = data[pos]
        if introducer == 0x3B:
            blocks.append((None, pos, pos + 1))
            if data[pos + 1:].strip(b"\x00"):
                blocks.append(("Daten nach dem Bildende", pos + 1, len(data)))
            return blocks
        if introducer == 0x2C:
            if pos + 10 > len(data):
                raise UnreadableImage("GIF unvollständig")
            local = data[pos + 9]
            table = 3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0
            end = _gif_sub_blocks_end(data, pos + 10 + table + 1)
            blocks.append((None, pos, end))
        elif introducer == 0x21:
            if pos + 2 > len(data):
                raise UnreadableImage("GIF unvollständig")
            label = data[pos + 1]
            end = _gif_sub_blocks_end(data, pos + 2)
            finding = None
            if label == 0xFE:
                finding = "Kommentar"
            elif label == 0xFF:
                app = data[pos + 3:pos + 14]
                if app == b"XMP DataXMP":
                    finding = "XMP"
                elif app not in _GIF_KEEP_APPS:
                    finding = "Anwendungsdaten"
            blocks.append((finding, pos, end))
        else:
            raise UnreadableImage("GIF-Struktur beschädigt")
        pos = end


# --- ICO / CUR (PNG or BMP pictures in a small directory) ---------------------------------


def _ico_entries(data: bytes) -> list[tuple[bytes, int, int]]:
    count = int.from_bytes(data[4:6], "little")
    entries = []
    for index in range(count):
        at = 6 + 16 * index
        entry = data[at:at + 16]
        if len(entry) < 16:
            raise UnreadableImage("ICO-Verzeichnis unvollständig")
        size, offset = struct.unpack("<II", entry[8:16])
        if offset + size > len(data):
            raise UnreadableImage("ICO-Bild reicht über das Dateiende hinaus")
        entries.append((entry, offset, offset + size))
    return entries


def _scan_ico(data: bytes, kind: str) -> Scan:
    findings: list[str] = []
    for _, start, end in _ico_entries(data):
        picture = data[start:end]
        if picture.startswith(b"\x89PNG"):
            for label in _scan_png(picture).findings:
                if label not in findings:
                    findings.append(label)
    return Scan(kind, tuple(findings))


def _strip_ico(data: bytes) -> bytes:
    entries = _ico_entries(data)
    pictures = []
    for _, start, end in entries:
        picture = data[start:end]
        pictures.append(_strip_png(picture) if picture.startswith(b"\x89PNG") else picture)
    header = data[:6]
    offset = 6 + 16 * len(entries)
    directory = []
    for (entry, _, _), picture in zip(entries, pictures):
        directory.append(entry[:8] + struct.pack("<II", len(picture), offset))
        offset += len(picture)
    return header + b"".join(directory) + b"".join(pictures)


# --- AVIF / HEIC (ISO base media file format) ----------------------------------------------


def _boxes(data: bytes, start: int, end: int):
    pos = start
    while pos + 8 <= end:
        size = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        header = 8
        if size == 1:
            size = int.from_bytes(data[pos + 8:pos + 16], "big")
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise UnreadableImage("Box-Struktur beschädigt")
        yield kind, pos + header, pos + size
        pos += size


def _isobmff_findings(data: bytes) -> tuple[str, ...]:
    findings: list[str] = []
    for kind, body, end in _boxes(data, 0, len(data)):
        if kind != b"meta":
            continue
        for inner, inner_body, inner_end in _boxes(data, body + 4, end):  # full box
            if inner != b"iinf":
                continue
            version = data[inner_body]
            first = inner_body + 4 + (2 if version == 0 else 4)
            for entry, entry_body, _ in _boxes(data, first, inner_end):
                if entry != b"infe" or data[entry_body] < 2:
                    continue
                id_size = 2 if data[entry_body] == 2 else 4
                item_type = data[entry_body + 4 + id_size + 2:entry_body + 4 + id_size + 6]
                label = {b"Exif": "EXIF", b"mime": "XMP"}.get(item_type)
                if label and label not in findings:
                    findings.append(label)
    return tuple(findings)
