"""Guest-collection ACLs, visibility, and the consent round trip."""

from __future__ import annotations

import globus_sdk
import pytest

from .conftest import TUTORIAL_1


@pytest.fixture
def shared(globus_emulator):
    return globus_emulator.transfer.add_collection(
        "Shared results",
        entity_type="GCSv5_guest_collection",
        public=False,
        files={"/results/r1.csv": "1,2,3", "/private/p.txt": "no"},
    )


@pytest.fixture
def eve(globus_emulator):
    return globus_emulator.auth.add_identity("eve@example.org")


def test_a_private_guest_collection_is_invisible_without_a_rule(shared, eve, transfer_for):
    client = transfer_for(eve)
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        client.get_endpoint(shared.id)
    assert caught.value.code == "EndpointNotFound"
    assert shared.id not in [e["id"] for e in client.endpoint_search("Shared")]


def test_an_acl_rule_grants_read_on_its_path_only(tc, shared, eve, transfer_for):
    rule = tc.add_endpoint_acl_rule(
        shared.id,
        {
            "DATA_TYPE": "access",
            "principal_type": "identity",
            "principal": eve.id,
            "path": "/results/",
            "permissions": "r",
        },
    )
    client = transfer_for(eve)
    assert [e["name"] for e in client.operation_ls(shared.id, path="/results/")] == ["r1.csv"]
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        client.operation_ls(shared.id, path="/private/")
    assert caught.value.code == "PermissionDenied"
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        client.operation_mkdir(shared.id, path="/results/mine")
    assert caught.value.http_status == 403
    assert [e["id"] for e in client.endpoint_search(filter_scope="shared-with-me")] == [shared.id]
    listed = tc.endpoint_acl_list(shared.id)
    assert [r["id"] for r in listed] == [rule["access_id"]]


def test_rules_are_updated_and_deleted(tc, shared, eve, transfer_for):
    rule_id = tc.add_endpoint_acl_rule(
        shared.id,
        {
            "DATA_TYPE": "access",
            "principal_type": "identity",
            "principal": eve.id,
            "path": "/results/",
            "permissions": "r",
        },
    )["access_id"]
    tc.update_endpoint_acl_rule(shared.id, rule_id, {"DATA_TYPE": "access", "permissions": "rw"})
    assert tc.get_endpoint_acl_rule(shared.id, rule_id)["permissions"] == "rw"
    transfer_for(eve).operation_mkdir(shared.id, path="/results/mine")
    tc.delete_endpoint_acl_rule(shared.id, rule_id)
    with pytest.raises(globus_sdk.TransferAPIError):
        transfer_for(eve).operation_ls(shared.id, path="/results/")


def test_only_managers_manage_rules(tc, shared, eve, transfer_for):
    rule = {
        "DATA_TYPE": "access",
        "principal_type": "identity",
        "principal": eve.id,
        "path": "/",
        "permissions": "rw",
    }
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        transfer_for(eve).add_endpoint_acl_rule(shared.id, rule)
    assert caught.value.code == "EndpointNotFound"  # she cannot see it at all yet
    tc.add_endpoint_acl_rule(shared.id, {**rule, "path": "/results/", "permissions": "r"})
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        transfer_for(eve).add_endpoint_acl_rule(shared.id, rule)
    assert caught.value.http_status == 403  # she sees it, but does not manage it
    assert len(tc.endpoint_acl_list(shared.id)["DATA"]) == 1


def test_a_transfer_into_a_read_only_share_fails_permission_denied(
    tc, shared, eve, lab, transfer_for, globus_emulator
):
    tc.add_endpoint_acl_rule(
        shared.id,
        {
            "DATA_TYPE": "access",
            "principal_type": "all_authenticated_users",
            "principal": "",
            "path": "/results/",
            "permissions": "r",
        },
    )
    client = transfer_for(eve, TUTORIAL_1)
    data = globus_sdk.TransferData(source_endpoint=TUTORIAL_1, destination_endpoint=shared.id)
    data.add_item("/home/share/godata/file1.txt", "/results/file1.txt")
    task_id = client.submit_transfer(data)["task_id"]
    task = client.get_task(task_id)
    assert (task["status"], task["nice_status"]) == ("FAILED", "PERMISSION_DENIED")
    assert not globus_emulator.transfer.exists(shared, "/results/file1.txt")


def test_group_rules_follow_group_membership(tc, shared, eve, transfer_for, globus_emulator):
    group = globus_emulator.world.groups.create("analysts", {eve.id: "member"})
    tc.add_endpoint_acl_rule(
        shared.id,
        {
            "DATA_TYPE": "access",
            "principal_type": "group",
            "principal": group.id,
            "path": "/results/",
            "permissions": "r",
        },
    )
    assert transfer_for(eve).operation_ls(shared.id, path="/results/")["total"] == 1


@pytest.mark.skipif(
    "auto_redrive_gares" not in getattr(globus_sdk.GlobusAppConfig, "__dataclass_fields__", {}),
    reason="this globus-sdk has no auto_redrive_gares",
)
def test_a_client_app_redrives_the_consent_required_error(globus_emulator):
    account = globus_emulator.service_account
    app = globus_sdk.ClientApp(
        "redriver",
        client_id=account.client_id,
        client_secret=account.client_secret,
        config=globus_sdk.GlobusAppConfig(token_storage="memory", auto_redrive_gares=True),
    )
    tc = globus_sdk.TransferClient(app=app)
    listing = tc.operation_ls(TUTORIAL_1, path="/home/share/godata")
    assert len(listing["DATA"]) == 3
    statuses = [e.status for e in globus_emulator.journal.calls("transfer", "operation_ls")]
    assert statuses == [403, 200]


def test_revoking_consent_brings_the_error_back(globus_emulator, transfer_for):
    client = transfer_for(None, TUTORIAL_1)
    client.operation_ls(TUTORIAL_1, path="/home/share/godata")
    globus_emulator.auth.revoke_consent(
        globus_emulator.user, f"https://auth.globus.org/scopes/{TUTORIAL_1}/data_access"
    )
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        client.operation_ls(TUTORIAL_1, path="/home/share/godata")
    assert caught.value.info.consent_required
    if hasattr(globus_sdk, "gare"):
        assert globus_sdk.gare.to_gare(caught.value) is not None


@pytest.mark.globus(strict=False)
def test_lenient_mode_lists_a_mapped_collection_without_consent(globus_emulator):
    new = globus_emulator.transfer.add_collection("New", files={"/d/x": "x"})
    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer("any string"))
    assert [e["name"] for e in tc.operation_ls(new.id, path="/d")] == ["x"]
