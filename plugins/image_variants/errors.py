"""The plugin's own exception: one bad image, named by its file, explained in German."""

from __future__ import annotations


class ImageError(Exception):
    """An image that cannot be published: not an image, damaged, too large, wrong format …

    `path` is the image file as editors know it (e.g. content/bilder/foto.jpg) or, while
    still unknown, an absolute path. The plugin collects every ImageError of a run and
    reports them together (one ERROR log record each, with the post's file and line).
    Picklable, so worker processes can raise it.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(path, message)
        self.path = str(path)
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"
