"""The real `globus` command (globus-cli 3.43), unchanged, against the live
server in a subprocess. Skipped where globus-cli is not installed (the nox
session `cli` installs it)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import requests

GLOBUS = shutil.which("globus")
pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")
AUTHORIZE_URL = re.compile(r"(https?://\S+/v2/oauth2/authorize\?\S+)")


@pytest.fixture
def user_env(cli_env):
    env = dict(cli_env)
    del env["GLOBUS_CLI_CLIENT_ID"], env["GLOBUS_CLI_CLIENT_SECRET"]
    return env


def globus(env, *args, check=True):
    done = subprocess.run(
        [GLOBUS, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"globus {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def globus_interactive_login(env, server, *args, identity_id=None):
    """Run a login-like command, paste the code a person would get."""
    process = subprocess.Popen(
        [GLOBUS, *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = ""
    for line in process.stdout:
        seen += line
        found = AUTHORIZE_URL.search(line)
        if found:
            break
    else:
        raise AssertionError(f"no authorize URL in:\n{seen}")
    answer = requests.post(
        f"{server.url}/_testkit/auth/authorize",
        json={"url": found.group(1), "identity_id": identity_id},
        timeout=10,
    )
    rest, _ = process.communicate(answer.json()["code"] + "\n", timeout=120)
    assert process.returncode == 0, seen + rest
    return seen + rest


def test_whoami_as_the_service_account(cli_env, globus_emulator):
    out = globus(cli_env, "whoami").stdout.strip()
    assert out == f"{globus_emulator.service_account.client_id}@clients.auth.globus.org"


def test_get_identities_resolves_usernames_and_ids(cli_env, globus_emulator):
    ada = globus_emulator.auth.add_identity("ada@example.org")
    assert globus(cli_env, "get-identities", "ada@example.org").stdout.strip() == ada.id
    out = json.loads(globus(cli_env, "get-identities", ada.id, "-Fjson").stdout)
    assert out["identities"][0]["username"] == "ada@example.org"


def test_user_login_with_no_local_server_then_whoami_and_logout(
    user_env, globus_emulator, globus_server
):
    out = globus_interactive_login(user_env, globus_server, "login", "--no-local-server")
    assert "successfully logged in" in out
    assert globus(user_env, "whoami").stdout.strip() == globus_emulator.user.username
    session = globus(user_env, "session", "show", "-Fjson").stdout
    assert globus_emulator.user.id in session
    templated = [
        c
        for c in globus_emulator.world.auth.clients.values()
        if c.name == "Globus CLI" and c.parent_client
    ]
    assert len(templated) == 1
    globus(user_env, "logout", "--yes", "--delete-client")
    assert templated[0].id not in globus_emulator.world.auth.clients
    assert globus(user_env, "whoami", check=False).returncode != 0


def test_session_consent_adds_a_scope(user_env, globus_emulator, globus_server):
    globus_interactive_login(user_env, globus_server, "login", "--no-local-server")
    scope = "urn:globus:auth:scope:auth.globus.org:view_consents"
    globus_interactive_login(
        user_env, globus_server, "session", "consent", scope, "--no-local-server"
    )
    consented = {
        c.scope_string
        for c in globus_emulator.world.auth.consents_for(globus_emulator.user.id, None)
    }
    assert scope in consented


TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"


def test_endpoint_search_and_show(cli_env, globus_emulator):
    found = globus(cli_env, "endpoint", "search", "Tutorial", "-Fjson").stdout
    assert {e["id"] for e in json.loads(found)["DATA"]} == {TUTORIAL_1, TUTORIAL_2}
    laptop = globus_emulator.transfer.add_collection(
        "My laptop",
        entity_type="GCP_mapped_collection",
        owner=globus_emulator.service_account.client_id,
    )
    shown = json.loads(globus(cli_env, "endpoint", "show", laptop.id, "-Fjson").stdout)
    assert shown["display_name"] == "My laptop"


def test_ls_mkdir_rename_transfer_wait_delete_and_task_commands(cli_env, globus_emulator):
    assert globus(cli_env, "ls", f"{TUTORIAL_1}:/home/share/godata/").stdout.split() == [
        "file1.txt",
        "file2.txt",
        "file3.txt",
    ]
    globus(cli_env, "mkdir", f"{TUTORIAL_1}:/home/share/made")
    globus(cli_env, "rename", TUTORIAL_1, "/home/share/made", "/home/share/moved")
    submitted = json.loads(
        globus(
            cli_env,
            "transfer",
            "--recursive",
            "--label",
            "cli copy",
            "-Fjson",
            f"{TUTORIAL_2}:/home/share/godata/",
            f"{TUTORIAL_1}:/home/share/moved/copy",
        ).stdout
    )
    task_id = submitted["task_id"]
    globus(cli_env, "task", "wait", task_id, "--timeout", "30")
    shown = json.loads(globus(cli_env, "task", "show", task_id, "-Fjson").stdout)
    assert (shown["status"], shown["files_transferred"]) == ("SUCCEEDED", 3)
    assert globus_emulator.transfer.read(TUTORIAL_1, "/home/share/moved/copy/file3.txt")
    listed = json.loads(globus(cli_env, "task", "list", "-Fjson").stdout)
    assert [t["task_id"] for t in listed["DATA"]] == [task_id]
    events = json.loads(globus(cli_env, "task", "event-list", task_id, "-Fjson").stdout)
    assert [e["code"] for e in events["DATA"]] == ["SUCCEEDED", "STARTED"]
    deleted = json.loads(
        globus(cli_env, "delete", "-r", "-Fjson", f"{TUTORIAL_1}:/home/share/moved").stdout
    )
    globus(cli_env, "task", "wait", deleted["task_id"], "--timeout", "30")
    assert not globus_emulator.transfer.exists(TUTORIAL_1, "/home/share/moved")
    cancel = globus(cli_env, "task", "cancel", task_id).stdout
    assert "completed before the cancel request" in cancel


def test_task_cancel_stops_an_active_task(cli_env, globus_emulator):
    globus_emulator.transfer.set_progress("manual")
    submitted = json.loads(
        globus(
            cli_env,
            "transfer",
            "-Fjson",
            f"{TUTORIAL_2}:/home/share/godata/file1.txt",
            f"{TUTORIAL_1}:/home/share/x.txt",
        ).stdout
    )
    assert (
        "cancelled successfully" in globus(cli_env, "task", "cancel", submitted["task_id"]).stdout
    )


def test_flows_create_list_show_start_and_runs(cli_env, globus_emulator, tmp_path):
    definition = tmp_path / "definition.json"
    definition.write_text(
        json.dumps(
            {
                "StartAt": "Hello",
                "States": {
                    "Hello": {
                        "Type": "Action",
                        "ActionUrl": "https://actions.globus.org/hello_world",
                        "Parameters": {"echo_string.$": "$.msg"},
                        "ResultPath": "$.out",
                        "End": True,
                    }
                },
            }
        )
    )
    created = json.loads(
        globus(cli_env, "flows", "create", "CLI flow", str(definition), "-Fjson").stdout
    )
    flow_id = created["id"]
    listed = json.loads(globus(cli_env, "flows", "list", "-Fjson").stdout)
    assert [f["id"] for f in listed["flows"]] == [flow_id]
    shown = json.loads(globus(cli_env, "flows", "show", flow_id, "-Fjson").stdout)
    assert shown["title"] == "CLI flow"
    started = json.loads(
        globus(
            cli_env,
            "flows",
            "start",
            flow_id,
            "--input",
            '{"msg": "hi"}',
            "--label",
            "from the cli",
            "-Fjson",
        ).stdout
    )
    run = json.loads(globus(cli_env, "flows", "run", "show", started["run_id"], "-Fjson").stdout)
    assert run["status"] == "SUCCEEDED"
    assert run["details"]["output"]["out"]["details"]["hello"] == "hi"
    runs = json.loads(globus(cli_env, "flows", "run", "list", "-Fjson").stdout)
    assert [r["run_id"] for r in runs["runs"]] == [started["run_id"]]
