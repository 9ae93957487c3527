"""A provider built with globus-action-provider-tools 0.21, unmodified,
mounted in the emulator: its tokens introspected by the emulated Auth, its
group checks answered by the emulated Groups, and checked for conformance.
Runs where the toolkit is installed (the nox session `toolkit`)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from werkzeug.wrappers import Request, Response

pytest.importorskip("flask")
pytest.importorskip("globus_action_provider_tools")

from globus_testkit.conformance import check_action_provider
from globus_testkit.services.actions.client import ProviderClient

from .greeter import make_app

URL = "https://greeter.example.org/greet"


@pytest.fixture
def greeter(globus_emulator, globus_transport):
    provider = globus_emulator.actions.mount(URL)
    provider.app = make_app(provider.client_id, provider.client_secret, provider.scope)
    if globus_transport == "server":
        return provider, globus_emulator._servers[0].provider_url(URL)
    return provider, URL


def client_for(emulator, greeter, identity=None, *, with_scope=True):
    provider, url = greeter
    return ProviderClient(url, emulator.actions.token(provider, identity, with_scope=with_scope))


def test_run_status_and_release_through_the_toolkit(globus_emulator, greeter):
    client = client_for(globus_emulator, greeter)
    started = client.run({"name": "Ada"}, label="hello")
    assert started.status_code == 202, started.text
    action = started.json()
    assert action["creator_id"] == f"urn:globus:auth:identity:{globus_emulator.user.id}"
    assert action["details"] == {"greeting": "Hello, Ada!"}
    assert client.status(action["action_id"]).json()["status"] == "SUCCEEDED"
    assert client.release(action["action_id"]).status_code == 200
    assert client.status(action["action_id"]).status_code == 404
    introspections = globus_emulator.journal.calls("auth", "oauth2_token_introspect")
    assert introspections and {e.status for e in introspections} == {200}


def test_a_missing_token_is_refused(globus_emulator, greeter):
    answer = ProviderClient(greeter[1], None).run({"name": "Ada"})
    assert answer.status_code == 401


def test_a_token_without_the_providers_scope_is_refused(globus_emulator, greeter):
    answer = client_for(globus_emulator, greeter, with_scope=False).run({"name": "Ada"})
    assert answer.status_code == 401


def test_an_unknown_token_is_refused(globus_emulator, greeter):
    assert ProviderClient(greeter[1], "AgMadeUp").run({"name": "Ada"}).status_code == 401


def test_monitor_by_is_enforced_and_groups_are_honoured(globus_emulator, greeter):
    outsider = globus_emulator.auth.add_identity("outsider@example.org")
    owner = client_for(globus_emulator, greeter)
    action_id = owner.run({"name": "Ada", "slow": True}).json()["action_id"]
    # the toolkit refuses with 401 UnauthorizedRequest (its "_or_404" helpers
    # raise an AuthenticationError), revealing nothing about the action
    refused = client_for(globus_emulator, greeter, outsider).status(action_id)
    assert refused.status_code == 401
    assert "Ada" not in refused.text

    group = globus_emulator.world.groups.create("watchers", {outsider.id: "member"})
    shared = owner.run(
        {"name": "Bo", "slow": True}, monitor_by=[f"urn:globus:groups:id:{group.id}"]
    ).json()["action_id"]
    seen = client_for(globus_emulator, greeter, outsider).status(shared)
    assert seen.status_code == 200, seen.text
    assert globus_emulator.journal.calls("groups", "get_my_groups")


def test_the_toolkit_provider_passes_the_conformance_check(globus_emulator, greeter):
    provider, url = greeter
    outsider = globus_emulator.auth.add_identity("outsider@example.org")
    report = check_action_provider(
        url,
        token=globus_emulator.actions.token(provider),
        token_without_scope=globus_emulator.actions.token(provider, with_scope=False),
        outsider_token=globus_emulator.actions.token(provider, outsider),
        body={"name": "Ada", "slow": True},
        invalid_body={"nom": "Ada"},
    )
    assert report.passed, str(report)
    assert report["release of a running action is refused"].passed is True


def broken_provider(environ, start_response):
    """Answers everything with 200 and the wrong shapes; checks no token."""
    request = Request(environ)
    introspection = request.path in ("", "/")
    body = {"title": "Broken"} if introspection else {"id": "1", "state": "done"}
    return Response(json.dumps(body), mimetype="application/json")(environ, start_response)


def test_a_broken_provider_fails_the_checks_it_breaks(globus_emulator, globus_transport):
    provider = globus_emulator.actions.mount("https://broken.example.org/api", broken_provider)
    url = (
        globus_emulator._servers[0].provider_url(provider.url)
        if globus_transport == "server"
        else provider.url
    )
    report = check_action_provider(
        url, token=globus_emulator.actions.token(provider), body={"name": "x"}
    )
    assert not report.passed
    failed = {c.name for c in report.failed()}
    assert failed == {
        "introspect describes the provider",
        "run without a token is refused",
        "run starts an action",
    }
    assert "globus_auth_scope" in report["introspect describes the provider"].note
    assert "HTTP 200" in str(report)


def test_check_provider_from_the_command_line(globus_emulator, globus_server, greeter):
    provider, _ = greeter
    url = globus_server.provider_url(URL)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "globus_testkit.cli",
            "check-provider",
            url,
            "--token",
            globus_emulator.actions.token(provider),
            "--body",
            json.dumps({"name": "Ada"}),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforms" in done.stdout


def test_a_flow_calls_the_mounted_provider_to_succeeded(globus_emulator, greeter):
    import globus_sdk

    provider, _ = greeter
    flows_token = globus_emulator.auth.issue_token(
        globus_emulator.user,
        "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all",
    )
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(flows_token))
    definition = {
        "StartAt": "Greet",
        "States": {
            "Greet": {
                "Type": "Action",
                "ActionUrl": URL,
                "Parameters": {"name.$": "$.who", "slow": True},
                "ResultPath": "$.greeted",
                "End": True,
            }
        },
    }
    flow = flows.create_flow("Greets through the toolkit", definition, {}).data
    assert provider.scope in flows.validate_flow(definition)["scopes"]["User"]
    token = globus_emulator.auth.issue_token(globus_emulator.user, flow["globus_auth_scope"])
    runner = globus_sdk.SpecificFlowClient(
        flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )
    run_id = runner.run_flow({"who": "Ada"})["run_id"]
    assert flows.get_run(run_id)["status"] == "ACTIVE"  # the slow greeting is running
    for _ in range(5):  # the engine polls the provider again after each back-off
        globus_emulator.clock.advance(60)
        run = flows.get_run(run_id)
        if run["status"] != "ACTIVE":
            break
    assert run["status"] == "SUCCEEDED", run
    assert run["details"]["output"]["greeted"]["details"] == {"greeting": "Hello, Ada!"}
    assert globus_emulator.journal.calls("provider", URL)


def test_the_pytest_helper_checks_a_mounted_provider(greeter, globus_check_provider):
    report = globus_check_provider(greeter[0], body={"name": "Ada"}, invalid_body={"x": 1})
    assert report.passed, str(report)
    assert report["an identity outside monitor_by cannot see the action"].passed is True
