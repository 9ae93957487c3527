"""Globus Auth's HTTP surface: parse, check, call the model, format."""

from __future__ import annotations

import base64
import html
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode

from ...http import ApiError, Call, Reply, validate
from ..base import Routes, Service
from . import oidc
from .errors import (
    ApiBadRequest,
    ApiForbidden,
    AuthApiError,
    InvalidClient,
    InvalidRequest,
    OAuthError,
    UnsupportedGrantType,
)
from .models import (
    AUTH_RESOURCE_SERVER,
    CONFIDENTIAL,
    NATIVE_DEFAULT_REDIRECT_SUFFIX,
    PUBLIC,
    AuthState,
    Client,
    Dependency,
    Grant,
    Token,
)

if TYPE_CHECKING:
    from ...emulator import World

routes = Routes()

DEPENDENT_TOKEN_GRANT = "urn:globus:auth:grant_type:dependent_token"
VIEW_IDENTITY_SET = "urn:globus:auth:scope:auth.globus.org:view_identity_set"
MANAGE_PROJECTS = "urn:globus:auth:scope:auth.globus.org:manage_projects"

_STATUS_CODES = {400: "INVALID_PARAMETERS", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND"}


class AuthService(Service):
    name = "auth"
    hosts = ("auth.globus.org",)
    resource_server = AUTH_RESOURCE_SERVER
    routes = routes

    @property
    def state(self) -> AuthState:
        return self.world.auth

    @classmethod
    def load_spec(cls, world: World, spec: dict[str, Any]) -> None:
        """``identities`` and ``clients`` sections of a world file."""
        for item in spec.get("identities", []):
            identity = world.auth.add_identity(
                item.get("username"),
                name=item.get("name"),
                email=item.get("email"),
                organization=item.get("organization"),
                identity_id=item.get("id"),
            )
            identity.linked = list(item.get("linked", []))
        for item in spec.get("clients", []):
            kind = item.get("type", "confidential")
            world.auth.register_client(
                item["name"],
                client_type={"native": PUBLIC, "confidential": CONFIDENTIAL}.get(kind, kind),
                client_id=item.get("id"),
                secret=item.get("secret"),
                redirect_uris=item.get("redirect_uris", []),
            )

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        if isinstance(err, OAuthError):
            return {"error": err.code, "error_description": err.message}
        code = (
            err.code if isinstance(err, AuthApiError) else _STATUS_CODES.get(err.status, err.code)
        )
        title = _title(err.status)
        return {
            "errors": [
                {
                    "status": str(err.status),
                    "id": call.request_id,
                    "code": code,
                    "detail": err.message,
                    "title": title,
                }
            ],
            "error": code.lower(),
            "error_description": title,
        }

    def authenticate_client(self, call: Call, *, allow_public: bool = True) -> Client:
        """The client calling an OAuth2 endpoint: HTTP Basic, or a
        ``client_id`` form field for public (native) clients."""
        header = call.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
            except ValueError as err:
                raise InvalidClient("malformed Basic authorization header") from err
            client_id, _, secret = decoded.partition(":")
            client = self.state.authenticate_client(unquote(client_id), unquote(secret))
        else:
            form_client_id = call.form.get("client_id")
            if not form_client_id:
                raise InvalidClient("client authentication is required")
            client = self.state.authenticate_client(form_client_id, call.form.get("client_secret"))
            if client.is_public and not allow_public:
                raise InvalidClient("this endpoint needs a confidential client")
        call.client_id = client.id
        return client


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _required_form(call: Call, *names: str) -> list[str]:
    values = []
    for name in names:
        value = call.form.get(name)
        if not value:
            raise InvalidRequest(f"missing required parameter {name!r}")
        values.append(value)
    return values


# -- OAuth2 token endpoint ---------------------------------------------------


@routes.route("/v2/oauth2/token", "POST", operation="oauth2_token")
def token(svc: AuthService, call: Call) -> Reply:
    grant_type = call.form.get("grant_type", "")
    if not grant_type:
        raise InvalidRequest("missing required parameter 'grant_type'")
    if grant_type not in _GRANTS:
        raise UnsupportedGrantType(grant_type)
    client = svc.authenticate_client(call)
    call.operation = f"oauth2_token.{grant_type.rsplit(':', 1)[-1]}"
    return _GRANTS[grant_type](svc, call, client)


def _client_credentials(svc: AuthService, call: Call, client: Client) -> Reply:
    (scope,) = _required_form(call, "scope")
    grant = svc.state.client_credentials_grant(client, scope)
    return Reply(_token_response(svc.state, grant))


def _authorization_code(svc: AuthService, call: Call, client: Client) -> Reply:
    code, redirect_uri = _required_form(call, "code", "redirect_uri")
    grant = svc.state.exchange_code(client, code, redirect_uri, call.form.get("code_verifier"))
    answer = _token_response(svc.state, grant)
    # A code exchange echoes the OAuth state of the login that made the code.
    answer["state"] = grant.state
    return Reply(answer)


def _refresh_token(svc: AuthService, call: Call, client: Client) -> Reply:
    (refresh,) = _required_form(call, "refresh_token")
    grant = svc.state.refresh_grant(client, refresh)
    return Reply(_token_response(svc.state, grant))


def _dependent_token(svc: AuthService, call: Call, client: Client) -> Reply:
    (upstream,) = _required_form(call, "token")
    refresh = call.form.get("access_type") == "offline"
    grant = svc.state.dependent_token_grant(client, upstream, call.form.get("scope"), refresh)
    # Dependent-token answers are a bare JSON array, one entry per server.
    return Reply([_token_document(svc.state, t.token, t.refresh_token) for t in grant.tokens])


_GRANTS = {
    "client_credentials": _client_credentials,
    "authorization_code": _authorization_code,
    "refresh_token": _refresh_token,
    DEPENDENT_TOKEN_GRANT: _dependent_token,
}


def _token_document(state: AuthState, token: Token, refresh: str | None) -> dict[str, Any]:
    expires_in = 0 if token.expires_at is None else token.expires_at - state.clock.now()
    document: dict[str, Any] = {
        "access_token": token.value,
        "expires_in": max(0, int(expires_in)),
        "resource_server": token.resource_server,
        "scope": " ".join(token.scopes),
        "token_type": "Bearer",
    }
    if refresh is not None:
        document["refresh_token"] = refresh
    return document


def _token_response(state: AuthState, grant: Grant) -> dict[str, Any]:
    """Top-level token plus ``other_tokens``; Auth's own token leads when
    openid was asked for, and carries the id_token."""
    issued = sorted(grant.tokens, key=lambda t: t.token.resource_server != AUTH_RESOURCE_SERVER)
    docs = [_token_document(state, t.token, t.refresh_token) for t in issued]
    top = docs[0]
    top["other_tokens"] = docs[1:]
    if grant.wants_id_token:
        identity = grant.identity
        top["id_token"] = oidc.id_token(
            identity, state.identity_set(identity.id), grant.client_id, issued[0].token.auth_time
        )
    return top


# -- introspect, validate, revoke, userinfo ------------------------------------


@routes.route("/v2/oauth2/token/introspect", "POST", operation="oauth2_token_introspect")
def introspect(svc: AuthService, call: Call) -> Reply:
    caller = svc.authenticate_client(call, allow_public=False)
    (value,) = _required_form(call, "token")
    found = svc.state.introspect(caller, value)
    if found is None:
        return Reply({"active": False})
    identity = svc.state.identities[found.identity_id]
    body: dict[str, Any] = {
        "active": True,
        "token_type": "Bearer",
        "scope": " ".join(found.scopes),
        "client_id": found.client_id,
        "username": identity.username,
        "name": identity.name,
        "email": identity.email,
        "sub": identity.id,
        "aud": [found.resource_server, found.client_id],
        "iss": oidc.ISSUER,
        "exp": int(found.expires_at or 0),
        "iat": int(found.issued_at),
        "nbf": int(found.issued_at),
    }
    include = {part.strip() for part in call.form.get("include", "").split(",")}
    if "identity_set" in include:
        body["identity_set"] = [i.id for i in svc.state.identity_set(identity.id)]
    if "identity_set_detail" in include:
        body["identity_set_detail"] = [i.to_api() for i in svc.state.identity_set(identity.id)]
    if "session_info" in include:
        body["session_info"] = {
            "session_id": svc.emulator.world.ids.stable_uuid("session", identity.id),
            "authentications": {
                identity.id: {
                    "auth_time": int(found.auth_time),
                    "idp": identity.identity_provider,
                    "custom_claims": {},
                    "acr": None,
                    "amr": None,
                }
            },
        }
    return Reply(body)


@routes.route("/v2/oauth2/token/validate", "POST", operation="oauth2_token_validate")
def validate_token(svc: AuthService, call: Call) -> Reply:
    caller = svc.authenticate_client(call)
    (value,) = _required_form(call, "token")
    return Reply({"active": svc.state.introspect(caller, value) is not None})


@routes.route("/v2/oauth2/token/revoke", "POST", operation="oauth2_revoke_token")
def revoke(svc: AuthService, call: Call) -> Reply:
    caller = svc.authenticate_client(call)
    (value,) = _required_form(call, "token")
    svc.state.revoke(value, caller)
    return Reply({"active": False})


@routes.route("/v2/oauth2/userinfo", "GET", "POST", operation="oauth2_userinfo")
def userinfo(svc: AuthService, call: Call) -> Reply:
    info = svc.authenticate(call, scope="openid")
    identity = svc.state.identities[info.identity_id]
    # OIDC: `openid` alone grants only `sub`; each further scope adds its
    # claims (Globus: profile and email, and view_identity_set below).
    body: dict[str, Any] = {"sub": identity.id}
    if info.has_scope("profile"):
        body.update(
            preferred_username=identity.username,
            name=identity.name,
            organization=identity.organization,
            identity_provider=identity.identity_provider,
            identity_provider_display_name=identity.identity_provider_display_name,
            last_authentication=None,
        )
    if info.has_scope("email"):
        body["email"] = identity.email
    if info.has_scope(VIEW_IDENTITY_SET):
        body["identity_set"] = [
            {
                "sub": i.id,
                "username": i.username,
                "name": i.name,
                "email": i.email,
                "organization": i.organization,
                "identity_provider": i.identity_provider,
                "identity_provider_display_name": i.identity_provider_display_name,
                "last_authentication": None,
            }
            for i in svc.state.identity_set(identity.id)
        ]
    return Reply(body)


# -- OpenID discovery ------------------------------------------------------------


@routes.route("/.well-known/openid-configuration", "GET", operation="get_openid_configuration")
def openid_configuration(svc: AuthService, call: Call) -> Reply:
    return Reply(oidc.openid_configuration(call.base_url))


@routes.route("/jwk.json", "GET", operation="get_jwk")
def jwk(svc: AuthService, call: Call) -> Reply:
    return Reply(oidc.jwks())


# -- the browser login -------------------------------------------------------------


@routes.route("/v2/oauth2/authorize", "GET", operation="oauth2_authorize")
def authorize_page(svc: AuthService, call: Call) -> Reply:
    """A minimal login-and-consent page, so browser tests can click through."""
    params = call.args.to_dict()
    client = svc.state.clients.get(params.get("client_id", ""))
    if client is None:
        return _html_error("Unknown client", f"No client {params.get('client_id')!r}.")
    if not svc.state.redirect_allowed(client, params.get("redirect_uri", "")):
        return _html_error("Bad redirect", "The redirect_uri is not registered for this app.")
    users = [i for i in svc.state.identities.values() if i.identity_type == "login"]
    users.sort(key=lambda u: u.id != svc.state.default_user_id)  # the default user first
    options = "".join(
        f'<option value="{html.escape(u.id)}">{html.escape(u.username)}</option>' for u in users
    )
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
    )
    scopes = "".join(
        f"<li>{html.escape(s)}</li>" for s in params.get("scope", "openid profile email").split()
    )
    page = f"""<!doctype html><html><head><title>Globus Auth (emulated)</title></head>
<body><h1>Log in to {html.escape(client.name)}</h1>
<form method="post" id="login">{hidden}
<label>Identity <select name="identity_id">{options}</select></label>
<p>{html.escape(client.name)} asks for:</p><ul>{scopes}</ul>
<button type="submit" id="allow">Allow</button></form></body></html>"""
    return Reply(page, content_type="text/html; charset=utf-8")


