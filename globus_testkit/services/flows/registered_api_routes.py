"""Flows' registered APIs over HTTP (``/registered_apis``), as the Flows
OpenAPI gives them: create (201), list, get, update (PATCH: only the
fields given), delete (marked DELETE_PENDING). FlowsClient has list and
get; the Globus Registered API CLI (and ``FlowsClient.post``/``patch``/
``delete``) the rest.

Roles: owners, administrators, viewers (identities or groups; the creator
owns what names no owners). Any role may read; owners and administrators
may update; owners may delete. A listing shows, unless ``filter_roles``
says otherwise, only what the caller owns, as Flows documents.
"""

from __future__ import annotations

from ...http import (
    ApiError,
    BadRequest,
    Call,
    Forbidden,
    NotFound,
    Reply,
    marker_page,
    unusable_schema_problems,
    validate,
)
from ..auth.models import identity_urn
from .listing import csv_filter, ordered, page_reply
from .registered_apis import RegisteredApi
from .routes import MANAGE, VIEW, FlowsService, routes

ROLES = ("owner", "administrator", "viewer")
ORDER_KEYS = {
    "id": lambda a: a.id,
    "name": lambda a: a.name,
    "created_timestamp": lambda a: a.created_at,
    "updated_timestamp": lambda a: a.updated_at,
}


def _checked(body: dict[str, object], schema: str) -> None:
    """A malformed registered API is a 400, as the OpenAPI gives it; so is
    a state_input_schema that cannot be used."""
    validate(body, schema, code="BAD_REQUEST")
    problems = (
        unusable_schema_problems(body["state_input_schema"]) if "state_input_schema" in body else []
    )
    if problems:
        raise BadRequest("state_input_schema: " + "; ".join(problems), code="BAD_REQUEST")


def _api(svc: FlowsService, api_id: str, principals: set[str], *, need: str) -> RegisteredApi:
    api = svc.state.registered_apis.get(api_id)
    if api is None:
        raise NotFound(f"No Registered API exists with id value {api_id}", code="NOT_FOUND")
    allowed = {"view": set(ROLES), "update": {"owner", "administrator"}, "delete": {"owner"}}
    if not allowed[need] & set(api.roles_of(principals)):
        raise Forbidden(
            f"You do not have permission to {need} Registered API {api_id}", code="FORBIDDEN"
        )
    return api


@routes.route("/registered_apis", "POST", operation="create_registered_api")
def create_registered_api(svc: FlowsService, call: Call) -> Reply:
    info, _ = svc.caller(call, MANAGE)
    body = call.json_object()
    _checked(body, "flows_registered_api")
    api = svc.state.registered_apis.create(identity_urn(info.identity_id), body)
    return Reply(api.to_api(), 201)


@routes.route("/registered_apis", "GET", operation="list_registered_apis")
def list_registered_apis(svc: FlowsService, call: Call) -> Reply:
    _, principals = svc.caller(call, VIEW)
    roles = csv_filter(call, "filter_roles", ROLES) or {"owner"}
    found = [
        api for api in svc.state.registered_apis.all() if roles & set(api.roles_of(principals))
    ]
    found = ordered(found, call, ORDER_KEYS, "created_timestamp DESC")
    limit = call.arg_int("per_page", 20, minimum=1, maximum=100)
    page, marker = marker_page(found, call.args.get("marker"), limit)
    return page_reply("registered_apis", [api.summary() for api in page], limit, marker)


@routes.route("/registered_apis/<api_id>", "GET", operation="get_registered_api")
def get_registered_api(svc: FlowsService, call: Call, api_id: str) -> Reply:
    _, principals = svc.caller(call, VIEW)
    return Reply(_api(svc, api_id, principals, need="view").to_api())


@routes.route("/registered_apis/<api_id>", "PATCH", operation="update_registered_api")
def update_registered_api(svc: FlowsService, call: Call, api_id: str) -> Reply:
    _, principals = svc.caller(call, MANAGE)
    api = _api(svc, api_id, principals, need="update")
    body = call.json_object()
    _checked(body, "flows_registered_api_update")
    if api.status != "ACTIVE":
        raise ApiError(409, "STATE_CONFLICT", f"Registered API {api_id} is being deleted")
    svc.state.registered_apis.update(api, body)
    return Reply(api.to_api())


@routes.route("/registered_apis/<api_id>", "DELETE", operation="delete_registered_api")
def delete_registered_api(svc: FlowsService, call: Call, api_id: str) -> Reply:
    _, principals = svc.caller(call, MANAGE)
    api = _api(svc, api_id, principals, need="delete")
    if api.status == "ACTIVE":
        svc.state.registered_apis.delete(api)
    return Reply(api.to_api())
