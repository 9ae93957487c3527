"""Running submitted functions: in worker processes the emulator owns.

Processes, not threads, so a function can neither read nor break the
emulator's world, and a stuck one can be killed. Each worker is
``python worker_main.py`` (a script, so it imports neither the emulator
nor the test's ``__main__``, as multiprocessing's start methods would),
talking in length-prefixed frames over its raw pipes: only strings cross,
the function code and arguments in and the serialized result or traceback
out. At most ``size`` run at once; idle ones are kept for the next task;
one that overruns the timeout is killed.

The frames (worker_main.py writes and reads the other halves):
a task is ``>II`` (code and payload byte lengths) then both, UTF-8; an
answer is ``>cI`` (its kind and byte length) then its text: kind ``r``
(ready, once, the worker's environment as JSON), ``s`` (the serialized
result) or ``f`` (the traceback). Each frame goes in one write and
usually comes out in one read: no text layer, no line scanning, no JSON
per task (a round trip cost about 40 us more with JSON lines over text
pipes).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import select
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .models import FAILED

DEFAULT_POOL_SIZE = 2
DEFAULT_TIMEOUT = 60.0  # real seconds a function may run
STARTUP_TIMEOUT = 120.0  # real seconds a worker may take to import globus-compute-sdk
_SCRIPT = str(Path(__file__).with_name("worker_main.py"))
_TASK = struct.Struct(">II")  # code and payload byte lengths
_ANSWER = struct.Struct(">cI")  # kind and byte length
_STATUS_OF_KIND = {b"s": "success", b"f": FAILED}
# lone surrogates in a traceback or result survive the trip, as they
# did through JSON's escapes
_ENCODING, _ERRORS = "utf-8", "surrogatepass"

Outcome = tuple[str, str, dict[str, Any]]  # status, result or traceback, details


@functools.cache
def compute_sdk_installed() -> bool:
    # Asked on every submission, and find_spec scans sys.path (~40 us)
    # while the emulator's own process has not imported it, as with
    # globus-sdk's Compute clients; it does not get installed mid-run.
    return importlib.util.find_spec("globus_compute_sdk") is not None


class _Worker:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, _SCRIPT],
            # The emulated endpoint shares this Python's environment, as a
            # local endpoint would: functions that dill pickles by reference
            # (defined in an importable module, a test file say) import there.
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._tasks = self.process.stdin.fileno()
        self._answers = self.process.stdout.fileno()
        self._poller = select.poll()
        self._poller.register(self._answers, select.POLLIN)
        self.details: dict[str, Any] | None = None  # the worker's environment, once ready

    def _wait_ready(self) -> bool:
        if self.details is None:
            answer = self._receive(STARTUP_TIMEOUT)
            if answer is not None and answer[0] == b"r":
                self.details = json.loads(answer[1])
        return self.details is not None

    def _receive(self, timeout: float) -> tuple[bytes, str] | None:
        """The next answer frame (kind, text), or None if the worker
        closed its end or sent nothing whole within ``timeout``."""
        deadline = time.monotonic() + timeout
        frame = bytearray()
        length: int | None = None
        while length is None or len(frame) < _ANSWER.size + length:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._poller.poll(remaining * 1000):
                return None
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                return None
            frame += chunk
            if length is None and len(frame) >= _ANSWER.size:
                kind, length = _ANSWER.unpack_from(frame)
        text = frame[_ANSWER.size :].decode(_ENCODING, _ERRORS)
        return kind, text

    def run(self, code: str, payload: str, timeout: float) -> Outcome | None:
        """The outcome, or None if the worker died or overran ``timeout``."""
        if not self._wait_ready():
            return None
        code_bytes = code.encode(_ENCODING, _ERRORS)
        payload_bytes = payload.encode(_ENCODING, _ERRORS)
        try:
            _write_all(
                self._tasks,
                _TASK.pack(len(code_bytes), len(payload_bytes)) + code_bytes + payload_bytes,
            )
        except OSError:
            return None
        answer = self._receive(timeout)
        if answer is None or answer[0] not in _STATUS_OF_KIND:
            return None
        assert self.details is not None
        return _STATUS_OF_KIND[answer[0]], answer[1], dict(self.details)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


def _write_all(fd: int, data: bytes) -> None:
    """One write, in the usual case; a frame bigger than the pipe holds
    goes in as the worker reads it."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class Workers:
    """A bounded pool of worker processes, started on first use."""

    def __init__(self, size: int = DEFAULT_POOL_SIZE, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.size = size
        self.timeout = timeout
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)

    def run_all(self, jobs: list[tuple[str, str]]) -> list[Outcome]:
        """Run (function code, payload) jobs, up to ``size`` side by side."""
        if len(jobs) == 1:
            return [self.run(*jobs[0])]
        with ThreadPoolExecutor(min(self.size, len(jobs))) as threads:
            return list(threads.map(lambda job: self.run(*job), jobs))

    def run(self, code: str, payload: str) -> Outcome:
        with self._slots:
            worker = self._checkout()
            outcome = worker.run(code, payload, self.timeout)
            self._checkin(worker, keep=outcome is not None)
        if outcome is not None:
            return outcome
        return (
            FAILED,
            "globus_testkit.WorkerLost: the worker running this function stopped, or "
            f"the function ran longer than {self.timeout:g} seconds (globus-testkit's "
            "worker timeout) and its worker was killed",
            {},
        )

    def _checkout(self) -> _Worker:
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is None or worker.process.poll() is not None:
            worker = _Worker()
        with self._lock:
            self._busy.add(worker)
        return worker

    def _checkin(self, worker: _Worker, *, keep: bool) -> None:
        with self._lock:
            known = worker in self._busy
            self._busy.discard(worker)
            if keep and known:
                self._idle.append(worker)
                return
        worker.stop()

    def resize(self, size: int) -> None:
        self.shutdown()
        self.size = size
        self._slots = threading.BoundedSemaphore(size)

    def shutdown(self) -> None:
        """Stop every worker (running functions included, their tasks
        fail); a later task starts fresh ones."""
        with self._lock:
            workers = self._idle + list(self._busy)
            self._idle, self._busy = [], set()
        for worker in workers:
            worker.stop()
