"""A storage gateway's authentication policy (allowed domains, high
assurance, its timeout, MFA) demands sessions of GCS's callers and of
Transfer's, as the real services do: GCS's 403 with an
authentication_timeout detail, Transfer's 502 LoginFailed, both carrying
authorization_parameters that a new login satisfies."""

from __future__ import annotations

import globus_sdk
import globus_sdk.gare
import pytest

from .conftest import POSIX, TRANSFER_ALL, gcs_client

TIMEOUT_MINS = 60


@pytest.fixture
def campus(globus_emulator):
    """The world's user, with a linked uchicago.edu identity."""
    identity = globus_emulator.auth.add_identity("jdoe@uchicago.edu")
    globus_emulator.auth.link_identities(globus_emulator.user, identity)
    return identity


def login(emulator, scopes, **params):
    """Tokens (by resource server) from a native app login that presents
    what the authorize URL's parameters ask (only the user, without any)."""
    native = globus_sdk.NativeAppAuthClient(emulator.native_client_id)
    native.oauth2_start_flow(requested_scopes=scopes)
    code = emulator.auth.authorize(native.oauth2_get_authorize_url(query_params=params))
    return native.oauth2_exchange_code_for_tokens(code).by_resource_server


@pytest.fixture
def manager_url(tc, endpoint):
    return tc.get_endpoint(endpoint.id)["gcs_manager_url"]


def gcs_login(emulator, endpoint, manager_url, **params):
    tokens = login(emulator, emulator.gcs.scope(endpoint), **params)
    return gcs_client(manager_url, tokens[endpoint.id]["access_token"])


@pytest.fixture
def ha_gateway(gcs):
    return gcs.create_storage_gateway(
        globus_sdk.StorageGatewayDocument(
            display_name="Campus HA storage",
            connector_id=POSIX,
            allowed_domains=["uchicago.edu"],
            high_assurance=True,
            authentication_timeout_mins=TIMEOUT_MINS,
        )
    )


def refusal(call):
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        call()
    return caught.value


def mapped_on(gateway):
    return globus_sdk.MappedCollectionDocument(
        display_name="Campus data", storage_gateway_id=gateway["id"]
    )


def test_creating_without_the_domain_in_session_is_refused_with_a_gare(
    globus_emulator, endpoint, manager_url, ha_gateway, campus
):
    client = gcs_login(globus_emulator, endpoint, manager_url)
    before = set(globus_emulator.world.gcs.collections)
    err = refusal(lambda: client.create_collection(mapped_on(ha_gateway)))
    assert (err.http_status, err.code) == (403, "permission_denied")
    assert err.detail_data_type == "authentication_timeout#1.1.0"
    assert err.detail["identities"] == [campus.id]
    assert err.detail["high_assurance"] is True
    assert "jdoe@uchicago.edu" in err.message
    gare = globus_sdk.gare.to_gare(err)
    assert gare is not None
    assert gare.authorization_parameters.session_required_single_domain == ["uchicago.edu"]
    assert set(globus_emulator.world.gcs.collections) == before


def test_logging_in_with_the_gare_parameters_satisfies_the_gateway(
    globus_emulator, endpoint, manager_url, ha_gateway, campus
):
    client = gcs_login(globus_emulator, endpoint, manager_url)
    gare = globus_sdk.gare.to_gare(refusal(lambda: client.create_collection(mapped_on(ha_gateway))))
    params = gare.authorization_parameters
    again = gcs_login(
        globus_emulator,
        endpoint,
        manager_url,
        session_required_single_domain=",".join(params.session_required_single_domain),
        prompt="login",
    )
    created = again.create_collection(mapped_on(ha_gateway))
    assert created["high_assurance"] is True
    assert created["authentication_timeout_mins"] == TIMEOUT_MINS


def test_a_high_assurance_session_runs_out_after_the_gateway_timeout(
    globus_emulator, endpoint, manager_url, ha_gateway, campus
):
    client = gcs_login(
        globus_emulator, endpoint, manager_url, session_required_single_domain="uchicago.edu"
    )
    created = client.create_collection(mapped_on(ha_gateway))
    globus_emulator.clock.advance(TIMEOUT_MINS * 60 - 1)
    assert client.get_collection(created["id"])["display_name"] == "Campus data"
    globus_emulator.clock.advance(2)
    err = refusal(lambda: client.get_collection(created["id"]))
    assert err.detail_data_type == "authentication_timeout#1.1.0"
    refusal(lambda: client.delete_collection(created["id"]))
    assert created["id"] in globus_emulator.world.gcs.collections


def test_transfer_demands_the_gateway_policy_of_its_collections(
    globus_emulator, endpoint, manager_url, ha_gateway, campus
):
    client = gcs_login(
        globus_emulator, endpoint, manager_url, session_required_single_domain="uchicago.edu"
    )
    created = client.create_collection(mapped_on(ha_gateway))
    entry = globus_emulator.transfer.collection(created["id"])
    assert entry.high_assurance is True
    # the same browser's login: the campus identity is in its session...
    tokens = login(globus_emulator, TRANSFER_ALL)
    tc = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(
            tokens["transfer.api.globus.org"]["access_token"]
        )
    )
    assert list(tc.operation_ls(created["id"], path="/")) == []
    # ...until the gateway's timeout runs out
    globus_emulator.clock.advance(TIMEOUT_MINS * 60 + 1)
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.operation_ls(created["id"], path="/")
    assert caught.value.http_status == 502
    gare = globus_sdk.gare.to_gare(caught.value)
    assert gare.authorization_parameters.session_required_single_domain == ["uchicago.edu"]


def test_lifting_the_policy_lifts_the_demands(
    globus_emulator, gcs, endpoint, manager_url, ha_gateway, campus
):
    client = gcs_login(globus_emulator, endpoint, manager_url)
    refusal(lambda: client.create_collection(mapped_on(ha_gateway)))
    gcs.update_storage_gateway(
        ha_gateway["id"],
        globus_sdk.StorageGatewayDocument(allowed_domains=[], high_assurance=False),
    )
    created = client.create_collection(mapped_on(ha_gateway))
    assert created["high_assurance"] is False
    assert globus_emulator.transfer.collection(created["id"]).session_requirement is None


def test_a_user_credential_on_a_domain_restricted_gateway_needs_the_domain(
    globus_emulator, endpoint, manager_url, gcs, campus
):
    gateway = gcs.create_storage_gateway(
        globus_sdk.StorageGatewayDocument(
            display_name="Campus storage", connector_id=POSIX, allowed_domains=["uchicago.edu"]
        )
    )
    document = globus_sdk.UserCredentialDocument(
        storage_gateway_id=gateway["id"], identity_id=globus_emulator.user.id, username="jdoe"
    )
    client = gcs_login(globus_emulator, endpoint, manager_url)
    err = refusal(lambda: client.create_user_credential(document))
    assert err.raw_json["authorization_parameters"]["session_required_single_domain"] == [
        "uchicago.edu"
    ]
    assert globus_emulator.world.gcs.credentials.by_id == {}
