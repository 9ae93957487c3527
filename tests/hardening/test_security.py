"""Tokens are bound to their resource server, and identities stay apart."""

from __future__ import annotations

import globus_sdk
import pytest
import requests

TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"


def test_an_auth_token_is_refused_by_transfer(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, "openid")
    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.task_list()
    assert caught.value.http_status == 401
    assert "not transfer.api.globus.org" in caught.value.message


def test_a_transfer_token_is_refused_by_groups(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, TRANSFER_ALL)
    groups = globus_sdk.GroupsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        groups.get_my_groups()
    assert caught.value.http_status == 401


def test_an_expired_transfer_token_is_refused(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, TRANSFER_ALL, lifetime=60)
    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    tc.task_list()
    globus_emulator.clock.advance(61)
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.task_list()
    assert caught.value.http_status == 401


def test_a_revoked_transfer_token_is_refused(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, TRANSFER_ALL)
    globus_emulator.auth.revoke_token(token)
    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.task_list()
    assert caught.value.http_status == 401


def test_no_bearer_at_all_is_401_in_transfers_shape(globus_emulator):
    answer = requests.get("https://transfer.api.globus.org/v0.10/task_list", timeout=5)
    assert answer.status_code == 401
    assert set(answer.json()) >= {"code", "message", "request_id", "resource"}


def test_one_users_private_collection_is_hidden_from_another(globus_emulator):
    private = globus_emulator.transfer.add_collection(
        "Private", entity_type="GCSv5_guest_collection", public=False
    )
    eve = globus_emulator.auth.add_identity("eve@example.org")
    token = globus_emulator.auth.issue_token(eve, TRANSFER_ALL)
    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.get_endpoint(private.id)
    assert caught.value.code == "EndpointNotFound"
