"""globus-sdk's published Transfer examples, run as their readers run them
(scripts/, conftest.py), against the tutorial collections every world has."""

from __future__ import annotations

import re

import globus_sdk
import pytest

from .conftest import needs_sdk4

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"


def submitted_task(globus_emulator, output: str) -> str:
    match = re.search(r"(?:task_id=|Task ID: )([0-9a-f-]{36})", output)
    assert match, output
    return match.group(1)


def transfer_client(globus_emulator) -> globus_sdk.TransferClient:
    token = globus_emulator.auth.issue_token(
        globus_emulator.user, "urn:globus:auth:scope:transfer.api.globus.org:all"
    )
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def assert_copied(globus_emulator, task_id: str, destination: str) -> None:
    task = transfer_client(globus_emulator).get_task(task_id)
    assert task["status"] == "SUCCEEDED", task.data
    assert task["destination_endpoint_id"] == TUTORIAL_2
    successes = transfer_client(globus_emulator).task_successful_transfers(task_id)
    assert [s["destination_path"].rsplit("/", 1)[-1] for s in successes] == [destination]


@needs_sdk4
def test_minimal_transfer_script_redrives_the_data_access_consent(run_example, globus_emulator):
    run = run_example("transfer_minimal.py", TUTORIAL_1, TUTORIAL_2)
    assert run.returncode == 0, run.output
    # the first login lacks the collections' data_access: the app logs in again
    assert run.logins == 2
    task_id = submitted_task(globus_emulator, run.output)
    assert_copied(globus_emulator, task_id, "minimal-example-transfer-script-destination.txt")


@needs_sdk4
def test_proactive_consent_script_logs_in_once_more_then_submits(run_example, globus_emulator):
    run = run_example("transfer_consent_required_proactive.py", TUTORIAL_1, TUTORIAL_2)
    assert run.returncode == 0, run.output
    assert "consent needed" in run.output
    assert run.logins == 2
    task_id = submitted_task(globus_emulator, run.output)
    assert_copied(globus_emulator, task_id, "example-transfer-script-destination.txt")
    # the tokens it stored now carry both collections' consents: a second run
    # finds nothing missing and asks for no login
    again = run_example("transfer_consent_required_proactive.py", TUTORIAL_1, TUTORIAL_2)
    assert again.returncode == 0, again.output
    assert "consent needed" not in again.output
    assert again.logins == 0


@needs_sdk4
@pytest.mark.parametrize(
    ("script", "logins"),
    [
        ("submit_transfer_collections_known.py", 1),
        ("submit_transfer_relative_deadline.py", 1),
        # a login per look-up that adds a data_access scope: the app's
        # requirements grow after the first login, twice
        ("submit_transfer_detect_data_access.py", 3),
    ],
)
def test_user_guide_transfers_adding_data_access_scopes_submit(
    run_example, globus_emulator, script, logins
):
    run = run_example(script)
    assert run.returncode == 0, run.output
    assert run.logins == logins
    task_id = submitted_task(globus_emulator, run.output)
    assert_copied(globus_emulator, task_id, "example-transfer-script-destination.txt")


@needs_sdk4
def test_relative_deadline_is_kept_on_the_task(run_example, globus_emulator):
    run = run_example("submit_transfer_relative_deadline.py")
    assert run.returncode == 0, run.output
    task = transfer_client(globus_emulator).get_task(submitted_task(globus_emulator, run.output))
    assert task["deadline"]


@needs_sdk4
def test_user_guide_transfer_with_collections_unknown_redrives(run_example, globus_emulator):
    run = run_example("submit_transfer_collections_unknown.py")
    assert run.returncode == 0, run.output
    assert run.logins == 2
    task_id = submitted_task(globus_emulator, run.output)
    assert_copied(globus_emulator, task_id, "example-transfer-script-destination.txt")


@needs_sdk4
def test_client_app_ls_lists_the_tutorial_files(run_example, globus_emulator):
    account = globus_emulator.service_account
    run = run_example("client_app_ls.py", account.client_id, account.client_secret)
    assert run.returncode == 0, run.output
    assert run.logins == 0
    assert run.output.split() == ["file1.txt", "file2.txt", "file3.txt"]


