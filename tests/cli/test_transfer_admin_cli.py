"""globus-cli's `globus endpoint role ...`, `gcp update mapped` and
`gcp set-subscription-id` commands against the live server."""

from __future__ import annotations

import json

import pytest

from .test_globus_cli import GLOBUS, globus

pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")


@pytest.fixture
def run(cli_env):
    def call(*args: str) -> dict:
        return json.loads(globus(cli_env, *args, "-F", "json").stdout)

    return call


def test_endpoint_role_commands_grant_list_show_and_remove(run, globus_emulator, cli_env):
    account = globus_emulator.service_account.client_id
    lab = globus_emulator.transfer.add_collection("CLI lab", owner=account)
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
