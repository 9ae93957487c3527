"""Who people are in Globus Auth: identities, the identity providers
that vouch for them, and the sets they link into. No HTTP here: routes
and other services call these methods."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock
from ...ids import Ids
from .errors import ApiNotFound

# How resources (ACLs, roles, run owners) name an identity.
IDENTITY_URN = "urn:globus:auth:identity:"


def identity_urn(identity_id: str) -> str:
    """The principal URN naming ``identity_id``."""
    return IDENTITY_URN + identity_id


@dataclass
class Identity:
    id: str
    username: str
    # None until the person first logs in, for an identity Auth provisioned
    # ahead of use (status "unused")
    name: str | None
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


@dataclass
class IdentityProvider:
    """An organisation's login service; its domains name its identities
    (``jane@uchicago.edu`` comes from the provider of ``uchicago.edu``)."""

    id: str
    short_name: str
    name: str
    domains: list[str]
    alternative_names: list[str] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "short_name": self.short_name,
            "name": self.name,
            "domains": list(self.domains),
            "alternative_names": list(self.alternative_names),
        }


# Providers every world knows. Globus ID's and Globus Staff's ids are the
# public ones (the SDK's own fixtures use them); the others are stable
# uuids from the domain, as any provider added later gets.
KNOWN_PROVIDERS: tuple[tuple[str | None, str, str, tuple[str, ...]], ...] = (
    ("41143743-f3c8-4d60-bbdb-eeecaba85bd9", "globusid", "Globus ID", ("globusid.org",)),
    ("927d7238-f917-4eb2-9ace-c523fa9ba34e", "globus.org", "Globus Staff", ("globus.org",)),
    (None, "uchicago", "University of Chicago", ("uchicago.edu",)),
    (None, "anl", "Argonne National Laboratory", ("anl.gov",)),
    (None, "illinois", "University of Illinois Urbana-Champaign", ("illinois.edu",)),
    (None, "ornl", "Oak Ridge National Laboratory", ("ornl.gov",)),
    (None, "google", "Google", ("gmail.com",)),
    (None, "orcid", "ORCID", ("orcid.org",)),
    (None, "clients", "Globus Auth Clients", ("clients.auth.globus.org",)),
)


def domain_of(username: str) -> str:
    """The domain an identity's username names (``globusid.org`` if none)."""
    return username.rpartition("@")[2].lower() if "@" in username else "globusid.org"


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
        self.providers: dict[str, IdentityProvider] = {}
        self._provider_by_domain: dict[str, str] = {}
        for provider_id, short_name, name, domains in KNOWN_PROVIDERS:
            self.add_provider(name, list(domains), short_name=short_name, provider_id=provider_id)

    # -- identity providers ----------------------------------------------------

    def add_provider(
        self,
        name: str,
        domains: list[str],
        *,
        short_name: str | None = None,
        provider_id: str | None = None,
    ) -> IdentityProvider:
        if not domains:
            raise ValueError("an identity provider needs at least one domain")
        taken = [d for d in domains if d.lower() in self._provider_by_domain]
        if taken:
            raise ValueError(f"domains already have a provider: {taken}")
        provider = IdentityProvider(
            id=provider_id or self.ids.stable_uuid("idp", domains[0].lower()),
            short_name=short_name or domains[0].split(".")[0],
            name=name,
            domains=[d.lower() for d in domains],
        )
        self.providers[provider.id] = provider
        for domain in provider.domains:
            self._provider_by_domain[domain] = provider.id
        return provider

    def provider_for_domain(self, domain: str) -> IdentityProvider:
        """The provider of ``domain``; an unknown domain gets one of its own,
        named after it, as a campus that joins Globus would."""
        found = self._provider_by_domain.get(domain.lower())
        if found is not None:
            return self.providers[found]
        return self.add_provider(domain, [domain])

    def identity_provider(self, provider_id: str) -> IdentityProvider:
        found = self.providers.get(provider_id)
        if found is None:
            raise ApiNotFound(f"no identity provider {provider_id}")
        return found

    def find_providers(
        self, *, ids: Iterable[str] = (), domains: Iterable[str] = ()
    ) -> list[IdentityProvider]:
        found = [self.providers[i] for i in ids if i in self.providers]
        for domain in domains:
            provider_id = self._provider_by_domain.get(domain.lower())
            if provider_id is not None:
                found.append(self.providers[provider_id])
        return found

    # -- identities ------------------------------------------------------------

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
        provider = self.provider_for_domain(domain_of(username))
        identity = Identity(
            id=identity_id or self.ids.uuid(),
            username=username,
            name=name or fake.name(),
            email=email if email is not None else username,
            organization=organization or fake.company(),
            identity_provider=provider.id,
            identity_provider_display_name=provider.name,
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

    def provision_identities(self, usernames: Iterable[str]) -> list[Identity]:
        """Look usernames up as ``provision=true`` does: a username that no
        one has used yet, in a domain an identity provider already serves,
        gets an identity now (status ``unused``, nothing known about the
        person yet), so its id can be granted access before first login.
        Usernames in domains no provider serves stay unknown."""
        found = []
        for name in usernames:
            identity = self.identity_by_username(name)
            if identity is None:
                provider_id = self._provider_by_domain.get(domain_of(name))
                if provider_id is None or "@" not in name:
                    continue
                identity = Identity(
                    id=self.ids.uuid(),
                    username=name.lower(),
                    name=None,
                    email=None,
                    identity_provider=provider_id,
                    identity_provider_display_name=self.providers[provider_id].name,
                    status="unused",
                )
                self._store_identity(identity)
            found.append(identity)
        return found

    def first_login(self, identity_id: str) -> None:
        """A provisioned identity's person logs in: their provider now
        tells Auth who they are."""
        identity = self.identities[identity_id]
        if identity.status == "unused":
            fake = self.ids.fake()
            identity.status = "used"
            identity.name, identity.email = fake.name(), identity.username
            identity.organization = fake.company()

    def identity_set(self, identity_id: str) -> list[Identity]:
        """The identity first, then every identity linked with it."""
        primary = self.identities[identity_id]
        return [primary] + [self.identities[i] for i in primary.linked if i in self.identities]

    def link_identities(self, identity_id: str, other_id: str) -> list[Identity]:
        """Link two identities (and so their whole sets): a person who
        logged in with both. Whichever one they log in with later, they
        have the same identity set."""
        for member in (identity_id, other_id):
            if member not in self.identities:
                raise ValueError(f"cannot link {member}: no such identity")
        members = {i.id for i in self.identity_set(identity_id)}
        members |= {i.id for i in self.identity_set(other_id)}
        for member in members:
            identity = self.identities[member]
            if identity.identity_type != "login":
                raise ValueError(f"{member} is a client identity; only people link identities")
            identity.linked = [m for m in sorted(members) if m != member]
        return self.identity_set(identity_id)

    def domain_of(self, identity_id: str) -> str:
        return domain_of(self.identities[identity_id].username)
