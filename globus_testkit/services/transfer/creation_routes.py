"""Endpoints made through Transfer's ``/v0.10`` API: shared endpoints
(guest collections on a mapped collection; list your own) and Globus
Connect Personal endpoints (with their setup key). They register on
Transfer's one routes table."""

from __future__ import annotations

from typing import Any

from ...http import ApiError, Call, Reply, marker_page, validate
from . import admin_routes as _admin_routes
from .collection import GUEST, PERSONAL, UPDATABLE, Collection
from .errors import BadRequest
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
    "default_directory",
    "force_encryption",
    "disable_verify",
)


@routes.route(f"{API}/shared_endpoint", "POST", operation="create_shared_endpoint")
def create_shared_endpoint(svc: TransferService, call: Call) -> Reply:
    body = call.json_object()
    validate(body, "transfer_shared_endpoint", code="ClientError.BadRequest")
    info, who, host = svc.usable(call, body["host_endpoint"])
    guest = svc.state.create_guest(
        host,
        body["host_path"],
        body["display_name"],
        owner_id=info.identity_id,
        owner_string=info.username,
        who=who,
        activity_notification_policy=body.get("guest_collection_activity_notification_policy"),
        **{k: body[k] for k in OPTIONAL if k in body},
    )
    return _created(call, guest, "Shared endpoint created successfully")


def _created(call: Call, collection: Collection, message: str) -> Reply:
    return Reply(
        {
            "DATA_TYPE": "endpoint_create_result",
            "code": "Created",
            "message": message,
            "id": collection.id,
            "canonical_name": collection.to_api()["canonical_name"],
            "globus_connect_setup_key": collection.setup_key,
            "request_id": call.request_id,
            "resource": call.path,
        },
        201,
    )


@routes.route(f"{API}/endpoint", "POST", operation="create_endpoint")
def create_endpoint(svc: TransferService, call: Call) -> Reply:
    """Only Globus Connect Personal endpoints are made here (GCSv5 endpoints
    come from Globus Connect Server); the answer carries the setup key the
    install is configured with."""
    info, who = svc.caller(call)
    body = call.json_object()
    validate(body, "transfer_endpoint_create", code="ClientError.BadRequest")
    if not body["is_globus_connect"]:
        raise BadRequest(
            "only Globus Connect Personal endpoints (is_globus_connect: true) can be created "
            "through Transfer; Globus Connect Server makes GCSv5 endpoints"
        )
    fields: dict[str, Any] = {k: body[k] for k in UPDATABLE if k in body and k != "display_name"}
    subscription = {k: body[k] for k in ("subscription_id",) if k in body}
    personal = svc.state.create_collection(
        body["display_name"],
        owner_id=info.identity_id,
        owner_string=info.username,
        entity_type=PERSONAL,
        setup_key=svc.world.ids.uuid(),
        **fields,
    )
    try:
        change = _admin_routes.subscription_change(svc, personal, who, subscription)
    except ApiError:
        svc.state.remove_collection(personal.id)  # a refused create leaves nothing behind
        raise
    _admin_routes.apply_subscription_change(personal, change)
    return _created(call, personal, "Endpoint created successfully")


@routes.route(
    f"{API}/endpoint/<collection_id>/my_shared_endpoint_list",
    "GET",
    operation="my_shared_endpoint_list",
)
def my_shared_endpoint_list(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who = svc.caller(call)
    host = svc.state.visible_collection(collection_id, who)
    mine = [c for c in _guests_of(svc, host) if c.owner_id in who.identities]
    return Reply({"DATA_TYPE": "endpoint_list", "DATA": [c.to_api() for c in mine]})


@routes.route(
    f"{API}/endpoint/<collection_id>/shared_endpoint_list",
    "GET",
    operation="get_shared_endpoint_list",
)
def shared_endpoint_list(svc: TransferService, call: Call, collection_id: str) -> Reply:
    """Every guest collection on a host, whoever made it: its
    administrators' view, paged by ``max_results`` and ``next_token``."""
    _, who = svc.caller(call)
    host = svc.state.visible_collection(collection_id, who)
    svc.state.require_role(host, who, ("administrator",), "list its guest collections")
    limit = call.arg_int("max_results", 1000, minimum=1, maximum=1000)
    page, next_token = marker_page(_guests_of(svc, host), call.args.get("next_token"), limit)
    return Reply(
        {
            "DATA_TYPE": "shared_endpoint_list",
            "shared_endpoints": [c.to_api() for c in page],
            "next_token": next_token,
        }
    )


def _guests_of(svc: TransferService, host: Collection) -> list[Collection]:
    """The guest collections on a host collection (or GCSv5 endpoint)."""
    found = [
        c for c in svc.state.hosted_on(host.id) if c.entity_type in (GUEST, "GCP_guest_collection")
    ]
    return sorted(found, key=lambda c: (c.display_name.lower(), c.id))
