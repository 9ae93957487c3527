"""globus-sdk's create_and_run_flow examples (docs/examples/create_and_run_flow/:
manage_flow.py, manage_flow_minimal.py, run_flow_minimal.py), run as their
readers run them: one UserApp whose tokens persist from command to command."""

from __future__ import annotations

import json
from typing import Any

import globus_sdk
from globus_sdk.scopes import FlowsScopes

from .conftest import needs_sdk3, needs_sdk4


def printed_document(output: str) -> Any:
    """The response the example printed (the SDK prints it as JSON)."""
    assert "{" in output, output
    return json.loads(output[output.index("{") :])


def created_flow_id(output: str) -> str:
    return str(printed_document(output)["id"])


@needs_sdk4
def test_create_list_run_delete_and_logout(run_example, globus_emulator):
    created = run_example("manage_flow.py", "create", "-t", "My Example Flow")
    assert created.returncode == 0, created.output
    assert created.logins == 1
    flow_id = created_flow_id(created.output)

    listed = run_example("manage_flow.py", "list")
    assert listed.returncode == 0, listed.output
    assert f"title: My Example Flow\nid: {flow_id}" in listed.output
    assert listed.logins == 0  # the stored Flows token serves

    ran = run_example("manage_flow.py", "run", "-f", flow_id)
    assert ran.returncode == 0, ran.output
    # the flow's own scope is a new requirement: its consent needs a login
    assert ran.logins == 1
    run_doc = printed_document(ran.output)
    assert run_doc["flow_id"] == flow_id
    assert run_doc["status"] in ("ACTIVE", "SUCCEEDED")

    deleted = run_example("manage_flow.py", "delete", "-f", flow_id)
    assert deleted.returncode == 0, deleted.output
    assert flow_id in deleted.output

    assert run_example("manage_flow.py", "logout").returncode == 0
    # logged out: the next command asks for a login again
    relisted = run_example("manage_flow.py", "list")
    assert relisted.returncode == 0, relisted.output
    assert relisted.logins == 1
    assert flow_id not in relisted.output


@needs_sdk4
def test_the_hello_world_run_succeeds(run_example, globus_emulator):
    created = run_example("manage_flow.py", "create", "-t", "Hello")
    flow_id = created_flow_id(created.output)
    ran = run_example("manage_flow.py", "run", "-f", flow_id)
    run_id = printed_document(ran.output)["run_id"]
    token = globus_emulator.auth.issue_token(globus_emulator.user, str(FlowsScopes.run_status))
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    run = flows.get_run(run_id)
    assert run["status"] == "SUCCEEDED", run.data
    # no ResultPath: the action's result becomes the run's whole output
    assert run["details"]["output"]["details"]["hello"] == "Hello, Asynchronous World!"


@needs_sdk4
def test_deleting_an_unknown_flow_prints_the_api_error(run_example, globus_emulator):
    run = run_example("manage_flow.py", "delete", "-f", "00000000-0000-0000-0000-000000000000")
    assert run.returncode == 1
    assert "API Error: " in run.output


# globus/globus-flows-examples transfer_examples/: "simple" (one Transfer
# action, a 15-minute WaitTime, an item with no `recursive`, so a file or a
# directory) and "move" (stat both paths, work out the destination with
# expressions and a Choice, transfer, delete the source). The definitions
# below make the same action calls, expressions and choices, in our words;
# the inputs are the examples' sample inputs on the tutorial collections.

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
TRANSFER_AP = "https://transfer.actions.globus.org"
HOME = "/home/share/godata"  # where /~/ lands on the tutorial collections

COPY_ONE_PATH = {
    "StartAt": "Copy",
    "States": {
        "Copy": {
            "Type": "Action",
            "ActionUrl": f"{TRANSFER_AP}/transfer",
            "WaitTime": 900,
            "Parameters": {
                "source_endpoint.$": "$.source.id",
                "destination_endpoint.$": "$.destination.id",
                "DATA": [
                    {"source_path.$": "$.source.path", "destination_path.$": "$.destination.path"}
                ],
            },
            "End": True,
        }
    },
}


def _stat(side: str, result: str, following: str) -> dict[str, Any]:
    return {
        "Type": "Action",
        "ActionUrl": f"{TRANSFER_AP}/stat",
        "Parameters": {"endpoint_id.$": f"$.{side}.id", "path.$": f"$.{side}.path"},
        "ResultPath": f"$.{result}",
        "Next": following,
    }


def _both(source_dir: bool, dest_dir: bool) -> dict[str, Any]:
    return {
        "And": [
            {"Variable": "$.kinds.source_dir", "BooleanEquals": source_dir},
            {"Variable": "$.kinds.dest_dir", "BooleanEquals": dest_dir},
        ]
    }


