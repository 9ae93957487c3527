"""The timer examples in globus-sdk's own documentation, run unchanged:
the code blocks are read from the installed SDK's docstrings and run with
their placeholders (an app, a collection, a flow) bound to this world."""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

import globus_sdk
import pytest

from globus_testkit.apps import user_app

from .conftest import DAY, TUTORIAL_1
from .test_flow_timers import FLOWS_ALL

SDK_MAJOR = int(globus_sdk.__version__.split(".")[0])

ECHO = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}


def code_blocks(method: Any) -> list[str]:
    """The ``.. code-block:: python`` blocks of a method's docstring."""
    lines = inspect.getdoc(method).splitlines()
    blocks = []
    for number, line in enumerate(lines):
        if line.strip() != ".. code-block:: python":
            continue
        indent = len(line) - len(line.lstrip())
        body = []
        for following in lines[number + 1 :]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following)
        blocks.append(textwrap.dedent("\n".join(body)).strip() + "\n")
    return blocks


def run_example(source: str, emulator: Any, **names: Any) -> dict[str, Any]:
    def app_for_this_world(app_name: str, **_: Any) -> globus_sdk.UserApp:
        return user_app(emulator, app_name, login=False)

    namespace: dict[str, Any] = {
        **{name: getattr(globus_sdk, name) for name in globus_sdk.__all__},
        "UserApp": app_for_this_world,
        "NATIVE_APP_CLIENT_ID": emulator.native_client_id,
        **names,
    }
    exec(compile(source, "<globus-sdk docstring>", "exec"), namespace)
    return namespace


@pytest.mark.skipif(
    SDK_MAJOR < 4, reason="globus-sdk 3.x's own example passes TransferData's ids as 4.x takes them"
)
def test_the_transfer_data_access_example_creates_a_daily_timer(globus_emulator):
    (example,) = code_blocks(globus_sdk.TimersClient.add_app_transfer_data_access_scope)
    assert "client.create_timer(daily_timer)" in example
    namespace = run_example(example, globus_emulator, COLLECTION_ID=TUTORIAL_1)
    client = namespace["client"]
    (job,) = client.list_jobs()["jobs"]
    assert (job["name"], job["interval"]) == ("test_timer", DAY)
    globus_emulator.clock.advance(DAY + 1)
    job = client.get_job(job["job_id"])
    assert job["n_runs"] == 2
    assert {r["status"] for r in job["results"]["data"]} == {202}


@pytest.mark.skipif(
    not hasattr(globus_sdk.TimersClient, "add_app_flow_user_scope"),
    reason="globus-sdk 3.x has no add_app_flow_user_scope",
)
def test_the_flow_user_scope_example_creates_a_flow_timer(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, FLOWS_ALL)
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    flow_id = flows.create_flow("Echo", ECHO, {})["id"]
    (example,) = code_blocks(globus_sdk.TimersClient.add_app_flow_user_scope)
    namespace = run_example(example, globus_emulator, FLOW_ID=flow_id)
    (job,) = namespace["client"].list_jobs()["jobs"]
    assert job["name"] == "my flow timer"
    globus_emulator.clock.advance(1)
    (run,) = flows.list_runs(filter_flow_id=flow_id)["runs"]
    assert run["status"] == "SUCCEEDED"
    assert flows.get_run(run["run_id"])["details"]["output"] == {"input_key": "input_value"}


def test_documents_have_every_field_of_the_sdks_recorded_responses(timers_for, globus_emulator):
    load_response_set = pytest.importorskip("globus_sdk.testing").load_response_set

    from .conftest import TUTORIAL_2, tutorial_transfer

    recorded_timer = load_response_set("timer.create_timer").lookup("default").json["timer"]
    recorded_job = load_response_set("timer.get_job").lookup("default").json
    client = timers_for(None, TUTORIAL_1, TUTORIAL_2)
    timer = client.create_timer(
        globus_sdk.TransferTimer(
            schedule=globus_sdk.RecurringTimerSchedule(DAY), body=tutorial_transfer()
        )
    )["timer"]
    assert set(recorded_timer) <= set(timer)
    globus_emulator.clock.advance(1)
    job = client.get_job(timer["job_id"])
    assert set(recorded_job) <= set(job.data)
    assert set(recorded_job["results"]) <= set(job["results"])
    assert {"data", "errors", "status", "ran_at"} <= set(job["results"]["data"][0])
