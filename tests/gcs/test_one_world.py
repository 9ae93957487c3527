"""Collections made through GCS are Transfer's collections: one world."""

from __future__ import annotations

import globus_sdk
import pytest

from .conftest import TRANSFER_ALL, grant


@pytest.fixture
def guest(gcs, mapped, globus_emulator):
    globus_emulator.transfer.write(mapped["id"], "/projects/alpha/readme.txt", "hello")
    return gcs.create_collection(
        globus_sdk.GuestCollectionDocument(
            display_name="Alpha share",
            mapped_collection_id=mapped["id"],
            collection_base_path="/projects/alpha",
            public=True,
        )
    )


def test_guest_collection_appears_in_transfer(tc, guest, mapped, endpoint):
    document = tc.get_endpoint(guest["id"])
    assert document["entity_type"] == "GCSv5_guest_collection"
    assert document["display_name"] == "Alpha share"
    assert document["host_endpoint_id"] == endpoint.id
    assert document["gcs_manager_url"] == tc.get_endpoint(endpoint.id)["gcs_manager_url"]
    found = tc.endpoint_search("Alpha", filter_scope="shared-by-me")
    assert [c["id"] for c in found] == [guest["id"]]
    assert tc.get_endpoint(mapped["id"])["entity_type"] == "GCSv5_mapped_collection"


def test_guest_root_is_the_mapped_directory(tc, guest, mapped, globus_emulator):
    assert [e["name"] for e in tc.operation_ls(guest["id"], path="/")] == ["readme.txt"]
    tc.operation_mkdir(guest["id"], "/results")
    assert globus_emulator.transfer.exists(mapped["id"], "/projects/alpha/results")


def test_guest_acls_are_transfer_acls(tc, guest, globus_emulator):
    reader = globus_emulator.auth.add_identity("reader@example.org")
    tc.add_endpoint_acl_rule(
        guest["id"],
        {
            "DATA_TYPE": "access",
            "principal_type": "identity",
            "principal": reader.id,
            "path": "/",
            "permissions": "r",
        },
    )
    token = globus_emulator.auth.issue_token(reader, TRANSFER_ALL)
    theirs = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    assert [e["name"] for e in theirs.operation_ls(guest["id"], path="/")] == ["readme.txt"]
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        theirs.operation_mkdir(guest["id"], "/nope")
    assert caught.value.http_status == 403


def test_deleting_through_transfer_deletes_in_gcs(tc, gcs, guest):
    tc.delete_endpoint(guest["id"])
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.get_collection(guest["id"])
    assert caught.value.http_status == 404
    assert guest["id"] not in {c["id"] for c in gcs.get_collection_list()}


def test_a_collection_deleted_through_transfer_takes_its_roles(tc, gcs, guest, globus_emulator):
    manager = globus_emulator.auth.add_identity("manager@example.org")
    role = grant(gcs, guest["id"], manager.id, "access_manager")
    tc.delete_endpoint(guest["id"])
    # GCS forgets a deleted collection's roles: not found, listed nowhere
    for ask in (gcs.get_role, gcs.delete_role):
        with pytest.raises(globus_sdk.GCSAPIError) as caught:
            ask(role["id"])
        assert caught.value.http_status == 404
        assert caught.value.code == "not_found"
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.get_role_list(guest["id"], include="all_roles")
    assert caught.value.http_status == 404
    assert role["id"] not in {r["id"] for r in gcs.get_role_list(include="all_roles")}


def test_deleting_through_gcs_deletes_in_transfer(tc, gcs, guest):
    gcs.delete_collection(guest["id"])
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.get_endpoint(guest["id"])
    assert caught.value.http_status == 404


def test_mapped_collection_with_guests_cannot_be_deleted(gcs, guest, mapped):
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.delete_collection(mapped["id"])
    assert caught.value.http_status == 400
    assert gcs.get_collection(mapped["id"])["id"] == mapped["id"]


def test_guest_base_path_must_be_a_directory(gcs, mapped):
    with pytest.raises(globus_sdk.GCSAPIError) as caught:
        gcs.create_collection(
            globus_sdk.GuestCollectionDocument(
                display_name="Nowhere",
                mapped_collection_id=mapped["id"],
                collection_base_path="/does/not/exist",
            )
        )
    assert caught.value.http_status == 404
    assert [c["id"] for c in gcs.get_collection_list()] == [mapped["id"]]


def test_collection_role_shows_in_transfer(gcs, guest, globus_emulator, tc):
    manager = globus_emulator.auth.add_identity("manager@example.org")
    grant(gcs, guest["id"], manager.id, "access_manager")
    token = globus_emulator.auth.issue_token(manager, TRANSFER_ALL)
    theirs = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    rule = theirs.add_endpoint_acl_rule(
        guest["id"],
        {
            "DATA_TYPE": "access",
            "principal_type": "all_authenticated_users",
            "principal": "",
            "path": "/",
            "permissions": "r",
        },
    )
    assert rule["code"] == "Created"


def test_transfer_documents_point_at_a_working_manager(tc, endpoint, gcs_for):
    manager_url = tc.get_endpoint(endpoint.id)["gcs_manager_url"]
    assert gcs_for().get_gcs_info()["endpoint_id"] == endpoint.id
    assert manager_url.rstrip("/").endswith((endpoint.domain_name, f"/gcs/{endpoint.id}"))


def test_a_saved_world_keeps_the_guest_inside_its_mapped_collection(
    globus_emulator, guest, mapped, tmp_path
):
    path = tmp_path / "world.json"
    globus_emulator.save_state(path)
    globus_emulator.load_state(path)
    globus_emulator.transfer.write(guest["id"], "/after.txt", "new")
    assert globus_emulator.transfer.read(mapped["id"], "/projects/alpha/after.txt") == b"new"
