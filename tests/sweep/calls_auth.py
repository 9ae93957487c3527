"""Arguments for every Globus Auth method: AuthClient (the /v2/api
resources, identities, consents) and the login clients' OAuth calls."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

import globus_sdk

from globus_testkit.services.auth.builtin import GLOBUS_CLI_TEMPLATE_ID
from globus_testkit.services.auth.models import Dependency

from .world import TRANSFER_ALL, WEB_REDIRECT, Call, Sweep, call


def _code(s: Sweep, client: object, refresh: bool = False) -> str:
    """A code for ``client``'s started flow, the user having logged in."""
    url = client.oauth2_get_authorize_url()  # type: ignore[attr-defined]
    answer = str(s.e.auth.authorize(url))  # a web app's is the redirect URL
    return parse_qs(urlparse(answer).query)["code"][0] if "?" in answer else answer


def _native_code(s: Sweep, refresh: bool = False) -> Call:
    s.native.oauth2_start_flow(f"openid {TRANSFER_ALL}", refresh_tokens=refresh)
    return call(s.native, _code(s, s.native))


def _confidential_flow(s: Sweep) -> None:
    s.web_app.oauth2_start_flow(WEB_REDIRECT, "openid profile", refresh_tokens=True)


def _confidential_code(s: Sweep) -> Call:
    _confidential_flow(s)
    return call(s.web_app, _code(s, s.web_app))


def _refresh_token(s: Sweep) -> str:
    tokens = s.native.oauth2_exchange_code_for_tokens(_native_code(s, refresh=True).args[0])
    return str(tokens.by_resource_server["auth.globus.org"]["refresh_token"])


def _own_token(s: Sweep, scopes: str = "openid profile") -> str:
    """A user's token issued to the service account (so it may introspect
    it, or ask for tokens depending on it)."""
    account = s.e.service_account.client_id
    return str(s.e.auth.issue_token(s.user, scopes, client_id=account))


def _dependent(s: Sweep) -> Call:
    """A service of the user's whose scope depends on Transfer's, and a
    token the user got for it."""
    auth = s.e.world.auth
    service = s.e.auth.register_client("svc")
    scope = auth.register_scope(
        f"https://auth.globus.org/scopes/{service.id}/all",
        client_id=service.id,
        dependencies=[Dependency(auth.scope_by_string(TRANSFER_ALL).id)],
    )
    client = globus_sdk.ConfidentialAppAuthClient(service.id, service.credentials[0].secret)
    return call(client, s.e.auth.issue_token(s.user, scope.scope_string))


def _scope(s: Sweep) -> dict[str, object]:
    client = s.app_client()
    made = s.auth.create_scope(client["id"], "Sweep scope", "swept", "sweep")
    return dict(made["scopes"][0])


def _policy(s: Sweep) -> str:
    made = s.auth.create_policy(
        project_id=s.project()["id"], display_name="Sweep policy", description="swept"
    )
    return str(made["policy"]["id"])


def _credential(s: Sweep) -> Call:
    client = s.app_client()
    made = s.auth.create_client_credential(client["id"], "second")
    return call(s.auth, client["id"], made["credential"]["id"])


