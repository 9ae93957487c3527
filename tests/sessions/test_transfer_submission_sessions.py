"""Task submissions naming a collection that demands a session: Transfer
refuses them with 403 AuthorizationRequired before any task exists, which
globus_sdk.gare parses and a UserApp with auto_redrive_gares redrives."""

from __future__ import annotations

import globus_sdk
import globus_sdk.gare
import pytest

from globus_testkit.apps import user_app

redrive = pytest.mark.skipif(
    not hasattr(globus_sdk.GlobusAppConfig, "auto_redrive_gares"),
    reason="GARE auto-redrive is a globus-sdk 4 feature",
)


@pytest.fixture
def campus_user(globus_emulator):
    campus = globus_emulator.auth.add_identity("jdoe@uchicago.edu")
    globus_emulator.auth.link_identities(globus_emulator.user, campus)
    return campus


@pytest.fixture
def source(globus_emulator):
    return globus_emulator.transfer.add_collection("Lab", files={"/data/a.txt": "alpha"})


@pytest.fixture
def restricted(globus_emulator):
    return globus_emulator.transfer.add_collection("Restricted", files={"/data/b.txt": "beta"})


def transfer_client(app, *collections):
    client = globus_sdk.TransferClient(app=app)
    client.add_app_data_access_scope([c.id for c in collections])
    return client


def transfer(client, source, destination):
    data = globus_sdk.TransferData(source_endpoint=source.id, destination_endpoint=destination.id)
    data.add_item("/data/a.txt", "/data/copy.txt")
    return client.submit_transfer(data)


def refused(call, *args):
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        call(*args)
    return caught.value


def test_a_transfer_to_a_collection_demanding_a_domain_is_refused_with_no_task(
    globus_emulator, source, restricted, campus_user
):
    client = transfer_client(user_app(globus_emulator), source, restricted)
    globus_emulator.transfer.require_session(restricted, domains="uchicago.edu")
    err = refused(transfer, client, source, restricted)
    globus_emulator.transfer.drop_session_requirement(restricted)  # to look inside
    assert (err.http_status, err.code) == (403, "AuthorizationRequired")
    assert restricted.id in err.message
    gare = globus_sdk.gare.to_gare(err)
    assert gare is not None
    assert gare.authorization_parameters.session_required_single_domain == ["uchicago.edu"]
    assert "uchicago.edu" in gare.authorization_parameters.session_message
    assert list(client.task_list()) == []
    assert [e["name"] for e in client.operation_ls(restricted.id, path="/data/")] == ["b.txt"]


def test_the_source_of_a_transfer_is_checked_as_well(
    globus_emulator, source, restricted, campus_user
):
    policy = globus_emulator.auth.add_policy(
        high_assurance=True, authentication_assurance_timeout=300
    )
    globus_emulator.transfer.require_session(source, policy=policy)
    client = transfer_client(user_app(globus_emulator), source, restricted)
    globus_emulator.clock.advance(301)  # the login user_app made has lapsed
    err = refused(transfer, client, source, restricted)
    assert source.id in err.message
    assert err.info.authorization_parameters.session_required_policies == [policy]
    assert list(client.task_list()) == []


def test_a_delete_on_a_collection_demanding_mfa_is_refused(globus_emulator, restricted):
    globus_emulator.transfer.require_session(restricted, mfa=True)
    client = transfer_client(user_app(globus_emulator), restricted)
    data = globus_sdk.DeleteData(endpoint=restricted.id)
    data.add_item("/data/b.txt")
    err = refused(client.submit_delete, data)
    assert err.http_status == 403
    assert err.info.authorization_parameters.session_required_mfa is True
    assert globus_emulator.transfer.read(restricted, "/data/b.txt") == b"beta"


@redrive
def test_a_user_app_redrives_the_refusal_and_the_transfer_is_submitted(
    globus_emulator, source, restricted, campus_user
):
    globus_emulator.transfer.require_session(restricted, domains="uchicago.edu")
    client = transfer_client(user_app(globus_emulator, auto_redrive_gares=True), source, restricted)
    task_id = transfer(client, source, restricted)["task_id"]
    assert client.get_task(task_id)["status"] == "SUCCEEDED"
    assert globus_emulator.transfer.read(restricted, "/data/copy.txt") == b"alpha"


def test_expiring_the_assurance_makes_the_next_submission_refused_again(
    globus_emulator, source, restricted, campus_user
):
    globus_emulator.transfer.require_session(restricted, domains="uchicago.edu", timeout=600)
    app = user_app(globus_emulator)
    client = transfer_client(app, source, restricted)
    gare = globus_sdk.gare.to_gare(refused(transfer, client, source, restricted))
    app.login(auth_params=gare.authorization_parameters)
    assert transfer(client, source, restricted)["code"] == "Accepted"

    assert globus_emulator.transfer.expire_assurance(restricted) == 601
    err = refused(transfer, client, source, restricted)
    assert err.info.authorization_parameters.session_required_single_domain == ["uchicago.edu"]


def test_a_requirement_that_never_lapses_cannot_be_expired(globus_emulator, restricted):
    globus_emulator.transfer.require_session(restricted, domains="uchicago.edu")
    with pytest.raises(ValueError, match="no session that lapses"):
        globus_emulator.transfer.expire_assurance(restricted)


def test_a_policy_expires_in_one_line_for_the_file_operations_too(
    globus_emulator, restricted, campus_user
):
    policy = globus_emulator.auth.add_policy(
        high_assurance=True,
        authentication_assurance_timeout=120,
        domain_constraints_include=["uchicago.edu"],
    )
    globus_emulator.transfer.require_session(restricted, policy=policy)
    app = user_app(globus_emulator)
    client = transfer_client(app, restricted)
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        client.operation_ls(restricted.id, path="/data/")
    app.login(auth_params=globus_sdk.gare.to_gare(caught.value).authorization_parameters)
    assert [e["name"] for e in client.operation_ls(restricted.id, path="/data/")] == ["b.txt"]
    assert globus_emulator.auth.expire_assurance(policy) == 121
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        client.operation_ls(restricted.id, path="/data/")
    assert caught.value.http_status == 502
