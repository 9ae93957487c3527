"""``world.groups.groups_of`` and ``groups_holding`` look groups up by identity (an index built
from the rosters): after every kind of change, through copies and state
files, it must answer what walking every roster answers."""

from __future__ import annotations

import pickle
import random

import pytest

from globus_testkit import Emulator
from globus_testkit.services.groups.memberships import Actor
from globus_testkit.services.groups.models import Group, GroupsState


def walked(state: GroupsState, identities: set[str]) -> set[str]:
    """The answer by walking every group's roster (what the index replaces)."""
    found: set[str] = set()
    for group in state.groups.values():
        if any((m := group.roster.members.get(i)) and m.active for i in identities):
            found |= {group.id, *(a.id for a in state.ancestors(group))}
    return found


def holding(state: GroupsState, identities: set[str]) -> list[Group]:
    return [g for g in state.groups.values() if identities & g.roster.members.keys()]


def assert_agrees(state: GroupsState, people: list[str]) -> None:
    for identity in people:
        assert state.group_ids_of({identity}) == walked(state, {identity}), identity
        assert state.groups_holding({identity}) == holding(state, {identity})  # in order
    assert state.group_ids_of(people[:2]) == walked(state, set(people[:2]))
    assert state.groups_holding(people[:2]) == holding(state, set(people[:2]))


def administering(state: GroupsState, group: Group) -> Actor:
    return state.actor(group, group.roster.active_admins())


@pytest.mark.parametrize("seed", range(4))
def test_groups_of_agrees_with_a_walk_over_every_roster_after_any_change(seed, tmp_path):
    emulator = Emulator(seed=seed)
    admin = emulator.user.id
    people = [admin] + [emulator.auth.add_identity(f"p{n}@example.org").id for n in range(5)]
    state = emulator.world.groups
    draw = random.Random(seed)
    assert_agrees(state, people)  # the index is built here, then kept up
    for step in range(120):
        groups = list(state.groups.values())
        kind = draw.choice(["create", "subgroup", "add", "batch", "remove", "delete", "copy"])
        if kind == "create" or not groups:
            members = {p: draw.choice(["member", "manager"]) for p in draw.sample(people[1:], 2)}
            state.create(f"g{step}", {admin: "admin", **members})
        elif kind == "subgroup":
            parent = draw.choice(groups)
            if len(state.ancestors(parent)) < 3:
                state.create(f"s{step}", {draw.choice(people): "admin"}, parent_id=parent.id)
        elif kind == "add":
            status = draw.choice(["active", "invited", "pending", "left"])
            state.add_member(draw.choice(groups).id, draw.choice(people), status=status)
        elif kind == "batch" and (managed := [g for g in groups if g.roster.active_admins()]):
            group, who = draw.choice(managed), draw.choice(people[1:])
            action = draw.choice(["add", "invite", "remove", "change_role"])
            item = {"identity_id": who, "role": "member"}
            state.batch(group, administering(state, group), {action: [item]})
        elif kind == "remove":
            state.remove_member(draw.choice(groups).id, draw.choice(people))
        elif kind == "delete":
            leaves = [g for g in groups if not state.children(g) and g.roster.active_admins()]
            if leaves:
                group = draw.choice(leaves)
                state.delete(group, administering(state, group))
                if draw.random() < 0.5:  # made anew with its id: it goes last
                    state.create(f"again{step}", {draw.choice(people): "admin"}, group_id=group.id)
        elif kind == "copy":
            path = tmp_path / f"state-{step}.json"
            emulator.save_state(path)
            emulator.load_state(path)
            state = emulator.world.groups
        assert_agrees(state, people)
    copied = pickle.loads(pickle.dumps(emulator.world))  # how worlds are copied
    assert_agrees(copied.groups, people)
