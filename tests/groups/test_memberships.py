"""Membership lifecycles through GroupsManager (and the batch route
underneath it), with the permission rules of each role."""

from __future__ import annotations

import globus_sdk
import pytest


@pytest.fixture
def manager(gc):
    return globus_sdk.GroupsManager(gc)


@pytest.fixture
def as_(groups_for):
    """GroupsManager acting as someone else."""
    return lambda identity: globus_sdk.GroupsManager(groups_for(identity))


def status_of(gc, group_id, identity_id):
    group = gc.get_group(group_id, include="memberships")
    return {m["identity_id"]: (m["role"], m["status"]) for m in group["memberships"]}.get(
        identity_id
    )


def test_add_member_makes_an_active_member(manager, gc, lab, bob):
    answer = manager.add_member(lab["id"], bob.id, role="manager")
    assert answer["add"][0]["identity_id"] == bob.id
    assert answer["add"][0]["username"] == "bob@example.org"
    assert "errors" not in answer.data
    assert status_of(gc, lab["id"], bob.id) == ("manager", "active")


def test_adding_an_active_member_again_is_a_per_item_error(manager, lab, bob, cy):
    manager.add_member(lab["id"], bob.id)
    answer = manager.client.batch_membership_action(
        lab["id"], globus_sdk.BatchMembershipActions().add_members([bob.id, cy.id])
    )
    assert [m["identity_id"] for m in answer["add"]] == [cy.id]
    assert answer["errors"]["add"] == [
        {
            "identity_id": bob.id,
            "code": "ALREADY_ACTIVE",
            "detail": "The identity is already an active member of the group.",
        }
    ]


def test_invite_then_accept(manager, as_, gc, lab, bob):
    assert manager.invite_member(lab["id"], bob.id)["invite"][0]["status"] == "invited"
    assert as_(bob).accept_invite(lab["id"], bob.id)["accept"][0]["status"] == "active"
    assert status_of(gc, lab["id"], bob.id) == ("member", "active")


def test_invite_then_decline(manager, as_, gc, lab, bob):
    manager.invite_member(lab["id"], bob.id, role="manager")
    assert as_(bob).decline_invite(lab["id"], bob.id)["decline"][0]["status"] == "declined"
    assert status_of(gc, lab["id"], bob.id) == ("manager", "declined")


def test_only_the_invited_identity_accepts(manager, as_, lab, bob, cy):
    manager.invite_member(lab["id"], bob.id)
    manager.add_member(lab["id"], cy.id)
    answer = as_(cy).accept_invite(lab["id"], bob.id)
    assert answer["errors"]["accept"][0]["code"] == "FORBIDDEN"


def test_outsiders_cannot_act_on_a_private_group(manager, as_, lab, bob, cy):
    manager.invite_member(lab["id"], bob.id)
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        as_(cy).accept_invite(lab["id"], bob.id)
    assert err.value.http_status == 403


def test_accepting_without_an_invitation_is_refused(as_, manager, lab, bob):
    manager.set_group_policies(
        lab["id"],
        is_high_assurance=False,
        group_visibility="authenticated",
        group_members_visibility="managers",
        join_requests=True,
        signup_fields=[],
    )
    answer = as_(bob).accept_invite(lab["id"], bob.id)
    assert answer["errors"]["accept"][0]["code"] == "NOT_INVITED"


def open_for_requests(manager, group_id):
    manager.set_group_policies(
        group_id,
        is_high_assurance=False,
        group_visibility="authenticated",
        group_members_visibility="members",
        join_requests=True,
        signup_fields=["institution"],
    )


def test_request_join_then_approve(manager, as_, gc, lab, bob):
    open_for_requests(manager, lab["id"])
    assert as_(bob).request_join(lab["id"], bob.id)["request_join"][0]["status"] == "pending"
    assert status_of(gc, lab["id"], bob.id) == ("member", "pending")
    assert manager.approve_pending(lab["id"], bob.id)["approve"][0]["status"] == "active"


def test_request_join_then_reject(manager, as_, gc, lab, bob):
    open_for_requests(manager, lab["id"])
    as_(bob).request_join(lab["id"], bob.id)
    assert manager.reject_join_request(lab["id"], bob.id)["reject"][0]["status"] == "rejected"
    again = as_(bob).request_join(lab["id"], bob.id)
    assert again["errors"]["request_join"][0]["code"] == "ALREADY_REJECTED"


def test_join_requests_need_the_policy(manager, as_, lab, bob):
    manager.set_group_policies(
        lab["id"],
        is_high_assurance=False,
        group_visibility="authenticated",
        group_members_visibility="managers",
        join_requests=False,
        signup_fields=[],
    )
    answer = as_(bob).request_join(lab["id"], bob.id)
    assert answer["errors"]["request_join"][0]["code"] == "JOIN_REQUESTS_DISABLED"


def test_request_join_carries_membership_fields(manager, groups_for, gc, lab, bob):
    open_for_requests(manager, lab["id"])
    groups_for(bob).batch_membership_action(
        lab["id"],
        {"request_join": [{"identity_id": bob.id, "membership_fields": {"institution": "MIT"}}]},
    )
    group = gc.get_group(lab["id"], include="memberships")
    fields = {m["identity_id"]: m["membership_fields"] for m in group["memberships"]}
    assert fields[bob.id] == {"institution": "MIT"}


