"""Pause rules are read from an index by endpoint (every file operation
asks which rules refuse it, every unfinished task which rules pause it):
after any mix of rules made, changed and lifted, through copies too, it
must answer what walking every rule in the world answers."""

from __future__ import annotations

import pickle
import random
from types import SimpleNamespace

import pytest

from globus_testkit import Emulator
from globus_testkit.services.transfer.access import Principals
from globus_testkit.services.transfer.admin import PAUSE_FLAGS, PauseRules


def assert_agrees(rules: PauseRules, endpoints: list[str], people: list[str]) -> None:
    now = rules.state.clock.now()
    for identity_id in people:
        who = Principals.of(identity_id)
        # unfiltered: every rule (in the order made) on an endpoint the
        # caller monitors; only the manager monitors these endpoints
        every = [r.id for r in rules.rules.values() if r.endpoint_id in endpoints]
        assert [r.id for r in rules.visible(who, None)] == (
            every if identity_id == people[0] else []
        )
        for endpoint_id in endpoints:
            walked = [
                r.id
                for r in rules.rules.values()
                if r.endpoint_id == endpoint_id and r.in_force(now) and r.applies_to(who)
            ]
            assert [r.id for r in rules.effective_for(who, endpoint_id)] == walked
            listed = [r.id for r in rules.rules.values() if r.endpoint_id == endpoint_id]
            assert [r.id for r in rules.visible(who, endpoint_id)] == (
                listed if identity_id == people[0] else []
            )
            for destination in [None, *endpoints]:
                task = SimpleNamespace(
                    principals=who,
                    request_time=now - 5,
                    type="DELETE" if destination is None else "TRANSFER",
                    source_id=endpoint_id,
                    destination_id=destination,
                )
                paused = [r.id for r in rules.rules.values() if r.pauses(task, now)]
                assert [r.id for r in rules.pausing(task)] == paused


@pytest.mark.parametrize("seed", range(4))
def test_pause_rule_answers_agree_with_a_walk_over_every_rule(seed):
    emulator = Emulator(seed=seed)
    manager = emulator.auth.add_identity("manager@example.org").id
    people = [manager, emulator.user.id, emulator.auth.add_identity("p@example.org").id]
    endpoints = []
    for n in range(3):
        collection = emulator.transfer.add_collection(f"managed {n}", owner=manager)
        collection.subscription_id = emulator.world.ids.uuid()
        endpoints.append(collection.id)
    transfer, tasks = emulator.world.transfer, emulator.world.tasks
    draw = random.Random(seed)
    for _ in range(120):
        rules = tasks.pause_rules
        move = draw.random()
        if move < 0.45 or not rules.rules:
            fields = {
                "endpoint_id": draw.choice(endpoints),
                "identity_id": draw.choice([None, *people]),
                "start_time": draw.choice([None, "2000-01-01T00:00:00", "2999-01-01T00:00:00"]),
                "modify_existing": draw.random() < 0.7,
                **{flag: draw.random() < 0.5 for flag in PAUSE_FLAGS},
            }
            rules.create(manager, Principals.of(manager), fields)
        elif move < 0.65:
            rule = draw.choice(list(rules.rules.values()))
            rule.update({draw.choice(PAUSE_FLAGS): draw.random() < 0.5})
        elif move < 0.85:
            rules.delete(draw.choice(list(rules.rules.values())))
        elif move < 0.93:
            emulator.clock.advance(draw.randint(1, 10))
        else:
            # a copy rebuilds the index
            transfer, tasks = pickle.loads(pickle.dumps((transfer, tasks)))
        assert_agrees(tasks.pause_rules, endpoints, people)
    assert tasks.pause_rules.rules
