"""GCS reads roles from an index by place and holder (nearly every GCS call
asks whether its caller administers the endpoint or the collection), and
an endpoint's collections from an index by endpoint: after any mix of
collections and roles made and deleted, collections deleted through
Transfer (whose roles GCS forgets with them once it notices), and copies,
each must answer what walking every role and collection in the world
answers."""

from __future__ import annotations

import pickle
import random

import pytest

from globus_testkit import Emulator
from globus_testkit.services.auth.models import identity_urn
from globus_testkit.services.gcs.documents import ROLES, Endpoint, NotFound
from globus_testkit.services.gcs.models import GCSState
from globus_testkit.services.transfer.models import TransferState


def walked(
    state: GCSState, endpoint: Endpoint, collection: str | None, principal: str | None
) -> list[str]:
    """Role ids at a place (held by ``principal``, or anyone's), by walking
    every role in the world (what the index replaces)."""
    return [
        r.id
        for r in state.roles.values()
        if r.endpoint_id == endpoint.id
        and r.collection == collection
        and principal in (None, r.principal)
    ]


def assert_agrees(state: GCSState, identities: list[str]) -> None:
    for endpoint in state.endpoints.values():
        if state._on_endpoint is not None:  # built (else the next write may meet it unbuilt)
            on_it = [c.id for c in state.collections.values() if c.endpoint_id == endpoint.id]
            assert state._on_endpoint.held_by((endpoint.id,)) == on_it
        places = [None, *{r.collection for r in state.roles.values()} - {None}]
        for collection in places:
            everyone = state.roles_of(endpoint, identities[0], collection, True)
            assert [r.id for r in everyone] == walked(state, endpoint, collection, None)
            for identity_id in identities:
                principal = identity_urn(identity_id)
                own = state.roles_of(endpoint, identity_id, collection, False)
                expected = walked(state, endpoint, collection, principal)
                assert [r.id for r in own] == expected
                held = {state.roles[i].role for i in expected}
                if collection is None:
                    assert state.endpoint_roles(endpoint, identity_id) == held
                elif collection in state.collections:
                    record = state.collections[collection]
                    if record.endpoint_id == endpoint.id:
                        assert state.collection_roles(record, identity_id) == held


def _make_collection(gcs: GCSState, transfer: TransferState, endpoint: Endpoint, n: int) -> None:
    gateway = next(g for g in gcs.gateways.values() if g.endpoint_id == endpoint.id)
    document = {
        "collection_type": "mapped",
        "display_name": f"c{n}",
        "storage_gateway_id": gateway.id,
    }
    gcs.create_collection(transfer, endpoint, endpoint.owner_id, document)


@pytest.mark.parametrize("seed", range(4))
def test_role_answers_agree_with_a_walk_over_every_role(seed):
    emulator = Emulator(seed=seed)
    endpoints = [emulator.gcs.add_endpoint(f"ep{n}") for n in range(2)]
    for endpoint in endpoints:
        emulator.gcs.add_storage_gateway(endpoint, "POSIX")
    identities = [emulator.auth.add_identity(f"p{n}@example.org").id for n in range(3)]
    identities.append(emulator.user.id)
    gcs, transfer = emulator.world.gcs, emulator.world.transfer
    draw = random.Random(seed)
    for step in range(150):
        endpoint = gcs.endpoints[draw.choice(endpoints).id]
        # (not live_collections: GCS must notice deletions through Transfer itself)
        mine = [
            c
            for c in gcs.collections.values()
            if c.endpoint_id == endpoint.id and c.id in transfer.collections
        ]
        move = draw.random()
        if move < 0.2 or not mine:
            _make_collection(gcs, transfer, endpoint, step)
        elif move < 0.55:
            collection = draw.choice([None, draw.choice(mine).id])
            principal = identity_urn(draw.choice(identities))
            gcs.create_role(
                transfer, endpoint, endpoint.owner_id, collection, principal, draw.choice(ROLES)
            )
        elif move < 0.75 and gcs.roles:
            role = draw.choice(list(gcs.roles.values()))
            owner = gcs.endpoints[role.endpoint_id]
            if role.collection is None or role.collection in transfer.collections:
                gcs.delete_role(transfer, owner, owner.owner_id, role.id)
            else:  # its collection was deleted through Transfer: so was it
                with pytest.raises(NotFound):
                    gcs.delete_role(transfer, owner, owner.owner_id, role.id)
                assert_forgotten(gcs, role.collection)
        elif move < 0.8:
            gcs.delete_collection(transfer, endpoint, endpoint.owner_id, draw.choice(mine).id)
        elif move < 0.87:
            transfer.remove_collection(draw.choice(mine).id)  # deleted through Transfer
        elif move < 0.9:
            for each in endpoints:
                live = [c.id for c in gcs.live_collections(transfer, each.id)]
                assert live == [
                    c.id
                    for c in gcs.collections.values()
                    if c.endpoint_id == each.id and c.id in transfer.collections
                ]
            for collection in {r.collection for r in gcs.roles.values()} - {None}:
                assert collection in gcs.collections
        else:
            # a copy rebuilds the index
            gcs, transfer = pickle.loads(pickle.dumps((gcs, transfer)))
        assert_agrees(gcs, identities)
    assert any(r.collection is not None for r in gcs.roles.values())


def assert_forgotten(state: GCSState, collection: str) -> None:
    """A collection deleted through Transfer, once GCS noticed, is gone
    from GCS with every role held on it."""
    assert collection not in state.collections
    assert all(r.collection != collection for r in state.roles.values())
