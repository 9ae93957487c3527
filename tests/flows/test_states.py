"""State behaviours docs/flows.md promises, each through FlowsClient runs:
Choice order and boundaries, Catch with States.ALL, Wait until a timestamp,
ExceptionOnActionFailure, InputPath, and the starter and monitor roles."""

from __future__ import annotations

from datetime import datetime, timezone

import globus_sdk
import pytest

from .conftest import FLOWS_ALL, HELLO

TEST_PROVIDER = "https://actions.globus.org/test"


def one_flow(flows, states, start):
    return flows.create_flow("States", {"StartAt": start, "States": states}, {}).data


def run_to_end(flows, runner_for, flow, body):
    run_id = runner_for(flow).run_flow(body)["run_id"]
    return flows.get_run(run_id).data


def picked(value):
    return {"Type": "Pass", "Result": value, "ResultPath": "$.picked", "End": True}


CHOOSE = {
    "Choose": {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "First"},
            {"Variable": "$.n", "NumericGreaterThanEquals": 10, "Next": "Second"},
        ],
        "Default": "Neither",
    },
    "First": picked("first"),
    "Second": picked("second"),
    "Neither": picked("neither"),
}


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (11, "first"),  # both rules match: the first listed wins
        (10, "second"),  # on the boundary: GreaterThan is strict, GreaterThanEquals is not
        (9, "neither"),
    ],
)
def test_a_choice_takes_the_first_matching_rule_and_strict_bounds(flows, runner_for, n, expected):
    run = run_to_end(flows, runner_for, one_flow(flows, CHOOSE, "Choose"), {"n": n})
    assert run["status"] == "SUCCEEDED"
    assert run["details"]["output"]["picked"] == expected


def one_rule(rule):
    return {
        "Choose": {
            "Type": "Choice",
            "Choices": [{**rule, "Next": "Matched"}],
            "Default": "Unmatched",
        },
        "Matched": picked("matched"),
        "Unmatched": picked("unmatched"),
    }


@pytest.mark.parametrize(
    ("rule", "body", "expected"),
    [
        ({"Variable": "$.n", "IsPresent": True}, {"n": 1}, "matched"),
        ({"Variable": "$.n", "IsPresent": True}, {}, "unmatched"),
        ({"Variable": "$.n", "IsNull": True}, {"n": None}, "matched"),
        ({"Variable": "$.n", "IsNull": True}, {"n": 0}, "unmatched"),
        ({"Variable": "$.n", "IsNull": False}, {"n": 0}, "matched"),
        # a comparison on a variable that is not there matches nothing
        ({"Variable": "$.n", "NumericLessThan": 5}, {}, "unmatched"),
        ({"Variable": "$.n", "IsNumeric": False}, {}, "unmatched"),
        # ...Path forms compare with the value at that path
        ({"Variable": "$.n", "NumericLessThanPath": "$.limit"}, {"n": 1, "limit": 2}, "matched"),
        ({"Variable": "$.n", "NumericLessThanPath": "$.limit"}, {"n": 3, "limit": 2}, "unmatched"),
        # a typed comparison on a value of another type matches nothing
        ({"Variable": "$.n", "NumericLessThan": 5}, {"n": "four"}, "unmatched"),
        ({"Variable": "$.n", "StringEquals": "4"}, {"n": 4}, "unmatched"),
        # timestamps compare as instants, not as strings: 23:00-05:00 is 04:00Z
        (
            {"Variable": "$.t", "TimestampLessThan": "2026-01-01T23:00:00-05:00"},
            {"t": "2026-01-02T01:00:00+00:00"},
            "matched",
        ),
    ],
)
def test_choice_presence_null_path_and_type_rules(flows, runner_for, rule, body, expected):
    run = run_to_end(flows, runner_for, one_flow(flows, one_rule(rule), "Choose"), body)
    assert run["status"] == "SUCCEEDED"
    assert run["details"]["output"]["picked"] == expected


def test_an_unknown_choice_rule_fails_the_run_with_states_runtime(flows, runner_for):
    flow = one_flow(flows, one_rule({"Variable": "$.n", "NumericRoughly": 3}), "Choose")
    run = run_to_end(flows, runner_for, flow, {"n": 3})
    assert run["status"] == "FAILED"
    assert run["details"]["error"] == "States.Runtime"
    assert "NumericRoughly" in run["details"]["cause"]


def test_catch_with_states_all_catches_any_error(flows, runner_for):
    states = {
        "Bad": {
            "Type": "Action",
            "ActionUrl": HELLO,
            "Parameters": {"nonsense": 1},  # the provider refuses it: ActionUnableToRun
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled", "ResultPath": "$.err"}],
            "End": True,
        },
        "Handled": {"Type": "Pass", "End": True},
    }
    run = run_to_end(flows, runner_for, one_flow(flows, states, "Bad"), {})
    assert run["status"] == "SUCCEEDED"
    assert run["details"]["output"]["err"]["Error"] == "ActionUnableToRun"


