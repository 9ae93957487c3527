"""An endpoint manager's monitored endpoints are sought among the
collections the caller may hold a role on (an index of collections by
owner and by every principal granted a role), and their task list without
an endpoint filter merges the monitored endpoints' lists of tasks (not a
walk over every task): after any mix of collections made (guests too),
given away and deleted, roles granted and revoked (to identities and to
groups, through Transfer and as GCS mirrors them), group memberships
changed, subscriptions set and lifted, tasks submitted and worked on, and
copies of the world, each must answer what a walk over everything
answers, through a real TransferClient too."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

import globus_sdk
import pytest
from world_copies import copy_world

from globus_testkit import Emulator
from globus_testkit.services.transfer.access import Principals
from globus_testkit.services.transfer.admin import (
    ACTIVITY_VIEWERS,
    manager_roles,
    monitored_collections,
    task_roles,
)
from globus_testkit.services.transfer.collection import MAPPED, PERSONAL, ROLES
from globus_testkit.services.transfer.errors import EndpointNotFound

from .conftest import TRANSFER_ALL

FILES = {"/data/a.dat": "x" * 40}


def whom(emulator: Emulator, identity_id: str) -> Principals:
    """Whom Transfer takes the identity for: it and its groups (Groups'
    answer, asked as Transfer asks it)."""
    groups = emulator.world.groups.group_ids_of(frozenset({identity_id}))
    return Principals.of(identity_id, groups)


def monitored_walked(emulator: Emulator, who: Principals) -> list[str]:
    """The monitored collection ids, in the world's order, by walking every
    collection (what the index replaces)."""
    state = emulator.world.transfer
    return [
        c.id for c in state.collections.values() if ACTIVITY_VIEWERS & manager_roles(state, c, who)
    ]


def held_walked(emulator: Emulator, who: Principals) -> list[str]:
    """The ids of the collections the caller owns or a principal of theirs
    is granted a role on, in the world's order, by walking every one."""
    mine = who.identities | who.groups
    return [
        c.id
        for c in emulator.world.transfer.collections.values()
        if c.owner_id in mine or any(r.principal in mine for r in c.roles.values())
    ]


def tasks_walked(emulator: Emulator, who: Principals) -> list[str]:
    """The ids of the tasks with a monitored end, newest first, by walking
    every task (what the merge of the endpoints' lists replaces)."""
    world = emulator.world
    return [
        task_id
        for task_id in reversed(world.tasks.order)
        if ACTIVITY_VIEWERS & task_roles(world.transfer, world.tasks.tasks[task_id], who)
    ]


class World:
    """A world of a few people, groups and collections, and one random
    write to it at a time."""

    def __init__(self, emulator: Emulator, draw: random.Random, path: Path) -> None:
        self.emulator, self.draw, self.path = emulator, draw, path  # path: for copy_world
        self.people = [
            emulator.user.id,
            *(emulator.auth.add_identity(f"p{n}@example.org").id for n in range(3)),
        ]
        self.groups = [emulator.groups.create(f"g{n}").id for n in range(3)]
        self.subscription = emulator.world.ids.uuid()

    def collection_ids(self) -> list[str]:
        return list(self.emulator.world.transfer.collections)

    def write(self) -> None:
        """One random write (through the models, as the routes make them)."""
        emulator, draw = self.emulator, self.draw
        world = emulator.world
        state, tasks = world.transfer, world.tasks
        mine = [state.collections[c] for c in self.collection_ids()]
        move = draw.random()
        if move < 0.15 or len(mine) < 3:
            owner = draw.choice(self.people)
            collection = emulator.transfer.add_collection(
                f"c{draw.randrange(9)}",
                owner=owner,
                entity_type=draw.choice([MAPPED, PERSONAL]),
                files=FILES,
            )
            if draw.random() < 0.6:
                collection.subscription_id = self.subscription
        elif move < 0.2:
            host = draw.choice(mine)
            if host.entity_type in (MAPPED, PERSONAL):
                owner = draw.choice(self.people)
                who = Principals.of(host.owner_id)
                state.create_guest(host, "/", "guest", owner_id=owner, owner_string=owner, who=who)
        elif move < 0.35:
            collection = draw.choice(mine)
            principal_type = draw.choice(["identity", "group"])
            principal = draw.choice(self.people if principal_type == "identity" else self.groups)
            role = draw.choice(ROLES)
            if not any(
                (r.principal_type, r.principal, r.role) == (principal_type, principal, role)
                for r in collection.roles.values()
            ):
                state.add_role(collection, principal_type, principal, role)
        elif move < 0.45:
            with_roles = [c for c in mine if c.roles]
            if with_roles:
                collection = draw.choice(with_roles)
                state.remove_role(collection, draw.choice(list(collection.roles)))
        elif move < 0.5:  # as GCS mirrors an identity's strongest role (or none)
            held = [
                (c.id, r.principal)
                for c in mine
                for r in c.roles.values()
                if r.principal_type == "identity"
            ]
            if held and draw.random() < 0.5:
                state.set_role(*draw.choice(held), None)
            else:
                state.set_role(draw.choice(mine).id, draw.choice(self.people), draw.choice(ROLES))
        elif move < 0.55:
            owner = draw.choice(self.people)
            state.give_to(draw.choice(mine), owner, owner)
        elif move < 0.6:
            # (a collection with a task still at work on it stays: working
            # such a task fails on the missing end, whichever list reads it)
            busy = {e for t in tasks.tasks.values() if not t.done for e in t.ends()}
            idle = [c for c in mine if c.id not in busy]
            if idle:
                state.remove_collection(draw.choice(idle).id)
        elif move < 0.67:
            group, person = draw.choice(self.groups), draw.choice(self.people)
            if draw.random() < 0.5:
                world.groups.add_member(group, person, "member", "active")
            else:
                world.groups.remove_member(group, person)
        elif move < 0.72:
            draw.choice(mine).subscription_id = draw.choice([None, self.subscription])
        elif move < 0.85:
            source, destination = draw.choice(mine), draw.choice(mine)
            owner = draw.choice(self.people)
            item = {"source_path": "/data/a.dat", "destination_path": f"/c{draw.randrange(5)}"}
            document = {
                "DATA_TYPE": "transfer",
                "source_endpoint": source.id,
                "destination_endpoint": destination.id,
                "DATA": [item],
            }
            with contextlib.suppress(EndpointNotFound):  # a private end the owner cannot see
                tasks.submit(owner, owner, Principals.of(owner), document)
        elif move < 0.9:
            emulator.clock.advance(draw.randint(1, 10))
        else:
            copy_world(emulator, draw, self.path)


