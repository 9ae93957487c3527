"""Globus Auth's token endpoint through globus-sdk's own clients."""

from __future__ import annotations

import globus_sdk
import pytest
from globus_sdk.scopes import TransferScopes

from conftest import userinfo

TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"


def native_login(emulator, scopes, *, refresh=False, identity=None):
    client = globus_sdk.NativeAppAuthClient(emulator.native_client_id)
    client.oauth2_start_flow(requested_scopes=scopes, refresh_tokens=refresh)
    code = emulator.auth.authorize(client.oauth2_get_authorize_url(), identity)
    return client, client.oauth2_exchange_code_for_tokens(code)


def test_client_app_gets_a_token_and_calls_auth(globus_client_app, globus_emulator):
    auth = globus_sdk.AuthClient(app=globus_client_app)
    info = userinfo(auth)
    assert info["sub"] == globus_emulator.service_account.client_id
    grants = globus_emulator.journal.calls("auth", "oauth2_token.client_credentials")
    assert [g.status for g in grants] == [200]


def test_client_credentials_with_several_resource_servers_uses_other_tokens(globus_emulator):
    account = globus_emulator.service_account
    client = globus_sdk.ConfidentialAppAuthClient(account.client_id, account.client_secret)
    tokens = client.oauth2_client_credentials_tokens(requested_scopes=["openid", TRANSFER_ALL])
    assert set(tokens.by_resource_server) == {"auth.globus.org", "transfer.api.globus.org"}
    assert tokens.data["resource_server"] == "auth.globus.org"
    assert len(tokens.data["other_tokens"]) == 1


def test_client_credentials_honours_dependent_scope_syntax(globus_emulator):
    collection = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
    data_access = f"https://auth.globus.org/scopes/{collection}/data_access"
    account = globus_emulator.service_account
    client = globus_sdk.ConfidentialAppAuthClient(account.client_id, account.client_secret)
    tokens = client.oauth2_client_credentials_tokens(
        requested_scopes=f"{TRANSFER_ALL}[*{data_access}]"
    )
    transfer = tokens.by_resource_server["transfer.api.globus.org"]
    assert transfer["scope"] == TRANSFER_ALL
    info = globus_emulator.world.auth.check_token(
        transfer["access_token"], "transfer.api.globus.org"
    )
    assert globus_emulator.world.auth.has_dependent_consent(info, TRANSFER_ALL, data_access)


def test_wrong_client_secret_is_invalid_client(globus_emulator):
    account = globus_emulator.service_account
    client = globus_sdk.ConfidentialAppAuthClient(account.client_id, "not-the-secret")
    tokens_before = len(globus_emulator.world.auth.tokens)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_client_credentials_tokens(requested_scopes="openid")
    assert caught.value.http_status == 401
    assert caught.value.raw_json == {
        "error": "invalid_client",
        "error_description": "Invalid client credentials",
    }
    assert len(globus_emulator.world.auth.tokens) == tokens_before


def test_unknown_grant_type_is_unsupported_grant_type(globus_emulator):
    account = globus_emulator.service_account
    client = globus_sdk.ConfidentialAppAuthClient(account.client_id, account.client_secret)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_token({"grant_type": "password", "username": "u", "password": "p"})
    assert caught.value.http_status == 400
    assert caught.value.raw_json["error"] == "unsupported_grant_type"


def test_unknown_scope_is_refused_and_nothing_is_consented(globus_emulator):
    account = globus_emulator.service_account
    client = globus_sdk.ConfidentialAppAuthClient(account.client_id, account.client_secret)
    consents_before = len(globus_emulator.world.auth.consents)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_client_credentials_tokens(requested_scopes="openid urn:made:up")
    assert caught.value.http_status == 400
    assert caught.value.raw_json["error"] == "invalid_scope"
    assert "urn:made:up" in caught.value.raw_json["error_description"]
    assert len(globus_emulator.world.auth.consents) == consents_before


def test_native_login_gives_tokens_by_resource_server(globus_emulator):
    _, tokens = native_login(globus_emulator, [TransferScopes.all, "openid", "profile"])
    assert set(tokens.by_resource_server) == {"auth.globus.org", "transfer.api.globus.org"}
    transfer = tokens.by_resource_server["transfer.api.globus.org"]
    assert transfer["scope"] == TRANSFER_ALL
    assert transfer["refresh_token"] is None


