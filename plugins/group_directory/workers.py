"""Worker processes for the two costly, independent jobs of a large directory: sanitising
descriptions (Markdown + the HTML cleaner) and writing calendar files. Small directories
(below GROUP_DIRECTORY_PARALLEL_FROM) never start a process."""

from __future__ import annotations

import multiprocessing
import os
import sys
from multiprocessing.context import BaseContext
from pathlib import Path


def worker_count(setting: int | None) -> int:
    """GROUP_DIRECTORY_WORKERS: None means one less than the CPU cores (at most 3)."""
    if setting is not None:
        return max(0, int(setting))
    return max(0, min(os.cpu_count() or 1, 4) - 1)


def process_context() -> BaseContext:
    """fork where there is one (fast, inherits the loaded plugins); elsewhere the default
    start method, which imports this package afresh, so its folder must be importable."""
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    plugins_dir = str(Path(__file__).resolve().parent.parent)
    if plugins_dir not in sys.path:
        sys.path.append(plugins_dir)
    return multiprocessing.get_context()


def chunk_size(items: int, workers: int) -> int:
    return max(1, -(-items // (workers * 4)))
