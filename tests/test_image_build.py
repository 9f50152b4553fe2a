"""Build-level tests of image_variants: real publish builds of the fixture site plus images."""

from __future__ import annotations

import hashlib
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from image_variants.metadata import scan, sniff
from tests.conftest import build_site, make_content, run_build
from tests.test_image_fixtures import (
    RED, SECRETS, SVG, hostile_jpeg, hostile_png, hostile_webp, large_png, plain_jpeg,
    truncated_jpeg,
)

SITE = "https://www.selbsthilfe-beispielstadt.example"

PHOTO_POST = """Title: Unser Gruppenraum in Bildern
Date: 2026-03-20 10:00
Category: Gastbeiträge
Author: Die Gruppe Atempause
Summary: Fotos aus unserem Gruppenraum.

![Zwölf Stühle im Kreis, von oben]({static}/bilder/stuhlkreis-handy.jpg)

Ein Absatz zwischen den Bildern.

![Unser Logo mit durchsichtigem Hintergrund](../bilder/logo.png)

![(dekorativ)]({attach}/bilder/trennlinie.jpg)

[Das Foto in groß]({static}/bilder/stuhlkreis-handy.jpg)
"""

DRAFT_POST = """Title: Entwurf mit Foto
Date: 2026-03-21 10:00
Category: Gastbeiträge
Author: Die Gruppe Atempause
Status: draft
Summary: Noch nicht fertig.

![Ein Foto, das noch niemand sehen soll]({static}/bilder/geheim.jpg)
"""

PAGE = """Title: Unsere Räume
Slug: raeume
Summary: Die Räume der Kontaktstelle.

![Der Eingang der Kontaktstelle mit Blumen]({static}/bilder/eingang.webp)
"""

IMAGES = {
    "bilder/stuhlkreis-handy.jpg": hostile_jpeg(),
    "bilder/logo.png": hostile_png(),
    "bilder/trennlinie.jpg": plain_jpeg((1000, 40)),
    "bilder/eingang.webp": hostile_webp(),
    "bilder/geheim.jpg": plain_jpeg((700, 500)),
    "bilder/unbenutzt.jpg": plain_jpeg((600, 400)),
    # Copied by Pelican from a static path: must be cleaned (and turned upright) too.
    "extra/aushang.jpg": hostile_jpeg((600, 400)),
}


