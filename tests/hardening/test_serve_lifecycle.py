"""`globus-testkit serve` keeps its world through signals: ready for them
before it announces itself, and saving whatever it accepted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import globus_sdk
import pytest

from globus_testkit import Emulator

from .test_state_files import DEEP, FLOWS_ALL, _definition, nested

pytestmark = pytest.mark.server_only


def _start(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_SDK")}
    return subprocess.Popen(
        [sys.executable, "-m", "globus_testkit.cli", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _exports(process: subprocess.Popen[str]) -> dict[str, str]:
    assert process.stdout is not None
    exports = {}
    for line in process.stdout:
        name, _, value = line.removeprefix("export ").strip().partition("=")
        exports[name] = value.strip("'")
        if name == "GLOBUS_TESTKIT_USER":
            break
    return exports


def _point_the_sdk_at(
    process: subprocess.Popen[str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    exports = _exports(process)
    for name, value in exports.items():
        if name.startswith("GLOBUS_SDK_"):
            monkeypatch.setenv(name, value)
    return exports


def test_a_sigterm_the_moment_serve_announces_itself_still_saves_the_state(tmp_path: Path):
    state = tmp_path / "world.state"
    for _ in range(3):  # the window was a few lines wide: try it more than once
        state.unlink(missing_ok=True)
        process = _start("--state", str(state))
        assert process.stdout is not None
        first = process.stdout.readline()  # the first export line: it is ready
        assert first.startswith("export ")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        Emulator().load_state(state)


def test_sigterm_saves_a_flow_nested_as_deep_as_requests_allow(tmp_path, monkeypatch):
    state = tmp_path / "world.state"
    process = _start("--state", str(state))
    try:
        exports = _point_the_sdk_at(process, monkeypatch)
        app = globus_sdk.ConfidentialAppAuthClient(
            exports["GLOBUS_CLI_CLIENT_ID"], exports["GLOBUS_CLI_CLIENT_SECRET"]
        )
        tokens = app.oauth2_client_credentials_tokens(requested_scopes=FLOWS_ALL)
        token = tokens.by_resource_server["flows.globus.org"]["access_token"]
        flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        flow = flows.create_flow("deep", _definition(nested(DEEP)), {})
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0

    restarted = _start("--state", str(state))
    try:
        _point_the_sdk_at(restarted, monkeypatch)
        # a new port, the same world: the token issued before still works
        flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        assert flows.get_flow(flow["id"])["definition"] == _definition(nested(DEEP))
    finally:
        restarted.send_signal(signal.SIGINT)
        assert restarted.wait(timeout=20) == 0
