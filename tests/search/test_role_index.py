"""index_list (and the trial ownership count) reads the caller's indexes
from an index by principal, built from the indexes' roles. After any mix
of indexes made (trial or not), roles given and taken, indexes marked
deleted and reopened, and copies of the world, it must answer what a
walk over every index's roles answers, in the world's order."""

from __future__ import annotations

import random

import pytest
from world_copies import copy_world

from globus_testkit import Emulator
from globus_testkit.services.auth.models import identity_urn
from globus_testkit.services.search.models import OPEN, ROLE_NAMES, SearchError, SearchState

PEOPLE = [f"person-{n}" for n in range(4)]
PRINCIPALS = [*(identity_urn(p) for p in PEOPLE), "urn:globus:groups:id:g1"]
CALLERS = [
    frozenset({PRINCIPALS[0]}),
    frozenset({PRINCIPALS[1], PRINCIPALS[-1]}),
    frozenset({"public"}),
    frozenset(),
]


def assert_agrees(state: SearchState) -> None:
    for principals in [*CALLERS, *(frozenset({p}) for p in PRINCIPALS)]:
        walked = [i for i in state.indexes.values() if i.roles_of(principals)]
        assert state.indexes_held(principals) == walked


@pytest.mark.parametrize("seed", range(4))
def test_indexes_held_agree_with_a_walk_over_every_role(seed, tmp_path):
    emulator, draw = Emulator(seed=seed), random.Random(seed)
    state = emulator.world.search
    assert_agrees(state)  # the index is built here, then kept up
    for step in range(150):
        indexes = list(state.indexes.values())
        kind = draw.choice(["index", "role", "role", "unrole", "mark", "copy"])
        try:
            if kind == "index" or not indexes:
                trial = draw.random() < 0.5  # a fourth trial index of one owner is refused
                state.create_index(draw.choice(PEOPLE), f"i{step}", "", trial=trial)
            elif kind == "role":
                role_name = draw.choice(ROLE_NAMES)
                state.create_role(draw.choice(indexes), draw.choice(PRINCIPALS), role_name)
            elif kind == "unrole" and (index := draw.choice(indexes)).roles:
                state.delete_role(index, draw.choice(list(index.roles)))  # not the last owner
            elif kind == "mark":
                index = draw.choice(indexes)
                state.reopen(index) if index.status != OPEN else state.mark_deleted(index)
            elif kind == "copy":
                copy_world(emulator, draw, tmp_path / f"state-{step}.json")
                state = emulator.world.search
        except SearchError:
            pass  # a refused write changes nothing
        assert_agrees(state)
    assert any(len({r.principal for r in i.roles.values()}) > 1 for i in state.indexes.values())
