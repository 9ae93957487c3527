"""``emulator.timers``: what tests read of Timers without HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Timer

if TYPE_CHECKING:
    from ...emulator import Emulator


class TimersHelpers:
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def get(self, timer_id: str) -> Timer:
        """A timer as Timers holds it (its runs in ``results``), after any
        due work has run."""
        self._emulator.run_due()
        with self._emulator.lock:
            timer = self._emulator.world.timers.timers.get(timer_id)
        if timer is None:
            raise KeyError(f"no timer {timer_id}")
        return timer

    def all(self) -> list[Timer]:
        """Every timer of every identity, oldest first."""
        self._emulator.run_due()
        with self._emulator.lock:
            return sorted(
                self._emulator.world.timers.timers.values(), key=lambda t: (t.submitted_at, t.id)
            )
