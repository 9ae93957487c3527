"""GroupsClient, method by method, against the emulated Groups."""

from __future__ import annotations

import globus_sdk
import pytest

from .conftest import VIEW_MY_GROUPS


def test_created_group_makes_its_creator_admin_and_shows_in_my_groups(gc, lab, globus_emulator):
    assert lab["name"] == "Lab"
    assert lab["description"] == "the lab"
    assert [(m["identity_id"], m["role"], m["status"]) for m in lab["my_memberships"]] == [
        (globus_emulator.user.id, "admin", "active")
    ]
    listed = gc.get_my_groups()
    assert [g["id"] for g in listed] == [lab["id"]]
    assert listed[0]["my_memberships"][0]["username"] == globus_emulator.user.username


def test_group_document_has_every_field_clients_read(gc, lab):
    group = gc.get_group(lab["id"])
    for key in (
        "id", "name", "description", "parent_id", "group_type", "enforce_session",
        "session_limit", "session_timeouts", "terms_and_conditions", "policies",
        "subscription_id", "subscription_info", "subscription_admin_verified_id", "my_memberships",
    ):  # fmt: skip
        assert key in group.data, key
    assert group["group_type"] == "regular"
    assert group["policies"]["group_visibility"] == "private"


def test_get_group_includes_what_is_asked(gc, lab, bob):
    globus_sdk.GroupsManager(gc).add_member(lab["id"], bob.id)
    child = gc.create_group({"name": "Sub", "parent_id": lab["id"]})
    group = gc.get_group(
        lab["id"],
        include=["memberships", "my_memberships", "policies", "allowed_actions", "child_ids"],
    )
    assert {m["identity_id"] for m in group["memberships"]} == {
        bob.id,
        lab["my_memberships"][0]["identity_id"],
    }
    assert group["child_ids"] == [child["id"]]
    me = lab["my_memberships"][0]["identity_id"]
    assert group["allowed_actions"]["add"] == [me]
    assert group["allowed_actions"]["leave"] == []  # the last admin stays
    assert set(group["allowed_actions"]) == {
        "accept", "add", "approve", "change_role", "decline", "invite",
        "join", "leave", "reject", "remove", "request_join",
    }  # fmt: skip
    assert child["parent_id"] == lab["id"]


def test_unknown_include_is_refused_in_groups_shape(gc, lab):
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        gc.get_group(lab["id"], include="everything")
    assert err.value.http_status == 400
    assert err.value.code == "INVALID_PARAMETERS"
    assert "include" in err.value.raw_json["detail"]


def test_missing_group_is_404(gc):
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        gc.get_group("0b0b0b0b-0000-4000-8000-000000000000")
    assert (err.value.http_status, err.value.code) == (404, "GROUP_NOT_FOUND")


def test_private_group_is_hidden_from_outsiders(lab, groups_for, bob):
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        groups_for(bob).get_group(lab["id"])
    assert err.value.http_status == 403


def test_update_changes_name_description_and_terms(gc, lab):
    updated = gc.update_group(
        lab["id"], {"name": "Lab 2", "description": "new", "terms_and_conditions": "be nice"}
    )
    assert (updated["name"], updated["description"], updated["terms_and_conditions"]) == (
        "Lab 2",
        "new",
        "be nice",
    )
    assert gc.get_group(lab["id"])["name"] == "Lab 2"


def test_only_admins_update_or_delete(lab, gc, groups_for, bob):
    globus_sdk.GroupsManager(gc).add_member(lab["id"], bob.id, role="manager")
    as_bob = groups_for(bob)
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        as_bob.update_group(lab["id"], {"name": "mine"})
    assert err.value.http_status == 403
    with pytest.raises(globus_sdk.GroupsAPIError):
        as_bob.delete_group(lab["id"])
    assert gc.get_group(lab["id"])["name"] == "Lab"


def test_delete_group_answers_the_group_and_forgets_it(gc, lab):
    assert gc.delete_group(lab["id"])["id"] == lab["id"]
    assert list(gc.get_my_groups()) == []
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        gc.get_group(lab["id"])
    assert err.value.http_status == 404


def test_a_group_with_subgroups_is_not_deleted(gc, lab):
    gc.create_group({"name": "Sub", "parent_id": lab["id"]})
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        gc.delete_group(lab["id"])
    assert err.value.http_status == 409


def test_subgroups_need_an_admin_of_the_parent(lab, groups_for, bob):
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        groups_for(bob).create_group({"name": "Sneaky", "parent_id": lab["id"]})
    assert err.value.http_status == 403


def test_group_trees_are_at_most_four_levels_deep(gc, lab):
    parent = lab["id"]
    for depth in range(4):
        parent = gc.create_group({"name": f"level {depth}", "parent_id": parent})["id"]
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        gc.create_group({"name": "too deep", "parent_id": parent})
    assert err.value.code == "MAX_DEPTH_EXCEEDED"


def test_create_without_a_name_is_refused(gc):
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        gc.create_group({"description": "nameless"})
    assert err.value.http_status == 400
    assert list(gc.get_my_groups()) == []


