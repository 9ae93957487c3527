"""globus-automate-client 0.18 (end of life, still in use), unchanged:
FlowsClient deploys and runs a flow through the flow-as-provider paths,
and ActionClient drives hello_world. Runs where the client is installed
(the nox session `automate`, which also pins its jsonschema 3)."""

from __future__ import annotations

import globus_sdk
import pytest

automate = pytest.importorskip("globus_automate_client")

HELLO = "https://actions.globus.org/hello_world"
HELLO_SCOPE = "https://auth.globus.org/scopes/actions.globus.org/hello_world"
DEFINITION = {
    "StartAt": "Hello",
    "States": {
        "Hello": {
            "Type": "Action",
            "ActionUrl": HELLO,
            "Parameters": {"echo_string.$": "$.input.echo_string"},
            "ResultPath": "$.HelloResult",
            "End": True,
        },
    },
}


def test_deploy_run_watch_and_release_a_flow(flows_client, globus_emulator):
    deployed = flows_client.deploy_flow(DEFINITION, "Hello flow", input_schema={})
    flow_id, flow_scope = deployed["id"], deployed["globus_auth_scope"]
    started = flows_client.run_flow(
        flow_id, flow_scope, {"input": {"echo_string": "hi"}}, monitor_by=[], label="automate"
    )
    run_id = started["action_id"]
    status = flows_client.flow_action_status(flow_id, flow_scope, run_id)
    assert status["status"] == "SUCCEEDED"
    assert status["details"]["output"]["HelloResult"]["details"]["hello"] == "hi"
    log = flows_client.flow_action_log(flow_id, flow_scope, run_id)
    assert log["entries"][0]["code"] == "FlowStarted"
    released = flows_client.flow_action_release(flow_id, flow_scope, run_id)
    assert released["action_id"] == run_id
    assert run_id not in globus_emulator.world.flows.runs


def test_a_dry_run_deploy_stores_nothing(flows_client, globus_emulator):
    preview = flows_client.deploy_flow(DEFINITION, "Preview", input_schema={}, dry_run=True)
    assert preview["title"] == "Preview"
    assert globus_emulator.world.flows.flows == {}


def test_action_client_drives_hello_world(globus_emulator, globus_transport):
    url = (
        HELLO
        if globus_transport == "inprocess"
        else (globus_emulator._servers[0].service_url("actions") + "hello_world")
    )
    token = globus_emulator.auth.issue_token(globus_emulator.user, HELLO_SCOPE)
    client = automate.ActionClient.new_client(url, globus_sdk.AccessTokenAuthorizer(token))
    assert client.introspect()["globus_auth_scope"] == HELLO_SCOPE
    action = client.run({"echo_string": "from automate"}, label="greet")
    status = client.status(action["action_id"])
    assert status["details"] == {"Hello": "World", "hello": "from automate"}
    assert client.release(action["action_id"])["action_id"] == action["action_id"]
