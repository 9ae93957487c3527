"""Globus-hosted action providers, behind one implementation of the Action
Provider Interface: introspect, run, status, cancel, release, log, resume,
and the legacy ``/actions`` forms.

Each provider is a small behaviour (what ``run`` starts, how an action
progresses on the clock); the interface, auth, roles and errors are here
once. Errors are ``{"code", "description"}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...clock import Clock, iso
from ...http import ApiError, Call, Reply, marker_page, schema_problems, validate
from ..auth.models import RESOURCE_SERVER, Dependency
from ..base import Routes, Service
from .inputs import DELETE_INPUT, ENDPOINT_PATH, TRANSFER_INPUT

if TYPE_CHECKING:
    from ...emulator import World

routes = Routes()

ACTIONS_CLIENT_ID = "b8f4d7a2-4e61-5f6c-9a0d-3c2e1b7a9f10"
ACTIONS_RESOURCE_SERVER = "actions.globus.org"


@dataclass
class Action:
    id: str
    provider: str
    creator_id: str
    request_id: str
    body: dict[str, Any]
    start_time: float
    status: str = "ACTIVE"
    details: Any = None
    label: str | None = None
    monitor_by: list[str] = field(default_factory=list)
    manage_by: list[str] = field(default_factory=list)
    completion_time: float | None = None
    finish_at: float | None = None
    polls: int = 0
    resumed: bool = False
    log: list[dict[str, Any]] = field(default_factory=list)

    def note(self, at: float, code: str, description: str) -> None:
        self.log.append({"time": iso(at), "code": code, "description": description})

    def to_api(self) -> dict[str, Any]:
        return {
            "action_id": self.id,
            "status": self.status,
            "display_status": self.status,
            "creator_id": f"urn:globus:auth:identity:{self.creator_id}",
            "details": self.details,
            "label": self.label,
            "monitor_by": list(self.monitor_by),
            "manage_by": list(self.manage_by),
            "start_time": iso(self.start_time),
            "completion_time": iso(self.completion_time) if self.completion_time else None,
            "release_after": "P30D",
        }


class ActionsState:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.actions: dict[str, Action] = {}
        self.by_request: dict[tuple[str, str, str], str] = {}
        self.notifications: list[dict[str, Any]] = []

    def progress(self, action: Action) -> None:
        finish_at = action.finish_at
        if action.status == "ACTIVE" and finish_at is not None and self.clock.now() >= finish_at:
            action.status = "SUCCEEDED"
            action.completion_time = finish_at
            action.note(finish_at, "SUCCEEDED", "the action succeeded")


# -- the providers' own behaviour ------------------------------------------------------

TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
TRANSFER_API = "https://transfer.api.globus.org/v0.10"


@dataclass(frozen=True)
class Provider:
    """What one hosted provider does; the interface around it is shared.

    ``start`` fills in a new action (status, details, maybe ``finish_at``);
    ``poll``, if given, brings a running action up to date when read.
    """

    name: str
    title: str
    scope: str
    input_schema: dict[str, Any]
    start: Callable[[ActionsService, Action], None]
    poll: Callable[[ActionsService, Action], None] | None = None
    synchronous: bool = False


def _hello_world(svc: ActionsService, action: Action) -> None:
    echo = action.body.get("echo_string", "hello, world")
    action.details = {"Hello": "World", "hello": echo}
    sleep = float(action.body.get("sleep_time", 0) or 0)
    if sleep > 0:
        action.finish_at = action.start_time + sleep
    else:
        svc.finish(action, "SUCCEEDED")


def _expression_eval(svc: ActionsService, action: Action) -> None:
    from ..flows.language import LanguageError, evaluate

    results = []
    for item in action.body.get("expressions", []):
        try:
            results.append(evaluate(item["expression"], item.get("arguments", {})))
        except LanguageError as err:
            action.details = {"error": err.cause, "expression": item["expression"]}
            svc.finish(action, "FAILED")
            return
    action.details = {"results": results}
    svc.finish(action, "SUCCEEDED")


def _notify(svc: ActionsService, action: Action) -> None:
    # Captured for the test to read; nothing is ever sent anywhere.
    svc.world.actions.notifications.append(dict(action.body))
    action.details = {"sent": True, "destination": action.body.get("destination")}
    svc.finish(action, "SUCCEEDED")


def _test_provider(svc: ActionsService, action: Action) -> None:
    """Behaves as told: ``{"outcome": "succeed" | "fail" | "inactive",
    "polls": N, "details": {...}}``."""
    action.details = action.body.get("details", {"outcome": action.body.get("outcome")})
    _test_poll(svc, action)


def _test_poll(svc: ActionsService, action: Action) -> None:
    if action.status not in ("ACTIVE",):
        return
    action.polls += 1
    if action.polls <= int(action.body.get("polls", 0)):
        return
    outcome = action.body.get("outcome", "succeed")
    if outcome == "inactive" and not action.resumed:
        action.status = "INACTIVE"
        action.note(svc.world.clock.now(), "INACTIVE", "the action needs attention")
        action.details = action.body.get("details") or {
            "code": "AuthorizationRequired",
            "authorization_parameters": {
                "session_message": "consent needed",
                "required_scopes": ["openid"],
            },
        }
    else:
        svc.finish(action, "FAILED" if outcome == "fail" else "SUCCEEDED")


def _transfer_scope(*collections: str) -> str:
    deps = " ".join(f"*https://auth.globus.org/scopes/{c}/data_access" for c in collections)
    return f"{TRANSFER_ALL}[{deps}]" if deps else TRANSFER_ALL


def _transfer_call(
    svc: ActionsService, action: Action, method: str, path: str, body: Any, *collections: str
) -> tuple[int, Any]:
    """Call Transfer as the action's creator (a dependent token, as the
    hosted Transfer provider gets one)."""
    token = svc.world.auth.issue_token(
        action.creator_id, _transfer_scope(*collections), client_id=ACTIONS_CLIENT_ID
    )[0].value
    return svc.emulator.call_internal(method, f"{TRANSFER_API}{path}", token, body)


def _submit_task(
    svc: ActionsService, action: Action, document: dict[str, Any], *collections: str
) -> None:
    status, answer = _transfer_call(
        svc, action, "POST", f"/{document['DATA_TYPE']}", document, *collections
    )
    if status >= 400:
        action.details = answer
        svc.finish(action, "FAILED")
        return
    action.details = {"task_id": answer["task_id"]}
    _task_poll(svc, action)


def _task_poll(svc: ActionsService, action: Action) -> None:
    if action.status != "ACTIVE" or not isinstance(action.details, dict):
        return
    task_id = action.details.get("task_id")
    status, task = _transfer_call(svc, action, "GET", f"/task/{task_id}", None)
    if status >= 400:
        return
    action.details = task
    if task["status"] in ("SUCCEEDED", "FAILED"):
        svc.finish(action, task["status"])


def _transfer(svc: ActionsService, action: Action) -> None:
    body = action.body
    source = body.get("source_endpoint") or body["source_endpoint_id"]
    destination = body.get("destination_endpoint") or body["destination_endpoint_id"]
    document = {
        "DATA_TYPE": "transfer",
        "source_endpoint": source,
        "destination_endpoint": destination,
        "label": body.get("label"),
        "DATA": [
            {
                "DATA_TYPE": "transfer_item",
                "source_path": i["source_path"],
                "destination_path": i["destination_path"],
                "recursive": bool(i.get("recursive", False)),
            }
            for i in body["transfer_items"]
        ],
    }
    for key in ("sync_level", "verify_checksum", "preserve_timestamp", "skip_source_errors"):
        if key in body:
            document[key] = body[key]
    _submit_task(
        svc, action, {k: v for k, v in document.items() if v is not None}, source, destination
    )


def _delete(svc: ActionsService, action: Action) -> None:
    body = action.body
    endpoint = body.get("endpoint") or body["endpoint_id"]
    document = {
        "DATA_TYPE": "delete",
        "endpoint": endpoint,
        "recursive": bool(body.get("recursive", False)),
        # The hosted provider takes paths (as flows write them) or items
        # with a path (as Transfer's delete documents do).
        "DATA": [
            {"DATA_TYPE": "delete_item", "path": i if isinstance(i, str) else i["path"]}
            for i in body["items"]
        ],
    }
    _submit_task(svc, action, document, endpoint)


def _operation(operation: str) -> Callable[[ActionsService, Action], None]:
    def start(svc: ActionsService, action: Action) -> None:
        endpoint = str(action.body.get("endpoint_id") or action.body.get("endpoint") or "")
        path = action.body.get("path", "/")
        if operation == "mkdir":
            status, answer = _transfer_call(
                svc,
                action,
                "POST",
                f"/operation/endpoint/{endpoint}/mkdir",
                {"DATA_TYPE": "mkdir", "path": path},
                endpoint,
            )
        else:
            from urllib.parse import quote

            status, answer = _transfer_call(
                svc,
                action,
                "GET",
                f"/operation/endpoint/{endpoint}/{operation}?path={quote(path)}",
                None,
                endpoint,
            )
        action.details = answer
        svc.finish(action, "FAILED" if status >= 400 else "SUCCEEDED")

    return start


PROVIDERS = {
    p.name: p
    for p in (
        Provider(
            "hello_world",
            "Hello World",
            "https://auth.globus.org/scopes/actions.globus.org/hello_world",
            {
                "type": "object",
                "properties": {
                    "echo_string": {"type": "string"},
                    "sleep_time": {"type": "number", "minimum": 0},
                    "required_dependent_scope": {"type": "string"},
                },
                "additionalProperties": False,
            },
            _hello_world,
        ),
        Provider(
            "expression_eval",
            "Expression evaluation",
            "https://auth.globus.org/scopes/actions.globus.org/expression_eval",
            {
                "type": "object",
                "properties": {"expressions": {"type": "array"}},
                "required": ["expressions"],
            },
            _expression_eval,
            synchronous=True,
        ),
        Provider(
            "notify",
            "Notification",
            "https://auth.globus.org/scopes/actions.globus.org/notification/notify",
            {
                "type": "object",
                "properties": {"destination": {}, "subject": {}, "body": {}},
                "required": ["destination"],
            },
            _notify,
        ),
        Provider(
            "test",
            "globus-testkit test provider",
            "https://auth.globus.org/scopes/actions.globus.org/testkit_test",
            {
                "type": "object",
                "properties": {
                    "outcome": {"enum": ["succeed", "fail", "inactive"]},
                    "polls": {"type": "integer", "minimum": 0},
                    "details": {},
                },
            },
            _test_provider,
            _test_poll,
        ),
        Provider(
            "transfer",
            "Transfer",
            "https://auth.globus.org/scopes/actions.globus.org/transfer/transfer",
            TRANSFER_INPUT,
            _transfer,
            _task_poll,
        ),
        Provider(
            "delete",
            "Delete",
            "https://auth.globus.org/scopes/actions.globus.org/transfer/delete",
            DELETE_INPUT,
            _delete,
            _task_poll,
        ),
        Provider(
            "ls",
            "List directory",
            "https://auth.globus.org/scopes/actions.globus.org/transfer/ls",
            ENDPOINT_PATH,
            _operation("ls"),
            synchronous=True,
        ),
        Provider(
            "stat",
            "Stat",
            "https://auth.globus.org/scopes/actions.globus.org/transfer/stat",
            ENDPOINT_PATH,
            _operation("stat"),
            synchronous=True,
        ),
        Provider(
            "mkdir",
            "Make directory",
            "https://auth.globus.org/scopes/actions.globus.org/transfer/mkdir",
            ENDPOINT_PATH,
            _operation("mkdir"),
            synchronous=True,
        ),
    )
}


def scope_for_url(url: str) -> str | None:
    """The scope of the hosted provider at ``url``, if there is one."""
    found = PROVIDERS.get(url.rstrip("/").rsplit("/", 1)[-1])
    return found.scope if found else None


class ActionsService(Service):
    name = "actions"
    hosts = ("actions.globus.org", "actions.automate.globus.org", "transfer.actions.globus.org")
    resource_server = ACTIONS_RESOURCE_SERVER
    routes = routes

    @classmethod
    def seed_world(cls, world: World) -> None:
        auth = world.auth
        auth.register_client(
            "Globus hosted actions",
            client_type=RESOURCE_SERVER,
            client_id=ACTIONS_CLIENT_ID,
            fqdn=ACTIONS_RESOURCE_SERVER,
        )
        transfer = auth.scope_by_string(TRANSFER_ALL)
        for provider in PROVIDERS.values():
            uses_transfer = provider.name in ("transfer", "delete", "ls", "stat", "mkdir")
            auth.register_scope(
                provider.scope,
                client_id=ACTIONS_CLIENT_ID,
                scope_id=auth.ids.stable_uuid("scope", provider.scope),
                dependencies=[Dependency(transfer.id)] if uses_transfer and transfer else [],
            )

    def finish(self, action: Action, status: str) -> None:
        action.status, action.completion_time = status, self.world.clock.now()
        action.note(action.completion_time, status, f"the action {status.lower()}")

    def bring_up_to_date(self, action: Action) -> None:
        self.world.actions.progress(action)
        provider = PROVIDERS[action.provider]
        if provider.poll is not None and action.status == "ACTIVE":
            provider.poll(self, action)

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        codes = {
            400: "BadActionRequest",
            401: "UnauthorizedRequest",
            403: "UnauthorizedRequest",
            404: "ActionNotFound",
            409: "ActionConflict",
            501: "NotImplemented",
        }
        code = (
            err.code
            if err.code[:1].isupper() and err.code in codes.values()
            else codes.get(err.status, err.code)
        )
        return {"code": code, "description": err.message}

    def provider(self, name: str) -> Provider:
        found = PROVIDERS.get(name.rstrip("/").rsplit("/", 1)[-1])
        if found is None:
            raise ApiError(404, "ActionNotFound", f"no action provider {name!r} is emulated")
        return found

    def caller(self, call: Call, provider: Provider) -> str:
        info = self.authenticate(call)
        if self.world.auth.strict and not info.has_scope(provider.scope):
            raise ApiError(
                401,
                "UnauthorizedRequest",
                f"the token lacks the scope {provider.scope}",
            )
        return info.identity_id

    def action(self, call: Call, provider: Provider, action_id: str, *, manage: bool) -> Action:
        identity = self.caller(call, provider)
        action = self.world.actions.actions.get(action_id)
        allowed = (
            (action.manage_by if manage else action.monitor_by + action.manage_by) if action else []
        )
        principal = f"urn:globus:auth:identity:{identity}"
        if (
            action is None
            or action.provider != provider.name
            or (identity != action.creator_id and principal not in allowed)
        ):
            raise ApiError(404, "ActionNotFound", f"no action {action_id}")
        self.bring_up_to_date(action)
        return action


@routes.route("/<path:provider>/", "GET", operation="introspect")
def introspect(svc: ActionsService, call: Call, provider: str) -> Reply:
    found = svc.provider(provider)
    return Reply(
        {
            "globus_auth_scope": found.scope,
            "title": found.title,
            "subtitle": f"Emulated {found.title}",
            "admin_contact": "support@globus.org",
            "synchronous": found.synchronous,
            "input_schema": found.input_schema,
            "types": ["Action"],
            "api_version": "1.0",
            "visible_to": ["public"],
            "runnable_by": ["all_authenticated_users"],
            "administered_by": [],
            "log_supported": True,
            "maximum_deadline": "P30D",
            "keywords": [],
        }
    )


@routes.route("/<path:provider>/run", "POST", operation="run")
@routes.route("/<path:provider>/actions", "POST", operation="run_legacy")
def run(svc: ActionsService, call: Call, provider: str) -> Reply:
    found = svc.provider(provider)
    identity = svc.caller(call, found)
    request = call.json_object()
    validate(request, "action_request", code="BadActionRequest")
    errors = _input_errors(found, request["body"])
    if errors:
        raise ApiError(400, "BadActionRequest", errors)
    key = (found.name, identity, request["request_id"])
    state = svc.world.actions
    if key in state.by_request:
        action = state.actions[state.by_request[key]]
        svc.bring_up_to_date(action)
        return Reply(action.to_api(), 200)
    action = Action(
        id=svc.world.ids.uuid(),
        provider=found.name,
        creator_id=identity,
        request_id=request["request_id"],
        body=request["body"],
        start_time=svc.world.clock.now(),
        label=request.get("label"),
        monitor_by=list(request.get("monitor_by") or []),
        manage_by=list(request.get("manage_by") or []),
    )
    state.actions[action.id] = action
    action.note(action.start_time, "STARTED", f"{found.title} started")
    found.start(svc, action)
    state.by_request[key] = action.id
    return Reply(action.to_api(), 202)


def _input_errors(provider: Provider, body: Any) -> str:
    return "; ".join(schema_problems(provider.input_schema, body))


@routes.route("/<path:provider>/<action_id>/status", "GET", operation="status")
@routes.route("/<path:provider>/actions/<action_id>", "GET", operation="status_legacy")
def status(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    return Reply(svc.action(call, svc.provider(provider), action_id, manage=False).to_api())


@routes.route("/<path:provider>/<action_id>/log", "GET", operation="log")
def log(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    action = svc.action(call, svc.provider(provider), action_id, manage=False)
    entries = list(reversed(action.log)) if call.arg_bool("reverse_order") else list(action.log)
    limit = call.arg_int("limit", 100, minimum=1, maximum=1000)
    page, marker = marker_page(entries, call.args.get("marker"), limit)
    return Reply({"entries": page, "has_next_page": marker is not None, "marker": marker})


@routes.route("/<path:provider>/<action_id>/cancel", "POST", operation="cancel")
@routes.route("/<path:provider>/actions/<action_id>/cancel", "POST", operation="cancel_legacy")
def cancel(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    action = svc.action(call, svc.provider(provider), action_id, manage=True)
    if action.status in ("ACTIVE", "INACTIVE"):
        action.status, action.completion_time = "FAILED", svc.world.clock.now()
        action.note(action.completion_time, "CANCELED", "the action was canceled")
        action.details = {"canceled": True, "previous": action.details}
    return Reply(action.to_api())


@routes.route("/<path:provider>/<action_id>/release", "POST", operation="release")
@routes.route("/<path:provider>/actions/<action_id>/release", "POST", operation="release_legacy")
def release(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    action = svc.action(call, svc.provider(provider), action_id, manage=True)
    if action.status in ("ACTIVE", "INACTIVE"):
        raise ApiError(409, "ActionConflict", "the action is still running")
    del svc.world.actions.actions[action.id]
    return Reply(action.to_api())


@routes.route("/<path:provider>/<action_id>/resume", "POST", operation="resume")
def resume(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    action = svc.action(call, svc.provider(provider), action_id, manage=True)
    if action.status == "INACTIVE":
        action.status, action.resumed = "ACTIVE", True
        action.note(svc.world.clock.now(), "RESUMED", "the action was resumed")
        svc.bring_up_to_date(action)
    return Reply(action.to_api())
