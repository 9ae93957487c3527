"""Every `globus group ...` command of globus-cli, unchanged, against the
live server, acting as the world's service account."""

from __future__ import annotations

import json

import pytest

from .test_globus_cli import GLOBUS, globus

pytestmark = pytest.mark.skipif(GLOBUS is None, reason="globus-cli is not installed")
SUBSCRIPTION = "5f1f7c44-2b7c-4c2e-9d71-1d6bda0c1d60"


@pytest.fixture
def env(cli_env):
    return cli_env


@pytest.fixture
def me(globus_emulator):
    """The service account's identity, as whom the CLI acts."""
    return globus_emulator.service_account.client_id


@pytest.fixture
def bob(globus_emulator):
    return globus_emulator.auth.add_identity("bob@example.org", name="Bob")


def as_json(env, *args):
    return json.loads(globus(env, *args, "-F", "json").stdout)


def test_create_show_update_list_and_delete_a_group(env, globus_emulator, me):
    created = as_json(env, "group", "create", "CLI lab", "--description", "made by the CLI")
    group_id = created["id"]
    assert globus_emulator.world.groups.role_in({me}, group_id) == "admin"

    shown = globus(env, "group", "show", group_id).stdout
    assert "CLI lab" in shown and "made by the CLI" in shown

    globus(
        env, "group", "update", group_id, "--name", "CLI lab 2", "--terms-and-conditions", "be kind"
    )
    group = globus_emulator.world.groups.group(group_id)
    assert (group.name, group.description, group.terms_and_conditions) == (
        "CLI lab 2",
        "made by the CLI",
        "be kind",
    )

    listed = globus(env, "group", "list").stdout
    assert group_id in listed and "admin" in listed

    globus(env, "group", "delete", group_id)
    assert group_id not in globus_emulator.world.groups.groups


def test_set_policies_keeps_what_is_not_given(env, globus_emulator):
    group_id = as_json(env, "group", "create", "Policies")["id"]
    globus(
        env, "group", "set-policies", group_id,
        "--visibility", "authenticated", "--join-requests", "--signup-fields", "institution,city",
    )  # fmt: skip
    policies = globus_emulator.world.groups.group(group_id).policies
    assert policies.group_visibility == "authenticated"
    assert policies.join_requests is True
    assert policies.signup_fields == ["institution", "city"]
    assert policies.group_members_visibility == "managers"


def test_member_add_invite_list_remove(env, globus_emulator, bob):
    group_id = as_json(env, "group", "create", "Members")["id"]
    cy = globus_emulator.auth.add_identity("cy@example.org")
    added = globus(env, "group", "member", "add", group_id, "bob@example.org", "--role", "manager")
    assert bob.id in added.stdout
    invited = globus(env, "group", "member", "invite", group_id, cy.id)
    assert cy.id in invited.stdout
    table = globus(env, "group", "member", "list", group_id).stdout
    assert "bob@example.org" in table and "manager" in table and "invited" in table
    globus(env, "group", "member", "remove", group_id, "bob@example.org")
    assert globus_emulator.world.groups.group(group_id).roster.members[bob.id].status == "removed"
    again = globus(env, "group", "member", "remove", group_id, "bob@example.org", check=False)
    assert again.returncode == 1
    assert "Identity has no membership in group" in again.stderr


def test_member_invite_provisions_a_username_no_one_has_used(env, globus_emulator):
    group_id = as_json(env, "group", "create", "Newcomers")["id"]
    unknown = globus(env, "group", "member", "invite", group_id, "new@globusid.org", check=False)
    assert unknown.returncode == 2
    assert "Couldn't determine identity" in unknown.stderr
    invited = as_json(
        env, "group", "member", "invite", group_id, "new@globusid.org", "--provision-identity"
    )
    made = globus_emulator.world.auth.identity_by_username("new@globusid.org")
    assert made is not None and made.status == "unused"
    assert invited["invite"][0]["identity_id"] == made.id
    roster = globus_emulator.world.groups.group(group_id).roster
    assert roster.members[made.id].status == "invited"
    assert "new@globusid.org" in globus(env, "group", "member", "list", group_id).stdout