@needs_sdk4
def test_ls_with_session_handling_logs_in_again_and_lists(run_example, globus_emulator):
    globus_emulator.transfer.require_session(
        TUTORIAL_1, domains=globus_emulator.user.username.split("@")[1], timeout=3600
    )
    first = run_example("ls_with_session_handling.py", TUTORIAL_1)
    assert first.returncode == 0, first.output
    assert "Logging in again" not in first.output
    # two hours on, the stored tokens still work but the login is too old
    globus_emulator.clock.advance(7200)
    run = run_example("ls_with_session_handling.py", TUTORIAL_1)
    assert run.returncode == 0, run.output
    assert "Logging in again" in run.output
    assert run.logins == 1
    assert "file1.txt" in run.output.split()


@needs_sdk4
def test_ls_with_session_handling_with_no_requirement_lists_at_once(run_example):
    run = run_example("ls_with_session_handling.py", TUTORIAL_1)
    assert run.returncode == 0, run.output
    assert "Logging in again" not in run.output
    assert run.logins == 1


def _recursive_ls(tc, ep, path, max_depth=3, ls_params=None, top_level_ls_params=None):
    # docs/examples/recursive_ls.rst, its final form (sleeps left out: they
    # only pace the calls): a breadth-first walk on a local deque
    from collections import deque

    ls_params = ls_params or {}
    top_level_ls_params = top_level_ls_params or {}
    queue = deque([(path, "", 0)])
    call_count = 0
    while queue:
        abs_path, rel_path, depth = queue.pop()
        path_prefix = rel_path + "/" if rel_path else ""
        use_params = {**ls_params, **top_level_ls_params} if call_count == 0 else ls_params
        res = tc.operation_ls(ep, path=abs_path, **use_params)
        call_count += 1
        if depth < max_depth:
            queue.extend(
                (res["path"] + item["name"], path_prefix + item["name"], depth + 1)
                for item in res["DATA"]
                if item["type"] == "dir"
            )
        for item in res["DATA"]:
            item["name"] = path_prefix + item["name"]
            yield item


def authenticated_client(app: globus_sdk.GlobusApp) -> globus_sdk.TransferClient:
    # "a properly authenticated TransferClient" for the tutorial collection
    tc = globus_sdk.TransferClient(app=app)
    tc.add_app_data_access_scope(TUTORIAL_1)
    return tc


def test_recursive_ls_walks_the_tree(globus_emulator, globus_user_app):
    tc = authenticated_client(globus_user_app)
    for path in ("/home/share/godata/sub/deeper/", "/home/share/godata/sub/deeper/deepest/"):
        globus_emulator.transfer.write(TUTORIAL_1, path + "f.txt", "x")
    globus_emulator.transfer.write(TUTORIAL_1, "/home/share/godata/sub/g.txt", "y")

    names = {item["name"] for item in _recursive_ls(tc, TUTORIAL_1, "/home/share/")}
    assert {
        "godata",
        "godata/file1.txt",
        "godata/sub",
        "godata/sub/g.txt",
        "godata/sub/deeper",
    } <= names
    # max_depth=3 lists three levels below the start and no deeper
    assert "godata/sub/deeper/f.txt" in names
    assert not any(name.startswith("godata/sub/deeper/deepest/") for name in names)


def test_recursive_ls_passes_its_params_through(globus_emulator, globus_user_app):
    tc = authenticated_client(globus_user_app)
    globus_emulator.transfer.write(TUTORIAL_1, "/home/share/godata/sub/notes.md", "z")
    items = list(
        _recursive_ls(
            tc,
            TUTORIAL_1,
            "/home/share/godata/",
            ls_params={"filter": "name:~*.txt"},
            top_level_ls_params={"filter": "type:dir"},
        )
    )
    # the first listing keeps only directories, the ones below only .txt files
    assert [item["name"] for item in items] == ["sub"]


@needs_sdk4
@pytest.mark.parametrize("owner", ["user", "client"])
def test_guest_collection_examples_create_a_public_guest_collection(
    run_example, globus_emulator, owner
):
    account = globus_emulator.service_account
    argv = [account.client_id, account.client_secret] if owner == "client" else []
    run = run_example("create_guest_collection.py", *argv, via_proxy=True)
    assert run.returncode == 0, run.output
    # the user logs in once: the endpoint's scope with data_access beneath
    # it is known before the first call that needs a token
    assert run.logins == (1 if owner == "user" else 0)
    match = re.search(r"Collection ID: ([0-9a-f-]{36})", run.output)
    assert match, run.output
    document = transfer_client(globus_emulator).get_endpoint(match.group(1))
    assert document["entity_type"] == "GCSv5_guest_collection"
    assert document["display_name"] == "example_guest_collection"
    assert document["public"] is True
