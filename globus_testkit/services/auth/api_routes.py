"""``/v2/api``: identities, consents, projects, clients, credentials
and scopes."""

from __future__ import annotations

from typing import Any

from ...http import Call, Reply
from .errors import (
    ApiBadRequest,
    ApiForbidden,
)
from .models import (
    PUBLIC,
    Client,
    Dependency,
)
from .service import (
    AuthService,
    caller_id,
    routes,
    wrapped_body,
)

# -- /v2/api: identities and consents ----------------------------------------------


@routes.route("/v2/api/identities", "GET", operation="get_identities")
def get_identities(svc: AuthService, call: Call) -> Reply:
    caller_id(svc, call)  # a token, or a client with HTTP Basic
    ids = call.arg_csv("ids")
    usernames = call.arg_csv("usernames")
    if ids and usernames:
        raise ApiBadRequest("give ids or usernames, not both")
    if call.args.get("provision", "").lower() == "true":
        found = svc.state.lookup_identities(ids=ids) + svc.state.provision_identities(usernames)
    else:
        found = svc.state.lookup_identities(ids=ids, usernames=usernames)
    return Reply({"identities": [i.to_api() for i in found]})


@routes.route("/v2/api/identities/<identity_id>/consents", "GET", operation="get_consents")
def get_consents(svc: AuthService, call: Call, identity_id: str) -> Reply:
    info = svc.authenticate(call)
    if identity_id != info.identity_id:
        raise ApiForbidden("you may only view your own consents")
    all_clients = call.arg_bool("all")
    consents = svc.state.consents_for(identity_id, None if all_clients else info.client_id)
    return Reply({"consents": [c.to_api() for c in consents]})


# -- /v2/api: projects, clients, credentials, scopes ---------------------------------


def _managed_client(svc: AuthService, call: Call, client_id: str) -> Client:
    identity_id = caller_id(svc, call)
    client = svc.state.client(client_id)
    if not svc.state.can_manage_client(identity_id, client):
        raise ApiForbidden(f"you may not manage client {client_id}")
    return client


def _client_reply(svc: AuthService, client: Client, status: int = 200) -> Reply:
    scope_ids = [s.id for s in svc.state.scopes_of_client(client.id)]
    return Reply({"client": client.to_api(scope_ids)}, status)


@routes.route("/v2/api/projects", "GET", operation="get_projects")
def get_projects(svc: AuthService, call: Call) -> Reply:
    identity_id = caller_id(svc, call)
    projects = svc.state.administered_projects(identity_id)
    return Reply({"projects": [_project_doc(svc, p) for p in projects]})


def _project_doc(svc: AuthService, project_id: str) -> dict[str, Any]:
    project = svc.state.project(project_id)
    admins = svc.state.lookup_identities(ids=project.admin_ids)
    return project.to_api([a.to_api(with_type=True) for a in admins])


@routes.route("/v2/api/projects", "POST", operation="create_project")
def create_project(svc: AuthService, call: Call) -> Reply:
    identity_id = caller_id(svc, call)
    fields = wrapped_body(call, "project", "auth_project")
    admins = fields.get("admin_ids") or [identity_id]
    for admin in admins:
        svc.state.identity(admin)
    project = svc.state.create_project(fields["display_name"], fields["contact_email"], admins)
    return Reply({"project": _project_doc(svc, project.id)})


@routes.route("/v2/api/projects/<project_id>", "GET", operation="get_project")
def get_project(svc: AuthService, call: Call, project_id: str) -> Reply:
    _admin_project(svc, call, project_id)
    return Reply({"project": _project_doc(svc, project_id)})


def _admin_project(svc: AuthService, call: Call, project_id: str) -> None:
    if caller_id(svc, call) not in svc.state.project(project_id).admin_ids:
        raise ApiForbidden(f"you are not an administrator of project {project_id}")


