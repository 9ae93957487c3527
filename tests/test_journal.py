"""The journal: what tests read back about the calls their code made."""

from __future__ import annotations

import globus_sdk
import pytest

from conftest import userinfo


def test_an_entry_carries_the_virtual_time_of_its_call(auth_client_for, globus_emulator):
    auth = auth_client_for()
    globus_emulator.clock.advance(3600)
    first_at = globus_emulator.clock.now()
    userinfo(auth)
    globus_emulator.clock.advance(90)
    userinfo(auth)
    times = [e.time for e in globus_emulator.journal.calls("auth", "oauth2_userinfo")]
    assert times == [first_at, first_at + 90]


def test_entries_name_who_called_and_through_which_client(
    auth_client_for, globus_client_app, globus_emulator
):
    someone = globus_emulator.auth.add_identity("someone@example.org")
    userinfo(auth_client_for())
    userinfo(auth_client_for(someone))
    userinfo(globus_sdk.AuthClient(app=globus_client_app))
    callers = [
        (e.identity_id, e.client_id)
        for e in globus_emulator.journal.calls("auth", "oauth2_userinfo")
    ]
    robot = globus_emulator.service_account.client_id
    native = globus_emulator.native_client_id
    assert callers == [(globus_emulator.user.id, native), (someone.id, native), (robot, robot)]


def test_calls_filters_by_identity(auth_client_for, globus_emulator):
    someone = globus_emulator.auth.add_identity("someone@example.org")
    userinfo(auth_client_for())
    userinfo(auth_client_for(someone))
    userinfo(auth_client_for(someone))
    mine = globus_emulator.journal.calls(identity_id=someone.id)
    assert len(mine) == 2
    assert {e.identity_id for e in mine} == {someone.id}
    assert len(globus_emulator.journal.calls(identity_id=globus_emulator.user.id)) == 1


def test_calls_filters_by_method_and_status(auth_client_for, globus_emulator):
    auth = auth_client_for()
    userinfo(auth)
    globus_emulator.faults.add(operation="get_identities", status=409, times=1)
    with pytest.raises(globus_sdk.GlobusAPIError):
        auth.get_identities(usernames=globus_emulator.user.username)
    robot = globus_emulator.service_account
    confidential = globus_sdk.ConfidentialAppAuthClient(robot.client_id, robot.client_secret)
    confidential.oauth2_token_introspect(auth.authorizer.access_token)
    assert [e.operation for e in globus_emulator.journal.calls("auth", status=409)] == [
        "get_identities"
    ]
    assert [e.status for e in globus_emulator.journal.calls(method="GET")] == [200, 409]
    [posted] = globus_emulator.journal.calls(method="POST")
    assert (posted.operation, posted.status) == ("oauth2_token_introspect", 200)


def test_every_entry_is_readable_in_order_and_clear_empties_it(auth_client_for, globus_emulator):
    auth = auth_client_for()
    userinfo(auth)
    auth.get_identities(usernames=globus_emulator.user.username)
    assert len(globus_emulator.journal) == 2
    assert [e.operation for e in globus_emulator.journal] == ["oauth2_userinfo", "get_identities"]
    first, second = (e.request_id for e in globus_emulator.journal)
    assert first < second
    globus_emulator.journal.clear()
    assert len(globus_emulator.journal) == 0
    assert globus_emulator.journal.calls() == []
