"""Images for the image_variants tests, made with Pillow, plus checks that they really carry
what the plugin must remove (a test that passes because the fixture was clean proves nothing).

The hostile photo is what groups send: 1200 x 800 pixels stored sideways with EXIF
orientation 6, GPS coordinates, maker and model, a maker note, an XMP packet, an IPTC block
and a JPEG comment. A red square marks the stored top-left corner; upright (rotated 90°
clockwise) it must end up in the top-right corner.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib

from PIL import Image, ImageCms, ImageDraw, PngImagePlugin

# Strings planted in the fixtures; none may appear in any published file.
SECRETS = (
    b"Exif", b"GPS", b"GPS-LIVING-ROOM", b"<x:xmpmeta", b"XMP-SECRET", b"HOSTILE-MAKER",
    b"SPY-PHONE-12", b"MAKERNOTE-SECRET", b"JPEG-COMMENT-SECRET", b"IPTC-SECRET",
    b"Photoshop 3.0", b"PNG-TEXT-SECRET", b"2024:05:01",
)

XMP_PACKET = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="XMP-SECRET"/></rdf:RDF>'
    b'</x:xmpmeta><?xpacket end="w"?>'
)

RED = (220, 20, 20)
BLUE = (30, 90, 160)


def hostile_exif(orientation: int = 6) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "HOSTILE-MAKER"
    exif[0x0110] = "SPY-PHONE-12"
    exif[0x0112] = orientation
    exif[0x0132] = "2024:05:01 12:00:00"
    exif.get_ifd(0x8825).update({
        1: "N", 2: (52.0, 31.0, 12.34), 3: "E", 4: (13.0, 24.0, 56.78),
        0x1C: b"ASCII\x00\x00\x00GPS-LIVING-ROOM",
    })
    exif.get_ifd(0x8769).update({0x927C: b"MAKERNOTE-SECRET",
                                 0x9003: "2024:05:01 12:00:00"})
    return exif.tobytes()


def marked_picture(size: tuple[int, int] = (1200, 800), mode: str = "RGB") -> Image.Image:
    """Blue with soft detail, and a red square in the stored top-left corner."""
    picture = Image.new(mode, size, BLUE if mode == "RGB" else (*BLUE, 255))
    draw = ImageDraw.Draw(picture)
    for x in range(0, size[0], 40):
        draw.line((x, 0, x, size[1]), fill=(40, 110, 180), width=3)
    draw.rectangle((0, 0, size[0] // 6, size[1] // 4), fill=RED)
    return picture


def iptc_segment(text: bytes = b"IPTC-SECRET") -> bytes:
    record = b"\x1c\x02\x78" + struct.pack(">H", len(text)) + text  # 2:120 caption
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I",
                                                                                len(record))
    payload = b"Photoshop 3.0\x00" + resource + record + (b"\x00" if len(record) % 2 else b"")
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def with_segment_after_soi(jpeg: bytes, segment: bytes) -> bytes:
    return jpeg[:2] + segment + jpeg[2:]


@functools.cache
def srgb_profile() -> bytes:
    """Made once: LittleCMS writes the time of creation into the profile, so two photos made
    a second apart would differ (a test comparing them failed now and then)."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def hostile_jpeg(size: tuple[int, int] = (1200, 800), orientation: int = 6) -> bytes:
    buffer = io.BytesIO()
    marked_picture(size).save(buffer, "JPEG", quality=90, exif=hostile_exif(orientation),
                              comment=b"JPEG-COMMENT-SECRET", xmp=XMP_PACKET,
                              icc_profile=srgb_profile())
    return with_segment_after_soi(buffer.getvalue(), iptc_segment())


def hostile_png(size: tuple[int, int] = (700, 500), alpha: bool = True) -> bytes:
    picture = marked_picture(size, "RGBA" if alpha else "RGB")
    if alpha:
        ImageDraw.Draw(picture).ellipse((size[0] // 2, size[1] // 2, size[0], size[1]),
                                        fill=(0, 0, 0, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "PNG-TEXT-SECRET")
    info.add_itxt("XML:com.adobe.xmp", XMP_PACKET.decode())
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", pnginfo=info, exif=hostile_exif(1))
    data = buffer.getvalue()
    # a tIME chunk (last modification), before IEND
    body = b"tIME" + struct.pack(">HBBBBB", 2024, 5, 1, 12, 0, 0)
    chunk = struct.pack(">I", 7) + body + struct.pack(">I", zlib.crc32(body))
    return data[:-12] + chunk + data[-12:]


def hostile_webp(size: tuple[int, int] = (900, 600)) -> bytes:
    buffer = io.BytesIO()
    marked_picture(size).save(buffer, "WEBP", quality=85, exif=hostile_exif(1), xmp=XMP_PACKET)
    return buffer.getvalue()


def plain_jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = io.BytesIO()
    marked_picture(size).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    data = hostile_jpeg(orientation=1)
    return data[: len(data) * 2 // 3]


def large_png(size: tuple[int, int]) -> bytes:
    """A small file with many pixels (a decompression bomb, in miniature)."""
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, "PNG")
    return buffer.getvalue()


def animated_webp() -> bytes:
    frames = [marked_picture((200, 100)), Image.new("RGB", (200, 100), RED)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:], duration=200)
    return buffer.getvalue()


def gif_with_comment() -> bytes:
    buffer = io.BytesIO()
    marked_picture((120, 80)).convert("P").save(buffer, "GIF", comment=b"GIF-COMMENT-SECRET")
    return buffer.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HEIC_HEAD = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


# --- The fixtures really are hostile --------------------------------------------------------


def test_hostile_photo_carries_everything_we_promise_to_remove():
    data = hostile_jpeg()
    for secret in (b"Exif", b"GPS-LIVING-ROOM", b"<x:xmpmeta", b"HOSTILE-MAKER",
                   b"MAKERNOTE-SECRET", b"JPEG-COMMENT-SECRET", b"IPTC-SECRET"):
        assert secret in data, secret
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1200, 800)
        exif = image.getexif()
        assert exif[0x0112] == 6 and exif[0x010F] == "HOSTILE-MAKER"
        assert exif.get_ifd(0x8825)[2] == (52.0, 31.0, 12.34)
        assert "xmp" in image.info and "comment" in image.info and "icc_profile" in image.info


def test_hostile_png_and_webp_carry_metadata():
    png = hostile_png()
    for secret in (b"PNG-TEXT-SECRET", b"<x:xmpmeta", b"eXIf", b"tIME", b"HOSTILE-MAKER"):
        assert secret in png, secret
    webp = hostile_webp()
    for secret in (b"EXIF", b"XMP ", b"HOSTILE-MAKER", b"XMP-SECRET"):
        assert secret in webp, secret
    assert b"GIF-COMMENT-SECRET" in gif_with_comment()
