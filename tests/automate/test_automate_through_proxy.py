"""globus-automate-client through proxy mode: the `globus-automate` command
with its production URLs and only the proxy's environment (no service URL
variables). Its FlowsClient pins certifi's bundle (``verify_ssl=True``), so
it needs the opt-in ``python_trust_env`` (``serve --proxy --python-trust``)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest
import requests

pytest.importorskip("globus_automate_client")

# beside this Python (a venv's bin/, not necessarily on PATH), or on PATH
GLOBUS_AUTOMATE = shutil.which(
    "globus-automate", path=os.path.dirname(sys.executable)
) or shutil.which("globus-automate")
pytestmark = pytest.mark.skipif(
    GLOBUS_AUTOMATE is None, reason="the globus-automate command is not installed"
)
AUTHORIZE_URL = re.compile(r"(https?://\S+/v2/oauth2/authorize\?\S+)")
DEFINITION = {
    "StartAt": "Hello",
    "States": {
        "Hello": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string.$": "$.input.echo_string"},
            "ResultPath": "$.HelloResult",
            "End": True,
        },
    },
}


def proxied_env(proxy, *, python_trust: bool) -> dict[str, str]:
    """This process's environment without any Globus setting, plus the
    proxy's (and, if asked, the certifi hook's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
    env.update(proxy.env, HOME=tempfile.mkdtemp(prefix="automate-home-"))
    if python_trust:
        env.update(proxy.python_trust_env)
    return env


def globus_automate(server, env, *args):
    """Run the command, logging in as a person would (it prints the
    production authorize URL; the served control plane answers with the
    code a person would paste). Returns the exit status and the output."""
    process = subprocess.Popen(
        [GLOBUS_AUTOMATE, *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen, urls = "", []
    while (char := process.stdout.read(1)) != "":
        seen += char
        if seen.endswith("Authorization Code here: "):
            urls.append(AUTHORIZE_URL.search(seen).group(1))
            answer = requests.post(f"{server.url}/_testkit/auth/authorize", json={"url": urls[-1]})
            process.stdin.write(answer.json()["code"] + "\n")
            process.stdin.flush()
            seen = ""
    assert all(url.startswith("https://auth.globus.org/") for url in urls), urls
    return process.wait(timeout=60), seen


def test_globus_automate_deploys_and_runs_a_flow_through_the_proxy(
    globus_server, globus_proxy, globus_emulator, tmp_path
):
    env = proxied_env(globus_proxy, python_trust=True)
    assert not any(k.startswith("GLOBUS_SDK_SERVICE_URL") for k in env)
    definition = tmp_path / "flow.json"
    definition.write_text(json.dumps(DEFINITION))
    status, out = globus_automate(
        globus_server, env, "flow", "deploy", "--title", "Proxied hello",
        "--definition", str(definition), "-f", "json",
    )  # fmt: skip
    assert status == 0, out
    flow_id = json.loads(out)["id"]
    assert globus_emulator.world.flows.flows[flow_id].title == "Proxied hello"
    status, out = globus_automate(
        globus_server, env, "flow", "run", flow_id, "--label", "through the proxy",
        "--flow-input", json.dumps({"input": {"echo_string": "proxied"}}), "-f", "json",
    )  # fmt: skip
    assert status == 0, out
    run = globus_emulator.world.flows.runs[json.loads(out)["action_id"]]
    assert run.label == "through the proxy"
    assert run.state["HelloResult"]["details"]["hello"] == "proxied"
    services = {entry.service for entry in globus_emulator.journal.entries()}
    assert {"auth", "flows"} <= services


def test_without_the_python_trust_hook_automate_refuses_the_proxy_certificate(
    globus_server, globus_proxy, tmp_path
):
    status, out = globus_automate(
        globus_server, proxied_env(globus_proxy, python_trust=False), "flow", "list", "-f", "json"
    )
    assert status != 0
    assert "CERTIFICATE_VERIFY_FAILED" in out or "SSLError" in out, out
