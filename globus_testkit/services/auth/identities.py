"""Who people are in Globus Auth: identities and the sets they link into.
No HTTP here: routes and other services call these methods."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock
from ...ids import Ids
from .errors import ApiNotFound


@dataclass
class Identity:
    id: str
    username: str
    name: str
    email: str | None
    organization: str | None = None
    identity_provider: str = ""
    identity_provider_display_name: str = "Globus ID"
    identity_type: str = "login"
    status: str = "used"
    linked: list[str] = field(default_factory=list)

    def to_api(self, *, with_type: bool = False) -> dict[str, Any]:
        """As ``/v2/api/identities`` shows it; project admins also carry
        their ``identity_type``."""
        doc = {
            "id": self.id,
            "username": self.username,
            "name": self.name,
            "email": self.email,
            "organization": self.organization,
            "identity_provider": self.identity_provider,
            "status": self.status,
        }
        if with_type:
            doc["identity_type"] = self.identity_type
        return doc


class IdentityRegistry:
    """Identities by id and username: the first layer of :class:`AuthState`."""

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self.clock = clock
        self.ids = ids
        self.strict = True
        # who a headless login or a lenient token is, unless told otherwise
        self.default_user_id = ""
        self.identities: dict[str, Identity] = {}
        self._identity_by_username: dict[str, str] = {}

    def add_identity(
        self,
        username: str | None = None,
        *,
        name: str | None = None,
        email: str | None = None,
        organization: str | None = None,
        identity_id: str | None = None,
    ) -> Identity:
        fake = self.ids.fake()
        if username is None:
            username = f"{fake.user_name()}@globusid.org"
        if username.lower() in self._identity_by_username:
            raise ValueError(f"an identity named {username!r} already exists")
        domain = username.partition("@")[2] or "globusid.org"
        identity = Identity(
            id=identity_id or self.ids.uuid(),
            username=username,
            name=name or fake.name(),
            email=email if email is not None else username,
            organization=organization or fake.company(),
            identity_provider=self.ids.stable_uuid("idp", domain),
            identity_provider_display_name=_idp_name(domain),
        )
        self._store_identity(identity)
        return identity

    def _store_identity(self, identity: Identity) -> None:
        self.identities[identity.id] = identity
        self._identity_by_username[identity.username.lower()] = identity.id

    def identity(self, identity_id: str) -> Identity:
        found = self.identities.get(identity_id)
        if found is None:
            raise ApiNotFound(f"no identity {identity_id}")
        return found

    def identity_by_username(self, username: str) -> Identity | None:
        found = self._identity_by_username.get(username.lower())
        return self.identities[found] if found else None

    def lookup_identities(
        self, *, ids: Iterable[str] = (), usernames: Iterable[str] = ()
    ) -> list[Identity]:
        found = [self.identities[i] for i in ids if i in self.identities]
        for name in usernames:
            identity = self.identity_by_username(name)
            if identity is not None:
                found.append(identity)
        return found

    def identity_set(self, identity_id: str) -> list[Identity]:
        primary = self.identities[identity_id]
        return [primary] + [self.identities[i] for i in primary.linked]


def _idp_name(domain: str) -> str:
    return "Globus ID" if domain == "globusid.org" else domain
