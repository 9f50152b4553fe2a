"""Leave an output file in place when it already holds exactly the page being written.

Pelican truncates and rewrites every page on every build. Most pages of a rebuild are the
same as before, and creating a file costs far more than reading one on many file systems,
so the writer compares first. An unchanged file is only touched (os.utime: its times become
now, as if written), which tells the publish build that this build wants the file
(sitetools/staging.py); keeping its old modification time instead could make a page look
older than the different one online, and "upload only newer files" would skip it. A changed
file is replaced (new file, then rename), never written in place: output files may be hard
links into a cache (image_variants does that).
"""

from __future__ import annotations

import io
import os

from sitetools import written_page


class KeepIfSame(io.StringIO):
    """Collects a page's text; on close, replaces `path` only if the text differs."""

    def __init__(self, path: str, encoding: str) -> None:
        super().__init__()
        self.path = path
        self.target_encoding = encoding

    def close(self) -> None:
        if not self.closed:
            text = self.getvalue()
            super().close()
            write_unless_same(self.path, text, self.target_encoding)


def write_unless_same(path: str, text: str, encoding: str) -> bool:
    """True if the file was written, False if it already held `text`."""
    data = written_page.file_bytes(text, encoding)  # what open(path, "w") would write
    try:
        with open(path, "rb") as existing:
            same = os.fstat(existing.fileno()).st_size == len(data) and existing.read() == data
        if same:
            os.utime(path)
            return False
    except OSError:  # missing, unreadable, or not ours to touch: write it anew
        pass
    partial = f"{path}.{os.getpid()}.tmp"
    try:
        with open(partial, "wb") as target:
            target.write(data)
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    return True
