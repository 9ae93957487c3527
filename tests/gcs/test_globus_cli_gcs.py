"""globus-cli's ``gcs`` commands through proxy mode: globus-cli wants an
https ``gcs_manager_url``, which the proxy gives it at the endpoint's own
host, in a subprocess with only the proxy's environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

GLOBUS = shutil.which("globus")
pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")


@pytest.fixture
def cli(globus_emulator, globus_proxy, tmp_path):
    account = globus_emulator.service_account
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLOBUS_", "HOME"))}
    env.update(
        globus_proxy.env,
        HOME=str(tmp_path),
        GLOBUS_CLI_CLIENT_ID=account.client_id,
        GLOBUS_CLI_CLIENT_SECRET=account.client_secret,
    )

    def run(*args: str) -> dict:
        done = subprocess.run(
            [str(GLOBUS), *args, "-Fjson"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
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
    roles = cli("gcs", "endpoint", "role", "list", endpoint.id)
    assert [r["role"] for r in roles["DATA"]] == ["owner"]


def test_cli_api_gcs_reaches_the_manager(cli, endpoint):
    info = cli("api", "gcs", endpoint.id, "GET", "/info")
    assert info["data"][0]["endpoint_id"] == endpoint.id
