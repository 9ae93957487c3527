"""Globus Transfer's HTTP surface (``/v0.10/...``): parse, check, call the
models, format. This module holds the service, the helpers its routes share
and the endpoint documents; the other route modules register on its table.
Errors are ``{"code", "message", "request_id", "resource"}``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from ...http import ApiError, Call, Reply, SessionRequired, offset_page, validate
from ...resources import fixtures_dir
from ..base import Routes, Service
from .access import Principals
from .collection import Collection
from .errors import ConsentRequired
from .models import TransferState
from .seeding import WORLD_SCHEMA, add_collections
from .tasks import Tasks

if TYPE_CHECKING:
    from ...emulator import World
    from ..auth.models import TokenInfo

routes = Routes()

TRANSFER_RESOURCE_SERVER = "transfer.api.globus.org"
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
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

    world_schema: ClassVar[dict[str, Any]] = WORLD_SCHEMA

    @classmethod
    def load_spec(cls, world: World, spec: dict[str, Any]) -> None:
        add_collections(world, spec.get("collections", []), default_owner=world.user_id)

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        return {
            "code": err.code,
            "message": err.message,
            "request_id": call.request_id,
            "resource": call.path,
            **err.extra,
        }

    # -- helpers the routes share ---------------------------------------------------

    @property
    def state(self) -> TransferState:
        return self.world.transfer

    @property
    def tasks(self) -> Tasks:
        return self.world.tasks

    def caller(self, call: Call) -> tuple[TokenInfo, Principals]:
        """The caller's token and whom they are: every identity of their
        identity set and every group any of them belongs to."""
        info = self.authenticate(call, scope=TRANSFER_ALL)
        return info, Principals.from_urns(self.principal_urns(info.identity_id))

    def subscriptions_of(self, who: Principals, *, admin: bool) -> set[str]:
        """The subscriptions whose groups the caller is in (as an admin, if
        ``admin``): Groups alone answers who belongs to a subscription."""
        identities = sorted(who.identities)
        return {
            group.subscription_id
            for group, _ in self.world.groups.groups_of(identities)
            if group.subscription_id
            and (not admin or self.world.groups.is_member(identities, group.id, role="admin"))
        }

    def require_consent(self, info: TokenInfo, *collections: Collection) -> None:
        """Mapped collections need their data_access scope consented beneath
        Transfer's, or Transfer answers the 403 the SDK knows how to redrive.
        One answer names every missing consent, so one redrive fixes all."""
        if not self.world.auth.strict:
            return
        missing = {
            c.id: c
            for c in collections
            if c.requires_data_access_consent
            and not self.world.auth.has_dependent_consent(info, TRANSFER_ALL, c.data_access_scope)
        }
        if not missing:
            return
        dependencies = " ".join(f"*{c.data_access_scope}" for c in missing.values())
        required = f"{TRANSFER_ALL}[{dependencies}]"
        names = ", ".join(c.display_name for c in missing.values())
        raise ConsentRequired(
            "Missing required data_access consent",
            required_scopes=[required],
            authorization_parameters={
                "session_message": f"{names} requires consent",
                "required_scopes": [required],
            },
        )

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
        """A collection whose storage gateway has session requirements
        refuses the endpoint login: Transfer answers 502 with the
        gateway's ``authorization_parameters`` lifted to the top level,
        which ``globus_sdk.gare`` parses."""
        demanded = self.world.auth.unmet(info, collection.session_requirement)
        if demanded is None:
            return
        failure = _LOGIN_FAILURES.get(call.operation, "DirListingFailed")
        raise SessionRequired(
            demanded,
            status=502,
            code=f"ExternalError.{failure}.LoginFailed",
            message=(
                f"Command Failed: Error (login)\nEndpoint: {collection.display_name} "
                f"({collection.id})\nMessage: Login Failed\n---\nDetails: "
                f"{demanded['session_message']}"
            ),
        )


# Which Transfer error family a refused endpoint login falls in, per operation.
_LOGIN_FAILURES = {
    "operation_ls": "DirListingFailed",
    "operation_stat": "StatFailed",
    "operation_mkdir": "MkdirFailed",
    "operation_rename": "RenameFailed",
}


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
# routes, those creating endpoints and the servers' register on the same
# table, from their own modules: this tuple is the one place a module joins.
from . import access_routes as _access_routes  # noqa: E402
from . import admin_routes as _admin_routes  # noqa: E402
from . import creation_routes as _creation_routes  # noqa: E402
from . import file_routes as _file_routes  # noqa: E402
from . import server_routes as _server_routes  # noqa: E402
from . import task_routes as _task_routes  # noqa: E402

ROUTE_MODULES = (
    _file_routes,
    _task_routes,
    _access_routes,
    _admin_routes,
    _creation_routes,
    _server_routes,
)
