"""globus-cli's `globus endpoint role ...`, `gcp update mapped` and
`gcp set-subscription-id` commands against the live server."""

from __future__ import annotations

import globus_sdk
import pytest

from .test_globus_cli import GLOBUS, globus

pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
MANAGED = "9a8b7c6d-0000-4000-8000-0000000000aa"  # a subscription: the collection is managed


def test_endpoint_role_commands_grant_list_show_and_remove(run, globus_emulator, cli_env):
    account = globus_emulator.service_account.client_id
    lab = globus_emulator.transfer.add_collection(
        "CLI laptop", owner=account, entity_type="GCP_mapped_collection", subscription_id=MANAGED
    )
    monitor = globus_emulator.auth.add_identity("monitor@example.org")
    role = run(
        "endpoint", "role", "create", lab.id, "--identity", monitor.id, "--role", "activity_monitor"
    )
    listed = run("endpoint", "role", "list", lab.id)["DATA"]
    assert [(r["id"], r["principal"], r["role"]) for r in listed] == [
        (role["id"], monitor.id, "activity_monitor")
    ]
    assert run("endpoint", "role", "show", lab.id, role["id"])["principal_type"] == "identity"
    globus(cli_env, "endpoint", "role", "delete", lab.id, role["id"])
    assert run("endpoint", "role", "list", lab.id)["DATA"] == []


def test_endpoint_role_create_needs_a_managed_personal_collection(globus_emulator, cli_env):
    account = globus_emulator.service_account.client_id
    server_collection = globus_emulator.transfer.add_collection("CLI GCS", owner=account)
    unmanaged = globus_emulator.transfer.add_collection(
        "CLI unmanaged", owner=account, entity_type="GCP_mapped_collection"
    )
    monitor = globus_emulator.auth.add_identity("monitor@example.org")
    for collection, status in ((server_collection, "400"), (unmanaged, "403")):
        done = globus(
            cli_env,
            "endpoint", "role", "create", collection.id,
            "--identity", monitor.id, "--role", "administrator",
            check=False,
        )  # fmt: skip
        assert done.returncode != 0 and status in done.stdout + done.stderr


def test_an_administrator_role_held_through_a_group_works_from_the_cli(
    run, globus_emulator, cli_env
):
    account = globus_emulator.service_account.client_id
    owner = globus_emulator.auth.add_identity("owner@example.org")
    laptop = globus_emulator.transfer.add_collection(
        "Their laptop", owner=owner, entity_type="GCP_mapped_collection", subscription_id=MANAGED
    )
    admins = globus_emulator.world.groups.create("laptop admins", {account: "member"})
    globus_emulator.transfer.set_role(laptop, admins.id, "administrator", group=True)
    monitor = globus_emulator.auth.add_identity("monitor@example.org")
    role = run(
        "endpoint",
        "role",
        "create",
        laptop.id,
        "--identity",
        monitor.id,
        "--role",
        "activity_monitor",
    )
    assert globus_emulator.transfer.collection(laptop.id).roles[role["id"]].principal == monitor.id


def test_ls_is_refused_on_a_paused_endpoint_until_the_rule_is_deleted(globus_emulator, cli_env):
    account = globus_emulator.service_account.client_id
    laptop = globus_emulator.transfer.add_collection(
        "Paused laptop",
        owner=account,
        entity_type="GCP_mapped_collection",
        subscription_id=MANAGED,  # pause rules are for managed endpoints
        files={"/data/a.txt": "a"},
    )
    manager = globus_emulator.auth.add_identity("manager@example.org")
    globus_emulator.transfer.set_role(laptop, manager, "activity_manager")
    token = globus_emulator.auth.issue_token(manager, TRANSFER_ALL)
    manager_tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    rule = manager_tc.endpoint_manager_create_pause_rule(
        {"DATA_TYPE": "pause_rule", "endpoint_id": laptop.id, "message": "disk check"}
    )
    refused = globus(cli_env, "ls", f"{laptop.id}:/data/", check=False)
    assert refused.returncode != 0
    assert "PermissionDenied" in refused.stderr + refused.stdout
    assert "disk check" in refused.stderr + refused.stdout
    manager_tc.endpoint_manager_delete_pause_rule(rule["id"])
    assert globus(cli_env, "ls", f"{laptop.id}:/data/").stdout.split() == ["a.txt"]


def test_gcp_update_mapped_and_subscription_commands(run, globus_emulator, cli_env):
    account = globus_emulator.service_account.client_id
    laptop = globus_emulator.transfer.add_collection(
        "CLI laptop", owner=account, entity_type="GCP_mapped_collection"
    )
    subscription = "5e6f7a8b-0000-4000-8000-00000000cdef"
    globus_emulator.world.groups.create(
        "Provider", {account: "admin"}, subscription_id=subscription
    )
    updated = run(
        "gcp",
        "update",
        "mapped",
        laptop.id,
        "--description",
        "my laptop",
        "--user-message",
        "be kind",
        "--subscription-id",
        subscription,
    )
    assert updated["code"] == "Updated"
    shown = globus_emulator.transfer.collection(laptop.id)
    assert (shown.description, shown.user_message) == ("my laptop", "be kind")
    assert shown.subscription_id == subscription
    globus(cli_env, "gcp", "set-subscription-admin-verified", laptop.id, "true")
    assert globus_emulator.transfer.collection(laptop.id).subscription_admin_verified is True
    globus(cli_env, "gcp", "set-subscription-id", laptop.id, "null")
    assert globus_emulator.transfer.collection(laptop.id).subscription_id is None


def test_gcp_create_mapped_and_guest_then_list_shared_endpoints(run, globus_emulator):
    created = run("gcp", "create", "mapped", "CLI personal", "--description", "a laptop")
    assert created["globus_connect_setup_key"]
    personal_id = created["id"]
    globus_emulator.transfer.write(personal_id, "/home/me/data/x.txt", "x marks")
    guest = run("gcp", "create", "guest", "CLI guest", f"{personal_id}:/home/me/data/")
    shared = globus_emulator.transfer.collection(guest["id"])
    assert (shared.entity_type, shared.host_path) == ("GCP_guest_collection", "/home/me/data/")
    assert globus_emulator.transfer.read(shared, "/x.txt") == b"x marks"
    listed = run("endpoint", "my-shared-endpoint-list", personal_id)["DATA"]
    assert [e["id"] for e in listed] == [guest["id"]]
