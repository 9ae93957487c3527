"""World files deploy flows (their roles, their authentication policy)
before the test starts; a run of one naming a policy demands the session
as a flow made through FlowsClient does."""

from __future__ import annotations

import globus_sdk
import globus_sdk.gare
import pytest

from globus_testkit import Emulator
from globus_testkit.apps import user_app
from globus_testkit.worlds import WorldError

POLICY = "9c8b7a6d-5e4f-4321-8765-0fedcba98765"
FLOW = "4d5e6f70-8192-4a3b-9c4d-5e6f7a8b9c0d"
HELLO = "https://actions.globus.org/hello_world"
DEFINITION = {
    "StartAt": "Hello",
    "States": {
        "Hello": {
            "Type": "Action",
            "ActionUrl": HELLO,
            "Parameters": {"echo_string": "hi"},
            "ResultPath": "$.hello",
            "End": True,
        }
    },
}
WORLD = {
    "default_actors": {"user": {"username": "jdoe@globusid.org"}},
    "identities": [{"username": "jdoe@uchicago.edu", "linked": ["jdoe@globusid.org"]}],
    "policies": [
        {
            "display_name": "Campus",
            "id": POLICY,
            "high_assurance": True,
            "authentication_assurance_timeout": 300,
            "domain_constraints_include": ["uchicago.edu"],
        }
    ],
    "flows": [
        {
            "title": "Campus hello",
            "id": FLOW,
            "definition": DEFINITION,
            "flow_starters": ["all_authenticated_users"],
            "authentication_policy_id": POLICY,
        }
    ],
}


@pytest.mark.globus(world=WORLD)
def test_a_world_files_flow_demands_its_policy_and_a_redriven_run_succeeds(globus_emulator):
    app = user_app(globus_emulator)
    flows = globus_sdk.FlowsClient(app=app)
    flow = flows.get_flow(FLOW)
    assert (flow["title"], flow["authentication_policy_id"]) == ("Campus hello", POLICY)
    runner = globus_sdk.SpecificFlowClient(FLOW, app=app)
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        runner.run_flow({})
    gare = globus_sdk.gare.to_gare(caught.value)
    assert gare.authorization_parameters.session_required_policies == [POLICY]
    app.login(auth_params=gare.authorization_parameters)
    run = runner.run_flow({})
    assert flows.get_run(run["run_id"])["status"] == "SUCCEEDED"
    globus_emulator.auth.expire_assurance(POLICY)
    with pytest.raises(globus_sdk.FlowsAPIError):
        runner.run_flow({})


def flow_world(**changes):
    return {**WORLD, "flows": [{**WORLD["flows"][0], **changes}]}


@pytest.mark.parametrize(
    ("world", "message"),
    [
        (
            {
                "flows": [
                    {"title": "x", "definition": DEFINITION, "authentication_policy_id": POLICY}
                ]
            },
            f"world.flows[0].authentication_policy_id: no policy {POLICY} (add it under policies)",
        ),
        (
            flow_world(definition={"StartAt": "Nowhere", "States": {}}),
            "world.flows[0].definition: ",
        ),
        (
            flow_world(
                definition={
                    "StartAt": "A",
                    "States": {
                        "A": {"Type": "Action", "ActionUrl": "https://x.example.org/a", "End": True}
                    },
                }
            ),
            "world.flows[0].definition: https://x.example.org/a is not a provider",
        ),
        (flow_world(owner="nobody@example.org"), "world.flows[0].owner: no identity"),
        (flow_world(titel="x"), "world.flows[0]: unknown key 'titel'; did you mean 'title'?"),
    ],
)
def test_a_bad_flow_in_a_world_file_is_refused_naming_the_field(world, message):
    with pytest.raises(WorldError) as refused:
        Emulator(world=world)
    assert str(refused.value).startswith(message)
