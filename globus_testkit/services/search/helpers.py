"""``emulator.search``: set up and steer Globus Search from a test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Entry, SearchIndex
from .routes import _delete_query_subjects

if TYPE_CHECKING:
    from ...emulator import Emulator


class SearchHelpers:
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def create_index(
        self,
        display_name: str,
        *,
        description: str = "",
        owner: str | None = None,
        entries: list[dict[str, Any]] | None = None,
    ) -> SearchIndex:
        """An index owned by ``owner`` (an identity id; the world's user by
        default), holding ``entries`` (GMetaEntry documents) at once."""
        with self._emulator.lock:
            state = self._emulator.world.search
            index = state.create_index(
                owner or self._emulator.world.user_id, display_name, description, trial=False
            )
            if entries:
                state.submit(
                    index,
                    "ingest",
                    entries=[
                        Entry(e["subject"], e.get("id"), e["content"], list(e["visible_to"]))
                        for e in entries
                    ],
                )
                state.settle(_delete_query_subjects)
            return index

    def set_task_delay(self, seconds: float) -> None:
        """How long (on the world's clock) ingest and delete tasks take to
        finish; 0 (the default) means they are done by the next request."""
        if not 0 <= seconds < 10**7:
            raise ValueError("the task delay must be between 0 and 10**7 seconds")
        with self._emulator.lock:
            self._emulator.world.search.task_delay = float(seconds)
