"""The control plane and dashboard answer the developer's own tools, not
web pages: raw HTTP with forged Host, Origin, Referer, Sec-Fetch-Site
and content types against the live server. And with ``serve --host ::``
an IPv4 loopback peer (seen as ``::ffff:127.0.0.1``) is still loopback."""

from __future__ import annotations

import http.client
import json
import socket

import pytest

from globus_testkit import Emulator


def raw(server, method, path, *, body=None, headers=None, host="127.0.0.1"):
    connection = http.client.HTTPConnection(host, server.port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    answer = connection.getresponse()
    result = answer.status, answer.read()
    connection.close()
    return result


def advance(server, **headers):
    headers.setdefault("Content-Type", "application/json")
    return raw(server, "POST", "/_testkit/clock/advance", body=b'{"seconds": 60}', headers=headers)


@pytest.mark.parametrize(
    "host", ["attacker.example", "attacker.example:80", "localhost.attacker.example", "10.0.0.5"]
)
@pytest.mark.parametrize("path", ["/_testkit/world", "/_testkit/dashboard", "/_testkit/health"])
def test_a_foreign_host_header_is_refused(globus_emulator, globus_server, host, path):
    status, body = raw(globus_server, "GET", path, headers={"Host": host})
    assert status == 403, body
    assert b"Host" in body


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.2", "[::1]"])
def test_loopback_host_names_are_answered(globus_emulator, globus_server, host):
    status, _ = raw(
        globus_server,
        "GET",
        "/_testkit/health",
        headers={"Host": f"{host}:{globus_server.port}"},
    )
    assert status == 200


def test_a_rebinding_attempt_cannot_move_the_clock(globus_emulator, globus_server):
    before = globus_emulator.clock.now()
    status, _ = advance(globus_server, Host="attacker.example")
    assert status == 403
    assert globus_emulator.clock.now() == before


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://attacker.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost:1"},
        {"Referer": "http://attacker.example/page.html"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Content-Type": "text/plain"},
        {"Content-Type": "text/plain;charset=UTF-8"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
    ],
)
def test_a_cross_site_write_is_refused_and_changes_nothing(globus_emulator, globus_server, headers):
    before = globus_emulator.clock.now()
    status, body = advance(globus_server, **headers)
    assert status in (403, 415), body
    assert globus_emulator.clock.now() == before
    status, _ = raw(globus_server, "POST", "/_testkit/reset", headers=headers)
    assert status in (403, 415)


def test_a_text_plain_reset_from_a_web_page_is_refused(globus_emulator, globus_server):
    token = globus_emulator.auth.issue_token(globus_emulator.user, "openid")
    status, _ = raw(
        globus_server,
        "POST",
        "/_testkit/reset",
        body=b"x",
        headers={"Content-Type": "text/plain", "Origin": "http://attacker.example"},
    )
    assert status == 403
    assert globus_emulator.world.auth.tokens  # the world was not reset
    assert token


def test_same_origin_and_tool_writes_are_answered(globus_emulator, globus_server):
    own = f"http://127.0.0.1:{globus_server.port}"
    before = globus_emulator.clock.now()
    assert advance(globus_server)[0] == 200  # a script: no Origin at all
    assert advance(globus_server, Origin=own, **{"Sec-Fetch-Site": "same-origin"})[0] == 200
    assert advance(globus_server, Referer=f"{own}/_testkit/dashboard")[0] == 200
    assert globus_emulator.clock.now() == before + 180
    assert raw(globus_server, "POST", "/_testkit/reset")[0] == 200  # curl -X POST


def test_allow_remote_control_answers_other_names_but_not_cross_site_writes():
    emulator = Emulator()
    emulator.control_loopback_only = False  # serve --allow-remote-control
    with emulator:
        server = emulator.serve()
        assert raw(server, "GET", "/_testkit/health", headers={"Host": "ci-runner.lan"})[0] == 200
        status, _ = advance(server, Host="ci-runner.lan", Origin="http://attacker.example")
        assert status == 403
        assert advance(server, Host="ci-runner.lan", Origin="http://ci-runner.lan")[0] == 200


def _dual_stack_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _dual_stack_available(), reason="no IPv6 on this machine")
def test_an_ipv4_loopback_peer_on_a_dual_stack_server_is_loopback():
    with Emulator() as emulator:
        server = emulator.serve(host="::")
        status, body = raw(server, "GET", "/_testkit/health", host="127.0.0.1")
        assert status == 200, body
        assert json.loads(body)["status"] == "ok"
        before = emulator.clock.now()
        status, body = advance_on(server, "127.0.0.1")
        assert status == 200, body
        assert emulator.clock.now() == before + 60


def advance_on(server, host):
    return raw(
        server,
        "POST",
        "/_testkit/clock/advance",
        body=b'{"seconds": 60}',
        headers={"Content-Type": "application/json"},
        host=host,
    )
