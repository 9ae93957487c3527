"""Running submitted functions: in worker processes the emulator owns.

Processes, not threads, so a function can neither read nor break the
emulator's world, and a stuck one can be killed. Each worker is
``python worker_main.py`` (a script, so it imports neither the emulator
nor the test's ``__main__``, as multiprocessing's start methods would),
talking JSON lines over its pipes: only strings cross, the function code
and arguments in and the serialized result or traceback out. At most
``size`` run at once; idle ones are kept for the next task; one that
overruns the timeout is killed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import select
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .models import FAILED

DEFAULT_POOL_SIZE = 2
DEFAULT_TIMEOUT = 60.0  # real seconds a function may run
STARTUP_TIMEOUT = 120.0  # real seconds a worker may take to import globus-compute-sdk
_SCRIPT = str(Path(__file__).with_name("worker_main.py"))

Outcome = tuple[str, str, dict[str, Any]]  # status, result or traceback, details


def compute_sdk_installed() -> bool:
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
            text=True,
            encoding="utf-8",
        )
        self.ready = False

    def _wait_ready(self) -> bool:
        if not self.ready:
            self.ready = self._read_line(STARTUP_TIMEOUT) == "ready\n"
        return self.ready

    def _read_line(self, timeout: float) -> str:
        stdout = self.process.stdout
        assert stdout is not None
        readable, _, _ = select.select([stdout], [], [], timeout)
        return stdout.readline() if readable else ""

    def run(self, code: str, payload: str, timeout: float) -> Outcome | None:
        """The outcome, or None if the worker died or overran ``timeout``."""
        stdin = self.process.stdin
        assert stdin is not None
        if not self._wait_ready():
            return None
        try:
            stdin.write(json.dumps({"code": code, "payload": payload}) + "\n")
            stdin.flush()
        except OSError:
            return None
        line = self._read_line(timeout)
        if not line:
            return None
        answer = json.loads(line)
        return str(answer["status"]), str(answer["outcome"]), dict(answer["details"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


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
