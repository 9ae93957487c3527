"""A pause rule's change first brings up to date the unfinished tasks with
an end on its endpoint, read from an index of unfinished tasks by endpoint,
and an endpoint manager's task list filtered by endpoint reads that
endpoint's tasks from an index of tasks by endpoint (not every task in the
world): after any mix of tasks submitted (transfers within and across
endpoints, deletes), worked on by the clock, paused by rules, cancelled and
finished, through copies too, each must answer what a walk over every task
answers."""

from __future__ import annotations

import pickle
import random

import pytest
from world_copies import copy_world

from globus_testkit import Emulator
from globus_testkit.services.transfer.access import Principals
from globus_testkit.services.transfer.tasks import Tasks


def unfinished_walked(tasks: Tasks, endpoint_id: str) -> set[str]:
    return {t.id for t in tasks.tasks.values() if not t.done and endpoint_id in t.ends()}


def unfinished_indexed(tasks: Tasks, endpoint_id: str) -> set[str]:
    listed = tasks.unfinished_on.get(endpoint_id, {})
    assert all(endpoint_id in tasks.tasks[t].ends() for t in listed)
    return {t for t in listed if not tasks.tasks[t].done}


def document(draw: random.Random, endpoints: list[str]) -> dict[str, object]:
    source = draw.choice(endpoints)
    if draw.random() < 0.25:
        return {"DATA_TYPE": "delete", "endpoint": source, "DATA": [{"path": "/data/a.dat"}]}
    item = {"source_path": "/data/a.dat", "destination_path": f"/copy{draw.randint(0, 9)}.dat"}
    return {
        "DATA_TYPE": "transfer",
        "source_endpoint": source,
        "destination_endpoint": draw.choice(endpoints),
        "DATA": [item],
    }


@pytest.mark.parametrize("seed", range(4))
def test_unfinished_tasks_by_endpoint_agree_with_a_walk(seed, tmp_path):
    emulator = Emulator(seed=seed)
    manager = emulator.auth.add_identity("manager@example.org").id
    owners = [manager, emulator.user.id, emulator.auth.add_identity("p@example.org").id]
    endpoints = []
    for n in range(3):
        collection = emulator.transfer.add_collection(
            f"managed {n}", owner=manager, files={"/data/a.dat": "x" * 40}
        )
        collection.subscription_id = emulator.world.ids.uuid()
        endpoints.append(collection.id)
    emulator.transfer.set_progress("timed", bytes_per_second=4)
    draw = random.Random(seed)
    most_unfinished = 0
    for _ in range(150):
        tasks = emulator.world.tasks
        unfinished = [t for t in tasks.tasks.values() if not t.done]
        most_unfinished = max(most_unfinished, len(unfinished))
        move = draw.random()
        if move < 0.35 or not unfinished:
            owner = draw.choice(owners)
            tasks.submit(owner, owner, Principals.of(owner), document(draw, endpoints))
        elif move < 0.5:
            endpoint_id = draw.choice(endpoints)
            tasks.pause_rules.create(manager, Principals.of(manager), {"endpoint_id": endpoint_id})
        elif move < 0.6 and tasks.pause_rules.rules:
            tasks.pause_rules.delete(draw.choice(list(tasks.pause_rules.rules.values())))
        elif move < 0.7:
            task = draw.choice(unfinished)
            tasks.cancel(task.id, task.owner_id)
        elif move < 0.75:
            tasks.finish(draw.choice(unfinished).id)
        elif move < 0.85:
            emulator.clock.advance(draw.randint(1, 10))
        elif move < 0.93:
            tasks.list_for(draw.choice([None, *owners]))  # reads work tasks on
        else:
            copy_world(emulator, draw, tmp_path / "state.json")
        tasks = emulator.world.tasks
        for endpoint_id in endpoints:
            assert unfinished_indexed(tasks, endpoint_id) == unfinished_walked(tasks, endpoint_id)
            on_it = [t for t in tasks.order if endpoint_id in tasks.tasks[t].ends()]
            assert [t.id for t in tasks.on_endpoint(endpoint_id)] == on_it[::-1]
        endpoint_id = draw.choice(endpoints)
        walked = pickle.loads(pickle.dumps(emulator.world)).tasks
        for task_id in sorted(unfinished_walked(walked, endpoint_id), key=walked.order.index):
            walked.advance(walked.tasks[task_id])
        tasks.bring_up_to_date(endpoint_id)
        assert tasks.tasks == walked.tasks
        assert unfinished_indexed(tasks, endpoint_id) == unfinished_walked(tasks, endpoint_id)
    assert most_unfinished >= 3  # the walk did meet tasks still at work
