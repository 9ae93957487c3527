"""The /_testkit/ control plane and `globus-testkit serve`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import globus_sdk
import pytest
import requests

from conftest import userinfo


@pytest.fixture
def control(globus_server):
    base = f"{globus_server.url}/_testkit"
    session = requests.Session()

    def call(method, path, **kwargs):
        return session.request(method, base + path, timeout=5, **kwargs)

    return call


def test_health_answers(control, globus_emulator):
    body = control("GET", "/health").json()
    assert body["status"] == "ok"
    assert "auth" in body["services"]


def test_the_control_plane_is_not_reachable_through_a_globus_host(globus_emulator):
    answer = requests.get("https://auth.globus.org/_testkit/health", timeout=5)
    assert answer.status_code == 501


def test_the_clock_advances_through_the_control_plane(control, globus_emulator):
    before = globus_emulator.clock.now()
    body = control("POST", "/clock/advance", json={"seconds": 3600}).json()
    assert body["timestamp"] == before + 3600


def test_a_negative_clock_advance_is_refused_and_time_stands(control, globus_emulator):
    before = globus_emulator.clock.now()
    answer = control("POST", "/clock/advance", json={"seconds": -5})
    assert answer.status_code == 400
    assert answer.json()["code"] == "BadRequest"
    assert globus_emulator.clock.now() == before


def test_faults_are_added_listed_and_cleared(control, globus_emulator, auth_client_for, sdk_sleeps):
    added = control("POST", "/faults", json={"service": "auth", "status": 503, "times": 1})
    assert added.status_code == 201
    assert userinfo(auth_client_for())["sub"]
    assert control("GET", "/faults").json()["faults"][0]["fired"] == 1
    assert control("DELETE", "/faults").json() == {"faults": []}
    assert globus_emulator.faults.rules == []


def test_a_malformed_fault_is_refused(control, globus_emulator):
    answer = control("POST", "/faults", json={"service": "auth", "status": 200})
    assert answer.status_code == 400
    assert globus_emulator.faults.rules == []


def test_the_journal_is_readable_and_excludes_the_control_plane(
    control, globus_emulator, auth_client_for
):
    userinfo(auth_client_for())
    control("GET", "/health")
    entries = control("GET", "/journal").json()["entries"]
    assert [e["operation"] for e in entries] == ["oauth2_userinfo"]


def test_a_headless_login_for_another_process(control, globus_emulator):
    client = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    client.oauth2_start_flow(requested_scopes="openid")
    code = control("POST", "/auth/authorize", json={"url": client.oauth2_get_authorize_url()})
    tokens = client.oauth2_exchange_code_for_tokens(code.json()["code"])
    assert tokens.decode_id_token()["sub"] == globus_emulator.user.id


def test_reset_and_load_replace_the_world(control, globus_emulator):
    globus_emulator.auth.add_identity("temp@example.org")
    control("POST", "/reset")
    assert globus_emulator.world.auth.identity_by_username("temp@example.org") is None
    loaded = control(
        "PUT", "/world", json={"seed": 5, "world": {"identities": [{"username": "x@example.org"}]}}
    )
    assert loaded.status_code == 200
    assert globus_emulator.world.auth.identity_by_username("x@example.org") is not None
    assert loaded.json()["seed"] == 5


def test_the_control_plane_refuses_non_loopback_peers(globus_emulator):
    from globus_testkit.control import ControlPlane
    from globus_testkit.http import Call

    call = Call(
        service="_testkit",
        method="GET",
        path="/health",
        query_string="",
        headers={},
        raw_body=b"",
        request_id="r",
        base_url="http://x/_testkit/",
        remote_addr="10.1.2.3",
    )
    assert ControlPlane(globus_emulator).handle(call).status == 403


def _serve(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_SDK")}
    process = subprocess.Popen(
        [sys.executable, "-m", "globus_testkit.cli", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    exports = {}
    for line in process.stdout:
        name, _, value = line.removeprefix("export ").strip().partition("=")
        exports[name] = value.strip("'")
        if name == "GLOBUS_TESTKIT_USER":
            break
    return process, exports


def test_serve_keeps_the_world_across_a_restart_with_state(tmp_path):
    state = tmp_path / "world.state"
    # a frozen clock, so the restored time can be compared exactly
    process, exports = _serve(tmp_path, "--state", str(state), "--clock", "frozen")
    base = exports["GLOBUS_SDK_SERVICE_URL_AUTH"].removesuffix("/auth/")
    requests.post(f"{base}/_testkit/clock/advance", json={"seconds": 86400}, timeout=5)
    before = requests.get(f"{base}/_testkit/clock", timeout=5).json()["timestamp"]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    assert state.exists()

    process, exports = _serve(tmp_path, "--state", str(state), "--clock", "frozen")
    base = exports["GLOBUS_SDK_SERVICE_URL_AUTH"].removesuffix("/auth/")
    try:
        after = requests.get(f"{base}/_testkit/clock", timeout=5).json()["timestamp"]
        assert after == before
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


def test_serve_prints_the_service_account_for_globus_cli(tmp_path):
    process, exports = _serve(tmp_path, "--seed", "3")
    try:
        assert exports["GLOBUS_SDK_ENVIRONMENT"] == "globus-testkit"
        client = globus_sdk.ConfidentialAppAuthClient(
            exports["GLOBUS_CLI_CLIENT_ID"], exports["GLOBUS_CLI_CLIENT_SECRET"]
        )
        client.base_url = exports["GLOBUS_SDK_SERVICE_URL_AUTH"]
        tokens = client.oauth2_client_credentials_tokens(requested_scopes="openid")
        assert tokens.by_resource_server["auth.globus.org"]["access_token"]
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


def _stop(process):
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0


def test_serve_lenient_accepts_any_bearer_string_on_auth_and_transfer(tmp_path, monkeypatch):
    process, exports = _serve(tmp_path, "--lenient")
    try:
        for name, value in exports.items():
            if name.startswith("GLOBUS_SDK_"):
                monkeypatch.setenv(name, value)  # each SDK major builds its own paths
        made_up = globus_sdk.AccessTokenAuthorizer("not-a-token-anyone-issued")
        auth = globus_sdk.AuthClient(authorizer=made_up)
        assert userinfo(auth)["preferred_username"] == exports["GLOBUS_TESTKIT_USER"]
        transfer = globus_sdk.TransferClient(authorizer=made_up)
        tutorial = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"  # mapped: consent needed if strict
        assert transfer.operation_ls(tutorial, path="/~/")["DATA"]
    finally:
        _stop(process)


def _outward_address():
    """This machine's own non-loopback address (a UDP connect sends nothing)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.254", 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


