"""Property-based: no input makes Transfer answer 500, refusals use
Transfer's error shape and leave the world as it was."""

from __future__ import annotations

import pickle

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_auth_bad_input import json_values

SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("TESTKIT_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
SCOPE = (
    "urn:globus:auth:scope:transfer.api.globus.org:all"
    f"[*https://auth.globus.org/scopes/{TUTORIAL_1}/data_access"
    f" *https://auth.globus.org/scopes/{TUTORIAL_2}/data_access]"
)
paths = st.sampled_from(
    [
        "/",
        "/home/share/godata",
        "/../..",
        "relative",
        "~/x",
        "/a/../../b",
        "",
        "/home/share/godata/file1.txt",
        "/\u00e9t\u00e9",
    ]
) | st.text(max_size=20)
ids = st.sampled_from([TUTORIAL_1, TUTORIAL_2, "not-a-uuid", "0" * 36]) | st.uuids().map(str)


@pytest.fixture
def transfer(globus_emulator, globus_transport):
    base = (
        globus_emulator._servers[0].service_url("transfer").rstrip("/")
        if globus_transport == "server"
        else "https://transfer.api.globus.org"
    )
    token = globus_emulator.auth.issue_token(globus_emulator.user, SCOPE)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return base + "/v0.10", session


def fingerprint(emulator):
    return pickle.dumps((emulator.world.transfer, emulator.world.tasks))


def check(answer, before, emulator):
    assert answer.status_code < 500 or answer.status_code == 501, answer.text
    if answer.status_code >= 400:
        assert set(answer.json()) >= {"code", "message", "request_id", "resource"}
        assert fingerprint(emulator) == before


@SETTINGS
@given(
    route=st.sampled_from(
        ["transfer", "delete", "mkdir", "rename", "access", "bookmark", "endpoint", "task"]
    ),
    collection=ids,
    body=json_values
    | st.fixed_dictionaries(
        {
            "DATA_TYPE": st.sampled_from(["transfer", "delete", "mkdir", "rename", "access"]),
            "source_endpoint": ids,
            "destination_endpoint": ids,
            "endpoint": ids,
            "path": paths,
            "old_path": paths,
            "new_path": paths,
            "DATA": st.lists(
                st.fixed_dictionaries(
                    {
                        "DATA_TYPE": st.sampled_from(["transfer_item", "delete_item"]),
                        "source_path": paths,
                        "destination_path": paths,
                        "path": paths,
                    }
                ),
                max_size=3,
            ),
        }
    ),
)
def test_writes_never_fail_inside(globus_emulator, transfer, route, collection, body):
    base, session = transfer
    target = {
        "transfer": ("POST", f"{base}/transfer"),
        "delete": ("POST", f"{base}/delete"),
        "mkdir": ("POST", f"{base}/operation/endpoint/{collection}/mkdir"),
        "rename": ("POST", f"{base}/operation/endpoint/{collection}/rename"),
        "access": ("POST", f"{base}/endpoint/{collection}/access"),
        "bookmark": ("POST", f"{base}/bookmark"),
        "endpoint": ("PUT", f"{base}/endpoint/{collection}"),
        "task": ("PUT", f"{base}/task/{collection}"),
    }[route]
    before = fingerprint(globus_emulator)
    check(session.request(*target, json=body, timeout=10), before, globus_emulator)


@SETTINGS
@given(
    route=st.sampled_from(
        [
            "ls",
            "stat",
            "task_list",
            "endpoint_search",
            "event_list",
            "successful_transfers",
            "endpoint_manager",
        ]
    ),
    collection=ids,
    query=st.dictionaries(
        st.sampled_from(
            [
                "path",
                "limit",
                "offset",
                "orderby",
                "filter",
                "show_hidden",
                "filter_scope",
                "filter_fulltext",
                "marker",
                "last_key",
                "filter_status",
                "filter_endpoint",
            ]
        ),
        st.text(max_size=12) | st.sampled_from(["-1", "0", "99999999", "name DESC", "true"]),
        max_size=4,
    ),
)
def test_reads_never_fail_inside(globus_emulator, transfer, route, collection, query):
    base, session = transfer
    url = {
        "ls": f"{base}/operation/endpoint/{collection}/ls",
        "stat": f"{base}/operation/endpoint/{collection}/stat",
        "task_list": f"{base}/task_list",
        "endpoint_search": f"{base}/endpoint_search",
        "event_list": f"{base}/task/{collection}/event_list",
        "successful_transfers": f"{base}/task/{collection}/successful_transfers",
        "endpoint_manager": f"{base}/endpoint_manager/task_list",
    }[route]
    before = fingerprint(globus_emulator)
    check(session.get(url, params=query, timeout=10), before, globus_emulator)
