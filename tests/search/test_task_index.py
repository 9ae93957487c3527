"""An index's task list is read from an index of tasks by Search index,
and its entry count (get_index's num_entries) is kept up by every write:
after any mix of tasks submitted, applied (entries written and deleted),
cancelled by marking their index deleted, and copies of the world, each
must answer what walking every task, and every entry, answers."""

from __future__ import annotations

import random

import pytest
from world_copies import copy_world

from globus_testkit import Emulator
from globus_testkit.services.search.models import OPEN, Entry, SearchState


def assert_agrees(state: SearchState) -> None:
    for index_id in [*state.indexes, "no-such-index"]:
        walked = [t for t in state.tasks.values() if t.index_id == index_id]
        walked.sort(key=lambda t: t.creation, reverse=True)
        assert state.tasks_of(index_id) == walked, index_id
    for index in state.indexes.values():
        assert index.entry_count == sum(len(held) for held in index.subjects.values())


@pytest.mark.parametrize("seed", range(4))
def test_task_lists_agree_with_a_walk_over_every_task(seed, tmp_path):
    emulator, draw = Emulator(seed=seed), random.Random(seed)
    state = emulator.world.search
    for name in ("first", "second"):  # tasks go to more than one index from the start
        state.create_index(emulator.user.id, name, "", trial=False)
    assert_agrees(state)  # the index is built here, then kept up
    for step in range(150):
        indexes = list(state.indexes.values())
        kind = draw.choice(["index", "ingest", "delete", "apply", "mark", "copy"])
        if kind == "index":
            state.create_index(emulator.user.id, f"i{step}", "", trial=False)
        elif kind in ("ingest", "delete") and (open_ := [i for i in indexes if i.status == OPEN]):
            state.task_delay = draw.choice([0.0, 60.0])
            index = draw.choice(open_)
            keys = [(f"s{draw.randrange(5)}", draw.choice([None, "a", "b"])) for _ in range(3)]
            if kind == "ingest":
                entries = [Entry(subject, id_, {"n": step}, ["public"]) for subject, id_ in keys]
                state.submit(index, "ingest", entries=entries)
            elif draw.random() < 0.5:
                state.submit(index, "delete-by-subject", subjects=[s for s, _ in keys[:2]])
            else:
                state.submit(index, "delete-by-entry-id", entry_keys=keys[:2])
            emulator.clock.advance(1.0)
        elif kind == "apply":
            emulator.clock.advance(draw.choice([1.0, 120.0]))
            state.settle(lambda *_: [])
        elif kind == "mark":  # cancels its pending tasks; or open it again
            index = draw.choice(indexes)
            if index.status == OPEN:
                state.mark_deleted(index)
            else:
                state.reopen(index)
        elif kind == "copy":
            copy_world(emulator, draw, tmp_path / f"state-{step}.json")
            state = emulator.world.search
        assert_agrees(state)
    assert len({t.index_id for t in state.tasks.values()}) > 1
    assert any(index.subjects for index in state.indexes.values())
