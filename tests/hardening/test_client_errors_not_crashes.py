"""Requests that once made the emulator fail inside (500) now get the
client error the real service gives; and a method the emulator does not
route under a known path is the loud 501 naming it, not a 405."""

from __future__ import annotations

import globus_sdk
import pytest
import requests

from globus_testkit.services.groups.routes import ALL as GROUPS_ALL

from .test_every_route import TOKENS

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
DELETE_SCOPE = "https://auth.globus.org/scopes/actions.globus.org/transfer/delete"
TRANSFER_SCOPE = "https://auth.globus.org/scopes/actions.globus.org/transfer/transfer"


@pytest.fixture
def tc(globus_emulator):
    scope = f"{TOKENS['transfer']}[*https://auth.globus.org/scopes/{TUTORIAL_1}/data_access]"
    token = globus_emulator.auth.issue_token(globus_emulator.user, scope)
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def test_updating_a_finished_task_is_a_conflict(tc):
    data = globus_sdk.DeleteData(endpoint=TUTORIAL_1)
    data.add_item("/home/share/godata/file1.txt")
    task_id = tc.submit_delete(data)["task_id"]
    assert tc.get_task(task_id)["status"] == "SUCCEEDED"
    with pytest.raises(globus_sdk.TransferAPIError) as refused:
        tc.update_task(task_id, {"label": "too late"})
    assert refused.value.http_status == 409
    assert refused.value.code == "ClientError.Conflict"
    assert tc.get_task(task_id)["label"] != "too late"


def test_a_bookmark_name_already_taken_is_a_conflict(tc):
    tc.create_bookmark({"name": "mine", "endpoint_id": TUTORIAL_1, "path": "/home/share/"})
    with pytest.raises(globus_sdk.TransferAPIError) as refused:
        tc.create_bookmark({"name": "mine", "endpoint_id": TUTORIAL_1, "path": "/home/"})
    assert refused.value.http_status == 409
    assert refused.value.code == "Exists"
    assert [b["name"] for b in tc.bookmark_list()] == ["mine"]


def run_action(globus_emulator, base, provider, scope, body):
    token = globus_emulator.auth.issue_token(globus_emulator.user, scope)
    return requests.post(
        f"{base('actions')}/transfer/{provider}/run",
        json={"request_id": "r1", "body": body},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_the_hosted_delete_provider_takes_paths_as_strings(globus_emulator, base):
    answer = run_action(
        globus_emulator,
        base,
        "delete",
        DELETE_SCOPE,
        {"endpoint_id": TUTORIAL_1, "items": ["/home/share/godata/file1.txt"]},
    )
    assert answer.status_code in (200, 202), answer.text
    assert answer.json()["status"] in ("ACTIVE", "SUCCEEDED"), answer.text
    assert not globus_emulator.transfer.exists(TUTORIAL_1, "/home/share/godata/file1.txt")


@pytest.mark.parametrize(
    "body",
    [
        {"endpoint_id": TUTORIAL_1, "items": "/home/share/godata/file1.txt"},
        {"endpoint_id": TUTORIAL_1, "items": [7]},
        {"endpoint_id": TUTORIAL_1, "items": [{"nopath": 1}]},
        {"items": ["/home/share/godata/file1.txt"]},
    ],
)
def test_the_hosted_delete_provider_refuses_bad_items_as_a_bad_request(globus_emulator, base, body):
    answer = run_action(globus_emulator, base, "delete", DELETE_SCOPE, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "BadActionRequest"
    assert globus_emulator.world.actions.actions == {}


@pytest.mark.parametrize("missing", ["destination_endpoint", "source_endpoint", "transfer_items"])
def test_the_hosted_transfer_provider_needs_both_endpoints_and_items(
    globus_emulator, base, missing
):
    body = {
        "source_endpoint": TUTORIAL_1,
        "destination_endpoint": TUTORIAL_1,
        "transfer_items": [{"source_path": "/home/share/godata/", "destination_path": "/x/"}],
    }
    del body[missing]
    answer = run_action(globus_emulator, base, "transfer", TRANSFER_SCOPE, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "BadActionRequest"
    assert globus_emulator.world.actions.actions == {}


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_an_unrouted_method_on_a_known_path_is_not_emulated(globus_emulator, base, method):
    token = globus_emulator.auth.issue_token(globus_emulator.user, GROUPS_ALL)
    answer = requests.request(
        method,
        f"{base('groups')}/v2/subscription_info/9d9e2e9a-0000-4000-8000-000000000000",
        json={},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 501, answer.text
    message = answer.json()["detail"]
    assert method in message
    assert "/v2/subscription_info/9d9e2e9a-0000-4000-8000-000000000000" in message


def test_an_unrouted_method_on_a_transfer_path_is_not_emulated(tc):
    with pytest.raises(globus_sdk.TransferAPIError) as refused:
        tc.put("/v0.10/task_list", data={})
    assert refused.value.http_status == 501
    assert refused.value.code == "NotEmulated"
