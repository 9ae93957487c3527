"""A search for one owner's collections (endpoint_search's my-endpoints
and my-gcp-endpoints scopes, or filter_owner_id) reads an index of
collections by owner, and a host's guest and hosted collections an index
by host: after any mix of collections made (guests too) and removed,
owners changed (GCS adopting a collection, which places it on its
endpoint), and copies, each must answer what walking every collection in
the world answers."""

from __future__ import annotations

import pickle
import random

import pytest

from globus_testkit import Emulator
from globus_testkit.services.transfer.access import Principals
from globus_testkit.services.transfer.collection import MAPPED, PERSONAL, Collection
from globus_testkit.services.transfer.models import TransferState


def walked(state: TransferState, owner_id: str, *, gcp: bool = False) -> list[str]:
    """One owner's collection ids, as a search orders them, by walking
    every collection (what the index replaces)."""
    found = [
        c
        for c in state.collections.values()
        if c.owner_id == owner_id and (not gcp or c.entity_type.startswith("GCP"))
    ]
    return [c.id for c in sorted(found, key=lambda c: (c.display_name.lower(), c.id))]


def assert_agrees(state: TransferState, people: list[str]) -> None:
    for identity_id in people:
        who = Principals.of(identity_id)
        assert {c.id for c in state.owned_by(identity_id)} == set(walked(state, identity_id))
        mine = state.search(identity_id, who, scope="my-endpoints")
        assert [c.id for c in mine] == walked(state, identity_id)
        gcp = state.search(identity_id, who, scope="my-gcp-endpoints")
        assert [c.id for c in gcp] == walked(state, identity_id, gcp=True)
        for owner_id in people:
            theirs = state.search(identity_id, who, owner_id=owner_id)
            visible = [
                i for i in walked(state, owner_id) if state.visible(state.collections[i], who)
            ]
            assert [c.id for c in theirs] == visible
    for host in state.collections:
        hosted = [
            c.id
            for c in state.collections.values()
            if host in (c.host_endpoint_id, c.host_collection_id)
        ]
        assert [c.id for c in state.hosted_on(host)] == hosted


@pytest.mark.parametrize("seed", range(4))
def test_owned_collections_agree_with_a_walk_over_every_collection(seed):
    emulator = Emulator(seed=seed)
    people = [emulator.user.id, *(emulator.auth.add_identity(f"p{n}@x.org").id for n in range(2))]
    endpoint = emulator.gcs.add_endpoint("Lab GCS")
    gateway = emulator.gcs.add_storage_gateway(endpoint, "POSIX")
    people.append(endpoint.id)  # GCS's collections are its endpoint's client identity's
    gcs, transfer = emulator.world.gcs, emulator.world.transfer
    draw = random.Random(seed)
    changed_owner = 0
    for _ in range(150):
        move = draw.random()
        if move < 0.4:
            owner = draw.choice(people[:3])
            transfer.create_collection(
                f"c{draw.randrange(20)}",
                owner_id=owner,
                owner_string=f"{owner}@x.org",
                entity_type=draw.choice([MAPPED, PERSONAL]),
                public=draw.random() < 0.5,
            )
        elif move < 0.5:
            hosts = [
                c for c in others(transfer, endpoint.id) if c.entity_type in (MAPPED, PERSONAL)
            ]
            if hosts:
                host = draw.choice(hosts)
                owner = host.owner_id
                who = Principals.of(owner)
                transfer.create_guest(
                    host, "/", "guest", owner_id=owner, owner_string=owner, who=who
                )
        elif move < 0.6 and len(transfer.collections) > 1:
            transfer.remove_collection(draw.choice(others(transfer, endpoint.id)).id)
        elif move < 0.75:
            unplaced = [
                c.id
                for c in transfer.collections.values()
                if c.entity_type == MAPPED and c.id not in gcs.collections
            ]
            if unplaced:  # GCS adopts it: its endpoint owns it now
                gcs.adopt_collection(transfer, endpoint, draw.choice(unplaced), gateway)
                changed_owner += 1
        elif move < 0.85 and len(transfer.collections) > 1:
            collection = draw.choice(others(transfer, endpoint.id))
            owner = draw.choice(people)
            transfer.give_to(collection, owner, f"{owner}@x.org")
            changed_owner += 1
        else:
            # a copy rebuilds the index
            gcs, transfer = pickle.loads(pickle.dumps((gcs, transfer)))
            assert transfer._by_owner is None
        if draw.random() < 0.5:  # (else the next write may meet an index not built yet)
            assert_agrees(transfer, people)
    assert changed_owner and any(transfer.owned_by(p) for p in people[1:])
    assert any(c.host_collection_id for c in transfer.collections.values())


def others(state: TransferState, endpoint_id: str) -> list[Collection]:
    """Every collection but the GCS endpoint's own (which GCS needs)."""
    return [c for c in state.collections.values() if c.id != endpoint_id]