def test_policies_round_trip(gc, lab):
    assert gc.get_group_policies(lab["id"])["join_requests"] is False
    policies = globus_sdk.GroupPolicies(
        is_high_assurance=False,
        group_visibility="authenticated",
        group_members_visibility="members",
        join_requests=True,
        signup_fields=["institution", "department"],
        authentication_assurance_timeout=3600,
    )
    answer = gc.set_group_policies(lab["id"], policies)
    assert answer["group_visibility"] == "authenticated"
    assert answer["authentication_assurance_timeout"] == 3600
    assert gc.get_group(lab["id"])["policies"]["signup_fields"] == ["institution", "department"]


def test_bad_policies_change_nothing(gc, lab):
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        gc.set_group_policies(
            lab["id"],
            {
                "is_high_assurance": False,
                "group_visibility": "everyone",
                "group_members_visibility": "members",
                "join_requests": True,
                "signup_fields": [],
            },
        )
    assert err.value.http_status == 400
    assert gc.get_group_policies(lab["id"])["group_visibility"] == "private"


def test_my_groups_filters_by_status(gc, lab, groups_for, bob):
    globus_sdk.GroupsManager(gc).invite_member(lab["id"], bob.id)
    as_bob = groups_for(bob)
    assert list(as_bob.get_my_groups()) == []
    invited = as_bob.get_my_groups(statuses="invited")
    assert [g["id"] for g in invited] == [lab["id"]]
    assert invited[0]["my_memberships"][0]["status"] == "invited"


def test_reading_needs_only_the_view_scope_but_writing_needs_all(lab, groups_for):
    reader = groups_for(scope=VIEW_MY_GROUPS)
    assert reader.get_group(lab["id"])["id"] == lab["id"]
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        reader.update_group(lab["id"], {"name": "x"})
    assert err.value.http_status == 403


def test_identity_preferences_refuse_direct_adds(gc, lab, groups_for, bob):
    as_bob = groups_for(bob)
    assert as_bob.get_identity_preferences()["allow_add"] is True
    as_bob.set_identity_preferences({"allow_add": False})
    assert as_bob.get_identity_preferences()["allow_add"] is False
    answer = globus_sdk.GroupsManager(gc).add_member(lab["id"], bob.id)
    assert answer["add"] == []
    assert answer["errors"]["add"][0]["code"] == "ADD_NOT_ALLOWED"
    assert (
        globus_sdk.GroupsManager(gc).invite_member(lab["id"], bob.id)["invite"][0]["status"]
        == "invited"
    )


def test_membership_fields_round_trip(gc, lab):
    answer = gc.set_membership_fields(
        lab["id"], {"institution": "Analytical Engines", "department": "Math"}
    )
    assert answer["membership_fields"]["institution"] == "Analytical Engines"
    assert gc.get_membership_fields(lab["id"])["membership_fields"]["department"] == "Math"


def test_subscription_groups_are_found_by_subscription(globus_emulator, gc):
    group = globus_emulator.groups.create(
        "Golem Lab",
        {globus_emulator.user.id: "admin"},
        subscription_id="5f1f7c44-2b7c-4c2e-9d71-1d6bda0c1d60",
        subscription_info={
            "name": "Golems",
            "is_high_assurance": True,
            "is_baa": False,
            "connectors": {},
        },
    )
    found = gc.get_group_by_subscription_id("5f1f7c44-2b7c-4c2e-9d71-1d6bda0c1d60")
    assert found["group_id"] == group.id
    assert found["subscription_info"] == {
        "is_high_assurance": True,
        "is_baa": False,
        "connectors": {},
    }
    assert gc.get_group(group.id)["group_type"] == "plus"


def test_subscription_admin_verification_needs_a_subscription_admin(
    globus_emulator, gc, lab, groups_for, bob
):
    subscription = "5f1f7c44-2b7c-4c2e-9d71-1d6bda0c1d60"
    globus_emulator.groups.create("Provider", {bob.id: "admin"}, subscription_id=subscription)
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        gc.set_subscription_admin_verified(lab["id"], subscription)
    assert err.value.http_status == 403
    globus_emulator.groups.add_member(
        globus_emulator.world.groups.by_subscription(subscription).id,
        globus_emulator.user.id,
        "admin",
    )
    answer = gc.set_subscription_admin_verified(lab["id"], subscription)
    assert answer.data == {"group_id": lab["id"], "subscription_admin_verified_id": subscription}
    assert gc.get_group(lab["id"])["subscription_admin_verified_id"] == subscription
    gc.set_subscription_admin_verified(lab["id"], None)
    assert gc.get_group(lab["id"])["subscription_admin_verified_id"] is None


def test_unknown_subscription_is_404(gc):
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        gc.get_group_by_subscription_id("5f1f7c44-2b7c-4c2e-9d71-1d6bda0c1d61")
    assert err.value.http_status == 404


def test_tokens_are_refused_with_groups_codes(lab):
    missing = globus_sdk.GroupsClient()
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        missing.get_group(lab["id"])
    assert (err.value.http_status, err.value.code) == (401, "AUTHENTICATION_ERROR")
    bogus = globus_sdk.GroupsClient(authorizer=globus_sdk.AccessTokenAuthorizer("not-a-token"))
    with pytest.raises(globus_sdk.GroupsAPIError) as err:
        bogus.get_group(lab["id"])
    assert (err.value.http_status, err.value.code) == (401, "INVALID_TOKEN")
