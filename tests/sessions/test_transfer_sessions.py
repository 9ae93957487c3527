"""Collections that demand a session: Transfer's 502 with
authorization_parameters, parsed by globus_sdk.gare and redriven through
a UserApp login, as the SDK's "ls with session handling" example does."""

from __future__ import annotations

import globus_sdk
import globus_sdk.gare
import pytest

from globus_testkit.apps import user_app


@pytest.fixture
def campus_user(globus_emulator):
    """The world's user, with a linked uchicago.edu identity."""
    campus = globus_emulator.auth.add_identity("jdoe@uchicago.edu")
    globus_emulator.auth.link_identities(globus_emulator.user, campus)
    return campus


@pytest.fixture
def restricted(globus_emulator):
    return globus_emulator.transfer.add_collection(
        "Restricted storage", files={"/data/results.csv": "a,b\n1,2\n"}
    )


def ls_client(app, collection):
    client = globus_sdk.TransferClient(app=app)
    client.add_app_data_access_scope(collection.id)
    return client


def ls_names(client, collection):
    return [item["name"] for item in client.operation_ls(collection.id, path="/data/")]


def ls_gare(client, collection):
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        client.operation_ls(collection.id, path="/data/")
    err = caught.value
    assert err.info.authorization_parameters, err.raw_json
    return err, globus_sdk.gare.to_gare(err)


def test_a_domain_requirement_answers_502_with_authorization_parameters(
    globus_emulator, restricted, campus_user
):
    globus_emulator.transfer.require_session(restricted, domains="uchicago.edu")
    client = ls_client(user_app(globus_emulator), restricted)
    err, gare = ls_gare(client, restricted)
    assert err.http_status == 502
    assert err.code == "ExternalError.DirListingFailed.LoginFailed"
    assert gare is not None
    assert gare.authorization_parameters.session_required_single_domain == ["uchicago.edu"]
    assert "uchicago.edu" in gare.authorization_parameters.session_message


def test_logging_in_again_with_the_gare_parameters_satisfies_the_collection(
    globus_emulator, restricted, campus_user
):
    globus_emulator.transfer.require_session(restricted, domains="uchicago.edu")
    app = user_app(globus_emulator)
    client = ls_client(app, restricted)
    _, gare = ls_gare(client, restricted)
    params = gare.authorization_parameters
    params.prompt = "login"
    app.login(auth_params=params)
    assert ls_names(client, restricted) == ["results.csv"]


def test_a_user_without_an_identity_from_the_domain_stays_refused(globus_emulator, restricted):
    globus_emulator.transfer.require_session(restricted, domains="uchicago.edu")
    app = user_app(globus_emulator)
    client = ls_client(app, restricted)
    _, gare = ls_gare(client, restricted)
    app.login(auth_params=gare.authorization_parameters)
    ls_gare(client, restricted)


def test_a_user_who_presents_only_their_primary_identity_stays_refused(
    globus_emulator, restricted, campus_user
):
    globus_emulator.transfer.require_session(restricted, domains="uchicago.edu")
    native = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    native.oauth2_start_flow(
        requested_scopes=f"urn:globus:auth:scope:transfer.api.globus.org:all"
        f"[*https://auth.globus.org/scopes/{restricted.id}/data_access]"
    )
    url = native.oauth2_get_authorize_url(session_required_single_domain="uchicago.edu")
    code = globus_emulator.auth.authorize(url, present=[])
    token = native.oauth2_exchange_code_for_tokens(code).by_resource_server[
        "transfer.api.globus.org"
    ]["access_token"]
    client = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    ls_gare(client, restricted)
    code = globus_emulator.auth.authorize(url)  # cooperative: presents the campus identity
    token = native.oauth2_exchange_code_for_tokens(code).by_resource_server[
        "transfer.api.globus.org"
    ]["access_token"]
    client = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    assert ls_names(client, restricted) == ["results.csv"]


