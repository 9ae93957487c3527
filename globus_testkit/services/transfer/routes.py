"""Globus Transfer's HTTP surface (``/v0.10/...``): parse, check, call the
models, format. Errors are ``{"code", "message", "request_id", "resource"}``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from ...http import ApiError, Call, Reply, SessionRequired, marker_page, offset_page, validate
from ...resources import fixtures_dir
from ...worlds import strict_object, uuid_string
from ..auth.models import RESOURCE_SERVER
from ..base import Routes, Service
from .errors import BadRequest, Conflict, ConsentRequired
from .errors import NotFound as NotFoundError
from .filetree import normalize
from .listing import ls_entry, name_filter
from .models import (
    ENTITY_TYPES,
    MANAGING,
    MAPPED,
    Collection,
    TransferState,
)
from .tasks import Task, Tasks, matches, parse_task_filter, task_body, task_document

if TYPE_CHECKING:
    from collections.abc import Sequence

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

    world_schema: ClassVar[dict[str, Any]] = {
        "collections": {
            "type": "array",
            "description": "more collections, with their files",
            "items": strict_object(
                {
                    "display_name": {"type": "string"},
                    "id": uuid_string("the collection id (default: from the seed)"),
                    "entity_type": {"enum": list(ENTITY_TYPES), "description": f"default {MAPPED}"},
                    "owner_id": uuid_string("an identity id (default: the world's user)"),
                    "owner_string": {"type": "string"},
                    **{
                        field: {"type": "string"}
                        for field in (
                            "description",
                            "organization",
                            "department",
                            "contact_email",
                            "default_directory",
                            "keywords",  # comma-separated, as Transfer keeps them
                        )
                    },
                    **{
                        field: {"type": "boolean"}
                        for field in (
                            "public",
                            "high_assurance",
                            "non_functional",
                            "requires_data_access_consent",
                        )
                    },
                    "subscription_id": uuid_string("a subscription id"),
                    "host_endpoint_id": uuid_string("the host endpoint's id"),
                    "directories": {"type": "array", "items": {"type": "string"}},
                    "files": {
                        "type": "array",
                        "items": strict_object(
                            {
                                "path": {"type": "string"},
                                "content": {"type": "string", "description": "text content"},
                                "size": {
                                    "type": "integer",
                                    "minimum": 0,
                                    "description": "a size only, no bytes kept",
                                },
                            },
                            required=("path",),
                        ),
                    },
                },
                required=("display_name",),
            ),
        }
    }

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

    def caller(self, call: Call) -> tuple[TokenInfo, set[str]]:
        """The caller's token and the ids of their groups."""
        info = self.authenticate(call, scope=TRANSFER_ALL)
        identities = {i.id for i in self.world.auth.identity_set(info.identity_id)}
        return info, self.world.groups.group_ids_of(identities)

    def subscriptions_of(self, identity_id: str, *, admin: bool) -> set[str]:
        """The subscriptions whose groups the caller is in (as an admin, if
        ``admin``): Groups alone answers who belongs to a subscription."""
        identities = [i.id for i in self.world.auth.identity_set(identity_id)]
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

    def usable(self, call: Call, collection_id: str) -> tuple[TokenInfo, set[str], Collection]:
        info, groups = self.caller(call)
        collection = self.state.visible_collection(collection_id, info.identity_id, groups)
        self.require_consent(info, collection)
        self.require_session(call, info, collection)
        return info, groups, collection

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


