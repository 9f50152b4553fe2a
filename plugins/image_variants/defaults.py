"""Settings of image_variants, with their defaults. Override any of them in pelicanconf.py.

What the plugin does
--------------------
Every `<img>` in a post or page that shows a file from `content/` (written as
`![Alternativtext]({static}/bilder/foto.jpg)`, with `{attach}`, `{filename}`, relative as
`../bilder/foto.jpg` or root-relative as `/bilder/foto.jpg`) becomes a `<picture>` with
WebP variants (and AVIF ones if IMAGE_VARIANTS_AVIF is on) in several widths and a JPEG
fallback (PNG for images with transparency). The variants carry no metadata at all (no EXIF,
GPS, XMP, IPTC, maker notes, comments or thumbnails); the EXIF orientation is applied to the
pixels first. The original file is never published, and neither are the images of drafts
that are not written (publishconf.py) or images no post shows. A link to an image
(`[Foto groß]({static}/bilder/foto.jpg)`) points to the largest fallback variant.

`{attach}` is accepted like `{static}`: the variants always go to IMAGE_VARIANTS_OUTPUT_DIR.
A `width` smaller than the image's (only possible in raw HTML on editors' pages) is kept as
the displayed width; otherwise width/height are those of the largest variant.

After the build, every image file in the output folder (theme images, the favicon, anything
Pelican copied from a static path) is checked once more, and metadata found there is removed
losslessly (re-encoded only where an EXIF rotation must be applied first). TIFF, HEIC and
JPEG XL files there fail the build: they cannot be checked.

Alternative text
----------------
Every image needs a description for people who cannot see it: `![Zwölf Stühle im Kreis](…)`.
A missing or empty description fails the build, naming file and line.
A purely decorative image (a divider, an ornament: nothing a blind reader misses) is marked
explicitly by writing exactly `(dekorativ)` as its alternative text:

    ![(dekorativ)]({static}/bilder/trennlinie.png)

It is then published with `alt=""`, so screen readers skip it. Case and surrounding spaces
do not matter; the markers are listed in IMAGE_VARIANTS_DECORATIVE_MARKERS.

URLs in the markup
------------------
The `<picture>` markup is written while the post is read (`content_object_init`), before
Pelican knows on which page it will be shown. With RELATIVE_URLS off and SITEURL set (the
published site, publishconf.py) the URLs are absolute (`https://…/bilder/foto-480.ab12cd34.webp`)
and work everywhere: on the post's page, in teasers on list pages and in the feeds. With
RELATIVE_URLS on (preview, pelicanconf.py) they are relative to the post's own output folder
(`../../bilder/foto-480.ab12cd34.webp` for beitraege/slug/index.html); an image in an
automatically cut teaser on another page would then not be found in the preview. Posts set
`Summary:` themselves, so this does not happen in practice. Without SITEURL and with
RELATIVE_URLS off, they are root-relative (`/bilder/…`).

Accepted formats
----------------
JPEG (including the multi-picture JPEGs of many phones), PNG and WebP, unanimated. Not
accepted, each with a clear message naming the file: SVG (can contain scripts), GIF (mostly
animations, which the variants could not show), HEIC (iPhone; send as JPEG), anything
animated, anything that is not an image, damaged or truncated files, and images with more
pixels than IMAGE_VARIANTS_MAX_PIXELS (Pillow's decompression-bomb protection; its warning is
treated as an error too).
"""

DEFAULTS = {
    # Widths in pixels of the variants. Never upscaled: widths at or above the original's
    # width are left out, and the original's own width is then the largest variant.
    "IMAGE_VARIANTS_WIDTHS": [480, 960, 1600],
    # Output folder of the variants (relative to the output folder). File names are
    # <name>-<width>.<hash8>.<ext>: the hash changes whenever the image or the encoding
    # settings change, so the web server may let browsers cache them for a year.
    "IMAGE_VARIANTS_OUTPUT_DIR": "bilder",
    # The `sizes` attribute: how wide the image is shown. Matches theme/static/css/site.css
    # (content column at most 42rem, 1rem padding on each side on small screens).
    "IMAGE_VARIANTS_SIZES": "(min-width: 44rem) 42rem, calc(100vw - 2rem)",
    # Encoder quality (0-100) of the WebP variants and of the JPEG fallback.
    "IMAGE_VARIANTS_WEBP_QUALITY": 78,
    "IMAGE_VARIANTS_JPEG_QUALITY": 80,
    # AVIF variants in addition to WebP (only if Pillow was built with AVIF support).
    # Off: measured with bench/image_speed.py on 12-megapixel photos, AVIF at quality 65 (the
    # same PSNR as WebP at 78) saved about a quarter of the bytes but took five to seven
    # times as long to encode as WebP. Not clearly worth it while WebP is everywhere.
    "IMAGE_VARIANTS_AVIF": False,
    "IMAGE_VARIANTS_AVIF_QUALITY": 65,
    # 0 (slowest, smallest) to 10 (fastest).
    "IMAGE_VARIANTS_AVIF_SPEED": 8,
    # Formats accepted from contributors (Pillow's names). "MPO" (phone JPEGs with a depth
    # map or a second picture) counts as JPEG; only its first picture is used.
    "IMAGE_VARIANTS_ACCEPTED_FORMATS": ["JPEG", "PNG", "WEBP"],
    # Largest image (in pixels, width x height) that is decoded at all. Larger ones fail the
    # build: a small file can unpack into gigabytes (decompression bomb). 50 MP allows
    # every current phone camera.
    "IMAGE_VARIANTS_MAX_PIXELS": 50_000_000,
    # Convert images with an embedded colour profile (e.g. Display P3 from iPhones) to sRGB
    # and publish them without the profile: smaller files, same colours on every screen.
    # False keeps the profile (ICC profiles carry no personal data) and the original colours.
    "IMAGE_VARIANTS_CONVERT_TO_SRGB": True,
    # Alternative texts that mark an image as purely decorative (compared ignoring case and
    # surrounding spaces). Such images are published with alt="".
    "IMAGE_VARIANTS_DECORATIVE_MARKERS": ["(dekorativ)"],
    # fetchpriority of the first image of a post or page (which is never lazy-loaded); ""
    # leaves the attribute out. Every other image gets loading="lazy" decoding="async".
    "IMAGE_VARIANTS_FIRST_IMAGE_FETCHPRIORITY": "high",
    # Worker processes for encoding, used once at least IMAGE_VARIANTS_PARALLEL_FROM images
    # need encoding (starting processes costs more than it saves for one or two images).
    "IMAGE_VARIANTS_WORKERS": 2,
    "IMAGE_VARIANTS_PARALLEL_FROM": 3,
    # Encoded variants are kept under CACHE_PATH/image_variants/, keyed by the SHA-256 of the
    # original plus these settings, the Pillow version and the plugin version. Entries
    # unused for this many days are deleted after a successful build.
    "IMAGE_VARIANTS_CACHE_MAX_AGE_DAYS": 90,
    # Check every image in the output folder after the build and remove metadata found there
    # (theme images, favicon, files from other static paths).
    "IMAGE_VARIANTS_CLEAN_OUTPUT": True,
    # If set, the figures of the run are written there as JSON (for tests and bench/):
    # {"encoded": …, "cached": …, "decoded": …, "probed": …, "variants": …, "seconds": …}.
    "IMAGE_VARIANTS_STATS_FILE": None,
}


def setting(settings: dict, name: str):
    return settings.get(name, DEFAULTS[name])
