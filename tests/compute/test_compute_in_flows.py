"""Flows with a Globus Compute step: the hosted Compute providers submit to
the emulated Compute API and the function really runs."""

from __future__ import annotations

import globus_sdk
import pytest

pytest.importorskip("globus_compute_sdk")

FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"


def add(a, b=0):
    return a + b


def explode():
    raise RuntimeError("the sample was empty")


def _compute_step(url, parameters):
    return {
        "StartAt": "Compute",
        "States": {
            "Compute": {
                "Type": "Action",
                "ActionUrl": url,
                "Parameters": parameters,
                "ResultPath": "$.computed",
                "End": True,
            }
        },
    }


@pytest.fixture
def run_flow(globus_emulator):
    """Deploy a definition, run it with ``body`` as the user, return the run."""
    user = globus_emulator.user
    manage = globus_sdk.AccessTokenAuthorizer(globus_emulator.auth.issue_token(user, FLOWS_ALL))
    flows = globus_sdk.FlowsClient(authorizer=manage)

    def run(definition, body):
        flow = flows.create_flow("compute step", definition, {}).data
        token = globus_emulator.auth.issue_token(user, flow["globus_auth_scope"])
        runner = globus_sdk.SpecificFlowClient(
            flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token)
        )
        return flows.get_run(runner.run_flow(body)["run_id"]).data

    return run


def test_flow_runs_a_function_through_the_v3_compute_provider(gcc, endpoint, run_flow):
    function_id = gcc.register_function(add)
    definition = _compute_step(
        "https://compute.actions.globus.org/v3",
        {
            "endpoint_id.$": "$.endpoint",
            "tasks": [
                {"function_id.$": "$.function", "args": [2], "kwargs.$": "$.kwargs"},
                {"function_id.$": "$.function", "args": [10]},
            ],
        },
    )
    run = run_flow(
        definition, {"endpoint": endpoint.id, "function": function_id, "kwargs": {"b": 3}}
    )
    assert run["status"] == "SUCCEEDED", run["details"]
    details = run["details"]["output"]["computed"]["details"]
    assert details["result"] == [5, 10]
    assert [r["output"] for r in details["results"]] == [5, 10]


def test_flow_runs_a_function_through_the_v2_compute_provider(gcc, endpoint, run_flow):
    function_id = gcc.register_function(add)
    definition = _compute_step(
        "https://compute.actions.globus.org",
        {"endpoint.$": "$.endpoint", "function.$": "$.function", "kwargs": {"a": 1, "b": 1}},
    )
    run = run_flow(definition, {"endpoint": endpoint.id, "function": function_id})
    assert run["status"] == "SUCCEEDED", run["details"]
    assert run["details"]["output"]["computed"]["details"]["result"] == [2]


def test_a_failing_function_fails_the_flow_with_its_traceback(gcc, endpoint, run_flow):
    function_id = gcc.register_function(explode)
    definition = _compute_step(
        "https://compute.actions.globus.org/v3",
        {"endpoint_id": endpoint.id, "tasks": [{"function_id": function_id}]},
    )
    run = run_flow(definition, {})
    assert run["status"] == "FAILED"
    assert "the sample was empty" in str(run["details"])


def test_a_compute_step_waits_while_the_endpoint_is_offline_then_finishes(
    globus_emulator, gcc, endpoint, run_flow
):
    function_id = gcc.register_function(add)
    globus_emulator.compute.set_online(endpoint.id, False)
    definition = _compute_step(
        "https://compute.actions.globus.org/v3",
        {"endpoint_id": endpoint.id, "tasks": [{"function_id": function_id, "args": [4]}]},
    )
    run = run_flow(definition, {})
    assert run["status"] == "ACTIVE"
    globus_emulator.compute.set_online(endpoint.id)
    globus_emulator.clock.advance(600)  # past the flow's polling interval
    flows = globus_sdk.FlowsClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(
            globus_emulator.auth.issue_token(globus_emulator.user, FLOWS_ALL)
        )
    )
    run = flows.get_run(run["run_id"]).data
    assert run["status"] == "SUCCEEDED", run["details"]
    assert run["details"]["output"]["computed"]["details"]["result"] == [4]
