"""Flow timers: each occurrence starts a real run of the flow, as the
timer's owner, with the flow's own scope consented beneath Timers'."""

from __future__ import annotations

import globus_sdk
import pytest
from globus_sdk.gare import to_gare

from .conftest import DAY, TIMER, flow_user

FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
GREETING = {
    "StartAt": "Greet",
    "States": {
        "Greet": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string.$": "$.name"},
            "ResultPath": "$.greeting",
            "End": True,
        }
    },
}


@pytest.fixture
def flows(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, FLOWS_ALL, lifetime=31 * DAY)
    return globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


@pytest.fixture
def flow_id(flows):
    return flows.create_flow("Greeter", GREETING, {})["id"]


def greeting_timer(flow_id: str, **schedule: object) -> globus_sdk.FlowTimer:
    return globus_sdk.FlowTimer(
        flow_id=flow_id,
        name="daily greeting",
        schedule=globus_sdk.RecurringTimerSchedule(DAY, **schedule),
        body={"body": {"name": "Ada"}, "tags": ["from-timer"]},
    )


def test_a_flow_timer_starts_runs_of_the_flow_as_its_owner(
    timers_for, flows, flow_id, globus_emulator
):
    timers = timers_for(None, flows=(flow_id,))
    timer = timers.create_timer(greeting_timer(flow_id))["timer"]
    assert (timer["timer_type"], timer["flow_id"]) == ("flow", flow_id)
    globus_emulator.clock.advance(2 * DAY + 1)
    job = timers.get_job(timer["job_id"])
    assert job["callback_url"] == f"https://flows.automate.globus.org/flows/{flow_id}/run"
    assert job["n_runs"] == 3
    run_ids = [r["resource_id"] for r in job["results"]["data"]]
    runs = flows.list_runs(filter_flow_id=flow_id)["runs"]
    assert sorted(r["run_id"] for r in runs) == sorted(run_ids)
    run = flows.get_run(run_ids[0])
    assert run["run_owner"] == f"urn:globus:auth:identity:{globus_emulator.user.id}"
    assert run["tags"] == ["from-timer"]
    assert run["label"] == "daily greeting"
    assert run["status"] == "SUCCEEDED"
    assert run["details"]["output"]["greeting"]["details"]["hello"] == "Ada"


def test_a_flow_timer_without_the_flows_consent_answers_the_requirement(timers_for, flow_id):
    timers = timers_for(None)
    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        timers.create_timer(greeting_timer(flow_id))
    assert caught.value.http_status == 403
    gare = to_gare(caught.value)
    assert gare is not None
    assert gare.authorization_parameters.required_scopes == [f"{TIMER}[{flow_user(flow_id)}]"]


@pytest.mark.skipif(
    not hasattr(globus_sdk.TimersClient, "add_app_flow_user_scope"),
    reason="globus-sdk 3.x has no add_app_flow_user_scope",
)
def test_a_flow_timer_made_through_the_sdk_app_helper_runs(
    globus_user_app, flow_id, flows, globus_emulator
):
    timers = globus_sdk.TimersClient(app=globus_user_app).add_app_flow_user_scope(flow_id)
    timers.create_timer(greeting_timer(flow_id, end={"condition": "iterations", "count": 1}))
    globus_emulator.clock.advance(5 * DAY)
    assert len(flows.list_runs(filter_flow_id=flow_id)["runs"]) == 1


def test_a_timer_for_a_flow_that_does_not_exist_is_not_found(timers_for):
    import uuid

    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        timers_for(None).create_timer(greeting_timer(str(uuid.uuid4())))
    assert caught.value.http_status == 404
