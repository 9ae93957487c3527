"""Indexes, roles and the ingest/delete tasks of Globus Search, through
globus-sdk's SearchClient."""

from __future__ import annotations

import globus_sdk
import pytest

from .conftest import SEARCH_ALL, entry, gmeta_list, subjects


def test_created_index_is_a_trial_owned_by_its_creator(sc, globus_emulator):
    index = sc.create_index("Lab", "lab data")
    assert index["is_trial"] is True and index["status"] == "open"
    assert sc.get_index(index["id"])["display_name"] == "Lab"
    roles = sc.get_role_list(index["id"])["role_list"]
    assert [(r["role_name"], r["principal"]) for r in roles] == [
        ("owner", f"urn:globus:auth:identity:{globus_emulator.user.id}")
    ]
    listed = {i["id"]: i["permissions"] for i in sc.index_list()}
    assert listed == {index["id"]: ["owner"]}


def test_a_fourth_trial_index_exceeds_the_ownership_limit(sc):
    for n in range(3):
        sc.create_index(f"trial {n}", "")
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sc.create_index("one too many", "")
    assert (caught.value.http_status, caught.value.code) == (409, "Conflict.LimitExceeded")


def test_update_index_changes_only_the_fields_sent(sc):
    index = sc.create_index("Lab", "lab data")
    updated = sc.update_index(index["id"], display_name="Lab 2")
    assert (updated["display_name"], updated["description"]) == ("Lab 2", "lab data")


def test_deleted_index_is_pending_until_reopened(sc):
    index_id = sc.create_index("Lab", "")["id"]
    assert sc.delete_index(index_id).data == {"index_id": index_id, "acknowledged": True}
    assert sc.get_index(index_id)["status"] == "delete-pending"
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sc.delete_index(index_id)
    assert caught.value.code == "Conflict.IncompatibleIndexStatus"
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sc.ingest(index_id, gmeta_list(entry("s", {"a": 1})))
    assert caught.value.http_status == 409
    sc.reopen_index(index_id)
    assert sc.get_index(index_id)["status"] == "open"
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sc.reopen_index(index_id)
    assert caught.value.code == "Conflict.IncompatibleIndexStatus"


def test_unknown_index_is_404_in_search_error_shape(sc):
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sc.get_index("00000000-0000-4000-8000-000000000000")
    error = caught.value
    assert (error.http_status, error.code) == (404, "NotFound.NoSuchIndex")
    assert error.raw_json["@datatype"] == "GError" and error.raw_json["status"] == 404


def test_ingest_is_a_task_done_by_the_first_poll(sc):
    index_id = sc.create_index("Lab", "")["id"]
    answer = sc.ingest(index_id, gmeta_list(entry("a", {"x": 1}), entry("b", {"x": 2})))
    assert answer["acknowledged"] is True and answer["num_documents_ingested"] == 2
    task = sc.get_task(answer["task_id"])
    assert (task["state"], task["task_type"], task["index_id"]) == ("SUCCESS", "ingest", index_id)
    assert sc.get_index(index_id)["num_subjects"] == 2
    assert [t["task_id"] for t in sc.get_task_list(index_id)["tasks"]] == [answer["task_id"]]


def test_tasks_wait_for_the_clock_when_they_take_time(sc, globus_emulator):
    globus_emulator.search.set_task_delay(30)
    index_id = sc.create_index("Lab", "")["id"]
    task_id = sc.ingest(index_id, gmeta_list(entry("a", {"x": 1})))["task_id"]
    assert sc.get_task(task_id)["state"] == "PENDING"
    assert sc.search(index_id, "*")["total"] == 0
    globus_emulator.clock.advance(30)
    assert sc.get_task(task_id)["state"] == "SUCCESS"
    assert sc.search(index_id, "*")["total"] == 1


def test_tasks_apply_in_submission_order(sc, globus_emulator):
    globus_emulator.search.set_task_delay(5)
    index_id = sc.create_index("Lab", "")["id"]
    sc.ingest(index_id, gmeta_list(entry("a", {"v": "first"})))
    sc.ingest(index_id, gmeta_list(entry("a", {"v": "second"})))
    globus_emulator.clock.advance(5)
    assert sc.get_subject(index_id, "a")["entries"][0]["content"] == {"v": "second"}


