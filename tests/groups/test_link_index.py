"""A group's subgroups (``child_ids``, and the depth and size checks when
a subgroup is made) and a subscription's group are read from an index of
links: after any mix of groups made, deleted and made anew, through copies
and state files, it must answer what walking every group answers."""

from __future__ import annotations

import random

import pytest
from world_copies import copy_world

from globus_testkit import Emulator
from globus_testkit.http import NotFound
from globus_testkit.services.groups.models import GroupsState

SUBSCRIPTIONS = ["sub-a", "sub-b", "sub-c"]


def assert_agrees(state: GroupsState) -> None:
    for group in state.groups.values():
        walked = [g for g in state.groups.values() if g.parent_id == group.id]
        assert state.children(group) == walked, group.id
    for subscription_id in SUBSCRIPTIONS:
        walked = [g for g in state.groups.values() if g.subscription_id == subscription_id]
        if walked:
            assert state.by_subscription(subscription_id) is walked[0]
        else:
            with pytest.raises(NotFound):
                state.by_subscription(subscription_id)


@pytest.mark.parametrize("seed", range(4))
def test_subgroups_and_subscriptions_agree_with_a_walk_over_every_group(seed, tmp_path):
    emulator = Emulator(seed=seed)
    admin = emulator.user.id
    state = emulator.world.groups
    draw = random.Random(seed)
    assert_agrees(state)  # the index is built here, then kept up
    for step in range(120):
        groups = list(state.groups.values())
        kind = draw.choice(["create", "subgroup", "subgroup", "delete", "copy"])
        subscription = draw.choice([None, *SUBSCRIPTIONS])
        if kind == "create" or not groups:
            state.create(f"g{step}", {admin: "admin"}, subscription_id=subscription)
        elif kind == "subgroup":
            parent = draw.choice(groups)
            if len(state.ancestors(parent)) < 3:
                state.create(
                    f"s{step}", {admin: "admin"}, parent_id=parent.id, subscription_id=subscription
                )
        elif kind == "delete":
            leaves = [g for g in groups if not [c for c in groups if c.parent_id == g.id]]
            group = draw.choice(leaves)
            state.delete(group, state.actor(group, {admin}))
            if draw.random() < 0.5:  # made anew with its id: it goes last
                state.create(
                    f"again{step}",
                    {admin: "admin"},
                    parent_id=group.parent_id if group.parent_id in state.groups else None,
                    subscription_id=subscription,
                    group_id=group.id,
                )
        elif kind == "copy":
            copy_world(emulator, draw, tmp_path / f"state-{step}.json")
            state = emulator.world.groups
        assert_agrees(state)
    assert any(g.parent_id for g in state.groups.values())
