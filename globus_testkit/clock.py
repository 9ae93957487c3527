"""The virtual clock: the one source of "now" for everything time-based.

Nothing in the emulator reads the machine's clock directly. Tokens expire,
tasks progress and runs wait by comparing against this clock, so a test can
jump an hour ahead in a microsecond and see the world as it would be then.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import threading
import time
from collections.abc import Callable

# The last second ISO 8601 timestamps (and Python's datetime) can name:
# the clock never moves past it, so every "now" stays printable.
LATEST = _dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=_dt.timezone.utc).timestamp()


class Clock:
    """A clock that only moves when told to, or one that follows wall time.

    It starts at the machine's time when created (so timestamps look like
    "now" to humans and to clients that compare against real time) unless a
    ``start`` is given. A frozen clock (the default, for tests) then stands
    still until :meth:`advance` is called. A following clock (for served
    emulators that polling clients watch) moves with wall time, and manual
    advances add to it: virtual time = wall time + advances.
    """

    def __init__(self, start: float | None = None, *, follows_wall: bool = False) -> None:
        self._now = float(time.time() if start is None else start)
        self._follows = follows_wall
        self._wall_mark = time.time()  # the wall time at which _now was read
        self._lock = threading.Lock()
        # The earliest time due work waits for (the world's agenda keeps it)
        # and what runs due work (the emulator; True if it ran something).
        self.due_at = math.inf
        self.on_due: Callable[[], bool] | None = None

    @property
    def follows_wall(self) -> bool:
        return self._follows

    def follow_wall(self, follow: bool = True) -> None:
        """Start (or stop) following wall time from the current virtual now."""
        with self._lock:
            self._now, self._wall_mark = self.now(), time.time()
            self._follows = follow

    def now(self) -> float:
        """Seconds since the epoch, on the virtual timeline."""
        if self._follows:
            return self._now + (time.time() - self._wall_mark)
        return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward; refuses to go backwards. Returns the new now."""
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            raise TypeError(f"the clock moves by a number of seconds, not {seconds!r}")
        if not math.isfinite(seconds):
            raise ValueError(f"the clock cannot move by {seconds} seconds")
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            target = self.now() + seconds
            if target > LATEST:
                raise ValueError(
                    f"moving the clock {seconds} seconds would pass the year 9999; "
                    "it stays at " + iso(self.now())
                )
            if self.due_at > target or self.on_due is None:
                self._set(target)
                return self.now()
        # Stop at each due time on the way, so work runs when it was due.
        while self.due_at <= target and self.on_due is not None:
            with self._lock:
                self._set(max(self.now(), self.due_at))
            if not self.on_due():
                break
        with self._lock:
            self._set(max(self.now(), target))
            return self.now()

    def _set(self, value: float) -> None:
        """Make ``value`` the virtual now (the caller holds the lock)."""
        self._now, self._wall_mark = value, time.time()

    def set(self, timestamp: float) -> None:
        """Jump to an absolute time (never earlier than now)."""
        self.advance(max(0.0, timestamp - self.now()))

    def isoformat(self, timestamp: float | None = None) -> str:
        """An ISO 8601 UTC timestamp with offset, as Globus services print them."""
        return iso(self.now() if timestamp is None else timestamp)

    def __deepcopy__(self, memo: dict[int, object]) -> Clock:
        copy = Clock(self.now(), follows_wall=self._follows)
        copy.due_at = self.due_at
        return copy

    def __getstate__(self) -> dict[str, float | bool | None]:
        # No due work is saved as None: state files are JSON, without infinity.
        due = None if math.isinf(self.due_at) else self.due_at
        return {"now": self.now(), "follows": self._follows, "due_at": due}

    def __setstate__(self, state: dict[str, float | bool | None]) -> None:
        self._now = float(state["now"])  # type: ignore[arg-type]
        self._follows = bool(state.get("follows", False))
        self._wall_mark = time.time()
        self._lock = threading.Lock()
        due = state.get("due_at")
        self.due_at = math.inf if due is None else float(due)
        self.on_due = None


@functools.lru_cache(maxsize=4096)
def iso(timestamp: float) -> str:
    """Format epoch seconds as ISO 8601 in UTC, with a +00:00 offset.
    (Documents name the same few moments on every read: kept formatted.)"""
    return _dt.datetime.fromtimestamp(timestamp, tz=_dt.timezone.utc).isoformat()


def iso_seconds(timestamp: float) -> str:
    """:func:`iso` at whole seconds, as Transfer prints task times
    (``2021-09-02T18:04:49+00:00``): scripts parse them with
    ``%Y-%m-%dT%H:%M:%S+00:00``."""
    return iso(float(int(timestamp)))


def parse_iso(text: str) -> float:
    """Parse an ISO 8601 timestamp (naive means UTC) to epoch seconds."""
    value = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value.timestamp()
