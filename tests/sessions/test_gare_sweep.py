"""Every session error the emulator gives, through the SDK's own paths:
globus_sdk.gare parses it, and a login with its parameters (what
UserApp/ClientApp do on a redrive) satisfies the service on the next try."""

from __future__ import annotations

import globus_sdk
import globus_sdk.gare
import pytest

from globus_testkit.apps import client_app, user_app

FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
DEFINITION = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


@pytest.fixture
def campus(globus_emulator):
    identity = globus_emulator.auth.add_identity("jdoe@uchicago.edu")
    globus_emulator.auth.link_identities(globus_emulator.user, identity)
    return identity


@pytest.fixture
def policy(globus_emulator, campus):
    return globus_emulator.auth.add_policy(
        high_assurance=True,
        authentication_assurance_timeout=300,
        required_mfa=True,
        domain_constraints_include=["uchicago.edu"],
    )


@pytest.fixture
def restricted(globus_emulator, policy):
    collection = globus_emulator.transfer.add_collection(
        "Restricted", files={"/data/a.txt": "alpha", "/data/b.txt": "beta"}
    )
    globus_emulator.transfer.require_session(collection, policy=policy)
    return collection


def transfer_calls(collection):
    def submit(client):
        data = globus_sdk.TransferData(
            source_endpoint=collection.id, destination_endpoint=collection.id
        )
        data.add_item("/data/a.txt", "/data/c.txt")
        return client.submit_transfer(data)

    def delete(client):
        data = globus_sdk.DeleteData(endpoint=collection.id)
        data.add_item("/data/b.txt")
        return client.submit_delete(data)

    return {
        "ls": (502, lambda c: c.operation_ls(collection.id, path="/data/")),
        "stat": (502, lambda c: c.operation_stat(collection.id, path="/data/a.txt")),
        "mkdir": (502, lambda c: c.operation_mkdir(collection.id, path="/data/new")),
        "rename": (
            502,
            lambda c: c.operation_rename(collection.id, "/data/a.txt", "/data/z.txt"),
        ),
        "submit_transfer": (403, submit),
        "submit_delete": (403, delete),
    }


@pytest.mark.parametrize(
    "operation", ["ls", "stat", "mkdir", "rename", "submit_transfer", "submit_delete"]
)
def test_each_transfer_session_error_parses_and_a_login_with_it_satisfies_transfer(
    globus_emulator, restricted, policy, operation
):
    status, call = transfer_calls(restricted)[operation]
    app = user_app(globus_emulator)
    client = globus_sdk.TransferClient(app=app).add_app_data_access_scope(restricted.id)
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        call(client)
    err = caught.value
    assert err.http_status == status
    gare = globus_sdk.gare.to_gare(err)
    assert gare is not None and gare.code == err.code
    assert gare.authorization_parameters.session_required_policies == [policy]
    assert gare.authorization_parameters.session_message
    app.login(auth_params=gare.authorization_parameters)
    call(client)


def test_a_flows_policy_error_parses_and_a_login_with_it_starts_the_run(globus_emulator, policy):
    token = globus_emulator.auth.issue_token(globus_emulator.user, FLOWS_ALL)
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    flow = flows.create_flow(
        "HA",
        DEFINITION,
        input_schema={},
        additional_fields={"authentication_policy_id": policy},  # SDK 3 has no keyword
    )
    app = user_app(globus_emulator)
    runner = globus_sdk.SpecificFlowClient(flow["id"], app=app)
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        runner.run_flow({})
    gare = globus_sdk.gare.to_gare(caught.value)
    assert gare is not None
    assert gare.authorization_parameters.session_required_policies == [policy]
    app.login(auth_params=gare.authorization_parameters)
    assert runner.run_flow({})["status"] in ("ACTIVE", "SUCCEEDED")


def test_a_high_assurance_groups_error_parses_and_a_login_with_it_satisfies_the_group(
    globus_emulator,
):
    app = user_app(globus_emulator, login=False)
    groups = globus_sdk.GroupsClient(app=app, app_scopes=[globus_sdk.scopes.GroupsScopes.all])
    group = groups.create_group({"name": "HA lab"})
    groups.set_group_policies(
        group["id"],
        globus_sdk.GroupPolicies(
            is_high_assurance=True,
            group_visibility="private",
            group_members_visibility="managers",
            join_requests=False,
            signup_fields=[],
            authentication_assurance_timeout=600,
        ),
    )
    globus_emulator.clock.advance(601)
    with pytest.raises(globus_sdk.GroupsAPIError) as caught:
        groups.get_group(group["id"])
    gare = globus_sdk.gare.to_gare(caught.value)
    assert gare is not None
    assert gare.authorization_parameters.session_required_identities == [globus_emulator.user.id]
    gare.authorization_parameters.prompt = "login"
    app.login(auth_params=gare.authorization_parameters)
    assert groups.get_group(group["id"])["id"] == group["id"]


redrive = pytest.mark.skipif(
    not hasattr(globus_sdk.GlobusAppConfig, "auto_redrive_gares"),
    reason="GARE auto-redrive is a globus-sdk 4 feature",
)


@redrive
def test_a_user_app_redrives_a_submission_refused_for_mfa_on_its_own(globus_emulator, restricted):
    app = user_app(globus_emulator, auto_redrive_gares=True)
    client = globus_sdk.TransferClient(app=app).add_app_data_access_scope(restricted.id)
    data = globus_sdk.DeleteData(endpoint=restricted.id)
    data.add_item("/data/b.txt")
    globus_emulator.journal.clear()
    client.submit_delete(data)
    assert [c.status for c in globus_emulator.journal.calls(operation="submit_delete")] == [
        403,
        202,
    ]
    token = app.token_storage.get_token_data("transfer.api.globus.org").access_token
    session = globus_emulator.auth.session_of(token)
    assert any(a.mfa for a in session.authentications.values())


@redrive
def test_a_client_app_redrives_a_lapsed_submission_with_fresh_client_credentials(
    globus_emulator,
):
    policy = globus_emulator.auth.add_policy(
        high_assurance=True,
        authentication_assurance_timeout=60,
        domain_constraints_include=["clients.auth.globus.org"],
    )
    account = globus_emulator.service_account.client_id
    collection = globus_emulator.transfer.add_collection(
        "Service storage", owner=account, files={"/in/a.txt": "alpha"}
    )
    globus_emulator.transfer.require_session(collection, policy=policy)
    app = client_app(globus_emulator, auto_redrive_gares=True)
    client = globus_sdk.TransferClient(app=app).add_app_data_access_scope(collection.id)

    def submit():
        data = globus_sdk.TransferData(
            source_endpoint=collection.id, destination_endpoint=collection.id
        )
        data.add_item("/in/a.txt", "/out/a.txt")
        return client.submit_transfer(data)

    submit()
    globus_emulator.auth.expire_assurance(policy)
    globus_emulator.journal.clear()
    submit()
    assert [c.status for c in globus_emulator.journal.calls(operation="submit_transfer")] == [
        403,
        202,
    ]
