"""GLOBUS_TESTKIT_GCS_URL: where a subprocess finds the loopback server's
GCS Managers (globus-sdk has no service-URL variable for GCS): an https
URL on the server's TLS door, which globus-sdk trusts through the served
env's GLOBUS_SDK_VERIFY_SSL and nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = """
import json, os, sys
import globus_sdk

endpoint_id, token = sys.argv[1], sys.argv[2]
gcs = globus_sdk.GCSClient(
    f"{os.environ['GLOBUS_TESTKIT_GCS_URL']}/{endpoint_id}",
    authorizer=globus_sdk.AccessTokenAuthorizer(token),
)
print(json.dumps({
    "info": gcs.get_gcs_info()["endpoint_id"],
    "gateways": [g["display_name"] for g in gcs.get_storage_gateway_list()],
}))
"""


def test_a_subprocess_finds_the_gcs_manager_from_the_served_env(globus_emulator, globus_server, tc):
    endpoint = globus_emulator.gcs.add_endpoint("Served GCS")
    globus_emulator.gcs.add_storage_gateway(endpoint, "disks")
    token = globus_emulator.auth.issue_token(
        globus_emulator.user, globus_emulator.gcs.scope(endpoint)
    )
    served = globus_server.shell_env
    assert served["GLOBUS_TESTKIT_GCS_URL"].startswith("https://127.0.0.1:")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, endpoint.id, token],
        env={**env, **served},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"info": endpoint.id, "gateways": ["disks"]}
    # the same place Transfer's gcs_manager_url names on this server
    manager_url = globus_emulator.gcs.manager_url(endpoint)
    assert manager_url == f"{served['GLOBUS_TESTKIT_GCS_URL']}/{endpoint.id}"


def test_without_the_served_trust_the_tls_door_is_refused(globus_emulator, globus_server):
    """The TLS door's authority is trusted only where the env says so:
    requests with its default bundle refuses the certificate."""
    import requests

    endpoint = globus_emulator.gcs.add_endpoint("Served")
    url = f"{globus_server.gcs_url}/{endpoint.id}/api/info"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(url, timeout=10, verify=True)
    answer = requests.get(url, timeout=10, verify=str(globus_server.ca_file))
    assert answer.json()["data"][0]["endpoint_id"] == endpoint.id
