"""Compute's get_endpoints reads the caller's endpoints (and with
``role=any`` the public ones) from an index by owner instead of walking
every endpoint in the world: after any mix of endpoints registered (again
with a deleted one's id), re-registered public or not, and deleted,
through copies and state files, it must answer what a walk answers."""

from __future__ import annotations

import random

import pytest
from world_copies import copy_world

from globus_testkit import Emulator
from globus_testkit.services.compute.models import ComputeState


def assert_agrees(state: ComputeState, people: list[str]) -> None:
    for caller in people:
        for role in ("owner", "any"):
            walked = [
                e.id
                for e in state.endpoints.values()
                if e.owner == caller or (role == "any" and e.public)
            ]
            assert [e.id for e in state.endpoints_of(caller, role)] == walked


@pytest.mark.parametrize("seed", range(4))
def test_endpoints_of_a_caller_agree_with_a_walk(seed, tmp_path):
    emulator = Emulator(seed=seed)
    draw = random.Random(seed)
    people = [emulator.user.id, *(emulator.auth.add_identity().id for _ in range(3))]
    gone: list[str] = []
    for _ in range(150):
        state = emulator.world.compute
        endpoints = list(state.endpoints.values())
        move = draw.random()
        if move < 0.4 or not endpoints:
            reuse = gone.pop() if gone and draw.random() < 0.3 else None
            public = draw.random() < 0.3
            state.register_endpoint(draw.choice(people), "e", endpoint_id=reuse, public=public)
        elif move < 0.6:
            endpoint = draw.choice(endpoints)
            state.update_endpoint(endpoint, public=draw.random() < 0.5, name="renamed")
        elif move < 0.85:
            endpoint = draw.choice(endpoints)
            state.delete_endpoint(endpoint.id, endpoint.owner)
            gone.append(endpoint.id)
        else:
            copy_world(emulator, draw, tmp_path / "world.json")
        assert_agrees(emulator.world.compute, people)
    assert any(e.public for e in emulator.world.compute.endpoints.values())
