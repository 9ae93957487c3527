"""The emulator's core promises: routing, 501s, isolation from the network
and from the user's own mocks, the journal, determinism, the fixtures."""

from __future__ import annotations

import random
import threading
import uuid

import globus_sdk
import pytest
import requests
import responses
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from conftest import userinfo
from globus_testkit import Emulator
from globus_testkit.ids import Ids


def test_an_unemulated_route_on_an_emulated_service_answers_501_naming_it(globus_client_app):
    auth = globus_sdk.AuthClient(app=globus_client_app)
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        auth.post("/v2/api/clients/fd7e9c35-3b54-4a2c-8f5f-2f1d1e0f6c11/fqdns", data={})
    assert caught.value.http_status == 501
    assert "POST /v2/api/clients/fd7e9c35-3b54-4a2c-8f5f-2f1d1e0f6c11/fqdns" in caught.value.text


def test_an_unemulated_globus_service_answers_501(globus_emulator):
    # a Globus host no emulated service claims
    answer = requests.get("https://www.globus.org/api/v1/anything", timeout=5)
    assert answer.status_code == 501
    assert "does not emulate" in answer.text


@pytest.mark.parametrize(
    "url",
    [
        "https://nexus.api.globusonline.org/groups",
        "https://auth.sandbox.globuscs.info/v2/api/projects",
        "https://transfer.api.preview.globuscs.info/v0.10/endpoint_search",
    ],
)
def test_any_globus_host_is_answered_in_process_never_by_the_network(url):
    with Emulator(passthrough=False):  # a host it let through would raise ConnectionError
        answer = requests.get(url, timeout=5)
    assert answer.status_code == 501
    assert "does not emulate" in answer.text


@pytest.fixture
def local_http_server():
    @Request.application
    def app(request):
        return Response(f"local says {request.path}", mimetype="text/plain")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.socket.getsockname()[1]}"
    server.shutdown()


def test_a_request_to_a_non_globus_local_server_reaches_it_untouched(
    globus_emulator, local_http_server
):
    answer = requests.get(f"{local_http_server}/hello", timeout=5)
    assert answer.text == "local says /hello"


def test_the_users_own_responses_mock_keeps_working_beside_the_emulator():
    with responses.RequestsMock() as users_mock:
        users_mock.get("https://example.org/thing", json={"mine": True})
        with Emulator() as emulator:
            assert requests.get("https://example.org/thing", timeout=5).json() == {"mine": True}
            app = globus_sdk.ClientApp(
                "t",
                client_id=emulator.service_account.client_id,
                client_secret=emulator.service_account.client_secret,
                config=globus_sdk.GlobusAppConfig(token_storage="memory"),
            )
            assert userinfo(globus_sdk.AuthClient(app=app))["sub"]
        assert len(users_mock.calls) == 1


def test_without_passthrough_other_hosts_are_refused():
    with Emulator(passthrough=False), pytest.raises(requests.ConnectionError):
        requests.get("http://127.0.0.1:9/never", timeout=5)


def test_the_journal_records_service_operation_identity_and_status(
    globus_client_app, globus_emulator
):
    userinfo(globus_sdk.AuthClient(app=globus_client_app))
    entry = globus_emulator.journal.calls("auth", "oauth2_userinfo")[0]
    assert entry.method == "GET"
    assert entry.path == "/v2/oauth2/userinfo"
    assert entry.status == 200
    assert entry.identity_id == globus_emulator.service_account.client_id


def test_the_same_seed_builds_the_same_world():
    first, second, other = Emulator(seed=7), Emulator(seed=7), Emulator(seed=8)
    assert first.user.id == second.user.id
    assert first.user.username == second.user.username
    assert first.service_account.client_secret == second.service_account.client_secret
    assert first.user.id != other.user.id


def test_drawn_ids_are_the_uuid4s_the_seed_has_always_given():
    # Ids.uuid formats its draws itself: the ids must stay what
    # uuid.UUID(int=draw, version=4) made, or saved seeds change meaning.
    ids, draws = Ids("seed"), random.Random("seed")
    for _ in range(2000):
        drawn = ids.uuid()
        assert drawn == str(uuid.UUID(int=draws.getrandbits(128), version=4))
        assert uuid.UUID(drawn).version == 4


