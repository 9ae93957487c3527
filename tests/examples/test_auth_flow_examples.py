"""globus-sdk's Auth login examples written as code blocks
(docs/examples/native_app.rst, client_credentials.rst, authorization.rst,
three_legged_oauth.rst): the same calls, with the emulator as the person
at the browser and the example's placeholders filled from the world."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import globus_sdk

TUTORIAL_CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2"
SDK_MAJOR = int(globus_sdk.__version__.split(".")[0])
SDK3_DEFAULT_SCOPES = "openid profile email urn:globus:auth:scope:transfer.api.globus.org:all"

# The examples call oauth2_start_flow() with no scopes: globus-sdk 3 then
# asks for its defaults; globus-sdk 4 requires them, so pass those defaults.
DEFAULT_SCOPES: dict[str, object] = (
    {}
    if SDK_MAJOR < 4
    else {
        "requested_scopes": "openid profile email urn:globus:auth:scope:transfer.api.globus.org:all"
    }
)


def test_native_app_login_with_default_scopes(globus_emulator):
    client = globus_sdk.NativeAppAuthClient(TUTORIAL_CLIENT_ID)
    client.oauth2_start_flow(**DEFAULT_SCOPES)
    authorize_url = client.oauth2_get_authorize_url()
    auth_code = globus_emulator.auth.authorize(authorize_url)  # what a person pastes
    token_response = client.oauth2_exchange_code_for_tokens(auth_code)

    globus_auth_data = token_response.by_resource_server["auth.globus.org"]
    globus_transfer_data = token_response.by_resource_server["transfer.api.globus.org"]
    transfer_client = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(globus_transfer_data["access_token"])
    )
    assert transfer_client.get_endpoint("6c54cade-bde5-45c1-bdea-f4bd71dba2cc")["id"]
    auth_client = globus_sdk.AuthClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(globus_auth_data["access_token"])
    )
    assert auth_client.userinfo()["sub"] == globus_emulator.user.id


def test_native_app_login_with_refresh_tokens(globus_emulator):
    client = globus_sdk.NativeAppAuthClient(TUTORIAL_CLIENT_ID)
    client.oauth2_start_flow(refresh_tokens=True, **DEFAULT_SCOPES)
    code = globus_emulator.auth.authorize(client.oauth2_get_authorize_url())
    tokens = client.oauth2_exchange_code_for_tokens(code)
    transfer_data = tokens.by_resource_server["transfer.api.globus.org"]
    assert transfer_data["refresh_token"]
    authorizer = globus_sdk.RefreshTokenAuthorizer(transfer_data["refresh_token"], client)
    transfer_client = globus_sdk.TransferClient(authorizer=authorizer)
    assert list(transfer_client.endpoint_search(filter_scope="my-endpoints")) == []


def _endpoints_of(transfer_client: globus_sdk.TransferClient) -> list[tuple[str, str]]:
    return [
        (ep["id"], ep["display_name"])
        for ep in transfer_client.endpoint_search(filter_scope="my-endpoints")
    ]


def test_client_credentials_tokens_then_my_endpoints(globus_emulator):
    account = globus_emulator.service_account
    client_id, client_secret = account.client_id, account.client_secret
    confidential_client = globus_sdk.ConfidentialAppAuthClient(client_id, client_secret)
    token_response = confidential_client.oauth2_client_credentials_tokens(
        requested_scopes=globus_sdk.TransferClient.scopes.all
    )
    globus_transfer_data = token_response.by_resource_server[
        globus_sdk.TransferClient.resource_server
    ]
    assert globus_transfer_data["expires_at_seconds"] > globus_emulator.clock.now()
    assert "refresh_token" not in globus_transfer_data or not globus_transfer_data["refresh_token"]
    authorizer = globus_sdk.AccessTokenAuthorizer(globus_transfer_data["access_token"])
    tc = globus_sdk.TransferClient(authorizer=authorizer)
    # "my endpoints" are the client's own: it owns none in a fresh world
    assert _endpoints_of(tc) == []


def test_client_credentials_authorizer_then_my_endpoints(globus_emulator):
    account = globus_emulator.service_account
    confidential_client = globus_sdk.ConfidentialAppAuthClient(
        client_id=account.client_id, client_secret=account.client_secret
    )
    cc_authorizer = globus_sdk.ClientCredentialsAuthorizer(
        confidential_client, globus_sdk.TransferClient.scopes.all
    )
    tc = globus_sdk.TransferClient(authorizer=cc_authorizer)
    assert _endpoints_of(tc) == []
    # past the token's lifetime the authorizer fetches a new one by itself
    globus_emulator.clock.advance(2 * 24 * 3600)
    assert _endpoints_of(tc) == []


def test_refresh_token_authorizers_on_auth_and_transfer_clients(globus_emulator):
    # a confidential app's user login with refresh tokens: the tokens the
    # authorization example starts from ("AUTH_REFRESH_TOKEN = ...")
    app = globus_emulator.auth.register_client(
        "authorization example", redirect_uris=["https://example.org/login"]
    )
    internal_auth_client = globus_sdk.ConfidentialAppAuthClient(app.id, app.credentials[0].secret)
    internal_auth_client.oauth2_start_flow(
        "https://example.org/login",
        requested_scopes=["openid", "profile", globus_sdk.TransferClient.scopes.all],
        refresh_tokens=True,
    )
    redirect = globus_emulator.auth.authorize(internal_auth_client.oauth2_get_authorize_url())
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    tokens = internal_auth_client.oauth2_exchange_code_for_tokens(code).by_resource_server

    auth_authorizer = globus_sdk.RefreshTokenAuthorizer(
        tokens["auth.globus.org"]["refresh_token"], internal_auth_client
    )
    transfer_authorizer = globus_sdk.RefreshTokenAuthorizer(
        tokens["transfer.api.globus.org"]["refresh_token"], internal_auth_client
    )
    auth_client = globus_sdk.AuthClient(authorizer=auth_authorizer)
    transfer_client = globus_sdk.TransferClient(authorizer=transfer_authorizer)
    assert auth_client.userinfo()["sub"] == globus_emulator.user.id
    assert transfer_client.get_endpoint("6c54cade-bde5-45c1-bdea-f4bd71dba2cc")["id"]


def test_three_legged_oauth_login_and_logout(globus_emulator):
    # the Flask portal's /login and /logout routes, without Flask: the
    # browser's trip to Globus Auth and back is emulator.auth.authorize
    app = globus_emulator.auth.register_client(
        "portal", redirect_uris=["http://localhost:5000/login"]
    )
    client = globus_sdk.ConfidentialAppAuthClient(app.id, app.credentials[0].secret)
    client.oauth2_start_flow("http://localhost:5000/login", **DEFAULT_SCOPES)
    back_at_portal = globus_emulator.auth.authorize(client.oauth2_get_authorize_url())
    assert back_at_portal.startswith("http://localhost:5000/login?")
    code = parse_qs(urlsplit(back_at_portal).query)["code"][0]
    session_tokens = client.oauth2_exchange_code_for_tokens(code).by_resource_server

    authorizer = globus_sdk.AccessTokenAuthorizer(
        session_tokens["transfer.api.globus.org"]["access_token"]
    )
    transfer_client = globus_sdk.TransferClient(authorizer=authorizer)
    assert list(transfer_client.endpoint_search(filter_scope="my-endpoints")) == []

    for token in (info["access_token"] for info in session_tokens.values()):
        client.oauth2_revoke_token(token)
    for token in (info["access_token"] for info in session_tokens.values()):
        assert client.oauth2_token_introspect(token)["active"] is False
