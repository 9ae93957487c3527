"""How a flow finds its providers, and that nothing ever leaves the machine:
hosted providers by their exact URL, mounted ones by URL prefix (their
scope from their introspection document), look-alikes nowhere."""

from __future__ import annotations

import socket

import globus_sdk
import pytest
import requests

from globus_testkit import Emulator

from .wordcount import make_app

HELLO_SCOPE = "https://auth.globus.org/scopes/actions.globus.org/hello_world"


@pytest.fixture
def lookups(monkeypatch):
    """Every host name this process tries to resolve (and none is resolved
    but loopback ones)."""
    seen: list[str] = []
    real = socket.getaddrinfo

    def recording(host, *args, **kwargs):
        seen.append(str(host))
        if str(host) not in ("127.0.0.1", "localhost", "::1"):
            raise socket.gaierror(f"test: no lookups allowed ({host})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    return seen


def _one_action(url, **extra):
    return {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Action",
                "ActionUrl": url,
                "ResultPath": "$.out",
                "End": True,
                **extra,
            }
        },
    }


def _run(globus_emulator, flows, runner_for, definition, body=None):
    flow = flows.create_flow("one action", definition, {}).data
    run_id = runner_for(flow).run_flow(body or {})["run_id"]
    return flows.get_run(run_id)


def test_a_look_alike_hosted_path_on_another_host_is_not_given_its_scope(flows):
    with pytest.raises(globus_sdk.FlowsAPIError) as refused:
        flows.create_flow("look-alike", _one_action("https://evil.example.org/hello_world"), {})
    assert refused.value.http_status == 422
    assert "https://evil.example.org/hello_world" in str(refused.value.message)


def test_a_token_is_never_sent_to_a_host_the_emulator_does_not_serve(
    globus_emulator, flows, runner_for, lookups
):
    definition = _one_action("https://evil.example.org/hello_world", ActionScope=HELLO_SCOPE)
    run = _run(globus_emulator, flows, runner_for, definition)
    assert run["status"] == "FAILED"
    assert run["details"]["error"] == "ActionUnableToRun"
    assert "https://evil.example.org/hello_world" in run["details"]["cause"]
    assert "evil.example.org" not in lookups


def test_a_mount_without_its_app_answers_loudly_in_process_not_through_dns(lookups):
    with Emulator() as emulator:
        emulator.actions.mount("https://pending.example.org/provider")
        answer = requests.get("https://pending.example.org/provider/", timeout=5)
    assert answer.status_code == 503
    assert "https://pending.example.org/provider" in answer.json()["description"]
    assert "pending.example.org" not in lookups


def test_a_provider_mounted_at_its_host_root_answers_below_it(globus_emulator, flows, runner_for):
    mount = globus_emulator.actions.mount("https://words.example.org")
    mount.app = make_app(mount.scope, url_prefix="/wordcount")
    definition = _one_action("https://words.example.org/wordcount", Parameters={"text.$": "$.text"})
    run = _run(globus_emulator, flows, runner_for, definition, {"text": "one two three"})
    assert run["status"] == "SUCCEEDED", run["details"]
    assert run["details"]["output"]["out"]["details"] == {"words": 3}


def test_a_provider_mounted_at_its_action_url_can_keep_its_prefix(
    globus_emulator, flows, runner_for
):
    mount = globus_emulator.actions.mount("https://words.example.org/wordcount", keep_prefix=True)
    mount.app = make_app(mount.scope, url_prefix="/wordcount")
    definition = _one_action("https://words.example.org/wordcount", Parameters={"text": "a b"})
    run = _run(globus_emulator, flows, runner_for, definition)
    assert run["status"] == "SUCCEEDED", run["details"]
    assert run["details"]["output"]["out"]["details"] == {"words": 2}


def test_a_mounted_providers_scope_comes_from_its_introspection_document(globus_emulator, flows):
    mount = globus_emulator.actions.mount("https://words.example.org")
    advertised = mount.scope.rsplit("/", 1)[0] + "/words_only"
    globus_emulator.world.auth.register_scope(advertised, client_id=mount.client_id)
    mount.app = make_app(advertised, url_prefix="/wordcount")
    scopes = flows.validate_flow(_one_action("https://words.example.org/wordcount/"))
    assert scopes["scopes"]["User"] == [advertised]


@pytest.mark.parametrize(
    "url",
    [
        "https://actions.globus.org/datacite/mint",
        "https://actions.globus.org/weboption/wait_for_option",
        "https://transfer.actions.globus.org/create_guest_collection",
    ],
)
def test_a_hosted_provider_not_emulated_deploys_and_fails_loudly_at_run_time(
    globus_emulator, flows, runner_for, url
):
    run = _run(globus_emulator, flows, runner_for, _one_action(url, Parameters={}))
    assert run["status"] == "FAILED"
    assert run["details"]["error"] == "ActionUnableToRun"
    assert "501" in run["details"]["cause"]