def test_member_add_twice_reports_the_per_item_error(env, bob):
    group_id = as_json(env, "group", "create", "Twice")["id"]
    globus(env, "group", "member", "add", group_id, bob.id)
    again = globus(env, "group", "member", "add", group_id, bob.id, check=False)
    assert again.returncode == 1
    assert "already an active member of the group" in again.stderr


def test_member_approve_and_reject_join_requests(env, globus_emulator, bob):
    group_id = as_json(env, "group", "create", "Requests")["id"]
    cy = globus_emulator.auth.add_identity("cy@example.org")
    groups = globus_emulator.world.groups
    globus_emulator.groups.add_member(group_id, bob.id, status="pending")
    globus_emulator.groups.add_member(group_id, cy.id, status="pending")
    globus(env, "group", "member", "approve", group_id, bob.id)
    globus(env, "group", "member", "reject", group_id, "cy@example.org")
    members = groups.group(group_id).roster.members
    assert (members[bob.id].status, members[cy.id].status) == ("active", "rejected")


def invited_to(globus_emulator, identity_id, name="Invites"):
    owner = globus_emulator.user.id
    group = globus_emulator.groups.create(
        name, {owner: "admin"}, policies={"group_visibility": "private"}
    )
    globus_emulator.groups.add_member(group.id, identity_id, status="invited")
    return group


def test_invite_accept_then_leave(env, globus_emulator, me):
    group = invited_to(globus_emulator, me)
    accepted = globus(env, "group", "invite", "accept", group.id).stdout
    assert f"Accepted invitation as {me}" in accepted
    assert globus_emulator.world.groups.is_member({me}, group.id)
    left = globus(env, "group", "leave", group.id).stdout
    assert f"Left group as {me}" in left
    assert not globus_emulator.world.groups.is_member({me}, group.id)


def test_invite_decline(env, globus_emulator, me):
    group = invited_to(globus_emulator, me)
    globus(env, "group", "invite", "decline", group.id, "--identity", me)
    assert group.roster.members[me].status == "declined"
    # having declined, the caller no longer sees the private group at all
    gone = globus(env, "group", "invite", "accept", group.id, check=False)
    assert gone.returncode == 1 and "You do not have permission to view this group" in gone.stderr


def test_join_by_request_and_directly(env, globus_emulator, me):
    owner = globus_emulator.user.id
    groups = globus_emulator.world.groups
    open_group = globus_emulator.groups.create(
        "Open",
        {owner: "admin"},
        policies={"group_visibility": "authenticated", "join_requests": True},
    )
    requested = as_json(env, "group", "join", open_group.id, "--request")
    assert requested["request_join"][0]["status"] == "pending"
    closed = globus_emulator.groups.create(
        "Closed", {owner: "admin"}, policies={"group_visibility": "authenticated"}
    )
    refused = globus(env, "group", "join", closed.id, check=False)
    assert refused.returncode == 1 and "may not join this group directly" in refused.stderr
    invited = invited_to(globus_emulator, me, "Invited")
    joined = globus(env, "group", "join", invited.id).stdout
    assert me in joined
    assert groups.is_member({me}, invited.id)


def test_subscription_commands(env, globus_emulator, me):
    groups = globus_emulator.world.groups
    provider = globus_emulator.groups.create(
        "Provider",
        {me: "admin"},
        subscription_id=SUBSCRIPTION,
        subscription_info={
            "name": "Sub",
            "is_high_assurance": True,
            "is_baa": False,
            "connectors": {},
        },
    )
    info = globus(env, "group", "get-subscription-info", SUBSCRIPTION).stdout
    assert provider.id in info
    shown = globus(env, "group", "get-by-subscription", SUBSCRIPTION).stdout
    assert "Provider" in shown
    group_id = as_json(env, "group", "create", "Verified")["id"]
    globus(env, "group", "set-subscription-admin-verified", group_id, SUBSCRIPTION)
    assert groups.group(group_id).subscription_admin_verified_id == SUBSCRIPTION
    globus(env, "group", "update", group_id, "--description", "still verified")
    assert groups.group(group_id).subscription_admin_verified_id == SUBSCRIPTION
    globus(env, "group", "update", group_id, "--subscription-admin-verified-id", "null")
    assert groups.group(group_id).subscription_admin_verified_id is None
