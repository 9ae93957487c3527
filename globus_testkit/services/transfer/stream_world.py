"""Stream access points in world files (``stream_access_points: [...]``)
and from tests (``emulator.transfer.add_stream_access_point``): GCS
endpoints host them, so they are part of the world, never made over the API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...http import ApiError
from ...worlds import strict_object, uuid_string
from .streams import ACCESS_POINT_FIELDS, StreamAccessPoint

# what Transfer asks of an access point's server: tlsftp, ending in a port
TLSFTP_PATTERN = "^tlsftp://[^\\s/:]+:[0-9]{1,5}$"

if TYPE_CHECKING:
    from ...world import World

STREAMS_WORLD_SCHEMA: dict[str, Any] = {
    "stream_access_points": {
        "type": "array",
        "description": "stream access points (the ends of Transfer tunnels)",
        "items": strict_object(
            {
                "display_name": {"type": "string"},
                "id": uuid_string("the access point's id (default: from the seed)"),
                "host_endpoint_id": uuid_string("the GCS endpoint hosting it"),
                "owner_id": uuid_string("an identity id (default: the world's user)"),
                "advertised_owner": {
                    "type": "string",
                    "description": "default: the owner's username",
                },
                "tlsftp_server": {
                    "type": "string",
                    "pattern": TLSFTP_PATTERN,
                    "description": "tlsftp://host:port (default: on the host's GCS domain)",
                },
                "public": {
                    "type": "boolean",
                    "description": "seen by everyone signed in (default true)",
                },
                "visible_to": {
                    "type": "array",
                    "description": "when not public: principal URNs besides the owner's "
                    "(urn:globus:auth:identity:<id>, urn:globus:groups:id:<id>)",
                    "items": {"type": "string"},
                },
                **{name: {"type": "string"} for name in ACCESS_POINT_FIELDS},
            },
            required=("display_name",),
        ),
    }
}


def add_stream_access_points(world: World, items: list[dict[str, Any]]) -> list[StreamAccessPoint]:
    """Access points from a world description (owner: the world's user by default)."""
    added = []
    for item in items:
        owner = world.auth.identities.get(item.get("owner_id", world.user_id))
        if owner is None:
            raise ValueError(f"stream access point owner {item.get('owner_id')} is not an identity")
        added.append(
            world.streams.add_access_point(
                item["display_name"],
                owner_id=owner.id,
                advertised_owner=item.get("advertised_owner", owner.username),
                host_endpoint_id=item.get("host_endpoint_id"),
                access_point_id=item.get("id"),
                tlsftp_server=item.get("tlsftp_server") or _tlsftp_server(world, item),
                public=item.get("public", True),
                visible_to=item.get("visible_to"),
                **{name: item[name] for name in ACCESS_POINT_FIELDS if name in item},
            )
        )
    return added


def _tlsftp_server(world: World, item: dict[str, Any]) -> str | None:
    """On a host that is a GCS endpoint of this world, the access point's
    server is a name under the endpoint's domain, as GCS gives it (else
    the model makes one up)."""
    host_id = item.get("host_endpoint_id")
    if host_id is None:
        return None
    try:
        endpoint = world.gcs.endpoint(host_id)
    except ApiError:
        return None
    return f"tlsftp://s-{world.ids.uuid()[:5]}.{endpoint.domain_name}:443"
