"""Due work: what the world must do once its clock reaches a time.

A timer's next run (and later a Search ingest task or a Compute task) is an
entry here: a time, and the service that knows what to do then. The agenda
keeps the earliest time on the clock (``clock.due_at``), so the request path
asks "is anything due?" with one comparison, and advancing the clock stops at
each due time on the way so the work runs at the time it was due.

Entries are plain data (the world is pickled) and run in time order, ties in
the order they were scheduled, so the run history is deterministic.
Cancelling is lazy: the service ignores an entry it no longer wants.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from .clock import Clock


@dataclass(order=True, frozen=True)
class DueEntry:
    when: float
    seq: int
    service: str = field(compare=False)
    key: str = field(compare=False)


class Agenda:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._entries: list[DueEntry] = []
        self._seq = 0

    def schedule(self, when: float, service: str, key: str) -> DueEntry:
        """Ask ``service`` to run ``key`` at ``when``. Work for now or the
        past falls due at the next instant: nothing runs while the clock
        stands still."""
        when = max(when, math.nextafter(self._clock.now(), math.inf))
        self._seq += 1
        entry = DueEntry(when, self._seq, service, key)
        heapq.heappush(self._entries, entry)
        self._clock.due_at = self._entries[0].when
        return entry

    def pop_due(self, now: float) -> DueEntry | None:
        """The earliest entry due at ``now``, taken off the agenda."""
        if not self._entries or self._entries[0].when > now:
            return None
        entry = heapq.heappop(self._entries)
        self._clock.due_at = self._entries[0].when if self._entries else math.inf
        return entry

    def __len__(self) -> int:
        return len(self._entries)
