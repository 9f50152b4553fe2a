"""The folder a publish build writes into, and what becomes of the output it replaces.

Creating a folder and a file in it is the slow part of writing a site on many file systems
(here about 0.8 ms per page, with a folder per page, against 0.02 ms for reading a file). So
the output a publish build replaces is not deleted but kept beside it as the spare
(`.spare-<name>`), and the next build writes into the spare instead of into an empty folder:
its folders exist already, and the writer leaves a page alone when the page already holds
exactly the new text (rebuild_cache/output.py). Pages are never written in place either
way, so the live output is never touched during a build.

A reused folder holds the site before last, so after the build everything in it that this
build did not write is removed (sweep). The rule for every plugin: a build writes, copies,
links or touches (os.utime, with the old times) every file it wants to keep. A file's
ctime tells whether that happened in this build; the files Pelican reports as written are
kept in any case, and checked to be there.

Only on POSIX systems (on Windows, st_ctime is the creation time), and not with Pelican's
STATIC_CHECK_IF_MODIFIED or STATIC_CREATE_LINKS, which skip copying unchanged files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Pelican settings under which a build does not write every file it keeps.
SKIPPING_SETTINGS = ("STATIC_CHECK_IF_MODIFIED", "STATIC_CREATE_LINKS")


def spare_folder(output: Path) -> Path:
    return output.parent / f".spare-{output.name}"


def retired_prefix(output: Path) -> str:
    return f".old-{output.name}-"


def reuse_allowed() -> bool:
    return os.name == "posix"


def make_staging(output: Path) -> tuple[Path, bool]:
    """A new folder to build into beside `output`: the spare if there is one (True), else
    an empty one (False)."""
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=output.parent))
    spare = spare_folder(output)
    if reuse_allowed() and spare.is_dir():
        try:
            os.rename(spare, staging)  # onto the empty folder mkdtemp made
            return staging, True
        except OSError:
            pass
    return staging, False


def settings_allow_reuse(settings: dict) -> bool:
    return not any(settings.get(name) for name in SKIPPING_SETTINGS)


def empty_folder(folder: Path, output: Path) -> None:
    """Move the contents of a reused folder out of the way (removed in the background)."""
    discard(folder, output)
    folder.mkdir()


def build_started(folder: Path) -> int:
    """The file system's own time now, as a ctime: files changed from now on have a ctime
    at least this (the kernel's coarse clock; time.time() can be ahead of it)."""
    marker = folder / ".build-started"
    marker.touch()
    try:
        return marker.lstat().st_ctime_ns
    finally:
        marker.unlink()


def sweep(folder: Path, since_ns: int, written: set[str]) -> int:
    """Remove every file under `folder` not changed since `since_ns` and not in `written`,
    then the folders left empty. Returns how many files were removed."""
    removed = 0
    root = os.fspath(folder)
    for directory, _, names in os.walk(root, topdown=False):
        for name in names:
            path = os.path.join(directory, name)
            if path not in written and os.lstat(path).st_ctime_ns < since_ns:
                os.unlink(path)
                removed += 1
        if directory != root and not os.listdir(directory):
            os.rmdir(directory)
    return removed


def missing(written: set[str]) -> list[str]:
    return sorted(path for path in written if not os.path.lexists(path))


def retire(output: Path) -> None:
    """Move the current output aside before the new one takes its place: it becomes the
    spare, or, where spares are not used, is removed in the background."""
    if not output.exists():
        return
    spare = spare_folder(output)
    if reuse_allowed():
        if spare.exists():  # a spare the last build could not take: outdated anyway
            discard(spare, output)
        os.rename(output, spare)
        return
    discard(output, output)


def keep_as_spare(staging: Path, output: Path) -> None:
    """A build that did not publish (nothing changed): its folder goes back to be the spare."""
    spare = spare_folder(output)
    if reuse_allowed() and not spare.exists():
        try:
            os.rename(staging, spare)
            return
        except OSError:
            pass
    discard(staging, output)


def discard(folder: Path, output: Path) -> None:
    """Remove a folder of ours without waiting for it: rename it, delete in the background."""
    retired = Path(tempfile.mkdtemp(prefix=retired_prefix(output), dir=output.parent))
    try:
        os.rename(folder, retired / "site")
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
    remove_in_background(retired)


def remove_in_background(folder: Path) -> None:
    """Delete `folder` in a detached process: the new site is already in place, and deleting
    thousands of files takes seconds on some file systems, which editors need not wait for.
    A removal that did not finish is repeated by the next build (remove_leftovers)."""
    try:
        subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], True)",
             str(folder)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def remove_leftovers(output: Path) -> None:
    """Earlier folders whose background removal did not finish; only folders this module
    made (their name and the `site` folder inside), never a backup an editor made."""
    for leftover in output.parent.glob(retired_prefix(output) + "*"):
        if (leftover / "site").is_dir():
            remove_in_background(leftover)
