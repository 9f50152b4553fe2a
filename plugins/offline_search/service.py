"""Talk to `pagefind --service`: the same protocol as Pagefind's own Python and Node APIs.

Why not `pagefind.index.PagefindIndex`? Its reader sleeps 0.1 s before reading each answer,
which makes 11,000 pages take over 18 minutes. This client keeps a bounded number of
requests in flight, notices a dead or silent program (timeout), and reports the program's
peak memory. It need not wait for answers: submit() sends a page and returns while Pagefind
works on it, so the build writes the next pages meanwhile; collect() waits for the rest.

Answers are read without a thread on POSIX (a selector): other plugins fork the build
process (group_directory's calendar workers while pages are written), and forking a process
with threads can leave their locks held in the copy; rebuild_cache's helpers do not start
at all in a process with threads. On Windows, where selectors do not work on pipes and
nothing forks, a thread reads them.

Protocol (Pagefind 1.x): each message is base64(JSON) followed by a comma, both ways.
Requests are {"message_id": n, "payload": {"type": ..., ...}}; answers carry the same
message_id and a payload whose type is the request's answer or "Error".
"""

from __future__ import annotations

import base64
import json
import os
import queue
import selectors
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path


class ServiceError(Exception):
    """The Pagefind program failed, answered with an error or stopped answering."""


def find_executable() -> Path:
    """The Pagefind program: $PAGEFIND_BINARY_PATH, else the one of the `pagefind_bin`
    package (installed by `pagefind[bin]`), else `pagefind` on PATH; as the `pagefind`
    package itself looks for it."""
    try:
        from pagefind.service import get_executable
    except ImportError as error:
        raise ServiceError("Das Python-Paket „pagefind“ fehlt. `python3 make.py publish` "
                           "installiert es (siehe pyproject.toml).") from error
    executable = get_executable()
    if executable is None or not Path(executable).is_file():
        raise ServiceError("Das Programm Pagefind wurde nicht gefunden (Paket "
                           "„pagefind[bin]“). `python3 make.py publish` installiert es.")
    return Path(executable)


@dataclass(frozen=True)
class Usage:
    seconds: float  #: wall time from start to exit of the program
    peak_rss_bytes: int  #: the program's maximum resident set size


# --- Reading the program's output -----------------------------------------------------------

class _SelectorReader:
    """POSIX: waits for output with a selector, in the calling thread."""

    def __init__(self, stream) -> None:
        self._descriptor = stream.fileno()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._descriptor, selectors.EVENT_READ)

    def read(self, timeout: float) -> bytes | None:
        """The next output, b"" at its end, None if nothing came within `timeout` s."""
        if not self._selector.select(timeout):
            return None
        try:
            return os.read(self._descriptor, 1 << 16)
        except OSError:
            return b""

    def close(self) -> bool:
        self._selector.close()
        return True


class _ThreadReader:
    """Windows: a thread moves the output into a queue; b"" marks its end."""

    def __init__(self, stream) -> None:
        self._descriptor = stream.fileno()
        self._chunks: queue.Queue[bytes] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, name="pagefind-reader",
                                        daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        while True:
            try:
                chunk = os.read(self._descriptor, 1 << 16)
            except OSError:
                chunk = b""
            self._chunks.put(chunk)
            if not chunk:
                return

    def read(self, timeout: float) -> bytes | None:
        try:
            chunk = self._chunks.get(timeout=timeout) if timeout else self._chunks.get_nowait()
        except queue.Empty:
            return None
        if not chunk:
            self._chunks.put(chunk)  # stays at the end for any later read
        return chunk

    def close(self) -> bool:
        """Whether the output may be closed: not while the thread may still read it."""
        self._thread.join(timeout=5)  # it ends at the program's end of output
        return not self._thread.is_alive()


def _end_abandoned(process: subprocess.Popen, output, stderr, owner: int) -> None:
    """Kill a program whose service was never closed: the build failed before indexing
    finished, or Python exits. Never from a forked copy of the build process: the program
    belongs to the process that started it."""
    if os.getpid() != owner:
        return
    if process.poll() is None:
        process.kill()
        process.wait()
    _release(process, output, stderr)


def _release(process: subprocess.Popen, output, stderr) -> None:
    """Close the pipes and files of an ended program."""
    try:
        process.stdin.close()
    except OSError:
        pass
    if output.close():  # never close a descriptor a thread may still read
        process.stdout.close()
    stderr.close()


