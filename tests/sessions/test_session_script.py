"""A script that handles a collection's session error the way the SDK's
"ls with session handling" guide does (a UserApp with its command-line
login, globus_sdk.gare, ``prompt=login``, a second try), run as a
subprocess against the live server: the person pastes the codes the
control plane's headless login gives."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import requests

AUTHORIZE_URL = re.compile(r"(https?://\S+/v2/oauth2/authorize\?\S+)")
TUTORIAL_CLIENT = "61338d24-54d5-408f-a10d-66c06b59f6d2"  # the SDK's tutorial native app

SCRIPT = textwrap.dedent(
    """
    import sys

    import globus_sdk
    import globus_sdk.gare

    collection = sys.argv[1]

    def names(client):
        return [entry["name"] for entry in client.operation_ls(collection)]

    app = globus_sdk.UserApp("session-script", client_id=sys.argv[2])
    client = globus_sdk.TransferClient(app=app).add_app_data_access_scope(collection)
    try:
        print("listing:", names(client))
    except globus_sdk.TransferAPIError as err:
        gare = globus_sdk.gare.to_gare(err)
        if gare is None:
            raise
        print("session error:", err.http_status, err.code)
        gare.authorization_parameters.prompt = "login"
        app.login(auth_params=gare.authorization_parameters)
        print("listing:", names(client))
    """
)


def test_a_command_line_user_app_logs_in_again_with_the_session_parameters(
    globus_emulator, globus_server, tmp_path
):
    campus = globus_emulator.auth.add_identity("jdoe@uchicago.edu")
    globus_emulator.auth.link_identities(globus_emulator.user, campus)
    collection = globus_emulator.transfer.add_collection(
        "Restricted", default_directory="/data/", files={"/data/a.txt": "alpha"}
    )
    globus_emulator.transfer.require_session(collection, domains="uchicago.edu", timeout=60)
    script = tmp_path / "ls_session.py"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != "HOME"}
    env.update(globus_server.env, HOME=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, str(script), collection.id, TUTORIAL_CLIENT],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen, urls = "", []
    for line in process.stdout:
        seen += line
        found = AUTHORIZE_URL.search(line)
        if found:
            urls.append(found.group(1))
            answer = requests.post(
                f"{globus_server.url}/_testkit/auth/authorize", json={"url": urls[-1]}, timeout=10
            )
            process.stdin.write(answer.json()["code"] + "\n")
            process.stdin.flush()
    assert process.wait(timeout=120) == 0, seen
    assert "session error: 502 ExternalError.DirListingFailed.LoginFailed" in seen
    assert "listing: ['a.txt']" in seen
    assert len(urls) == 2
    assert "session_required_single_domain=uchicago.edu" in urls[1]
    assert "prompt=login" in urls[1]
    assert "session_message=" in urls[1]
