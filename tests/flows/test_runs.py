"""Flows created, run and inspected through globus-sdk's FlowsClient and
SpecificFlowClient, with the hosted hello_world provider."""

from __future__ import annotations

import globus_sdk
import pytest

from .conftest import FLOWS_ALL, HELLO

DEFINITION = {
    "Comment": "Greets, chooses, waits, computes, and catches",
    "StartAt": "Greet",
    "States": {
        "Greet": {
            "Type": "Action",
            "ActionUrl": HELLO,
            "Parameters": {"echo_string.$": "$.name"},
            "ResultPath": "$.greeting",
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.count", "NumericGreaterThan": 10, "Next": "Big"},
                {
                    "And": [
                        {"Variable": "$.name", "StringMatches": "A*"},
                        {"Variable": "$.count", "IsNumeric": True},
                    ],
                    "Next": "Wait",
                },
            ],
            "Default": "Fail",
        },
        "Big": {
            "Type": "Pass",
            "Result": {"size": "big"},
            "ResultPath": "$.verdict",
            "Next": "Compute",
        },
        "Wait": {"Type": "Wait", "Seconds": 30, "Next": "Compute"},
        "Compute": {
            "Type": "ExpressionEval",
            "Parameters": {
                "doubled.=": "count * 2",
                "shout.=": "name.upper() if False else name + '!'",
            },
            "ResultPath": "$.computed",
            "End": True,
        },
        "Fail": {"Type": "Fail", "Error": "NoSuchName", "Cause": "names start with A"},
    },
}


@pytest.fixture
def flow(flows):
    return flows.create_flow(
        "Greeter flow", DEFINITION, {"type": "object", "required": ["name", "count"]}
    ).data


def test_a_flow_runs_to_succeeded_with_a_real_action(flow, runner_for, flows):
    run = runner_for(flow).run_flow({"name": "Zed", "count": 20}, label="big one").data
    got = flows.get_run(run["run_id"]).data
    assert got["status"] == "SUCCEEDED"
    output = got["details"]["output"]
    assert output["greeting"]["details"] == {"Hello": "World", "hello": "Zed"}
    assert output["verdict"] == {"size": "big"}
    assert output["computed"]["doubled"] == 40
    codes = [e["code"] for e in flows.get_run_logs(run["run_id"], limit=100)["entries"]]
    assert codes[0] == "FlowStarted" and codes[-1] == "FlowSucceeded"
    assert {
        "ActionStarted",
        "ActionCompleted",
        "ChoiceCompleted",
        "PassCompleted",
        "ExpressionEvalCompleted",
    } <= set(codes)


def test_a_wait_state_waits_on_the_virtual_clock(flow, runner_for, flows, globus_emulator):
    run_id = runner_for(flow).run_flow({"name": "Ada", "count": 1})["run_id"]
    assert flows.get_run(run_id)["status"] == "ACTIVE"
    globus_emulator.clock.advance(31)
    assert flows.get_run(run_id)["status"] == "SUCCEEDED"


def test_a_fail_state_fails_the_run(flow, runner_for, flows):
    run_id = runner_for(flow).run_flow({"name": "Bob", "count": 1})["run_id"]
    run = flows.get_run(run_id)
    assert run["status"] == "FAILED"
    assert run["details"]["error"] == "NoSuchName"


def test_schema_violating_input_is_refused_with_flow_input_error(flow, runner_for, flows):
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        runner_for(flow).run_flow({"name": "Ada"})
    assert caught.value.http_status == 400
    assert caught.value.code == "FLOW_INPUT_ERROR"
    assert list(flows.list_runs()) == []


