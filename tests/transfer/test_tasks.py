"""Transfer and delete tasks on the virtual clock, through TransferClient."""

from __future__ import annotations

import globus_sdk
import pytest


def transfer(tc, source, destination, *items, **options):
    data = (
        globus_sdk.TransferData(source_endpoint=source, destination_endpoint=destination, **options)
        if _new_signature()
        else globus_sdk.TransferData(tc, source, destination, **options)
    )
    for item in items:
        data.add_item(*item[:2], recursive=item[2] if len(item) > 2 else False)
    return tc.submit_transfer(data)["task_id"]


def delete(tc, collection, *paths, **options):
    data = (
        globus_sdk.DeleteData(endpoint=collection, **options)
        if _new_signature()
        else globus_sdk.DeleteData(tc, collection, **options)
    )
    for path in paths:
        data.add_item(path)
    return tc.submit_delete(data)["task_id"]


def _new_signature() -> bool:
    import inspect

    return "transfer_client" not in inspect.signature(globus_sdk.TransferData).parameters


def test_a_recursive_transfer_copies_counts_and_lists_successes(tc, lab, scratch, globus_emulator):
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1", "/copy", True))
    task = tc.get_task(task_id)
    assert task["status"] == "SUCCEEDED"
    assert (task["files"], task["directories"], task["files_transferred"]) == (3, 2, 3)
    assert task["bytes_transferred"] == len("alpha") + len("bravo") + len("charlie")
    assert globus_emulator.transfer.read(scratch, "/copy/sub/c.log") == b"charlie"
    done = list(tc.task_successful_transfers(task_id))
    assert {d["destination_path"] for d in done} == {
        "/copy/a.dat",
        "/copy/b.dat",
        "/copy/sub/c.log",
    }


def test_a_recursive_transfer_makes_missing_destination_parents(tc, lab, scratch, globus_emulator):
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1", "/new/deeper/copy", True))
    assert tc.get_task(task_id)["status"] == "SUCCEEDED"
    assert globus_emulator.transfer.read(scratch, "/new/deeper/copy/sub/c.log") == b"charlie"
    listed = {entry["name"] for entry in tc.operation_ls(scratch.id, path="/new")}
    assert listed == {"deeper"}


def test_a_file_known_only_by_its_size_arrives_with_that_size(tc, lab, scratch, globus_emulator):
    big = 5 * 1024**3
    globus_emulator.transfer.write(lab, "/data/huge.bin", big)
    task_id = transfer(tc, lab.id, scratch.id, ("/data/huge.bin", "/huge.bin"))
    task = tc.get_task(task_id)
    assert (task["status"], task["bytes_transferred"]) == ("SUCCEEDED", big)
    assert tc.operation_stat(scratch.id, path="/huge.bin")["size"] == big
    (done,) = tc.task_successful_transfers(task_id)
    assert done["DATA_TYPE"] == "successful_transfer"


def test_successful_transfers_page_with_markers(tc, globus_emulator, transfer_for):
    many = globus_emulator.transfer.add_collection(
        "Many", files={f"/d/f{i:03}": "x" for i in range(250)}
    )
    client = transfer_for(None, many.id)
    task_id = transfer(client, many.id, many.id, ("/d", "/e", True))
    client.get_task(task_id)
    seen = [d["source_path"] for d in client.paginated.task_successful_transfers(task_id).items()]
    assert len(seen) == len(set(seen)) == 250


def test_filter_rules_exclude_files(tc, lab, scratch, globus_emulator):
    data_kwargs = {}
    task_data = (
        globus_sdk.TransferData(
            source_endpoint=lab.id, destination_endpoint=scratch.id, **data_kwargs
        )
        if _new_signature()
        else globus_sdk.TransferData(tc, lab.id, scratch.id)
    )
    task_data.add_item("/data/run1", "/f", recursive=True)
    task_data.add_filter_rule("*.log", method="exclude", type="file")
    task_id = tc.submit_transfer(task_data)["task_id"]
    assert tc.get_task(task_id)["files_transferred"] == 2
    assert not globus_emulator.transfer.exists(scratch, "/f/sub/c.log")


def test_a_missing_source_fails_the_task_with_an_event(tc, lab, scratch):
    task_id = transfer(tc, lab.id, scratch.id, ("/data/nothing-here", "/x"))
    task = tc.get_task(task_id)
    assert task["status"] == "FAILED"
    assert task["nice_status"] == "FILE_NOT_FOUND"
    codes = [e["code"] for e in tc.task_event_list(task_id)]
    assert "FILE_NOT_FOUND" in codes


