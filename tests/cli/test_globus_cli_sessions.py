"""globus-cli's `session show/update/consent` against `serve`: updates
add identities, domains and policies to the session Auth records."""

from __future__ import annotations

import json

import pytest
import requests

from .test_globus_cli import AUTHORIZE_URL, GLOBUS, globus, globus_interactive_login

pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")


@pytest.fixture
def campus(globus_emulator):
    identity = globus_emulator.auth.add_identity("jdoe@uchicago.edu")
    globus_emulator.auth.link_identities(globus_emulator.user, identity)
    return identity


def session_identities(env):
    shown = json.loads(globus(env, "session", "show", "-Fjson").stdout)
    return shown["authentications"]


def test_session_update_with_a_linked_username_adds_it_to_the_session(
    user_env, globus_emulator, globus_server, campus
):
    globus_interactive_login(user_env, globus_server, "login", "--no-local-server")
    assert set(session_identities(user_env)) == {globus_emulator.user.id}
    globus_interactive_login(
        user_env, globus_server, "session", "update", campus.username, "--no-local-server"
    )
    assert set(session_identities(user_env)) == {globus_emulator.user.id, campus.id}


def test_session_update_with_a_policy_authenticates_a_matching_identity_with_mfa(
    user_env, globus_emulator, globus_server, campus
):
    policy = globus_emulator.auth.add_policy(
        high_assurance=True, required_mfa=True, domain_constraints_include=["uchicago.edu"]
    )
    globus_interactive_login(user_env, globus_server, "login", "--no-local-server")
    globus_interactive_login(
        user_env, globus_server, "session", "update", "--policy", policy, "--no-local-server"
    )
    authentications = session_identities(user_env)
    assert authentications[campus.id]["amr"] == ["mfa"]


def test_the_control_plane_login_can_decline_what_the_url_asks(
    user_env, globus_emulator, globus_server, campus
):
    """A person who will not use their campus identity: the login
    completes but the session does not gain it."""
    import subprocess

    globus_interactive_login(user_env, globus_server, "login", "--no-local-server")
    process = subprocess.Popen(
        [GLOBUS, "session", "update", "uchicago.edu", "--no-local-server"],
        env=user_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = None
    for line in process.stdout:
        found = AUTHORIZE_URL.search(line)
        if found:
            url = found.group(1)
            break
    assert url is not None and "session_required_single_domain=uchicago.edu" in url
    answer = requests.post(
        f"{globus_server.url}/_testkit/auth/authorize",
        json={"url": url, "present": [], "mfa": False},
        timeout=10,
    )
    process.communicate(answer.json()["code"] + "\n", timeout=120)
    assert process.returncode == 0
    assert campus.id not in session_identities(user_env)


def test_a_refused_transfer_names_the_session_update_that_lets_it_through(
    user_env, globus_emulator, globus_server, campus
):
    """`globus session consent` for the collection's data_access, a
    transfer refused for the collection's policy (exit status 4, the
    `globus session update --policy` to run), that update, and the transfer
    again: the CLI's own session hooks against Transfer's errors."""
    policy = globus_emulator.auth.add_policy(
        high_assurance=True,
        authentication_assurance_timeout=600,
        domain_constraints_include=["uchicago.edu"],
    )
    lab = globus_emulator.transfer.add_collection("Lab", files={"/data/a.txt": "alpha"})
    globus_emulator.transfer.require_session(lab, policy=policy)
    globus_interactive_login(user_env, globus_server, "login", "--no-local-server")
    data_access = (
        "urn:globus:auth:scope:transfer.api.globus.org:all"
        f"[*https://auth.globus.org/scopes/{lab.id}/data_access]"
    )
    globus_interactive_login(
        user_env, globus_server, "session", "consent", data_access, "--no-local-server"
    )
    paths = (f"{lab.id}:/data/a.txt", f"{lab.id}:/data/copy.txt")
    refused = globus(user_env, "transfer", *paths, check=False)
    assert refused.returncode == 4, refused.stdout + refused.stderr
    assert f"globus session update --policy '{policy}'" in refused.stdout + refused.stderr
    refused = globus(user_env, "ls", f"{lab.id}:/data/", check=False)
    assert refused.returncode == 4, refused.stdout + refused.stderr

    globus_interactive_login(
        user_env, globus_server, "session", "update", "--policy", policy, "--no-local-server"
    )
    assert campus.id in session_identities(user_env)
    task = json.loads(globus(user_env, "transfer", *paths, "-Fjson").stdout)
    assert task["code"] == "Accepted"
    globus(user_env, "task", "wait", task["task_id"], "--timeout", "60")
    assert globus(user_env, "ls", f"{lab.id}:/data/").stdout.split() == ["a.txt", "copy.txt"]


def test_whoami_linked_identities_lists_the_persons_identity_set(
    user_env, globus_emulator, globus_server
):
    campus = globus_emulator.auth.add_identity("jo@uchicago.edu")
    globus_emulator.auth.link_identities(globus_emulator.user, campus)
    globus_interactive_login(user_env, globus_server, "login", "--no-local-server")
    text = globus(user_env, "whoami", "--linked-identities").stdout
    assert globus_emulator.user.username in text and "jo@uchicago.edu" in text
    shown = json.loads(globus(user_env, "whoami", "--linked-identities", "-Fjson").stdout)
    assert {i["username"] for i in shown} == {
        globus_emulator.user.username,
        "jo@uchicago.edu",
    }
