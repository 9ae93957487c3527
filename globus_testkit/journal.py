"""The journal: one entry per call the emulator answered.

Tests query it to assert what their code did ("it listed the collection
once and never asked for a new token"), and the dashboard shows it live.
It keeps the latest entries only (10,000 unless told otherwise), so a
long-running server's memory stays flat.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import islice
from typing import Any


@dataclass(frozen=True)
class Entry:
    time: float
    service: str
    operation: str
    method: str
    path: str
    status: int
    identity_id: str | None
    client_id: str | None
    request_id: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_MAX_ENTRIES = 10_000

# An entry as the emulator records it: Entry's fields in order. Building the
# frozen Entry costs more than the rest of journaling a call, and most
# entries are never read, so an Entry is built only when one is read.
Row = tuple[float, str, str, str, str, int, "str | None", "str | None", str, str]


def _row(entry: Entry) -> Row:
    return (
        entry.time,
        entry.service,
        entry.operation,
        entry.method,
        entry.path,
        entry.status,
        entry.identity_id,
        entry.client_id,
        entry.request_id,
        entry.note,
    )


def _entry(row: Row) -> Entry:
    return Entry(*row)


@dataclass(frozen=True)
class Page:
    """Entries from a position on, and where to go on from."""

    entries: list[Entry]
    next: int  # the position to ask for next (a place in the whole journal)
    oldest: int  # the position of the oldest entry still kept
    more: bool  # whether entries after ``next`` are already there


class Journal:
    """A thread-safe record of the latest ``max_entries`` :class:`Entry`.

    Entries are counted from the first ever recorded (position 0), so a
    position stays meaningful after older entries are dropped: a poller
    asking ``since=N`` gets what came after the N-th call, or learns from
    :attr:`Page.oldest` that some of it is gone.
    """

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError("the journal keeps at least one entry")
        self._entries: deque[Row] = deque(maxlen=max_entries)
        self._dropped = 0  # entries recorded, then dropped to stay bounded
        self._lock = threading.Lock()

    @property
    def max_entries(self) -> int:
        assert self._entries.maxlen is not None
        return self._entries.maxlen

    def resize(self, max_entries: int) -> None:
        """Keep at most ``max_entries`` from now on (the oldest go first)."""
        if max_entries < 1:
            raise ValueError("the journal keeps at least one entry")
        with self._lock:
            if max_entries == self._entries.maxlen:
                return
            kept = list(self._entries)[-max_entries:]
            self._dropped += len(self._entries) - len(kept)
            self._entries = deque(kept, maxlen=max_entries)

    def record(self, entry: Entry) -> None:
        self._keep(_row(entry))

    def record_call(
        self,
        time: float,
        service: str,
        operation: str,
        method: str,
        path: str,
        status: int,
        identity_id: str | None,
        client_id: str | None,
        request_id: str,
        note: str = "",
    ) -> None:
        """Record a call from Entry's fields (the Entry is built when read)."""
        fields = (method, path, status, identity_id, client_id, request_id, note)
        self._keep((time, service, operation, *fields))

    def _keep(self, row: Row) -> None:
        with self._lock:
            if len(self._entries) == self._entries.maxlen:
                self._dropped += 1
            self._entries.append(row)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries())

    def __len__(self) -> int:
        """Entries kept (at most ``max_entries``)."""
        return len(self._entries)

    @property
    def total(self) -> int:
        """Entries ever recorded, kept or dropped: the next entry's position."""
        with self._lock:
            return self._dropped + len(self._entries)

    def entries(self) -> list[Entry]:
        with self._lock:
            kept = list(self._entries)
        return [_entry(k) for k in kept]

    def latest(self, count: int) -> list[Entry]:
        """The newest ``count`` entries, oldest first."""
        with self._lock:
            start = max(len(self._entries) - count, 0)
            kept = list(islice(self._entries, start, None))
        return [_entry(k) for k in kept]

    def page(self, since: int, limit: int, *, service: str | None = None) -> Page:
        """Up to ``limit`` entries at positions ``since`` and later (of one
        service, if given). The work under the lock is bounded by the
        journal's size; ``next`` is a position in the whole journal, so
        polling with a filter never sees an entry twice."""
        with self._lock:
            oldest = self._dropped
            total = oldest + len(self._entries)
            position = max(since, oldest)
            found: list[Entry] = []
            for kept in islice(self._entries, position - oldest, None):
                if len(found) == limit:
                    break
                position += 1
                if service is None or kept[1] == service:
                    found.append(_entry(kept))
            return Page(found, min(position, total), oldest, position < total)

    def calls(
        self,
        service: str | None = None,
        operation: str | None = None,
        *,
        method: str | None = None,
        status: int | None = None,
        identity_id: str | None = None,
    ) -> list[Entry]:
        """Entries matching every filter given."""
        return [
            e
            for e in self.entries()
            if (service is None or e.service == service)
            and (operation is None or e.operation == operation)
            and (method is None or e.method == method)
            and (status is None or e.status == status)
            and (identity_id is None or e.identity_id == identity_id)
        ]

    def clear(self) -> None:
        """Forget every entry; positions go on counting."""
        with self._lock:
            self._dropped += len(self._entries)
            self._entries.clear()

    def __deepcopy__(self, memo: dict[int, object]) -> Journal:
        return Journal(self.max_entries)

    def __getstate__(self) -> dict[str, object]:
        with self._lock:
            return {
                "entries": [_entry(k) for k in self._entries],
                "dropped": self._dropped,
                "max_entries": self.max_entries,
            }

    def __setstate__(self, state: dict[str, Any]) -> None:
        max_entries = int(state.get("max_entries", DEFAULT_MAX_ENTRIES))
        if max_entries < 1:
            raise ValueError("the journal keeps at least one entry")
        entries = state["entries"]
        if not all(isinstance(e, Entry) for e in entries):
            raise ValueError("journal entries must be Entry objects")
        self._entries = deque(map(_row, entries), maxlen=max_entries)
        self._dropped = int(state.get("dropped", 0)) + len(entries) - len(self._entries)
        self._lock = threading.Lock()