def test_a_file_onto_a_destination_directory_fails_the_task_and_reads_fine(
    tc, lab, scratch, globus_emulator
):
    tc.operation_mkdir(scratch.id, "/taken")
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", "/taken"))
    for _ in range(2):  # every read answers the task, none an error
        task = tc.get_task(task_id)
        assert (task["status"], task["nice_status"]) == ("FAILED", "IS_A_DIRECTORY")
    assert (task["faults"], task["subtasks_failed"]) == (1, 1)
    assert {e["code"] for e in tc.task_event_list(task_id) if e["is_error"]} == {"IS_A_DIRECTORY"}
    assert [e["type"] for e in tc.operation_ls(scratch.id, path="/") if e["name"] == "taken"] == [
        "dir"
    ]


def test_a_file_of_a_tree_onto_a_destination_directory_is_an_is_a_directory_fault(tc, lab, scratch):
    tc.operation_mkdir(scratch.id, "/tree")
    tc.operation_mkdir(scratch.id, "/tree/b.dat")  # where the tree's second file goes
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1", "/tree", True))
    task = tc.get_task(task_id)
    assert (task["status"], task["nice_status"]) == ("FAILED", "IS_A_DIRECTORY")
    assert task["fatal_error"]["code"] == "IS_A_DIRECTORY"
    faults = [e for e in tc.task_event_list(task_id) if e["is_error"]]
    assert {e["code"] for e in faults} == {"IS_A_DIRECTORY"}
    assert all("/tree/b.dat" in e["description"] for e in faults)


def test_a_directory_onto_a_destination_file_fails_the_task(tc, lab, scratch, globus_emulator):
    globus_emulator.transfer.write(scratch, "/copy", "a file")
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1", "/copy", True))
    task = tc.get_task(task_id)
    assert (task["status"], task["nice_status"]) == ("FAILED", "NOT_A_DIRECTORY")
    assert globus_emulator.transfer.read(scratch, "/copy") == b"a file"


def test_a_missing_source_is_one_fault_and_one_failed_subtask_with_error_events(tc, lab, scratch):
    task_id = transfer(tc, lab.id, scratch.id, ("/data/nothing-here", "/x"))
    task = tc.get_task(task_id)
    assert (task["faults"], task["subtasks_failed"]) == (1, 1)
    events = list(tc.task_event_list(task_id))
    assert all(e["code"] and e["description"] for e in events)
    naming = [e for e in events if "/data/nothing-here" in e["description"]]
    assert naming and all(e["is_error"] and e["code"] == "FILE_NOT_FOUND" for e in naming)


def test_the_owners_event_list_filters_errors(tc, lab, scratch):
    task_id = transfer(tc, lab.id, scratch.id, ("/data/nothing-here", "/x"))
    tc.get_task(task_id)
    errors = list(tc.task_event_list(task_id, query_params={"filter_is_error": "true"}))
    others = list(tc.task_event_list(task_id, query_params={"filter_is_error": "false"}))
    assert errors and all(e["is_error"] for e in errors)
    assert others and not any(e["is_error"] for e in others)
    assert len(errors) + len(others) == len(list(tc.task_event_list(task_id)))
    # globus-cli's `task event-list --filter-errors` sends filter=is_error:1
    assert list(tc.task_event_list(task_id, query_params={"filter": "is_error:1"})) == errors
    assert list(tc.task_event_list(task_id, query_params={"filter": "is_error:0"})) == others
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.task_event_list(task_id, query_params={"filter": "code:ERROR"})
    assert caught.value.http_status == 400


def test_skip_source_errors_skips_and_succeeds(tc, lab, scratch):
    task_id = transfer(
        tc,
        lab.id,
        scratch.id,
        ("/data/nothing-here", "/x"),
        ("/data/run1/a.dat", "/a.dat"),
        skip_source_errors=True,
    )
    task = tc.get_task(task_id)
    assert task["status"] == "SUCCEEDED"
    skipped = list(tc.task_skipped_errors(task_id))
    assert [s["source_path"] for s in skipped] == ["/data/nothing-here"]


