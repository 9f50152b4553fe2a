"""Preview while writing: build with pelicanconf.py into .vorschau/ and serve it locally.

    python -m sitetools.preview [--port 8000]

Rebuilds whenever a file under content/, theme/ or the settings changes. Drafts are shown
(under drafts/) so authors can read them; the published site never contains them.
The preview has its own folder, so it never overwrites the published output/.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    print(f"Vorschau: http://127.0.0.1:{args.port}/  (beenden mit Strg+C)", flush=True)
    from pelican import main as pelican_main

    pelican_main(["content", "--settings", "pelicanconf.py", "--output", ".vorschau",
                  "--autoreload", "--listen", "--bind", "127.0.0.1", "--port", str(args.port)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
