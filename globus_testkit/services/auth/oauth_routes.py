"""The OAuth2 endpoints: tokens, introspection, revocation, userinfo and
OpenID discovery."""

from __future__ import annotations

from typing import Any

from ...http import Call, Reply
from . import oidc
from .errors import (
    InvalidRequest,
    UnsupportedGrantType,
)
from .models import (
    AUTH_RESOURCE_SERVER,
    AuthState,
    Client,
    Grant,
    Token,
)
from .service import (
    DEPENDENT_TOKEN_GRANT,
    VIEW_IDENTITY_SET,
    AuthService,
    required_form,
    routes,
)

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
    (scope,) = required_form(call, "scope")
    grant = svc.state.client_credentials_grant(client, scope)
    return Reply(_token_response(svc.state, grant))


def _authorization_code(svc: AuthService, call: Call, client: Client) -> Reply:
    code, redirect_uri = required_form(call, "code", "redirect_uri")
    grant = svc.state.exchange_code(client, code, redirect_uri, call.form.get("code_verifier"))
    answer = _token_response(svc.state, grant)
    # A code exchange echoes the OAuth state of the login that made the code.
    answer["state"] = grant.state
    return Reply(answer)


def _refresh_token(svc: AuthService, call: Call, client: Client) -> Reply:
    (refresh,) = required_form(call, "refresh_token")
    grant = svc.state.refresh_grant(client, refresh)
    return Reply(_token_response(svc.state, grant))


def _dependent_token(svc: AuthService, call: Call, client: Client) -> Reply:
    (upstream,) = required_form(call, "token")
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
    (value,) = required_form(call, "token")
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
        session = svc.state.session(found.session_id)
        body["session_info"] = (
            session.to_session_info()
            if session is not None
            else {"session_id": None, "authentications": {}}
        )
    return Reply(body)


@routes.route("/v2/oauth2/token/validate", "POST", operation="oauth2_token_validate")
def validate_token(svc: AuthService, call: Call) -> Reply:
    caller = svc.authenticate_client(call)
    (value,) = required_form(call, "token")
    return Reply({"active": svc.state.introspect(caller, value) is not None})


@routes.route("/v2/oauth2/token/revoke", "POST", operation="oauth2_revoke_token")
def revoke(svc: AuthService, call: Call) -> Reply:
    caller = svc.authenticate_client(call)
    (value,) = required_form(call, "token")
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