def test_native_login_id_token_verifies_against_the_jwks(globus_emulator):
    _, tokens = native_login(globus_emulator, ["openid", "profile", "email"])
    claims = tokens.decode_id_token()
    assert claims["sub"] == globus_emulator.user.id
    assert claims["aud"] == globus_emulator.native_client_id
    assert claims["preferred_username"] == globus_emulator.user.username


def test_authorization_code_is_single_use(globus_emulator):
    client = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    client.oauth2_start_flow(requested_scopes="openid")
    code = globus_emulator.auth.authorize(client.oauth2_get_authorize_url())
    client.oauth2_exchange_code_for_tokens(code)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_exchange_code_for_tokens(code)
    assert caught.value.raw_json["error"] == "invalid_grant"


def test_authorization_code_needs_the_pkce_verifier_it_was_made_for(globus_emulator):
    first = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    first.oauth2_start_flow(requested_scopes="openid")
    code = globus_emulator.auth.authorize(first.oauth2_get_authorize_url())
    other = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    other.oauth2_start_flow(requested_scopes="openid")  # a different verifier
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        other.oauth2_exchange_code_for_tokens(code)
    assert caught.value.raw_json["error"] == "invalid_grant"
    assert "code_verifier" in caught.value.raw_json["error_description"]
    first.oauth2_exchange_code_for_tokens(code)  # the refused attempt spent nothing


def test_authorization_code_is_bound_to_its_client(globus_emulator):
    verifier = "v" * 64
    client = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    client.oauth2_start_flow(requested_scopes="openid", verifier=verifier)
    code = globus_emulator.auth.authorize(client.oauth2_get_authorize_url())
    other_app = globus_emulator.auth.register_client("another app", native=True)
    thief = globus_sdk.NativeAppAuthClient(other_app.id)
    thief.oauth2_start_flow(requested_scopes="openid", verifier=verifier)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        thief.oauth2_exchange_code_for_tokens(code)
    assert caught.value.raw_json["error"] == "invalid_grant"


def test_confidential_app_login_returns_to_its_redirect_uri_with_state(globus_emulator):
    web_app = globus_emulator.auth.register_client(
        "portal", redirect_uris=["https://portal.example.org/callback"]
    )
    client = globus_sdk.ConfidentialAppAuthClient(web_app.id, web_app.credentials[0].secret)
    client.oauth2_start_flow(
        "https://portal.example.org/callback", requested_scopes="openid email", state="xyz"
    )
    location = globus_emulator.auth.authorize(client.oauth2_get_authorize_url())
    assert location.startswith("https://portal.example.org/callback?code=")
    assert location.endswith("&state=xyz")
    code = location.split("code=")[1].split("&")[0]
    tokens = client.oauth2_exchange_code_for_tokens(code)
    assert tokens.decode_id_token()["aud"] == web_app.id


def test_unregistered_redirect_uri_is_refused(globus_emulator):
    web_app = globus_emulator.auth.register_client("portal", redirect_uris=["https://a/cb"])
    client = globus_sdk.ConfidentialAppAuthClient(web_app.id, web_app.credentials[0].secret)
    client.oauth2_start_flow("https://evil.example.org/cb", requested_scopes="openid")
    from globus_testkit.services.auth.errors import InvalidRequest

    with pytest.raises(InvalidRequest):
        globus_emulator.auth.authorize(client.oauth2_get_authorize_url())


def test_refresh_token_authorizer_refreshes_after_the_clock_passes_expiry(globus_emulator):
    client, tokens = native_login(globus_emulator, ["openid", "profile"], refresh=True)
    data = tokens.by_resource_server["auth.globus.org"]
    authorizer = globus_sdk.RefreshTokenAuthorizer(
        data["refresh_token"],
        client,
        access_token=data["access_token"],
        expires_at=data["expires_at_seconds"],
    )
    auth = globus_sdk.AuthClient(authorizer=authorizer)
    assert userinfo(auth)["sub"] == globus_emulator.user.id
    globus_emulator.clock.advance(3 * 24 * 3600)
    assert userinfo(auth)["sub"] == globus_emulator.user.id
    assert authorizer.access_token != data["access_token"]
    statuses = [(e.operation, e.status) for e in globus_emulator.journal if e.service == "auth"][
        -3:
    ]
    assert statuses == [
        ("oauth2_userinfo", 401),
        ("oauth2_token.refresh_token", 200),
        ("oauth2_userinfo", 200),
    ]


