"""Transfer's streams (tunnels, stream access points) and v2 bookmarks
answer with the shapes globus-sdk recorded, through TransferClient and
TransferClientV2. Known deviations live in fixtures/parity/deviations.json."""

from __future__ import annotations

import globus_sdk
import pytest

from globus_testkit import parity

# globus-sdk 3.x has no public globus_sdk.testing nor TransferClientV2
pytest.importorskip("globus_sdk.testing")
experimental = pytest.importorskip("globus_sdk.experimental")
if not hasattr(experimental, "TransferClientV2"):
    pytest.skip("this globus-sdk has no TransferClientV2", allow_module_level=True)

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
STOP = {"data": {"type": "Tunnel", "attributes": {"state": "STOPPING"}}}
LISTEN = {
    "data": {
        "type": "Tunnel",
        "attributes": {"listener_ip_address": "192.0.2.7", "listener_port": 50000},
    }
}


def clients(e):
    authorizer = globus_sdk.AccessTokenAuthorizer(e.auth.issue_token(e.user, TRANSFER_ALL))
    return (
        globus_sdk.TransferClient(authorizer=authorizer),
        experimental.TransferClientV2(authorizer=authorizer),
    )


def points(e):
    return (
        e.transfer.add_stream_access_point("Initiator", organization="Lab"),
        e.transfer.add_stream_access_point("Listener"),
    )


def created(e, which):
    """A new tunnel's answer from client ``which`` (0: TransferClient,
    1: TransferClientV2), and that client."""
    client = clients(e)[which]
    initiator, listener = points(e)
    answer = client.create_tunnel(
        experimental.TunnelCreateDocument(initiator.id, listener.id, label="parity")
    )
    return client, answer


def a_tunnel(e, which):
    client, answer = created(e, which)
    return client, answer["data"]["id"]


def events(client, tunnel_id):
    """The events of a tunnel that ran and stopped (every kind of event)."""
    client.update_tunnel(tunnel_id, LISTEN)
    client.update_tunnel(tunnel_id, STOP)
    return client.get_tunnel_events(tunnel_id).data


def a_bookmark(e):
    v2 = clients(e)[1]
    created = v2.create_bookmark(
        experimental.BookmarkCreateDocument(TUTORIAL_1, "parity", "/home/share/")
    )
    return v2, created


def tunnel_operations(prefix, which):
    return {
        f"{prefix}create_tunnel": lambda e: created(e, which)[1].data,
        f"{prefix}get_tunnel": lambda e: (lambda c, t: c.get_tunnel(t).data)(*a_tunnel(e, which)),
        f"{prefix}update_tunnel": lambda e: (lambda c, t: c.update_tunnel(t, STOP).data)(
            *a_tunnel(e, which)
        ),
        f"{prefix}delete_tunnel": lambda e: (lambda c, t: c.delete_tunnel(t).data)(
            *a_tunnel(e, which)
        ),
        f"{prefix}list_tunnels": lambda e: (lambda c, t: c.list_tunnels().data)(
            *a_tunnel(e, which)
        ),
        f"{prefix}get_tunnel_events": lambda e: events(*a_tunnel(e, which)),
        f"{prefix}get_stream_access_point": lambda e: (
            clients(e)[which].get_stream_access_point(points(e)[0].id).data
        ),
    }


OPERATIONS = {
    **tunnel_operations("transfer.", 0),
    **tunnel_operations("transfer.v2.", 1),
    "transfer.v2.list_stream_access_points": lambda e: (
        points(e),
        clients(e)[1].list_stream_access_points().data,
    )[1],
    "transfer.v2.create_bookmark": lambda e: a_bookmark(e)[1].data,
    "transfer.v2.get_bookmark": lambda e: (
        lambda v2, b: v2.get_bookmark(b["data"]["id"], query_params={"include": "collection"}).data
    )(*a_bookmark(e)),
    "transfer.v2.list_bookmarks": lambda e: (
        lambda v2, b: v2.list_bookmarks(query_params={"include": "collection"}).data
    )(*a_bookmark(e)),
    "transfer.v2.update_bookmark": lambda e: (
        lambda v2, b: (
            v2.update_bookmark(
                b["data"]["id"], experimental.BookmarkUpdateDocument("renamed", "/home/")
            ).data
        )
    )(*a_bookmark(e)),
    "transfer.v2.delete_bookmark": lambda e: (
        lambda v2, b: v2.delete_bookmark(b["data"]["id"]).data
    )(*a_bookmark(e)),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_answer_has_the_recorded_shape(operation, globus_emulator):
    answer = OPERATIONS[operation](globus_emulator)
    assert parity.check(operation, answer) == []
    assert parity.stale_deviations(operation, answer) == []


def test_every_streams_operation_is_stateful():
    table = parity.coverage_table()
    for operation in OPERATIONS:
        assert f"| `{operation}` | stateful |" in table
