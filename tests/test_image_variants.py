"""image_variants without Pelican: metadata, encoding, bad images, markup, paths, cache."""

from __future__ import annotations

import io
import os
import pickle
import re
import time
from pathlib import Path

import pytest
from PIL import Image

from image_variants import missing_alt_texts
from image_variants.cache import VariantCache, cache_key, place
from image_variants.cleanup import clean_file
from image_variants.encode import (
    EncodeSettings, ImageInfo, encode, probe, variant_widths,
)
from image_variants.errors import ImageError
from image_variants.markup import Source, find_tags, picture, replace_tags
from image_variants.metadata import (
    NeedsReencode, UnreadableImage, find_metadata, scan, sniff, strip_metadata,
)
from image_variants.paths import Outside, file_stem, local_target, url_base, variant_path
from tests.conftest import source_copies
from tests.test_image_fixtures import (
    HEIC_HEAD, RED, SECRETS, SVG, animated_webp, gif_with_comment, hostile_jpeg, hostile_png,
    hostile_webp, large_png, plain_jpeg, truncated_jpeg,
)

SETTINGS = EncodeSettings()


def assert_clean(data: bytes, name: str = "", icc_allowed: bool = False) -> None:
    """No planted secret in the bytes, nothing Pillow would call metadata. Variants carry
    no colour profile either (converted to sRGB); other published images may keep theirs."""
    for secret in SECRETS:
        assert secret not in data, (name, secret)
    assert find_metadata(data) == [], name
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif(), name
        keys = ["exif", "xmp", "comment", "XML:com.adobe.xmp", "Author"]
        for key in keys + ([] if icc_allowed else ["icc_profile"]):
            assert key not in image.info, (name, key)


def is_red(pixel) -> bool:
    red, green, blue = pixel[:3]
    return red > 180 and green < 80 and blue < 80


# --- Byte-level metadata -----------------------------------------------------------------------


def test_scan_finds_every_kind_of_metadata():
    assert set(scan(hostile_jpeg()).findings) == {"EXIF", "XMP", "IPTC/Photoshop", "Kommentar"}
    assert scan(hostile_jpeg()).orientation == 6
    assert set(scan(hostile_png()).findings) >= {"Text", "Text/XMP", "EXIF", "Zeitstempel"}
    assert set(scan(hostile_webp()).findings) == {"EXIF", "XMP"}
    assert scan(gif_with_comment()).findings == ("Kommentar",)
    assert scan(plain_jpeg()).findings == ()


def test_strip_is_lossless_and_complete_when_nothing_must_be_rotated():
    for data in (hostile_jpeg(orientation=1), hostile_png(), hostile_webp(), gif_with_comment()):
        stripped = strip_metadata(data)
        assert find_metadata(stripped) == []
        for secret in SECRETS:
            assert secret not in stripped, secret
        with Image.open(io.BytesIO(data)) as before, Image.open(io.BytesIO(stripped)) as after:
            assert before.size == after.size
            assert before.convert("RGBA").tobytes() == after.convert("RGBA").tobytes()


def test_strip_refuses_to_drop_an_orientation_that_must_be_applied():
    with pytest.raises(NeedsReencode):
        strip_metadata(hostile_jpeg(orientation=6))


def test_broken_structures_are_reported_not_guessed():
    with pytest.raises(UnreadableImage):
        scan(truncated_jpeg())
    with pytest.raises(UnreadableImage):
        scan(hostile_png()[:500])
    assert sniff(SVG) == "SVG" and sniff(HEIC_HEAD) == "HEIC" and sniff(b"hello") is None