def test_a_caught_action_failure_is_logged_and_leaves_no_action_behind(flows, runner_for):
    states = {
        "Bad": {
            "Type": "Action",
            "ActionUrl": HELLO,
            "Parameters": {"nonsense": 1},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Linger"}],
            "End": True,
        },
        "Linger": {"Type": "Wait", "Seconds": 3600, "End": True},
    }
    flow = one_flow(flows, states, "Bad")
    run_id = runner_for(flow).run_flow({})["run_id"]
    entries = flows.get_run_logs(run_id)["entries"]
    (failed,) = [e for e in entries if e["code"] == "ActionFailed"]
    assert failed["details"]["state_name"] == "Bad"
    assert failed["details"]["error"] == "ActionUnableToRun"
    assert failed["description"].startswith("ActionUnableToRun: ")
    assert failed["details"]["cause"] in failed["description"]
    assert flows.get_run(run_id)["status"] == "ACTIVE"  # waiting in Linger
    # nothing is left to cancel at the provider: the run just ends
    flows.cancel_run(run_id)
    assert flows.get_run(run_id)["details"]["code"] == "FlowCanceled"


def test_a_catch_for_another_error_lets_the_run_fail(flows, runner_for):
    states = {
        "Bad": {
            "Type": "Action",
            "ActionUrl": HELLO,
            "Parameters": {"nonsense": 1},
            "Catch": [{"ErrorEquals": ["ActionTimeout"], "Next": "Handled"}],
            "End": True,
        },
        "Handled": {"Type": "Pass", "End": True},
    }
    run = run_to_end(flows, runner_for, one_flow(flows, states, "Bad"), {})
    assert run["status"] == "FAILED"
    assert run["details"]["error"] == "ActionUnableToRun"


def test_an_uncaught_action_failure_logs_action_failed_then_flow_failed(flows, runner_for):
    states = {
        "Bad": {"Type": "Action", "ActionUrl": HELLO, "Parameters": {"nonsense": 1}, "End": True}
    }
    run_id = runner_for(one_flow(flows, states, "Bad")).run_flow({})["run_id"]
    entries = flows.get_run_logs(run_id)["entries"]
    assert [e["code"] for e in entries[-2:]] == ["ActionFailed", "FlowFailed"]
    details = entries[-2]["details"]
    assert (details["state_name"], details["error"]) == ("Bad", "ActionUnableToRun")
    assert details["cause"] == flows.get_run(run_id)["details"]["cause"]


def test_an_uncaught_failure_of_another_state_logs_only_flow_failed(flows, runner_for):
    states = {"Bad": {"Type": "Pass", "InputPath": "$.absent", "End": True}}
    run_id = runner_for(one_flow(flows, states, "Bad")).run_flow({})["run_id"]
    assert flows.get_run(run_id)["status"] == "FAILED"
    codes = [e["code"] for e in flows.get_run_logs(run_id)["entries"]]
    assert codes[-1] == "FlowFailed" and "ActionFailed" not in codes


def test_a_catch_without_result_path_replaces_the_state_with_the_error(flows, runner_for):
    states = {
        "Bad": {
            "Type": "Action",
            "ActionUrl": HELLO,
            "Parameters": {"nonsense": 1},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
            "End": True,
        },
        "Handled": {"Type": "Pass", "End": True},
    }
    run = run_to_end(flows, runner_for, one_flow(flows, states, "Bad"), {"kept": "no"})
    output = run["details"]["output"]
    assert sorted(output) == ["Cause", "Error"]
    assert output["Error"] == "ActionUnableToRun"


def test_a_pass_with_only_result_path_copies_its_input_there(flows, runner_for):
    states = {"Copy": {"Type": "Pass", "ResultPath": "$.copy", "End": True}}
    run = run_to_end(flows, runner_for, one_flow(flows, states, "Copy"), {"a": 1})
    output = run["details"]["output"]
    assert output["a"] == 1
    assert output["copy"] == {"a": 1}


def iso(timestamp):
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat()


@pytest.mark.parametrize("field", ["Timestamp", "TimestampPath"])
def test_a_wait_until_a_timestamp_ends_at_that_instant(flows, runner_for, globus_emulator, field):
    globus_emulator.clock.set(float(int(globus_emulator.clock.now()) + 1))  # whole seconds
    until = globus_emulator.clock.now() + 100
    wait = {"Type": "Wait", "End": True}
    if field == "Timestamp":
        wait["Timestamp"] = iso(until)
    else:
        wait["TimestampPath"] = "$.until"
    flow = one_flow(flows, {"Wait": wait}, "Wait")
    run_id = runner_for(flow).run_flow({"until": iso(until)})["run_id"]
    globus_emulator.clock.advance(99)
    assert flows.get_run(run_id)["status"] == "ACTIVE"
    globus_emulator.clock.advance(1)
    assert flows.get_run(run_id)["status"] == "SUCCEEDED"
    entries = flows.get_run_logs(run_id)["entries"]
    (started,) = [e for e in entries if e["code"] == "WaitStarted"]
    assert started["details"]["state_name"] == "Wait"
    assert iso(until)[:19] in started["description"]
    assert [e["code"] for e in entries].count("WaitCompleted") == 1