def test_each_skipped_source_error_is_a_fault_and_a_skipped_error_document(tc, lab, scratch):
    task_id = transfer(
        tc,
        lab.id,
        scratch.id,
        ("/data/nothing-here", "/x"),
        ("/data/nor-here", "/y"),
        ("/data/run1/a.dat", "/a.dat"),
        ("/data/run1/b.dat", "/b.dat"),
        skip_source_errors=True,
    )
    task = tc.get_task(task_id)
    assert task["status"] == "SUCCEEDED"
    assert (task["faults"], task["subtasks_skipped_errors"]) == (2, 2)
    assert (task["subtasks_succeeded"], task["subtasks_failed"]) == (2, 0)
    skipped = list(tc.task_skipped_errors(task_id))
    assert all(s.pop("error_time") for s in skipped)
    assert skipped == [
        {
            "DATA_TYPE": "skipped_error",
            "source_path": source,
            "destination_path": destination,
            "error_code": "FILE_NOT_FOUND",
            "error_details": "FILE_NOT_FOUND",
            "is_directory": False,
            "checksum_algorithm": None,
        }
        for source, destination in [("/data/nothing-here", "/x"), ("/data/nor-here", "/y")]
    ]


def test_a_resubmitted_submission_id_returns_the_same_task(tc, lab, scratch):
    submission = tc.get_submission_id()["value"]
    data = (
        globus_sdk.TransferData(
            source_endpoint=lab.id, destination_endpoint=scratch.id, submission_id=submission
        )
        if _new_signature()
        else globus_sdk.TransferData(tc, lab.id, scratch.id, submission_id=submission)
    )
    data.add_item("/data/run1/a.dat", "/a.dat")
    first = tc.submit_transfer(data)
    second = tc.submit_transfer(data)
    assert first["task_id"] == second["task_id"]
    assert len(list(tc.task_list())) == 1


def test_timed_progress_runs_on_the_virtual_clock(tc, lab, scratch, globus_emulator):
    globus_emulator.transfer.set_progress("timed", bytes_per_second=1_000_000_000)
    task_id = transfer(tc, lab.id, scratch.id, ("/data/big.bin", "/big.bin"))
    assert tc.get_task(task_id)["status"] == "ACTIVE"
    globus_emulator.clock.advance(3)
    assert tc.get_task(task_id)["status"] == "ACTIVE"
    globus_emulator.clock.advance(3)
    task = tc.get_task(task_id)
    assert task["status"] == "SUCCEEDED"
    assert task["bytes_transferred"] == 5_000_000_000


def test_a_cancelled_task_stops(tc, lab, scratch, globus_emulator):
    globus_emulator.transfer.set_progress("manual")
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1", "/never", True))
    assert tc.get_task(task_id)["status"] == "ACTIVE"
    assert tc.cancel_task(task_id)["code"] == "Canceled"
    task = tc.get_task(task_id)
    assert (task["status"], task["nice_status"]) == ("FAILED", "CANCELED")
    assert not globus_emulator.transfer.exists(scratch, "/never")
    assert tc.cancel_task(task_id)["code"] == "TaskComplete"


def test_a_deadline_passing_fails_the_task(tc, lab, scratch, globus_emulator):
    import datetime

    globus_emulator.transfer.set_progress("manual")
    deadline = datetime.datetime.fromtimestamp(
        globus_emulator.clock.now() + 60, tz=datetime.timezone.utc
    )
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", "/a"), deadline=deadline)
    globus_emulator.clock.advance(61)
    assert tc.get_task(task_id)["nice_status"] == "DEADLINE_EXCEEDED"


def test_manual_progress_finishes_when_told(tc, lab, scratch, globus_emulator):
    globus_emulator.transfer.set_progress("manual")
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", "/a.dat"))
    assert tc.get_task(task_id)["status"] == "ACTIVE"
    globus_emulator.transfer.finish(task_id)
    assert tc.get_task(task_id)["status"] == "SUCCEEDED"


