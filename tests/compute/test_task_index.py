"""Which Compute tasks are due, and how many an endpoint has outstanding,
are read from an index of unfinished tasks (every Compute request asks the
first): after any mix of submissions, runs and endpoints going offline,
through copies too, it must answer what walking every task answers."""

from __future__ import annotations

import pickle
import random

import pytest

from globus_testkit import Emulator
from globus_testkit.services.compute.models import ONLINE, ComputeState


def walked_due(state: ComputeState) -> list[str]:
    """The due tasks by walking every task (what the index replaces)."""
    return [
        t.id
        for t in state.tasks.values()
        if t.started is None
        and t.endpoint_id in state.endpoints
        and state.endpoints[t.endpoint_id].status == ONLINE
    ]


def assert_agrees(state: ComputeState) -> None:
    assert [t.id for t in state.due()] == walked_due(state)
    for endpoint in state.endpoints.values():
        outstanding = sum(
            1 for t in state.tasks.values() if t.endpoint_id == endpoint.id and t.ready_at is None
        )
        assert state.status_of(endpoint)["details"]["pending_tasks"] == outstanding


@pytest.mark.parametrize("seed", range(4))
def test_due_tasks_and_pending_counts_agree_with_a_walk_over_every_task(seed):
    emulator = Emulator(seed=seed)
    state = emulator.world.compute
    owner = emulator.user.id
    endpoints = [state.register_endpoint(owner, f"ep{n}").id for n in range(3)]
    function = state.register_function(owner, "f", "code")
    draw = random.Random(seed)
    for _ in range(150):
        move = draw.random()
        endpoint = state.endpoints[draw.choice(endpoints)]
        if move < 0.45:
            payloads = ["p"] * draw.randint(1, 3)
            state.submit(owner, endpoint.id, {function.id: payloads})
        elif move < 0.75 and state.due():
            task = draw.choice(state.due())
            state.take(task)
            if draw.random() < 0.8:  # the rest stay running, unfinished
                state.finish(task, draw.choice(["success", "failed"]), "out", {})
        elif move < 0.9:
            endpoint.status = "offline" if endpoint.status == ONLINE else ONLINE
        else:
            state = pickle.loads(pickle.dumps(state))  # a copy rebuilds the index
        assert_agrees(state)
    assert state.due() or any(t.ready_at is not None for t in state.tasks.values())


def test_due_tasks_come_oldest_first_across_endpoints():
    emulator = Emulator()
    state = emulator.world.compute
    owner = emulator.user.id
    first, second = (state.register_endpoint(owner, name).id for name in ("a", "b"))
    function = state.register_function(owner, "f", "code")
    order = []
    for endpoint_id in (first, second, first):
        _, created = state.submit(owner, endpoint_id, {function.id: ["p"]})
        order.extend(created[function.id])
        emulator.clock.advance(1)
    assert [t.id for t in state.due()] == order
