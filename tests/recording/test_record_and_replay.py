"""Record through the proxy (the emulator's own live server standing in for
Globus), check the fixtures are scrubbed, and replay them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import globus_sdk
import pytest
import requests

from globus_testkit import Emulator

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"


@pytest.fixture
def recorder(globus_server, tmp_path, monkeypatch):
    out = tmp_path / "recordings"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_SDK")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "globus_testkit.cli",
            "record",
            "--upstream",
            globus_server.url,
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    exports = {}
    for line in process.stdout:
        name, _, value = line.removeprefix("export ").strip().partition("=")
        exports[name] = value
        if name == "GLOBUS_SDK_ENVIRONMENT":
            break
    for name, value in exports.items():
        monkeypatch.setenv(name, value)
    yield out
    process.send_signal(signal.SIGINT)
    process.wait(timeout=10)


def test_recordings_are_scrubbed_and_replay_reproduces_them(globus_emulator, recorder):
    account = globus_emulator.service_account
    app = globus_sdk.ClientApp(
        "recorded",
        client_id=account.client_id,
        client_secret=account.client_secret,
        config=globus_sdk.GlobusAppConfig(token_storage="memory"),
    )
    tc = globus_sdk.TransferClient(app=app)
    tc.add_app_data_access_scope(TUTORIAL_1)
    listing = tc.operation_ls(TUTORIAL_1, path="/home/share/godata").data
    endpoint = tc.get_endpoint(TUTORIAL_1).data
    userinfo = (
        globus_sdk.AuthClient(app=app).userinfo().data
        if hasattr(globus_sdk.AuthClient, "userinfo")
        else globus_sdk.AuthClient(app=app).oauth2_userinfo().data
    )

    files = sorted(p.name for p in recorder.glob("*.json"))
    assert files == ["auth.json", "transfer.json"]
    text = "".join(p.read_text() for p in recorder.glob("*.json"))
    secrets = [account.client_secret, account.client_id, TUTORIAL_1, globus_emulator.user.id]
    secrets += list(globus_emulator.world.auth.tokens)
    for secret in secrets:
        assert secret not in text
    assert "Bearer Ag" not in text and '"Authorization"' not in text  # no headers kept
    transfer = json.loads((recorder / "transfer.json").read_text())
    ls = next(r for r in transfer if r["path"].endswith("/ls"))
    assert [f["name"] for f in ls["response"]["DATA"]] == ["file1.txt", "file2.txt", "file3.txt"]
    assert ls["path"] == "/v0.10/operation/endpoint/00000000-0000-4000-8000-000000000001/ls"

    # replay: every recorded route answered from the recordings, marked
    with Emulator(replay=recorder, replay_mode="all") as replaying:
        token = replaying.auth.issue_token(
            replaying.user, "urn:globus:auth:scope:transfer.api.globus.org:all"
        )
        client = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        with_env = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("GLOBUS_SDK")}
        try:
            client = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
            replayed = client.operation_ls(TUTORIAL_1, path="/home/share/godata").data
        finally:
            os.environ.update(with_env)
        assert replayed == ls["response"]
        assert [f["name"] for f in replayed["DATA"]] == [f["name"] for f in listing["DATA"]]
        assert replaying.journal.calls("transfer")[-1].note == "replayed"
    assert endpoint["display_name"] and userinfo["sub"]


def test_replay_answers_what_the_emulator_lacks_and_says_so(tmp_path):
    # Globus's legacy Nexus API is a Globus host the emulator will never
    # emulate: only a recording can answer it.
    recordings = tmp_path / "rec"
    recordings.mkdir()
    (recordings / "nexus.json").write_text(
        json.dumps(
            [
                {
                    "service": "nexus",
                    "method": "GET",
                    "path": "/groups/00000000-0000-4000-8000-000000000001",
                    "query": "",
                    "request": None,
                    "status": 200,
                    "response": {
                        "name": "recorded group",
                        "id": "00000000-0000-4000-8000-000000000001",
                    },
                }
            ]
        )
    )
    with Emulator(replay=recordings) as emulator:
        answer = requests.get(
            "https://nexus.api.globusonline.org/groups/2f1b5a1c-1b0e-4f0c-8e3a-8f8d2a1e9c00",
            timeout=5,
        )
        assert answer.json()["name"] == "recorded group"
        entry = emulator.journal.calls("nexus")[-1]
        assert entry.note == "replayed"
        missing = requests.get("https://nexus.api.globusonline.org/users", timeout=5)
        assert missing.status_code == 501
    with Emulator() as plain:  # replay is opt-in
        assert (
            requests.get("https://nexus.api.globusonline.org/groups/x", timeout=5).status_code
            == 501
        )
        assert plain.replay is None
