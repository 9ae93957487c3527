"""Flows with an authentication policy: runs demand a satisfying session
with the 403 GARE Flows gives, which a UserApp redrives on its own."""

from __future__ import annotations

import globus_sdk
import globus_sdk.gare
import pytest

from globus_testkit.apps import client_app, user_app

FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
DEFINITION = {
    "StartAt": "Done",
    "States": {"Done": {"Type": "Pass", "Result": {"ok": True}, "End": True}},
}

pytestmark = pytest.mark.skipif(
    not hasattr(globus_sdk.GlobusAppConfig, "auto_redrive_gares"),
    reason="GARE auto-redrive is a globus-sdk 4 feature",
)


@pytest.fixture
def policy(globus_emulator):
    campus = globus_emulator.auth.add_identity("jdoe@uchicago.edu")
    globus_emulator.auth.link_identities(globus_emulator.user, campus)
    return globus_emulator.auth.add_policy(
        high_assurance=True,
        authentication_assurance_timeout=300,
        domain_constraints_include=["uchicago.edu"],
    )


@pytest.fixture
def flow(globus_emulator, policy):
    token = globus_emulator.auth.issue_token(globus_emulator.user, FLOWS_ALL)
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    return flows.create_flow(
        "Campus only", DEFINITION, input_schema={}, authentication_policy_id=policy
    ).data


def test_a_flow_shows_its_authentication_policy(flow, policy):
    assert flow["authentication_policy_id"] == policy


def test_a_run_without_a_satisfying_session_answers_the_flows_gare(globus_emulator, flow, policy):
    token = globus_emulator.auth.issue_token(globus_emulator.user, flow["globus_auth_scope"])
    runner = globus_sdk.SpecificFlowClient(
        flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        runner.run_flow({})
    err = caught.value
    assert err.http_status == 403
    assert err.raw_json["error"]["code"] == "AUTHENTICATION_POLICY_REQUIRED"
    assert err.raw_json["code"] == "AuthenticationPolicyRequired"
    gare = globus_sdk.gare.to_gare(err)
    assert gare is not None
    assert gare.authorization_parameters.session_required_policies == [policy]


def test_a_user_app_redrives_the_gare_and_the_run_starts(globus_emulator, flow):
    app = user_app(globus_emulator, auto_redrive_gares=True)
    runner = globus_sdk.SpecificFlowClient(flow["id"], app=app)
    run = runner.run_flow({})
    assert run["status"] in ("ACTIVE", "SUCCEEDED")


def test_the_redriven_session_lapses_after_the_policy_timeout(globus_emulator, flow):
    app = user_app(globus_emulator)
    runner = globus_sdk.SpecificFlowClient(flow["id"], app=app)
    with pytest.raises(globus_sdk.FlowsAPIError):
        runner.run_flow({})
    app.login(
        auth_params=globus_sdk.gare.GlobusAuthorizationParameters(
            session_required_policies=[flow["authentication_policy_id"]]
        )
    )
    runner.run_flow({})
    globus_emulator.clock.advance(301)
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        runner.run_flow({})
    assert caught.value.http_status == 403


def test_a_flow_naming_an_unknown_policy_is_refused(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, FLOWS_ALL)
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.create_flow(
            "Nope",
            DEFINITION,
            input_schema={},
            authentication_policy_id="00000000-0000-0000-0000-000000000000",
        )
    assert caught.value.http_status == 422
    assert list(flows.list_flows()) == []


def test_a_client_app_redrives_a_lapsed_policy_with_fresh_client_credentials(globus_emulator):
    policy = globus_emulator.auth.add_policy(
        high_assurance=True,
        authentication_assurance_timeout=300,
        domain_constraints_include=["clients.auth.globus.org"],
    )
    token = globus_emulator.auth.issue_token(globus_emulator.user, FLOWS_ALL)
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    flow = flows.create_flow(
        "Services only",
        DEFINITION,
        input_schema={},
        flow_starters=["all_authenticated_users"],
        authentication_policy_id=policy,
    )
    app = client_app(globus_emulator, auto_redrive_gares=True)
    runner = globus_sdk.SpecificFlowClient(flow["id"], app=app)
    runner.run_flow({})
    globus_emulator.clock.advance(301)
    globus_emulator.journal.clear()
    runner.run_flow({})  # refused once, then redriven with a new client login
    runs = globus_emulator.journal.calls(operation="run_flow")
    assert [c.status for c in runs] == [403, 201]
    assert globus_emulator.journal.calls(operation="oauth2_token.client_credentials")


def test_a_web_input_of_a_policy_flow_demands_the_policy_of_its_respondents(
    globus_emulator, policy
):
    ann = globus_emulator.auth.add_identity("ann@example.org")
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "CreateWebInput",
                "Parameters": {
                    "context": {"title": "Go?", "text": "Shall we?"},
                    "options": [{"label": "Yes"}],
                    "roles": {"respondent_urns": [f"urn:globus:auth:identity:{ann.id}"]},
                },
                "ResultPath": "$.question",
                "Next": "Wait",
            },
            "Wait": {
                "Type": "AwaitWebInput",
                "Parameters": {"WebInputId.$": "$.question.id"},
                "End": True,
            },
        },
    }
    app = user_app(globus_emulator, auto_redrive_gares=True)
    flow = globus_sdk.FlowsClient(app=app).create_flow(
        "Campus approval", definition, {}, authentication_policy_id=policy
    )
    run = globus_sdk.SpecificFlowClient(flow["id"], app=app).run_flow({})
    web_input_id = globus_sdk.FlowsClient(app=app).get_run(run["run_id"])["blocking_web_input_id"]
    token = globus_emulator.auth.issue_token(ann, FLOWS_ALL)
    ann_flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        ann_flows.respond_to_web_input(web_input_id, "anything")
    err = caught.value
    assert err.http_status == 403
    assert err.raw_json["error"]["code"] == "AUTHENTICATION_POLICY_REQUIRED"
    assert err.raw_json["web_input_summary"]["user_roles"] == ["respondent"]
    gare = globus_sdk.gare.to_gare(err)
    assert gare is not None
    assert gare.authorization_parameters.session_required_policies == [policy]