@routes.route("/v2/oauth2/authorize", "POST", operation="oauth2_authorize_submit")
def authorize_submit(svc: AuthService, call: Call) -> Reply:
    params = call.form.to_dict()
    try:
        location = complete_authorization(svc.state, params, params.get("identity_id"))
    except OAuthError as err:
        return _html_error("Login failed", err.message)
    if location.startswith("code:"):
        query = urlencode({"code": location[5:]})
        location = f"{call.base_url}v2/web/auth-code?{query}"
    return Reply("", status=302, headers={"Location": location}, content_type="text/html")


@routes.route("/v2/web/auth-code", "GET", operation="web_auth_code")
def auth_code_page(svc: AuthService, call: Call) -> Reply:
    code = html.escape(call.args.get("code", ""))
    page = f"""<!doctype html><html><head><title>Native App Authorization Code</title></head>
<body><p>Copy this code back to your application:</p>
<pre id="code">{code}</pre></body></html>"""
    return Reply(page, content_type="text/html; charset=utf-8")


def _html_error(title: str, message: str) -> Reply:
    page = (
        f"<!doctype html><html><body><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(message)}</p></body></html>"
    )
    return Reply(page, status=400, content_type="text/html; charset=utf-8")


def complete_authorization(
    state: AuthState, params: dict[str, str], identity_id: str | None
) -> str:
    """Log ``identity_id`` in against an authorize request's parameters.

    Returns the redirect URL with ``code`` and ``state``, or ``"code:<code>"``
    when the redirect is Auth's own code page (the native-app case, where a
    person copies the code by hand).
    """
    if params.get("response_type", "code") != "code":
        raise InvalidRequest("response_type must be 'code'")
    if not identity_id:
        identity_id = state.default_user_id
    redirect_uri = params.get("redirect_uri", "")
    code = state.start_authorization(
        client_id=params.get("client_id", ""),
        identity_id=identity_id,
        redirect_uri=redirect_uri,
        scope_text=params.get("scope", ""),
        code_challenge=params.get("code_challenge"),
        code_challenge_method=params.get("code_challenge_method"),
        refresh=params.get("access_type") == "offline",
        state=params.get("state") or "_default",
    )
    if redirect_uri.endswith(NATIVE_DEFAULT_REDIRECT_SUFFIX):
        return f"code:{code.code}"
    query = {"code": code.code}
    if params.get("state"):
        query["state"] = params["state"]
    separator = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{separator}{urlencode(query)}"


