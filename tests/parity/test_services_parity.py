"""Transfer, Flows and Groups answers have the shapes globus-sdk recorded.
Known deviations live, with reasons, in fixtures/parity/deviations.json."""

from __future__ import annotations

import globus_sdk
import pytest

from globus_testkit import parity

# globus-sdk 3.x has no public globus_sdk.testing: these run with 4.x
testing = pytest.importorskip("globus_sdk.testing")

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
HELLO = {
    "StartAt": "H",
    "States": {
        "H": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/test",
            "Parameters": {"outcome": "inactive"},
            "End": True,
        }
    },
}


def tc(e):
    token = e.auth.issue_token(
        e.user,
        "urn:globus:auth:scope:transfer.api.globus.org:all"
        f"[*https://auth.globus.org/scopes/{TUTORIAL_1}/data_access"
        f" *https://auth.globus.org/scopes/{TUTORIAL_2}/data_access]",
    )
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def transfer_data(e):
    data = globus_sdk.TransferData(source_endpoint=TUTORIAL_2, destination_endpoint=TUTORIAL_1)
    data.add_item("/home/share/godata/file1.txt", "/home/share/p.txt")
    return data


def a_task(e):
    client = tc(e)
    return client, client.submit_transfer(transfer_data(e))["task_id"]


def monitored_task(e):
    client, task_id = a_task(e)
    e.transfer.set_role(TUTORIAL_1, e.user, "activity_monitor")
    with e.lock:  # endpoint management is for managed endpoints
        e.transfer.collection(TUTORIAL_1).subscription_id = "7e1d0c2b-0000-4000-8000-000000000001"
    return client, task_id


def flows(e):
    token = e.auth.issue_token(e.user, FLOWS_ALL)
    return globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def a_flow(e):
    client = flows(e)
    return client, client.create_flow("Parity", HELLO, {}).data


def a_run(e):
    client, flow = a_flow(e)
    token = e.auth.issue_token(e.user, flow["globus_auth_scope"])
    runner = globus_sdk.SpecificFlowClient(
        flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )
    return client, runner, runner.run_flow({}, label="parity").data


def groups(e, scope="view_my_groups_and_memberships"):
    group = e.world.groups.create(
        "Parity group",
        {e.user.id: "admin"},
        subscription_id=SUBSCRIPTION,
        subscription_info={
            "name": "Parity",
            "is_high_assurance": True,
            "is_baa": False,
            "connectors": {c: {"is_ha": True, "is_baa": False} for c in RECORDED_CONNECTORS},
        },
    )
    token = e.auth.issue_token(e.user, f"urn:globus:auth:scope:groups.api.globus.org:{scope}")
    return globus_sdk.GroupsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token)), group


# the connectors globus-sdk's recording lists (which connectors a
# subscription covers is the subscription's business, not the emulator's)
RECORDED_CONNECTORS = (
    testing.get_response_set("groups.get_group_by_subscription_id")
    .lookup("default")
    .json["subscription_info"]["connectors"]
)
SUBSCRIPTION = "5f1f7c44-2b7c-4c2e-9d71-1d6bda0c1d60"
POLICIES = globus_sdk.GroupPolicies(
    is_high_assurance=False,
    group_visibility="private",
    group_members_visibility="managers",
    join_requests=False,
    signup_fields=["address1"],
    authentication_assurance_timeout=28800,
)