@pytest.mark.parametrize("mode", ["manual", "timed"])
def test_a_task_whose_endpoint_is_deleted_fails_and_still_reads(
    tc, lab, scratch, globus_emulator, mode
):
    globus_emulator.transfer.set_progress(mode, bytes_per_second=1)
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1", "/copy", True))
    tc.delete_endpoint(scratch.id)
    task = tc.get_task(task_id)
    assert (task["status"], task["nice_status"]) == ("FAILED", "ENDPOINT_NOT_FOUND")
    assert scratch.id in task["fatal_error"]["description"]
    assert task["subtasks_failed"] >= 1
    assert [t["task_id"] for t in tc.task_list()] == [task_id]
    assert tc.task_event_list(task_id).data["DATA"][0]["code"] == "ENDPOINT_NOT_FOUND"
    assert globus_emulator.transfer.finish(task_id).status == "FAILED"
    assert tc.cancel_task(task_id)["code"] == "TaskComplete"


def test_delete_tasks_remove_files_and_honour_recursive(tc, lab, globus_emulator):
    task_id = delete(tc, lab.id, "/data/run1")
    task = tc.get_task(task_id)
    assert (task["status"], task["nice_status"]) == ("FAILED", "NOT_A_DIRECTORY")
    assert globus_emulator.transfer.exists(lab, "/data/run1")
    task_id = delete(tc, lab.id, "/data/run1", recursive=True)
    assert tc.get_task(task_id)["status"] == "SUCCEEDED"
    assert not globus_emulator.transfer.exists(lab, "/data/run1")


def test_delete_ignore_missing(tc, lab):
    assert tc.get_task(delete(tc, lab.id, "/gone"))["status"] == "FAILED"
    assert tc.get_task(delete(tc, lab.id, "/gone", ignore_missing=True))["status"] == "SUCCEEDED"


