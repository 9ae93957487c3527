"""Apps and resource servers registered with Globus Auth, their secrets,
and the projects that own them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...derived import KeepsDerived
from ...principal_index import PrincipalIndex
from .errors import ApiBadRequest, ApiNotFound, InvalidClient
from .identities import Identity, IdentityRegistry

PUBLIC = "public_installed_client"
CONFIDENTIAL = "confidential_client"
HYBRID = "hybrid_confidential_client_resource_server"
RESOURCE_SERVER = "resource_server"
CLIENT_IDENTITY = "client_identity"
GCS = "globus_connect_server"
CLIENT_TYPES = (PUBLIC, CONFIDENTIAL, HYBRID, RESOURCE_SERVER, CLIENT_IDENTITY, GCS)


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

    def managers(self) -> set[str]:
        """Who may manage the client: itself, its owner, its parent client,
        and its project (whose administrators do: see ``project_key``)."""
        held = {self.id, self.owner_id, self.parent_client}
        if self.project_id:
            held.add(project_key(self.project_id))
        return {holder for holder in held if holder is not None}

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


def project_key(project_id: str) -> str:
    """How a project is named among a client's managers."""
    return f"project:{project_id}"


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


class ClientRegistry(IdentityRegistry, KeepsDerived):
    """Clients, credentials and projects: the second layer of :class:`AuthState`."""

    # Who manages each client (Client.managers) and which projects each
    # identity administers, so a caller's clients and projects cost
    # theirs, not every client and project in the world (built when first
    # asked, kept up by every write)
    DERIVED: ClassVar[tuple[str, ...]] = ("_client_managers", "_project_admins")
    _client_managers: PrincipalIndex | None = None
    _project_admins: PrincipalIndex | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clients: dict[str, Client] = {}
        self._client_by_fqdn: dict[str, str] = {}
        self.projects: dict[str, Project] = {}

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
        parent_client: str | None = None,
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
            parent_client=parent_client,
            visibility=visibility,
        )
        if client.id in self.clients:
            raise ApiBadRequest(f"client {client.id} already exists")
        self.clients[client.id] = client
        if self._client_managers is not None:
            self._client_managers.put(client.id, client.managers())
        if fqdn:
            self._client_by_fqdn[fqdn] = client.id
        if not client.is_public:
            # Confidential clients are identities too: they act as themselves.
            clients_idp = self.provider_for_domain("clients.auth.globus.org")
            self._store_identity(
                Identity(
                    id=client.id,
                    username=client.identity_username,
                    name=name,
                    email=None,
                    identity_provider=clients_idp.id,
                    identity_provider_display_name=clients_idp.name,
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
            name,
            client_type=CONFIDENTIAL,
            redirect_uris=template.redirect_uris,
            parent_client=template.id,
        )
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
        if self._client_managers is not None:
            self._client_managers.remove(client_id)
        if client.fqdn:
            self._client_by_fqdn.pop(client.fqdn, None)
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
        self,
        display_name: str,
        contact_email: str,
        admin_ids: Iterable[str],
        *,
        project_id: str | None = None,
    ) -> Project:
        if project_id is not None and project_id in self.projects:
            raise ValueError(f"project {project_id} already exists")
        project = Project(
            project_id or self.ids.uuid(), display_name, contact_email, list(admin_ids)
        )
        self.projects[project.id] = project
        if self._project_admins is not None:
            self._project_admins.put(project.id, project.admin_ids)
        return project

    def set_project_admins(self, project: Project, admin_ids: Iterable[str]) -> None:
        project.admin_ids = list(admin_ids)
        if self._project_admins is not None:
            self._project_admins.put(project.id, project.admin_ids)

    def project(self, project_id: str) -> Project:
        found = self.projects.get(project_id)
        if found is None:
            raise ApiNotFound(f"no project {project_id}")
        return found

    def delete_project(self, project_id: str) -> Project:
        self.project(project_id)
        if self._managers().held_by([project_key(project_id)]):
            raise ApiBadRequest("a project with clients cannot be deleted")
        if self._project_admins is not None:
            self._project_admins.remove(project_id)
        return self.projects.pop(project_id)

    def can_manage_client(self, identity_id: str, client: Client) -> bool:
        if identity_id in (client.id, client.owner_id, client.parent_client):
            return True
        project = self.projects.get(client.project_id or "")
        return project is not None and identity_id in project.admin_ids

    def managed_clients(self, identity_id: str) -> list[Client]:
        """The clients ``identity_id`` may manage (as ``can_manage_client``
        has it), in the world's order."""
        projects = [project_key(p) for p in self.administered_projects(identity_id)]
        return [self.clients[c] for c in self._managers().held_by([identity_id, *projects])]

    def administered_projects(self, identity_id: str) -> list[str]:
        """The ids of the projects ``identity_id`` administers, in the world's order."""
        if self._project_admins is None:
            self._project_admins = PrincipalIndex.of(self.projects, lambda p: p.admin_ids)
        return self._project_admins.held_by([identity_id])

    def _managers(self) -> PrincipalIndex:
        if self._client_managers is None:
            self._client_managers = PrincipalIndex.of(self.clients, Client.managers)
        return self._client_managers

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
