"""Transfer's streams over HTTP (``/v2/tunnels``, ``/v2/stream_access_points``):
parse and check JSON:API documents, call :mod:`.streams`, answer JSON:API.
They register on Transfer's one routes table."""

from __future__ import annotations

from typing import Any

from ...http import Call, Reply, validate
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


@routes.route(ACCESS_POINTS, "GET", operation="list_stream_access_points")
def list_stream_access_points(svc: TransferService, call: Call) -> Reply:
    _, principals = _principals(svc, call)
    points = svc.world.streams.visible_access_points(principals)
    return jsonapi.reply(call, [access_point_resource(p) for p in points])


@routes.route(f"{ACCESS_POINTS}/<point_id>", "GET", operation="get_stream_access_point")
def get_stream_access_point(svc: TransferService, call: Call, point_id: str) -> Reply:
    _, principals = _principals(svc, call)
    point = svc.world.streams.access_point(point_id, principals)
    return jsonapi.reply(call, access_point_resource(point))


# -- tunnels ------------------------------------------------------------------------


@routes.route(TUNNELS, "POST", operation="create_tunnel")
def create_tunnel(svc: TransferService, call: Call) -> Reply:
    identity_id, principals = _principals(svc, call)
    body = call.json_object()
    validate(body, "transfer_v2_tunnel", code="ClientError.BadRequest")
    data = body["data"]
    attributes = data.get("attributes", {})
    tunnel = svc.world.streams.create_tunnel(
        identity_id,
        principals,
        initiator_id=data["relationships"]["initiator"]["data"]["id"],
        listener_id=data["relationships"]["listener"]["data"]["id"],
        # globus-sdk always sends one; a bare request gets a fresh one
        submission_id=attributes.get("submission_id") or svc.tasks.new_submission_id(),
        label=attributes.get("label"),
        lifetime_mins=attributes.get("lifetime_mins"),
        restartable=attributes.get("restartable", False),
    )
    return jsonapi.reply(call, tunnel_resource(tunnel))


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
    body = call.json_object()
    validate(body, "transfer_v2_tunnel_update", code="ClientError.BadRequest")
    changes = body["data"].get("attributes", {})
    tunnel = svc.world.streams.update_tunnel(tunnel_id, principals, changes)
    return jsonapi.reply(call, tunnel_resource(tunnel))


@routes.route(TUNNEL, "DELETE", operation="delete_tunnel")
def delete_tunnel(svc: TransferService, call: Call, tunnel_id: str) -> Reply:
    _, principals = _principals(svc, call)
    svc.world.streams.delete_tunnel(tunnel_id, principals)
    return jsonapi.reply(call, None)


@routes.route(f"{TUNNEL}/events", "GET", operation="get_tunnel_events")
def get_tunnel_events(svc: TransferService, call: Call, tunnel_id: str) -> Reply:
    _, principals = _principals(svc, call)
    events = svc.world.streams.events(tunnel_id, principals)
    return jsonapi.reply(call, [event_resource(e) for e in events], links=None)