def test_a_broken_definition_is_refused(flows):
    broken = {"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "Next": "B"}}}
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.create_flow("Broken", broken, {})
    assert caught.value.http_status == 422
    assert caught.value.code == "UNPROCESSABLE_ENTITY"
    assert "StartAt" in caught.value.raw_json["error"]["detail"]
    assert list(flows.list_flows()) == []


def test_a_caught_action_failure_goes_to_the_catch(flows, runner_for):
    definition = {
        "StartAt": "Bad",
        "States": {
            "Bad": {
                "Type": "Action",
                "ActionUrl": HELLO,
                "Parameters": {"nonsense": 1},
                "Catch": [
                    {
                        "ErrorEquals": ["ActionUnableToRun"],
                        "Next": "Handled",
                        "ResultPath": "$.error",
                    }
                ],
                "Next": "Handled",
            },
            "Handled": {"Type": "Pass", "End": True},
        },
    }
    flow = flows.create_flow("Catcher", definition, {}).data
    run = flows.get_run(runner_for(flow).run_flow({})["run_id"])
    assert run["status"] == "SUCCEEDED"
    assert run["details"]["output"]["error"]["Error"] == "ActionUnableToRun"


def test_cancel_release_and_their_conflicts(flow, runner_for, flows):
    run_id = runner_for(flow).run_flow({"name": "Ada", "count": 1})["run_id"]
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.release_run(run_id) if hasattr(flows, "release_run") else flows.post(
            f"/runs/{run_id}/release"
        )
    assert caught.value.http_status == 409
    cancelled = flows.cancel_run(run_id)
    assert cancelled.http_status == 202
    canceled = flows.get_run(run_id)
    assert (canceled["status"], canceled["display_status"]) == ("FAILED", "FAILED")
    assert canceled["details"]["code"] == "FlowCanceled"
    released = flows.post(f"/runs/{run_id}/release")
    assert released["run_id"] == run_id
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.get_run(run_id)
    assert caught.value.http_status == 404


def test_another_user_cannot_see_my_flow_or_run(flow, runner_for, flows, globus_emulator):
    run_id = runner_for(flow).run_flow({"name": "Zed", "count": 20})["run_id"]
    eve = globus_emulator.auth.add_identity("eve@example.org")
    token = globus_emulator.auth.issue_token(
        eve, "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
    )
    other = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    assert list(other.list_flows()) == []
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        other.get_run(run_id)
    assert caught.value.http_status == 404
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        runner_for(flow, eve).run_flow({"name": "Eve", "count": 1})
    assert caught.value.http_status == 404


def test_validate_answers_the_scopes_a_run_needs(flows):
    answer = (
        flows.validate_flow(DEFINITION)
        if hasattr(flows, "validate_flow")
        else flows.post("/flows/validate", data={"definition": DEFINITION})
    )
    assert answer["scopes"]["User"] == [
        "https://auth.globus.org/scopes/actions.globus.org/hello_world"
    ]


def test_validate_run_checks_input_and_role_and_starts_nothing(flows, runner_for, globus_emulator):
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    flow = flows.create_flow("validated", DEFINITION, schema).data
    runner = runner_for(flow)
    assert runner.validate_run({"n": 1}).data == {"message": "validation successful"}
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        runner.validate_run({"n": "one"})
    assert (caught.value.http_status, caught.value.code) == (400, "FLOW_INPUT_ERROR")
    outsider = globus_emulator.auth.add_identity("outsider@example.org")
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        runner_for(flow, outsider).validate_run({"n": 1})
    assert caught.value.http_status in (403, 404)
    assert flows.list_runs().data["runs"] == []


def test_a_fail_state_can_take_its_error_and_cause_from_the_state(flows, runner_for):
    definition = {
        "StartAt": "Stop",
        "States": {"Stop": {"Type": "Fail", "ErrorPath": "$.why.code", "CausePath": "$.why.text"}},
    }
    flow = flows.create_flow("fail from state", definition, {}).data
    run_id = runner_for(flow).run_flow({"why": {"code": "Quota", "text": "disk full"}})["run_id"]
    run = flows.get_run(run_id)
    assert (run["status"], run["details"]["error"], run["details"]["cause"]) == (
        "FAILED",
        "Quota",
        "disk full",
    )
    both = {"StartAt": "S", "States": {"S": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}}}
    with pytest.raises(globus_sdk.FlowsAPIError) as refused:
        flows.create_flow("both", both, {})
    assert "mutually exclusive" in str(refused.value.message)


def test_the_run_context_says_who_started_the_run(flows, runner_for, globus_emulator):
    definition = {
        "StartAt": "Look",
        "States": {
            "Look": {
                "Type": "Pass",
                "Parameters": {"context.$": "$._context"},
                "ResultPath": "$.seen",
                "End": True,
            }
        },
    }
    flow = flows.create_flow("context", definition, {}).data
    run = flows.get_run(runner_for(flow).run_flow({})["run_id"])
    context = run["details"]["output"]["seen"]["context"]
    me = f"urn:globus:auth:identity:{globus_emulator.user.id}"
    assert (context["flow_id"], context["run_id"]) == (flow["id"], run["run_id"])
    assert context["user_id"] == me and me in context["identities"]
    assert context["username"] == globus_emulator.user.username
    info = context["token_info"]
    assert info["iat"] == info["nbf"] <= globus_emulator.clock.now() < info["exp"]


