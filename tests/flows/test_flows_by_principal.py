"""list_flows reads the caller's flows from an index by principal (owner's
identity URN, and whatever the role lists name: identity and group URNs,
``public``, ``all_authenticated_users``). After any mix of flows made
(some anew with a deleted flow's id), updated with new role lists,
deleted, and copies of the world, it must answer what a walk over every
flow answers, in the world's order."""

from __future__ import annotations

import random

import pytest
from world_copies import copy_world

from globus_testkit import Emulator
from globus_testkit.services.auth.models import identity_urn
from globus_testkit.services.flows.models import ROLE_LISTS, FlowsState

PASSING = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
PEOPLE = [f"person-{n}" for n in range(4)]
NAMED = [
    *(identity_urn(p) for p in PEOPLE),
    "urn:globus:groups:id:g1",
    "urn:globus:groups:id:g2",
    "public",
    "all_authenticated_users",
]
# callers: one person, a person in a group, and with or without every
# signed-in user (as Flows asks, and as a bare model question)
CALLERS = [
    {identity_urn(PEOPLE[0]), "all_authenticated_users"},
    {identity_urn(PEOPLE[1]), "urn:globus:groups:id:g1", "all_authenticated_users"},
    {identity_urn(PEOPLE[2])},
    {"urn:globus:groups:id:g2", "public"},
    set(),
]


def walked(state: FlowsState, principals: set[str]) -> list[str]:
    """What list_flows walked before the index: every flow, in order."""
    return [f.id for f in state.flows.values() if f.roles_of(principals)]


def assert_agrees(state: FlowsState) -> None:
    for principals in CALLERS:
        assert [f.id for f in state.flows_held(principals)] == walked(state, principals)


def role_lists(draw: random.Random) -> dict[str, list[str]]:
    return {r: draw.sample(NAMED, draw.choice([0, 0, 1, 2])) for r in draw.sample(ROLE_LISTS, 2)}


@pytest.mark.parametrize("seed", range(4))
def test_flows_held_agrees_with_a_walk_over_every_flow_after_any_change(seed, tmp_path):
    emulator, draw = Emulator(seed=seed), random.Random(seed)
    state: FlowsState = emulator.world.flows
    deleted: list[str] = []
    assert_agrees(state)  # the index is built here, then kept up
    for step in range(150):
        flows = list(state.flows.values())
        kind = draw.choice(["create", "create", "update", "delete", "again", "copy"])
        if kind == "create" or not flows:
            fields = {"title": f"f{step}", "definition": PASSING, **role_lists(draw)}
            state.add_flow(draw.choice(PEOPLE), fields)
        elif kind == "update":
            state.update_flow(draw.choice(flows), {"title": f"u{step}", **role_lists(draw)})
        elif kind == "delete":
            flow = draw.choice(flows)
            state.delete_flow(flow)
            deleted.append(flow.id)
        elif kind == "again" and deleted:  # made anew with a deleted id: it goes last
            fields = {"title": f"a{step}", "definition": PASSING, **role_lists(draw)}
            state.add_flow(draw.choice(PEOPLE), fields, flow_id=deleted.pop())
        elif kind == "copy":
            copy_world(emulator, draw, tmp_path / f"state-{step}.json")
            state = emulator.world.flows
        if draw.random() < 0.3:
            emulator.clock.advance(1.0)  # otherwise flows made at one time tie
        assert_agrees(state)
    assert all(walked(state, principals) for principals in CALLERS[:2])


def walked_runs(state: FlowsState, principals: set[str]) -> list[str]:
    """What list_runs walked before the index: every run, in order."""
    return [r.id for r in state.runs.values() if r.roles_of(principals, state.flows.get(r.flow_id))]


def run_roles(draw: random.Random) -> dict[str, list[str]]:
    return {
        r: draw.sample(NAMED, draw.choice([0, 1, 2]))
        for r in draw.sample(["run_managers", "run_monitors"], draw.randint(0, 2))
    }


@pytest.mark.parametrize("seed", range(4))
def test_runs_held_agrees_with_a_walk_over_every_run_after_any_change(seed, tmp_path):
    """list_runs reads the caller's runs from an index by principal (the
    run's owner, managers and monitors, and its flow's run managers and
    monitors): after runs made, given new role lists and released, flows
    given new run managers or monitors and deleted, and copies, it must
    answer what a walk over every run answers."""
    emulator, draw = Emulator(seed=seed), random.Random(seed)
    state: FlowsState = emulator.world.flows
    for step in range(150):
        flows, runs = list(state.flows.values()), list(state.runs.values())
        kind = draw.choice(["flow", "run", "run", "update", "roles", "release", "drop", "copy"])
        if kind == "flow" or not flows:
            fields = {"title": f"f{step}", "definition": PASSING, **run_roles(draw)}
            state.add_flow(draw.choice(PEOPLE), fields)
        elif kind == "run":
            owner = draw.choice(PEOPLE)
            state.add_run(draw.choice(flows), owner, owner, {}, run_roles(draw))
        elif kind == "update" and runs:
            state.update_run(draw.choice(runs), {"label": f"u{step}", **run_roles(draw)})
        elif kind == "roles":
            state.update_flow(draw.choice(flows), run_roles(draw))
        elif kind == "release" and runs:
            state.release_run(draw.choice(runs))
        elif kind == "drop":
            state.delete_flow(draw.choice(flows))
        elif kind == "copy":
            copy_world(emulator, draw, tmp_path / f"state-{step}.json")
            state = emulator.world.flows
        for principals in CALLERS:
            assert state.runs_held(principals) == walked_runs(state, principals)
    assert all(walked_runs(state, principals) for principals in CALLERS[:3])