class Pictures(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.pictures: list[dict] = []
        self.links: list[str] = []
        self.in_picture = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "picture":
            self.in_picture = True
            self.pictures.append({"sources": [], "img": None})
        elif tag == "source" and self.in_picture:
            self.pictures[-1]["sources"].append(attrs)
        elif tag == "img":
            assert self.in_picture, f"<img> outside <picture>: {attrs}"
            self.pictures[-1]["img"] = attrs
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "picture":
            self.in_picture = False


def pictures_of(html: str) -> Pictures:
    parser = Pictures()
    parser.feed(html)
    return parser


def srcset_entries(value: str) -> list[tuple[str, int]]:
    entries = []
    for item in value.split(","):
        url, width = item.strip().rsplit(" ", 1)
        entries.append((url, int(width.rstrip("w"))))
    return entries


def local(site, url: str) -> Path:
    assert url.startswith(SITE + "/"), url
    return site.output / url[len(SITE) + 1:]


def stats(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def image_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("bilder")
    cache = root / "cache"
    extra = {"beitraege/gruppenraum-in-bildern.md": PHOTO_POST,
             "beitraege/entwurf-mit-foto.md": DRAFT_POST,
             "seiten/raeume.md": PAGE, **IMAGES}
    overrides = {"CACHE_PATH": str(cache), "IMAGE_VARIANTS_STATS_FILE": str(root / "1.json")}
    site = build_site(root, extra_files=extra, overrides=overrides)
    site.first_stats = stats(root / "1.json")
    return site


def test_post_images_become_pictures_with_srcset_sizes_and_dimensions(image_site):
    html = image_site.read("beitraege/gruppenraum-in-bildern/index.html")
    pictures = pictures_of(html).pictures
    assert len(pictures) == 3
    photo, logo, line = pictures

    (webp,) = photo["sources"]
    assert webp["type"] == "image/webp" and webp["sizes"] == photo["img"]["sizes"]
    assert "42rem" in webp["sizes"]
    # 1200 x 800 stored with orientation 6: upright it is 800 wide, so 960 and 1600 are
    # left out (never upscaled) and 800 is the largest variant.
    assert [w for _, w in srcset_entries(webp["srcset"])] == [480, 800]
    assert [w for _, w in srcset_entries(photo["img"]["srcset"])] == [480, 800]
    img = photo["img"]
    assert (img["width"], img["height"]) == ("800", "1200")
    assert img["alt"] == "Zwölf Stühle im Kreis, von oben"
    assert img["src"] == srcset_entries(img["srcset"])[-1][0]
    assert re.fullmatch(re.escape(SITE) + r"/bilder/stuhlkreis-handy-800\.[0-9a-f]{8}\.jpg",
                        img["src"])
    for url, width in srcset_entries(webp["srcset"]) + srcset_entries(img["srcset"]):
        with Image.open(local(image_site, url)) as variant:
            assert variant.width == width
            assert variant.format == ("WEBP" if url.endswith(".webp") else "JPEG")

    # The first image of the page loads at once; every later one lazily.
    assert "loading" not in img and "decoding" not in img
    assert img.get("fetchpriority") == "high"
    for later in (logo, line):
        assert later["img"]["loading"] == "lazy" and later["img"]["decoding"] == "async"
        assert "fetchpriority" not in later["img"]

    # Transparent PNG: PNG fallback. Decorative image: alt="".
    assert logo["img"]["src"].endswith(".png") and logo["sources"][0]["type"] == "image/webp"
    assert logo["img"]["alt"] == "Unser Logo mit durchsichtigem Hintergrund"
    assert line["img"]["alt"] == ""
    assert "(dekorativ)" not in html

    # The link to the photo points to its largest variant.
    assert img["src"] in pictures_of(html).links
    assert "{static}" not in html and "{attach}" not in html


def test_page_image_and_feed(image_site):
    page = pictures_of(image_site.read("raeume/index.html")).pictures
    assert len(page) == 1 and page[0]["img"]["width"] == "900"
    assert "loading" not in page[0]["img"]
    feed = image_site.read("feeds/alle.atom.xml")
    assert "stuhlkreis-handy-800." in feed and "{static}" not in feed


def test_no_original_and_no_unpublished_image_reaches_the_output(image_site):
    originals = {hashlib.sha256(data).hexdigest() for path, data in IMAGES.items()
                 if path.startswith("bilder/")}
    names = [p.relative_to(image_site.output).as_posix() for p in image_site.files()]
    for path in image_site.files():
        assert hashlib.sha256(path.read_bytes()).hexdigest() not in originals, path
    for original in ("stuhlkreis-handy.jpg", "logo.png", "trennlinie.jpg", "eingang.webp"):
        assert not any(name.endswith("/" + original) for name in names), original
    assert not any("geheim" in name or "unbenutzt" in name for name in names)
    bilder = [n for n in names if n.startswith("bilder/")]
    assert all(re.fullmatch(r"bilder/[a-z0-9-]+-\d+\.[0-9a-f]{8}\.(webp|jpg|png)", n)
               for n in bilder), bilder
    # photo (480, 800), logo (480, 700), entrance (480, 900): 2 widths x 2 formats each;
    # the 1000 px wide divider: 480, 960, 1000.
    assert len(bilder) == 4 + 4 + 4 + 6


def test_every_image_in_the_output_is_clean(image_site):
    checked = 0
    for path in image_site.files():
        data = path.read_bytes()
        kind = sniff(data[:32])
        if kind is None or kind in ("SVG", "PDF"):
            continue
        checked += 1
        for secret in SECRETS:
            assert secret not in data, (path, secret)
        assert scan(data).findings == (), path
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif(), path
            assert not {"exif", "xmp", "comment", "Author"} & set(image.info), path
    assert checked >= 20  # 18 variants, the favicon and the static aushang.jpg


def test_images_are_upright(image_site):
    html = image_site.read("beitraege/gruppenraum-in-bildern/index.html")
    photo = pictures_of(html).pictures[0]
    for url, _ in srcset_entries(photo["sources"][0]["srcset"]):
        with Image.open(local(image_site, url)) as image:
            image = image.convert("RGB")
            width, height = image.size
            assert height > width
            assert tuple(image.getpixel((width - 4, 4)))[0] > 180  # the red marker
            assert image.getpixel((width - 4, 4))[1] < 80 and image.getpixel((4, 4)) != RED
    with Image.open(image_site.output / "extra" / "aushang.jpg") as static:
        assert static.size == (400, 600)  # cleaned and turned upright by the output check


def test_second_build_reprocesses_nothing(image_site, tmp_path):
    output = tmp_path / "output"
    result = run_build(image_site.root / "content", output, overrides={
        "CACHE_PATH": str(image_site.root / "cache"),
        "IMAGE_VARIANTS_STATS_FILE": str(tmp_path / "2.json")})
    assert result.returncode == 0, result.stderr
    first, second = image_site.first_stats, stats(tmp_path / "2.json")
    assert first["encoded"] == 4 and first["decoded"] == 4 and first["cached"] == 0
    assert (second["encoded"], second["decoded"], second["probed"]) == (0, 0, 0)
    assert second["cached"] == 4 and second["variants"] == 18
    for name in ("bilder", "beitraege/gruppenraum-in-bildern"):
        before = {p.name: p.read_bytes() for p in (image_site.output / name).iterdir()
                  if p.is_file()}
        after = {p.name: p.read_bytes() for p in (output / name).iterdir() if p.is_file()}
        assert before == after, name


def test_image_variants_survive_a_build_into_the_spare(tmp_path):
    # The third build writes into the first one's output (sitetools/staging.py), where the
    # variants are already the cache's hard links: they must be kept, not swept away.
    content = make_content(tmp_path, {"beitraege/gruppenraum-in-bildern.md": PHOTO_POST,
                                      **IMAGES})
    output = tmp_path / "output"
    for _ in range(3):
        assert run_build(content, output, extra_args=["--force"]).returncode == 0
    html = (output / "beitraege/gruppenraum-in-bildern/index.html").read_text(encoding="utf-8")
    variants = re.findall(r'/(bilder/[^"\s,]+\.(?:webp|jpg|png))', html)
    assert len(set(variants)) >= 6
    assert all((output / variant).is_file() for variant in variants)


def test_a_renamed_image_leaves_no_variants_of_the_old_name(tmp_path):
    # The same photo under a new name: its variants are hard links to the same cached files
    # as the old name's, so linking them touches the old ones too. The third build writes
    # into the first one's output, which still has the old name's variants.
    post = ("Title: Unser neuer Stuhlkreis\nDate: 2026-03-21 10:00\nCategory: Gastbeiträge\n"
            "Author: Die Gruppe Atempause\nSummary: Ein Foto.\n\n"
            "![Zwölf Stühle im Kreis]({static}/bilder/{name})\n")
    content = make_content(tmp_path, {"beitraege/gruppenraum-in-bildern.md":
                                      post.replace("{name}", "stuhlkreis.jpg"),
                                      "bilder/stuhlkreis.jpg": plain_jpeg((900, 600))})
    output = tmp_path / "output"
    assert run_build(content, output).returncode == 0
    assert list((output / "bilder").glob("stuhlkreis-*"))
    (content / "bilder/stuhlkreis.jpg").rename(content / "bilder/stuhlkreis-neu.jpg")
    (content / "beitraege/gruppenraum-in-bildern.md").write_text(
        post.replace("{name}", "stuhlkreis-neu.jpg"), encoding="utf-8")
    for _ in range(2):
        assert run_build(content, output, extra_args=["--force"]).returncode == 0
    names = {p.name for p in (output / "bilder").iterdir()}
    assert names and all(name.startswith("stuhlkreis-neu-") for name in names), names


def test_sources_are_never_modified(image_site):
    content = image_site.root / "content"
    for relative, data in IMAGES.items():
        assert (content / relative).read_bytes() == data, relative


BAD_POST = """Title: Lauter kaputte Bilder
Date: 2026-03-22 10:00
Category: Gastbeiträge
Author: Jo
Summary: Hier stimmt nichts.

![Ein Bild, das Text ist]({static}/bilder/text.jpg)

![Ein halbes Foto]({static}/bilder/halb.jpg)

![Ein riesiges Bild]({static}/bilder/riesig.png)

![Ein Logo als SVG]({static}/bilder/logo.svg)

![]({static}/bilder/ohne-alt.jpg)

![Gibt es nicht]({static}/bilder/fehlt.jpg)
"""

SECOND_BAD_POST = """Title: Noch einmal das halbe Foto
Date: 2026-03-23 10:00
Category: Gastbeiträge
Author: Jo
Summary: Dasselbe kaputte Bild.

Text.

![Wieder das halbe Foto](../bilder/halb.jpg)
"""


def test_every_bad_image_of_a_run_is_reported_at_once_with_file_and_line(tmp_path):
    site = build_site(tmp_path, expect_success=False, extra_files={
        "beitraege/kaputte-bilder.md": BAD_POST,
        "beitraege/noch-einmal.md": SECOND_BAD_POST,
        "bilder/text.jpg": b"Das ist kein Bild.\n",
        "bilder/halb.jpg": truncated_jpeg(),
        "bilder/riesig.png": large_png((1500, 1000)),
        "bilder/logo.svg": SVG,
        "bilder/ohne-alt.jpg": plain_jpeg(),
    }, overrides={"CACHE_PATH": str(tmp_path / "cache"),
                  "IMAGE_VARIANTS_MAX_PIXELS": 1_000_000})
    assert site.returncode == 1
    report = site.stderr
    assert "NICHT veröffentlicht" in report
    post = "content/beitraege/kaputte-bilder.md"
    expected = [
        f"{post}:7: Bild „content/bilder/text.jpg“: Die Datei ist kein Bild",
        f"{post}:9: Bild „content/bilder/halb.jpg“: Die Datei ist beschädigt oder "
        "unvollständig",
        "(Auch verwendet in: content/beitraege/noch-einmal.md:9)",
        f"{post}:11: Bild „content/bilder/riesig.png“: Das Bild ist zu groß",
        "(1500 × 1000 Pixel, 1,5 Megapixel); höchstens 1 Megapixel",
        f"{post}:13: Bild „content/bilder/logo.svg“: SVG-Grafiken werden nicht angenommen",
        f"{post}:15: Bild „ohne-alt.jpg“ hat keinen Alternativtext",
        "![(dekorativ)]({static}/bilder/ohne-alt.jpg)",
        f"{post}:17: Bild „content/bilder/fehlt.jpg“: Diese Bilddatei gibt es nicht.",
        "6 Problem(e) gefunden",
    ]
    for text in expected:
        assert text in report, text
    summary = report.split("NICHT veröffentlicht", 1)[1]
    assert summary.count("halb.jpg“:") == 1  # one problem per bad image, however often used
    assert not site.output.exists()  # nothing was published


def test_relative_urls_for_the_preview(tmp_path):
    content = make_content(tmp_path, {"beitraege/gruppenraum-in-bildern.md": PHOTO_POST,
                                      **IMAGES})
    output = tmp_path / "vorschau"
    result = run_build(content, output, settings="pelicanconf.py",
                       overrides={"CACHE_PATH": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    page = output / "beitraege" / "gruppenraum-in-bildern" / "index.html"
    pictures = pictures_of(page.read_text(encoding="utf-8")).pictures
    for item in pictures:
        urls = [u for s in item["sources"] for u, _ in srcset_entries(s["srcset"])]
        urls += [u for u, _ in srcset_entries(item["img"]["srcset"])] + [item["img"]["src"]]
        for url in urls:
            assert url.startswith("../../bilder/"), url
            assert (page.parent / url).resolve().is_file(), url