@pytest.mark.parametrize("seed", range(4))
def test_monitored_endpoints_and_their_tasks_agree_with_a_walk(seed, tmp_path):
    emulator = Emulator(seed=seed)
    draw = random.Random(seed)
    world = World(emulator, draw, tmp_path / "state.json")
    emulator.transfer.set_progress("timed", bytes_per_second=4)
    seen_monitored = seen_tasks = 0
    for _ in range(200):
        world.write()
        for person in world.people:
            who = whom(emulator, person)
            held = emulator.world.transfer.held_by(who)
            assert [c.id for c in held] == held_walked(emulator, who)
            monitored = [c.id for c in monitored_collections(emulator.world.transfer, who)]
            assert monitored == monitored_walked(emulator, who)
            merged = [t.id for t in emulator.world.tasks.on_endpoints(monitored)]
            assert merged == tasks_walked(emulator, who)
            seen_monitored += len(monitored)
            seen_tasks += len(merged)
    assert seen_monitored and seen_tasks  # the walks did find something


def page_through(client: globus_sdk.TransferClient, filter_status: str) -> list[str]:
    """Every task id of endpoint_manager_task_list, two at a time."""
    found: list[str] = []
    paging: dict[str, str] = {}
    while True:
        page = client.endpoint_manager_task_list(
            filter_status=filter_status, query_params={"limit": 2}, **paging
        )
        found += [task["task_id"] for task in page["DATA"]]
        if not page["has_next_page"]:
            return found
        paging = {"last_key": page["last_key"]}


def test_manager_views_through_a_transfer_client_agree_with_a_walk(globus_emulator, tmp_path):
    draw = random.Random(7)
    world = World(globus_emulator, draw, tmp_path / "state.json")
    globus_emulator.transfer.set_progress("timed", bytes_per_second=4)
    people = world.people
    clients = [
        globus_sdk.TransferClient(
            authorizer=globus_sdk.AccessTokenAuthorizer(
                globus_emulator.auth.issue_token(person, TRANSFER_ALL)
            )
        )
        for person in people
    ]
    listed = 0
    for step in range(120):
        with globus_emulator.lock:
            world.write()
        if step % 6:
            continue
        for person, client in zip(people, clients, strict=True):
            with globus_emulator.lock:
                who = whom(globus_emulator, person)
                collections = globus_emulator.world.transfer.collections
                monitored = [collections[c] for c in monitored_walked(globus_emulator, who)]
                by_name = sorted(monitored, key=lambda c: (c.display_name.lower(), c.id))
            answer = client.endpoint_manager_monitored_endpoints()
            assert [c["id"] for c in answer["DATA"]] == [c.id for c in by_name]
            # no endpoint filter: the clock stands still, so each page sees
            # the same tasks at work
            active = page_through(client, filter_status="ACTIVE,INACTIVE")
            with globus_emulator.lock:
                tasks = globus_emulator.world.tasks.tasks
                walked = [
                    t
                    for t in tasks_walked(globus_emulator, who)
                    if tasks[t].status in ("ACTIVE", "INACTIVE")
                ]
            assert active == walked
            listed += len(active)
    assert listed
