"""Site-wide checks: the Markdown configuration, and output files written twice.

Pure functions over plain data; plugin.py feeds them from Pelican's settings and generators.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MARKDOWN_PREFIX = "markdown.extensions."


def extension_name(extension: Any) -> str:
    """A comparable name for an entry of MARKDOWN["extensions"/"extension_configs"]: a
    dotted name ("markdown.extensions.attr_list", "attr_list", "mod:Class") or an
    Extension instance."""
    if isinstance(extension, str):
        name = extension
    else:
        name = type(extension).__module__
    name = name.split(":", 1)[0].strip().lower()
    if name.startswith(MARKDOWN_PREFIX):
        name = name[len(MARKDOWN_PREFIX):]
    return name


def forbidden_extensions(markdown_settings: dict, forbidden: Iterable[str]) -> list[str]:
    """The enabled extensions that are on the forbidden list, as configured."""
    banned = {extension_name(name) for name in forbidden}
    enabled = list((markdown_settings or {}).get("extension_configs", {}) or {})
    enabled += list((markdown_settings or {}).get("extensions", []) or [])
    found = []
    for extension in enabled:
        name = extension_name(extension)
        if name in banned and name not in found:
            found.append(name)
    return found


@dataclass(frozen=True)
class Output:
    """One file a build would write, and what writes it."""

    save_as: str
    source: str  # a content file's path, or a description of one of Pelican's own pages
    is_content: bool = True


def normalise_output(save_as: str) -> str:
    if not save_as:
        return ""
    return posixpath.normpath(save_as.replace("\\", "/")).lstrip("/")


def duplicate_outputs(outputs: Iterable[Output]) -> list[tuple[Output, Output]]:
    """Pairs (first writer, second writer) of the same output file, each pair once.

    Pairs of two of Pelican's own pages are left out: only content can be fixed by editors."""
    first_writer: dict[str, Output] = {}
    pairs = []
    for output in outputs:
        path = normalise_output(output.save_as)
        if not path:
            continue  # empty save_as: not written at all (e.g. drafts when publishing)
        earlier = first_writer.get(path)
        if earlier is None:
            first_writer[path] = output
        elif earlier.source != output.source and (earlier.is_content or output.is_content):
            pairs.append((earlier, output))
    return pairs