@routes.route("/v2/api/projects/<project_id>", "PUT", operation="update_project")
def update_project(svc: AuthService, call: Call, project_id: str) -> Reply:
    _admin_project(svc, call, project_id)
    fields = wrapped_body(call, "project", "auth_project_update")
    project = svc.state.project(project_id)
    project.display_name = fields.get("display_name", project.display_name)
    project.contact_email = fields.get("contact_email", project.contact_email)
    if "admin_ids" in fields:
        for admin in fields["admin_ids"]:
            svc.state.identity(admin)
        svc.state.set_project_admins(project, fields["admin_ids"])
    return Reply({"project": _project_doc(svc, project_id)})


@routes.route("/v2/api/projects/<project_id>", "DELETE", operation="delete_project")
def delete_project(svc: AuthService, call: Call, project_id: str) -> Reply:
    _admin_project(svc, call, project_id)
    doc = _project_doc(svc, project_id)
    svc.state.delete_project(project_id)
    return Reply({"project": doc})


@routes.route("/v2/api/clients", "GET", operation="get_clients")
def get_clients(svc: AuthService, call: Call) -> Reply:
    identity_id = caller_id(svc, call)
    clients = svc.state.managed_clients(identity_id)
    fqdn = call.args.get("fqdn")
    if fqdn:
        clients = [c for c in clients if c.fqdn == fqdn]
    return Reply(
        {"clients": [c.to_api([s.id for s in svc.state.scopes_of_client(c.id)]) for c in clients]}
    )


@routes.route("/v2/api/clients", "POST", operation="create_client")
def create_client(svc: AuthService, call: Call) -> Reply:
    fields = wrapped_body(call, "client", "auth_client")
    if "template_id" in fields:
        # Instantiating a template app needs no token: it is how a native
        # app such as globus-cli gets credentials of its own.
        client, credential = svc.state.instantiate_template(fields["template_id"], fields["name"])
        reply = _client_reply(svc, client)
        reply.body["included"] = {"client_credential": _credential_doc(client.id, credential, True)}
        return reply
    # A person (bearer token) or a client authenticating as itself (HTTP
    # Basic, as ConfidentialAppAuthClient.create_child_client does).
    creator = caller_id(svc, call)
    project_id = fields.get("project")
    if project_id:
        _admin_project(svc, call, project_id)
    if fields.get("public_client"):
        client_type = PUBLIC
    else:
        client_type = fields.get("client_type", "hybrid_confidential_client_resource_server")
    client = svc.state.register_client(
        fields["name"],
        client_type=client_type,
        redirect_uris=fields.get("redirect_uris", []),
        project_id=project_id,
        owner_id=creator,
        # a client making a client is its parent
        parent_client=creator if creator in svc.state.clients else None,
        visibility=fields.get("visibility", "private"),
    )
    # A new confidential client's first secret is made with its own call.
    for credential in list(client.credentials):
        svc.state.delete_credential(client.id, credential.id)
    return _client_reply(svc, client)


@routes.route("/v2/api/clients/<client_id>", "GET", operation="get_client")
def get_client(svc: AuthService, call: Call, client_id: str) -> Reply:
    return _client_reply(svc, _managed_client(svc, call, client_id))


@routes.route("/v2/api/clients/<client_id>", "PUT", operation="update_client")
def update_client(svc: AuthService, call: Call, client_id: str) -> Reply:
    _managed_client(svc, call, client_id)
    fields = wrapped_body(call, "client", "auth_client_update")
    return _client_reply(svc, svc.state.update_client(client_id, fields))


@routes.route("/v2/api/clients/<client_id>", "DELETE", operation="delete_client")
def delete_client(svc: AuthService, call: Call, client_id: str) -> Reply:
    client = _managed_client(svc, call, client_id)
    reply = _client_reply(svc, client)
    svc.state.delete_client(client_id)
    return reply


def _credential_doc(client_id: str, credential: Any, with_secret: bool) -> dict[str, Any]:
    from ...clock import iso

    doc = {
        "id": credential.id,
        "name": credential.name,
        "client": client_id,
        "created": iso(credential.created),
        "secret": credential.secret if with_secret else None,
    }
    return doc