def test_an_ingest_over_the_index_limits_fails_as_a_task(sc):
    index_id = sc.create_index("Lab", "")["id"]
    many = [entry("same", {"n": n}, entry_id=str(n)) for n in range(11)]
    task = sc.get_task(sc.ingest(index_id, gmeta_list(*many))["task_id"])
    assert task["state"] == "FAILED" and "10 entries" in task["message"]
    assert sc.get_index(index_id)["num_entries"] == 0


@pytest.mark.parametrize(
    "document",
    [
        {"ingest_type": "GMetaList", "ingest_data": {"gmeta": [{"subject": "s"}]}},
        {"ingest_type": "GMetaEntry", "ingest_data": {"subject": "s", "content": {}}},
        {"ingest_type": "Nonsense", "ingest_data": {}},
        gmeta_list(entry("s", {"a": 1}, visible_to=["bob@example.org"])),
        gmeta_list(entry("s" * 501, {"a": 1})),
    ],
)
def test_malformed_ingest_is_refused_and_changes_nothing(sc, document):
    index_id = sc.create_index("Lab", "")["id"]
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sc.ingest(index_id, document)
    assert (caught.value.http_status, caught.value.code) == (400, "BadRequest.Generic")
    assert sc.get_task_list(index_id)["tasks"] == []


def test_writers_ingest_but_do_not_administer(sc, search_for, globus_emulator):
    writer = globus_emulator.auth.add_identity("writer@example.org")
    index_id = sc.create_index("Lab", "")["id"]
    role = sc.create_role(
        index_id, {"role_name": "writer", "principal": f"urn:globus:auth:identity:{writer.id}"}
    )
    assert role["principal_type"] == "identity"
    as_writer = search_for(writer)
    task_id = as_writer.ingest(index_id, gmeta_list(entry("a", {"x": 1})))["task_id"]
    assert as_writer.get_task(task_id)["state"] == "SUCCESS"
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        as_writer.update_index(index_id, display_name="mine now")
    assert (caught.value.http_status, caught.value.code) == (403, "Forbidden.Generic")
    sc.delete_role(index_id, role["id"])
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        as_writer.ingest(index_id, gmeta_list(entry("b", {"x": 2})))
    assert caught.value.http_status == 403


def test_a_group_role_grants_its_active_members(sc, search_for, globus_emulator):
    member = globus_emulator.auth.add_identity("member@example.org")
    group = globus_emulator.world.groups.create("Writers", members={member.id: "member"})
    index_id = sc.create_index("Lab", "")["id"]
    sc.create_role(
        index_id, {"role_name": "writer", "principal": f"urn:globus:groups:id:{group.id}"}
    )
    search_for(member).ingest(index_id, gmeta_list(entry("a", {"x": 1})))
    globus_emulator.world.groups.remove_member(group.id, member.id)
    with pytest.raises(globus_sdk.SearchAPIError):
        search_for(member).ingest(index_id, gmeta_list(entry("b", {"x": 1})))


def test_the_last_owner_cannot_be_removed(sc):
    index_id = sc.create_index("Lab", "")["id"]
    [owner] = sc.get_role_list(index_id)["role_list"]
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sc.delete_role(index_id, owner["id"])
    assert caught.value.http_status == 409


def test_deletes_are_tasks_that_remove_subjects_and_entries(sc, datasets):
    sc.ingest(datasets.id, gmeta_list(entry("extra", {"v": 1}, entry_id="one")))
    sc.ingest(datasets.id, gmeta_list(entry("extra", {"v": 2}, entry_id="two")))
    task_id = sc.delete_entry(datasets.id, "extra", entry_id="one")["task_id"]
    assert sc.get_task(task_id)["task_type"] == "delete-by-entry-id"
    assert [e["entry_id"] for e in sc.get_subject(datasets.id, "extra")["entries"]] == ["two"]
    sc.delete_subject(datasets.id, "extra")
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sc.get_subject(datasets.id, "extra")
    assert caught.value.http_status == 404
    sc.batch_delete_by_subject(datasets.id, ["https://example.org/ds/0"])
    task_id = sc.delete_by_query(datasets.id, {"q": "keywords:ocean", "advanced": True})["task_id"]
    assert sc.get_task(task_id)["task_type"] == "delete-by-query"
    assert sorted(subjects(sc.search(datasets.id, "*"))) == ["1", "3", "4"]


