"""JSON bodies are parsed in one place (``http.parse_json``), and every
route that reads one refuses what Globus's services refuse: nesting past
``MAX_JSON_DEPTH``, NaN, Infinity and numbers too large for a float. Each
refusal is a 400 in the route's own service's shape (the shape it gives
any malformed JSON), never a 500, and changes nothing. Chunked bodies
are read like any other on the live server."""

from __future__ import annotations

import http.client
import json
import re

import globus_sdk
import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from globus_testkit.http import MAX_BODY_BYTES, MAX_JSON_DEPTH, json_depth
from globus_testkit.services.flows.routes import SCOPE as FLOWS_SCOPE

from .test_every_route import ROUTES, TOKENS, world_state

WRITES = [(s, r, m) for s, r, m in ROUTES if m in ("POST", "PUT", "PATCH", "DELETE")]
TOO_DEEP = b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1)
VERY_DEEP = b'{"a":' * 5000 + b"1" + b"}" * 5000
NOT_FINITE = [b'{"seconds": NaN}', b'{"x": [Infinity]}', b'{"x": -Infinity}', b'{"x": 1e400}']


def send(url, body, headers):
    return requests.post(url, data=body, headers=headers, timeout=10)


def shape(answer):
    """What a refusal looks like, whatever it says: status, type, keys."""
    content_type = answer.headers.get("Content-Type", "")
    keys = sorted(answer.json()) if "json" in content_type else None
    return answer.status_code, content_type, keys


@pytest.mark.parametrize(("service", "rule", "method"), WRITES)
def test_every_json_route_refuses_deep_and_non_finite_bodies_as_it_refuses_bad_json(
    globus_emulator, base, service, rule, method
):
    path = re.sub(r"<(?:\w+:)?\w+>", "x", rule)
    if "<path:provider>" in rule:
        path = rule.replace("<path:provider>", "hello_world").replace("<action_id>", "x")
    headers = {"Content-Type": "application/json"}
    if service in TOKENS:
        token = globus_emulator.auth.issue_token(globus_emulator.user, TOKENS[service])
        headers["Authorization"] = f"Bearer {token}"
    url = base(service) + path
    before = world_state(globus_emulator)
    malformed = requests.request(method, url, data=b"{", headers=headers, timeout=10)
    for body in [TOO_DEEP, VERY_DEEP, *NOT_FINITE]:
        answer = requests.request(method, url, data=body, headers=headers, timeout=10)
        assert answer.status_code < 500 or answer.status_code == 501, answer.text
        if malformed.status_code == 400:
            assert shape(answer) == shape(malformed), (body[:30], answer.text)
    assert world_state(globus_emulator) == before


@pytest.mark.parametrize(
    "path", ["/clock/advance", "/faults", "/world", "/auth/authorize", "/reset"]
)
@pytest.mark.parametrize("body", [TOO_DEEP, VERY_DEEP, *NOT_FINITE])
def test_the_control_plane_refuses_deep_and_non_finite_bodies(
    globus_emulator, globus_server, path, body
):
    before = (world_state(globus_emulator), globus_emulator.clock.now())
    method = "PUT" if path == "/world" else "POST"
    answer = requests.request(
        method,
        f"{globus_server.url}/_testkit{path}",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    if path == "/reset":  # takes no body, reads none
        assert answer.status_code == 200
        return
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "BadRequest"
    assert (world_state(globus_emulator), globus_emulator.clock.now()) == before


def test_a_flow_nested_to_the_limit_is_accepted_and_survives_saving(globus_emulator, tmp_path):
    token = globus_emulator.auth.issue_token(globus_emulator.user, f"{FLOWS_SCOPE}manage_flows")
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    deep: dict = {"leaf": 1}
    for _ in range(MAX_JSON_DEPTH - 6):  # the definition's own levels come on top
        deep = {"n": deep}
    definition = {
        "StartAt": "Keep",
        "States": {
            "Keep": {"Type": "Pass", "Parameters": deep, "ResultPath": "$.kept", "End": True}
        },
    }
    flows.create_flow("deep", definition, input_schema={})
    too_deep = {"n": deep}
    for _ in range(6):
        too_deep = {"n": too_deep}
    definition["States"]["Keep"]["Parameters"] = too_deep
    with pytest.raises(globus_sdk.FlowsAPIError) as refused:
        flows.create_flow("deeper", definition, input_schema={})
    assert refused.value.http_status == 400
    globus_emulator.save_state(tmp_path / "world.state")
    globus_emulator.load_state(tmp_path / "world.state")
    assert [f.title for f in globus_emulator.world.flows.flows.values()] == ["deep"]


# -- chunked request bodies (live server) -------------------------------------------


def chunked_post(server, path, pieces, content_type="application/json"):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request(
        "POST",
        path,
        body=iter(pieces),
        headers={"Content-Type": content_type, "Transfer-Encoding": "chunked"},
        encode_chunked=True,
    )
    answer = connection.getresponse()
    status, data = answer.status, answer.read()
    connection.close()
    return status, data


def test_a_chunked_body_is_read_by_the_control_plane(globus_emulator, globus_server):
    before = globus_emulator.clock.now()
    status, data = chunked_post(
        globus_server, "/_testkit/clock/advance", [b'{"seco', b'nds": ', b"90}"]
    )
    assert status == 200, data
    assert globus_emulator.clock.now() == before + 90


def test_a_chunked_body_reaches_a_service(globus_emulator, globus_server):
    collection = globus_emulator.transfer.add_collection("Chunked")
    token = globus_emulator.auth.issue_token(globus_emulator.user, TOKENS["transfer"])
    connection = http.client.HTTPConnection("127.0.0.1", globus_server.port, timeout=30)
    connection.request(
        "POST",
        "/transfer/v0.10/bookmark",
        body=iter(
            [b'{"name": "chunk', f'ed", "endpoint_id": "{collection.id}", "path": "/"}}'.encode()]
        ),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Transfer-Encoding": "chunked",
        },
        encode_chunked=True,
    )
    answer = connection.getresponse()
    assert answer.status == 200, answer.read()
    connection.close()
    names = [b["name"] for b in globus_emulator.world.transfer.bookmarks.values()]
    assert names == ["chunked"]


def test_a_chunked_body_over_the_size_limit_is_refused(globus_emulator, globus_server):
    piece = b" " * (1024 * 1024)
    pieces = [b'{"seconds": 1'] + [piece] * (MAX_BODY_BYTES // len(piece) + 1) + [b"}"]
    before = globus_emulator.clock.now()
    status, data = chunked_post(globus_server, "/_testkit/clock/advance", pieces)
    assert status == 413, data
    assert globus_emulator.clock.now() == before


# -- the depth measure itself ---------------------------------------------------------

tricky_text = st.text(alphabet='[]{}"\\\\ a\n', max_size=8)
tricky_json = st.recursive(
    st.none() | st.integers() | tricky_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(tricky_text, children, max_size=3)
    ),
    max_leaves=20,
)


def nesting(value):
    if isinstance(value, dict):
        return 1 + max(map(nesting, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(nesting, value), default=0)
    return 0


@given(value=tricky_json, ascii_only=st.booleans())
def test_depth_is_measured_on_the_bytes_as_the_parser_would_see_it(value, ascii_only):
    """Brackets, quotes and backslashes inside strings never count."""
    assert json_depth(json.dumps(value, ensure_ascii=ascii_only).encode()) == nesting(value)
