"""Registered APIs through FlowsClient (list and get; create, update and
delete through its post/patch/delete, as the Globus Registered API CLI
calls them), and Action states whose Handler is one: the call goes
through the emulator as the run's user, the answer becomes the result."""

from __future__ import annotations

import copy

import globus_sdk
import pytest

from globus_testkit.services.flows.registered_apis import DELETION_GRACE

from .conftest import HELLO
from .test_web_inputs import flows_for, urn

# FlowsClient.list_registered_apis and get_registered_api came with globus-sdk 4.10
needs_sdk_methods = pytest.mark.skipif(
    not hasattr(globus_sdk.FlowsClient, "list_registered_apis"),
    reason="this globus-sdk has no FlowsClient registered API methods",
)
GROUPS_SCOPE = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"
GET_GROUP = {
    "name": "get-group",
    "description": "Globus Groups: get a group",
    "target": {
        "type": "openapi",
        "openapi_version": "3.1",
        "destination": {
            "method": "get",
            "url": "https://groups.api.globus.org/v2/groups/{group_id}",
        },
        "specification": {
            "summary": "Get Group",
            "parameters": [
                {"name": "group_id", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "include", "in": "query", "schema": {"type": "string"}},
            ],
            "security": [{"GlobusAuth": [GROUPS_SCOPE]}],
        },
    },
}


def register(flows, document=None, **changes):
    body = copy.deepcopy(document or GET_GROUP)
    body.update(changes)
    return flows.post("/registered_apis", data=body).data


def calling(api_id, parameters, **extra):
    return {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Action",
                "Handler": {"Type": "RegisteredAPI", "Id": api_id},
                "Parameters": parameters,
                "ResultPath": "$.group",
                **extra,
                "End": True,
            }
        },
    }


def run_to_end(flows, runner_for, definition, body=None):
    flow = flows.create_flow("Registered", definition, {}).data
    return flows.get_run(runner_for(flow).run_flow(body or {})["run_id"]).data


@needs_sdk_methods
def test_a_registered_api_is_made_read_listed_and_paged(flows, globus_emulator):
    made = register(flows)
    assert made["status"] == "ACTIVE"
    assert made["roles"]["owners"] == [urn(globus_emulator.user)]
    got = flows.get_registered_api(made["id"])
    assert got["target"]["destination"]["method"] == "get"
    assert got["data_templates"]["response"]["2XX"]["type"] == "success"
    for n in range(3):
        globus_emulator.clock.advance(1)
        register(flows, name=f"api-{n}")
    listed = flows.list_registered_apis(orderby="name ASC")["registered_apis"]
    assert [a["name"] for a in listed] == ["api-0", "api-1", "api-2", "get-group"]
    assert set(listed[0]) == {
        "id",
        "name",
        "description",
        "created_timestamp",
        "updated_timestamp",
    }
    by_two = flows.list_registered_apis(orderby=["name DESC", "id ASC"])
    assert [a["name"] for a in by_two["registered_apis"]] == [
        "get-group",
        "api-2",
        "api-1",
        "api-0",
    ]
    pages = list(flows.paginated.list_registered_apis(per_page=3))
    assert [len(p["registered_apis"]) for p in pages] == [3, 1]
    assert pages[0]["registered_apis"][0]["name"] == "api-2"  # newest first by default


