"""A bounded pool of worker threads for the live server.

At most ``size`` workers run requests at once, however many sockets are
open. A request that is going to wait a long time for something another
request will bring (the exchange's long-polling receives, up to 60 s) says
so with :func:`waiting`; while it waits it does not count against the
bound, so waiting receivers can never take every worker and leave the send
that would wake them queued behind them. A hard cap (``size`` plus
``max_waiting``) still bounds the threads.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator

DEFAULT_WORKERS = 32
logger = logging.getLogger(__name__)
_local = threading.local()

Job = Callable[[], None]


class WorkerPool:
    def __init__(self, size: int = DEFAULT_WORKERS, *, name: str = "globus-testkit") -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self.max_waiting = 4 * size
        self.name = name
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0  # alive
        self._idle = 0  # blocked on the job queue
        self._waiting = 0  # inside waiting(): not counted against size
        self._queued = 0  # jobs submitted and not yet taken
        self._closed = False

    @property
    def threads(self) -> int:
        return self._threads

    def submit(self, job: Job) -> None:
        with self._lock:
            if self._closed:
                return
            self._queued += 1
            self._jobs.put(job)
            self._grow()

    def close(self) -> None:
        """Let every worker go once the jobs already queued are done."""
        with self._lock:
            self._closed = True
            for _ in range(self._threads):
                self._jobs.put(None)

    @contextlib.contextmanager
    def waiting(self) -> Iterator[None]:
        with self._lock:
            counted = self._waiting < self.max_waiting
            if counted:
                self._waiting += 1
                self._grow()
        try:
            yield
        finally:
            if counted:
                with self._lock:
                    self._waiting -= 1

    def _grow(self) -> None:
        """Start a worker if jobs wait, none is idle and the bound allows."""
        busy = self._threads - self._waiting
        if self._queued > self._idle and busy < self.size and not self._closed:
            self._threads += 1
            self._idle += 1  # it is about to take a job
            thread = threading.Thread(target=self._work, name=f"{self.name}-worker", daemon=True)
            thread.start()

    def _work(self) -> None:
        _local.pool = self
        while True:
            job = self._jobs.get()
            with self._lock:
                self._idle -= 1
                if job is None:
                    self._threads -= 1
                    return
                self._queued -= 1
            try:
                job()
            except Exception:  # a job's failure must not take the worker down
                logger.exception("a server job failed")
            with self._lock:
                # Extra workers started while others waited go away again.
                if self._threads - self._waiting > self.size or self._closed:
                    self._threads -= 1
                    return
                self._idle += 1


@contextlib.contextmanager
def waiting() -> Iterator[None]:
    """Mark a long wait on the current worker (a no-op off the pool)."""
    pool: WorkerPool | None = getattr(_local, "pool", None)
    if pool is None:
        yield
        return
    with pool.waiting():
        yield
