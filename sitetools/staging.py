"""The folder a publish build writes into, and what becomes of the output it replaces.

Creating a folder and a file in it is the slow part of writing a site on many file systems
(here about 0.8 ms per page, with a folder per page, against 0.02 ms for reading a file). So
the output a publish build replaces is not deleted but kept beside it as the spare
(`.spare-<name>`), and the next build writes into the spare instead of into an empty folder:
its folders exist already, and the writer leaves a page's file in place when it already
holds exactly the new text (rebuild_cache/output.py). The live output is never touched
during a build.

A reused folder holds the site before last, so everything in it that this build did not
write must go. Before the build (Spare.take): files with more than one hard link (image
variants and search bundles linked from the caches) are removed, because a link made or
touched through another name changes their shared ctime; the build links them again. For
every other file, its inode and ctime are noted. After the build (Spare.sweep): a file whose
inode and ctime are both unchanged was not written, copied or touched by this build and is
removed, unless Pelican reported it as written. The rule for every plugin: a build writes,
copies, links or touches (os.utime) every file it wants to keep. Comparing with the noted
ctime, not with a clock, keeps this right when the clock is set back during a build.

Reuse needs a file system where writing or touching a file changes its ctime and where names
are case-sensitive; a probe in the folder checks both (FAT and exFAT fail the first, macOS's
default the second). Not on Windows (st_ctime is the creation time there), and not with
Pelican's STATIC_CHECK_IF_MODIFIED or STATIC_CREATE_LINKS, which skip copying unchanged files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Pelican settings under which a build does not write every file it keeps.
SKIPPING_SETTINGS = ("STATIC_CHECK_IF_MODIFIED", "STATIC_CREATE_LINKS")


def spare_folder(output: Path) -> Path:
    return output.parent / f".spare-{output.name}"


def retired_prefix(output: Path) -> str:
    return f".old-{output.name}-"


def reuse_allowed() -> bool:
    return os.name == "posix"


def settings_allow_reuse(settings: dict) -> bool:
    return not any(settings.get(name) for name in SKIPPING_SETTINGS)


def new_staging(output: Path) -> Path:
    return Path(tempfile.mkdtemp(prefix=".build-", dir=output.parent))


def take_spare(output: Path, staging: Path) -> Spare | None:
    """Move the spare into the (empty) staging folder and note what is in it; None if
    there is no spare or it cannot be reused (the staging folder then stays empty)."""
    spare = spare_folder(output)
    if not reuse_allowed() or not spare.is_dir():
        return None
    try:
        os.rename(spare, staging)  # onto the empty folder mkdtemp made
    except OSError:
        return None
    if not file_system_allows_reuse(staging):
        empty_folder(staging, output)
        return None
    return Spare(staging)


def file_system_allows_reuse(folder: Path) -> bool:
    """Whether touching a file changes its ctime, and names are case-sensitive, here."""
    probe = folder / ".reuse-probe"
    try:
        probe.write_bytes(b"")
        before = probe.stat().st_ctime_ns
        deadline = time.monotonic() + 0.05
        changed = False
        while not changed and time.monotonic() < deadline:
            time.sleep(0.005)  # the kernel's ctime clock moves in ticks of a few ms
            os.utime(probe)
            changed = probe.stat().st_ctime_ns != before
        case_sensitive = not (folder / ".REUSE-PROBE").exists()
        return changed and case_sensitive
    except OSError:
        return False
    finally:
        probe.unlink(missing_ok=True)


class Spare:
    """A reused folder: what was in it before the build, to remove what the build left."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.before: dict[str, tuple[int, int]] = {}
        for path in walk_files(folder):
            status = os.lstat(path)
            if status.st_nlink > 1:
                os.unlink(path)  # a link into a cache: its ctime says nothing about us
            else:
                self.before[path] = (status.st_ino, status.st_ctime_ns)

    def sweep(self, written: set[str]) -> int:
        """Remove the files this build did not write, copy or touch, then the folders left
        empty. Returns how many files were removed."""
        removed = 0
        root = os.fspath(self.folder)
        for directory, _, names in os.walk(root, topdown=False):
            for name in names:
                path = os.path.join(directory, name)
                noted = self.before.get(path)
                if noted is None or path in written:
                    continue
                status = os.lstat(path)
                if (status.st_ino, status.st_ctime_ns) == noted:
                    os.unlink(path)
                    removed += 1
            if directory != root and not os.listdir(directory):
                os.rmdir(directory)
        return removed


def walk_files(folder: Path) -> list[str]:
    return [os.path.join(directory, name)
            for directory, _, names in os.walk(os.fspath(folder)) for name in names]


def missing(written: set[str]) -> list[str]:
    return sorted(path for path in written if not os.path.lexists(path))


def swap_into_place(staging: Path, output: Path) -> None:
    """Replace `output` by `staging` with two renames, so readers never see half a site.
    The old output becomes the spare (or, where spares are not used, is removed in the
    background). If the second rename fails, the old output is put back."""
    staging.chmod(0o755)  # mkdtemp creates the folder private; a web server must read it
    retired = None
    if output.exists():
        if reuse_allowed():
            retired = spare_folder(output)
            if retired.exists():  # a spare the last build could not take: outdated anyway
                discard(retired, output)
        else:
            retired = Path(tempfile.mkdtemp(prefix=retired_prefix(output),
                                            dir=output.parent)) / "site"
        os.rename(output, retired)  # an error here leaves everything as it was
    try:
        os.rename(staging, output)
    except BaseException:
        if retired is not None:
            os.rename(retired, output)
            if not reuse_allowed():
                retired.parent.rmdir()
        raise
    if retired is not None and not reuse_allowed():
        remove_in_background(retired.parent)


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


def empty_folder(folder: Path, output: Path) -> None:
    """Move the contents of a reused folder out of the way (removed in the background)."""
    discard(folder, output)
    folder.mkdir()


def discard(folder: Path, output: Path) -> None:
    """Remove a folder of ours (never the live output) without waiting for it: rename it,
    delete it in the background."""
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
