"""The journal: one entry per call the emulator answered.

Tests query it to assert what their code did ("it listed the collection
once and never asked for a new token"), and the dashboard shows it live.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
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


class Journal:
    """An append-only, thread-safe list of :class:`Entry`."""

    def __init__(self) -> None:
        self._entries: list[Entry] = []
        self._lock = threading.Lock()

    def record(self, entry: Entry) -> None:
        with self._lock:
            self._entries.append(entry)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)

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
        with self._lock:
            self._entries.clear()

    def __deepcopy__(self, memo: dict[int, object]) -> Journal:
        return Journal()

    def __getstate__(self) -> dict[str, object]:
        return {"entries": self.entries()}

    def __setstate__(self, state: dict[str, list[Entry]]) -> None:
        self._entries = list(state["entries"])
        self._lock = threading.Lock()
