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
            if self._now + seconds > LATEST:
                raise ValueError(
                    f"moving the clock {seconds} seconds would pass the year 9999; "
                    "it stays at " + iso(self._now)
                )
            self._now += seconds
            return self.now()

    def set(self, timestamp: float) -> None:
        """Jump to an absolute time (never earlier than now)."""
        self.advance(max(0.0, timestamp - self.now()))

    def isoformat(self, timestamp: float | None = None) -> str:
        """An ISO 8601 UTC timestamp with offset, as Globus services print them."""
        return iso(self.now() if timestamp is None else timestamp)

    def __deepcopy__(self, memo: dict[int, object]) -> Clock:
        return Clock(self.now(), follows_wall=self._follows)

    def __getstate__(self) -> dict[str, float | bool]:
        return {"now": self.now(), "follows": self._follows}

    def __setstate__(self, state: dict[str, float | bool]) -> None:
        self._now = float(state["now"])
        self._follows = bool(state.get("follows", False))
        self._wall_mark = time.time()
        self._lock = threading.Lock()


def iso(timestamp: float) -> str:
    """Format epoch seconds as ISO 8601 in UTC, with a +00:00 offset."""
    return _dt.datetime.fromtimestamp(timestamp, tz=_dt.timezone.utc).isoformat()


def parse_iso(text: str) -> float:
    """Parse an ISO 8601 timestamp (naive means UTC) to epoch seconds."""
    value = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value.timestamp()
