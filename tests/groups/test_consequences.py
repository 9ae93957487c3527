"""Groups gate access elsewhere, through world.groups only: Transfer ACLs
with a group principal, Flows roles naming ``urn:globus:groups:id:<id>``.
Only active memberships count, and leaving or being removed takes access
away at once."""

from __future__ import annotations

import globus_sdk
import pytest

TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
PENDING = {
    "StartAt": "Wait",
    "States": {
        "Wait": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/test",
            "Parameters": {"outcome": "inactive"},
            "End": True,
        }
    },
}


@pytest.fixture
def manager(gc):
    return globus_sdk.GroupsManager(gc)


@pytest.fixture
def transfer_for(globus_emulator):
    def make(identity=None):
        token = globus_emulator.auth.issue_token(identity or globus_emulator.user, TRANSFER_ALL)
        return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))

    return make


@pytest.fixture
def shared(globus_emulator, transfer_for, lab):
    """A guest collection whose /results/ the lab group may read."""
    collection = globus_emulator.transfer.add_collection(
        "Shared results",
        entity_type="GCSv5_guest_collection",
        public=False,
        files={"/results/r1.csv": "1,2,3"},
    )
    transfer_for().add_endpoint_acl_rule(
        collection.id,
        {
            "DATA_TYPE": "access",
            "principal_type": "group",
            "principal": lab["id"],
            "path": "/results/",
            "permissions": "r",
        },
    )
    return collection


@pytest.fixture
def flows_for(globus_emulator):
    def make(identity=None):
        token = globus_emulator.auth.issue_token(identity or globus_emulator.user, FLOWS_ALL)
        return globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))

    return make


def runner_for(globus_emulator, flow, identity):
    token = globus_emulator.auth.issue_token(identity, flow["globus_auth_scope"])
    return globus_sdk.SpecificFlowClient(
        flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )


def listing(client, collection_id):
    return [e["name"] for e in client.operation_ls(collection_id, path="/results/")]


def test_a_group_acl_lets_members_list_until_they_leave(
    manager, groups_for, transfer_for, shared, lab, bob
):
    as_bob = transfer_for(bob)
    with pytest.raises(globus_sdk.TransferAPIError):
        listing(as_bob, shared.id)
    manager.add_member(lab["id"], bob.id)
    assert listing(as_bob, shared.id) == ["r1.csv"]
    globus_sdk.GroupsManager(groups_for(bob)).leave(lab["id"], bob.id)
    with pytest.raises(globus_sdk.TransferAPIError):
        listing(as_bob, shared.id)


def test_removal_revokes_a_group_acl_at_once(manager, transfer_for, shared, lab, bob):
    manager.add_member(lab["id"], bob.id)
    assert listing(transfer_for(bob), shared.id) == ["r1.csv"]
    manager.remove_member(lab["id"], bob.id)
    with pytest.raises(globus_sdk.TransferAPIError):
        listing(transfer_for(bob), shared.id)


def test_invited_and_pending_memberships_grant_nothing(
    manager, groups_for, transfer_for, shared, lab, bob
):
    manager.invite_member(lab["id"], bob.id)
    with pytest.raises(globus_sdk.TransferAPIError):
        listing(transfer_for(bob), shared.id)
    globus_sdk.GroupsManager(groups_for(bob)).accept_invite(lab["id"], bob.id)
    assert listing(transfer_for(bob), shared.id) == ["r1.csv"]


def test_subgroup_members_count_as_members_of_the_parent(gc, transfer_for, shared, lab, bob):
    sub = gc.create_group({"name": "Sub", "parent_id": lab["id"]})
    globus_sdk.GroupsManager(gc).add_member(sub["id"], bob.id)
    assert listing(transfer_for(bob), shared.id) == ["r1.csv"]


def test_a_deleted_group_grants_nothing(gc, manager, transfer_for, shared, lab, bob):
    manager.add_member(lab["id"], bob.id)
    gc.delete_group(lab["id"])
    with pytest.raises(globus_sdk.TransferAPIError):
        listing(transfer_for(bob), shared.id)


def test_a_group_of_flow_starters_may_run_the_flow_until_removed(
    globus_emulator, manager, flows_for, lab, bob
):
    flow = flows_for().create_flow(
        "Group flow", PENDING, {}, flow_starters=[f"urn:globus:groups:id:{lab['id']}"]
    )
    with pytest.raises(globus_sdk.FlowsAPIError):
        runner_for(globus_emulator, flow, bob).run_flow({})
    manager.add_member(lab["id"], bob.id)
    run = runner_for(globus_emulator, flow, bob).run_flow({}, label="as a member")
    assert run["status"] in ("ACTIVE", "SUCCEEDED", "INACTIVE")
    manager.remove_member(lab["id"], bob.id)
    with pytest.raises(globus_sdk.FlowsAPIError):
        runner_for(globus_emulator, flow, bob).run_flow({})


def test_a_group_of_run_monitors_sees_the_run_until_it_leaves(
    globus_emulator, manager, groups_for, flows_for, lab, bob
):
    flow = flows_for().create_flow("Watched", PENDING, {})
    run = runner_for(globus_emulator, flow, globus_emulator.user).run_flow(
        {}, run_monitors=[f"urn:globus:groups:id:{lab['id']}"]
    )
    as_bob = flows_for(bob)
    with pytest.raises(globus_sdk.FlowsAPIError):
        as_bob.get_run(run["run_id"])
    manager.add_member(lab["id"], bob.id)
    assert as_bob.get_run(run["run_id"])["run_id"] == run["run_id"]
    globus_sdk.GroupsManager(groups_for(bob)).leave(lab["id"], bob.id)
    with pytest.raises(globus_sdk.FlowsAPIError):
        as_bob.get_run(run["run_id"])


def test_a_hosted_provider_honours_group_monitor_by_until_removal(
    globus_emulator, manager, lab, bob
):
    import requests

    scope = "https://auth.globus.org/scopes/actions.globus.org/testkit_test"
    base = "https://actions.globus.org/test"
    if globus_emulator._servers:
        base = globus_emulator._servers[0].service_url("actions") + "test"

    def headers(identity):
        return {"Authorization": f"Bearer {globus_emulator.auth.issue_token(identity, scope)}"}

    started = requests.post(
        f"{base}/run",
        json={
            "request_id": "g1",
            "body": {"outcome": "inactive"},
            "monitor_by": [f"urn:globus:groups:id:{lab['id']}"],
        },
        headers=headers(globus_emulator.user),
        timeout=10,
    ).json()
    status_url = f"{base}/{started['action_id']}/status"
    assert requests.get(status_url, headers=headers(bob), timeout=10).status_code == 404
    manager.add_member(lab["id"], bob.id)
    assert requests.get(status_url, headers=headers(bob), timeout=10).status_code == 200
    manager.remove_member(lab["id"], bob.id)
    assert requests.get(status_url, headers=headers(bob), timeout=10).status_code == 404