class PagefindService:
    """One `pagefind --service` process. Use as a context manager; close() returns Usage.

    request() sends one request and waits for its answer; submit() sends one without
    waiting, collect() waits for the answers to all submitted ones. Every answer is checked:
    an error answer, an unexpected one, a timeout or the program's end raise ServiceError
    from whichever call notices it."""

    WINDOW = 32  #: requests in flight at most (bounds the program's request queue)
    reader_class = _SelectorReader if os.name == "posix" else _ThreadReader

    def __init__(self, executable: Path, *, timeout: float = 300.0, cwd: str | None = None):
        self.timeout = timeout
        self._stderr = tempfile.TemporaryFile()
        self._started = time.perf_counter()
        try:
            self._process = subprocess.Popen(
                [str(executable), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=self._stderr, cwd=cwd, bufsize=0)
        except OSError as error:
            self._stderr.close()
            raise ServiceError(f"Pagefind konnte nicht gestartet werden: {error}") from error
        # Also when nobody calls close(): no program is left running after a failed build.
        self._output = self.reader_class(self._process.stdout)
        self._abandoned = weakref.finalize(self, _end_abandoned, self._process, self._output,
                                           self._stderr, os.getpid())
        self._buffer = bytearray()
        self._next_id = 0
        #: message_id -> (what it was, for messages; the answer's expected type)
        self._pending: dict[int, tuple[str, str]] = {}
        self._answers: list[dict] = []  # answers to submitted requests, not yet collected
        self.usage: Usage | None = None

    @property
    def in_flight(self) -> int:
        """Requests sent and not answered yet."""
        return len(self._pending)

    # --- requests ---------------------------------------------------------------------------

    def request(self, payload: dict, label: str, expect: str) -> dict:
        """Send one request and wait for its answer; `label` names it in messages
        ("die Seite x"), `expect` is the type of answer it must get."""
        wanted = self._send(payload, label, expect)
        while True:
            message_id, answer = self._receive()
            if message_id == wanted:
                return answer
            self._answers.append(answer)  # of a request submitted before

    def submit(self, payload: dict, label: str, expect: str) -> None:
        """Send a request without waiting for its answer; waits only while WINDOW requests
        are unanswered. Answers that have arrived meanwhile are checked now."""
        while len(self._pending) >= self.WINDOW:
            self._answers.append(self._receive()[1])
        self._send(payload, label, expect)
        while (arrived := self._receive(wait=False)) is not None:
            self._answers.append(arrived[1])

    def collect(self) -> list[dict]:
        """Wait for the answers to every submitted request; all answers since the last
        collect(), in the order they came."""
        while self._pending:
            self._answers.append(self._receive()[1])
        answers, self._answers = self._answers, []
        return answers

    # --- messages ---------------------------------------------------------------------------

    def _send(self, payload: dict, label: str, expect: str) -> int:
        self._next_id += 1
        message = {"message_id": self._next_id, "payload": payload}
        data = base64.b64encode(json.dumps(message, ensure_ascii=False).encode("utf-8")) + b","
        try:
            self._process.stdin.write(data)
        except (BrokenPipeError, OSError, ValueError) as error:  # ValueError: closed
            raise ServiceError(f"Pagefind hat sich unerwartet beendet{self._stderr_tail()}"
                               ) from error
        self._pending[self._next_id] = (label, expect)
        return self._next_id

    def _read_message(self, wait: bool) -> dict | None:
        """The next message; if not `wait`, None unless one has fully arrived."""
        while True:
            comma = self._buffer.find(b",")
            if comma >= 0:
                raw = bytes(self._buffer[:comma])
                del self._buffer[: comma + 1]
                return json.loads(base64.b64decode(raw))
            chunk = self._output.read(self.timeout if wait else 0)
            if chunk is None:
                if not wait:
                    return None
                raise ServiceError(f"Pagefind hat {self.timeout:.0f} s lang nicht "
                                   "geantwortet")
            if not chunk:
                raise ServiceError(f"Pagefind hat sich unerwartet beendet{self._stderr_tail()}")
            self._buffer += chunk

    def _receive(self, wait: bool = True) -> tuple[int, dict] | None:
        """The next answer to a pending request, checked: (message_id, payload). Without
        `wait`, None if no answer has arrived yet."""
        while True:
            message = self._read_message(wait)
            if message is None:
                return None
            message_id = message.get("message_id")
            payload = message.get("payload") or {}
            if message_id not in self._pending:
                if payload.get("type") == "Error":
                    raise ServiceError(f"Pagefind: {payload.get('message')}")
                continue
            label, expect = self._pending.pop(message_id)
            if payload.get("type") == "Error":
                raise ServiceError(f"Pagefind konnte {label} nicht verarbeiten: "
                                   f"{payload.get('message')}")
            if payload.get("type") != expect:
                raise ServiceError(f"Pagefind: unerwartete Antwort {payload.get('type')!r} "
                                   f"auf {label}")
            return message_id, payload

    # --- the program ------------------------------------------------------------------------

    def open_files(self) -> list[str] | None:
        """The files the program has open (Linux: /proc), or None where that is unknown."""
        folder = f"/proc/{self._process.pid}/fd"
        try:
            descriptors = os.listdir(folder)
        except OSError:
            return None
        found = []
        for descriptor in descriptors:
            try:
                found.append(os.readlink(os.path.join(folder, descriptor)))
            except OSError:
                pass  # closed meanwhile
        return found

    # --- lifetime ---------------------------------------------------------------------------

    def _stderr_tail(self) -> str:
        try:
            self._stderr.seek(0)
            text = self._stderr.read()[-800:].decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""
        return f": {text}" if text else ""

    def _high_water_mark(self) -> int | None:
        """The program's own peak memory (Linux: VmHWM of its address space), or None.

        os.wait4's ru_maxrss is no good here: it starts from the memory of the Python
        process that started the program (Linux carries it over the exec)."""
        try:
            with open(f"/proc/{self._process.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            return None
        return None

    def close(self, *, grace: float = 30.0) -> Usage:
        """End the program (end of input makes it exit; after `grace` seconds it is
        killed) and return what it used."""
        if self.usage is not None:
            return self.usage
        process = self._process
        peak = self._high_water_mark()  # None once it has exited (a zombie has no memory)
        try:
            process.stdin.close()
        except OSError:
            pass
        usage = None
        if hasattr(os, "wait4"):  # POSIX: wait and get the resources it used
            deadline = time.monotonic() + grace
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    process.kill()
                    pid, status, usage = os.wait4(process.pid, 0)
                    break
                time.sleep(0.01)
            process.returncode = os.waitstatus_to_exitcode(status)
        else:  # Windows
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._abandoned.detach()
        _release(process, self._output, self._stderr)
        if peak is None:  # not Linux: an upper bound (includes this process's memory)
            scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS
            peak = (usage.ru_maxrss if usage else 0) * scale
        self.usage = Usage(time.perf_counter() - self._started, peak)
        return self.usage

    def __enter__(self) -> PagefindService:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        self.close(grace=30.0 if exc_type is None else 1.0)  # failing anyway: do not wait