MOVE = {
    "StartAt": "StatSource",
    "States": {
        "StatSource": _stat("source", "src_stat", "StatDestination"),
        "StatDestination": _stat("destination", "dst_stat", "Kinds"),
        "Kinds": {
            "Type": "ExpressionEval",
            "Parameters": {
                "source_dir.=": "src_stat.details.type == 'dir'",
                "dest_dir.=": "'type' in dst_stat.details and dst_stat.details.type == 'dir'",
                "dest_exists.=": (
                    "'code' not in dst_stat.details or dst_stat.details.code != 'NotFound'"
                ),
            },
            "ResultPath": "$.kinds",
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.kinds.dest_exists", "BooleanEquals": False, "Next": "SamePath"},
                {**_both(True, False), "Next": "DirOntoFile"},
                {**_both(False, True), "Next": "IntoDir"},
            ],
            "Default": "SamePath",
        },
        "IntoDir": {
            "Type": "ExpressionEval",
            "Parameters": {"path.=": "destination.path + source.path.rpartition('/')[2]"},
            "ResultPath": "$.target",
            "Next": "Copy",
        },
        "SamePath": {
            "Type": "ExpressionEval",
            "Parameters": {"path.$": "$.destination.path"},
            "ResultPath": "$.target",
            "Next": "Copy",
        },
        "Copy": {
            "Type": "Action",
            "ActionUrl": f"{TRANSFER_AP}/transfer",
            "WaitTime": 172800,
            "Parameters": {
                "source_endpoint.$": "$.source.id",
                "destination_endpoint.$": "$.destination.id",
                "DATA": [{"source_path.$": "$.source.path", "destination_path.$": "$.target.path"}],
            },
            "ResultPath": "$.copied",
            "Next": "RemoveSource",
        },
        "RemoveSource": {
            "Type": "Action",
            "ActionUrl": f"{TRANSFER_AP}/delete",
            "WaitTime": 172800,
            "Parameters": {
                "endpoint.$": "$.source.id",
                "recursive": True,
                "DATA": [{"path.$": "$.source.path"}],
            },
            "ResultPath": "$.removed",
            "Next": "Done",
        },
        "DirOntoFile": {
            "Type": "Fail",
            "Cause": "DirectoryOntoFile",
            "Error": "no dir onto a file",
        },
        "Done": {
            "Type": "Pass",
            "Parameters": {"message": "Move operation complete"},
            "ResultPath": "$.result",
            "End": True,
        },
    },
}

PATHS_INPUT_SCHEMA = {
    "type": "object",
    "required": ["source", "destination"],
    "properties": {
        side: {
            "type": "object",
            "required": ["id", "path"],
            "properties": {"id": {"type": "string"}, "path": {"type": "string"}},
        }
        for side in ("source", "destination")
    },
}


def run_to_the_end(globus_emulator, app, definition, body):
    flows = globus_sdk.FlowsClient(app=app)
    flow = flows.create_flow("example", definition, PATHS_INPUT_SCHEMA)
    run_id = globus_sdk.SpecificFlowClient(flow["id"], app=app).run_flow(body)["run_id"]
    for _ in range(30):
        run = flows.get_run(run_id)
        if run["status"] != "ACTIVE":
            return run
        globus_emulator.clock.advance(60)
    return run


def sample_input(source_path: str, destination_path: str) -> dict[str, Any]:
    return {
        "source": {"id": TUTORIAL_1, "path": source_path},
        "destination": {"id": TUTORIAL_2, "path": destination_path},
    }


def test_flows_examples_simple_transfer_copies_a_directory(globus_emulator, globus_user_app):
    globus_emulator.transfer.write(TUTORIAL_1, f"{HOME}/source-directory/a.txt", "a")
    body = sample_input("/~/source-directory", "/~/destination-directory")
    run = run_to_the_end(globus_emulator, globus_user_app, COPY_ONE_PATH, body)
    assert run["status"] == "SUCCEEDED", run["details"]
    assert globus_emulator.transfer.read(TUTORIAL_2, f"{HOME}/destination-directory/a.txt") == b"a"


def test_flows_examples_simple_transfer_copies_a_file(globus_emulator, globus_user_app):
    body = sample_input("/~/file1.txt", "/~/copied.txt")
    run = run_to_the_end(globus_emulator, globus_user_app, COPY_ONE_PATH, body)
    assert run["status"] == "SUCCEEDED", run["details"]
    assert globus_emulator.transfer.exists(TUTORIAL_2, f"{HOME}/copied.txt")


