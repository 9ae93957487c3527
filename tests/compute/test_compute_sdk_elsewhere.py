"""globus-compute-sdk's Client in another program: it always calls
Compute's production URL (no GLOBUS_SDK_SERVICE_URL_COMPUTE), so it reaches
the emulator through proxy mode, unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("globus_compute_sdk")

PROGRAM = """
import os, globus_sdk
from globus_compute_sdk import Client

def square(x):
    return x * x

client = Client(authorizer=globus_sdk.AccessTokenAuthorizer(os.environ["TOKEN"]))
function_id = client.register_function(square)
task_id = client.run(7, endpoint_id=os.environ["ENDPOINT"], function_id=function_id)
print(client.get_result(task_id))
"""


def test_a_separate_program_runs_a_function_through_proxy_mode(
    globus_emulator, globus_proxy, compute_token, endpoint
):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
    env.update(globus_proxy.env, TOKEN=compute_token, ENDPOINT=endpoint.id)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PROGRAM)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "49"
    assert any(e.operation == "submit" for e in globus_emulator.journal)
