"""globus-sdk's create_and_run_flow examples (docs/examples/create_and_run_flow/:
manage_flow.py, manage_flow_minimal.py, run_flow_minimal.py), run as their
readers run them: one UserApp whose tokens persist from command to command."""

from __future__ import annotations

import json
from typing import Any

import globus_sdk
from globus_sdk.scopes import FlowsScopes


def printed_document(output: str) -> Any:
    """The response the example printed (the SDK prints it as JSON)."""
    assert "{" in output, output
    return json.loads(output[output.index("{") :])


def created_flow_id(output: str) -> str:
    return str(printed_document(output)["id"])


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


def test_deleting_an_unknown_flow_prints_the_api_error(run_example, globus_emulator):
    run = run_example("manage_flow.py", "delete", "-f", "00000000-0000-0000-0000-000000000000")
    assert run.returncode == 1
    assert "API Error: " in run.output