@needs_sdk_methods
def test_roles_decide_who_reads_changes_and_deletes(flows, globus_emulator):
    ann = globus_emulator.auth.add_identity("ann@example.org")
    bob = globus_emulator.auth.add_identity("bob@example.org")
    eve = globus_emulator.auth.add_identity("eve@example.org")
    api = register(flows, roles={"administrators": [urn(bob)], "viewers": [urn(ann)]})

    viewer = flows_for(globus_emulator, ann)
    assert viewer.get_registered_api(api["id"])["name"] == "get-group"
    assert not viewer.list_registered_apis()["registered_apis"]  # owners' only, by default
    assert (
        viewer.list_registered_apis(filter_roles="viewer")["registered_apis"][0]["id"] == api["id"]
    )
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        viewer.patch(f"/registered_apis/{api['id']}", data={"name": "mine"})
    assert caught.value.http_status == 403

    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows_for(globus_emulator, eve).get_registered_api(api["id"])
    assert caught.value.http_status == 403

    admin = flows_for(globus_emulator, bob)
    globus_emulator.clock.advance(5)
    changed = admin.patch(f"/registered_apis/{api['id']}", data={"description": "new"}).data
    assert changed["description"] == "new" and changed["name"] == "get-group"
    assert changed["edited_timestamp"] and changed["updated_timestamp"] != api["updated_timestamp"]
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        admin.delete(f"/registered_apis/{api['id']}")
    assert caught.value.http_status == 403

    deleted = flows.delete(f"/registered_apis/{api['id']}").data
    assert deleted["status"] == "DELETE_PENDING" and deleted["scheduled_deletion_timestamp"]


@needs_sdk_methods
def test_malformed_registered_apis_are_refused(flows):
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        register(flows, target={"type": "openapi"})
    assert caught.value.http_status == 400
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.get_registered_api("00000000-0000-0000-0000-000000000000")
    assert caught.value.http_status == 404 and caught.value.code == "NOT_FOUND"
    assert not flows.list_registered_apis()["registered_apis"]


def test_an_action_calls_a_registered_api_as_the_runs_user(flows, runner_for, globus_emulator):
    lab = globus_emulator.groups.create("Lab", members={globus_emulator.user.id: "admin"})
    api = register(flows)
    definition = calling(api["id"], {"path": {"group_id.$": "$.group_id"}})
    run = run_to_end(flows, runner_for, definition, {"group_id": lab.id})
    assert run["status"] == "SUCCEEDED"
    assert run["details"]["output"]["group"]["name"] == "Lab"
    codes = [e["code"] for e in flows.get_run_logs(run["run_id"], limit=20)["entries"]]
    assert "ActionCompleted" in codes
    # the flow's own scope depends on the registered API's
    flow = flows.get_flow(run["flow_id"])
    assert flows.validate_flow(flow["definition"])["scopes"]["User"] == [GROUPS_SCOPE]


def test_templates_shape_the_request_and_a_failure_is_catchable(flows, runner_for, globus_emulator):
    lab = globus_emulator.groups.create("Lab", members={globus_emulator.user.id: "admin"})
    api = register(
        flows,
        data_templates={
            "request": {"template": {"path": {"$T_ref": "$"}}},
            "response": {
                "2XX": {"template": {"title": {"$T_ref": "$.body.name"}}, "type": "success"},
                "default": {
                    "template": {"cause": {"$T_ref": "$.status_code"}, "exception": "NoGroup"},
                    "type": "failure",
                },
            },
        },
        state_input_schema={"type": "object", "required": ["group_id"]},
    )
    ok = run_to_end(flows, runner_for, calling(api["id"], {"group_id": lab.id}))
    assert ok["details"]["output"]["group"] == {"title": "Lab"}

    caught = calling(
        api["id"],
        {"group_id": "00000000-0000-0000-0000-000000000000"},
        Catch=[{"ErrorEquals": ["NoGroup"], "ResultPath": "$.err", "Next": "Done"}],
    )
    del caught["States"]["Call"]["End"]
    caught["States"]["Call"]["Next"] = "Done"
    caught["States"]["Done"] = {"Type": "Pass", "End": True}
    run = run_to_end(flows, runner_for, caught)
    assert run["status"] == "SUCCEEDED"
    assert run["details"]["output"]["err"] == {"Error": "NoGroup", "Cause": "404"}

    unfit = run_to_end(flows, runner_for, calling(api["id"], {"wrong": 1}))
    assert unfit["status"] == "FAILED" and unfit["details"]["error"] == "ActionUnableToRun"
    assert "group_id" in unfit["details"]["cause"]


