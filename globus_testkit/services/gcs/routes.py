"""The GCS Manager API of every GCSv5 endpoint (``/api/...``), as
globus-sdk's ``GCSClient`` calls it.

Each endpoint answers at its own host (``<hex>.<hex>.data.globus.org``)
in-process and through the proxy, and at ``/gcs/<endpoint_id>/`` on the
loopback server; either way the service takes the endpoint's id from the
path's first segment and the routes below see GCS's own ``/api/...``.
Answers are GCS's envelope, ``{"DATA_TYPE": "result#1.0.0", "code",
"detail", "http_response_code", "has_next_page", "data": [...]}``, and so
are its errors. Tokens must be for the endpoint (its id is the resource
server) and carry its ``manage_collections`` scope.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar

from ...http import ApiError, Call, Reply, SessionRequired, marker_page, validate
from ...worlds import strict_object, uuid_string
from ..auth.models import RESOURCE_SERVER, TokenInfo
from ..base import Routes, Service
from ..transfer.collection import Collection
from ..transfer.spec import register_data_access
from .connectors import CONNECTORS, POSIX_CONNECTOR
from .documents import (
    API_VERSION,
    MANAGER_VERSION,
    Endpoint,
    GCSCollection,
    StorageGateway,
    manager_url,
)
from .errors import GCSError, NotFound, Unprocessable
from .models import GCSState

if TYPE_CHECKING:
    from ...emulator import World

routes = Routes()
# Facts from globus-sdk's guest-collection examples: the tutorial
# collections' endpoint host and storage gateway.
TUTORIAL_DOMAIN = "b7a4f1.75bc.data.globus.org"
TUTORIAL_GATEWAY = "947460f6-3fcd-4acc-9683-d71e14e5ace1"
TUTORIAL_COLLECTIONS = (
    "6c54cade-bde5-45c1-bdea-f4bd71dba2cc",
    "31ce9ba0-176d-45a5-add3-f37d233ba47d",
)
API = "/api"
OK = "Operation successful"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# Other services' refusals (Auth's token check, Transfer's path checks),
# in GCS's words, by status.
_CODES = {
    400: "invalid_parameter",
    401: "unauthorized",
    403: "permission_denied",
    404: "not_found",
    409: "exists",
    422: "invalid_parameter",
    501: "not_implemented",
}


def manage_collections_scope(endpoint_id: str) -> str:
    return f"urn:globus:auth:scope:{endpoint_id}:manage_collections"


class GCSService(Service):
    name = "gcs"
    host_suffix = ".data.globus.org"
    sdk_base_path = API
    routes = routes

    @classmethod
    def seed_world(cls, world: World) -> None:
        """The tutorial collections' endpoint, with the host, storage
        gateway and mapped collection globus-sdk's guest-collection
        examples name. Its own entry is not advertised in Transfer's
        search (searches for "Tutorial" find the two collections)."""
        owner_id = world.transfer.collection(TUTORIAL_COLLECTIONS[0]).owner_id
        endpoint = register_endpoint(
            world,
            "Globus Tutorial Endpoint",
            owner_id,
            endpoint_id=world.ids.stable_uuid("gcs-endpoint", TUTORIAL_DOMAIN),
            domain=TUTORIAL_DOMAIN,
            public=False,
        )
        gateway = world.gcs.create_gateway(
            endpoint,
            owner_id,
            {"display_name": "Tutorial POSIX storage", "connector_id": POSIX_CONNECTOR},
            gateway_id=TUTORIAL_GATEWAY,
        )
        for collection_id in TUTORIAL_COLLECTIONS:
            world.gcs.adopt_collection(
                world.transfer, endpoint, collection_id, gateway, allow_guest_collections=True
            )

    world_schema: ClassVar[dict[str, Any]] = {
        "gcs_endpoints": {
            "type": "array",
            "description": "GCSv5 endpoints, each with a GCS Manager",
            "items": strict_object(
                {
                    "display_name": {"type": "string"},
                    "id": uuid_string("the endpoint id (default: from the seed)"),
                    "owner_id": uuid_string("an identity id (default: the world's user)"),
                    "domain": {
                        "type": "string",
                        "pattern": r"^[a-z0-9.-]+\.data\.globus\.org$",
                        "description": "its manager's host (default: from its id)",
                    },
                    "storage_gateways": {
                        "type": "array",
                        "description": "storage gateways (POSIX unless connector_id says)",
                        "items": strict_object(
                            {
                                "display_name": {"type": "string"},
                                "id": uuid_string("the gateway id (default: from the seed)"),
                                "connector_id": uuid_string("a connector of ConnectorTable"),
                                "allowed_domains": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                    "description": "domains its users' sessions must include",
                                },
                                "high_assurance": {"type": "boolean"},
                                "require_mfa": {"type": "boolean"},
                                "authentication_timeout_mins": {"type": "integer", "minimum": 1},
                            },
                            required=("display_name",),
                        ),
                    },
                    "mapped_collections": {
                        "type": "array",
                        "description": "ids of GCSv5_mapped_collection entries of 'collections' "
                        "to place on this endpoint's first storage gateway, allowing guests",
                        "items": uuid_string("a mapped collection's id"),
                    },
                },
                required=("display_name",),
            ),
        }
    }

    @classmethod
    def load_spec(cls, world: World, spec: dict[str, Any]) -> None:
        for item in spec.get("gcs_endpoints", []):
            owner_id = item.get("owner_id", world.user_id)
            if owner_id not in world.auth.identities:
                raise ValueError(f"endpoint owner {owner_id} is not an identity")
            placement = {k: item[k] for k in ("domain",) if k in item}
            if "id" in item:
                placement["endpoint_id"] = item["id"]
            endpoint = register_endpoint(world, item["display_name"], owner_id, **placement)
            gateways = [
                world.gcs.create_gateway(
                    endpoint,
                    owner_id,
                    {"connector_id": POSIX_CONNECTOR, **{k: v for k, v in g.items() if k != "id"}},
                    gateway_id=g.get("id"),
                )
                for g in item.get("storage_gateways", [])
            ]
            mapped = item.get("mapped_collections", [])
            if mapped and not gateways:
                raise ValueError(f"{item['display_name']}: mapped collections need a gateway")
            for collection_id in mapped:
                world.gcs.adopt_collection(
                    world.transfer,
                    endpoint,
                    collection_id,
                    gateways[0],
                    allow_guest_collections=True,
                )

    @property
    def state(self) -> GCSState:
        return self.world.gcs

    def path_for_host(self, hostname: str, path: str) -> str | None:
        endpoint = self.state.endpoint_for_host(hostname)
        return None if endpoint is None else f"/{endpoint.id}{path}"

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        ours = err if isinstance(err, GCSError) else None
        body = {
            "DATA_TYPE": "result#1.0.0",
            "code": ours.code if ours else _CODES.get(err.status, err.code),
            "detail": err.extra.get("detail", err.message),
            "message": (ours.summary if ours else None) or err.message,
            "http_response_code": err.status,
            "has_next_page": False,
            "data": [],
        }
        if isinstance(err, SessionRequired):
            body["authorization_parameters"] = err.authorization_parameters
        return body

    def handle(self, call: Call) -> Reply:
        # Every path starts with the endpoint's id (the loopback server's
        # /gcs/<endpoint_id>/..., or path_for_host's for a host); routes
        # see the rest, as GCS's own paths.
        endpoint_id, _, rest = call.path.lstrip("/").partition("/")
        call.resource, call.path = endpoint_id, "/" + rest
        return super().handle(call)

    def caller(self, call: Call) -> tuple[Endpoint, TokenInfo]:
        """The endpoint asked about and the caller's token, which must be
        for that endpoint with its manage_collections scope."""
        endpoint = self.state.endpoint(call.resource)
        info = self.authenticate(
            call, scope=manage_collections_scope(endpoint.id), resource_server=endpoint.id
        )
        return endpoint, info

    def require_session(
        self, info: TokenInfo, gateway: StorageGateway, *, creating: bool = False
    ) -> None:
        """Where GCS's callers meet their storage gateway's authentication
        policy (Auth judges the session): on a high-assurance gateway for
        every call about its collections and credentials, on another for
        creating them (its allowed domains). Refused as GCS refuses: a
        403 whose detail is an ``authentication_timeout`` document, with
        the ``authorization_parameters`` to log in again with."""
        requirement = gateway.session_requirement()
        if requirement is None or not (creating or gateway.high_assurance):
            return
        if not requirement.required_domains:  # then the caller's own login must be recent
            requirement = dataclasses.replace(requirement, required_identities=[info.identity_id])
        demanded = self.world.auth.unmet(info, requirement)
        if demanded is None:
            return
        timed_out = self.world.auth.identities_in_domains(
            info.identity_id, requirement.required_domains
        )
        names = ", ".join(i.username for i in timed_out)
        raise SessionRequired(
            demanded,
            code="permission_denied",
            message=(
                f"You must reauthenticate one of your identities ({names}) "
                "in order to access this resource"
                if timed_out
                else demanded["session_message"]
            ),
            detail={
                "DATA_TYPE": "authentication_timeout#1.1.0",
                "high_assurance": gateway.high_assurance,
                "identities": [i.id for i in timed_out],
                "require_mfa": requirement.require_mfa,
            },
        )

    def require_collection_session(
        self, info: TokenInfo, endpoint: Endpoint, collection_id: str
    ) -> None:
        record, _ = self.state.collection(self.world.transfer, endpoint, collection_id)
        self.require_session(info, self.state.gateways[record.storage_gateway_id])

    def collection_document(self, record: GCSCollection, entry: Collection) -> dict[str, Any]:
        return record.to_api(entry, self.state.gateways[record.storage_gateway_id])


def register_endpoint(world: World, display_name: str, owner_id: str, **placement: Any) -> Endpoint:
    """A GCSv5 endpoint: in GCS, in Transfer, and in Auth (its resource
    server, whose id is the endpoint's, and its manage_collections scope).
    ``placement``: GCSState.add_endpoint's endpoint_id, domain, public."""
    owner = world.auth.identities[owner_id]
    endpoint = world.gcs.add_endpoint(
        world.transfer, display_name, owner_id=owner.id, owner_string=owner.username, **placement
    )
    world.auth.register_client(
        f"{display_name} (GCS Manager)", client_type=RESOURCE_SERVER, client_id=endpoint.id
    )
    world.auth.register_scope(
        manage_collections_scope(endpoint.id),
        client_id=endpoint.id,
        name="Manage Collections",
        description=f"Manage collections on {display_name}",
        scope_id=world.ids.stable_uuid("manage_collections", endpoint.id),
    )
    return endpoint


def _result(
    items: list[dict[str, Any]],
    *,
    marker: str | None = None,
    status: int = 200,
    message: str | None = None,
) -> Reply:
    """GCS's envelope; changes carry a ``message`` (reads answer none)."""
    body: dict[str, Any] = {
        "DATA_TYPE": "result#1.0.0",
        "code": "success",
        "detail": "success",
        "http_response_code": status,
        "has_next_page": marker is not None,
        "data": items,
    }
    if message is not None:
        body["message"] = message
    if marker is not None:
        body["marker"] = marker
    return Reply(body, status)


def _valid(body: dict[str, Any], schema: str) -> dict[str, Any]:
    """The body, if it matches the schema; else GCS's 422."""
    validate(body, schema, error=Unprocessable)
    return body


def _page(call: Call, items: list[dict[str, Any]]) -> Reply:
    size = call.arg_int("page_size", DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE)
    chunk, marker = marker_page(items, call.args.get("marker"), size)
    return _result(chunk, marker=marker)


def _filters(call: Call) -> set[str]:
    return set(call.arg_csv("filter"))


# -- info and the endpoint ----------------------------------------------------------


@routes.route(f"{API}/info", "GET", operation="get_gcs_info")
def get_info(svc: GCSService, call: Call) -> Reply:
    # No token needed: clients ask it to learn the endpoint's client id.
    endpoint = svc.state.endpoint(call.resource)
    info = {
        "DATA_TYPE": "info#1.0.0",
        "api_version": API_VERSION,
        "manager_version": MANAGER_VERSION,
        "client_id": endpoint.id,
        "endpoint_id": endpoint.id,
        "domain_name": endpoint.domain_name,
    }
    connectors = [c.to_api() for c in CONNECTORS.values()]
    return _result([info, *connectors])


@routes.route(f"{API}/endpoint", "GET", operation="get_endpoint")
def get_endpoint(svc: GCSService, call: Call) -> Reply:
    endpoint, _ = svc.caller(call)
    return _result([endpoint.to_api(manager_url(endpoint, call.base_url))])


@routes.route(f"{API}/endpoint", "PATCH", "PUT", operation="update_endpoint")
def update_endpoint(svc: GCSService, call: Call) -> Reply:
    endpoint, info = svc.caller(call)
    body = call.json_object()
    _valid(body, "gcs_endpoint_update")
    # every check before any change
    changes_subscription = "subscription_id" in body
    subscription = None
    if changes_subscription:
        subscription = _subscription(svc, endpoint, info, body["subscription_id"])
    svc.state.update_endpoint(svc.world.transfer, endpoint, info.identity_id, body)
    if changes_subscription:
        svc.state.set_subscription(svc.world.transfer, endpoint, subscription)
    include = call.args.get("include") == "endpoint"
    return _result(
        [endpoint.to_api(manager_url(endpoint, call.base_url))] if include else [],
        message=f"Updated endpoint {endpoint.id}",
    )


@routes.route(f"{API}/endpoint/subscription_id", "PUT", operation="set_subscription_id")
def set_subscription_id(svc: GCSService, call: Call) -> Reply:
    endpoint, info = svc.caller(call)
    body = call.json_object()
    _valid(body, "gcs_endpoint_subscription")
    subscription = _subscription(svc, endpoint, info, body["subscription_id"])
    svc.state.set_subscription(svc.world.transfer, endpoint, subscription)
    return _result([], message=f"Updated subscription of endpoint {endpoint.id}")


def _subscription(
    svc: GCSService, endpoint: Endpoint, info: TokenInfo, subscription_id: str | None
) -> str | None:
    """The subscription the caller may give the endpoint, asking Groups
    which ones they manage."""
    identities = [i.id for i in svc.world.auth.identity_set(info.identity_id)]
    managed = svc.world.groups.subscriptions_of(identities, admin=True)
    return svc.state.resolve_subscription(endpoint, info.identity_id, subscription_id, managed)


# -- storage gateways ------------------------------------------------------------------

GATEWAY = f"{API}/storage_gateways/<gateway_id>"


@routes.route(f"{API}/storage_gateways", "GET", operation="get_storage_gateway_list")
def list_gateways(svc: GCSService, call: Call) -> Reply:
    endpoint, _ = svc.caller(call)
    return _page(call, [g.to_api() for g in svc.state.gateways_of(endpoint)])


@routes.route(f"{API}/storage_gateways", "POST", operation="create_storage_gateway")
def create_gateway(svc: GCSService, call: Call) -> Reply:
    endpoint, info = svc.caller(call)
    body = call.json_object()
    _valid(body, "gcs_storage_gateway")
    gateway = svc.state.create_gateway(endpoint, info.identity_id, body)
    return _result([gateway.to_api()], message=OK)


@routes.route(GATEWAY, "GET", operation="get_storage_gateway")
def get_gateway(svc: GCSService, call: Call, gateway_id: str) -> Reply:
    endpoint, _ = svc.caller(call)
    return _result([svc.state.gateway(endpoint, gateway_id).to_api()])


@routes.route(GATEWAY, "PATCH", operation="update_storage_gateway")
def update_gateway(svc: GCSService, call: Call, gateway_id: str) -> Reply:
    endpoint, info = svc.caller(call)
    body = call.json_object()
    _valid(body, "gcs_storage_gateway_update")
    gateway = svc.state.update_gateway(
        svc.world.transfer, endpoint, info.identity_id, gateway_id, body
    )
    for _, entry in svc.state.collections_on(svc.world.transfer, gateway):
        if entry.requires_data_access_consent:
            register_data_access(svc.world, entry)
    return _result([gateway.to_api()], message=OK)


@routes.route(GATEWAY, "DELETE", operation="delete_storage_gateway")
def delete_gateway(svc: GCSService, call: Call, gateway_id: str) -> Reply:
    endpoint, info = svc.caller(call)
    svc.state.delete_gateway(svc.world.transfer, endpoint, info.identity_id, gateway_id)
    return _result([], message=OK)


# -- collections ---------------------------------------------------------------------

COLLECTION = f"{API}/collections/<collection_id>"


@routes.route(f"{API}/collections", "GET", operation="get_collection_list")
def list_collections(svc: GCSService, call: Call) -> Reply:
    endpoint, info = svc.caller(call)
    found = svc.state.visible_collections(
        svc.world.transfer,
        endpoint,
        info.identity_id,
        _filters(call),
        call.args.get("mapped_collection_id"),
    )
    return _page(call, [svc.collection_document(record, entry) for record, entry in found])


@routes.route(f"{API}/collections", "POST", operation="create_collection")
def create_collection(svc: GCSService, call: Call) -> Reply:
    endpoint, info = svc.caller(call)
    body = call.json_object()
    _valid(body, "gcs_collection")
    gateway = svc.state.gateway_for(svc.world.transfer, endpoint, body)
    svc.require_session(info, gateway, creating=True)
    record, entry = svc.state.create_collection(
        svc.world.transfer, endpoint, info.identity_id, body
    )
    if entry.requires_data_access_consent:
        register_data_access(svc.world, entry)
    return _result([svc.collection_document(record, entry)], message=OK)


@routes.route(COLLECTION, "GET", operation="get_collection")
def get_collection(svc: GCSService, call: Call, collection_id: str) -> Reply:
    endpoint, info = svc.caller(call)
    record, entry = svc.state.collection(svc.world.transfer, endpoint, collection_id)
    if not (entry.public or svc.state.can_manage(endpoint, record, info.identity_id)):
        raise NotFound(f"No collection {collection_id}")
    svc.require_collection_session(info, endpoint, record.id)
    return _result([svc.collection_document(record, entry)])


@routes.route(COLLECTION, "PATCH", operation="update_collection")
def update_collection(svc: GCSService, call: Call, collection_id: str) -> Reply:
    endpoint, info = svc.caller(call)
    body = call.json_object()
    _valid(body, "gcs_collection_update")
    svc.require_collection_session(info, endpoint, collection_id)
    record, entry = svc.state.update_collection(
        svc.world.transfer, endpoint, info.identity_id, collection_id, body
    )
    return _result([svc.collection_document(record, entry)], message=OK)


@routes.route(COLLECTION, "DELETE", operation="delete_collection")
def delete_collection(svc: GCSService, call: Call, collection_id: str) -> Reply:
    endpoint, info = svc.caller(call)
    svc.require_collection_session(info, endpoint, collection_id)
    svc.state.delete_collection(svc.world.transfer, endpoint, info.identity_id, collection_id)
    return _result([], message=OK)


# -- roles ---------------------------------------------------------------------------


@routes.route(f"{API}/roles", "GET", operation="get_role_list")
def list_roles(svc: GCSService, call: Call) -> Reply:
    endpoint, info = svc.caller(call)
    collection = call.args.get("collection_id") or None
    if collection is not None:
        svc.state.collection(svc.world.transfer, endpoint, collection)
    everyone = call.args.get("include") == "all_roles"
    roles = svc.state.roles_of(endpoint, info.identity_id, collection, everyone)
    return _page(call, [r.to_api() for r in roles])


@routes.route(f"{API}/roles", "POST", operation="create_role")
def create_role(svc: GCSService, call: Call) -> Reply:
    endpoint, info = svc.caller(call)
    body = call.json_object()
    _valid(body, "gcs_role")
    role = svc.state.create_role(
        svc.world.transfer,
        endpoint,
        info.identity_id,
        body.get("collection"),
        body["principal"],
        body["role"],
    )
    return _result([role.to_api()], message=OK)


@routes.route(f"{API}/roles/<role_id>", "GET", operation="get_role")
def get_role(svc: GCSService, call: Call, role_id: str) -> Reply:
    endpoint, _ = svc.caller(call)
    return _result([svc.state.role(svc.world.transfer, endpoint, role_id).to_api()])


@routes.route(f"{API}/roles/<role_id>", "DELETE", operation="delete_role")
def delete_role(svc: GCSService, call: Call, role_id: str) -> Reply:
    endpoint, info = svc.caller(call)
    svc.state.delete_role(svc.world.transfer, endpoint, info.identity_id, role_id)
    return _result([], message=OK)


# The user credential routes register on this table too.
from . import credential_routes as _credential_routes  # noqa: E402

ROUTE_MODULES = (_credential_routes,)
