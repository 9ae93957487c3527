"""globus-automate-client 0.18 (end of life, still in use), unchanged:
FlowsClient deploys and runs a flow through the flow-as-provider paths,
and ActionClient drives hello_world. Runs where the client is installed
(the nox session `automate`, which also pins its jsonschema 3)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import globus_sdk
import pytest
import requests

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


# beside this Python (a venv's bin/, not necessarily on PATH), or on PATH
GLOBUS_AUTOMATE = shutil.which(
    "globus-automate", path=os.path.dirname(sys.executable)
) or shutil.which("globus-automate")
AUTHORIZE_URL = re.compile(r"(https?://\S+/v2/oauth2/authorize\?\S+)")


def globus_automate(server, *args):
    """The `globus-automate` command with only the environment
    `globus_server` sets (what `serve` prints), logging in as a person
    would: it prints a URL, the person pastes back a code."""
    env = {k: v for k, v in os.environ.items() if k != "HOME"}
    env["HOME"] = tempfile.mkdtemp(prefix="automate-home-")  # its token file
    process = subprocess.Popen(
        [GLOBUS_AUTOMATE, *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = ""
    while (char := process.stdout.read(1)) != "":
        seen += char
        if seen.endswith("Authorization Code here: "):
            url = AUTHORIZE_URL.search(seen).group(1)
            answer = requests.post(f"{server.url}/_testkit/auth/authorize", json={"url": url})
            process.stdin.write(answer.json()["code"] + "\n")
            process.stdin.flush()
            seen = ""
    assert process.wait(timeout=60) == 0, seen
    return json.loads(seen)


@pytest.mark.skipif(GLOBUS_AUTOMATE is None, reason="the globus-automate command is not installed")
def test_the_globus_automate_command_reaches_a_served_world_through_the_environment(
    globus_server, globus_emulator, tmp_path
):
    definition = tmp_path / "flow.json"
    definition.write_text(json.dumps(DEFINITION))
    deployed = globus_automate(
        globus_server, "flow", "deploy", "--title", "Hello", "--definition", str(definition),
        "-f", "json",
    )  # fmt: skip
    assert deployed["id"] in globus_emulator.world.flows.flows
    started = globus_automate(
        globus_server, "flow", "run", deployed["id"], "--label", "from the shell",
        "--flow-input", json.dumps({"input": {"echo_string": "hi"}}), "-f", "json",
    )  # fmt: skip
    assert started["status"] in ("ACTIVE", "SUCCEEDED")
    introspected = globus_automate(
        globus_server, "action", "introspect", "--action-url",
        f"{globus_server.url}/actions/hello_world", "-f", "json",
    )  # fmt: skip
    assert introspected["globus_auth_scope"] == HELLO_SCOPE
