"""Helpers shared by the scripts in checks/: paths, building the site, a local web server and
Debian's Chromium for Playwright. Not a check of its own."""

from __future__ import annotations

import functools
import http.server
import json
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / "checks"
NODE_MODULES = CHECKS / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach Google's hosts,
# which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def production_siteurl(settings: str = "publishconf.py") -> str:
    """SITEURL of a settings file, read the way Pelican does (the file imports pelicanconf)."""
    old_cwd, old_path = os.getcwd(), list(sys.path)
    try:
        os.chdir(ROOT)
        sys.path.insert(0, str(ROOT))
        namespace = runpy.run_path(str(ROOT / settings))
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
    return str(namespace.get("SITEURL", "")).rstrip("/")


def build_site(output: Path, *, settings: str = "publishconf.py", content: Path | None = None,
               overrides: dict | None = None) -> subprocess.CompletedProcess:
    """Build the site with sitetools.publish in a subprocess (Pelican's signals are global)."""
    command = [sys.executable, "-m", "sitetools.publish", "--settings", settings,
               "--output", str(output)]
    if content is not None:
        command += ["--content", str(content)]
    for name, value in (overrides or {}).items():
        command += ["--set", f"{name}={json.dumps(value)}"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files like the production server: 404.html for missing files, nosniff."""

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def end_headers(self):
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None


class LocalServer:
    """A static web server on 127.0.0.1 and a free port. The port is known before the
    folder it serves has to exist, so the site can be built with the server's own URL."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        handler = functools.partial(_QuietHandler, directory=str(self.directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.thread: threading.Thread | None = None

    def start(self) -> "LocalServer":
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread:
            self.httpd.shutdown()
            self.thread.join(timeout=5)
        self.httpd.server_close()


@contextmanager
def temporary_site(prefix: str, keep: bool = False) -> Iterator[tuple[Path, Path, LocalServer]]:
    """A temporary folder, the site folder inside it and a server for that folder (its port
    known before the build). Stops the server and deletes the folder unless `keep`."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    site = tmp / "site"
    server = LocalServer(site)
    try:
        yield tmp, site, server
    finally:
        server.stop()
        if keep:
            print(f"Build kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def url_for(origin: str, relative: str) -> str:
    """URL of an output file: 'a/b/index.html' -> origin/a/b/, '404.html' -> origin/404.html."""
    relative = relative.replace(os.sep, "/")
    if relative == "index.html":
        return origin + "/"
    if relative.endswith("/index.html"):
        return f"{origin}/{relative[:-len('index.html')]}"
    return f"{origin}/{relative}"


def launch_chromium(playwright):
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium "
                         "(never 'playwright install')")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)


def print_capped(lines: list[str], limit: int, what: str = "lines") -> None:
    for line in lines[:limit]:
        print(line)
    if len(lines) > limit:
        print(f"… and {len(lines) - limit} more {what} (cut)")


if __name__ == "__main__":
    print(__doc__)