def test_dependent_token_grant_answers_a_json_array(globus_emulator):
    auth = globus_emulator.world.auth
    service = globus_emulator.auth.register_client("my-service")
    scope = auth.register_scope(
        f"https://auth.globus.org/scopes/{service.id}/all",
        client_id=service.id,
        dependencies=[
            __import__("globus_testkit.services.auth.models", fromlist=["Dependency"]).Dependency(
                auth.scope_by_string(TRANSFER_ALL).id
            )
        ],
    )
    _, tokens = native_login(globus_emulator, [scope.scope_string])
    user_token = tokens.by_resource_server[service.id]["access_token"]
    confidential = globus_sdk.ConfidentialAppAuthClient(service.id, service.credentials[0].secret)
    dependent = confidential.oauth2_get_dependent_tokens(user_token)
    assert isinstance(dependent.data, list)
    transfer = dependent.by_resource_server["transfer.api.globus.org"]
    info = auth.check_token(transfer["access_token"], "transfer.api.globus.org")
    assert info.identity_id == globus_emulator.user.id
    assert info.client_id == service.id


def test_dependent_token_grant_refuses_a_token_for_another_resource_server(globus_emulator):
    service = globus_emulator.auth.register_client("my-service")
    token = globus_emulator.auth.issue_token(globus_emulator.user, TRANSFER_ALL)
    confidential = globus_sdk.ConfidentialAppAuthClient(service.id, service.credentials[0].secret)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        confidential.oauth2_get_dependent_tokens(token)
    assert caught.value.raw_json["error"] == "invalid_grant"


def test_consent_questions_agree_with_a_walk_over_every_consent(globus_emulator, tmp_path):
    # Consents are looked up by identity (an index, derived, never saved):
    # after grants, revocations, state files and copies, each question must
    # answer what filtering the world's whole list answers.
    auth = globus_emulator.world.auth
    collection = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
    data_access = f"https://auth.globus.org/scopes/{collection}/data_access"
    with_data = f"{TRANSFER_ALL}[*{data_access}]"
    people = [globus_emulator.user] + [
        globus_emulator.auth.add_identity(f"p{n}@example.org") for n in range(3)
    ]
    client = globus_emulator.native_client_id
    tokens = [globus_emulator.auth.issue_token(person, TRANSFER_ALL) for person in people]

    def agrees() -> None:
        for person, token in zip(people, tokens, strict=True):
            walked = [
                c
                for c in auth.consents
                if c.identity_id == person.id
                and c.client_id == client
                and c.scope_string == TRANSFER_ALL
            ]
            assert auth.consent_roots(person.id, client, TRANSFER_ALL) == walked
            held = any(
                c.scope_string == data_access
                and c.identity_id == person.id
                and any(r.dependency_path == c.dependency_path[:-1] for r in walked)
                for c in auth.consents
            )
            info = auth.token_info(auth.tokens[token])
            assert auth.has_dependent_consent(info, TRANSFER_ALL, data_access) == held

    steps = [
        lambda: globus_emulator.auth.issue_token(people[1], with_data),
        lambda: globus_emulator.auth.revoke_consent(people[1], data_access),
        lambda: globus_emulator.auth.issue_token(people[2], with_data),
        lambda: globus_emulator.auth.revoke_consent(people[2], TRANSFER_ALL),
        lambda: globus_emulator.auth.issue_token(people[2], with_data),
    ]
    agrees()  # the index is built here, then kept up
    for n, step in enumerate(steps):
        step()
        agrees()
        globus_emulator.save_state(tmp_path / f"{n}.json")
        globus_emulator.load_state(tmp_path / f"{n}.json")
        auth = globus_emulator.world.auth
        agrees()