def test_worlds_are_private_to_each_emulator():
    first, second = Emulator(), Emulator()
    first.auth.add_identity("only-in-first@example.org")
    assert second.world.auth.identity_by_username("only-in-first@example.org") is None


def test_a_fresh_worlds_parts_stay_linked_and_share_nothing_with_another_world():
    # Each part of a fresh world is unpickled on first use (world.py's
    # _Template): the parts must still refer to one another, not to copies.
    first, second = Emulator(), Emulator()
    world = first.world
    assert world.tasks.collections is world.transfer
    assert world.tasks.clock is world.clock is world.transfer.clock
    assert world.groups.sessions is world.auth
    first.transfer.add_collection("Only in the first")
    assert len(second.world.transfer.collections) == len(world.transfer.collections) - 1
    first.clock.advance(3600)
    assert second.clock.now() < first.clock.now()


def test_parts_that_refer_to_each_other_are_copied_whole():
    # Neither part of a cycle could be unpickled first, so such a world is
    # templated whole; the copy must keep the cycle (and not fail lazily).
    from globus_testkit.world import _Template

    world = Emulator().world
    world.transfer.partner = world.groups
    world.groups.partner = world.transfer
    copy = _Template(world).copy()
    assert copy.groups.partner is copy.transfer and copy.transfer.partner is copy.groups
    assert copy.transfer is not world.transfer


def test_a_world_file_adds_identities_and_clients(tmp_path):
    world = tmp_path / "world.json"
    world.write_text(
        '{"identities": [{"username": "ada@example.org", "name": "Ada"}],'
        ' "clients": [{"name": "ci", "type": "confidential", "id":'
        ' "0f4a1d9e-4a8e-4d55-9f0e-3c1b2a7d6e5f", "secret": "s3cret"}]}'
    )
    with Emulator(world=world):
        client = globus_sdk.ConfidentialAppAuthClient(
            "0f4a1d9e-4a8e-4d55-9f0e-3c1b2a7d6e5f", "s3cret"
        )
        tokens = client.oauth2_client_credentials_tokens(requested_scopes="openid")
        assert tokens.by_resource_server["auth.globus.org"]["access_token"]


@pytest.mark.globus(seed=42)
def test_the_marker_chooses_the_seed(globus_emulator):
    assert globus_emulator.user.id == Emulator(seed=42).user.id


def test_user_app_fixture_is_logged_in_without_a_browser(globus_user_app, globus_emulator):
    auth = globus_sdk.AuthClient(app=globus_user_app)
    assert userinfo(auth)["sub"] == globus_emulator.user.id
    assert globus_emulator.journal.calls("auth", "oauth2_token.authorization_code")


def test_the_login_page_logs_a_person_in_through_a_browser_like_client(globus_emulator):
    client = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    client.oauth2_start_flow(requested_scopes="openid")
    url = client.oauth2_get_authorize_url()
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    assert globus_emulator.user.username in page.text
    form = dict(
        item.split('" value="')
        for item in page.text.split('<input type="hidden" name="')[1:]
        for item in [item.split('">')[0]]
    )
    form["identity_id"] = globus_emulator.user.id
    submitted = requests.post(url.split("?")[0], data=form, timeout=5, allow_redirects=True)
    code = submitted.text.split('<pre id="code">')[1].split("</pre>")[0]
    tokens = client.oauth2_exchange_code_for_tokens(code)
    assert tokens.decode_id_token()["sub"] == globus_emulator.user.id


def test_server_env_points_the_sdk_at_the_loopback_port(globus_server):
    assert globus_server.env["GLOBUS_SDK_SERVICE_URL_AUTH"] == f"{globus_server.url}/auth/"
    config = requests.get(f"{globus_server.url}/auth/.well-known/openid-configuration", timeout=5)
    assert config.json()["jwks_uri"] == f"{globus_server.url}/auth/jwk.json"


def test_an_unknown_environment_fails_closed(globus_server, monkeypatch):
    monkeypatch.delenv("GLOBUS_SDK_SERVICE_URL_TIMER")
    with pytest.raises(ValueError):
        globus_sdk.config.get_service_url("timer")
