"""What Flows reads by key instead of walking the world: the runs not yet
ended (every web input request brings them up to now), each run's web
inputs (a cancelled run closes its own) and one registered API (getting it
forgets it once its deletion grace ends). After any mix of runs started,
advanced, cancelled and released, web inputs asked and answered,
registered APIs made, deleted
and outlived, and copies of the world, each must answer what a walk over
every run, web input and registered API answers."""

from __future__ import annotations

import pickle
import random

import pytest
from world_copies import copy_world

from globus_testkit import Emulator
from globus_testkit.services.flows.models import FlowsState
from globus_testkit.services.flows.registered_apis import DELETION_GRACE

QUESTION = {"context": {"title": "Go on?", "text": "Say so."}, "options": [{"label": "Yes"}]}
WAITING = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
PASSING = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
TARGET = {"type": "openapi", "destination": {"method": "get", "url": "https://example.org/x"}}


def assert_agrees(state: FlowsState, api_ids: list[str]) -> None:
    assert state.unfinished_runs() == [r for r in state.runs.values() if not r.done]
    for run_id in {w.run_id for w in state.web_inputs.items.values()} | set(state.runs):
        walked = [w for w in state.web_inputs.items.values() if w.run_id == run_id]
        assert state.web_inputs.of_run(run_id) == walked
    # what a sweep over every registered API (the listing's) leaves
    swept = {a.id: a for a in pickle.loads(pickle.dumps(state)).registered_apis.all()}
    for api_id in api_ids:
        found = state.registered_apis.get(api_id)
        assert (found and found.id) == (swept[api_id].id if api_id in swept else None)


@pytest.mark.parametrize("seed", range(4))
def test_flows_lookups_agree_with_a_walk_over_the_world_after_any_change(seed, tmp_path):
    emulator = Emulator(seed=seed)
    owner, username = emulator.user.id, emulator.user.username
    service = next(s for s in emulator.services if s.name == "flows")
    state: FlowsState = emulator.world.flows
    flows = [
        state.add_flow(owner, {"title": t, "definition": d})
        for t, d in [("w", WAITING), ("p", PASSING)]
    ]
    api_ids: list[str] = []
    draw, both_seen = random.Random(seed), False
    assert_agrees(state, api_ids)  # the indexes are built here, then kept up
    for step in range(150):
        runner = service.runner()
        runs = list(state.runs.values())
        kind = draw.choice(
            [
                "run",
                "ask",
                "answer",
                "advance",
                "cancel",
                "release",
                "api",
                "delete",
                "wait",
                "copy",
            ]
        )
        if kind == "run" or not runs:
            run = state.add_run(draw.choice(flows), owner, username, {}, {})
            if draw.random() < 0.8:  # the rest start when next read
                runner.advance(run)
        elif kind == "ask":  # as a CreateWebInput state asks
            state.web_inputs.create(draw.choice(runs), QUESTION)
        elif kind == "answer" and (
            waiting := [w for w in state.web_inputs.items.values() if w.open]
        ):
            web_input = draw.choice(waiting)
            state.web_inputs.answer(web_input, web_input.options[0]["option_id"], "urn:x")
        elif kind == "advance":
            runner.advance(draw.choice(runs))
        elif kind == "cancel":
            runner.cancel(draw.choice(runs))
        elif kind == "release" and (ended := [r for r in runs if r.done]):
            del state.runs[draw.choice(ended).id]  # as release_run forgets an ended run
        elif kind == "api":
            api_ids.append(
                state.registered_apis.create("urn:x", {"name": f"a{step}", "target": TARGET}).id
            )
        elif kind == "delete" and (
            live := [a for a in state.registered_apis.items.values() if a.deletion_at is None]
        ):
            state.registered_apis.delete(draw.choice(live))
        elif kind == "wait":
            emulator.clock.advance(draw.choice([60.0, DELETION_GRACE / 2]))
        elif kind == "copy":
            copy_world(emulator, draw, tmp_path / f"state-{step}.json")
            state = emulator.world.flows
        assert_agrees(state, api_ids)
        both_seen |= bool(state.unfinished_runs()) and any(r.done for r in state.runs.values())
    assert both_seen  # unfinished runs beside ended ones, at some step