def add_collections(world: World, items: list[dict[str, Any]], *, default_owner: str) -> None:
    """Collections (and their files) from a world description."""
    for item in items:
        owner = world.auth.identities.get(item.get("owner_id", default_owner))
        if owner is None:
            raise ValueError(f"collection owner {item.get('owner_id')} is not an identity")
        fields = {
            k: item[k]
            for k in (
                "description",
                "keywords",
                "organization",
                "department",
                "contact_email",
                "public",
                "default_directory",
                "high_assurance",
                "subscription_id",
                "host_endpoint_id",
                "non_functional",
                "requires_data_access_consent",
            )
            if k in item
        }
        entity_type = item.get("entity_type", MAPPED)
        fields.setdefault("requires_data_access_consent", entity_type == MAPPED)
        collection = world.transfer.create_collection(
            item["display_name"],
            owner_id=owner.id,
            owner_string=item.get("owner_string", owner.username),
            entity_type=entity_type,
            collection_id=item.get("id"),
            **fields,
        )
        if collection.requires_data_access_consent:
            register_data_access(world, collection)
        for directory in item.get("directories", []):
            collection.tree.mkdir(normalize(directory), parents=True, exist_ok=True)
        for entry in item.get("files", []):
            content = entry.get("content")
            collection.tree.write(
                normalize(entry["path"]),
                content=content.encode() if isinstance(content, str) else None,
                size=entry.get("size"),
            )