@pytest.mark.parametrize(("flags", "status"), [((), 403), (("--allow-remote-control",), 200)])
def test_serve_answers_remote_control_only_when_allowed(tmp_path, flags, status):
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to call from")
    process, exports = _serve(tmp_path, "--host", "0.0.0.0", *flags)
    try:
        port = exports["GLOBUS_SDK_SERVICE_URL_AUTH"].rsplit(":", 1)[1].split("/")[0]
        answer = requests.get(f"http://{address}:{port}/_testkit/health", timeout=5)
        assert answer.status_code == status
    finally:
        _stop(process)


def test_serve_follows_wall_time_by_default_and_still_advances(tmp_path):
    process, exports = _serve(tmp_path)
    base = exports["GLOBUS_SDK_SERVICE_URL_AUTH"].removesuffix("/auth/")
    try:
        first = requests.get(f"{base}/_testkit/clock", timeout=5).json()["timestamp"]
        time.sleep(0.05)
        second = requests.get(f"{base}/_testkit/clock", timeout=5).json()["timestamp"]
        assert second > first  # polling clients see time pass
        requests.post(f"{base}/_testkit/clock/advance", json={"seconds": 3600}, timeout=5)
        third = requests.get(f"{base}/_testkit/clock", timeout=5).json()["timestamp"]
        assert third >= second + 3600
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
