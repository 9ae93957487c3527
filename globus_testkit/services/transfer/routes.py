"""Globus Transfer's HTTP surface (``/v0.10/...``): parse, check, call the
models, format. This module holds the service, the helpers its routes share
and the endpoint documents; the other route modules register on its table.
Errors are ``{"code", "message", "request_id", "resource"}``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from ...http import ApiError, Call, Reply, offset_page, validate
from ...resources import fixtures_dir
from ..base import Routes, Service
from . import TRANSFER_ALL, guards, jsonapi
from .access import Principals
from .collection import Collection
from .models import TransferState
from .spec import WORLD_SCHEMA, add_collections
from .spec import register_data_access as register_data_access
from .stream_world import STREAMS_WORLD_SCHEMA, add_stream_access_points
from .tasks import Tasks

if TYPE_CHECKING:
    from ...emulator import World
    from ..auth.models import TokenInfo

routes = Routes()

TRANSFER_RESOURCE_SERVER = "transfer.api.globus.org"

API = "/v0.10"


class TransferService(Service):
    name = "transfer"
    hosts = ("transfer.api.globus.org",)
    resource_server = TRANSFER_RESOURCE_SERVER
    routes = routes

    @classmethod
    def seed_world(cls, world: World) -> None:
        tutorial = json.loads((fixtures_dir() / "worlds" / "tutorial.json").read_text())
        owner = world.auth.add_identity("tutorial@globusid.org", name="Globus Tutorial")
        add_collections(world, tutorial["collections"], default_owner=owner.id)

    world_schema: ClassVar[dict[str, Any]] = {**WORLD_SCHEMA, **STREAMS_WORLD_SCHEMA}

    @classmethod
    def load_spec(cls, world: World, spec: dict[str, Any]) -> None:
        add_collections(world, spec.get("collections", []), default_owner=world.user_id)
        add_stream_access_points(world, spec.get("stream_access_points", []))

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        return {
            "code": err.code,
            "message": err.message,
            "request_id": call.request_id,
            "resource": call.path,
            **err.extra,
        }

    def error_reply(self, err: ApiError, call: Call) -> Reply:
        # The v2 API (tunnels, stream access points, bookmarks) speaks JSON:API.
        if call.path.startswith(jsonapi.V2 + "/"):
            return jsonapi.error_reply(err, call)
        return super().error_reply(err, call)

    # -- helpers the routes share ---------------------------------------------------

    @property
    def state(self) -> TransferState:
        return self.world.transfer

    @property
    def tasks(self) -> Tasks:
        return self.world.tasks

    def token(self, call: Call) -> TokenInfo:
        """The caller's token, for Transfer's scope."""
        return self.authenticate(call, scope=TRANSFER_ALL)

    def caller(self, call: Call) -> tuple[TokenInfo, Principals]:
        """The caller's token and whom they are: every identity of their
        identity set and every group any of them belongs to."""
        info = self.token(call)
        return info, Principals(*self.principals_of(info.identity_id))

    def subscriptions_of(self, who: Principals, *, admin: bool) -> set[str]:
        """The subscriptions whose groups the caller is in (as an admin, if
        ``admin``): Groups alone answers who belongs to a subscription."""
        return set(self.world.groups.subscriptions_of(who.identities, admin=admin))

    def require_consent(self, info: TokenInfo, *collections: Collection) -> None:
        guards.require_consent(self.world, info, collections)

    def document(self, call: Call, collection: Collection) -> dict[str, Any]:
        """A collection as Transfer shows it, with its GCS Manager's URL as
        seen from this call's base URL (a host in-process, a path on the
        loopback server)."""
        url = self.world.gcs.manager_url(collection.gcs_endpoint_id, call.base_url)
        return collection.to_api(url)

    def usable(
        self, call: Call, collection_id: str, *, pause_flag: str | None = None
    ) -> tuple[TokenInfo, Principals, Collection]:
        """A collection the caller may work on now: visible, consented, with
        their session meeting its gateway's demands and, for a file
        operation, no pause rule refusing it (``pause_flag``) to them."""
        info, who = self.caller(call)
        collection = self.state.visible_collection(collection_id, who)
        self.require_consent(info, collection)
        self.require_session(call, info, collection)
        if pause_flag is not None:
            self.tasks.pause_rules.refuse(collection, who, pause_flag)
        return info, who, collection

    def require_session(self, call: Call, info: TokenInfo, collection: Collection) -> None:
        guards.require_login(self.world, call.operation, info, collection)


def _result(call: Call, data_type: str, code: str, message: str, **extra: Any) -> Reply:
    return Reply(
        {
            "DATA_TYPE": data_type,
            "code": code,
            "message": message,
            "request_id": call.request_id,
            "resource": call.path,
            **extra,
        }
    )


# -- endpoints and collections ------------------------------------------------------


@routes.route(f"{API}/endpoint_search", "GET", operation="endpoint_search")
def endpoint_search(svc: TransferService, call: Call) -> Reply:
    info, who = svc.caller(call)
    non_functional = call.args.get("filter_non_functional")
    found = svc.state.search(
        info.identity_id,
        who,
        fulltext=call.args.get("filter_fulltext"),
        scope=call.args.get("filter_scope") or "all",
        owner_id=call.args.get("filter_owner_id"),
        entity_type=call.args.get("filter_entity_type"),
        non_functional=None if non_functional is None else call.arg_bool("filter_non_functional"),
    )
    page = offset_page(call, found, default_limit=25, max_limit=100)
    return Reply(
        {
            "DATA_TYPE": "endpoint_list",
            "DATA": [svc.document(call, c) for c in page.items],
            "offset": page.offset,
            "limit": page.limit,
            "has_next_page": page.has_next_page,
        }
    )


@routes.route(f"{API}/endpoint/<collection_id>", "GET", operation="get_endpoint")
def get_endpoint(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who = svc.caller(call)
    collection = svc.state.visible_collection(collection_id, who)
    return Reply(svc.document(call, collection))


@routes.route(f"{API}/endpoint/<collection_id>", "PUT", operation="update_endpoint")
def update_endpoint(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who = svc.caller(call)
    svc.state.visible_collection(collection_id, who)
    body = call.json_object()
    validate(body, "transfer_endpoint_update", code="ClientError.BadRequest")
    collection = svc.state.collection(collection_id)
    # Every check comes before any change, so a refused update changes nothing.
    change = _admin_routes.subscription_change(svc, collection, who, body)
    svc.state.update_collection(collection_id, who, body)
    _admin_routes.apply_subscription_change(collection, change)
    return _result(call, "result", "Updated", "Endpoint updated successfully")


@routes.route(f"{API}/endpoint/<collection_id>", "DELETE", operation="delete_endpoint")
def delete_endpoint(svc: TransferService, call: Call, collection_id: str) -> Reply:
    _, who = svc.caller(call)
    svc.state.visible_collection(collection_id, who)
    svc.state.delete_collection(collection_id, who)
    return _result(call, "result", "Deleted", "Endpoint deleted successfully")


# The file operations, tasks, access rules and bookmarks, the administrators'
# routes, those creating endpoints, the servers', the streams' and v2
# bookmarks' register on the same table, from their own modules: this tuple
# is the one place a module joins.
from . import access_routes as _access_routes  # noqa: E402
from . import admin_routes as _admin_routes  # noqa: E402
from . import bookmark_v2_routes as _bookmark_v2_routes  # noqa: E402
from . import creation_routes as _creation_routes  # noqa: E402
from . import file_routes as _file_routes  # noqa: E402
from . import server_routes as _server_routes  # noqa: E402
from . import stream_routes as _stream_routes  # noqa: E402
from . import task_routes as _task_routes  # noqa: E402

ROUTE_MODULES = (
    _file_routes,
    _task_routes,
    _access_routes,
    _admin_routes,
    _creation_routes,
    _server_routes,
    _stream_routes,
    _bookmark_v2_routes,
)
