"""A tunnel create looks its submission id up in an index (a retried
create answers the tunnel that id made): after any mix of tunnels made,
made again with a used id (by its owner or by someone else), stopped and
deleted, through copies too, it must answer what walking every tunnel in
the world answers."""

from __future__ import annotations

import pickle
import random

import pytest

from globus_testkit import Emulator
from globus_testkit.services.auth.models import identity_urn
from globus_testkit.services.transfer.errors import Conflict
from globus_testkit.services.transfer.streams import LIVE, STOPPING, Streams, Tunnel


def walked(streams: Streams, submission_id: str) -> Tunnel | None:
    """The tunnel a submission id made, by walking every tunnel (what the
    index replaces)."""
    return next((t for t in streams.tunnels.values() if t.submission_id == submission_id), None)


def assert_agrees(streams: Streams, submission_ids: list[str]) -> None:
    indexed = streams._submissions()
    assert indexed == {t.submission_id: t.id for t in streams.tunnels.values()}
    for submission_id in submission_ids:
        made = walked(streams, submission_id)
        assert indexed.get(submission_id) == (made and made.id)


@pytest.mark.parametrize("seed", range(4))
def test_submission_ids_agree_with_a_walk_over_every_tunnel(seed):
    emulator = Emulator(seed=seed)
    people = [emulator.user.id, emulator.auth.add_identity("p@example.org").id]
    points = [emulator.transfer.add_stream_access_point(f"point {n}").id for n in range(2)]
    submission_ids = [f"submission-{n}" for n in range(12)]
    streams = emulator.world.streams
    draw = random.Random(seed)
    answered = set()
    for _ in range(150):
        move = draw.random()
        if move < 0.5:
            owner, submission_id = draw.choice(people), draw.choice(submission_ids)
            principals = frozenset({identity_urn(owner)})
            made = walked(streams, submission_id)
            try:
                tunnel = streams.create_tunnel(
                    owner,
                    principals,
                    initiator_id=draw.choice(points),
                    listener_id=draw.choice(points),
                    submission_id=submission_id,
                )
            except Conflict:
                assert made is not None and made.owner_id != owner
                answered.add("refused")
            else:
                assert tunnel.id == (made.id if made else tunnel.id)
                assert tunnel.owner_id == owner
                answered.add("again" if made else "new")
        elif move < 0.65 and streams.tunnels:
            tunnel = draw.choice(list(streams.tunnels.values()))
            principals = frozenset({identity_urn(tunnel.owner_id)})
            if tunnel.state in LIVE:
                streams.update_tunnel(tunnel.id, principals, {"state": STOPPING})
        elif move < 0.9 and streams.tunnels:
            tunnel = draw.choice(list(streams.tunnels.values()))
            streams.delete_tunnel(tunnel.id, frozenset({identity_urn(tunnel.owner_id)}))
        else:
            streams = pickle.loads(pickle.dumps(streams))  # a copy rebuilds the index
            assert streams._by_submission is None
        if draw.random() < 0.5:  # (else the next write may meet an index not built yet)
            assert_agrees(streams, submission_ids)
    assert answered == {"new", "again", "refused"}
