"""Collect every problem of one build run, so editors see them all at once.

Plugins report a problem by logging it at ERROR level with a message that starts with
`file:line: ` (German text). Nothing here imports a plugin: logging is the only contract.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Pelican's "a file failed", with the reason on the next line once ProblemCollector added it.
CANNOT_PROCESS = re.compile(r"Could not process (\S+)\n?(.*)", re.S)

# Pelican's own messages that must fail a publish build, with the German text shown for them.
# Each pattern is matched against the formatted English message.
PELICAN_MESSAGES_IN_GERMAN = [
    (re.compile(r"Cannot load plugin `?([^`\s]+)`?"),
     "Erweiterung (Plugin) „{0}“ konnte nicht geladen werden. Ohne sie wäre die Website "
     "unvollständig oder unsicher."),
    (re.compile(r"Unable to find '([^']*)', skipping url replacement"),
     "Ein Verweis zeigt auf „{0}“, aber diese Datei gibt es nicht."),
    (re.compile(r"Skipping (\S+): could not find information about '(\w+)'"),
     "{0}:1: Pflichtangabe fehlt: „{1}:“ muss oben in der Datei stehen."),
    (CANNOT_PROCESS, "{0}: Datei konnte nicht verarbeitet werden: {1} (Zeile und Erklärung: "
                     "`python3 make.py check` mit dieser Datei)"),
]

# Pelican's warnings that are errors for a publish build.
ESCALATED_WARNINGS = [re.compile(r"Unable to find '")]


@dataclass(frozen=True)
class Problem:
    message: str

    def __str__(self) -> str:
        return self.message


def in_german(message: str) -> str:
    for pattern, german in PELICAN_MESSAGES_IN_GERMAN:
        match = pattern.search(message)
        if match:
            return german.format(*(shorten(group) for group in match.groups()))
    return message


def shorten(text: str) -> str:
    """Paths as editors know them (content/beitraege/x.md), and 'title' as 'Title'."""
    if os.path.isabs(text):
        parts = Path(text).parts
        if "content" in parts:
            return str(Path(*parts[parts.index("content"):]))
        return text
    return text.capitalize() if text.isalpha() else text


class ProblemCollector(logging.Handler):
    """A logging handler that keeps every error (and escalated warning) of a run."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.problems: list[Problem] = []
        #: files Pelican could not process, as it names them (relative to content/, mostly)
        self.unprocessed: dict[str, Problem] = {}

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        unprocessed = CANNOT_PROCESS.match(message)
        if unprocessed and "\n" not in message and not record.exc_info:
            # Pelican logs this inside its except block without the exception (unless
            # DEBUG), which left editors with "could not be processed" and no reason.
            reason = sys.exc_info()[1]
            if reason is not None:
                message = f"{message}\n{type(reason).__name__}: {reason}"
        if record.levelno >= logging.ERROR or any(p.search(message) for p in ESCALATED_WARNINGS):
            problem = Problem(in_german(message))
            repeated = record.name.startswith("pelican.") and self._already_reported(problem)
            if not repeated and problem not in self.problems:
                self.problems.append(problem)
                if unprocessed:
                    self.unprocessed[unprocessed.group(1)] = problem

    def explain(self, name: str, details: list[Problem]) -> None:
        """Put `details` (with lines) in place of the bare report that `name` failed."""
        problem = self.unprocessed.pop(name, None)
        if problem is None or not details or problem not in self.problems:
            return
        at = self.problems.index(problem)
        self.problems[at:at + 1] = [d for d in details if d not in self.problems]

    def _already_reported(self, problem: Problem) -> bool:
        """Pelican repeats, without file and line, what a plugin already reported with them."""
        quoted = re.search(r"„([^“]+)“", problem.message)
        return bool(quoted and any(quoted.group(0) in known.message for known in self.problems))
