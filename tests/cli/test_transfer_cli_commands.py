"""The rest of globus-cli's `endpoint`, `gcp` and `task` commands against
the live server: endpoint update/delete, access rules on a guest
collection, `gcp update guest`, and the task commands an owner uses on a
task in progress (update, pause-info, filtered lists)."""

from __future__ import annotations

import globus_sdk
import pytest

from .test_globus_cli import GLOBUS, globus

pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"


@pytest.fixture
def laptop(globus_emulator):
    return globus_emulator.transfer.add_collection(
        "CLI laptop",
        owner=globus_emulator.service_account.client_id,
        entity_type="GCP_mapped_collection",
        subscription_id="9a8b7c6d-0000-4000-8000-0000000000aa",  # managed: pause rules apply
        files={"/data/a.txt": "alpha", "/data/b.txt": "bravo"},
    )


def test_endpoint_update_permissions_on_a_guest_and_delete(run, globus_emulator, cli_env, laptop):
    run("endpoint", "update", laptop.id, "--description", "updated", "--keywords", "a,b")
    assert globus_emulator.transfer.collection(laptop.id).keywords == "a,b"
    guest = run("gcp", "create", "guest", "CLI share", f"{laptop.id}:/data/")["id"]
    run("gcp", "update", "guest", guest, "--description", "a share")
    assert globus_emulator.transfer.collection(guest).description == "a share"
    friend = globus_emulator.auth.add_identity("friend@example.org")
    created = run(
        "endpoint", "permission", "create", f"{guest}:/", "--identity", friend.id,
        "--permissions", "r",
    )  # fmt: skip
    rule_id = created["access_id"]
    assert [r["id"] for r in run("endpoint", "permission", "list", guest)["DATA"]] == [rule_id]
    run("endpoint", "permission", "update", guest, rule_id, "--permissions", "rw")
    assert run("endpoint", "permission", "show", guest, rule_id)["permissions"] == "rw"
    run("endpoint", "permission", "delete", guest, rule_id)
    assert run("endpoint", "permission", "list", guest)["DATA"] == []
    run("endpoint", "delete", guest)
    assert guest not in globus_emulator.world.transfer.collections


def test_task_commands_on_a_task_in_progress(run, globus_emulator, cli_env, laptop):
    globus_emulator.transfer.set_progress("manual")
    submission = run("task", "generate-submission-id")["value"]
    task_id = run(
        "transfer", f"{laptop.id}:/data/", f"{laptop.id}:/copy/", "--recursive",
        "--label", "Nightly copy", "--submission-id", submission,
    )["task_id"]  # fmt: skip
    run("task", "update", task_id, "--label", "Nightly copy, renamed")
    assert run("task", "show", task_id)["label"] == "Nightly copy, renamed"
    # An activity manager's pause rule shows in pause-info.
    manager = globus_emulator.auth.add_identity("manager@example.org")
    globus_emulator.transfer.set_role(laptop, manager, "activity_manager")
    token = globus_emulator.auth.issue_token(manager, TRANSFER_ALL)
    manager_tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    rule = manager_tc.endpoint_manager_create_pause_rule(
        {"DATA_TYPE": "pause_rule", "endpoint_id": laptop.id, "message": "backups paused"}
    )
    assert run("task", "show", task_id)["is_paused"] is True
    info = run("task", "pause-info", task_id)
    assert [r["message"] for r in info["pause_rules"]] == ["backups paused"]
    text = globus(cli_env, "task", "pause-info", task_id).stdout
    assert "backups paused" in text
    manager_tc.endpoint_manager_delete_pause_rule(rule["id"])
    listed = run("task", "list", "--filter-label", "nightly*")["DATA"]  # inexact by default
    assert [t["task_id"] for t in listed] == [task_id]
    assert run("task", "list", "--filter-label", "nightly*", "--exact")["DATA"] == []
    after = run("task", "list", "--filter-requested-after", "2000-01-01")["DATA"]
    assert task_id in [t["task_id"] for t in after]
    assert run("task", "list", "--filter-requested-before", "2000-01-01")["DATA"] == []
    globus_emulator.transfer.finish(task_id)
    assert [t["destination_path"] for t in run("task", "show", task_id, "--successful-transfers")[
        "DATA"
    ]] == ["/copy/a.txt", "/copy/b.txt"]  # fmt: skip
    assert run("task", "event-list", task_id, "--filter-errors")["DATA"] == []
