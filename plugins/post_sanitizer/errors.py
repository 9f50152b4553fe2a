"""The plugin's own exceptions. Each names a file (and line, if known) and speaks German.

They are mostly *logged* rather than raised (`logger.error(str(error))`), so that one build
reports every problem at once; sitetools/problems.py turns ERROR records into a failed
publish build.
"""

from __future__ import annotations


class SanitizeError(Exception):
    """A problem in one source file that an editor must fix."""

    def __init__(self, source_path: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.source_path = source_path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.source_path}: {self.message}"
        return f"{self.source_path}:{self.line}: {self.message}"


class PathEscapeError(SanitizeError):
    """A {static}, {attach} or {filename} link whose target lies outside the content folder."""


class DuplicateOutputError(SanitizeError):
    """Two contents would write the same output file."""

    def __init__(self, source_path: str, line: int | None, message: str,
                 other_path: str) -> None:
        super().__init__(source_path, line, message)
        self.other_path = other_path


class ForbiddenExtensionError(SanitizeError):
    """The Markdown configuration enables an extension that lets text set attributes or run
    code."""


class SettingsError(SanitizeError):
    """A POST_SANITIZER_* setting has a value the plugin cannot work with."""


class BackendUnavailableError(SettingsError):
    """The configured HTML cleaner library is not installed."""
