"""Pelican glue for group_directory: one generator does all the work (generator.py)."""

from __future__ import annotations

from pelican import signals

from .generator import GroupDirectoryGenerator


def get_generators(_pelican: object) -> type[GroupDirectoryGenerator]:
    return GroupDirectoryGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