def test_join_accepts_an_invitation(manager, as_, lab, bob):
    manager.invite_member(lab["id"], bob.id)
    assert as_(bob).join(lab["id"], bob.id)["join"][0]["status"] == "active"


def test_join_without_invitation_is_refused(manager, as_, lab, bob):
    open_for_requests(manager, lab["id"])
    answer = as_(bob).join(lab["id"], bob.id)
    assert answer["errors"]["join"][0]["code"] == "JOIN_NOT_ALLOWED"


def test_leave(manager, as_, gc, lab, bob):
    manager.add_member(lab["id"], bob.id)
    assert as_(bob).leave(lab["id"], bob.id)["leave"][0]["status"] == "left"
    assert status_of(gc, lab["id"], bob.id) == ("member", "left")


def test_the_last_admin_cannot_leave(manager, globus_emulator, lab):
    answer = manager.leave(lab["id"], globus_emulator.user.id)
    assert answer["errors"]["leave"][0]["code"] == "LAST_ADMIN"


def test_remove_member(manager, gc, lab, bob):
    manager.add_member(lab["id"], bob.id)
    assert manager.remove_member(lab["id"], bob.id)["remove"][0]["status"] == "removed"
    again = manager.remove_member(lab["id"], bob.id)
    assert again["errors"]["remove"][0] == {
        "identity_id": bob.id,
        "code": "NO_MEMBERSHIP",
        "detail": "Identity has no membership in group.",
    }


def test_change_role(manager, gc, lab, bob):
    manager.add_member(lab["id"], bob.id)
    assert manager.change_role(lab["id"], bob.id, "admin")["change_role"][0]["role"] == "admin"
    assert status_of(gc, lab["id"], bob.id) == ("admin", "active")


def test_managers_manage_members_but_not_admins(manager, as_, lab, bob, cy, globus_emulator):
    manager.add_member(lab["id"], bob.id, role="manager")
    as_bob = as_(bob)
    assert as_bob.add_member(lab["id"], cy.id)["add"][0]["status"] == "active"
    assert as_bob.change_role(lab["id"], cy.id, "admin")["errors"]["change_role"][0]["code"] == (
        "FORBIDDEN"
    )
    removing_admin = as_bob.remove_member(lab["id"], globus_emulator.user.id)
    assert removing_admin["errors"]["remove"][0]["code"] == "FORBIDDEN"
    assert as_bob.add_member(lab["id"], cy.id, role="admin")["errors"]["add"][0]["code"] in (
        "FORBIDDEN",
        "ALREADY_ACTIVE",
    )


def test_members_may_not_manage(manager, as_, lab, bob, cy):
    manager.add_member(lab["id"], bob.id)
    answer = as_(bob).add_member(lab["id"], cy.id)
    assert answer["add"] == []
    assert answer["errors"]["add"][0]["code"] == "FORBIDDEN"


def test_member_visibility_policy_decides_who_sees_the_roster(manager, groups_for, lab, bob, cy):
    manager.add_member(lab["id"], bob.id)
    manager.add_member(lab["id"], cy.id)
    seen = groups_for(bob).get_group(lab["id"], include="memberships")["memberships"]
    assert seen == []  # managers-only: members see no roster
    open_for_requests(manager, lab["id"])  # members visibility
    seen = groups_for(bob).get_group(lab["id"], include="memberships")["memberships"]
    assert {m["identity_id"] for m in seen} >= {bob.id, cy.id}


def test_outsiders_see_authenticated_groups_but_not_their_members(manager, groups_for, lab, bob):
    open_for_requests(manager, lab["id"])
    group = groups_for(bob).get_group(lab["id"], include=["memberships", "allowed_actions"])
    assert group["memberships"] == []
    assert group["allowed_actions"]["request_join"] == [bob.id]
    assert group["allowed_actions"]["add"] == []


def test_a_bad_batch_changes_nothing(gc, lab, bob):
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        gc.batch_membership_action(
            lab["id"], {"add": [{"identity_id": bob.id}], "promote": [{"identity_id": bob.id}]}
        )
    assert err.value.http_status == 400
    assert gc.get_group(lab["id"], include="memberships")["memberships"][0]["role"] == "admin"
    assert len(gc.get_group(lab["id"], include="memberships")["memberships"]) == 1


def test_group_member_rows_are_in_the_membership_shape(manager, gc, lab, bob):
    row = manager.add_member(lab["id"], bob.id)["add"][0]
    assert set(row) == {
        "group_id",
        "identity_id",
        "username",
        "role",
        "status",
        "membership_fields",
    }


def test_a_caller_with_linked_identities_sees_their_memberships_in_roster_order(
    globus_emulator, gc
):
    """Several of the caller's identities hold memberships: they are listed
    as the group's roster has them, not in whatever order the caller's
    identities come (a set, whose order changes from run to run)."""
    user = globus_emulator.user
    others = [globus_emulator.auth.add_identity(f"jdoe{n}@example.edu") for n in range(5)]
    globus_emulator.auth.link_identities(user, *others)
    roster = {others[3].id: "member", user.id: "member", others[0].id: "manager"}
    roster.update({o.id: "member" for o in others[1:3]})
    group = globus_emulator.groups.create("Linked", members=roster)
    mine = gc.get_group(group.id)["my_memberships"]
    assert [m["identity_id"] for m in mine] == list(roster)
    listed = {g["id"]: g for g in gc.get_my_groups()}
    assert [m["identity_id"] for m in listed[group.id]["my_memberships"]] == list(roster)
