"""Transfer's streams over HTTP (``/v2/tunnels``, ``/v2/stream_access_points``):
parse and check JSON:API documents, call :mod:`.streams`, answer JSON:API.
They register on Transfer's one routes table."""

from __future__ import annotations

from typing import Any

from ...http import ApiError, Call, Reply
from . import jsonapi
from .jsonapi import V2, ref, resource
from .routes import TransferService, routes
from .streams import StreamAccessPoint, Tunnel, TunnelEvent

TUNNELS = f"{V2}/tunnels"
TUNNEL = f"{TUNNELS}/<tunnel_id>"
ACCESS_POINTS = f"{V2}/stream_access_points"


def _principals(svc: TransferService, call: Call) -> tuple[str, frozenset[str]]:
    info, _ = svc.caller(call)
    return info.identity_id, svc.principal_urns(info.identity_id)


def access_point_resource(point: StreamAccessPoint) -> dict[str, Any]:
    return resource(
        "StreamAccessPoint",
        point.id,
        point.attributes(),
        {"host_endpoint": ref("Endpoint", point.host_endpoint_id)},
    )


def tunnel_resource(tunnel: Tunnel) -> dict[str, Any]:
    return resource(
        "Tunnel",
        tunnel.id,
        tunnel.attributes(),
        {
            "initiator": ref("StreamAccessPoint", tunnel.initiator_id),
            "listener": ref("StreamAccessPoint", tunnel.listener_id),
            "owner": ref("Identity", tunnel.owner_id),
        },
    )


def event_resource(event: TunnelEvent) -> dict[str, Any]:
    return resource("TunnelEvent", event.id, event.attributes())


# -- stream access points -----------------------------------------------------------


def _administered(svc: TransferService, identity_id: str, host_ids: set[str]) -> set[str]:
    """Which of these hosts are GCS endpoints the caller administers (GCS
    answers; a host it does not know is administered by no one here)."""
    identities = [i.id for i in svc.world.auth.identity_set(identity_id)]
    administered = set()
    for host_id in host_ids:
        try:
            endpoint = svc.world.gcs.endpoint(host_id)
        except ApiError:
            continue
        if any(svc.world.gcs.is_endpoint_admin(endpoint, i) for i in identities):
            administered.add(host_id)
    return administered


@routes.route(ACCESS_POINTS, "GET", operation="list_stream_access_points")
def list_stream_access_points(svc: TransferService, call: Call) -> Reply:
    """``filter[fulltext]`` (each word in some attribute),
    ``filter[endpoint_admin]`` (hosted by GCS endpoints the caller
    administers), ``page[limit]`` and ``page[marker]``."""
    identity_id, principals = _principals(svc, call)
    streams = svc.world.streams
    hosts = None
    if jsonapi.flag(call, "filter[endpoint_admin]"):
        every_host = {p.host_endpoint_id for p in streams.access_points.values()}
        hosts = _administered(svc, identity_id, every_host)
    points = streams.visible_access_points(
        principals, fulltext=call.args.get("filter[fulltext]"), hosts=hosts
    )
    chunk, links = jsonapi.page(call, points)
    # as recorded, the last page has no links at all (tunnel lists show null)
    more: dict[str, Any] = {"links": links} if links else {}
    return jsonapi.reply(call, [access_point_resource(p) for p in chunk], **more)


@routes.route(f"{ACCESS_POINTS}/<point_id>", "GET", operation="get_stream_access_point")
def get_stream_access_point(svc: TransferService, call: Call, point_id: str) -> Reply:
    _, principals = _principals(svc, call)
    point = svc.world.streams.access_point(point_id, principals)
    return jsonapi.reply(call, access_point_resource(point))


# -- tunnels ------------------------------------------------------------------------


@routes.route(TUNNELS, "POST", operation="create_tunnel")
def create_tunnel(svc: TransferService, call: Call) -> Reply:
    identity_id, principals = _principals(svc, call)
    data = jsonapi.document(call, "transfer_v2_tunnel")["data"]
    attributes = data["attributes"]
    tunnel = svc.world.streams.create_tunnel(
        identity_id,
        principals,
        initiator_id=data["relationships"]["initiator"]["data"]["id"],
        listener_id=data["relationships"]["listener"]["data"]["id"],
        submission_id=attributes["submission_id"],
        label=attributes.get("label"),
        lifetime_mins=attributes.get("lifetime_mins"),
        restartable=attributes.get("restartable", False),
        listener_ip_address=attributes.get("listener_ip_address"),
        listener_port=attributes.get("listener_port"),
    )
    return jsonapi.reply(call, tunnel_resource(tunnel), status=201)


@routes.route(TUNNELS, "GET", operation="list_tunnels")
def list_tunnels(svc: TransferService, call: Call) -> Reply:
    _, principals = _principals(svc, call)
    tunnels = svc.world.streams.tunnels_of(principals)
    return jsonapi.reply(call, [tunnel_resource(t) for t in tunnels], links=None)


@routes.route(TUNNEL, "GET", operation="get_tunnel")
def get_tunnel(svc: TransferService, call: Call, tunnel_id: str) -> Reply:
    _, principals = _principals(svc, call)
    return jsonapi.reply(call, tunnel_resource(svc.world.streams.tunnel(tunnel_id, principals)))


@routes.route(TUNNEL, "PATCH", operation="update_tunnel")
def update_tunnel(svc: TransferService, call: Call, tunnel_id: str) -> Reply:
    _, principals = _principals(svc, call)
    changes = jsonapi.document(call, "transfer_v2_tunnel_update")["data"]["attributes"]
    tunnel = svc.world.streams.update_tunnel(tunnel_id, principals, changes)
    return jsonapi.reply(call, tunnel_resource(tunnel))


@routes.route(TUNNEL, "DELETE", operation="delete_tunnel")
def delete_tunnel(svc: TransferService, call: Call, tunnel_id: str) -> Reply:
    _, principals = _principals(svc, call)
    svc.world.streams.delete_tunnel(tunnel_id, principals)
    return jsonapi.reply(call, None)


@routes.route(f"{TUNNEL}/events", "GET", operation="get_tunnel_events")
def get_tunnel_events(svc: TransferService, call: Call, tunnel_id: str) -> Reply:
    """``code_name`` and ``is_error`` filter the events."""
    _, principals = _principals(svc, call)
    events = svc.world.streams.events(
        tunnel_id,
        principals,
        code=call.args.get("code_name") or None,
        is_error=jsonapi.flag(call, "is_error"),
    )
    return jsonapi.reply(call, [event_resource(e) for e in events], links=None)
