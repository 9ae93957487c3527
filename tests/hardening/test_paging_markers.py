"""Malformed paging markers and offsets are 400 in every service that
pages, in its own shape; before, ``marker=-1`` answered the same marker
with ``has_next_page: true`` and a paginator looped for ever."""

from __future__ import annotations

import pytest
import requests

from globus_testkit.services.flows.routes import SCOPE as FLOWS_SCOPE

from .test_every_route import TOKENS

BAD_MARKERS = ["-1", "zz", "0x10", " 1", "+1", "1_0", "ZmFrZQ==", "%%%", "1" * 40, "\uff11"]
BAD_COUNTS = ["-1", "abc", "1.5", " 2", "+2", "1_0", "\u0663", "9" * 40]


@pytest.fixture
def get(globus_emulator, base):
    def get(service, scope, path, **params):
        token = globus_emulator.auth.issue_token(globus_emulator.user, scope)
        return requests.get(
            base(service) + path,
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

    return get


@pytest.fixture
def task_id(globus_emulator, base):
    """A finished transfer of three files, submitted over HTTP."""
    many = globus_emulator.transfer.add_collection(
        "Many", files={f"/d/f{i}": "x" for i in range(3)}
    )
    scope = f"{TOKENS['transfer']}[*https://auth.globus.org/scopes/{many.id}/data_access]"
    token = globus_emulator.auth.issue_token(globus_emulator.user, scope)
    answer = requests.post(
        base("transfer") + "/v0.10/transfer",
        json={
            "DATA_TYPE": "transfer",
            "source_endpoint": many.id,
            "destination_endpoint": many.id,
            "DATA": [
                {
                    "DATA_TYPE": "transfer_item",
                    "source_path": "/d",
                    "destination_path": "/e",
                    "recursive": True,
                }
            ],
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    return answer.json()["task_id"]


FLOWS = f"{FLOWS_SCOPE}all"


@pytest.mark.parametrize("marker", BAD_MARKERS)
def test_a_malformed_marker_is_refused_by_every_marker_pager(get, task_id, marker):
    pagers = [
        ("transfer", TOKENS["transfer"], f"/v0.10/task/{task_id}/successful_transfers", "marker"),
        ("transfer", TOKENS["transfer"], f"/v0.10/task/{task_id}/skipped_errors", "marker"),
        ("transfer", TOKENS["transfer"], "/v0.10/endpoint_manager/task_list", "last_key"),
        ("flows", FLOWS, "/flows", "marker"),
        ("flows", FLOWS, "/runs", "marker"),
    ]
    for service, scope, path, name in pagers:
        answer = get(service, scope, path, filter_status="ACTIVE", **{name: marker})
        assert answer.status_code == 400, (path, answer.text)
        assert "marker" in answer.text


@pytest.mark.parametrize("value", BAD_COUNTS)
@pytest.mark.parametrize("name", ["offset", "limit"])
def test_a_malformed_offset_or_limit_is_refused(get, name, value):
    for service, scope, path in [
        ("transfer", TOKENS["transfer"], "/v0.10/task_list"),
        ("transfer", TOKENS["transfer"], "/v0.10/endpoint_search"),
    ]:
        answer = get(service, scope, path, **{name: value})
        assert answer.status_code == 400, (path, answer.text)
        assert name in answer.json()["message"]


def test_a_marker_the_pager_handed_out_still_pages_to_the_end(get, task_id):
    path = f"/v0.10/task/{task_id}/successful_transfers"
    seen, marker = [], None
    for _ in range(5):
        params = {"limit": 1, **({"marker": marker} if marker else {})}
        answer = get("transfer", TOKENS["transfer"], path, **params)
        assert answer.status_code == 200, answer.text
        seen += [d["source_path"] for d in answer.json()["DATA"]]
        marker = answer.json()["next_marker"]
        if marker is None:
            break
    assert sorted(seen) == ["/d/f0", "/d/f1", "/d/f2"]


def test_the_control_planes_journal_refuses_a_negative_since(globus_emulator, globus_server):
    answer = requests.get(f"{globus_server.url}/_testkit/journal?since=-1", timeout=10)
    assert answer.status_code == 400


HELLO = "https://auth.globus.org/scopes/actions.globus.org/hello_world"


def test_a_hosted_providers_log_pages_and_refuses_a_malformed_marker(globus_emulator, base, get):
    token = globus_emulator.auth.issue_token(globus_emulator.user, HELLO)
    started = requests.post(
        f"{base('actions')}/hello_world/run",
        json={"request_id": "r1", "body": {"echo_string": "hi"}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert started.status_code in (200, 202), started.text
    path = f"/hello_world/{started.json()['action_id']}/log"
    for marker in BAD_MARKERS:
        answer = get("actions", HELLO, path, marker=marker)
        assert answer.status_code == 400, answer.text
        assert "marker" in answer.json()["description"]
    first = get("actions", HELLO, path, limit=1).json()
    assert len(first["entries"]) == 1
    if first["has_next_page"]:
        rest = get("actions", HELLO, path, marker=first["marker"]).json()
        assert rest["entries"] and rest["entries"][0] != first["entries"][0]
