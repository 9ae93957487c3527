"""The Auth calls a client makes as itself, with HTTP Basic: child
clients, identities, scopes and identity providers."""

from __future__ import annotations

import globus_sdk
import pytest


@pytest.fixture
def confidential(globus_emulator):
    account = globus_emulator.service_account
    return globus_sdk.ConfidentialAppAuthClient(account.client_id, account.client_secret)


@pytest.fixture
def as_client(globus_emulator):
    """An AuthClient that authenticates as the service account itself."""
    account = globus_emulator.service_account
    return globus_sdk.AuthClient(
        authorizer=globus_sdk.BasicAuthorizer(account.client_id, account.client_secret)
    )


def test_create_child_client_makes_a_client_whose_parent_is_the_caller(
    globus_emulator, confidential, as_client
):
    child = confidential.create_child_client("child app", public_client=True)["client"]
    assert child["parent_client"] == globus_emulator.service_account.client_id
    assert child["public_client"] is True
    assert as_client.get_client(client_id=child["id"])["client"]["name"] == "child app"


def test_a_confidential_child_gets_a_secret_its_parent_made(
    globus_emulator, confidential, as_client
):
    child = confidential.create_child_client(
        "child service", client_type="confidential_client", visibility="private"
    )["client"]
    secret = as_client.create_client_credential(child["id"], "first")["credential"]["secret"]
    tokens = globus_sdk.ConfidentialAppAuthClient(
        child["id"], secret
    ).oauth2_client_credentials_tokens(requested_scopes="openid")
    assert tokens.by_resource_server["auth.globus.org"]["access_token"]


def test_a_wrong_secret_cannot_create_a_child_client(globus_emulator):
    account = globus_emulator.service_account
    impostor = globus_sdk.ConfidentialAppAuthClient(account.client_id, "not-the-secret")
    before = set(globus_emulator.world.auth.clients)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        impostor.create_child_client("nope", public_client=True)
    assert caught.value.http_status == 401
    assert set(globus_emulator.world.auth.clients) == before


def test_a_client_looks_up_identities_scopes_and_providers_as_itself(globus_emulator, as_client):
    user = globus_emulator.user
    assert as_client.get_identities(usernames=user.username)["identities"][0]["id"] == user.id
    scopes = as_client.get_scopes(scope_strings="openid")["scopes"]
    assert scopes[0]["scope_string"] == "openid"
    assert [p["name"] for p in as_client.get_identity_providers(domains="globusid.org")] == [
        "Globus ID"
    ]
