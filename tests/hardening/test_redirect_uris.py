"""Where Auth sends a browser: redirect URIs are checked before any code
is minted, and nothing from the request is written into a header
unchecked. Raw HTTP (no redirects followed) through the transport under
test, and the SDK's own native-app flow."""

from __future__ import annotations

import http.client
from urllib.parse import parse_qs, urlencode, urlsplit

import globus_sdk
import pytest
import requests

CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # S256 of RFC 7636's verifier


def authorize(auth_url, client_id, redirect_uri, *, method="POST", **extra):
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": "openid",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **extra,
    }
    url = f"{auth_url}/v2/oauth2/authorize"
    if method == "GET":
        return requests.get(url, params=params, allow_redirects=False, timeout=10)
    return requests.post(url, data=params, allow_redirects=False, timeout=10)


def assert_refused(answer):
    assert answer.status_code == 400, answer.text
    assert 'data-error="invalid_request"' in answer.text
    assert "Location" not in answer.headers
    assert "Set-Cookie" not in answer.headers


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "bad", ["\r\nSet-Cookie: session=stolen", "\n", "\r", "\x00", "\t", "\x7f", " ", "\x1b"]
)
def test_a_redirect_uri_with_control_characters_is_refused(globus_emulator, auth_url, method, bad):
    answer = authorize(
        auth_url, globus_emulator.native_client_id, f"http://localhost:8000/cb{bad}", method=method
    )
    assert_refused(answer)
    assert not globus_emulator.world.auth.codes


def test_crlf_in_a_redirect_uri_never_splits_the_live_servers_answer(
    globus_emulator, globus_server
):
    """The raw bytes on the wire: one status line, no injected header."""
    body = urlencode(
        {
            "client_id": globus_emulator.native_client_id,
            "redirect_uri": "http://localhost:8000/cb\r\nSet-Cookie: session=stolen",
            "code_challenge": CHALLENGE,
            "code_challenge_method": "S256",
        }
    )
    connection = http.client.HTTPConnection("127.0.0.1", globus_server.port, timeout=10)
    connection.request(
        "POST",
        "/auth/v2/oauth2/authorize",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    answer = connection.getresponse()
    assert answer.status == 400
    assert answer.getheader("Set-Cookie") is None
    assert answer.getheader("Location") is None
    assert b"invalid_request" in answer.read()
    connection.close()


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://localhost/cb",
        "http://localhost:8123/cb",
        "http://LOCALHOST:8123/cb",
        "http://127.0.0.1:5000/callback?x=1",
        "http://[::1]:9/cb",
    ],
)
def test_a_native_app_may_redirect_to_a_loopback_server(globus_emulator, auth_url, redirect_uri):
    answer = authorize(auth_url, globus_emulator.native_client_id, redirect_uri, state="s1")
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(redirect_uri)
    assert parse_qs(urlsplit(location).query)["state"] == ["s1"]


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://localhost.evil.example/cb",
        "http://localhost@evil.example/cb",
        "http://127.0.0.1.nip.io/cb",
        "http://user@localhost/cb",
        "http://localhost:99999/cb",
        "http://localhost:abc/cb",
        "http://localhost./cb",
        "http://localhost\\@evil.example/cb",
        "http://localhost/cb#fragment",
        "https://evil.example/v2/web/auth-code",
        "http://evil.example/cb",
        "ftp://localhost/cb",
        "",
    ],
)
def test_a_native_app_may_not_redirect_anywhere_else(globus_emulator, auth_url, redirect_uri):
    for method in ("GET", "POST"):
        assert_refused(
            authorize(auth_url, globus_emulator.native_client_id, redirect_uri, method=method)
        )
    assert not globus_emulator.world.auth.codes


def test_a_confidential_app_matches_its_registered_uris_exactly(globus_emulator, auth_url):
    app = globus_emulator.auth.register_client(
        "portal", redirect_uris=["https://portal.example.org/callback"]
    )
    answer = authorize(auth_url, app.id, "https://portal.example.org/callback")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("https://portal.example.org/callback?code=")
    for near_miss in (
        "https://portal.example.org/callback/",
        "https://portal.example.org/callback?next=/",
        "https://portal.example.org:444/callback",
        "http://portal.example.org/callback",
        "http://localhost:8000/callback",
        f"{auth_url}/v2/web/auth-code",
    ):
        assert_refused(authorize(auth_url, app.id, near_miss))


def test_the_sdks_default_native_redirect_shows_the_code(globus_emulator, auth_url):
    """The SDK's native flow redirects to ``{auth}/v2/web/auth-code``:
    the browser lands on Auth's code page, and the code pasted back
    gets tokens."""
    client = globus_sdk.NativeAppAuthClient(globus_emulator.native_client_id)
    client.oauth2_start_flow(requested_scopes="openid profile")
    params = dict(parse_qs(urlsplit(client.oauth2_get_authorize_url()).query))
    form = {k: v[0] for k, v in params.items()}
    answer = requests.post(
        f"{auth_url}/v2/oauth2/authorize", data=form, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text
    page = urlsplit(answer.headers["Location"])
    assert page.path.endswith("/v2/web/auth-code")
    code = parse_qs(page.query)["code"][0]
    tokens = client.oauth2_exchange_code_for_tokens(code)
    assert tokens.by_resource_server["auth.globus.org"]["access_token"]


def test_an_unsafe_header_is_never_written(globus_emulator):
    """The last line of defence: a reply whose header holds a line break
    (a bug: a request value that slipped through) is answered as the
    emulator's own error, never with the header."""
    from globus_testkit.http import Reply
    from globus_testkit.wsgi import respond as _respond

    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(
        _respond(Reply("", 302, {"Location": "http://x/\r\nSet-Cookie: a=b"}), start_response)
    )
    assert seen["status"].startswith("500")
    assert "Location" not in seen["headers"]
    assert b"EmulatorError" in body
