"""A second process that works through a list from its far end while this one starts at
the front, so a cold build uses both cores.

Pelican reads posts one after another in one process. Before it starts, `FromBothEnds`
forks a helper (a copy of this process, so it has the same settings, plugins and readers)
that reads the posts from the last one backwards, which fills the caches: Markdown
(reading.py) and sanitising (post_sanitizer). When Pelican gets to a post, this process
either claims it (and reads it itself) or, if the helper is on it, waits for the helper to
finish it and then finds it in the caches. The two meet in the middle; nothing is done twice.

Only where os.fork exists (Linux, macOS); elsewhere, and if anything goes wrong in the
helper, this process simply does all the work itself.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence

FREE, HELPER_WORKING, HELPER_DONE, OURS = 0, 1, 2, 3
WAIT_STEP = 0.002  # seconds between looks at an item the helper is working on


def can_fork() -> bool:
    # Forking a process with other threads running can leave their locks held forever.
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


# Helpers still running when this process exits (a build that failed half-way) are stopped.
_running: set[FromBothEnds] = set()


class FromBothEnds:
    def __init__(self, items: Sequence[str]) -> None:
        self.index = {item: number for number, item in enumerate(items)}
        self.states: Sequence[int] = [FREE] * len(items)
        self.lock = None
        self.helper_pid: int | None = None
        self.in_helper = False

    def start(self, work: Callable[[str], None], items: Sequence[str]) -> bool:
        """Fork the helper to run `work(item)` from the last item backwards."""
        if not can_fork():
            return False
        context = multiprocessing.get_context("fork")
        self.states = context.RawArray("b", len(items))
        self.lock = context.Lock()
        parent = os.getpid()
        pid = os.fork()
        if pid:
            self.helper_pid = pid
            _running.add(self)
            return True
        self.in_helper = True
        status = 0
        try:
            _quiet_logging()
            for number in range(len(items) - 1, -1, -1):
                if os.getppid() != parent:
                    break  # the main process is gone (Ctrl+C, a crash): stop, too
                with self.lock:
                    if self.states[number] != FREE:
                        break  # the main process got here first: all done
                    self.states[number] = HELPER_WORKING
                try:
                    work(items[number])
                except Exception:  # noqa: BLE001 - the main process does it again
                    pass
                self.states[number] = HELPER_DONE
        except BaseException:  # noqa: BLE001 - Ctrl+C included: end quietly
            status = 1
        finally:
            os._exit(status)  # never run the parent's cleanup or atexit handlers twice

    def claim(self, item: str) -> bool:
        """Called by the main process before it works on `item`: returns at once if the
        item is ours now; waits while the helper is working on it. True if the helper did
        it."""
        number = self.index.get(item)
        if number is None or self.in_helper:
            return False
        if self.helper_pid is not None:
            with self.lock:
                if self.states[number] == FREE:
                    self.states[number] = OURS
                    return False
            while self.states[number] == HELPER_WORKING and self._helper_alive():
                time.sleep(WAIT_STEP)
        return self.states[number] == HELPER_DONE

    def finish(self) -> None:
        """Wait for the helper to stop (it stops at the first item we claimed)."""
        _running.discard(self)
        if self.helper_pid is None or self.in_helper:
            return
        with self.lock:
            for number in range(len(self.states)):
                if self.states[number] == FREE:
                    self.states[number] = OURS
        try:
            os.waitpid(self.helper_pid, 0)
        except ChildProcessError:
            pass
        self.helper_pid = None

    def _helper_alive(self) -> bool:
        try:
            pid, _ = os.waitpid(self.helper_pid, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid:
            self.helper_pid = None
            return False
        return True


def stop_all() -> None:
    """Stop and reap every helper of this process (a run that failed before `finished`)."""
    for helper in list(_running):
        _running.discard(helper)
        if helper.helper_pid is None:
            continue
        try:  # not through finish(): a killed helper may have held the lock
            os.kill(helper.helper_pid, signal.SIGTERM)
            os.waitpid(helper.helper_pid, 0)
        except OSError:
            pass
        helper.helper_pid = None


atexit.register(stop_all)


def _quiet_logging() -> None:
    """The helper's messages would repeat the main process's: the main process logs every
    problem itself (from the caches, see reading.py), so the helper logs nothing."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(logging.NullHandler())