def test_flows_examples_move_a_directory_to_a_new_path(globus_emulator, globus_user_app):
    globus_emulator.transfer.write(TUTORIAL_1, f"{HOME}/source-directory/a.txt", "a")
    body = sample_input("/~/source-directory", "/~/destination-directory")
    run = run_to_the_end(globus_emulator, globus_user_app, MOVE, body)
    assert run["status"] == "SUCCEEDED", run["details"]
    assert run["details"]["output"]["result"]["message"] == "Move operation complete"
    assert globus_emulator.transfer.read(TUTORIAL_2, f"{HOME}/destination-directory/a.txt") == b"a"
    assert not globus_emulator.transfer.exists(TUTORIAL_1, f"{HOME}/source-directory")


def test_flows_examples_move_a_file_into_an_existing_directory(globus_emulator, globus_user_app):
    globus_emulator.transfer.write(TUTORIAL_1, f"{HOME}/results.csv", "1,2")
    globus_emulator.transfer.write(TUTORIAL_2, f"{HOME}/inbox/.keep", "")
    body = sample_input("/~/results.csv", "/~/inbox/")
    run = run_to_the_end(globus_emulator, globus_user_app, MOVE, body)
    assert run["status"] == "SUCCEEDED", run["details"]
    assert run["details"]["output"]["target"]["path"] == "/~/inbox/results.csv"
    assert globus_emulator.transfer.read(TUTORIAL_2, f"{HOME}/inbox/results.csv") == b"1,2"
    assert not globus_emulator.transfer.exists(TUTORIAL_1, f"{HOME}/results.csv")


def test_flows_examples_move_refuses_a_directory_onto_a_file(globus_emulator, globus_user_app):
    globus_emulator.transfer.write(TUTORIAL_1, f"{HOME}/source-directory/a.txt", "a")
    body = sample_input("/~/source-directory", "/~/file1.txt")
    run = run_to_the_end(globus_emulator, globus_user_app, MOVE, body)
    assert run["status"] == "FAILED"
    assert run["details"]["cause"] == "DirectoryOntoFile"
    assert globus_emulator.transfer.exists(TUTORIAL_1, f"{HOME}/source-directory/a.txt")


# globus/globus-flows-trigger-examples: deploy the transfer flow, then run
# it for a new file's folder as its watcher does (scripts/trigger_transfer.py)


@needs_sdk3
def test_trigger_examples_deploy_then_run_for_a_new_folder(run_example, globus_emulator):
    from pathlib import Path

    scripts = Path(__file__).parent / "scripts"
    deployed = run_example(
        "trigger_transfer.py",
        "deploy",
        str(scripts / "trigger_transfer_definition.json"),
        str(scripts / "trigger_transfer_schema.json"),
    )
    assert deployed.returncode == 0, deployed.output
    assert deployed.logins == 1
    flow_id = deployed.output.split("Deployed flow ")[1].split()[0]

    instrument = globus_emulator.transfer.add_collection(
        "Instrument", files={"/data/run7/image.tif": "tif", "/data/run7/meta.json": "{}"}
    )
    archive = globus_emulator.transfer.add_collection(
        "Automation tutorial", files={"/automation-tutorial/USERNAME/.keep": ""}
    )
    ran = run_example(
        "trigger_transfer.py", "run", flow_id, instrument.id, archive.id, "/data/run7/image.tif"
    )
    assert ran.returncode == 0, ran.output
    assert ran.logins == 1  # the flow's own scope: a second login
    run_id = ran.output.split("https://app.globus.org/runs/")[1].split()[0]

    token = globus_emulator.auth.issue_token(globus_emulator.user, str(FlowsScopes.run_status))
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    run = flows.get_run(run_id)
    for _ in range(10):
        if run["status"] != "ACTIVE":
            break
        globus_emulator.clock.advance(60)
        run = flows.get_run(run_id)
    assert run["status"] == "SUCCEEDED", run["details"]
    assert run["label"] == "Trigger transfer: image.tif"
    assert run["tags"] == ["Trigger_Tutorial"]
    copied = "/automation-tutorial/USERNAME/run7/meta.json"
    assert globus_emulator.transfer.read(archive, copied) == b"{}"

    # both logins' refresh tokens were kept: redeploying asks for none
    again = run_example(
        "trigger_transfer.py",
        "deploy",
        str(scripts / "trigger_transfer_definition.json"),
        str(scripts / "trigger_transfer_schema.json"),
        flow_id,
    )
    assert again.returncode == 0, again.output
    assert again.logins == 0
    assert f"Updated flow {flow_id}" in again.output
