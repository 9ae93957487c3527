"""Web inputs through FlowsClient and SpecificFlowClient: a CreateWebInput
state asks, an AwaitWebInput state holds the run ACTIVE (blocked on it)
until a respondent answers, and the answer lands at its ResultPath. Who
may see and answer is the roles the state names; bad answers are refused
in Flows' error format and change nothing."""

from __future__ import annotations

import globus_sdk
import pytest

from .conftest import FLOWS_ALL

# FlowsClient's web input methods came with globus-sdk 4.10
needs_web_inputs = pytest.mark.skipif(
    not hasattr(globus_sdk.FlowsClient, "list_web_inputs"),
    reason="this globus-sdk has no FlowsClient web input methods",
)


def urn(identity):
    return f"urn:globus:auth:identity:{identity.id}"


def flows_for(emulator, identity):
    token = emulator.auth.issue_token(identity, FLOWS_ALL)
    return globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def approval_flow(flows, roles=None, context=None):
    parameters = {
        "input_type": "selection",
        "context": context
        or {
            "title": "Approve the transfer?",
            "presentation_style": "text",
            "text.=": "'Move ' + str(len(files)) + ' files'",
        },
        "options": [
            {"label": "Approve", "description": "Go ahead."},
            {"label": "Reject", "description": "Stop here."},
        ],
    }
    if roles is not None:
        parameters["roles"] = roles
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "CreateWebInput",
                "Parameters": parameters,
                "ResultPath": "$.question",
                "Next": "Wait",
            },
            "Wait": {
                "Type": "AwaitWebInput",
                "Parameters": {"WebInputId.$": "$.question.id"},
                "ResultPath": "$.answer",
                "Next": "Decide",
            },
            "Decide": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Variable": "$.answer.option.label",
                        "StringEquals": "Approve",
                        "Next": "Approved",
                    }
                ],
                "Default": "Rejected",
            },
            "Approved": {
                "Type": "Pass",
                "Result": "approved",
                "ResultPath": "$.outcome",
                "End": True,
            },
            "Rejected": {"Type": "Fail", "Error": "Rejected", "Cause": "a person said no"},
        },
    }
    return flows.create_flow("Approval", definition, {}).data


def option_id(web_input, label):
    return next(o["option_id"] for o in web_input["options"] if o["label"] == label)


@pytest.fixture
def ann(globus_emulator):
    return globus_emulator.auth.add_identity("ann@example.org")


@needs_web_inputs
def test_a_run_waits_on_its_web_input_and_succeeds_with_the_answer(
    flows, runner_for, globus_emulator, ann
):
    flow = approval_flow(flows, roles={"respondent_urns": [urn(ann)]})
    run_id = runner_for(flow).run_flow({"files": ["a", "b"]}, label="nightly")["run_id"]

    run = flows.get_run(run_id)
    assert run["status"] == "ACTIVE"
    web_input_id = run["blocking_web_input_id"]
    assert web_input_id
    codes = [e["code"] for e in flows.get_run_logs(run_id)["entries"]]
    assert codes[-1] == "AwaitWebInputStarted"
    assert run["details"]["code"] == "AwaitWebInputStarted"
    assert run["details"]["details"]["web_input_id"] == web_input_id

    ann_flows = flows_for(globus_emulator, ann)
    listed = ann_flows.list_web_inputs(filter_run_ids=run_id)["web_input_summaries"]
    assert [w["id"] for w in listed] == [web_input_id]
    assert listed[0]["status"] == "open" and listed[0]["user_roles"] == ["respondent"]
    assert listed[0]["title"] == "Approve the transfer?"
    assert listed[0]["run"] == {"id": run_id, "label": "nightly"}
    assert listed[0]["flow"] == {"id": flow["id"], "title": "Approval"}

    web_input = ann_flows.get_web_input(web_input_id).data
    assert web_input["context"]["text"] == "Move 2 files"
    assert web_input["roles"] == {"viewer_urns": [], "respondent_urns": [urn(ann)]}
    assert web_input["creator_urn"] == urn(globus_emulator.user)
    approve = option_id(web_input, "Approve")
    assert {"const": approve, "title": "Approve", "description": "Go ahead."} in web_input[
        "input_schema"
    ]["oneOf"]

    assert ann_flows.respond_to_web_input(web_input_id, approve).data == {"status": "ok"}

    run = flows.get_run(run_id)
    assert run["status"] == "SUCCEEDED"
    assert run["blocking_web_input_id"] is None
    output = run["details"]["output"]
    assert output["outcome"] == "approved"
    assert output["answer"]["response"] == {"value": approve}
    assert output["answer"]["respondent_urn"] == urn(ann)
    closed = ann_flows.get_web_input(web_input_id)
    assert closed["status"] == "closed" and closed["closed_timestamp"]
    assert not ann_flows.list_web_inputs()["web_input_summaries"]  # only open ones by default
    assert ann_flows.list_web_inputs(filter_states="closed")["web_input_summaries"]


