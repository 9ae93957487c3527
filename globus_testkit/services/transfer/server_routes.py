"""The servers behind Transfer's endpoints (``/v0.10/endpoint/{id}/
server_list`` and ``server/{id}``): read-only, as Globus Connect Server and
Personal manage them. They register on Transfer's one routes table."""

from __future__ import annotations

from ...http import Call, Reply
from .errors import NotFound
from .routes import API, TransferService, routes


@routes.route(
    f"{API}/endpoint/<collection_id>/server_list", "GET", operation="endpoint_server_list"
)
def endpoint_server_list(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who = svc.caller(call)
    collection = svc.state.visible_collection(collection_id, who)
    return Reply(
        {
            "DATA_TYPE": "endpoint_server_list",
            "endpoint": collection.id,
            "DATA": collection.servers(),
        }
    )


@routes.route(
    f"{API}/endpoint/<collection_id>/server/<server_id>", "GET", operation="get_endpoint_server"
)
def get_endpoint_server(
    svc: TransferService, call: Call, collection_id: str, server_id: str
) -> Reply:
    _, who = svc.caller(call)
    collection = svc.state.visible_collection(collection_id, who)
    for server in collection.servers():
        if str(server["id"]) == server_id:
            return Reply(server)
    raise NotFound(f"no server {server_id} on {collection.display_name}")
