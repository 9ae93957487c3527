"""High-assurance groups: the fields are stored and reported, and the one
hook (world.groups.sessions) decides when a member must sign in again."""

from __future__ import annotations

import globus_sdk
import pytest


class Sessions:
    """Stands in for Auth's sessions: when each identity last signed in."""

    def __init__(self) -> None:
        self.signed_in: dict[str, float] = {}

    def last_authentication(self, identity_id: str) -> float | None:
        return self.signed_in.get(identity_id)


def make_high_assurance(gc, group_id, timeout=600):
    gc.set_group_policies(
        group_id,
        globus_sdk.GroupPolicies(
            is_high_assurance=True,
            group_visibility="private",
            group_members_visibility="managers",
            join_requests=False,
            signup_fields=[],
            authentication_assurance_timeout=timeout,
        ),
    )


def test_high_assurance_policies_are_reported(globus_emulator, gc, lab):
    make_high_assurance(gc, lab["id"])
    group = gc.get_group(lab["id"])
    assert (group["enforce_session"], group["session_limit"]) == (True, 600)
    assert group["policies"]["is_high_assurance"] is True
    # Auth recorded the sign-in behind the test's token: its assurance runs 600 s
    user = globus_emulator.user.id
    assert group["session_timeouts"][user]["expires_in"] == 600


def test_auth_sessions_decide_when_a_member_must_sign_in_again(globus_emulator, gc, lab):
    make_high_assurance(gc, lab["id"], timeout=600)
    globus_emulator.clock.advance(601)  # the sign-in behind gc's token is too old now
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        gc.get_group(lab["id"])
    assert (err.value.http_status, err.value.code) == (401, "AUTHENTICATION_ASSURANCE_TIMEOUT")
    user = globus_emulator.user.id
    assert err.value.info.authorization_parameters.session_required_identities == [user]
    # signing in again (a fresh login recorded by Auth) satisfies the group
    fresh = globus_emulator.auth.issue_token(
        globus_emulator.user, "urn:globus:auth:scope:groups.api.globus.org:all"
    )
    again = globus_sdk.GroupsClient(authorizer=globus_sdk.AccessTokenAuthorizer(fresh))
    assert again.get_group(lab["id"])["id"] == lab["id"]


def test_a_stale_session_gets_the_session_error_the_sdk_reads(globus_emulator, gc, lab):
    make_high_assurance(gc, lab["id"])
    sessions = Sessions()
    globus_emulator.groups.connect_sessions(sessions)
    user = globus_emulator.user.id
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        gc.get_group(lab["id"])
    assert err.value.http_status == 401
    params = err.value.info.authorization_parameters
    assert params.session_required_identities == [user]

    sessions.signed_in[user] = globus_emulator.clock.now()
    group = gc.get_group(lab["id"])
    assert group["session_timeouts"][user]["expires_in"] == 600

    globus_emulator.clock.advance(601)
    with pytest.raises(globus_sdk.GroupsAPIError):
        gc.get_group(lab["id"])


def test_regular_groups_ignore_sessions(globus_emulator, gc, lab):
    globus_emulator.groups.connect_sessions(Sessions())
    assert gc.get_group(lab["id"])["session_timeouts"] == {}
