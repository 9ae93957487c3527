"""User credentials: the local account (or keys) an identity uses on a
storage gateway. No HTTP here."""

from __future__ import annotations

from typing import Any

from ...ids import Ids
from .connectors import POSIX_CONNECTOR, connector
from .documents import (
    Endpoint,
    Exists,
    Invalid,
    NotFound,
    PermissionDenied,
    StorageGateway,
    UserCredential,
)


class UserCredentials:
    """Every endpoint's user credentials. ``admin``: whether the caller
    administers the endpoint (who may see and make others' too)."""

    def __init__(self, ids: Ids) -> None:
        self.ids = ids
        self.by_id: dict[str, UserCredential] = {}

    def create(
        self,
        gateway: StorageGateway,
        identity_id: str,
        admin: bool,
        document: dict[str, Any],
    ) -> UserCredential:
        owner = str(document.get("identity_id") or identity_id)
        if owner != identity_id and not admin:
            raise PermissionDenied("You may only create your own user credentials")
        found = connector(gateway.connector_id)
        if document.get("connector_id") not in (None, found.id):
            raise Invalid("connector_id is not the storage gateway's connector")
        if found.id == POSIX_CONNECTOR and self.of(gateway.endpoint_id, owner, gateway.id):
            # POSIX gateways map an identity to one local account
            raise Exists("A user credential for this identity and storage gateway exists")
        credential = UserCredential(
            self.ids.uuid(),
            gateway.endpoint_id,
            owner,
            gateway.id,
            found.id,
            document.get("username") or "",
            document.get("display_name") or "",
            found.credential_policies(document.get("policies")),
        )
        self.by_id[credential.id] = credential
        return credential

    def get(
        self, endpoint: Endpoint, identity_id: str, admin: bool, credential_id: str
    ) -> UserCredential:
        found = self.by_id.get(credential_id.lower())
        if found is None or found.endpoint_id != endpoint.id:
            raise NotFound(f"No user credential {credential_id}")
        if found.identity_id != identity_id and not admin:
            raise NotFound(f"No user credential {credential_id}")
        return found

    def of(
        self, endpoint_id: str, identity_id: str, gateway_id: str | None
    ) -> list[UserCredential]:
        return [
            c
            for c in self.by_id.values()
            if c.endpoint_id == endpoint_id
            and c.identity_id == identity_id
            and (gateway_id is None or c.storage_gateway_id == gateway_id)
        ]

    def update(self, credential: UserCredential, document: dict[str, Any]) -> UserCredential:
        for key in ("username", "display_name"):
            if document.get(key) is not None:
                setattr(credential, key, document[key])
        if document.get("policies") is not None:
            merged = {**credential.policies, **document["policies"]}
            credential.policies = connector(credential.connector_id).credential_policies(merged)
        return credential

    def delete(self, credential: UserCredential) -> None:
        del self.by_id[credential.id]