OPERATIONS = {
    "transfer.get_endpoint": lambda e: tc(e).get_endpoint(TUTORIAL_1).data,
    "transfer.get_submission_id": lambda e: tc(e).get_submission_id().data,
    "transfer.submit_transfer": lambda e: tc(e).submit_transfer(transfer_data(e)).data,
    "transfer.submit_delete": lambda e: (
        tc(e)
        .submit_delete(
            (lambda d: (d.add_item("/home/share/godata/file3.txt"), d)[1])(
                globus_sdk.DeleteData(endpoint=TUTORIAL_1)
            )
        )
        .data
    ),
    "transfer.task_list": lambda e: (lambda c, t: c.task_list().data)(*a_task(e)),
    "transfer.cancel_task": lambda e: (lambda c, t: c.cancel_task(t).data)(*a_task(e)),
    "transfer.operation_mkdir": lambda e: tc(e).operation_mkdir(TUTORIAL_1, "/home/new").data,
    "transfer.operation_rename": lambda e: (
        tc(e)
        .operation_rename(TUTORIAL_1, "/home/share/godata/file1.txt", "/home/share/godata/f.txt")
        .data
    ),
    "transfer.operation_stat": lambda e: (
        tc(e).operation_stat(TUTORIAL_1, "/home/share/godata/file1.txt").data
    ),
    "transfer.update_endpoint": lambda e: (
        lambda c, lab: c.update_endpoint(lab.id, {"display_name": "x"}).data
    )(tc(e), e.transfer.add_collection("Mine")),
    "transfer.endpoint_manager_task_list": lambda e: (
        lambda c, t: c.endpoint_manager_task_list(filter_endpoint=TUTORIAL_1).data
    )(*monitored_task(e)),
    "transfer.endpoint_manager_task_successful_transfers": lambda e: (
        lambda c, t: c.endpoint_manager_task_successful_transfers(t).data
    )(*monitored_task(e)),
    "flows.create_flow": lambda e: a_flow(e)[1],
    "flows.get_flow": lambda e: (lambda c, f: c.get_flow(f["id"]).data)(*a_flow(e)),
    "flows.list_flows": lambda e: (lambda c, f: c.list_flows().data)(*a_flow(e)),
    "flows.update_flow": lambda e: (lambda c, f: c.update_flow(f["id"], title="New").data)(
        *a_flow(e)
    ),
    "flows.delete_flow": lambda e: (lambda c, f: c.delete_flow(f["id"]).data)(*a_flow(e)),
    "flows.run_flow": lambda e: a_run(e)[2],
    "flows.get_run": lambda e: (lambda c, r, run: c.get_run(run["run_id"]).data)(*a_run(e)),
    "flows.list_runs": lambda e: (lambda c, r, run: c.list_runs().data)(*a_run(e)),
    "flows.get_run_logs": lambda e: (lambda c, r, run: c.get_run_logs(run["run_id"]).data)(
        *a_run(e)
    ),
    "flows.get_run_definition": lambda e: (
        lambda c, r, run: c.get_run_definition(run["run_id"]).data
    )(*a_run(e)),
    "flows.cancel_run": lambda e: (lambda c, r, run: c.cancel_run(run["run_id"]).data)(*a_run(e)),
    "flows.update_run": lambda e: (
        lambda c, r, run: c.update_run(run["run_id"], label="relabelled").data
    )(*a_run(e)),
    "flows.resume_run": lambda e: (lambda c, r, run: r.resume_run(run["run_id"]).data)(*a_run(e)),
    "flows.validate_flow": lambda e: flows(e).validate_flow(HELLO).data,
    "groups.get_my_groups": lambda e: groups(e)[0].get_my_groups().data,
    "groups.get_group": lambda e: (lambda g, group: g.get_group(group.id).data)(*groups(e)),
    "groups.create_group": lambda e: (
        groups(e, "all")[0].create_group({"name": "Made", "description": "by parity"}).data
    ),
    "groups.delete_group": lambda e: (lambda g, group: g.delete_group(group.id).data)(
        *groups(e, "all")
    ),
    "groups.get_group_by_subscription_id": lambda e: (
        groups(e)[0].get_group_by_subscription_id(SUBSCRIPTION).data
    ),
    "groups.set_group_policies": lambda e: (
        lambda g, group: g.set_group_policies(group.id, POLICIES).data
    )(*groups(e, "all")),
    "groups.set_subscription_admin_verified": lambda e: (
        lambda g, group: g.set_subscription_admin_verified(group.id, SUBSCRIPTION).data
    )(*groups(e, "all")),
}

COMPUTE_ALL = "https://auth.globus.org/scopes/facd7ccc-c5f4-42aa-916b-a0e270e2c2a9/all"


