"""Talk to `pagefind --service`: the same protocol as Pagefind's own Python and Node APIs.

Why not `pagefind.index.PagefindIndex`? Its reader sleeps 0.1 s before reading each answer,
which makes 11,000 pages take over 18 minutes. This client is synchronous, keeps a bounded
number of requests in flight, notices a dead or silent program (timeout), and reports the
program's peak memory. Answers are read by a thread (select() on pipes does not work on
Windows, where editors may build too).

Protocol (Pagefind 1.x): each message is base64(JSON) followed by a comma, both ways.
Requests are {"message_id": n, "payload": {"type": ..., ...}}; answers carry the same
message_id and a payload whose type is the request's answer or "Error".
"""

from __future__ import annotations

import base64
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
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


class PagefindService:
    """One `pagefind --service` process. Use as a context manager; close() returns Usage."""

    WINDOW = 32  #: requests in flight at most (bounds the program's request queue)

    def __init__(self, executable: Path, *, timeout: float = 300.0, cwd: str | None = None):
        self.timeout = timeout
        self._stderr = tempfile.TemporaryFile()
        self._started = time.perf_counter()
        self._process = subprocess.Popen(
            [str(executable), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, cwd=cwd, bufsize=0)
        self._buffer = bytearray()
        self._chunks: queue.Queue[bytes] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, name="pagefind-reader", daemon=True)
        self._reader.start()
        self._next_id = 0
        self._pending: dict[int, str] = {}  # message_id -> what it was, for messages
        self.usage: Usage | None = None

    # --- messages ---------------------------------------------------------------------------

    def _send(self, payload: dict, label: str) -> int:
        self._next_id += 1
        message = {"message_id": self._next_id, "payload": payload}
        data = base64.b64encode(json.dumps(message, ensure_ascii=False).encode("utf-8")) + b","
        try:
            self._process.stdin.write(data)
        except (BrokenPipeError, OSError) as error:
            raise ServiceError(f"Pagefind hat sich unerwartet beendet{self._stderr_tail()}"
                               ) from error
        self._pending[self._next_id] = label
        return self._next_id

    def _pump(self) -> None:
        """Move the program's output into a queue; b"" marks its end."""
        descriptor = self._process.stdout.fileno()
        while True:
            try:
                chunk = os.read(descriptor, 1 << 16)
            except OSError:
                chunk = b""
            self._chunks.put(chunk)
            if not chunk:
                return

    def _read_message(self) -> dict:
        while True:
            comma = self._buffer.find(b",")
            if comma >= 0:
                raw = bytes(self._buffer[:comma])
                del self._buffer[: comma + 1]
                return json.loads(base64.b64decode(raw))
            try:
                chunk = self._chunks.get(timeout=self.timeout)
            except queue.Empty:
                raise ServiceError(f"Pagefind hat {self.timeout:.0f} s lang nicht "
                                   "geantwortet") from None
            if not chunk:
                self._chunks.put(chunk)  # stays at the end for any later read
                raise ServiceError(f"Pagefind hat sich unerwartet beendet{self._stderr_tail()}")
            self._buffer += chunk

    def _receive(self) -> tuple[int, dict]:
        """The next answer to a pending request: (message_id, payload); errors raise."""
        while True:
            message = self._read_message()
            message_id = message.get("message_id")
            payload = message.get("payload") or {}
            if message_id not in self._pending:
                if payload.get("type") == "Error":
                    raise ServiceError(f"Pagefind: {payload.get('message')}")
                continue
            label = self._pending.pop(message_id)
            if payload.get("type") == "Error":
                raise ServiceError(f"Pagefind konnte {label} nicht verarbeiten: "
                                   f"{payload.get('message')}")
            return message_id, payload

    def request(self, payload: dict, label: str, expect: str) -> dict:
        """Send one request and wait for its answer (after any still pending)."""
        wanted = self._send(payload, label)
        while True:
            message_id, answer = self._receive()
            if message_id == wanted:
                if answer.get("type") != expect:
                    raise ServiceError(f"Pagefind: unerwartete Antwort {answer.get('type')!r} "
                                       f"auf {label}")
                return answer

    def stream(self, requests: Iterable[tuple[dict, str]], expect: str) -> Iterator[dict]:
        """Send many requests, at most WINDOW unanswered at a time; yield every answer."""
        for payload, label in requests:
            self._send(payload, label)
            while len(self._pending) >= self.WINDOW:
                yield self._checked(expect)
        while self._pending:
            yield self._checked(expect)

    def _checked(self, expect: str) -> dict:
        _, answer = self._receive()
        if answer.get("type") != expect:
            raise ServiceError(f"Pagefind: unerwartete Antwort {answer.get('type')!r}")
        return answer

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
        self._reader.join(timeout=5)  # it ends at the program's end of output
        if not self._reader.is_alive():  # never close a descriptor it may still read
            process.stdout.close()
        self._stderr.close()
        if peak is None:  # not Linux: an upper bound (includes this process's memory)
            scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS
            peak = (usage.ru_maxrss if usage else 0) * scale
        self.usage = Usage(time.perf_counter() - self._started, peak)
        return self.usage

    def __enter__(self) -> PagefindService:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        self.close(grace=30.0 if exc_type is None else 1.0)  # failing anyway: do not wait

