"""Published flow definitions (tests/flows/published/, each with its source)
deployed through globus-sdk and run to the end each is designed for."""

from __future__ import annotations

import json
from pathlib import Path

import globus_sdk
import pytest

PUBLISHED = Path(__file__).parent / "published"


def published(name):
    document = json.loads((PUBLISHED / name).read_text())
    assert document["source"].startswith("https://")
    return document["definition"], document["input_schema"]


def deploy(flows, name):
    definition, schema = published(name)
    return flows.create_flow(name, definition, schema).data


def finish(globus_emulator, flows, run_id, *, step=60, rounds=30):
    for _ in range(rounds):
        run = flows.get_run(run_id)
        if run["status"] not in ("ACTIVE",):
            return run
        globus_emulator.clock.advance(step)
    return flows.get_run(run_id)


def test_the_looping_batched_move_moves_everything_and_stops(globus_emulator, flows, runner_for):
    files = {f"/data/run1/f{i}.txt": f"content {i}" for i in range(5)}
    source = globus_emulator.transfer.add_collection("Instrument", files=files)
    archive = globus_emulator.transfer.add_collection("Archive", files={"/archive/.keep": ""})
    flow = deploy(flows, "looping_batched_move.json")
    run_id = runner_for(flow).run_flow(
        {
            "source": {"id": source.id, "path": "/data/run1/"},
            "destination": {"id": archive.id, "path": "/archive/"},
        }
    )["run_id"]
    run = finish(globus_emulator, flows, run_id)
    assert run["status"] == "SUCCEEDED", run["details"]
    for i in range(5):
        assert (
            globus_emulator.transfer.read(archive, f"/archive/f{i}.txt") == f"content {i}".encode()
        )
        assert not globus_emulator.transfer.exists(source, f"/data/run1/f{i}.txt")
    assert run["details"]["output"]["ls_results"]["details"]["total"] == 0


def test_transfer_and_share_copies_then_grants_read(globus_emulator, flows, runner_for):
    colleague = globus_emulator.auth.add_identity("colleague@example.org")
    guest = globus_emulator.transfer.add_collection(
        "Shared results", entity_type="GCSv5_guest_collection", files={"/out/.keep": ""}
    )
    flow = deploy(flows, "transfer_share.json")
    run_id = runner_for(flow).run_flow(
        {
            "input": {
                "source": {
                    "id": "6c54cade-bde5-45c1-bdea-f4bd71dba2cc",
                    "path": "/home/share/godata/",
                },
                "destination": {"id": guest.id, "path": "/out/godata/"},
                "recursive_tx": True,
                "principal": {"type": "identity", "id": colleague.id},
            }
        }
    )["run_id"]
    run = finish(globus_emulator, flows, run_id)
    assert run["status"] == "SUCCEEDED", run["details"]
    assert globus_emulator.transfer.exists(guest, "/out/godata/file1.txt")
    rule_id = run["details"]["output"]["SetPermission"]["details"]["access_id"]
    token = globus_emulator.auth.issue_token(
        globus_emulator.user, "urn:globus:auth:scope:transfer.api.globus.org:all"
    )
    transfer = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    rule = transfer.get_endpoint_acl_rule(guest.id, rule_id)
    assert (rule["principal"], rule["path"], rule["permissions"]) == (
        colleague.id,
        "/out/godata/",
        "r",
    )


def test_the_hello_world_example_greets_after_its_sleep(globus_emulator, flows, runner_for):
    flow = deploy(flows, "hello_world.json")
    run_id = runner_for(flow).run_flow({"name": "Ada"})["run_id"]
    assert flows.get_run(run_id)["status"] == "ACTIVE"
    run = finish(globus_emulator, flows, run_id, step=5)
    assert run["status"] == "SUCCEEDED", run["details"]
    # no ResultPath: the action's result becomes the whole state
    assert run["details"]["output"]["details"]["hello"] == "Greetings, Ada!"
    with pytest.raises(globus_sdk.FlowsAPIError) as refused:
        runner_for(flow).run_flow({"name": ""})
    assert refused.value.code == "FLOW_INPUT_ERROR"


def test_the_stat_example_reads_a_directory_and_reports_a_missing_path(
    globus_emulator, flows, runner_for
):
    flow = deploy(flows, "stat.json")
    tutorial = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
    found = runner_for(flow).run_flow({"endpoint_id": tutorial, "path": "/home/share/godata/"})
    run = flows.get_run(found["run_id"])
    assert run["status"] == "SUCCEEDED", run["details"]
    assert run["details"]["output"]["stat_result"]["details"]["type"] == "dir"
    missing = runner_for(flow).run_flow({"endpoint_id": tutorial, "path": "/no/such/path"})
    run = flows.get_run(missing["run_id"])
    # a missing path is stat's answer, not its failure (Globus's move and
    # two-hop example flows rely on it): the run goes on with the code
    assert run["status"] == "SUCCEEDED", run["details"]
    assert run["details"]["output"]["stat_result"]["details"]["code"] == "NotFound"
    assert "type" not in run["details"]["output"]["stat_result"]["details"]