def test_get_entry_returns_one_entry(sc, datasets):
    found = sc.get_entry(datasets.id, "https://example.org/ds/2")
    assert [e["content"]["title"] for e in found["entries"]] == ["Ocean salinity map"]


def test_world_files_declare_indexes_with_entries():
    from globus_testkit import Emulator

    world = {
        "search_indexes": [
            {
                "id": "a9b6c9f0-8d5e-4f39-9a1e-3c7c6f3b2d10",
                "display_name": "Catalog",
                "entries": [entry("s1", {"title": "hello world"})],
            }
        ]
    }
    with Emulator(world=world) as emulator:
        client = globus_sdk.SearchClient()  # anonymous: public entries only
        result = client.search("a9b6c9f0-8d5e-4f39-9a1e-3c7c6f3b2d10", "hello")
        assert [g["subject"] for g in result["gmeta"]] == ["s1"]
        assert emulator.world.search.indexes["a9b6c9f0-8d5e-4f39-9a1e-3c7c6f3b2d10"]


def write_entry(sc, method: str, index_id: str, document: dict):
    """globus-sdk 3's create_entry (POST) and update_entry (PUT), where they
    exist; the same request through the client otherwise (4.x removed them)."""
    name = {"POST": "create_entry", "PUT": "update_entry"}[method]
    if hasattr(sc, name):
        return getattr(sc, name)(index_id, document)
    return sc.request(method, f"/v1/index/{index_id}/entry", data=document)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_the_entry_routes_write_one_entry_as_an_ingest_does(sc, method):
    index_id = sc.create_index("Lab", "")["id"]
    answer = write_entry(sc, method, index_id, entry("a", {"x": 1}, entry_id="e1"))
    assert answer["acknowledged"] is True and answer["num_documents_ingested"] == 1
    assert sc.get_task(answer["task_id"])["task_type"] == "ingest"
    assert sc.get_entry(index_id, "a", entry_id="e1")["entries"][0]["content"] == {"x": 1}
    # writing again replaces the entry whole, whichever route is used
    write_entry(
        sc, "PUT" if method == "POST" else "POST", index_id, entry("a", {"y": 2}, entry_id="e1")
    )
    assert sc.get_entry(index_id, "a", entry_id="e1")["entries"][0]["content"] == {"y": 2}


def test_a_malformed_entry_is_refused_and_changes_nothing(sc):
    index_id = sc.create_index("Lab", "")["id"]
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        write_entry(sc, "POST", index_id, {"subject": "s", "content": {}})
    assert (caught.value.http_status, caught.value.code) == (400, "BadRequest.Generic")
    assert sc.get_task_list(index_id)["tasks"] == []


def test_a_world_file_index_owner_is_named_by_username_and_checked():
    from globus_testkit import Emulator
    from globus_testkit.worlds import WorldError

    ada = {"identities": [{"username": "ada@example.org"}]}
    world = {**ada, "search_indexes": [{"display_name": "Ada's", "owner": "ada@example.org"}]}
    with Emulator(world=world) as emulator:
        owner = emulator.world.auth.identity_by_username("ada@example.org")
        token = emulator.auth.issue_token(owner, SEARCH_ALL)
        client = globus_sdk.SearchClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        assert [i["display_name"] for i in client.index_list()["index_list"]] == ["Ada's"]
    unknown = {**ada, "search_indexes": [{"display_name": "x", "owner": "nobody@example.org"}]}
    with pytest.raises(WorldError, match=r"^world\.search_indexes\[0\]\.owner: no identity"):
        Emulator(world=unknown)