def test_task_list_filters_orders_and_pages(tc, lab, scratch):
    ids = [transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", f"/a{i}")) for i in range(5)]
    transfer(tc, lab.id, scratch.id, ("/data/missing", "/m"))
    listed = tc.task_list(limit=2, offset=0)
    assert len(listed["DATA"]) == 2 and listed["total"] == 6
    failed = tc.task_list(filter="status:FAILED")
    assert [t["status"] for t in failed] == ["FAILED"]
    picked = tc.task_list(filter=f"task_id:{ids[0]},{ids[1]}")
    assert {t["task_id"] for t in picked} == {ids[0], ids[1]}


def test_task_list_filters_labels_and_times_as_globus_cli_sends_them(
    tc, lab, scratch, globus_emulator
):
    early = transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", "/e"), label="Nightly backup")
    globus_emulator.clock.advance(3600)
    late = transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", "/l"), label="ad hoc")
    cut = globus_emulator.clock.isoformat(globus_emulator.clock.now() - 1800)

    def ids(expression: str) -> set[str]:
        return {t["task_id"] for t in tc.task_list(filter=expression)}

    assert ids("label:~nightly*") == ids("label:~*BACKUP") == {early}
    assert ids("label:~nightly") == set()  # a whole-label match, * the wildcard
    assert ids("label:=ad hoc") == ids("label:ad hoc") == {late}
    assert ids("label:!~nightly*") == {late}
    assert ids(f"request_time:{cut},") == {late}
    assert ids(f"request_time:,{cut}") == {early}
    later = globus_emulator.clock.isoformat(globus_emulator.clock.now() + 60)
    assert ids(f"completion_time:,{later}") == {early, late}
    assert ids(f"completion_time:{later},") == set()
    for bad in ("request_time:yesterday,", "request_time:2020-01-01", "colour:red"):
        with pytest.raises(globus_sdk.TransferAPIError) as caught:
            tc.task_list(filter=bad)
        assert caught.value.http_status == 400


def test_another_user_never_sees_my_tasks(tc, lab, scratch, transfer_for, globus_emulator):
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", "/a"))
    eve = transfer_for(globus_emulator.auth.add_identity("eve@example.org"))
    assert list(eve.task_list()) == []
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        eve.get_task(task_id)
    assert caught.value.http_status == 404


def test_a_transfer_body_without_data_is_refused_and_makes_no_task(tc, lab, scratch):
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.post(
            "/v0.10/transfer",
            data={
                "DATA_TYPE": "transfer",
                "source_endpoint": lab.id,
                "destination_endpoint": scratch.id,
                "DATA": [],
            },
        )
    assert caught.value.http_status == 400
    assert caught.value.code == "ClientError.BadRequest"
    assert list(tc.task_list()) == []


def test_a_bad_uuid_is_refused(tc, lab):
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.post(
            "/v0.10/transfer",
            data={
                "DATA_TYPE": "transfer",
                "source_endpoint": "nope",
                "destination_endpoint": lab.id,
                "DATA": [
                    {"DATA_TYPE": "transfer_item", "source_path": "/a", "destination_path": "/b"}
                ],
            },
        )
    assert caught.value.http_status == 400


def test_a_task_retries_through_an_outage_counting_faults(tc, lab, scratch, globus_emulator):
    globus_emulator.transfer.outage(scratch)
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", "/a.dat"))
    first = tc.get_task(task_id)
    assert (first["status"], first["nice_status"]) == ("ACTIVE", "CONNECTION_FAILED")
    tc.get_task(task_id)
    globus_emulator.transfer.outage(scratch, down=False)
    done = tc.get_task(task_id)
    assert done["status"] == "SUCCEEDED"
    assert done["faults"] == 2
    codes = [e["code"] for e in tc.task_event_list(task_id)]
    assert codes.count("CONNECTION_FAILED") == 2 and "PROGRESS" in codes


def test_a_task_goes_inactive_when_credentials_expire_and_comes_back(
    tc, lab, scratch, globus_emulator
):
    globus_emulator.transfer.expire_credentials(lab)
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1/a.dat", "/a.dat"))
    assert [t["status"] for t in tc.task_list(filter="status:INACTIVE")] == ["INACTIVE"]
    globus_emulator.clock.advance(3600)
    assert (tc.get_task(task_id)["status"], tc.get_task(task_id)["nice_status"]) == (
        "INACTIVE",
        "AUTH",
    )
    assert not globus_emulator.transfer.exists(scratch, "/a.dat")
    globus_emulator.transfer.expire_credentials(lab, expired=False)
    assert tc.get_task(task_id)["status"] == "SUCCEEDED"
    assert globus_emulator.transfer.read(scratch, "/a.dat") == b"alpha"


def _submit_without_recursive(tc, source, destination, *pairs):
    data = (
        globus_sdk.TransferData(source_endpoint=source, destination_endpoint=destination)
        if _new_signature()
        else globus_sdk.TransferData(tc, source, destination)
    )
    for pair in pairs:
        data.add_item(*pair)
        data["DATA"][-1].pop("recursive", None)  # globus-sdk 3 sends false by default
    return tc.submit_transfer(data)["task_id"]


def test_an_item_without_recursive_is_copied_as_what_its_path_is(tc, lab, scratch, globus_emulator):
    # no `recursive`: Transfer detects a directory or a file itself (what
    # `globus transfer` without --recursive and the Flows examples rely on)
    task_id = _submit_without_recursive(
        tc, lab.id, scratch.id, ("/data/run1", "/tree"), ("/data/run1/a.dat", "/one.dat")
    )
    task = tc.get_task(task_id)
    assert task["status"] == "SUCCEEDED", task.data
    assert globus_emulator.transfer.read(scratch, "/tree/sub/c.log") == b"charlie"
    assert globus_emulator.transfer.read(scratch, "/one.dat") == b"alpha"


def test_a_directory_given_recursive_false_still_fails(tc, lab, scratch):
    task_id = transfer(tc, lab.id, scratch.id, ("/data/run1", "/tree", False))
    task = tc.get_task(task_id)
    assert (task["status"], task["nice_status"]) == ("FAILED", "NOT_A_DIRECTORY")


def _finished_task_in_a_world_of_seed_7(label: str) -> tuple[str, dict]:
    """A transfer labelled ``label`` in a fresh world of seed 7, read twice
    (the second read answers the kept JSON of the finished task)."""
    from globus_testkit import Emulator

    from .conftest import consented_scope

    with Emulator(seed=7) as emulator:
        lab = emulator.transfer.add_collection("Lab", files={"/a.dat": "alpha"})
        token = emulator.auth.issue_token(emulator.user, consented_scope(lab.id))
        tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        task_id = transfer(tc, lab.id, lab.id, ("/a.dat", "/b.dat"), label=label)
        tc.get_task(task_id)
        return task_id, tc.get_task(task_id).data


def test_worlds_of_one_seed_each_answer_their_own_finished_tasks():
    first_id, first = _finished_task_in_a_world_of_seed_7("first")
    second_id, second = _finished_task_in_a_world_of_seed_7("second")
    assert first_id == second_id  # seeded worlds make the same ids
    assert (first["label"], second["label"]) == ("first", "second")
    assert first["status"] == second["status"] == "SUCCEEDED"
