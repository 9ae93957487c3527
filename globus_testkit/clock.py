"""The virtual clock: the one source of "now" for everything time-based.

Nothing in the emulator reads the machine's clock directly. Tokens expire,
tasks progress and runs wait by comparing against this clock, so a test can
jump an hour ahead in a microsecond and see the world as it would be then.
"""

from __future__ import annotations

import datetime as _dt
import math
import threading
import time
from collections.abc import Callable


class Clock:
    """A clock that only moves when told to.

    It starts at the machine's time when created (so timestamps look like
    "now" to humans and to clients that compare against real time) unless a
    ``start`` is given, and then stands still until :meth:`advance` is called.
    """

    def __init__(self, start: float | None = None) -> None:
        self._now = float(time.time() if start is None else start)
        self._lock = threading.Lock()
        # The earliest time due work waits for (the world's agenda keeps it)
        # and what runs due work (the emulator; True if it ran something).
        self.due_at = math.inf
        self.on_due: Callable[[], bool] | None = None

    def now(self) -> float:
        """Seconds since the epoch, on the virtual timeline."""
        return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward; refuses to go backwards. Returns the new now."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            target = self._now + seconds
            if self.due_at > target or self.on_due is None:
                self._now = target
                return self._now
        # Stop at each due time on the way, so work runs when it was due.
        while self.due_at <= target and self.on_due is not None:
            with self._lock:
                self._now = max(self._now, self.due_at)
            if not self.on_due():
                break
        with self._lock:
            self._now = max(self._now, target)
            return self._now

    def set(self, timestamp: float) -> None:
        """Jump to an absolute time (never earlier than now)."""
        self.advance(max(0.0, timestamp - self._now))

    def isoformat(self, timestamp: float | None = None) -> str:
        """An ISO 8601 UTC timestamp with offset, as Globus services print them."""
        return iso(self._now if timestamp is None else timestamp)

    def __deepcopy__(self, memo: dict[int, object]) -> Clock:
        copy = Clock(self._now)
        copy.due_at = self.due_at
        return copy

    def __getstate__(self) -> dict[str, float]:
        return {"now": self._now, "due_at": self.due_at}

    def __setstate__(self, state: dict[str, float]) -> None:
        self._now = state["now"]
        self._lock = threading.Lock()
        self.due_at = state.get("due_at", math.inf)
        self.on_due = None


def iso(timestamp: float) -> str:
    """Format epoch seconds as ISO 8601 in UTC, with a +00:00 offset."""
    return _dt.datetime.fromtimestamp(timestamp, tz=_dt.timezone.utc).isoformat()


def parse_iso(text: str) -> float:
    """Parse an ISO 8601 timestamp (naive means UTC) to epoch seconds."""
    value = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value.timestamp()
