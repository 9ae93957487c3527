"""Groups declared in a world file: members by username or id, roles,
statuses, policies, subgroups, subscriptions."""

from __future__ import annotations

import globus_sdk
import jsonschema
import pytest

from globus_testkit import Emulator
from globus_testkit.services.groups.routes import GroupsService

WORLD = {
    "identities": [
        {"username": "grace@example.org", "name": "Grace Hopper"},
        {"username": "alan@example.org", "name": "Alan Turing"},
    ],
    "groups": [
        {
            "name": "Compilers",
            "description": "A-0 and friends",
            "policies": {"group_visibility": "authenticated", "join_requests": True},
            "subscription": {
                "id": "5f1f7c44-2b7c-4c2e-9d71-1d6bda0c1d60",
                "is_high_assurance": False,
            },
            "members": [
                {"identity": "grace@example.org", "role": "admin"},
                {"identity": "alan@example.org", "status": "invited"},
            ],
        },
        {"name": "Optimisers", "parent": "Compilers"},
    ],
}


def test_the_world_schema_accepts_the_documented_example():
    jsonschema.validate(
        {"groups": WORLD["groups"]}, {"type": "object", "properties": GroupsService.world_schema}
    )


def test_the_world_schema_refuses_unknown_roles():
    bad = {"groups": [{"name": "x", "members": [{"identity": "a", "role": "owner"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, {"type": "object", "properties": GroupsService.world_schema})


@pytest.mark.globus(world=WORLD)
def test_declared_groups_are_served(globus_emulator, groups_for):
    grace = globus_emulator.world.auth.identity_by_username("grace@example.org")
    alan = globus_emulator.world.auth.identity_by_username("alan@example.org")
    as_grace = groups_for(grace)
    (compilers,) = as_grace.get_my_groups()
    assert compilers["name"] == "Compilers"
    assert compilers["my_memberships"][0]["role"] == "admin"
    group = as_grace.get_group(compilers["id"], include=["memberships", "child_ids"])
    assert group["group_type"] == "plus"
    assert group["policies"]["join_requests"] is True
    roster = {m["username"]: (m["role"], m["status"]) for m in group["memberships"]}
    assert roster == {
        "grace@example.org": ("admin", "active"),
        "alan@example.org": ("member", "invited"),
    }
    (child_id,) = group["child_ids"]
    assert groups_for().get_group(child_id)["parent_id"] == compilers["id"]
    # a group with no members listed is the world's user's
    assert [g["name"] for g in groups_for().get_my_groups()] == ["Optimisers"]
    # alan is only invited: nothing yet, until he accepts
    assert list(groups_for(alan).get_my_groups()) == []
    globus_sdk.GroupsManager(groups_for(alan)).accept_invite(compilers["id"], alan.id)
    assert [g["name"] for g in groups_for(alan).get_my_groups()] == ["Compilers"]


def test_an_unknown_member_in_a_world_file_is_a_clear_error():
    with pytest.raises(ValueError, match="nobody@example"):
        Emulator(world={"groups": [{"name": "x", "members": [{"identity": "nobody@example.org"}]}]})