def register_data_access(world: World, collection: Collection) -> None:
    """The collection's data_access scope, on a resource server of its own
    (as a GCS endpoint has), so Transfer's scope can depend on it."""
    auth = world.auth
    if auth.scope_by_string(collection.data_access_scope) is not None:
        return
    if collection.id not in auth.clients:
        auth.register_client(
            f"{collection.display_name} (storage gateway)",
            client_type=RESOURCE_SERVER,
            client_id=collection.id,
        )
    auth.register_scope(
        collection.data_access_scope,
        client_id=collection.id,
        description=f"Access data on {collection.display_name}",
        scope_id=auth.ids.stable_uuid("data_access", collection.id),
    )


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
    info, groups = svc.caller(call)
    non_functional = call.args.get("filter_non_functional")
    found = svc.state.search(
        info.identity_id,
        groups,
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
    info, groups = svc.caller(call)
    collection = svc.state.visible_collection(collection_id, info.identity_id, groups)
    return Reply(svc.document(call, collection))


@routes.route(f"{API}/endpoint/<collection_id>", "PUT", operation="update_endpoint")
def update_endpoint(svc: TransferService, call: Call, collection_id: str) -> Reply:
    info, groups = svc.caller(call)
    svc.state.visible_collection(collection_id, info.identity_id, groups)
    body = call.json_object()
    validate(body, "transfer_endpoint_update", code="ClientError.BadRequest")
    collection = svc.state.collection(collection_id)
    # Every check comes before any change, so a refused update changes nothing.
    change = _admin_routes.subscription_change(svc, collection, info.identity_id, groups, body)
    svc.state.update_collection(collection_id, info.identity_id, groups, body)
    _admin_routes.apply_subscription_change(collection, change)
    return _result(call, "result", "Updated", "Endpoint updated successfully")


@routes.route(f"{API}/endpoint/<collection_id>", "DELETE", operation="delete_endpoint")
def delete_endpoint(svc: TransferService, call: Call, collection_id: str) -> Reply:
    info, groups = svc.caller(call)
    svc.state.visible_collection(collection_id, info.identity_id, groups)
    svc.state.delete_collection(collection_id, info.identity_id, groups)
    return _result(call, "result", "Deleted", "Endpoint deleted successfully")


# -- file operations ---------------------------------------------------------------------

OP = f"{API}/operation/endpoint/<collection_id>"


@routes.route(f"{OP}/ls", "GET", operation="operation_ls")
def operation_ls(svc: TransferService, call: Call, collection_id: str) -> Reply:
    info, groups, collection = svc.usable(call, collection_id)
    path = normalize(
        call.args.get("path") or collection.default_directory, collection.default_directory
    )
    svc.state.require(collection, info.identity_id, groups, path, write=False)
    directory = collection.tree.directory(path)
    assert directory.children is not None
    names: list[str] = directory.sorted_names()
    if not call.arg_bool("show_hidden", True):
        names = [n for n in names if not n.startswith(".")]
    if call.args.get("filter"):
        keep = name_filter(call.args["filter"])
        names = [n for n in names if keep(n, directory.children[n])]
    names = _ordered(names, directory.children, call.args.get("orderby"))
    page = offset_page(call, names, default_limit=100000, max_limit=100000)
    return Reply(
        {
            "DATA_TYPE": "file_list",
            "DATA": [ls_entry(n, directory.children[n]) for n in page.items],
            "path": path if path.endswith("/") else path + "/",
            "absolute_path": path if path.endswith("/") else path + "/",
            "endpoint": collection.id,
            "length": len(page.items),
            "total": page.total,
            "offset": page.offset,
            "limit": page.limit,
            "rename_supported": True,
            "symlink_supported": True,
        }
    )


def _ordered(names: list[str], children: dict[str, Any], orderby: str | None) -> list[str]:
    if not orderby:
        return names
    field_name, _, direction = orderby.strip().partition(" ")
    keys = {
        "name": lambda n: n,
        "size": lambda n: children[n].size,
        "last_modified": lambda n: children[n].mtime,
        "type": lambda n: children[n].kind,
    }
    if field_name not in keys or direction.upper() not in ("", "ASC", "DESC"):
        raise BadRequest(f"invalid orderby {orderby!r}")
    return sorted(names, key=keys[field_name], reverse=direction.upper() == "DESC")


@routes.route(f"{OP}/stat", "GET", operation="operation_stat")
def operation_stat(svc: TransferService, call: Call, collection_id: str) -> Reply:
    info, groups, collection = svc.usable(call, collection_id)
    path = normalize(call.args.get("path") or "", collection.default_directory)
    svc.state.require(collection, info.identity_id, groups, path, write=False)
    node = collection.tree.find(path)
    return Reply(ls_entry(node.name if path != "/" else "/", node))


@routes.route(f"{OP}/mkdir", "POST", operation="operation_mkdir")
def operation_mkdir(svc: TransferService, call: Call, collection_id: str) -> Reply:
    info, groups, collection = svc.usable(call, collection_id)
    body = call.json_object()
    validate(body, "transfer_mkdir", code="ClientError.BadRequest")
    path = normalize(body["path"], collection.default_directory)
    svc.state.require(collection, info.identity_id, groups, path, write=True)
    collection.tree.mkdir(path)
    return _result(
        call, "mkdir_result", "DirectoryCreated", "The directory was created successfully"
    )


@routes.route(f"{OP}/rename", "POST", operation="operation_rename")
def operation_rename(svc: TransferService, call: Call, collection_id: str) -> Reply:
    info, groups, collection = svc.usable(call, collection_id)
    body = call.json_object()
    validate(body, "transfer_rename", code="ClientError.BadRequest")
    old = normalize(body["old_path"], collection.default_directory)
    new = normalize(body["new_path"], collection.default_directory)
    for path in (old, new):
        svc.state.require(collection, info.identity_id, groups, path, write=True)
    collection.tree.rename(old, new)
    return _result(call, "result", "FileRenamed", "File or directory renamed successfully")


# -- tasks ----------------------------------------------------------------------------------


@routes.route(f"{API}/submission_id", "GET", operation="get_submission_id")
def submission_id(svc: TransferService, call: Call) -> Reply:
    svc.caller(call)
    return Reply({"DATA_TYPE": "submission_id", "value": svc.tasks.new_submission_id()})


@routes.route(f"{API}/transfer", "POST", operation="submit_transfer")
def submit_transfer(svc: TransferService, call: Call) -> Reply:
    return _submit(svc, call, "transfer_submission", "transfer")


@routes.route(f"{API}/delete", "POST", operation="submit_delete")
def submit_delete(svc: TransferService, call: Call) -> Reply:
    return _submit(svc, call, "transfer_delete", "delete")


def _submit(svc: TransferService, call: Call, schema: str, kind: str) -> Reply:
    info, groups = svc.caller(call)
    document = call.json_object()
    validate(document, schema, code="ClientError.BadRequest")
    ids = (
        [document["source_endpoint"], document["destination_endpoint"]]
        if kind == "transfer"
        else [document["endpoint"]]
    )
    collections = [svc.state.visible_collection(c, info.identity_id, groups) for c in ids]
    svc.require_consent(info, *collections)
    task, new = svc.tasks.submit(info.identity_id, info.username, groups, document)
    return Reply(
        {
            "DATA_TYPE": f"{kind}_result",
            "code": "Accepted" if new else "Duplicate",
            "message": f"The {kind} has been accepted and a task has been created and queued "
            "for execution",
            "request_id": call.request_id,
            "resource": call.path,
            "submission_id": task.submission_id,
            "task_id": task.id,
            "task_link": {
                "DATA_TYPE": "link",
                "href": f"{API}/task/{task.id}?format=json",
                "rel": "related",
                "resource": "task",
                "title": "related task",
            },
        },
        202 if new else 200,
    )


@routes.route(f"{API}/task_list", "GET", operation="task_list")
def task_list(svc: TransferService, call: Call) -> Reply:
    info, _ = svc.caller(call)
    filters = parse_task_filter(call.args.get("filter", ""))
    found: Sequence[Task] = svc.tasks.list_for(info.identity_id)
    if filters:
        found = [t for t in found if matches(t, filters)]
    orderby = call.args.get("orderby", "request_time DESC")
    field_name, _, direction = orderby.strip().partition(" ")
    if field_name not in ("request_time", "completion_time", "label", "status"):
        raise BadRequest(f"invalid orderby {orderby!r}")
    if (field_name, direction.upper()) != ("request_time", "DESC"):
        found = sorted(
            found,
            key=lambda t: str(task_document(t, svc.state).get(field_name) or ""),
            reverse=direction.upper() == "DESC",
        )
    page = offset_page(call, found, default_limit=10, max_limit=1000)
    return Reply(
        {
            "DATA_TYPE": "task_list",
            "DATA": [task_document(t, svc.state) for t in page.items],
            "length": len(page.items),
            "limit": page.limit,
            "offset": page.offset,
            "total": page.total,
        }
    )


@routes.route(f"{API}/task/<task_id>", "GET", operation="get_task")
def get_task(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    return Reply(task_body(svc.tasks.get(task_id, info.identity_id), svc.state))


@routes.route(f"{API}/task/<task_id>", "PUT", operation="update_task")
def update_task(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    task = svc.tasks.get(task_id, info.identity_id)
    body = call.json_object()
    validate(body, "transfer_task_update", code="ClientError.BadRequest")
    if task.done:
        raise Conflict(f"task {task.id} has finished ({task.status}) and cannot be updated")
    if "label" in body:
        task.label = body["label"]
    if "deadline" in body:
        from .tasks import _deadline

        task.deadline = _deadline(body["deadline"])
    return _result(call, "result", "Updated", "Updated task successfully")


@routes.route(f"{API}/task/<task_id>/cancel", "POST", operation="cancel_task")
def cancel_task(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    if svc.tasks.cancel(task_id, info.identity_id):
        return _result(call, "result", "Canceled", "The task has been cancelled successfully.")
    return _result(
        call,
        "result",
        "TaskComplete",
        "The task completed before the cancel request was processed.",
    )


@routes.route(f"{API}/task/<task_id>/event_list", "GET", operation="task_event_list")
def task_event_list(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    return event_list_reply(call, svc.tasks.get(task_id, info.identity_id))


def event_list_reply(call: Call, task: Task) -> Reply:
    """A task's events, newest first as Transfer lists them, paged, with
    ``filter_is_error`` (the owner's and the manager's views alike)."""
    events = list(reversed(task.events))
    if "filter_is_error" in call.args:
        errors_only = call.arg_bool("filter_is_error")
        events = [e for e in events if e["is_error"] == errors_only]
    page = offset_page(call, events, default_limit=10, max_limit=1000)
    return Reply(
        {
            "DATA_TYPE": "event_list",
            "DATA": page.items,
            "offset": page.offset,
            "limit": page.limit,
            "total": page.total,
            "length": len(page.items),
        }
    )


@routes.route(
    f"{API}/task/<task_id>/successful_transfers", "GET", operation="task_successful_transfers"
)
def task_successful_transfers(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    task = svc.tasks.get(task_id, info.identity_id)
    return _marker_reply(call, "successful_transfers", task.successful)


@routes.route(f"{API}/task/<task_id>/skipped_errors", "GET", operation="task_skipped_errors")
def task_skipped_errors(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    task = svc.tasks.get(task_id, info.identity_id)
    return _marker_reply(call, "skipped_errors", task.skipped)


def _marker_reply(call: Call, data_type: str, items: list[Any]) -> Reply:
    limit = call.arg_int("limit", 100, minimum=1, maximum=1000)
    chunk, marker = marker_page(items, call.args.get("marker"), limit)
    return Reply(
        {
            "DATA_TYPE": data_type,
            "DATA": chunk,
            "marker": call.args.get("marker"),
            "next_marker": marker,
        }
    )


@routes.route(f"{API}/task/<task_id>/pause_info", "GET", operation="task_pause_info")
def task_pause_info(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    return Reply(pause_info(svc, svc.tasks.get(task_id, info.identity_id), limited=True))


def pause_info(svc: TransferService, task: Task, *, limited: bool) -> dict[str, Any]:
    """Why a task is paused: the rules holding it and the admins' messages."""
    rules = svc.tasks.pause_rules.pausing(task) if not task.done else []
    messages = {
        end: [r.message for r in rules if r.endpoint_id == collection_id and r.message]
        for end, collection_id in (("source", task.source_id), ("destination", task.destination_id))
    }
    if task.admin_pause_message and not task.done:
        messages["source"].append(task.admin_pause_message)
    return {
        "DATA_TYPE": "pause_info_limited" if limited else "pause_info",
        "pause_rules": [
            r.limited() if limited else r.to_api(svc.state.collections.get(r.endpoint_id))
            for r in rules
        ],
        "source_pause_message": "\n".join(messages["source"]) or None,
        "destination_pause_message": "\n".join(messages["destination"]) or None,
        "source_pause_message_share": None,
        "destination_pause_message_share": None,
    }


# -- access rules -------------------------------------------------------------------------


@routes.route(f"{API}/endpoint/<collection_id>/access_list", "GET", operation="endpoint_acl_list")
def access_list(svc: TransferService, call: Call, collection_id: str) -> Reply:
    info, groups = svc.caller(call)
    collection = svc.state.visible_collection(collection_id, info.identity_id, groups)
    svc.state.require_role(collection, info.identity_id, groups, MANAGING, "view access rules")
    return access_list_reply(collection)


def access_list_reply(collection: Collection) -> Reply:
    rules = [r.to_api() for r in collection.rules.values()]
    return Reply(
        {"DATA_TYPE": "access_list", "DATA": rules, "endpoint": collection.id, "length": len(rules)}
    )


@routes.route(f"{API}/endpoint/<collection_id>/access", "POST", operation="add_endpoint_acl_rule")
def add_access(svc: TransferService, call: Call, collection_id: str) -> Reply:
    info, groups = svc.caller(call)
    svc.state.visible_collection(collection_id, info.identity_id, groups)
    body = call.json_object()
    validate(body, "transfer_access", code="ClientError.BadRequest")
    rule = svc.state.add_rule(collection_id, info.identity_id, groups, body)
    return Reply(
        {
            "DATA_TYPE": "access_create_result",
            "code": "Created",
            "message": "Access rule created successfully.",
            "access_id": rule.id,
            "request_id": call.request_id,
            "resource": call.path,
        },
        201,
    )


ACCESS = f"{API}/endpoint/<collection_id>/access/<rule_id>"


@routes.route(ACCESS, "GET", operation="get_endpoint_acl_rule")
def get_access(svc: TransferService, call: Call, collection_id: str, rule_id: str) -> Reply:
    info, groups = svc.caller(call)
    return Reply(svc.state.rule(collection_id, info.identity_id, groups, rule_id).to_api())


@routes.route(ACCESS, "PUT", operation="update_endpoint_acl_rule")
def update_access(svc: TransferService, call: Call, collection_id: str, rule_id: str) -> Reply:
    info, groups = svc.caller(call)
    rule = svc.state.rule(collection_id, info.identity_id, groups, rule_id)
    body = call.json_object()
    validate(body, "transfer_access_update", code="ClientError.BadRequest")
    rule.permissions = body["permissions"]
    rule.expiration_date = body.get("expiration_date", rule.expiration_date)
    return _result(call, "result", "Updated", "Access rule updated successfully")


@routes.route(ACCESS, "DELETE", operation="delete_endpoint_acl_rule")
def delete_access(svc: TransferService, call: Call, collection_id: str, rule_id: str) -> Reply:
    info, groups = svc.caller(call)
    svc.state.delete_rule(collection_id, info.identity_id, groups, rule_id)
    return _result(call, "result", "Deleted", "Access rule deleted successfully")


# -- bookmarks ---------------------------------------------------------------------------


def _bookmark(svc: TransferService, identity_id: str, bookmark_id: str) -> dict[str, Any]:
    found = svc.state.bookmarks.get(bookmark_id)
    if found is None or found["owner_id"] != identity_id:
        raise NotFoundError(f"no bookmark {bookmark_id}")
    return found


def _bookmark_doc(bookmark: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in bookmark.items() if k != "owner_id"}


@routes.route(f"{API}/bookmark_list", "GET", operation="bookmark_list")
def bookmark_list(svc: TransferService, call: Call) -> Reply:
    info, _ = svc.caller(call)
    mine = [
        _bookmark_doc(b) for b in svc.state.bookmarks.values() if b["owner_id"] == info.identity_id
    ]
    return Reply({"DATA_TYPE": "bookmark_list", "DATA": mine})


@routes.route(f"{API}/bookmark", "POST", operation="create_bookmark")
def create_bookmark(svc: TransferService, call: Call) -> Reply:
    info, groups = svc.caller(call)
    body = call.json_object()
    validate(body, "transfer_bookmark", code="ClientError.BadRequest")
    collection = svc.state.visible_collection(body["endpoint_id"], info.identity_id, groups)
    if any(
        b["name"] == body["name"] and b["owner_id"] == info.identity_id
        for b in svc.state.bookmarks.values()
    ):
        raise Conflict(f"a bookmark named {body['name']!r} exists", code="Exists")
    bookmark = {
        "DATA_TYPE": "bookmark",
        "id": svc.world.ids.uuid(),
        "name": body["name"],
        "endpoint_id": collection.id,
        "path": normalize(body["path"]),
        "pinned": bool(body.get("pinned", False)),
        "owner_id": info.identity_id,
    }
    svc.state.bookmarks[bookmark["id"]] = bookmark
    return Reply(_bookmark_doc(bookmark))


BOOKMARK = f"{API}/bookmark/<bookmark_id>"


@routes.route(BOOKMARK, "GET", operation="get_bookmark")
def get_bookmark(svc: TransferService, call: Call, bookmark_id: str) -> Reply:
    info, _ = svc.caller(call)
    return Reply(_bookmark_doc(_bookmark(svc, info.identity_id, bookmark_id)))


@routes.route(BOOKMARK, "PUT", operation="update_bookmark")
def update_bookmark(svc: TransferService, call: Call, bookmark_id: str) -> Reply:
    info, _ = svc.caller(call)
    bookmark = _bookmark(svc, info.identity_id, bookmark_id)
    body = call.json_object()
    validate(body, "transfer_bookmark_update", code="ClientError.BadRequest")
    bookmark.update({k: body[k] for k in ("name", "pinned") if k in body})
    return Reply(_bookmark_doc(bookmark))


@routes.route(BOOKMARK, "DELETE", operation="delete_bookmark")
def delete_bookmark(svc: TransferService, call: Call, bookmark_id: str) -> Reply:
    info, _ = svc.caller(call)
    _bookmark(svc, info.identity_id, bookmark_id)
    del svc.state.bookmarks[bookmark_id]
    return _result(call, "result", "Deleted", "Bookmark deleted successfully")


# The administrators' routes, those creating endpoints and the servers'
# register on the same table, from their own modules.
from . import admin_routes as _admin_routes  # noqa: E402
from . import creation_routes as _creation_routes  # noqa: E402
from . import server_routes as _server_routes  # noqa: E402

ROUTE_MODULES = (_admin_routes, _creation_routes, _server_routes)