def test_favicon_with_text_chunks_is_cleaned(tmp_path):
    icon = io.BytesIO()
    Image.new("RGBA", (32, 32), (*RED, 255)).save(icon, "ICO", sizes=[(16, 16), (32, 32)])
    data = icon.getvalue()
    assert find_metadata(data) == []
    # Plant a text chunk into the first PNG inside the icon, as some editors do.
    path = tmp_path / "favicon.ico"
    start = data.index(b"\x89PNG")
    png = Image.open(io.BytesIO(data[start:])).copy()
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "PNG-TEXT-SECRET")
    buffer = io.BytesIO()
    png.save(buffer, "PNG", pnginfo=info)
    entry = data[6:22]
    dirty = (data[:4] + b"\x01\x00" + entry[:8] + len(buffer.getvalue()).to_bytes(4, "little")
             + (22).to_bytes(4, "little") + buffer.getvalue())
    path.write_bytes(dirty)
    assert "Text" in find_metadata(dirty)
    assert clean_file(path, "favicon.ico", 10**6) == ["Text"]
    assert find_metadata(path.read_bytes()) == []
    with Image.open(path) as image:
        assert image.format == "ICO"


def test_output_cleaning_rotates_and_never_writes_through_a_hard_link(tmp_path):
    source = tmp_path / "source.jpg"
    source.write_bytes(hostile_jpeg())
    published = tmp_path / "published.jpg"
    os.link(source, published)
    removed = clean_file(published, "extra/source.jpg", 10**7)
    assert "EXIF" in removed and "XMP" in removed
    assert source.read_bytes() == hostile_jpeg()  # the source is untouched
    data = published.read_bytes()
    assert_clean(data, icc_allowed=True)
    with Image.open(published) as image:
        assert image.size == (800, 1200)
        assert is_red(image.getpixel((790, 10))) and not is_red(image.getpixel((10, 10)))


# --- Encoding --------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "expected"), [
    (4000, (480, 960, 1600)), (1600, (480, 960, 1600)), (1200, (480, 960, 1200)),
    (800, (480, 800)), (480, (480,)), (300, (300,)),
])
def test_never_upscaled_and_the_original_width_is_the_largest(width, expected):
    assert variant_widths(width, (480, 960, 1600)) == expected


def encode_fixture(tmp_path, data: bytes, name: str = "foto.jpg",
                   settings: EncodeSettings = SETTINGS):
    path = tmp_path / name
    path.write_bytes(data)
    info = probe(str(path), name, settings)
    result = encode(str(path), name, settings, info, str(tmp_path / "out"))
    return info, result


def test_hostile_photo_becomes_clean_upright_variants(tmp_path):
    info, result = encode_fixture(tmp_path, hostile_jpeg())
    assert (info.width, info.height, info.widths, info.fallback) == (800, 1200, (480, 800),
                                                                      "jpg")
    assert result.decoded == 1
    assert sorted((v.width, v.format) for v in result.variants) == [
        (480, "jpg"), (480, "webp"), (800, "jpg"), (800, "webp")]
    for variant in result.variants:
        data = (tmp_path / "out" / variant.name).read_bytes()
        assert_clean(data, variant.name)
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == {"jpg": "JPEG", "webp": "WEBP"}[variant.format]
            assert image.size == (variant.width, info.height_for(variant.width))
            width, height = image.size
            # The stored top-left marker is now top-right: rotated 90° clockwise.
            assert is_red(image.getpixel((width - 5, 5)))
            assert not is_red(image.getpixel((5, 5)))
            assert not is_red(image.getpixel((width - 5, height - 5)))


def test_phone_jpeg_with_a_second_picture_is_accepted_and_only_the_first_published(tmp_path):
    first = Image.new("RGB", (1000, 750), RED)
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (200, 150))],
               exif=Image.Exif().tobytes())
    assert b"MPF" in buffer.getvalue()
    info, result = encode_fixture(tmp_path, buffer.getvalue(), "handy.jpg")
    assert info.widths == (480, 960, 1000)
    for variant in result.variants:
        data = (tmp_path / "out" / variant.name).read_bytes()
        assert_clean(data, variant.name)
        assert b"MPF" not in data
        with Image.open(io.BytesIO(data)) as image:
            assert getattr(image, "n_frames", 1) == 1 and is_red(image.getpixel((5, 5)))


