"""Every route of every emulated service (and the control plane), driven
with arbitrary methods, path values, queries and bodies: never a 500, a
JSON answer, and a refused request changes nothing."""

from __future__ import annotations

import pickle
import re

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from globus_testkit.emulator import SERVICE_CLASSES
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
