"""The dashboard, rendered by headless Chromium against the live server,
shows a seeded world: identities, collections and files, a task, a flow
run, an exchange mailbox, and the journal. Skipped where Debian's chromium is not installed
(.ci/run installs it)."""

from __future__ import annotations

import json
import shutil
import subprocess

import globus_sdk
import pytest
import requests

from globus_testkit.services.exchange.models import EXCHANGE_SCOPE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=4000",
]
TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"


def chromium(tmp_path, *args):
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture
def seeded(globus_emulator, globus_server):
    globus_emulator.transfer.add_collection("Lab storage", files={"/data/a.txt": "alpha"})
    token = globus_emulator.auth.issue_token(
        globus_emulator.user,
        "urn:globus:auth:scope:transfer.api.globus.org:all"
        f"[*https://auth.globus.org/scopes/{TUTORIAL_1}/data_access"
        f" *https://auth.globus.org/scopes/{TUTORIAL_2}/data_access]",
    )
    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    data = globus_sdk.TransferData(
        source_endpoint=TUTORIAL_2, destination_endpoint=TUTORIAL_1, label="dashboard copy"
    )
    data.add_item("/home/share/godata/", "/home/share/copy/", recursive=True)
    tc.get_task(tc.submit_transfer(data)["task_id"])
    flows_token = globus_emulator.auth.issue_token(
        globus_emulator.user,
        "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all",
    )
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(flows_token))
    flow = flows.create_flow(
        "Hello flow",
        {
            "StartAt": "H",
            "States": {
                "H": {
                    "Type": "Action",
                    "ActionUrl": "https://actions.globus.org/hello_world",
                    "Parameters": {"echo_string": "hi"},
                    "End": True,
                }
            },
        },
        {},
    ).data
    runner = globus_sdk.SpecificFlowClient(
        flow["id"],
        authorizer=globus_sdk.AccessTokenAuthorizer(
            globus_emulator.auth.issue_token(globus_emulator.user, flow["globus_auth_scope"])
        ),
    )
    flows.get_run(runner.run_flow({}, label="dashboard run")["run_id"])
    exchange_token = globus_emulator.auth.issue_token(globus_emulator.user, EXCHANGE_SCOPE)
    agent = {"uid": "6f1d3c0e-8a5e-4a57-9d5c-2b7f0f1e9a11", "name": "worker-7", "role": "agent"}
    registered = requests.post(
        f"{globus_emulator.exchange.url}/mailbox",
        json={"mailbox": json.dumps(agent), "agent": "lab.Worker,academy.agent.Agent"},
        headers={"Authorization": f"Bearer {exchange_token}"},
        timeout=10,
    )
    assert registered.status_code == 200, registered.text
    return f"{globus_server.url}/_testkit/dashboard"


def test_the_dashboard_shows_the_world(seeded, tmp_path, globus_emulator):
    dom = chromium(tmp_path, "--dump-dom", seeded)
    for text in (
        globus_emulator.user.username,
        "globus-testkit service account",
        "Lab storage",
        "/data/a.txt",
        "/home/share/copy/file1.txt",
        "dashboard copy",
        "Hello flow",
        "dashboard run",
        "FlowSucceeded",
        "submit_transfer",
        "worker-7",
        "lab.Worker",
    ):
        assert text in dom, text


def test_the_dashboard_screenshot_is_made(seeded, tmp_path):
    shot = tmp_path / "dashboard.png"
    chromium(tmp_path, "--window-size=1280,1600", f"--screenshot={shot}", seeded)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