@routes.route("/v2/api/clients/<client_id>/credentials", "GET", operation="get_client_credentials")
def get_credentials(svc: AuthService, call: Call, client_id: str) -> Reply:
    client = _managed_client(svc, call, client_id)
    docs = [_credential_doc(client.id, c, False) for c in client.credentials]
    return Reply({"credentials": docs})


@routes.route(
    "/v2/api/clients/<client_id>/credentials", "POST", operation="create_client_credential"
)
def create_credential(svc: AuthService, call: Call, client_id: str) -> Reply:
    _managed_client(svc, call, client_id)
    fields = wrapped_body(call, "credential", "auth_credential")
    credential = svc.state.add_credential(client_id, name=fields.get("name", ""))
    return Reply({"credential": _credential_doc(client_id, credential, True)})


@routes.route(
    "/v2/api/clients/<client_id>/credentials/<credential_id>",
    "DELETE",
    operation="delete_client_credential",
)
def delete_credential(svc: AuthService, call: Call, client_id: str, credential_id: str) -> Reply:
    _managed_client(svc, call, client_id)
    credential = svc.state.delete_credential(client_id, credential_id)
    return Reply({"credential": _credential_doc(client_id, credential, False)})


@routes.route("/v2/api/clients/<client_id>/scopes", "POST", operation="create_scope")
def create_scope(svc: AuthService, call: Call, client_id: str) -> Reply:
    client = _managed_client(svc, call, client_id)
    fields = wrapped_body(call, "scope", "auth_scope")
    suffix = fields["scope_suffix"]
    scope = svc.state.register_scope(
        f"https://auth.globus.org/scopes/{client.id}/{suffix}",
        client_id=client.id,
        name=fields["name"],
        description=fields["description"],
        advertised=fields.get("advertised", True),
        dependencies=[
            Dependency(
                d["scope"],
                bool(d.get("optional", False)),
                bool(d.get("requires_refresh_token", False)),
            )
            for d in fields.get("dependent_scopes", [])
        ],
    )
    return Reply({"scopes": [scope.to_api()]})


@routes.route("/v2/api/scopes", "GET", operation="get_scopes")
def get_scopes(svc: AuthService, call: Call) -> Reply:
    caller_id(svc, call)
    ids = call.arg_csv("ids")
    strings = call.arg_csv("scope_strings")
    if ids and strings:
        raise ApiBadRequest("give ids or scope_strings, not both")
    if ids:
        scopes = [svc.state.scopes[i] for i in ids if i in svc.state.scopes]
    elif strings:
        scopes = [s for s in map(svc.state.scope_by_string, strings) if s is not None]
    else:
        scopes = list(svc.state.scopes.values())
    return Reply({"scopes": [s.to_api() for s in scopes]})


@routes.route("/v2/api/scopes/<scope_id>", "GET", operation="get_scope")
def get_scope(svc: AuthService, call: Call, scope_id: str) -> Reply:
    caller_id(svc, call)
    return Reply({"scope": svc.state.scope(scope_id).to_api()})


def _managed_scope(svc: AuthService, call: Call, scope_id: str) -> None:
    scope = svc.state.scope(scope_id)
    _managed_client(svc, call, scope.client_id)


@routes.route("/v2/api/scopes/<scope_id>", "PUT", operation="update_scope")
def update_scope(svc: AuthService, call: Call, scope_id: str) -> Reply:
    _managed_scope(svc, call, scope_id)
    fields = wrapped_body(call, "scope", "auth_scope_update")
    return Reply({"scope": svc.state.update_scope(scope_id, fields).to_api()})


@routes.route("/v2/api/scopes/<scope_id>", "DELETE", operation="delete_scope")
def delete_scope(svc: AuthService, call: Call, scope_id: str) -> Reply:
    _managed_scope(svc, call, scope_id)
    return Reply({"scope": svc.state.delete_scope(scope_id).to_api()})