@needs_web_inputs
def test_a_rejection_follows_the_flows_own_failure(flows, runner_for, globus_emulator, ann):
    flow = approval_flow(flows, roles={"respondent_urns": [urn(ann)]})
    run_id = runner_for(flow).run_flow({"files": []})["run_id"]
    web_input_id = flows.get_run(run_id)["blocking_web_input_id"]
    ann_flows = flows_for(globus_emulator, ann)
    reject = option_id(ann_flows.get_web_input(web_input_id), "Reject")
    ann_flows.respond_to_web_input(web_input_id, reject)
    run = flows.get_run(run_id)
    assert run["status"] == "FAILED" and run["details"]["error"] == "Rejected"


@needs_web_inputs
def test_a_stranger_can_neither_see_nor_answer_and_a_viewer_cannot_answer(
    flows, runner_for, globus_emulator, ann
):
    bob = globus_emulator.auth.add_identity("bob@example.org")
    eve = globus_emulator.auth.add_identity("eve@example.org")
    flow = approval_flow(flows, roles={"respondent_urns": [urn(ann)], "viewer_urns": [urn(bob)]})
    run_id = runner_for(flow).run_flow({"files": []})["run_id"]
    web_input_id = flows.get_run(run_id)["blocking_web_input_id"]
    approve = option_id(flows_for(globus_emulator, ann).get_web_input(web_input_id), "Approve")

    stranger = flows_for(globus_emulator, eve)
    for call in (
        lambda: stranger.get_web_input(web_input_id),
        lambda: stranger.respond_to_web_input(web_input_id, approve),
    ):
        with pytest.raises(globus_sdk.FlowsAPIError) as caught:
            call()
        assert caught.value.http_status == 404
        assert caught.value.code == "NOT_FOUND"
    assert not stranger.list_web_inputs()["web_input_summaries"]
    # the run's owner is not a role on the web input unless the state names them
    with pytest.raises(globus_sdk.FlowsAPIError):
        flows.respond_to_web_input(web_input_id, approve)

    viewer = flows_for(globus_emulator, bob)
    assert viewer.get_web_input(web_input_id)["user_roles"] == ["viewer"]
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        viewer.respond_to_web_input(web_input_id, approve)
    assert caught.value.http_status == 403 and caught.value.code == "FORBIDDEN"

    assert flows.get_run(run_id)["status"] == "ACTIVE"
    assert flows_for(globus_emulator, ann).get_web_input(web_input_id)["status"] == "open"


@needs_web_inputs
def test_bad_answers_are_refused_and_change_nothing(flows, runner_for, globus_emulator, ann):
    flow = approval_flow(flows, roles={"respondent_urns": [urn(ann)]})
    run_id = runner_for(flow).run_flow({"files": []})["run_id"]
    web_input_id = flows.get_run(run_id)["blocking_web_input_id"]
    ann_flows = flows_for(globus_emulator, ann)

    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        ann_flows.respond_to_web_input(web_input_id, "not-a-real-option")
    assert caught.value.http_status == 422 and caught.value.code == "UNPROCESSABLE_ENTITY"
    assert "not a registered option id" in caught.value.text
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        ann_flows.post(f"/web_inputs/{web_input_id}/respond", data={"value": "x"})
    assert caught.value.http_status == 422 and caught.value.code == "UNPROCESSABLE_ENTITY"
    assert "invalid request at (body)" in caught.value.text  # what the schema check says
    assert flows.get_run(run_id)["status"] == "ACTIVE"
    assert ann_flows.get_web_input(web_input_id)["status"] == "open"

    approve = option_id(ann_flows.get_web_input(web_input_id), "Approve")
    ann_flows.respond_to_web_input(web_input_id, approve)
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        ann_flows.respond_to_web_input(web_input_id, approve)
    assert caught.value.http_status == 409 and caught.value.code == "STATE_CONFLICT"


