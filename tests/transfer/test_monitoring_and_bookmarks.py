"""endpoint_manager activity monitoring, and bookmarks."""

from __future__ import annotations

import globus_sdk
import pytest

from .test_tasks import transfer


def test_an_activity_monitor_sees_others_tasks_on_their_collection(
    tc, lab, scratch, globus_emulator, transfer_for
):
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1", "/copy", True))
    monitor = globus_emulator.auth.add_identity("monitor@example.org")
    globus_emulator.transfer.set_role(scratch, monitor, "activity_monitor")
    client = transfer_for(monitor)
    listed = client.endpoint_manager_task_list(filter_endpoint=scratch.id)
    assert [t["task_id"] for t in listed] == [task_id]
    assert client.endpoint_manager_get_task(task_id)["files_transferred"] == 3
    done = list(client.endpoint_manager_task_successful_transfers(task_id))
    assert len(done) == 3


def test_endpoint_manager_pages_with_last_key(tc, lab, scratch, globus_emulator, transfer_for):
    for i in range(5):
        transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", f"/a{i}"))
    monitor = globus_emulator.auth.add_identity("monitor@example.org")
    globus_emulator.transfer.set_role(lab, monitor, "activity_manager")
    client = transfer_for(monitor)
    pages = client.paginated.endpoint_manager_task_list(
        filter_endpoint=lab.id, query_params={"limit": 2}
    )
    seen = [t["task_id"] for t in pages.items()]
    assert len(seen) == len(set(seen)) == 5
    assert len(globus_emulator.journal.calls("transfer", "endpoint_manager_task_list")) == 3


def test_someone_without_a_role_sees_nothing(tc, lab, scratch, globus_emulator, transfer_for):
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", "/a"))
    eve = transfer_for(globus_emulator.auth.add_identity("eve@example.org"))
    assert list(eve.endpoint_manager_task_list(filter_endpoint=scratch.id)) == []
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        eve.endpoint_manager_get_task(task_id)
    assert caught.value.http_status == 403


def test_endpoint_manager_needs_a_filter(tc):
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.endpoint_manager_task_list()
    assert caught.value.http_status == 400


def test_bookmarks_round_trip_and_stay_private(tc, lab, globus_emulator, transfer_for):
    created = tc.create_bookmark(
        {"DATA_TYPE": "bookmark", "name": "runs", "endpoint_id": lab.id, "path": "/data/run1/"}
    )
    assert created["path"] == "/data/run1"
    assert [b["name"] for b in tc.bookmark_list()] == ["runs"]
    tc.update_bookmark(created["id"], {"DATA_TYPE": "bookmark", "name": "all runs"})
    assert tc.get_bookmark(created["id"])["name"] == "all runs"
    eve = transfer_for(globus_emulator.auth.add_identity("eve@example.org"))
    assert list(eve.bookmark_list()) == []
    with pytest.raises(globus_sdk.TransferAPIError):
        eve.get_bookmark(created["id"])
    tc.delete_bookmark(created["id"])
    assert list(tc.bookmark_list()) == []
