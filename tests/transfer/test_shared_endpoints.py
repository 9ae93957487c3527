"""Shared endpoints (guest collections) made through TransferClient."""

from __future__ import annotations

import globus_sdk
import pytest

from .test_tasks import transfer


def _shared(host_id: str, path: str, name: str = "Run 1, shared") -> dict[str, str]:
    return {
        "DATA_TYPE": "shared_endpoint",
        "host_endpoint": host_id,
        "host_path": path,
        "display_name": name,
    }


def test_a_shared_endpoint_shows_and_changes_its_hosts_files(tc, lab, scratch, globus_emulator):
    created = tc.create_shared_endpoint(_shared(lab.id, "/data/run1"))
    guest_id = created["id"]
    guest = tc.get_endpoint(guest_id)
    assert (guest["entity_type"], guest["host_endpoint_id"]) == ("GCSv5_guest_collection", lab.id)
    assert guest["host_path"] == "/data/run1/"
    assert sorted(e["name"] for e in tc.operation_ls(guest_id, path="/")) == [
        "a.dat",
        "b.dat",
        "sub",
    ]
    tc.operation_mkdir(guest_id, "/results")
    assert globus_emulator.transfer.exists(lab, "/data/run1/results")
    task_id = transfer(tc, guest_id, scratch.id, ("/a.dat", "/from-guest.dat"))
    assert tc.get_task(task_id)["status"] == "SUCCEEDED"
    assert globus_emulator.transfer.read(scratch, "/from-guest.dat") == b"alpha"
    assert [e["id"] for e in tc.my_shared_endpoint_list(lab.id)] == [guest_id]


def test_a_shared_endpoint_opens_to_others_through_its_access_rules(
    tc, lab, globus_emulator, transfer_for
):
    guest_id = tc.create_shared_endpoint(_shared(lab.id, "/data/run1"))["id"]
    tc.update_endpoint(guest_id, {"public": False})
    friend = globus_emulator.auth.add_identity("friend@example.org")
    friend_tc = transfer_for(friend)
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        friend_tc.operation_ls(guest_id, path="/")
    assert caught.value.http_status == 404  # a private guest collection is invisible
    tc.add_endpoint_acl_rule(
        guest_id,
        {
            "DATA_TYPE": "access",
            "principal_type": "identity",
            "principal": friend.id,
            "path": "/sub/",
            "permissions": "r",
        },
    )
    assert [e["name"] for e in friend_tc.operation_ls(guest_id, path="/sub/")] == ["c.log"]
    assert list(friend_tc.my_shared_endpoint_list(lab.id)) == []


def test_an_access_rule_for_a_linked_identity_admits_the_whole_identity_set(
    tc, lab, globus_emulator, transfer_for
):
    guest_id = tc.create_shared_endpoint(_shared(lab.id, "/data/run1"))["id"]
    tc.update_endpoint(guest_id, {"public": False})
    work = globus_emulator.auth.add_identity("kim@work.example.org")
    personal = globus_emulator.auth.add_identity("kim@globusid.org")
    globus_emulator.auth.link_identities(work, personal)
    rule = {"DATA_TYPE": "access", "principal_type": "identity", "principal": personal.id}
    tc.add_endpoint_acl_rule(guest_id, {**rule, "path": "/", "permissions": "r"})
    kim_tc = transfer_for(work)  # signed in with the other identity of the set
    assert "sub" in [e["name"] for e in kim_tc.operation_ls(guest_id, path="/")]
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        kim_tc.operation_mkdir(guest_id, "/new")  # r only
    assert caught.value.http_status == 403