@needs_web_inputs
def test_group_respondents_and_the_owner_by_default(flows, runner_for, globus_emulator, ann):
    team = globus_emulator.groups.create("Reviewers", members={ann.id: "member"})
    flow = approval_flow(flows, roles={"respondent_urns": [f"urn:globus:groups:id:{team.id}"]})
    run_id = runner_for(flow).run_flow({"files": []})["run_id"]
    web_input_id = flows.get_run(run_id)["blocking_web_input_id"]
    ann_flows = flows_for(globus_emulator, ann)
    ann_flows.respond_to_web_input(
        web_input_id, option_id(ann_flows.get_web_input(web_input_id), "Approve")
    )
    assert flows.get_run(run_id)["status"] == "SUCCEEDED"

    # a state naming no respondents leaves the answer to the run's owner
    flow = approval_flow(
        flows,
        context={
            "title": "Proceed?",
            "presentation_style": "table",
            "rows": [{"field": "Files", "value": "2"}],
        },
    )
    run_id = runner_for(flow).run_flow({"files": []})["run_id"]
    web_input_id = flows.get_run(run_id)["blocking_web_input_id"]
    web_input = flows.get_web_input(web_input_id)
    assert web_input["context"]["rows"] == [{"field": "Files", "value": "2"}]
    flows.respond_to_web_input(web_input_id, option_id(web_input, "Approve"))
    assert flows.get_run(run_id)["status"] == "SUCCEEDED"


@needs_web_inputs
def test_cancelling_a_waiting_run_closes_its_web_input(flows, runner_for):
    flow = approval_flow(flows)
    run_id = runner_for(flow).run_flow({"files": []})["run_id"]
    web_input_id = flows.get_run(run_id)["blocking_web_input_id"]
    approve = option_id(flows.get_web_input(web_input_id), "Approve")
    flows.cancel_run(run_id)
    assert flows.get_web_input(web_input_id)["status"] == "closed"
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.respond_to_web_input(web_input_id, approve)
    assert caught.value.http_status == 409
    assert flows.get_run(run_id)["details"]["code"] == "FlowCanceled"


@needs_web_inputs
def test_web_inputs_page_and_filter(flows, runner_for, globus_emulator):
    flow = approval_flow(flows)
    run_ids = []
    for _ in range(3):
        run_ids.append(runner_for(flow).run_flow({"files": []})["run_id"])
        globus_emulator.clock.advance(1)
    pages = list(flows.paginated.list_web_inputs(per_page=2))
    assert [len(p["web_input_summaries"]) for p in pages] == [2, 1]
    seen = [w["run"]["id"] for p in pages for w in p["web_input_summaries"]]
    assert seen == list(reversed(run_ids))  # newest first by default
    oldest_first = flows.list_web_inputs(orderby="created_timestamp ASC")
    assert [w["run"]["id"] for w in oldest_first["web_input_summaries"]] == run_ids
    assert len(flows.list_web_inputs(filter_flow_ids=flow["id"])["web_input_summaries"]) == 3
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.list_web_inputs(filter_states="pending")
    assert caught.value.http_status == 422


def test_web_input_states_are_checked_at_deploy_and_at_run_time(flows, runner_for):
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.create_flow(
            "No parameters",
            {"StartAt": "W", "States": {"W": {"Type": "AwaitWebInput", "End": True}}},
            {},
        )
    assert caught.value.http_status == 422 and caught.value.code == "UNPROCESSABLE_ENTITY"
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "CreateWebInput",
                "Parameters": {"context": {"title": "No options", "text": "?"}, "options": []},
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Done"}],
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
        },
    }
    flow = flows.create_flow("Bad question", definition, {}).data
    run = flows.get_run(runner_for(flow).run_flow({})["run_id"])
    assert run["status"] == "SUCCEEDED"
    assert "needs options" in run["details"]["output"]["err"]["Cause"]
