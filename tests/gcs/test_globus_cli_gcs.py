"""globus-cli's ``gcs`` commands, in a subprocess with only the printed
environment: through proxy mode (the endpoint's own host) and against the
plain served emulator (``serve``'s env). globus-cli wants an https
``gcs_manager_url``; the served emulator gives its TLS door's, and
``GLOBUS_SDK_VERIFY_SSL`` in its env trusts that door's authority."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

GLOBUS = shutil.which("globus")
pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")


@pytest.fixture(params=["proxy", "served"])
def cli_env(request, globus_emulator):
    """What the CLI is given: the proxy's env, or ``serve``'s printed one."""
    if request.param == "served":
        return dict(request.getfixturevalue("globus_server").shell_env)
    account = globus_emulator.service_account
    return {
        **request.getfixturevalue("globus_proxy").env,
        "GLOBUS_CLI_CLIENT_ID": account.client_id,
        "GLOBUS_CLI_CLIENT_SECRET": account.client_secret,
    }


@pytest.fixture
def cli(cli_env, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLOBUS_", "HOME"))}
    env.update(cli_env, HOME=str(tmp_path))

    def run(*args: str, fails: bool = False) -> dict:
        """The command's JSON output; with ``fails``, its stderr (it must fail)."""
        done = subprocess.run(
            [str(GLOBUS), *args, "-Fjson"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if fails:
            assert done.returncode != 0, done.stdout
            return {"stderr": done.stderr}
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    return run


@pytest.fixture
def endpoint(globus_emulator):
    """An endpoint the CLI's client identity (the service account) owns."""
    return globus_emulator.gcs.add_endpoint(
        "CLI GCS", owner=globus_emulator.service_account.client_id
    )


def test_cli_shows_the_endpoint_and_lists_gateways(cli, globus_emulator, endpoint):
    gateway = globus_emulator.gcs.add_storage_gateway(endpoint, "disks")
    assert cli("gcs", "endpoint", "show", endpoint.id)["display_name"] == "CLI GCS"
    listed = cli("gcs", "storage-gateway", "list", endpoint.id)
    assert [g["id"] for g in listed["data"]] == [gateway.id]
    listed = cli("endpoint", "storage-gateway", "list", endpoint.id)
    assert [g["id"] for g in listed["data"]] == [gateway.id]


def test_cli_creates_a_mapped_collection_and_transfer_sees_it(cli, globus_emulator, endpoint):
    globus_emulator.gcs.add_storage_gateway(endpoint, "disks")
    mapped = cli(
        "gcs",
        "collection",
        "create",
        "mapped",
        endpoint.id,
        "CLI mapped",
        "--allow-guest-collections",
    )
    listed = cli("gcs", "collection", "list", endpoint.id)
    assert [c["id"] for c in listed["DATA"]] == [mapped["id"]]
    assert globus_emulator.transfer.collection(mapped["id"]).display_name == "CLI mapped"


def test_cli_user_credentials_and_roles(cli, globus_emulator, endpoint):
    gateway = globus_emulator.gcs.add_storage_gateway(endpoint, "disks")
    account = globus_emulator.service_account.client_id
    created = cli(
        "gcs", "user-credential", "create", "posix", endpoint.id, gateway.id, account, "svc"
    )
    listed = cli("gcs", "user-credential", "list", endpoint.id)
    assert [c["id"] for c in listed["data"]] == [created["id"]]
    listed = cli("endpoint", "user-credential", "list", endpoint.id)
    assert [c["id"] for c in listed["data"]] == [created["id"]]
    roles = cli("gcs", "endpoint", "role", "list", endpoint.id)
    assert [r["role"] for r in roles["DATA"]] == ["owner"]


def test_cli_api_gcs_reaches_the_manager(cli, endpoint):
    info = cli("api", "gcs", endpoint.id, "GET", "/info")
    assert info["data"][0]["endpoint_id"] == endpoint.id


def test_cli_collection_commands_find_the_endpoint_from_transfer(cli, globus_emulator, endpoint):
    """Collection-addressed commands read the endpoint's id from the
    collection's Transfer owner_id: the endpoint's client identity."""
    gateway = globus_emulator.gcs.add_storage_gateway(endpoint, "disks")
    account = globus_emulator.service_account.client_id
    mapped = cli(
        "gcs", "collection", "create", "mapped", endpoint.id, "Lab", "--allow-guest-collections"
    )
    globus_emulator.transfer.write(mapped["id"], "/shared/readme.txt", "hi")
    assert cli("collection", "show", mapped["id"])["display_name"] == "Lab"
    cli("gcs", "collection", "update", mapped["id"], "--description", "the lab's")
    assert globus_emulator.transfer.collection(mapped["id"]).description == "the lab's"
    credential = cli(
        "gcs", "user-credential", "create", "posix", endpoint.id, gateway.id, account, "svc"
    )
    guest = cli(
        "gcs",
        "collection",
        "create",
        "guest",
        mapped["id"],
        "/shared",
        "Shared",
        "--user-credential-id",
        credential["id"],
    )
    entry = globus_emulator.transfer.collection(guest["id"])
    assert (entry.entity_type, entry.owner_id) == ("GCSv5_guest_collection", endpoint.id)
    roles = cli("gcs", "collection", "role", "list", guest["id"])
    assert [(r["role"], r["principal"]) for r in roles["data"]] == [
        ("administrator", f"urn:globus:auth:identity:{account}")
    ]
    role_id = roles["data"][0]["id"]
    assert cli("gcs", "collection", "role", "show", guest["id"], role_id)["id"] == role_id
    cli("gcs", "collection", "delete", guest["id"])
    assert guest["id"] not in globus_emulator.world.transfer.collections
    cli("gcs", "collection", "delete", mapped["id"])
    assert cli("gcs", "collection", "list", endpoint.id)["DATA"] == []


def test_cli_sets_the_endpoint_subscription(cli, globus_emulator, endpoint):
    account = globus_emulator.service_account.client_id
    subscription = "5f1f7c44-2b7c-4c2e-9d71-1d6bda0c1d60"
    globus_emulator.groups.create(
        "Lab subscription", {account: "admin"}, subscription_id=subscription
    )
    cli("gcs", "endpoint", "set-subscription-id", endpoint.id, "DEFAULT")
    assert cli("gcs", "endpoint", "show", endpoint.id)["subscription_id"] == subscription
    assert globus_emulator.transfer.collection(endpoint.id).subscription_id == subscription
    cli("gcs", "endpoint", "set-subscription-id", endpoint.id, "null")
    assert cli("gcs", "endpoint", "show", endpoint.id)["subscription_id"] is None


def test_cli_s3_user_credentials(cli, globus_emulator, endpoint):
    gateway = globus_emulator.gcs.add_storage_gateway(
        endpoint, "bucket", connector_id="7643e831-5f6c-4b47-a07f-8ee90f401d23"
    )
    account = globus_emulator.service_account.client_id
    created = cli(
        "gcs",
        "user-credential",
        "create",
        "s3",
        endpoint.id,
        gateway.id,
        account,
        "svc",
        "KEY",
        "SECRET",
    )
    shown = cli("gcs", "user-credential", "show", endpoint.id, created["id"])
    assert shown["policies"] == {
        "DATA_TYPE": "s3_user_credential_policies#1.0.0",
        "s3_key_id": "KEY",
        "s3_secret_key": "SECRET",
    }
    cli("gcs", "user-credential", "delete", endpoint.id, created["id"])
    assert cli("gcs", "user-credential", "list", endpoint.id)["data"] == []


def test_cli_guest_creation_on_a_high_assurance_gateway_asks_for_a_new_login(
    cli, globus_emulator, endpoint
):
    """The gateway's policy, set through ``globus api gcs``, refuses the
    CLI's client identity (not from the allowed domain) with GCS's
    authentication_timeout 403, which globus-cli turns into its advice to
    log in again."""
    gateway = globus_emulator.gcs.add_storage_gateway(endpoint, "disks")
    account = globus_emulator.service_account.client_id
    mapped = cli(
        "gcs", "collection", "create", "mapped", endpoint.id, "Lab", "--allow-guest-collections"
    )
    credential = cli(
        "gcs", "user-credential", "create", "posix", endpoint.id, gateway.id, account, "svc"
    )
    policy = {"DATA_TYPE": "storage_gateway#1.2.0", "high_assurance": True}
    policy["allowed_domains"] = ["uchicago.edu"]
    cli(
        "api",
        "gcs",
        endpoint.id,
        "PATCH",
        f"/storage_gateways/{gateway.id}",
        "--body",
        json.dumps(policy),
    )
    assert cli("gcs", "collection", "show", mapped["id"], fails=True)["stderr"]
    refused = cli(
        "gcs",
        "collection",
        "create",
        "guest",
        mapped["id"],
        "/",
        "Shared",
        "--user-credential-id",
        credential["id"],
        fails=True,
    )
    assert "Session timeout detected" in refused["stderr"]
    assert f"globus login --gcs {endpoint.id}" in refused["stderr"]
