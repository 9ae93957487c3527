"""Globus Auth's state and rules: identities, clients, scopes, consents,
codes and tokens. No HTTP here: routes call these methods.

Other services ask Auth questions only through :class:`AuthState`'s public
methods (``check_token``, ``has_dependent_consent``, ``register_scope``...),
never by reading its dicts.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock, iso
from ...ids import Ids
from .errors import (
    ApiBadRequest,
    ApiNotFound,
    InvalidClient,
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    TokenRejected,
    UnauthorizedClient,
)
from .scopes import ScopeRequest, ScopeSyntaxError, parse_scopes

AUTH_RESOURCE_SERVER = "auth.globus.org"
ACCESS_TOKEN_LIFETIME = 172800  # Globus Auth's 48 hours
CODE_LIFETIME = 600
NATIVE_DEFAULT_REDIRECT_SUFFIX = "/v2/web/auth-code"

PUBLIC = "public_installed_client"
CONFIDENTIAL = "confidential_client"
HYBRID = "hybrid_confidential_client_resource_server"
RESOURCE_SERVER = "resource_server"
CLIENT_TYPES = (PUBLIC, CONFIDENTIAL, HYBRID, RESOURCE_SERVER)


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


@dataclass
class Credential:
    id: str
    name: str
    secret: str
    created: float


@dataclass
class Client:
    id: str
    name: str
    client_type: str
    project_id: str | None = None
    redirect_uris: list[str] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    # Legacy services name their resource server by domain
    # ("transfer.api.globus.org"); newer ones by client id.
    fqdn: str | None = None
    visibility: str = "private"
    required_idp: str | None = None
    parent_client: str | None = None
    owner_id: str | None = None
    # A template native app (globus-cli's, say) that anyone may instantiate
    # as a confidential client of their own.
    template: bool = False

    @property
    def resource_server(self) -> str:
        return self.fqdn or self.id

    @property
    def is_public(self) -> bool:
        return self.client_type == PUBLIC

    @property
    def identity_username(self) -> str:
        return f"{self.id}@clients.auth.globus.org"

    def grant_types(self) -> list[str]:
        if self.is_public:
            return ["authorization_code", "refresh_token"]
        return [
            "authorization_code",
            "client_credentials",
            "refresh_token",
            "urn:globus:auth:grant_type:dependent_token",
        ]

    def to_api(self, scope_ids: list[str]) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "client_type": self.client_type,
            "public_client": self.is_public,
            "project": self.project_id,
            "redirect_uris": list(self.redirect_uris),
            "grant_types": self.grant_types(),
            "fqdns": [self.fqdn] if self.fqdn else [],
            "visibility": self.visibility,
            "scopes": scope_ids,
            "required_idp": self.required_idp,
            "preselect_idp": None,
            "parent_client": self.parent_client,
            "prompt_for_named_grant": True,
            "userinfo_from_effective_identity": True,
            "links": {"privacy_policy": None, "terms_and_conditions": None},
        }


@dataclass(frozen=True)
class Dependency:
    scope_id: str
    optional: bool = False
    requires_refresh_token: bool = False


@dataclass
class Scope:
    id: str
    scope_string: str
    client_id: str
    name: str
    description: str
    dependencies: list[Dependency] = field(default_factory=list)
    advertised: bool = True
    allows_refresh_token: bool = True
    required_domains: list[str] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "scope_string": self.scope_string,
            "client": self.client_id,
            "name": self.name,
            "description": self.description,
            "advertised": self.advertised,
            "allows_refresh_token": self.allows_refresh_token,
            "required_domains": list(self.required_domains),
            "dependent_scopes": [
                {
                    "scope": d.scope_id,
                    "optional": d.optional,
                    "requires_refresh_token": d.requires_refresh_token,
                }
                for d in self.dependencies
            ],
        }


@dataclass
class Project:
    id: str
    display_name: str
    contact_email: str
    admin_ids: list[str]
    admin_group_ids: list[str] = field(default_factory=list)

    def to_api(self, identities: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": self.id,
            "display_name": self.display_name,
            "contact_email": self.contact_email,
            "admin_ids": list(self.admin_ids),
            "admin_group_ids": list(self.admin_group_ids),
            "admins": {"identities": identities, "groups": []},
            "project_name": self.display_name,
        }


@dataclass
class Consent:
    id: int
    identity_id: str
    client_id: str  # the client allowed to use the scope
    scope_id: str
    scope_string: str
    dependency_path: list[int]
    created: float
    updated: float
    last_used: float
    auto_approved: bool

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client": self.client_id,
            "scope": self.scope_id,
            "scope_name": self.scope_string,
            "effective_identity": self.identity_id,
            "dependency_path": list(self.dependency_path),
            "created": iso(self.created),
            "updated": iso(self.updated),
            "last_used": iso(self.last_used),
            "status": "approved",
            "allows_refresh": True,
            "auto_approved": self.auto_approved,
            "atomically_revocable": len(self.dependency_path) > 1,
        }


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    identity_id: str
    redirect_uri: str
    requests: list[ScopeRequest]
    code_challenge: str | None
    code_challenge_method: str | None
    refresh: bool
    expires_at: float
    state: str = "_default"
    used: bool = False


@dataclass
class Token:
    """An access or refresh token and everything Auth knows about it."""

    value: str
    kind: str  # "access" | "refresh"
    identity_id: str
    client_id: str  # the client the token was issued to
    resource_server: str
    scopes: tuple[str, ...]
    issued_at: float
    expires_at: float | None
    auth_time: float
    refresh_token: str | None = None  # for access tokens born of one
    revoked: bool = False


@dataclass(frozen=True)
class TokenInfo:
    """What a service learns about a valid bearer token."""

    token: str
    identity_id: str
    username: str
    client_id: str
    resource_server: str
    scopes: tuple[str, ...]
    expires_at: float | None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass
class IssuedToken:
    token: Token
    refresh_token: str | None


@dataclass
class Grant:
    """The answer to one token request, before it is formatted."""

    identity: Identity
    client_id: str
    tokens: list[IssuedToken]
    wants_id_token: bool
    state: str = "_default"


class AuthState:
    """All of Globus Auth's world, and the rules that change it."""

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self.clock = clock
        self.ids = ids
        self.strict = True
        # who a headless login or a lenient token is, unless told otherwise
        self.default_user_id = ""
        self.token_lifetime = ACCESS_TOKEN_LIFETIME
        self.identities: dict[str, Identity] = {}
        self._identity_by_username: dict[str, str] = {}
        self.clients: dict[str, Client] = {}
        self._client_by_fqdn: dict[str, str] = {}
        self.scopes: dict[str, Scope] = {}
        self._scope_by_string: dict[str, str] = {}
        self.projects: dict[str, Project] = {}
        self.consents: list[Consent] = []
        self._next_consent_id = 100000
        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: dict[str, Token] = {}

    # -- identities ----------------------------------------------------------

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

    # -- clients, credentials, projects ----------------------------------------

    def register_client(
        self,
        name: str,
        *,
        client_type: str = CONFIDENTIAL,
        client_id: str | None = None,
        secret: str | None = None,
        redirect_uris: Iterable[str] = (),
        project_id: str | None = None,
        fqdn: str | None = None,
        owner_id: str | None = None,
        visibility: str = "private",
    ) -> Client:
        if client_type not in CLIENT_TYPES:
            raise ApiBadRequest(f"client_type must be one of {', '.join(CLIENT_TYPES)}")
        client = Client(
            id=client_id or self.ids.uuid(),
            name=name,
            client_type=client_type,
            project_id=project_id,
            redirect_uris=list(redirect_uris),
            fqdn=fqdn,
            owner_id=owner_id,
            visibility=visibility,
        )
        if client.id in self.clients:
            raise ApiBadRequest(f"client {client.id} already exists")
        self.clients[client.id] = client
        if fqdn:
            self._client_by_fqdn[fqdn] = client.id
        if not client.is_public:
            # Confidential clients are identities too: they act as themselves.
            self._store_identity(
                Identity(
                    id=client.id,
                    username=client.identity_username,
                    name=name,
                    email=None,
                    identity_provider=self.ids.stable_uuid("idp", "clients"),
                    identity_provider_display_name="Globus Auth Clients",
                    identity_type="client",
                )
            )
            if secret is not None or client_type != RESOURCE_SERVER:
                self.add_credential(client.id, name="default", secret=secret)
        return client

    def instantiate_template(self, template_id: str, name: str) -> tuple[Client, Credential]:
        """A new confidential client made from a template native app, with
        its first secret, as globus-cli does on its first login."""
        template = self.clients.get(template_id)
        if template is None or not template.template:
            raise ApiBadRequest(f"{template_id} is not a template client")
        client = self.register_client(
            name, client_type=CONFIDENTIAL, redirect_uris=template.redirect_uris
        )
        client.parent_client = template.id
        client.credentials[0].name = "Auto-created at client creation"
        return client, client.credentials[0]

    def client(self, client_id: str) -> Client:
        found = self.clients.get(client_id)
        if found is None:
            raise ApiNotFound(f"no client {client_id}")
        return found

    def update_client(self, client_id: str, fields: dict[str, Any]) -> Client:
        client = self.client(client_id)
        for key in ("name", "visibility", "required_idp"):
            if key in fields:
                setattr(client, key, fields[key])
        if "redirect_uris" in fields:
            client.redirect_uris = list(fields["redirect_uris"])
        return client

    def delete_client(self, client_id: str) -> Client:
        client = self.client(client_id)
        del self.clients[client_id]
        if client.fqdn:
            self._client_by_fqdn.pop(client.fqdn, None)
        for scope in [s for s in self.scopes.values() if s.client_id == client_id]:
            self.delete_scope(scope.id)
        for token in self.tokens.values():
            if token.client_id == client_id:
                token.revoked = True
        return client

    def add_credential(
        self, client_id: str, *, name: str = "", secret: str | None = None
    ) -> Credential:
        client = self.client(client_id)
        if client.is_public:
            raise ApiBadRequest("public clients have no credentials")
        credential = Credential(
            id=self.ids.uuid(),
            name=name,
            secret=secret or self.ids.token(length=44),
            created=self.clock.now(),
        )
        client.credentials.append(credential)
        return credential

    def delete_credential(self, client_id: str, credential_id: str) -> Credential:
        client = self.client(client_id)
        for credential in client.credentials:
            if credential.id == credential_id:
                client.credentials.remove(credential)
                return credential
        raise ApiNotFound(f"no credential {credential_id} on client {client_id}")

    def create_project(
        self, display_name: str, contact_email: str, admin_ids: Iterable[str]
    ) -> Project:
        project = Project(self.ids.uuid(), display_name, contact_email, list(admin_ids))
        self.projects[project.id] = project
        return project

    def project(self, project_id: str) -> Project:
        found = self.projects.get(project_id)
        if found is None:
            raise ApiNotFound(f"no project {project_id}")
        return found

    def delete_project(self, project_id: str) -> Project:
        self.project(project_id)
        if any(c.project_id == project_id for c in self.clients.values()):
            raise ApiBadRequest("a project with clients cannot be deleted")
        return self.projects.pop(project_id)

    def can_manage_client(self, identity_id: str, client: Client) -> bool:
        if identity_id in (client.id, client.owner_id, client.parent_client):
            return True
        project = self.projects.get(client.project_id or "")
        return project is not None and identity_id in project.admin_ids

    def authenticate_client(self, client_id: str, secret: str | None) -> Client:
        """Check a client's id and secret (None for public clients)."""
        client = self.clients.get(client_id)
        if client is None:
            raise InvalidClient()
        if client.is_public:
            if secret:
                raise InvalidClient("public clients have no secret")
            return client
        if not secret or not any(c.secret == secret for c in client.credentials):
            raise InvalidClient()
        return client

    # -- scopes ----------------------------------------------------------------

    def register_scope(
        self,
        scope_string: str,
        *,
        client_id: str,
        name: str | None = None,
        description: str = "",
        dependencies: Iterable[Dependency] = (),
        advertised: bool = True,
        scope_id: str | None = None,
    ) -> Scope:
        """Register a scope a resource server (``client_id``) accepts."""
        if scope_string in self._scope_by_string:
            raise ApiBadRequest(f"scope {scope_string!r} already exists")
        self.client(client_id)
        deps = list(dependencies)
        for dep in deps:
            if dep.scope_id not in self.scopes:
                raise ApiBadRequest(f"dependent scope {dep.scope_id} does not exist")
        scope = Scope(
            id=scope_id or self.ids.uuid(),
            scope_string=scope_string,
            client_id=client_id,
            name=name or scope_string,
            description=description or f"Access to {scope_string}",
            dependencies=deps,
            advertised=advertised,
        )
        self.scopes[scope.id] = scope
        self._scope_by_string[scope_string] = scope.id
        return scope

    def scope(self, scope_id: str) -> Scope:
        found = self.scopes.get(scope_id)
        if found is None:
            raise ApiNotFound(f"no scope {scope_id}")
        return found

    def scope_by_string(self, scope_string: str) -> Scope | None:
        found = self._scope_by_string.get(scope_string)
        return self.scopes[found] if found else None

    def update_scope(self, scope_id: str, fields: dict[str, Any]) -> Scope:
        scope = self.scope(scope_id)
        for key in ("name", "description", "advertised", "allows_refresh_token"):
            if key in fields:
                setattr(scope, key, fields[key])
        if "dependent_scopes" in fields:
            deps = [
                Dependency(
                    d["scope"],
                    bool(d.get("optional", False)),
                    bool(d.get("requires_refresh_token", False)),
                )
                for d in fields["dependent_scopes"]
            ]
            for dep in deps:
                self.scope(dep.scope_id)
            scope.dependencies = deps
        return scope

    def delete_scope(self, scope_id: str) -> Scope:
        scope = self.scopes.pop(scope_id, None)
        if scope is None:
            raise ApiNotFound(f"no scope {scope_id}")
        del self._scope_by_string[scope.scope_string]
        return scope

    def resource_server_of(self, scope_string: str) -> str | None:
        scope = self.scope_by_string(scope_string)
        return self.clients[scope.client_id].resource_server if scope else None

    def client_for_resource_server(self, resource_server: str) -> Client | None:
        client_id = self._client_by_fqdn.get(resource_server, resource_server)
        return self.clients.get(client_id)

    def parse_scope_request(self, text: str) -> list[ScopeRequest]:
        """Parse a ``scope`` parameter and refuse scopes Auth does not know."""
        try:
            requests = parse_scopes(text)
        except ScopeSyntaxError as err:
            raise InvalidScope(str(err)) from err
        unknown = sorted(
            {s for s in _all_scope_strings(requests) if s not in self._scope_by_string}
        )
        if unknown:
            raise InvalidScope(f"requested unknown scopes: {unknown}")
        return requests

    # -- consents --------------------------------------------------------------

    def record_consents(
        self,
        identity_id: str,
        client_id: str,
        requests: Iterable[ScopeRequest],
        *,
        auto_approved: bool,
    ) -> None:
        """Record that the identity let ``client_id`` use these scope trees.

        Each scope's declared dependencies are consented with it; a
        dependency node is owned by the client of the scope above it, which
        is the one that will use it on the identity's behalf.
        """
        for request in requests:
            self._consent_tree(identity_id, client_id, request, [], auto_approved)

    def _consent_tree(
        self,
        identity_id: str,
        client_id: str,
        request: ScopeRequest,
        parent_path: list[int],
        auto_approved: bool,
    ) -> None:
        scope = self.scope_by_string(request.scope)
        assert scope is not None  # parse_scope_request checked it
        node = self._find_consent(identity_id, client_id, scope.id, parent_path)
        now = self.clock.now()
        if node is None:
            node = Consent(
                id=self._next_consent_id,
                identity_id=identity_id,
                client_id=client_id,
                scope_id=scope.id,
                scope_string=scope.scope_string,
                dependency_path=[*parent_path, self._next_consent_id],
                created=now,
                updated=now,
                last_used=now,
                auto_approved=auto_approved,
            )
            self._next_consent_id += 1
            self.consents.append(node)
        else:
            node.updated, node.last_used = now, now
        children = {dep.scope: dep for dep in request.dependencies}
        for declared in scope.dependencies:
            dep_scope = self.scopes[declared.scope_id]
            children.setdefault(dep_scope.scope_string, ScopeRequest(dep_scope.scope_string))
        for child in children.values():
            self._consent_tree(
                identity_id, scope.client_id, child, node.dependency_path, auto_approved
            )

    def _find_consent(
        self, identity_id: str, client_id: str, scope_id: str, parent_path: list[int]
    ) -> Consent | None:
        for node in self.consents:
            if (
                node.identity_id == identity_id
                and node.client_id == client_id
                and node.scope_id == scope_id
                and node.dependency_path[:-1] == parent_path
            ):
                return node
        return None

    def consent_roots(self, identity_id: str, client_id: str, scope: str) -> list[Consent]:
        """Approved consents letting ``client_id`` use ``scope`` for the identity."""
        return [
            node
            for node in self.consents
            if node.identity_id == identity_id
            and node.client_id == client_id
            and node.scope_string == scope
        ]

    def consent_children(self, node: Consent) -> list[Consent]:
        depth = len(node.dependency_path)
        return [
            child
            for child in self.consents
            if len(child.dependency_path) == depth + 1
            and child.dependency_path[:depth] == node.dependency_path
        ]

    def has_dependent_consent(
        self, token: TokenInfo, parent_scope: str, dependent_scope: str
    ) -> bool:
        """Whether the token's holder may use ``dependent_scope`` beneath
        ``parent_scope`` (e.g. a collection's data_access beneath Transfer)."""
        for root in self.consent_roots(token.identity_id, token.client_id, parent_scope):
            if any(c.scope_string == dependent_scope for c in self.consent_children(root)):
                return True
        return False

    def consents_for(self, identity_id: str, client_id: str | None) -> list[Consent]:
        """Consents of an identity; only trees rooted at ``client_id`` if given."""
        roots = {
            node.dependency_path[0]
            for node in self.consents
            if node.identity_id == identity_id
            and len(node.dependency_path) == 1
            and (client_id is None or node.client_id == client_id)
        }
        return [
            node
            for node in self.consents
            if node.identity_id == identity_id and node.dependency_path[0] in roots
        ]

    def revoke_consent(self, identity_id: str, scope: str, client_id: str | None = None) -> int:
        """Revoke every consent naming ``scope`` and everything beneath it.

        Globus forgets a revoked consent, so the nodes are removed and the
        next token use that needs them is refused. Returns how many went.
        """
        targets = [
            n.dependency_path
            for n in self.consents
            if n.identity_id == identity_id
            and n.scope_string == scope
            and (client_id is None or n.client_id == client_id)
        ]
        kept = [
            n for n in self.consents if not any(n.dependency_path[: len(t)] == t for t in targets)
        ]
        removed = len(self.consents) - len(kept)
        self.consents = kept
        return removed

    # -- grants ----------------------------------------------------------------

    def client_credentials_grant(self, client: Client, scope_text: str) -> Grant:
        if client.is_public:
            raise UnauthorizedClient("public clients may not use client_credentials")
        requests = self.parse_scope_request(scope_text)
        if not requests:
            raise InvalidScope("no scopes requested")
        self.record_consents(client.id, client.id, requests, auto_approved=True)
        return self._grant(self.identities[client.id], client.id, requests, refresh=False)

    def start_authorization(
        self,
        *,
        client_id: str,
        identity_id: str,
        redirect_uri: str,
        scope_text: str,
        code_challenge: str | None,
        code_challenge_method: str | None,
        refresh: bool,
        state: str = "_default",
    ) -> AuthorizationCode:
        """A person logged in and consented: record consents, mint a code."""
        client = self.clients.get(client_id)
        if client is None:
            raise InvalidRequest(f"unknown client_id {client_id!r}")
        if not self.redirect_allowed(client, redirect_uri):
            raise InvalidRequest(f"redirect_uri {redirect_uri!r} is not registered")
        if client.is_public and not code_challenge:
            raise InvalidRequest("native apps must use PKCE (code_challenge)")
        if code_challenge and (code_challenge_method or "plain") != "S256":
            raise InvalidRequest("code_challenge_method must be S256")
        if identity_id not in self.identities:
            raise InvalidRequest(f"unknown identity {identity_id}")
        requests = self.parse_scope_request(scope_text or "openid profile email")
        self.record_consents(identity_id, client.id, requests, auto_approved=False)
        code = AuthorizationCode(
            code=self.ids.token(length=30),
            client_id=client.id,
            identity_id=identity_id,
            redirect_uri=redirect_uri,
            requests=requests,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            refresh=refresh,
            expires_at=self.clock.now() + CODE_LIFETIME,
            state=state,
        )
        self.codes[code.code] = code
        return code

    def redirect_allowed(self, client: Client, redirect_uri: str) -> bool:
        if redirect_uri in client.redirect_uris:
            return True
        parent = self.clients.get(client.parent_client or "")
        if not client.is_public and not (parent is not None and parent.template):
            return False
        # Native apps (and their instances) may use Auth's own code page or
        # a local server.
        return redirect_uri.endswith(NATIVE_DEFAULT_REDIRECT_SUFFIX) or redirect_uri.startswith(
            ("http://localhost", "http://127.0.0.1")
        )

    def exchange_code(
        self,
        client: Client,
        code_value: str,
        redirect_uri: str,
        code_verifier: str | None,
    ) -> Grant:
        code = self.codes.get(code_value)
        if code is None or code.used or code.expires_at < self.clock.now():
            raise InvalidGrant("invalid, used or expired authorization code")
        if code.client_id != client.id:
            raise InvalidGrant("the code was issued to another client")
        if code.redirect_uri != redirect_uri:
            raise InvalidGrant("redirect_uri does not match the authorization request")
        if code.code_challenge and (
            not code_verifier or _s256(code_verifier) != code.code_challenge
        ):
            raise InvalidGrant("code_verifier does not match the code_challenge")
        code.used = True
        grant = self._grant(
            self.identities[code.identity_id], client.id, code.requests, refresh=code.refresh
        )
        grant.state = code.state
        return grant

    def refresh_grant(self, client: Client, refresh_value: str) -> Grant:
        token = self.tokens.get(refresh_value)
        if token is None or token.kind != "refresh" or token.revoked:
            raise InvalidGrant("invalid refresh token")
        if token.client_id != client.id:
            raise InvalidGrant("the refresh token was issued to another client")
        identity = self.identities[token.identity_id]
        access = self._mint_access(
            identity.id, client.id, token.resource_server, token.scopes, refresh=token.value
        )
        return Grant(identity, client.id, [IssuedToken(access, token.value)], False)

    def dependent_token_grant(
        self, client: Client, token_value: str, scope_text: str | None, refresh: bool
    ) -> Grant:
        """A resource server trades a token it received for tokens to call
        the services beneath its scope, on the same identity's behalf."""
        if client.is_public:
            raise UnauthorizedClient("public clients may not get dependent tokens")
        try:
            upstream = self.check_token(token_value, client.resource_server)
        except TokenRejected as err:
            raise InvalidGrant(f"token is not usable by this client: {err.reason}") from err
        children: dict[str, ScopeRequest] = {}
        for scope in upstream.scopes:
            for root in self.consent_roots(upstream.identity_id, upstream.client_id, scope):
                for child in self.consent_children(root):
                    children[child.scope_string] = ScopeRequest(child.scope_string)
        if scope_text:
            wanted = self.parse_scope_request(scope_text)
            missing = [w.scope for w in wanted if w.scope not in children]
            if missing:
                raise InvalidScope(f"scopes not consented beneath this token: {missing}")
            requests = wanted
        else:
            requests = list(children.values())
        identity = self.identities[upstream.identity_id]
        return self._grant(identity, client.id, requests, refresh=refresh)

    def _grant(
        self,
        identity: Identity,
        client_id: str,
        requests: list[ScopeRequest],
        *,
        refresh: bool,
    ) -> Grant:
        by_resource_server: dict[str, list[str]] = {}
        for request in requests:
            rs = self.resource_server_of(request.scope)
            assert rs is not None
            by_resource_server.setdefault(rs, []).append(request.scope)
        issued: list[IssuedToken] = []
        for rs, scopes in by_resource_server.items():
            refresh_value = None
            if refresh:
                refresh_value = self._mint(
                    "refresh", identity.id, client_id, rs, tuple(scopes), None
                ).value
            access = self._mint_access(identity.id, client_id, rs, tuple(scopes), refresh_value)
            issued.append(IssuedToken(access, refresh_value))
        wants_id_token = any(r.scope == "openid" for r in requests)
        return Grant(identity, client_id, issued, wants_id_token)

    def _mint_access(
        self,
        identity_id: str,
        client_id: str,
        resource_server: str,
        scopes: tuple[str, ...],
        refresh: str | None,
    ) -> Token:
        token = self._mint(
            "access",
            identity_id,
            client_id,
            resource_server,
            scopes,
            self.clock.now() + self.token_lifetime,
        )
        token.refresh_token = refresh
        return token

    def _mint(
        self,
        kind: str,
        identity_id: str,
        client_id: str,
        resource_server: str,
        scopes: tuple[str, ...],
        expires_at: float | None,
    ) -> Token:
        now = self.clock.now()
        token = Token(
            value=self.ids.token(prefix="Ag" if kind == "access" else "Ar", length=46),
            kind=kind,
            identity_id=identity_id,
            client_id=client_id,
            resource_server=resource_server,
            scopes=scopes,
            issued_at=now,
            expires_at=expires_at,
            auth_time=now,
        )
        self.tokens[token.value] = token
        return token

    def issue_token(
        self,
        identity_id: str,
        scopes: Iterable[str] | str,
        *,
        client_id: str,
        lifetime: float | None = None,
    ) -> list[Token]:
        """Mint tokens directly (for tests), consenting as needed."""
        requests = self.parse_scope_request(scopes if isinstance(scopes, str) else " ".join(scopes))
        self.record_consents(identity_id, client_id, requests, auto_approved=True)
        grant = self._grant(self.identities[identity_id], client_id, requests, refresh=False)
        tokens = [issued.token for issued in grant.tokens]
        if lifetime is not None:
            for token in tokens:
                token.expires_at = self.clock.now() + lifetime
        return tokens

    # -- token checks ----------------------------------------------------------

    def check_token(self, value: str, resource_server: str) -> TokenInfo:
        """The rule every service applies to a bearer token.

        Strict (the default): the token must be one Auth issued, unexpired,
        unrevoked, and for this resource server. Lenient: any string passes,
        as the world's first user, with every scope of the resource server.
        """
        token = self.tokens.get(value)
        if token is None:
            if not self.strict:
                return self._lenient_info(value, resource_server)
            raise TokenRejected("the token is not one Globus Auth issued")
        if token.kind != "access":
            raise TokenRejected("a refresh token cannot be used as a bearer token")
        if token.revoked:
            raise TokenRejected("the token has been revoked")
        if token.expires_at is not None and token.expires_at <= self.clock.now():
            raise TokenRejected("the token has expired")
        if token.resource_server != resource_server:
            raise TokenRejected(f"the token is for {token.resource_server}, not {resource_server}")
        return self.token_info(token)

    def token_times(self, value: str) -> dict[str, float | None]:
        """When a token was issued and expires, as JWT-style claims (``iat``,
        ``nbf``, ``exp``): for services that report them (Flows' run
        context)."""
        token = self.tokens.get(value)
        if token is None:
            return {"exp": None, "iat": None, "nbf": None}
        return {"exp": token.expires_at, "iat": token.issued_at, "nbf": token.issued_at}

    def token_info(self, token: Token) -> TokenInfo:
        identity = self.identities[token.identity_id]
        return TokenInfo(
            token=token.value,
            identity_id=identity.id,
            username=identity.username,
            client_id=token.client_id,
            resource_server=token.resource_server,
            scopes=token.scopes,
            expires_at=token.expires_at,
        )

    def _lenient_info(self, value: str, resource_server: str) -> TokenInfo:
        user = self.identities[self.default_user_id]
        rs_client = self.client_for_resource_server(resource_server)
        scopes = tuple(
            s.scope_string
            for s in self.scopes.values()
            if rs_client is not None and s.client_id == rs_client.id
        )
        return TokenInfo(value, user.id, user.username, "", resource_server, scopes, None)

    def introspect(self, caller: Client, value: str) -> Token | None:
        """The token if it is active and the caller may see it, else None.

        Globus only shows a token to the resource server it is for or to
        the client it was issued to; anyone else learns it is inactive.
        """
        token = self.tokens.get(value)
        if token is None or token.revoked:
            return None
        if token.expires_at is not None and token.expires_at <= self.clock.now():
            return None
        if caller.id != token.client_id and caller.resource_server != token.resource_server:
            return None
        return token

    def revoke(self, value: str, caller: Client) -> None:
        """Revoke a token (and, for a refresh token, the tokens it made).
        Unknown tokens are ignored, as RFC 7009 asks."""
        token = self.tokens.get(value)
        if token is None or token.client_id != caller.id:
            return
        token.revoked = True
        if token.kind == "refresh":
            for other in self.tokens.values():
                if other.refresh_token == token.value:
                    other.revoked = True


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _all_scope_strings(requests: Iterable[ScopeRequest]) -> Iterable[str]:
    for request in requests:
        yield request.scope
        yield from _all_scope_strings(request.dependencies)


def _idp_name(domain: str) -> str:
    return "Globus ID" if domain == "globusid.org" else domain