def compute(e):
    """ComputeClientV2 and V3 for the user, with an endpoint and a function."""
    authorizer = globus_sdk.AccessTokenAuthorizer(e.auth.issue_token(e.user, COMPUTE_ALL))
    v2 = globus_sdk.ComputeClientV2(authorizer=authorizer)
    v3 = globus_sdk.ComputeClientV3(authorizer=authorizer)
    endpoint = e.compute.create_endpoint("parity")
    function = {
        "function_name": "f",
        "function_code": "10\n01\n:opaque",
        "meta": {"python_version": "3.11.7", "sdk_version": "4.19.0"},
    }
    return v2, v3, endpoint.id, v3.register_function(function)["function_uuid"]


OPERATIONS.update(
    {
        "compute.v2.get_version": lambda e: compute(e)[0].get_version().data,
        "compute.v2.get_endpoint": lambda e: (lambda v2, v3, ep, fn: v2.get_endpoint(ep).data)(
            *compute(e)
        ),
        "compute.v2.get_endpoints": lambda e: compute(e)[0].get_endpoints().data,
        "compute.v2.get_endpoint_status": lambda e: (
            lambda v2, v3, ep, fn: v2.get_endpoint_status(ep).data
        )(*compute(e)),
        "compute.v2.get_function": lambda e: (lambda v2, v3, ep, fn: v2.get_function(fn).data)(
            *compute(e)
        ),
        "compute.v3.register_function": lambda e: (
            compute(e)[1].register_function({"function_name": "g", "function_code": "x"}).data
        ),
        "compute.v2.delete_function": lambda e: (
            lambda v2, v3, ep, fn: v2.delete_function(fn).data
        )(*compute(e)),
        "compute.v3.get_endpoint_allowlist": lambda e: (
            lambda v2, v3, ep, fn: v3.get_endpoint_allowlist(ep).data
        )(*compute(e)),
    }
)


ASK = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "CreateWebInput",
            "Parameters": {
                "context": {"title": "Approve?", "presentation_style": "text", "text": "Go?"},
                "options": [{"label": "Approve", "description": "Yes."}],
                "roles": {"viewer_urns": [], "respondent_urns": []},
            },
            "ResultPath": "$.question",
            "Next": "Wait",
        },
        "Wait": {
            "Type": "AwaitWebInput",
            "Parameters": {"WebInputId.$": "$.question.id"},
            "ResultPath": "$.answer",
            "End": True,
        },
    },
}


def a_web_input(e):
    """A FlowsClient and the web input a run of ASK waits on (and its option)."""
    client = flows(e)
    flow = client.create_flow("Parity ask", ASK, {}).data
    token = e.auth.issue_token(e.user, flow["globus_auth_scope"])
    runner = globus_sdk.SpecificFlowClient(
        flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )
    run = runner.run_flow({}, label="parity").data
    web_input = client.get_web_input(client.get_run(run["run_id"])["blocking_web_input_id"])
    return client, web_input["id"], web_input["options"][0]["option_id"]


OPERATIONS.update(
    {
        "flows.get_web_input": lambda e: (lambda c, w, o: c.get_web_input(w).data)(*a_web_input(e)),
        "flows.list_web_inputs": lambda e: (lambda c, w, o: c.list_web_inputs().data)(
            *a_web_input(e)
        ),
        "flows.respond_to_web_input": lambda e: (lambda c, w, o: c.respond_to_web_input(w, o).data)(
            *a_web_input(e)
        ),
    }
)


def a_registered_api(e):
    """A FlowsClient and a registered API made with the recorded document's
    target, templates and input schema (its id and timestamps are ours)."""
    recorded = testing.get_response_set("flows.get_registered_api").lookup("default").json
    body = {
        k: recorded[k]
        for k in ("name", "description", "target", "data_templates", "state_input_schema")
    }
    body["subscription_id"] = recorded["subscription_id"]
    client = flows(e)
    return client, client.post("/registered_apis", data=body).data


OPERATIONS.update(
    {
        "flows.get_registered_api": lambda e: (lambda c, a: c.get_registered_api(a["id"]).data)(
            *a_registered_api(e)
        ),
        "flows.list_registered_apis": lambda e: (lambda c, a: c.list_registered_apis().data)(
            *a_registered_api(e)
        ),
    }
)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_answer_has_the_recorded_shape(operation, globus_emulator):
    answer = OPERATIONS[operation](globus_emulator)
    assert parity.check(operation, answer) == []
    assert parity.stale_deviations(operation, answer) == []