def test_nothing_leaves_the_machine_and_unknown_apis_are_refused(flows, runner_for):
    elsewhere = copy.deepcopy(GET_GROUP)
    elsewhere["target"]["destination"]["url"] = "https://api.example.org/things/{group_id}"
    api = register(flows, elsewhere)
    run = run_to_end(flows, runner_for, calling(api["id"], {"path": {"group_id": "x"}}))
    assert run["status"] == "FAILED" and "nothing was sent" in run["details"]["cause"]

    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.create_flow("Unknown", calling("00000000-0000-0000-0000-000000000000", {}), {})
    assert caught.value.http_status == 422 and "registered API" in caught.value.text
    flows.delete(f"/registered_apis/{api['id']}")
    with pytest.raises(globus_sdk.FlowsAPIError):
        flows.create_flow("Deleted", calling(api["id"], {}), {})


def test_other_handler_forms(flows, runner_for):
    hosted = {
        "StartAt": "G",
        "States": {
            "G": {
                "Type": "Action",
                "Handler": "urn:globus:flows:handle:globus:groups.get_group",
                "Parameters": {"group_id": "x"},
                "End": True,
            }
        },
    }
    run = run_to_end(flows, runner_for, hosted)
    assert run["status"] == "FAILED" and "not emulated" in run["details"]["cause"]

    provider = {
        "StartAt": "H",
        "States": {
            "H": {
                "Type": "Action",
                "Handler": {"Type": "ActionProvider", "Url": HELLO},
                "Parameters": {"echo_string": "hi"},
                "ResultPath": "$.hello",
                "End": True,
            }
        },
    }
    run = run_to_end(flows, runner_for, provider)
    assert run["status"] == "SUCCEEDED"
    assert run["details"]["output"]["hello"]["details"]["hello"] == "hi"


def test_a_handler_and_an_action_url_are_exclusive(flows):
    both = {
        "StartAt": "H",
        "States": {
            "H": {
                "Type": "Action",
                "ActionUrl": HELLO,
                "Handler": {"Type": "ActionProvider", "Url": HELLO},
                "End": True,
            }
        },
    }
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.create_flow("Both", both, {})
    assert caught.value.http_status == 422 and "mutually exclusive" in caught.value.text


@needs_sdk_methods
def test_a_deleted_registered_api_fails_runs_and_is_gone_after_its_grace_period(
    flows, runner_for, globus_emulator
):
    lab = globus_emulator.groups.create("Lab", members={globus_emulator.user.id: "admin"})
    api = register(flows)
    flow = flows.create_flow(
        "Deleted later", calling(api["id"], {"path": {"group_id": lab.id}}), {}
    ).data
    run_flow = runner_for(flow).run_flow
    assert flows.get_run(run_flow({})["run_id"])["status"] == "SUCCEEDED"

    deleted = flows.delete(f"/registered_apis/{api['id']}").data
    pending = flows.get_registered_api(api["id"])
    assert pending["status"] == "DELETE_PENDING"
    assert pending["scheduled_deletion_timestamp"] == deleted["scheduled_deletion_timestamp"]
    assert [a["id"] for a in flows.list_registered_apis()["registered_apis"]] == [api["id"]]
    run = flows.get_run(run_flow({})["run_id"])
    assert run["status"] == "FAILED" and run["details"]["error"] == "ActionUnableToRun"
    assert f"the registered API {api['id']} was deleted" in run["details"]["cause"]

    globus_emulator.clock.advance(DELETION_GRACE)
    flows = flows_for(globus_emulator, globus_emulator.user)  # a week on: fresh tokens
    run_flow = runner_for(flow).run_flow
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.get_registered_api(api["id"])
    assert caught.value.http_status == 404 and caught.value.code == "NOT_FOUND"
    assert not flows.list_registered_apis()["registered_apis"]
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.delete(f"/registered_apis/{api['id']}")
    assert caught.value.http_status == 404
    run = flows.get_run(run_flow({})["run_id"])
    assert run["status"] == "FAILED"
    assert f"no registered API {api['id']} exists" in run["details"]["cause"]
