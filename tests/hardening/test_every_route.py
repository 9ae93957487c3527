"""Every route of every emulated service (and the control plane), driven
with arbitrary methods, path values, queries and bodies: never a 500, a
JSON answer, and a refused request changes nothing."""

from __future__ import annotations

import json
import pickle
import re

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from globus_testkit.emulator import SERVICE_CLASSES
from globus_testkit.http import MAX_JSON_DEPTH
from globus_testkit.services.exchange.models import EXCHANGE_SCOPE

from .conftest import TUTORIAL_ENDPOINT
from .test_auth_bad_input import json_values

ROUTES = sorted(
    (cls.name, rule.rule, method)
    for cls in SERVICE_CLASSES
    for rule in cls.routes._rules
    for method in sorted(rule.methods or ())
    if method not in ("HEAD", "OPTIONS")
)
TOKENS = {
    "auth": "openid urn:globus:auth:scope:auth.globus.org:manage_projects",
    "transfer": "urn:globus:auth:scope:transfer.api.globus.org:all",
    "groups": "urn:globus:auth:scope:groups.api.globus.org:all",
    "exchange": EXCHANGE_SCOPE,
    "gcs": f"urn:globus:auth:scope:{TUTORIAL_ENDPOINT}:manage_collections",
}


def world_state(emulator):
    world = emulator.world
    return pickle.dumps(
        (
            world.auth,
            world.transfer,
            world.tasks,
            world.groups,
            world.faults,
            world.exchange,
            world.gcs,
        )
    )


@pytest.mark.parametrize(("service", "rule", "method"), ROUTES)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.uuids().map(str) | st.text(alphabet="ab-%.~", min_size=1, max_size=8),
        min_size=3,
        max_size=3,
    ),
    body=json_values,
    query=st.dictionaries(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", max_size=10),
        st.text(max_size=10),
        max_size=3,
    ),
    authorized=st.booleans(),
)
def test_no_route_fails_inside_and_refusals_change_nothing(
    globus_emulator, base, service, rule, method, values, body, query, authorized
):
    fill = iter(values)
    path = re.sub(r"<(?:\w+:)?\w+>", lambda m: next(fill), rule)
    headers = {}
    if authorized and service in TOKENS:
        token = globus_emulator.auth.issue_token(globus_emulator.user, TOKENS[service])
        headers["Authorization"] = f"Bearer {token}"
    before = world_state(globus_emulator)
    answer = requests.request(
        method, base(service) + path, json=body, params=query, headers=headers, timeout=10
    )
    assert answer.status_code < 500 or answer.status_code == 501, answer.text
    if "json" in answer.headers.get("Content-Type", ""):
        answer.json()
    if answer.status_code >= 400:
        assert world_state(globus_emulator) == before


@pytest.mark.parametrize("path", ["/health", "/world", "/clock", "/journal", "/faults"])
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]), body=json_values)
def test_the_control_plane_never_fails_inside(globus_emulator, globus_server, path, method, body):
    answer = requests.request(method, f"{globus_server.url}/_testkit{path}", json=body, timeout=10)
    # 501: a method the control plane does not route (NotEmulated, loud)
    assert answer.status_code < 500 or answer.status_code == 501, answer.text


# Bodies the JSON parser must refuse cleanly: nested around and far past
# MAX_JSON_DEPTH (arrays, objects, brackets hidden in strings), carrying
# NaN, Infinity or numbers too large for a float, or just bytes.
nested_bodies = st.builds(
    lambda depth, objects, noise: (
        (b'{"a":' * depth + noise + b"}" * depth)
        if objects
        else (b"[" * depth + noise + b"]" * depth)
    ),
    st.integers(min_value=MAX_JSON_DEPTH - 2, max_value=MAX_JSON_DEPTH * 50),
    st.booleans(),
    st.sampled_from([b"1", b'"[[[{{{"', b"null", b'"\\"]]]"']),
)
non_finite_bodies = st.builds(
    lambda token, value: (
        b'{"x": %s, "seconds": %s, "y": %s}' % (token, token, json.dumps(value).encode())
    ),
    st.sampled_from([b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e999", b"[NaN]"]),
    json_values,
)
hostile_json = nested_bodies | non_finite_bodies
hostile_bodies = hostile_json | st.binary(max_size=64)
WRITES = [(s, r, m) for s, r, m in ROUTES if m in ("POST", "PUT", "PATCH", "DELETE")]
CONTROL_WRITES = [
    ("/clock/advance", "POST"),
    ("/faults", "POST"),
    ("/world", "PUT"),
    ("/auth/authorize", "POST"),
]


def _chunked(body: bytes, pieces: int):
    """The body as an iterator: requests then sends it chunked."""
    size = max(1, len(body) // pieces)
    return iter([body[i : i + size] for i in range(0, len(body), size)] or [b""])


@pytest.mark.parametrize(("service", "rule", "method"), WRITES)
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=hostile_bodies, chunks=st.integers(min_value=0, max_value=4))
def test_no_route_fails_on_deep_non_finite_or_chunked_bodies(
    globus_emulator, base, globus_transport, service, rule, method, body, chunks
):
    path = re.sub(r"<(?:\w+:)?\w+>", "x", rule)
    headers = {"Content-Type": "application/json"}
    if service in TOKENS:
        token = globus_emulator.auth.issue_token(globus_emulator.user, TOKENS[service])
        headers["Authorization"] = f"Bearer {token}"
    # Chunked bodies exist on the wire only (in-process there is no wire).
    data = _chunked(body, chunks) if chunks and globus_transport == "server" else body
    before = world_state(globus_emulator)
    answer = requests.request(method, base(service) + path, data=data, headers=headers, timeout=30)
    assert answer.status_code < 500 or answer.status_code == 501, answer.text
    if answer.status_code >= 400:
        assert world_state(globus_emulator) == before


@pytest.mark.parametrize(("path", "method"), CONTROL_WRITES)
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=hostile_json, chunks=st.integers(min_value=0, max_value=4))
def test_the_control_plane_refuses_hostile_bodies_and_keeps_the_world(
    globus_emulator, globus_server, path, method, body, chunks
):
    before = (world_state(globus_emulator), globus_emulator.clock.now())
    answer = requests.request(
        method,
        f"{globus_server.url}/_testkit{path}",
        data=_chunked(body, chunks) if chunks else body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 400, answer.text
    assert (world_state(globus_emulator), globus_emulator.clock.now()) == before