def test_a_shared_endpoint_needs_a_directory_on_a_mapped_host(tc, lab):
    for document, status in (
        (_shared(lab.id, "/data/nothing-here"), 404),
        (_shared(lab.id, "/data/run1/a.dat"), 502),
        ({"DATA_TYPE": "shared_endpoint", "host_endpoint": lab.id}, 400),
    ):
        with pytest.raises(globus_sdk.TransferAPIError) as caught:
            tc.create_shared_endpoint(document)
        assert caught.value.http_status == status
    guest_id = tc.create_shared_endpoint(_shared(lab.id, "/data/run1"))["id"]
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.create_shared_endpoint(_shared(guest_id, "/sub"))
    assert caught.value.http_status == 400
    assert len(list(tc.my_shared_endpoint_list(lab.id))) == 1


def test_a_globus_connect_personal_endpoint_is_created_with_a_setup_key(transfer_for):
    tc = transfer_for(None)
    # globus-sdk 4 has no create_endpoint; globus-cli's `gcp create mapped` posts it.
    created = tc.post(
        "/v0.10/endpoint",
        data={"DATA_TYPE": "endpoint", "display_name": "My laptop", "is_globus_connect": True},
    )
    assert created["code"] == "Created" and created["globus_connect_setup_key"]
    shown = tc.get_endpoint(created["id"])
    assert (shown["entity_type"], shown["is_globus_connect"]) == ("GCP_mapped_collection", True)
    assert [e["id"] for e in tc.endpoint_search(filter_scope="my-gcp-endpoints")] == [created["id"]]
    before = len(list(tc.endpoint_search(filter_scope="my-endpoints")))
    for refused, status in (
        ({"display_name": "Old style", "is_globus_connect": False}, 400),
        ({"display_name": "x", "is_globus_connect": True, "subscription_id": "DEFAULT"}, 400),
    ):
        with pytest.raises(globus_sdk.TransferAPIError) as caught:
            tc.post("/v0.10/endpoint", data=refused)
        assert caught.value.http_status == status
    assert len(list(tc.endpoint_search(filter_scope="my-endpoints"))) == before
    # A new collection's default directory /~/ is its root, so it lists at once.
    tc.operation_mkdir(created["id"], "/~/inbox")
    assert [e["name"] for e in tc.operation_ls(created["id"], path="/~/")] == ["inbox"]


def test_a_hosts_administrators_list_every_guest_collection_on_it_page_by_page(
    tc, lab, globus_emulator, transfer_for
):
    mine = [tc.create_shared_endpoint(_shared(lab.id, "/data", f"Share {i}"))["id"] for i in (1, 2)]
    friend = globus_emulator.auth.add_identity("friend@example.org")
    globus_emulator.transfer.set_role(lab, friend, "access_manager")
    friend_tc = transfer_for(friend, lab.id)
    theirs = friend_tc.create_shared_endpoint(_shared(lab.id, "/data/run1", "Share 3"))["id"]
    # my_shared_endpoint_list is the caller's own; shared_endpoint_list is everyone's.
    assert [e["id"] for e in friend_tc.my_shared_endpoint_list(lab.id)] == [theirs]
    first = tc.get_shared_endpoint_list(lab.id, max_results=2)
    assert [e["id"] for e in first["shared_endpoints"]] == mine and first["next_token"]
    paged = tc.paginated.get_shared_endpoint_list(lab.id, max_results=2).items()
    assert [e["id"] for e in paged] == [*mine, theirs]
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        friend_tc.get_shared_endpoint_list(lab.id)  # an access manager is no administrator
    assert caught.value.http_status == 403


def test_servers_are_listed_and_read_but_guests_have_none_of_their_own(tc, lab):
    servers = list(tc.endpoint_server_list(lab.id))
    assert len(servers) == 1 and servers[0]["DATA_TYPE"] == "server"
    assert tc.get_endpoint_server(lab.id, servers[0]["id"])["hostname"] == servers[0]["hostname"]
    assert tc.get_endpoint(lab.id)["DATA"] == servers
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.get_endpoint_server(lab.id, 1)
    assert caught.value.http_status == 404
    guest_id = tc.create_shared_endpoint(_shared(lab.id, "/data/run1"))["id"]
    assert list(tc.endpoint_server_list(guest_id)) == []
