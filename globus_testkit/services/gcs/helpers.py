"""``emulator.gcs``: GCSv5 endpoints for tests, without HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .connectors import POSIX_CONNECTOR
from .documents import Endpoint, StorageGateway, manager_url
from .routes import manage_collections_scope, register_endpoint

if TYPE_CHECKING:
    from ...emulator import Emulator


class GCSHelpers:
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def add_endpoint(self, display_name: str, *, owner: Any = None) -> Endpoint:
        """A GCSv5 endpoint owned by ``owner`` (default: the world's user),
        with its GCS Manager, its Transfer entry and its Auth scope."""
        owner_id = getattr(owner, "id", owner) or self._emulator.user.id
        with self._emulator.lock:
            return register_endpoint(self._emulator.world, display_name, owner_id)

    def add_storage_gateway(
        self, endpoint: Endpoint | str, display_name: str, **document: Any
    ) -> StorageGateway:
        """A storage gateway on ``endpoint``, made by its owner: POSIX
        unless ``document`` names another ``connector_id``."""
        with self._emulator.lock:
            found = self.endpoint(endpoint)
            body = {"display_name": display_name, "connector_id": POSIX_CONNECTOR, **document}
            return self._emulator.world.gcs.create_gateway(found, found.owner_id, body)

    def endpoint(self, endpoint: Endpoint | str) -> Endpoint:
        endpoint_id = endpoint if isinstance(endpoint, str) else endpoint.id
        return self._emulator.world.gcs.endpoint(endpoint_id)

    def scope(self, endpoint: Endpoint | str) -> str:
        """The endpoint's manage_collections scope, which GCSClient asks for."""
        return manage_collections_scope(self.endpoint(endpoint).id)

    def manager_url(self, endpoint: Endpoint | str) -> str:
        """The endpoint's ``gcs_manager_url``: its own host in-process, its
        path on the loopback server while the emulator serves one."""
        found = self.endpoint(endpoint)
        servers = self._emulator._servers
        base = servers[0].service_url("transfer") if servers else "https://transfer.api.globus.org/"
        return manager_url(found, base)
