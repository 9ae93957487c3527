"""RunAs: an Action runs as the run's user (the default), as the flow's own
identity, or as a named role whose token the run's input carries in
``_tokens`` (the scope for it is in ``globus_auth_scopes_by_RunAs``)."""

from __future__ import annotations

import globus_sdk
import pytest

from .conftest import HELLO

DEFINITION = {
    "StartAt": "AsUser",
    "States": {
        "AsUser": {
            "Type": "Action",
            "ActionUrl": HELLO,
            "Parameters": {},
            "ResultPath": "$.user",
            "Next": "AsFlow",
        },
        "AsFlow": {
            "Type": "Action",
            "ActionUrl": HELLO,
            "RunAs": "Flow",
            "Parameters": {},
            "ResultPath": "$.flow",
            "Next": "AsCurator",
        },
        "AsCurator": {
            "Type": "Action",
            "ActionUrl": HELLO,
            "RunAs": "Curator",
            "Parameters": {},
            "ResultPath": "$.curator",
            "End": True,
        },
    },
}


def urn(identity_id):
    return f"urn:globus:auth:identity:{identity_id}"


def test_each_action_runs_as_its_role(globus_emulator, flows, runner_for):
    curator = globus_emulator.auth.add_identity("curator@example.org")
    flow = flows.create_flow("roles", DEFINITION, {}).data
    role_scope = flow["globus_auth_scopes_by_RunAs"]["Curator"]
    token = globus_emulator.auth.issue_token(curator, role_scope)
    run_id = runner_for(flow).run_flow({"_tokens": {"Curator": token}})["run_id"]
    run = flows.get_run(run_id)
    assert run["status"] == "SUCCEEDED", run["details"]
    output = run["details"]["output"]
    assert output["user"]["creator_id"] == urn(globus_emulator.user.id)
    assert output["flow"]["creator_id"] == urn(flow["id"])
    assert output["curator"]["creator_id"] == urn(curator.id)
    assert "_tokens" not in output


@pytest.mark.parametrize("tokens", [None, {}, {"Curator": "AgNotAToken"}])
def test_a_run_without_a_good_token_for_each_role_is_refused(
    globus_emulator, flows, runner_for, tokens
):
    flow = flows.create_flow("roles", DEFINITION, {}).data
    body = {} if tokens is None else {"_tokens": tokens}
    with pytest.raises(globus_sdk.FlowsAPIError) as refused:
        runner_for(flow).run_flow(body)
    assert (refused.value.http_status, refused.value.code) == (400, "FLOW_INPUT_ERROR")
    assert "Curator" in str(refused.value.message)
