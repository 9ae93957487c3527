"""`globus timer ...` (globus-cli, unchanged) against the live server, as
the service account: create transfer and flow timers, list, show, pause,
resume, delete, and see the timer's transfers happen as the clock moves."""

from __future__ import annotations

import json

import globus_sdk
import pytest
import requests

from .test_globus_cli import GLOBUS, globus

pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"


def advance(server, seconds: float) -> None:
    answer = requests.post(
        f"{server.url}/_testkit/clock/advance", json={"seconds": seconds}, timeout=30
    )
    answer.raise_for_status()


def create_transfer_timer(cli_env) -> str:
    out = globus(
        cli_env,
        "timer",
        "create",
        "transfer",
        f"{TUTORIAL_1}:/share/godata/file1.txt",
        f"{TUTORIAL_2}:/~/file1.txt",
        "--interval",
        "1d",
        "--name",
        "cli nightly",
        "--label",
        "from the cli",
        "-Fjson",
    ).stdout
    timer = json.loads(out)
    assert (timer["name"], timer["timer_type"]) == ("cli nightly", "transfer")
    assert timer["status"] == "new"
    return str(timer["job_id"])


def test_create_transfer_timer_then_list_and_show_its_runs(cli_env, globus_server, globus_emulator):
    job_id = create_transfer_timer(cli_env)
    listed = globus(cli_env, "timer", "list").stdout
    assert job_id in listed and "cli nightly" in listed
    advance(globus_server, 2 * 86400 + 1)
    shown = json.loads(globus(cli_env, "timer", "show", job_id, "-Fjson").stdout)
    assert (shown["n_runs"], shown["n_errors"]) == (3, 0)
    text = globus(cli_env, "timer", "show", job_id).stdout
    assert "Transfer" in text and "Awaiting the next run" in text
    tasks = [
        e
        for e in globus_emulator.journal.entries()
        if e.service == "transfer" and e.operation == "submit_transfer"
    ]
    assert len(tasks) == 3
    assert {e.identity_id for e in tasks} == {globus_emulator.service_account.client_id}


def test_pause_resume_and_delete_a_timer(cli_env, globus_server):
    job_id = create_transfer_timer(cli_env)
    assert "Successfully paused" in globus(cli_env, "timer", "pause", job_id).stdout
    shown = json.loads(globus(cli_env, "timer", "show", job_id, "-Fjson").stdout)
    assert shown["status"] == "inactive"
    advance(globus_server, 86400)
    assert json.loads(globus(cli_env, "timer", "show", job_id, "-Fjson").stdout)["n_runs"] == 0
    assert "Successfully resumed" in globus(cli_env, "timer", "resume", job_id).stdout
    advance(globus_server, 1)
    assert json.loads(globus(cli_env, "timer", "show", job_id, "-Fjson").stdout)["n_runs"] == 1
    globus(cli_env, "timer", "delete", job_id)
    assert job_id not in globus(cli_env, "timer", "list").stdout
    assert globus(cli_env, "timer", "show", job_id, check=False).returncode != 0


def test_create_a_flow_timer_that_runs_the_flow(cli_env, globus_server, globus_emulator):
    account = globus_emulator.service_account.client_id
    token = globus_emulator.auth.issue_token(account, FLOWS_ALL, client_id=account)
    flows = globus_sdk.FlowsClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(token),
        base_url=globus_server.env["GLOBUS_SDK_SERVICE_URL_FLOWS"],
    )
    flow_id = flows.create_flow(
        "Nothing much", {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}, {}
    )["id"]
    out = globus(
        cli_env,
        "timer",
        "create",
        "flow",
        flow_id,
        "--interval",
        "1h",
        "--stop-after-runs",
        "2",
        "--input",
        '{"x": 1}',
        "-Fjson",
    ).stdout
    job_id = json.loads(out)["job_id"]
    advance(globus_server, 3 * 3600)
    shown = json.loads(globus(cli_env, "timer", "show", job_id, "-Fjson").stdout)
    assert (shown["status"], shown["n_runs"], shown["n_errors"]) == ("ended", 2, 0)
    assert len(flows.list_runs(filter_flow_id=flow_id)["runs"]) == 2