def test_run_and_flow_filters_take_comma_lists_and_repeated_values(flow, flows, runner_for):
    run = runner_for(flow).run_flow
    succeeded = run({"name": "Ada", "count": 11})["run_id"]
    failed = run({"name": "Bob", "count": 1})["run_id"]
    other = flows.create_flow("Other", DEFINITION, {}).data
    elsewhere = runner_for(other).run_flow({"name": "Ada", "count": 11})["run_id"]

    def run_ids(**query):
        return {r["run_id"] for r in flows.list_runs(query_params=query)["runs"]}

    assert run_ids(filter_status="FAILED") == {failed}
    assert run_ids(filter_status="FAILED,SUCCEEDED") == {succeeded, failed, elsewhere}
    assert run_ids(filter_status=["FAILED", "SUCCEEDED"]) == {succeeded, failed, elsewhere}
    assert run_ids(filter_flow_id=[flow["id"]], filter_status="SUCCEEDED") == {succeeded}
    owned = flows.list_flows(query_params={"filter_roles": ["flow_viewer", "flow_owner"]})
    assert {f["id"] for f in owned["flows"]} == {flow["id"], other["id"]}


def test_list_flows_deprecated_filter_role_keeps_that_role_or_weaker(flows, globus_emulator):
    ann = globus_emulator.auth.add_identity("ann@example.org")
    token = globus_emulator.auth.issue_token(ann, FLOWS_ALL)
    ann_flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    ann_urn = f"urn:globus:auth:identity:{ann.id}"
    administered = flows.create_flow("Administered", DEFINITION, {}, flow_administrators=[ann_urn])
    started = flows.create_flow("Started", DEFINITION, {}, flow_starters=[ann_urn])
    owned = ann_flows.create_flow("Owned", DEFINITION, {})

    def listed(role):
        found = ann_flows.list_flows(query_params={"filter_role": role})
        return {f["title"] for f in found["flows"]}

    assert listed("flow_starter") == {started["title"]}
    assert listed("flow_administrator") == {started["title"], administered["title"]}
    assert listed("flow_owner") == {started["title"], administered["title"], owned["title"]}
    with pytest.raises(globus_sdk.FlowsAPIError) as refused:
        ann_flows.list_flows(
            query_params={"filter_role": "flow_owner", "filter_roles": "flow_owner"}
        )
    assert refused.value.http_status == 422
    with pytest.raises(globus_sdk.FlowsAPIError):
        ann_flows.list_flows(query_params={"filter_role": "flow_viewer,flow_owner"})


def test_runs_filter_by_the_callers_role_on_the_run_or_its_flow(flows, runner_for, globus_emulator):
    ann = globus_emulator.auth.add_identity("ann@example.org")
    ann_urn = f"urn:globus:auth:identity:{ann.id}"
    watched = flows.create_flow("Watched", DEFINITION, {}, run_monitors=[ann_urn]).data
    plain = flows.create_flow("Plain", DEFINITION, {}).data
    body = {"name": "Ada", "count": 11}
    monitored_by_flow = runner_for(watched).run_flow(body)["run_id"]
    managed = runner_for(plain).run_flow(body, run_managers=[ann_urn])["run_id"]
    unshared = runner_for(plain).run_flow(body)["run_id"]
    token = globus_emulator.auth.issue_token(ann, FLOWS_ALL)
    as_ann = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))

    def run_ids(client, roles):
        return {r["run_id"] for r in client.list_runs(filter_roles=roles)["runs"]}

    assert run_ids(as_ann, "run_manager") == {managed}
    assert run_ids(as_ann, "flow_run_monitor") == {monitored_by_flow}
    assert run_ids(as_ann, ["run_manager", "flow_run_monitor"]) == {managed, monitored_by_flow}
    assert run_ids(as_ann, "run_owner") == set()
    assert run_ids(flows, "run_owner") == {monitored_by_flow, managed, unshared}
    for listing in (flows.list_runs, flows.list_flows):
        with pytest.raises(globus_sdk.FlowsAPIError) as caught:
            listing(filter_roles="superuser")
        assert (caught.value.http_status, caught.value.code) == (422, "UNPROCESSABLE_ENTITY")
