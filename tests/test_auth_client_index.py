"""Auth reads a caller's clients (get_clients, get_client by fqdn) and
projects (get_projects, the policies a caller administers) from indexes,
and whether a project still has clients (deleting it) too, instead of
walking every client and project in the world. After any mix of clients
registered (owned, in projects, made by other clients, with the id of one
deleted), clients deleted, projects made (again with a deleted one's id),
given new administrators and deleted, through copies and state files,
each must answer what a walk answers."""

from __future__ import annotations

import random

import pytest
from world_copies import copy_world

from globus_testkit import Emulator
from globus_testkit.services.auth.errors import ApiBadRequest
from globus_testkit.services.auth.models import AuthState


def assert_agrees(state: AuthState, people: list[str]) -> None:
    for identity_id in [*people, *state.clients]:
        walked = [c for c in state.clients.values() if state.can_manage_client(identity_id, c)]
        assert state.managed_clients(identity_id) == walked
        admin_of = [p.id for p in state.projects.values() if identity_id in p.admin_ids]
        assert state.administered_projects(identity_id) == admin_of


def maybe(draw: random.Random, choices: list[str]) -> str | None:
    return draw.choice(choices) if choices and draw.random() < 0.6 else None


@pytest.mark.parametrize("seed", range(4))
def test_client_and_project_indexes_agree_with_walks(seed, tmp_path):
    emulator = Emulator(seed=seed)
    draw = random.Random(seed)
    people = [emulator.user.id]
    gone_clients: list[str] = []
    gone_projects: list[str] = []
    refused = 0
    for step in range(200):
        state = emulator.world.auth
        clients, projects = list(state.clients), list(state.projects)
        move = draw.random()
        if move < 0.1:
            people.append(state.add_identity(f"p{step}@example.org").id)
        elif move < 0.25:
            reuse = gone_projects.pop() if gone_projects and draw.random() < 0.3 else None
            admins = draw.sample(people, draw.randint(1, len(people)))
            state.create_project("p", "p@example.org", admins, project_id=reuse)
        elif move < 0.35 and projects:
            project = state.projects[draw.choice(projects)]
            state.set_project_admins(project, draw.sample(people, draw.randint(0, len(people))))
        elif move < 0.45 and projects:
            project_id = draw.choice(projects)
            has_clients = any(c.project_id == project_id for c in state.clients.values())
            try:
                state.delete_project(project_id)
                gone_projects.append(project_id)
            except ApiBadRequest:
                refused += 1
            assert (project_id in state.projects) == has_clients
        elif move < 0.75:
            reuse = gone_clients.pop() if gone_clients and draw.random() < 0.3 else None
            state.register_client(
                "c",
                client_id=reuse,
                owner_id=maybe(draw, people),
                project_id=maybe(draw, projects),
                parent_client=maybe(draw, clients),
            )
        elif move < 0.9 and clients:
            client_id = draw.choice(clients)
            state.delete_client(client_id)
            gone_clients.append(client_id)
        else:
            copy_world(emulator, draw, tmp_path / "world.json")
        assert_agrees(emulator.world.auth, people)
    state = emulator.world.auth
    assert refused and any(c.parent_client and c.project_id for c in state.clients.values())
