"""Benchmark: image variants for 12-megapixel phone photos, and a rebuild with unchanged images.

    .venv/bin/python bench/image_speed.py [--photos 4] [--runs 1]

1. Generates realistic 4000 x 3000 photos (gradients, shapes, soft texture and sensor grain,
   saved as JPEG quality 92 with EXIF, GPS and an orientation tag, like a phone does).
2. Encodes every variant of each photo with the plugin's own code, one photo at a time in
   this process: seconds per photo (decode + rotate + all widths in WebP and JPEG).
3. Compares AVIF with WebP on the same photos: bytes, encode seconds and PSNR against the
   resized original, for several AVIF qualities and speeds.
4. Builds a site with these photos twice with sitetools.publish (fresh cache, then again
   with nothing changed) and prints both build times and the plugin's figures.

Measured on the development machine (2 CPUs shared with other jobs; Pillow 13.0.0,
libjpeg-turbo 6.2, libwebp 1.6.0, libavif 1.4.2), 4 photos of 5.5 MB each:

- all six variants of one photo: 0.60 s median (0.58-0.61 s); decoding the JPEG at half
  size (DCT scaling via Image.draft) instead of full size: 0.59 s instead of 0.73 s;
- AVIF against WebP, summed over 4 photos x 3 widths:
      WebP q78          3082 kB   1.4 s  PSNR 31.7 dB
      AVIF q65 speed 8  2344 kB   6.3 s  PSNR 30.9 dB
      AVIF q65 speed 6  2199 kB  12.6 s  PSNR 31.1 dB
      AVIF q55 speed 8  1725 kB   5.5 s  PSNR 29.0 dB
      JPEG q80          3140 kB   0.3 s  PSNR 30.2 dB
  i.e. about 25 % fewer bytes for 4.5 times the encoding time (on the flat sample image
  content/bilder/stuhlkreis.jpg AVIF was even larger than WebP): AVIF stays off;
- first build with these photos: 3.4 s (plugin 2.5 s); rebuild with nothing changed: 1.0 s,
  plugin 0.04 s, no image opened or decoded.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat, features  # noqa: E402

from image_variants.encode import EncodeSettings, encode, probe  # noqa: E402


def realistic_photo(width: int = 4000, height: int = 3000, seed: int = 1) -> Image.Image:
    """A photo-like picture: lit gradient, soft shapes, mid-frequency texture, sensor grain.
    Flat synthetic images encode far too well; this one compresses like a real photo."""
    rng = random.Random(seed)
    sky = Image.linear_gradient("L").resize((width, height))
    channels = [sky.point(lambda v, a=a, b=b: int(a + v * b)) for a, b in
                ((70, 0.55), (90, 0.45), (120, 0.25))]
    picture = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(picture)
    for _ in range(140):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 30, width // 4), rng.randrange(height // 30, height // 4)
        colour = tuple(rng.randrange(20, 235) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x, y, x + w, y + h), fill=colour)
        else:
            draw.rectangle((x, y, x + w, y + h), fill=colour)
    for _ in range(400):  # thin lines: chair legs, edges, text-like detail
        x, y = rng.randrange(width), rng.randrange(height)
        draw.line((x, y, x + rng.randrange(-300, 300), y + rng.randrange(-300, 300)),
                  fill=tuple(rng.randrange(0, 255) for _ in range(3)), width=rng.randrange(1, 6))
    picture = picture.filter(ImageFilter.GaussianBlur(radius=2.5))
    texture = Image.effect_noise((width // 6, height // 6), 30).resize((width, height),
                                                                       Image.Resampling.BICUBIC)
    grain = Image.effect_noise((width, height), 9)
    for layer in (texture, grain):
        picture = ImageChops.add(picture, Image.merge("RGB", [layer] * 3), scale=1.0,
                                 offset=-128)
    return picture


def phone_jpeg(picture: Image.Image) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Beispiel-Telefon"
    exif[0x0110] = "Modell 12"
    exif[0x0112] = 1
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 31.0, 12.34), 3: "E",
                                 4: (13.0, 24.0, 56.78)})
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


def psnr(reference: Image.Image, data: bytes) -> float:
    with Image.open(io.BytesIO(data)) as decoded:
        difference = ImageChops.difference(reference.convert("RGB"), decoded.convert("RGB"))
    mse = statistics.fmean(v ** 2 for v in ImageStat.Stat(difference).rms)
    return 99.0 if mse == 0 else 10 * math.log10(255 ** 2 / mse)


def per_photo_times(paths: list[Path], work: Path) -> list[float]:
    settings = EncodeSettings()
    times = []
    for index, path in enumerate(paths):
        info = probe(str(path), path.name, settings)
        started = time.perf_counter()
        encode(str(path), path.name, settings, info, str(work / f"v{index}"))
        times.append(time.perf_counter() - started)
    return times


def pool_time(paths: list[Path], work: Path, workers: int) -> float:
    """Seconds for all photos with `workers` processes (fork), as the plugin does it."""
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    from image_variants.encode import encode_job  # noqa: PLC0415

    settings = EncodeSettings()
    jobs = [(str(p), p.name, settings, probe(str(p), p.name, settings),
             str(work / f"pool{workers}-{i}")) for i, p in enumerate(paths)]
    started = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(encode_job, jobs))
    return time.perf_counter() - started


def compare_avif(paths: list[Path]) -> list[tuple]:
    """(label, kB total, seconds total, mean PSNR) per codec setting, over all photos and
    the widths 480/960/1600."""
    rows: dict[str, list] = {}
    candidates = [("WebP q78 (method 4)", "WEBP", {"quality": 78, "method": 4})]
    if features.check("avif"):
        candidates += [
            ("AVIF q65 speed 8", "AVIF", {"quality": 65, "speed": 8}),
            ("AVIF q65 speed 6", "AVIF", {"quality": 65, "speed": 6}),
            ("AVIF q55 speed 8", "AVIF", {"quality": 55, "speed": 8}),
        ]
    candidates.append(("JPEG q80 (Fallback)", "JPEG", {"quality": 80, "optimize": True,
                                                       "progressive": True}))
    for path in paths:
        with Image.open(path) as original:
            original.draft("RGB", (2000, 1500))
            base = original.convert("RGB")
        for width in (1600, 960, 480):
            resized = base.resize((width, round(width * 3 / 4)), Image.Resampling.LANCZOS)
            for label, fmt, options in candidates:
                started = time.perf_counter()
                buffer = io.BytesIO()
                resized.save(buffer, fmt, **options)
                seconds = time.perf_counter() - started
                row = rows.setdefault(label, [0, 0.0, []])
                row[0] += len(buffer.getvalue())
                row[1] += seconds
                row[2].append(psnr(resized, buffer.getvalue()))
    return [(label, size / 1024, seconds, statistics.fmean(values))
            for label, (size, seconds, values) in rows.items()]


POST = """Title: Fotos vom Treffen {number}
Date: 2026-03-{day:02d} 10:00
Category: Erfahrungsberichte
Author: Bench
Summary: Ein Beitrag mit einem Foto.

