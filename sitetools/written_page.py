"""The digest of a page Pelican's writer has written, for the receivers of `content_written`.

rebuild_cache's writer puts it into the page's context (stored with the rendered page, so a
page taken from its cache costs no hashing); the search index (offline_search) keys the
page by it instead of reading the file back. It is the digest of the file's bytes exactly,
so a page gets the same key whichever way it was made, and a receiver without it can
compute the same value from the file.
"""

from __future__ import annotations

import hashlib
import os

#: The name in a written page's context: SHA-256 (hex) of the file's bytes.
DIGEST_VARIABLE = "written_page_sha256"


def file_bytes(text: str, encoding: str = "utf-8") -> bytes:
    """What Pelican's writer puts into the file for `text`: the platform's newlines."""
    return (text if os.linesep == "\n" else text.replace("\n", os.linesep)).encode(encoding)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
