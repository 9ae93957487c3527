"""Providers mounted into a served emulator the way they are deployed:
from the command line (serve --mount URL=module:factory) and through the
control plane (POST /_testkit/mounts)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import requests

FACTORY = "tests.flows.wordcount:make_provider"


def _serve(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_SDK")}
    process = subprocess.Popen(
        [sys.executable, "-m", "globus_testkit.cli", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    exports = {}
    assert process.stdout is not None
    for line in process.stdout:
        name, _, value = line.removeprefix("export ").strip().partition("=")
        exports[name] = value.strip("'")
        if name == "GLOBUS_TESTKIT_USER":
            break
    return process, exports["GLOBUS_SDK_SERVICE_URL_AUTH"].removesuffix("/auth/")


def test_serve_mounts_a_provider_from_the_command_line():
    process, base = _serve("--mount", f"https://words.example.org={FACTORY}")
    try:
        mounts = requests.get(f"{base}/_testkit/mounts", timeout=5).json()["mounts"]
        assert [m["url"] for m in mounts] == ["https://words.example.org"]
        document = requests.get(f"{base}/mounts/words.example.org/wordcount/", timeout=5)
        assert document.json()["globus_auth_scope"] == mounts[0]["scope"]
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


def test_serve_refuses_a_mount_it_cannot_import():
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "globus_testkit.cli",
            "serve",
            "--mount",
            "https://x.org=no_such:app",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 2
    assert "no_such" in process.stderr


def test_the_control_plane_mounts_a_provider_keeping_its_prefix(globus_server):
    answer = requests.post(
        f"{globus_server.url}/_testkit/mounts",
        json={"url": "https://words.example.org/wordcount", "app": FACTORY, "keep_prefix": True},
        timeout=5,
    )
    assert answer.status_code == 201, answer.text
    document = requests.get(f"{globus_server.url}/mounts/words.example.org/wordcount/", timeout=5)
    assert document.json()["globus_auth_scope"] == answer.json()["scope"]
    refused = requests.post(
        f"{globus_server.url}/_testkit/mounts",
        json={"url": "https://words.example.org", "app": "os:system('true')"},
        timeout=5,
    )
    assert refused.status_code == 400
