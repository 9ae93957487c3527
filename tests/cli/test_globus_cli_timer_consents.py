"""`globus timer ...` as a logged-in person (globus-cli, unchanged): the
consents a timer needs are asked for the way the CLI tells its user to
get them, then the same command succeeds; a timer made inactive by a
revoked consent is resumed after consenting again."""

from __future__ import annotations

import json

import globus_sdk
import pytest

from .test_globus_cli import GLOBUS, globus, globus_interactive_login

pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


@pytest.fixture
def logged_in(user_env, globus_server):
    globus_interactive_login(user_env, globus_server, "login", "--no-local-server")
    return user_env


def create_transfer_timer(env, *, check: bool = True):
    return globus(
        env,
        "timer",
        "create",
        "transfer",
        f"{TUTORIAL_1}:/share/godata/file1.txt",
        f"{TUTORIAL_2}:/~/file1.txt",
        "--interval",
        "1h",
        "-Fjson",
        check=check,
    )


def test_a_transfer_timer_asks_for_data_access_then_is_created(
    logged_in, globus_server, globus_emulator
):
    refused = create_transfer_timer(logged_in, check=False)
    assert refused.returncode == 4
    told = refused.stdout + refused.stderr
    assert "globus session consent" in told
    assert f"--timer-data-access '{TUTORIAL_1}'" in told
    assert f"--timer-data-access '{TUTORIAL_2}'" in told
    assert globus_emulator.world.timers.timers == {}

    globus_interactive_login(
        logged_in,
        globus_server,
        "session",
        "consent",
        "--timer-data-access",
        TUTORIAL_1,
        "--timer-data-access",
        TUTORIAL_2,
        "--no-local-server",
    )
    timer = json.loads(create_transfer_timer(logged_in).stdout)
    globus_emulator.clock.advance(1)
    shown = json.loads(globus(logged_in, "timer", "show", timer["job_id"], "-Fjson").stdout)
    assert shown["n_runs"] == 1
    assert {r["status"] for r in shown["results"]["data"]} == {202}


def test_a_flow_timer_asks_for_the_flows_user_scope_then_is_created(
    logged_in, globus_server, globus_emulator
):
    token = globus_emulator.auth.issue_token(globus_emulator.user, FLOWS_ALL)
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    flow_id = flows.create_flow("Pass", PASS, {})["id"]
    refused = globus(
        logged_in, "timer", "create", "flow", flow_id, "--stop-after-runs", "1", check=False
    )
    assert refused.returncode == 4
    assert f"globus login --timer flow:{flow_id}" in refused.stdout + refused.stderr

    globus_interactive_login(
        logged_in, globus_server, "login", "--timer", f"flow:{flow_id}", "--no-local-server"
    )
    created = globus(
        logged_in, "timer", "create", "flow", flow_id, "--stop-after-runs", "1", "-Fjson"
    )
    timer = json.loads(created.stdout)
    assert timer["timer_type"] == "flow"
    globus_emulator.clock.advance(1)
    (run,) = flows.list_runs(filter_flow_id=flow_id)["runs"]
    assert run["status"] == "SUCCEEDED"


def test_resume_after_a_revoked_consent_is_asked_for_again(
    logged_in, globus_server, globus_emulator
):
    globus_interactive_login(
        logged_in,
        globus_server,
        "session",
        "consent",
        "--timer-data-access",
        TUTORIAL_1,
        "--timer-data-access",
        TUTORIAL_2,
        "--no-local-server",
    )
    job_id = json.loads(create_transfer_timer(logged_in).stdout)["job_id"]
    globus_emulator.clock.advance(1)
    globus_emulator.auth.revoke_consent(
        globus_emulator.user, f"https://auth.globus.org/scopes/{TUTORIAL_2}/data_access"
    )
    globus_emulator.clock.advance(3600)
    shown = json.loads(globus(logged_in, "timer", "show", job_id, "-Fjson").stdout)
    assert shown["status"] == "inactive"

    refused = globus(logged_in, "timer", "resume", job_id, check=False)
    assert refused.returncode != 0
    assert "globus session consent" in refused.stdout + refused.stderr
    globus_interactive_login(
        logged_in,
        globus_server,
        "session",
        "consent",
        "--timer-data-access",
        TUTORIAL_2,
        "--no-local-server",
    )
    resumed = globus(logged_in, "timer", "resume", job_id)
    assert "Successfully resumed" in resumed.stdout
    shown = json.loads(globus(logged_in, "timer", "show", job_id, "-Fjson").stdout)
    assert shown["status"] in ("new", "loaded")