AUTH: dict[str, Callable[[Sweep], Call]] = {
    "AuthClient.create_client": lambda s: call(
        s.auth, "app", project=s.project()["id"], public_client=False
    ),
    "AuthClient.create_client_credential": lambda s: call(s.auth, s.app_client()["id"], "cred"),
    "AuthClient.create_policy": lambda s: call(
        s.auth, project_id=s.project()["id"], display_name="P", description="d"
    ),
    "AuthClient.create_project": lambda s: call(s.auth, "P", "p@example.org"),
    "AuthClient.create_scope": lambda s: call(s.auth, s.app_client()["id"], "S", "d", "sfx"),
    "AuthClient.delete_client": lambda s: call(s.auth, s.app_client()["id"]),
    "AuthClient.delete_client_credential": _credential,
    "AuthClient.delete_policy": lambda s: call(s.auth, _policy(s)),
    "AuthClient.delete_project": lambda s: call(s.auth, s.project()["id"]),
    "AuthClient.delete_scope": lambda s: call(s.auth, _scope(s)["id"]),
    "AuthClient.get_client": lambda s: call(s.auth, client_id=s.app_client()["id"]),
    "AuthClient.get_client_credentials": lambda s: call(s.auth, s.app_client()["id"]),
    "AuthClient.get_clients": lambda s: call(s.auth),
    "AuthClient.get_consents": lambda s: call(s.auth, s.user.id),
    "AuthClient.get_identities": lambda s: call(s.auth, usernames=s.user.username),
    "AuthClient.get_identity_providers": lambda s: call(s.auth, domains="globusid.org"),
    "AuthClient.get_jwk": lambda s: call(s.auth),
    "AuthClient.get_openid_configuration": lambda s: call(s.auth),
    "AuthClient.get_policies": lambda s: (_policy(s), call(s.auth))[1],
    "AuthClient.get_policy": lambda s: call(s.auth, _policy(s)),
    "AuthClient.get_project": lambda s: call(s.auth, s.project()["id"]),
    "AuthClient.get_projects": lambda s: (s.project(), call(s.auth))[1],
    "AuthClient.get_scope": lambda s: call(s.auth, _scope(s)["id"]),
    "AuthClient.get_scopes": lambda s: call(s.auth, scope_strings=TRANSFER_ALL),
    "AuthClient.update_client": lambda s: call(s.auth, s.app_client()["id"], name="renamed"),
    "AuthClient.update_policy": lambda s: call(s.auth, _policy(s), display_name="renamed"),
    "AuthClient.update_project": lambda s: call(s.auth, s.project()["id"], display_name="R"),
    "AuthClient.update_scope": lambda s: call(s.auth, _scope(s)["id"], name="renamed"),
    "AuthClient.userinfo": lambda s: call(s.auth),
    "ConfidentialAppAuthClient.create_child_client": lambda s: call(
        s.confidential, "child", public_client=False
    ),
    "ConfidentialAppAuthClient.get_jwk": lambda s: call(s.confidential),
    "ConfidentialAppAuthClient.get_openid_configuration": lambda s: call(s.confidential),
    "ConfidentialAppAuthClient.oauth2_client_credentials_tokens": lambda s: call(
        s.confidential, f"openid {TRANSFER_ALL}"
    ),
    "ConfidentialAppAuthClient.oauth2_exchange_code_for_tokens": _confidential_code,
    "ConfidentialAppAuthClient.oauth2_get_dependent_tokens": _dependent,
    "ConfidentialAppAuthClient.oauth2_refresh_token": lambda s: (
        _confidential_flow(s),
        call(
            s.web_app,
            s.web_app.oauth2_exchange_code_for_tokens(_code(s, s.web_app)).by_resource_server[
                "auth.globus.org"
            ]["refresh_token"],
        ),
    )[1],
    "ConfidentialAppAuthClient.oauth2_revoke_token": lambda s: call(s.confidential, _own_token(s)),
    "ConfidentialAppAuthClient.oauth2_token": lambda s: call(
        s.confidential, {"grant_type": "client_credentials", "scope": "openid"}
    ),
    "ConfidentialAppAuthClient.oauth2_token_introspect": lambda s: call(
        s.confidential, _own_token(s), include="identity_set"
    ),
    "NativeAppAuthClient.create_native_app_instance": lambda s: call(
        s.native, GLOBUS_CLI_TEMPLATE_ID, "instance"
    ),
    "NativeAppAuthClient.get_jwk": lambda s: call(s.native),
    "NativeAppAuthClient.get_openid_configuration": lambda s: call(s.native),
    "NativeAppAuthClient.oauth2_exchange_code_for_tokens": _native_code,
    "NativeAppAuthClient.oauth2_refresh_token": lambda s: call(s.native, _refresh_token(s)),
    "NativeAppAuthClient.oauth2_revoke_token": lambda s: call(
        s.native, str(s.e.auth.issue_token(s.user, "openid"))
    ),
    "NativeAppAuthClient.oauth2_token": lambda s: call(
        s.native,
        {
            "grant_type": "refresh_token",
            "refresh_token": _refresh_token(s),
            "client_id": s.e.native_client_id,
        },
    ),
}
