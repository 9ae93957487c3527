"""Transfer's shared endpoints (guest collections made through the
``/v0.10`` API): create one on a mapped collection, list your own. They
register on Transfer's one routes table."""

from __future__ import annotations

from ...http import Call, Reply, validate
from .routes import API, TransferService, routes

OPTIONAL = (
    "description",
    "organization",
    "department",
    "keywords",
    "contact_email",
    "contact_info",
    "info_link",
    "public",
)


@routes.route(f"{API}/shared_endpoint", "POST", operation="create_shared_endpoint")
def create_shared_endpoint(svc: TransferService, call: Call) -> Reply:
    body = call.json_object()
    validate(body, "transfer_shared_endpoint", code="ClientError.BadRequest")
    info, groups, host = svc.usable(call, body["host_endpoint"])
    guest = svc.state.create_guest(
        host,
        body["host_path"],
        body["display_name"],
        owner_id=info.identity_id,
        owner_string=info.username,
        groups=groups,
        **{k: body[k] for k in OPTIONAL if k in body},
    )
    return Reply(
        {
            "DATA_TYPE": "endpoint_create_result",
            "code": "Created",
            "message": "Shared endpoint created successfully",
            "id": guest.id,
            "canonical_name": guest.to_api()["canonical_name"],
            "globus_connect_setup_key": None,
            "request_id": call.request_id,
            "resource": call.path,
        },
        201,
    )


@routes.route(
    f"{API}/endpoint/<collection_id>/my_shared_endpoint_list",
    "GET",
    operation="my_shared_endpoint_list",
)
def my_shared_endpoint_list(svc: TransferService, call: Call, collection_id: str) -> Reply:
    info, groups = svc.caller(call)
    host = svc.state.visible_collection(collection_id, info.identity_id, groups)
    mine = [
        c
        for c in svc.state.collections.values()
        if c.host_endpoint_id == host.id and c.owner_id == info.identity_id
    ]
    mine.sort(key=lambda c: (c.display_name.lower(), c.id))
    return Reply({"DATA_TYPE": "endpoint_list", "DATA": [c.to_api() for c in mine]})
