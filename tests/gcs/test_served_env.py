"""GLOBUS_TESTKIT_GCS_URL: where a subprocess finds the loopback server's
GCS Managers (globus-sdk has no service-URL variable for GCS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = """
import json, os, sys
import globus_sdk

endpoint_id, token = sys.argv[1], sys.argv[2]
gcs = globus_sdk.GCSClient(
    "unused.invalid", authorizer=globus_sdk.AccessTokenAuthorizer(token)
)
gcs.base_url = f"{os.environ['GLOBUS_TESTKIT_GCS_URL']}/{endpoint_id}/api/"
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
    assert globus_server.shell_env["GLOBUS_TESTKIT_GCS_URL"] == os.environ["GLOBUS_TESTKIT_GCS_URL"]
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, endpoint.id, token],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"info": endpoint.id, "gateways": ["disks"]}
    # the same place Transfer's gcs_manager_url names on this server
    served = globus_emulator.gcs.manager_url(endpoint)
    assert served == f"{os.environ['GLOBUS_TESTKIT_GCS_URL']}/{endpoint.id}"