![Foto {number} vom Gruppentreffen]({{static}}/bilder/foto-{number}.jpg)

Ein Absatz Text unter dem Bild.
"""


def build(content: Path, output: Path, cache: Path, stats: Path) -> tuple[float, dict]:
    command = [sys.executable, "-m", "sitetools.publish", "--settings", "publishconf.py",
               "--content", str(content), "--output", str(output),
               "--set", f"CACHE_PATH={json.dumps(str(cache))}",
               "--set", f"IMAGE_VARIANTS_STATS_FILE={json.dumps(str(stats))}"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"Bauen fehlgeschlagen:\n{result.stdout}\n{result.stderr}")
    return seconds, json.loads(stats.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=4)
    parser.add_argument("--skip-avif", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="image-speed-"))
    try:
        print(f"Pillow {Image.__version__}, libjpeg-turbo {features.version('jpg')}, "
              f"libwebp {features.version('webp')}, "
              f"libavif {features.version('avif') if features.check('avif') else '–'}, "
              f"{os.cpu_count()} CPU(s)")
        content = work / "content"
        shutil.copytree(ROOT / "tests" / "fixtures" / "site", content)
        paths = []
        started = time.perf_counter()
        for number in range(1, args.photos + 1):
            path = content / "bilder" / f"foto-{number}.jpg"
            path.write_bytes(phone_jpeg(realistic_photo(seed=number)))
            paths.append(path)
            (content / "beitraege" / f"fotos-{number}.md").write_text(
                POST.format(number=number, day=number), encoding="utf-8")
        sizes = [p.stat().st_size / 1e6 for p in paths]
        print(f"{len(paths)} Fotos 4000 x 3000 erzeugt ({statistics.fmean(sizes):.1f} MB "
              f"JPEG im Mittel) in {time.perf_counter() - started:.1f} s")

        times = per_photo_times(paths, work / "variants")
        print(f"\nAlle Varianten (480/960/1600 px, WebP + JPEG) je Foto, ein Prozess: "
              f"Median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
              f"max {max(times):.2f} s")

        one, two = pool_time(paths, work, 1), pool_time(paths, work, 2)
        print(f"Alle {len(paths)} Fotos: 1 Prozess {one:.2f} s, 2 Prozesse {two:.2f} s "
              f"(Faktor {one / two:.2f})")

        if not args.skip_avif:
            print("\nAVIF gegen WebP (Summe über alle Fotos und die Breiten 1600/960/480):")
            print(f"  {'Kodierung':<22} {'kB':>8} {'Sekunden':>9} {'PSNR dB':>8}")
            for label, kilobytes, seconds, quality in compare_avif(paths):
                print(f"  {label:<22} {kilobytes:>8.0f} {seconds:>9.2f} {quality:>8.2f}")

        output, cache, stats = work / "output", work / "cache", work / "stats.json"
        first, first_stats = build(content, output, cache, stats)
        second, second_stats = build(content, output, cache, stats)
        print(f"\nErster Build (leerer Zwischenspeicher, 2 Prozesse): {first:.2f} s, "
              f"Plugin {first_stats['seconds']:.2f} s, {first_stats}")
        print(f"Zweiter Build (nichts geändert): {second:.2f} s, "
              f"Plugin {second_stats['seconds']:.2f} s, {second_stats}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