def test_consecutive_waits_each_wait_their_seconds(flows, runner_for, globus_emulator):
    states = {
        "First": {"Type": "Wait", "SecondsPath": "$.seconds", "Next": "Second"},
        "Second": {"Type": "Wait", "Seconds": 20, "End": True},
    }
    run_id = runner_for(one_flow(flows, states, "First")).run_flow({"seconds": 10})["run_id"]
    for step, status in [(9, "ACTIVE"), (1, "ACTIVE"), (19, "ACTIVE"), (1, "SUCCEEDED")]:
        globus_emulator.clock.advance(step)
        assert flows.get_run(run_id)["status"] == status
    completed = [e for e in flows.get_run_logs(run_id)["entries"] if e["code"] == "WaitCompleted"]
    assert [e["details"]["state_name"] for e in completed] == ["First", "Second"]
    assert all(e["details"]["state_name"] in e["description"] for e in completed)


@pytest.mark.parametrize(
    ("field", "named"), [("SecondsPath", "SecondsPath"), ("TimestampPath", "'ten'")]
)
def test_a_wait_path_naming_no_time_fails_the_run(flows, runner_for, field, named):
    states = {"Wait": {"Type": "Wait", field: "$.when", "End": True}}
    run = run_to_end(flows, runner_for, one_flow(flows, states, "Wait"), {"when": "ten"})
    assert run["status"] == "FAILED"
    assert run["details"]["error"] == "States.Runtime"
    assert named in run["details"]["cause"]


def failing_action(**extra):
    return {
        "Type": "Action",
        "ActionUrl": TEST_PROVIDER,
        "Parameters": {"outcome": "fail"},
        "ResultPath": "$.outcome",
        "End": True,
        **extra,
    }


def test_a_failed_action_fails_the_run_by_default(flows, runner_for):
    run = run_to_end(flows, runner_for, one_flow(flows, {"Do": failing_action()}, "Do"), {})
    assert run["status"] == "FAILED"
    assert run["details"]["error"] == "ActionFailedException"


def test_exception_on_action_failure_false_stores_the_failure_and_goes_on(flows, runner_for):
    states = {"Do": failing_action(ExceptionOnActionFailure=False)}
    run = run_to_end(flows, runner_for, one_flow(flows, states, "Do"), {})
    assert run["status"] == "SUCCEEDED"
    assert run["details"]["output"]["outcome"]["status"] == "FAILED"


def test_input_path_narrows_what_a_pass_and_an_action_see(flows, runner_for):
    states = {
        "Narrow": {"Type": "Pass", "InputPath": "$.inner", "ResultPath": "$.copy", "Next": "Echo"},
        "Echo": {
            "Type": "Action",
            "ActionUrl": HELLO,
            "InputPath": "$.inner",
            "ResultPath": "$.echoed",
            "End": True,
        },
    }
    body = {"inner": {"echo_string": "narrowed"}, "outer": 1}
    run = run_to_end(flows, runner_for, one_flow(flows, states, "Narrow"), body)
    assert run["status"] == "SUCCEEDED"
    output = run["details"]["output"]
    assert output["copy"] == {"echo_string": "narrowed"}
    assert output["echoed"]["details"]["hello"] == "narrowed"


def flows_client_for(emulator, identity):
    token = emulator.auth.issue_token(identity, FLOWS_ALL)
    return globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def test_a_flow_starter_may_run_the_flow_and_others_may_not(flows, runner_for, globus_emulator):
    ann = globus_emulator.auth.add_identity("ann@example.org")
    eve = globus_emulator.auth.add_identity("eve@example.org")
    flow = flows.create_flow(
        "Shared",
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        {},
        flow_starters=[f"urn:globus:auth:identity:{ann.id}"],
    ).data
    run = runner_for(flow, ann).run_flow({})
    assert flows_client_for(globus_emulator, ann).get_run(run["run_id"])["status"] == "SUCCEEDED"
    seen = flows_client_for(globus_emulator, ann).get_flow(flow["id"])
    assert seen["user_role"] == "flow_starter"
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        runner_for(flow, eve).run_flow({})
    assert caught.value.http_status == 404  # eve cannot even see the flow


def test_a_run_monitor_may_read_the_run_and_its_log_but_not_cancel_it(
    flows, runner_for, globus_emulator
):
    ann = globus_emulator.auth.add_identity("ann@example.org")
    eve = globus_emulator.auth.add_identity("eve@example.org")
    flow = one_flow(flows, {"Wait": {"Type": "Wait", "Seconds": 60, "End": True}}, "Wait")
    run_id = runner_for(flow).run_flow({}, run_monitors=[f"urn:globus:auth:identity:{ann.id}"])[
        "run_id"
    ]
    monitor = flows_client_for(globus_emulator, ann)
    assert monitor.get_run(run_id)["status"] == "ACTIVE"
    assert monitor.get_run_logs(run_id)["entries"]
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        monitor.cancel_run(run_id)
    assert caught.value.http_status == 403
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows_client_for(globus_emulator, eve).get_run(run_id)
    assert caught.value.http_status == 404
