"""``emulator.exchange``: what tests do with academy's exchange without HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import ExchangeState

if TYPE_CHECKING:
    from ...emulator import Emulator

HOSTED_URL = "https://exchange.academy-agents.org/v1"


class ExchangeHelpers:
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    @property
    def state(self) -> ExchangeState:
        return self._emulator.world.exchange

    @property
    def url(self) -> str:
        """Where academy should send exchange requests: the live server's
        exchange while the emulator serves one, else the hosted URL (which
        the in-process transport answers)."""
        servers = self._emulator._servers
        if servers:
            return servers[0].service_url("exchange") + "v1"
        return HOSTED_URL

    @property
    def client_params(self) -> dict[str, Any] | None:
        """``GlobusExchangeFactory(project_id, client_params=...)`` for this
        emulator: None in-process, the server's URL when serving. It travels
        with launched agents, so agents in other processes find it too."""
        return {"base_url": self.url} if self._emulator._servers else None

    def mailboxes(self) -> list[dict[str, Any]]:
        """Every mailbox, oldest first: its entity (uid, name, role), owner,
        agent class, status, queued messages, requests awaiting an answer,
        and seconds since its last heartbeat (virtual clock)."""
        with self._emulator.lock:
            now = self._emulator.clock.now()
            return [m.summary(now) for m in self.state.mailboxes.values()]