def test_transparent_png_gets_a_png_fallback_and_keeps_its_alpha(tmp_path):
    info, result = encode_fixture(tmp_path, hostile_png(), "transparent.png")
    assert info.fallback == "png" and info.widths == (480, 700)
    for variant in result.variants:
        data = (tmp_path / "out" / variant.name).read_bytes()
        assert_clean(data, variant.name)
        with Image.open(io.BytesIO(data)) as image:
            assert image.mode == "RGBA"
            assert image.getpixel((image.width * 3 // 4, image.height * 3 // 4))[3] == 0
            assert image.getpixel((image.width // 4, image.height // 4))[3] == 255


def test_avif_variants_when_switched_on(tmp_path):
    from PIL import features
    if not features.check("avif"):
        pytest.skip("Pillow without AVIF")
    settings = EncodeSettings(avif=True)
    _, result = encode_fixture(tmp_path, hostile_webp(), "blume.webp", settings)
    avif = [v for v in result.variants if v.format == "avif"]
    assert sorted(v.width for v in avif) == [480, 900]
    for variant in avif:
        data = (tmp_path / "out" / variant.name).read_bytes()
        assert find_metadata(data) == []
        assert b"XMP-SECRET" not in data and b"HOSTILE-MAKER" not in data


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"Das ist Text, kein Bild.\n", "kein-bild.jpg", "ist kein Bild"),
    (SVG, "logo.svg", "SVG-Grafiken werden nicht angenommen"),
    (HEIC_HEAD, "IMG_0001.heic", "HEIC-Format"),
    (gif_with_comment(), "animation.gif", "Format GIF"),
    (animated_webp(), "animiert.webp", "animiert"),
])
def test_images_we_do_not_accept_are_named_with_a_reason(tmp_path, data, name, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImageError) as caught:
        probe(str(path), f"content/bilder/{name}", SETTINGS)
    assert caught.value.path == f"content/bilder/{name}"
    assert message in caught.value.message
    assert str(caught.value).startswith(f"content/bilder/{name}: ")


def test_truncated_image_fails_when_decoded(tmp_path):
    path = tmp_path / "halb.jpg"
    path.write_bytes(truncated_jpeg())
    info = probe(str(path), "halb.jpg", SETTINGS)  # the header is intact
    with pytest.raises(ImageError, match="beschädigt oder unvollständig"):
        encode(str(path), "halb.jpg", SETTINGS, info, str(tmp_path / "out"))


@pytest.mark.parametrize("size", [(1100, 1000), (3000, 1000)])
def test_decompression_bombs_are_refused_even_below_pillows_hard_limit(tmp_path, size):
    # (1100, 1000) only makes Pillow warn (1.1 MP > 1 MP); (3000, 1000) makes it raise.
    path = tmp_path / "bombe.png"
    path.write_bytes(large_png(size))
    settings = EncodeSettings(max_pixels=1_000_000)
    with pytest.raises(ImageError, match="zu groß") as caught:
        probe(str(path), "bombe.png", settings)
    assert f"{size[0]} × {size[1]} Pixel" in caught.value.message
    assert "höchstens 1 Megapixel" in caught.value.message
    assert Image.MAX_IMAGE_PIXELS != 1_000_000  # the limit does not leak out


def test_missing_file_and_picklable_errors(tmp_path):
    with pytest.raises(ImageError, match="gibt es nicht"):
        probe(str(tmp_path / "fehlt.jpg"), "fehlt.jpg", SETTINGS)
    error = pickle.loads(pickle.dumps(ImageError("content/bilder/x.jpg", "kaputt")))
    assert (error.path, error.message) == ("content/bilder/x.jpg", "kaputt")


# --- Alternative texts -----------------------------------------------------------------------

MARKDOWN = """Title: Test
Summary: Kurz.

![Ein Stuhlkreis]({static}/bilder/gut.jpg)

![]({static}/bilder/ohne.jpg)
Text mit ![ ](../bilder/leer.png "Titel") mittendrin.

```
![](code/zaehlt-nicht.jpg)
```

`![](inline-code.jpg)` und ![(dekorativ)](/bilder/linie.png)

<img src="/bilder/roh.jpg">
<img alt="Beschrieben" src="/bilder/roh2.jpg">
<img
  src="/bilder/zweizeilig.jpg" alt="  ">

![][ref]

[ref]: /bilder/referenz.jpg
"""


def test_missing_alt_texts_in_markdown_with_lines():
    assert missing_alt_texts(MARKDOWN) == [
        (6, "{static}/bilder/ohne.jpg"),
        (7, "../bilder/leer.png"),
        (15, "/bilder/roh.jpg"),
        (17, "/bilder/zweizeilig.jpg"),
        (20, "/bilder/referenz.jpg"),
    ]


def test_missing_alt_texts_in_html():
    html = '<p><img alt="" src="a.jpg"></p>\n<p><img src="b.jpg" alt="B"><img src=c.jpg></p>'
    assert missing_alt_texts(html) == [(1, "a.jpg"), (2, "c.jpg")]
    assert missing_alt_texts("Kein Bild hier.") == []


# --- Paths and markup ------------------------------------------------------------------------

SITE = "https://www.example.org"


@pytest.mark.parametrize(("reference", "expected"), [
    ("{static}/bilder/a.jpg", "bilder/a.jpg"),
    ("|static|/bilder/a.jpg", "bilder/a.jpg"),
    ("{attach}../bilder/a.jpg", "bilder/a.jpg"),
    ("{filename}/bilder/a%20b.jpg?x=1#y", "bilder/a b.jpg"),
    ("../bilder/a.jpg", "bilder/a.jpg"),
    ("../../bilder/a.jpg", "bilder/a.jpg"),  # page-relative, as on beitraege/slug/
    ("/bilder/a.jpg", "bilder/a.jpg"),
    ("https://www.example.org/bilder/a.jpg", "bilder/a.jpg"),
    ("//www.example.org/bilder/a.jpg", "bilder/a.jpg"),
    ("https://fremd.example/bilder/a.jpg", None),
    ("data:image/png;base64,AAAA", None),
    ("#anker", None),
])
def test_local_target(reference, expected):
    exists = {"bilder/a.jpg", "bilder/a b.jpg"}.__contains__
    assert local_target(reference, "beitraege", SITE, exists) == expected


def test_references_out_of_the_content_folder_are_flagged():
    target = local_target("{static}/../../etc/passwd", "beitraege", SITE, lambda p: False)
    assert isinstance(target, Outside)


def test_names_and_url_bases():
    assert file_stem("bilder/Unser Stuhlkreis (2).JPG") == "unser-stuhlkreis-2"
    assert file_stem("bilder/Größe.png") == "groesse"
    assert file_stem("bilder/%%%.png") == "bild"
    assert variant_path("bilder", "foto", 480, "ab12cd34ef", "webp") == \
        "bilder/foto-480.ab12cd34.webp"
    assert url_base(SITE + "/", False, "beitraege/x/index.html") == SITE + "/"
    assert url_base("", False, "beitraege/x/index.html") == "/"
    assert url_base("", True, "beitraege/x/index.html") == "../../"
    assert url_base("", True, "kontakt/index.html") == "../"
    assert url_base("", True, "index.html") == ""


def test_tags_are_replaced_and_everything_else_kept():
    html = ('<p>Vorher &amp; <a href="x">Link</a></p>\n<p>\n<img alt="A &amp; B" '
            'src="{static}/bilder/a.jpg" />\nNachher</p>')
    tags = find_tags(html)
    assert [(t.name, t.get("alt")) for t in tags] == [("a", None), ("img", "A & B")]
    assert html[tags[1].start:tags[1].end].startswith("<img")
    result = replace_tags(html, tags, lambda t: "[BILD]" if t.name == "img" else None)
    assert result == '<p>Vorher &amp; <a href="x">Link</a></p>\n<p>\n[BILD]\nNachher</p>'


def test_picture_markup():
    webp = Source("image/webp", (("/b/a-480.h.webp", 480), ("/b/a-960.h.webp", 960)))
    jpeg = Source("image/jpeg", (("/b/a-480.h.jpg", 480), ("/b/a-960.h.jpg", 960)))
    first = picture([webp], jpeg, alt='Ein "Kreis"', width=960, height=640, sizes="100vw",
                    first=True, fetchpriority="high")
    assert first == (
        '<picture><source type="image/webp" srcset="/b/a-480.h.webp 480w, /b/a-960.h.webp '
        '960w" sizes="100vw"><img src="/b/a-960.h.jpg" srcset="/b/a-480.h.jpg 480w, '
        '/b/a-960.h.jpg 960w" sizes="100vw" width="960" height="640" alt="Ein &quot;Kreis'
        '&quot;" fetchpriority="high"></picture>')
    later = picture([webp], jpeg, alt="", width=960, height=640, sizes="100vw")
    assert 'alt="" loading="lazy" decoding="async">' in later


def test_settings_the_plugin_cannot_work_with_are_named():
    from image_variants.plugin import settings_problems
    assert settings_problems({"STATIC_PATHS": ["extra"]}) == []
    problems = settings_problems({"STATIC_PATHS": ["bilder", "extra"],
                                  "IMAGE_VARIANTS_WIDTHS": [],
                                  "IMAGE_VARIANTS_WEBP_QUALITY": 0,
                                  "IMAGE_VARIANTS_ACCEPTED_FORMATS": ["JPEG", "SVG"]})
    assert len(problems) == 4
    assert any("STATIC_PATHS enthält „bilder“" in p for p in problems)


def test_links_to_images_are_found_without_any_img():
    html = '<p><a href="{static}/bilder/a.JPG">groß</a> <a href="x.md">x</a></p>'
    assert [t.get("href") for t in find_tags(html)] == ["{static}/bilder/a.JPG", "x.md"]
    assert find_tags("<p>Nur Text mit <a href='/kontakt/'>Link</a>.</p>") == []


# --- Cache -----------------------------------------------------------------------------------


def test_cache_round_trip_link_and_prune(tmp_path):
    cache = VariantCache(tmp_path / "cache")
    key = cache_key("0" * 64, {"widths": [480]})
    assert key != cache_key("0" * 64, {"widths": [960]})
    assert cache.load(key) is None
    staging = cache.staging(key)
    from image_variants.encode import Variant
    (staging / "480.webp").write_bytes(b"RIFF")
    info = ImageInfo(480, 320, (480,), "jpg")
    cache.commit(key, staging, info, [Variant("480.webp", 480, 320, "webp", 4)], "x.jpg")
    loaded = cache.load(key)
    assert loaded is not None and loaded[0] == info
    target = tmp_path / "output" / "bilder" / "x-480.abc.webp"
    place(cache.entry(key) / "480.webp", target)
    assert target.read_bytes() == b"RIFF" and oct(target.stat().st_mode)[-3:] == "644"
    place(cache.entry(key) / "480.webp", target)  # again: no error
    (cache.entry(key) / "480.webp").write_bytes(b"RIFF!")  # damaged entry: not used
    assert cache.load(key) is None
    old = time.time() - 200 * 86400
    os.utime(cache.entry(key) / "meta.json", (old, old))
    assert cache.prune(90) == 1 and not cache.entry(key).exists()


def test_the_cache_key_follows_the_encoding_code(tmp_path, monkeypatch):
    from image_variants import encode as encode_module

    before, same, after = source_copies(Path(encode_module.__file__).parent, tmp_path,
                                        "encode.py")
    assert encode_module.code_version(before) == encode_module.code_version(same)
    assert encode_module.code_version(before) != encode_module.code_version(after)

    current = cache_key("0" * 64, SETTINGS.fingerprint())
    changed = encode_module.code_version(after)
    monkeypatch.setattr(encode_module, "code_version", lambda: changed)
    assert cache_key("0" * 64, SETTINGS.fingerprint()) != current


def test_variant_file_names_have_the_documented_shape():
    assert re.fullmatch(r"bilder/[a-z0-9-]+-\d+\.[0-9a-f]{8}\.(webp|jpg|png|avif)",
                        variant_path("bilder", file_stem("x/Foto.JPG"), 960,
                                     cache_key("a" * 64, {}), "webp"))