def test_high_assurance_expires_when_the_clock_passes_the_policy_timeout(
    globus_emulator, restricted, campus_user
):
    policy = globus_emulator.auth.add_policy(
        high_assurance=True,
        authentication_assurance_timeout=600,
        domain_constraints_include=["uchicago.edu"],
    )
    globus_emulator.transfer.require_session(restricted, policy=policy)
    app = user_app(globus_emulator)
    client = ls_client(app, restricted)
    _, gare = ls_gare(client, restricted)
    assert gare.authorization_parameters.session_required_policies == [policy]
    app.login(auth_params=gare.authorization_parameters)
    assert ls_names(client, restricted) == ["results.csv"]

    globus_emulator.clock.advance(601)
    _, gare = ls_gare(client, restricted)
    assert gare.authorization_parameters.session_required_policies == [policy]
    app.login(auth_params=gare.authorization_parameters)
    assert ls_names(client, restricted) == ["results.csv"]


def test_a_policy_requiring_mfa_refuses_a_login_without_it(
    globus_emulator, restricted, campus_user
):
    policy = globus_emulator.auth.add_policy(high_assurance=True, required_mfa=True)
    globus_emulator.transfer.require_session(restricted, policy=policy)
    native = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    native.oauth2_start_flow(
        requested_scopes=f"urn:globus:auth:scope:transfer.api.globus.org:all"
        f"[*https://auth.globus.org/scopes/{restricted.id}/data_access]"
    )
    url = native.oauth2_get_authorize_url(session_required_policies=[policy])

    def transfer_after(**choice):
        code = globus_emulator.auth.authorize(url, **choice)
        tokens = native.oauth2_exchange_code_for_tokens(code).by_resource_server
        token = tokens["transfer.api.globus.org"]["access_token"]
        return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token)), token

    client, token = transfer_after(mfa=False)
    ls_gare(client, restricted)
    assert (
        globus_emulator.auth.session_of(token).authentications[globus_emulator.user.id].mfa is False
    )
    client, _ = transfer_after()
    assert ls_names(client, restricted) == ["results.csv"]


def test_required_identities_and_mfa_are_demanded_together(globus_emulator, restricted):
    globus_emulator.transfer.require_session(
        restricted, identities=[globus_emulator.user], mfa=True
    )
    client = ls_client(user_app(globus_emulator), restricted)
    _, gare = ls_gare(client, restricted)
    assert gare.authorization_parameters.session_required_identities == [globus_emulator.user.id]
    assert gare.authorization_parameters.session_required_mfa is True


def test_introspection_shows_who_authenticated_in_the_session(globus_emulator, campus_user):
    account = globus_emulator.service_account
    confidential = globus_sdk.ConfidentialAppAuthClient(account.client_id, account.client_secret)
    confidential.oauth2_start_flow("https://app.example.org/callback", requested_scopes="openid")
    globus_emulator.world.auth.clients[account.client_id].redirect_uris.append(
        "https://app.example.org/callback"
    )
    url = confidential.oauth2_get_authorize_url(
        session_required_single_domain="uchicago.edu", session_required_mfa=True
    )
    location = globus_emulator.auth.authorize(url)
    code = location.split("code=")[1].split("&")[0]
    token = confidential.oauth2_exchange_code_for_tokens(code)["access_token"]
    info = confidential.oauth2_token_introspect(token, include="session_info")["session_info"]
    authentications = info["authentications"]
    assert set(authentications) == {globus_emulator.user.id, campus_user.id}
    assert authentications[campus_user.id]["amr"] == ["mfa"]
    assert authentications[campus_user.id]["auth_time"] == int(globus_emulator.clock.now())


TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"


@pytest.mark.globus_session(collection=TUTORIAL_1, domains=["uchicago.edu"], timeout=60)
def test_the_globus_session_marker_makes_a_collection_demand_a_session(globus_emulator):
    client = globus_sdk.TransferClient(app=user_app(globus_emulator))
    client.add_app_data_access_scope(TUTORIAL_1)
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        client.operation_ls(TUTORIAL_1)
    assert caught.value.info.authorization_parameters.session_required_single_domain == [
        "uchicago.edu"
    ]
    assert client.get_endpoint(TUTORIAL_1)["authentication_assurance_timeout"] == 60