# -- /v2/api: identities and consents ----------------------------------------------


@routes.route("/v2/api/identities", "GET", operation="get_identities")
def get_identities(svc: AuthService, call: Call) -> Reply:
    svc.authenticate(call)
    ids = _csv(call.args.getlist("ids"))
    usernames = _csv(call.args.getlist("usernames"))
    if ids and usernames:
        raise ApiBadRequest("give ids or usernames, not both")
    found = svc.state.lookup_identities(ids=ids, usernames=usernames)
    return Reply({"identities": [i.to_api() for i in found]})


def _csv(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@routes.route("/v2/api/identities/<identity_id>/consents", "GET", operation="get_consents")
def get_consents(svc: AuthService, call: Call, identity_id: str) -> Reply:
    info = svc.authenticate(call)
    if identity_id != info.identity_id:
        raise ApiForbidden("you may only view your own consents")
    all_clients = call.arg_bool("all")
    consents = svc.state.consents_for(identity_id, None if all_clients else info.client_id)
    return Reply({"consents": [c.to_api() for c in consents]})


# -- /v2/api: projects, clients, credentials, scopes ---------------------------------


def _caller(svc: AuthService, call: Call) -> str:
    """Who is calling a /v2/api route: a bearer token's identity, or a
    client authenticating as itself with HTTP Basic."""
    if call.headers.get("authorization", "").lower().startswith("basic "):
        try:
            return svc.authenticate_client(call, allow_public=False).id
        except OAuthError as err:
            raise AuthApiError(401, "UNAUTHORIZED", err.message) from err
    return svc.authenticate(call).identity_id


def _managed_client(svc: AuthService, call: Call, client_id: str) -> Client:
    identity_id = _caller(svc, call)
    client = svc.state.client(client_id)
    if not svc.state.can_manage_client(identity_id, client):
        raise ApiForbidden(f"you may not manage client {client_id}")
    return client


def _client_reply(svc: AuthService, client: Client, status: int = 200) -> Reply:
    scope_ids = [s.id for s in svc.state.scopes.values() if s.client_id == client.id]
    return Reply({"client": client.to_api(scope_ids)}, status)


def _wrapped(call: Call, key: str, schema: str) -> dict[str, Any]:
    body = call.json_object()
    validate(body, schema)
    inner = body[key]
    assert isinstance(inner, dict)
    return inner


@routes.route("/v2/api/projects", "GET", operation="get_projects")
def get_projects(svc: AuthService, call: Call) -> Reply:
    identity_id = _caller(svc, call)
    projects = [p for p in svc.state.projects.values() if identity_id in p.admin_ids]
    return Reply({"projects": [_project_doc(svc, p.id) for p in projects]})


def _project_doc(svc: AuthService, project_id: str) -> dict[str, Any]:
    project = svc.state.project(project_id)
    admins = svc.state.lookup_identities(ids=project.admin_ids)
    return project.to_api([a.to_api(with_type=True) for a in admins])


@routes.route("/v2/api/projects", "POST", operation="create_project")
def create_project(svc: AuthService, call: Call) -> Reply:
    identity_id = _caller(svc, call)
    fields = _wrapped(call, "project", "auth_project")
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
    if _caller(svc, call) not in svc.state.project(project_id).admin_ids:
        raise ApiForbidden(f"you are not an administrator of project {project_id}")


@routes.route("/v2/api/projects/<project_id>", "PUT", operation="update_project")
def update_project(svc: AuthService, call: Call, project_id: str) -> Reply:
    _admin_project(svc, call, project_id)
    fields = _wrapped(call, "project", "auth_project_update")
    project = svc.state.project(project_id)
    project.display_name = fields.get("display_name", project.display_name)
    project.contact_email = fields.get("contact_email", project.contact_email)
    if "admin_ids" in fields:
        for admin in fields["admin_ids"]:
            svc.state.identity(admin)
        project.admin_ids = list(fields["admin_ids"])
    return Reply({"project": _project_doc(svc, project_id)})


@routes.route("/v2/api/projects/<project_id>", "DELETE", operation="delete_project")
def delete_project(svc: AuthService, call: Call, project_id: str) -> Reply:
    _admin_project(svc, call, project_id)
    doc = _project_doc(svc, project_id)
    svc.state.delete_project(project_id)
    return Reply({"project": doc})


@routes.route("/v2/api/clients", "GET", operation="get_clients")
def get_clients(svc: AuthService, call: Call) -> Reply:
    identity_id = _caller(svc, call)
    clients = [c for c in svc.state.clients.values() if svc.state.can_manage_client(identity_id, c)]
    fqdn = call.args.get("fqdn")
    if fqdn:
        clients = [c for c in clients if c.fqdn == fqdn]
    scope_ids = _scope_ids_by_client(svc.state)
    return Reply({"clients": [c.to_api(scope_ids.get(c.id, [])) for c in clients]})


def _scope_ids_by_client(state: AuthState) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for scope in state.scopes.values():
        found.setdefault(scope.client_id, []).append(scope.id)
    return found


@routes.route("/v2/api/clients", "POST", operation="create_client")
def create_client(svc: AuthService, call: Call) -> Reply:
    fields = _wrapped(call, "client", "auth_client")
    if "template_id" in fields:
        # Instantiating a template app needs no token: it is how a native
        # app such as globus-cli gets credentials of its own.
        client, credential = svc.state.instantiate_template(fields["template_id"], fields["name"])
        reply = _client_reply(svc, client)
        reply.body["included"] = {"client_credential": _credential_doc(client.id, credential, True)}
        return reply
    info = svc.authenticate(call)
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
        owner_id=info.identity_id,
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
    fields = _wrapped(call, "client", "auth_client_update")
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
    fields = _wrapped(call, "credential", "auth_credential")
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
    fields = _wrapped(call, "scope", "auth_scope")
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
    svc.authenticate(call)
    ids = _csv(call.args.getlist("ids"))
    strings = _csv(call.args.getlist("scope_strings"))
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
    svc.authenticate(call)
    return Reply({"scope": svc.state.scope(scope_id).to_api()})


def _managed_scope(svc: AuthService, call: Call, scope_id: str) -> None:
    scope = svc.state.scope(scope_id)
    _managed_client(svc, call, scope.client_id)


@routes.route("/v2/api/scopes/<scope_id>", "PUT", operation="update_scope")
def update_scope(svc: AuthService, call: Call, scope_id: str) -> Reply:
    _managed_scope(svc, call, scope_id)
    fields = _wrapped(call, "scope", "auth_scope_update")
    return Reply({"scope": svc.state.update_scope(scope_id, fields).to_api()})


@routes.route("/v2/api/scopes/<scope_id>", "DELETE", operation="delete_scope")
def delete_scope(svc: AuthService, call: Call, scope_id: str) -> Reply:
    _managed_scope(svc, call, scope_id)
    return Reply({"scope": svc.state.delete_scope(scope_id).to_api()})
