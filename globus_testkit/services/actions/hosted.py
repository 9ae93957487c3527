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
from functools import cache
from typing import TYPE_CHECKING, Any

from ...clock import Clock, iso
from ...http import ApiError, Call, Reply, validate
from ..auth.models import RESOURCE_SERVER
from ..base import Routes, Service

if TYPE_CHECKING:
    from ...emulator import World

routes = Routes()

ACTIONS_CLIENT_ID = "b8f4d7a2-4e61-5f6c-9a0d-3c2e1b7a9f10"
ACTIONS_RESOURCE_SERVER = "actions.globus.org"


def provider_scope(name: str) -> str:
    return f"https://auth.globus.org/scopes/actions.globus.org/{name}"


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

    def progress(self, action: Action) -> None:
        finish_at = action.finish_at
        if action.status == "ACTIVE" and finish_at is not None and self.clock.now() >= finish_at:
            action.status = "SUCCEEDED"
            action.completion_time = finish_at


# -- the providers' own behaviour ------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    name: str
    title: str
    input_schema: dict[str, Any]
    start: Callable[[Action, Clock], None]
    synchronous: bool = False


def _hello_world(action: Action, clock: Clock) -> None:
    echo = action.body.get("echo_string", "hello, world")
    action.details = {"Hello": "World", "hello": echo}
    sleep = float(action.body.get("sleep_time", 0) or 0)
    if sleep > 0:
        action.finish_at = action.start_time + sleep
    else:
        action.status, action.completion_time = "SUCCEEDED", clock.now()


PROVIDERS = {
    "hello_world": Provider(
        "hello_world",
        "Hello World",
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
}


class ActionsService(Service):
    name = "actions"
    hosts = ("actions.globus.org", "actions.automate.globus.org")
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
        for name in PROVIDERS:
            auth.register_scope(
                provider_scope(name),
                client_id=ACTIONS_CLIENT_ID,
                scope_id=auth.ids.stable_uuid("scope", provider_scope(name)),
            )

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
        found = PROVIDERS.get(name)
        if found is None:
            raise ApiError(404, "ActionNotFound", f"no action provider {name!r} is emulated")
        return found

    def caller(self, call: Call, provider: Provider) -> str:
        info = self.authenticate(call)
        if self.world.auth.strict and not info.has_scope(provider_scope(provider.name)):
            raise ApiError(
                401,
                "UnauthorizedRequest",
                f"the token lacks the scope {provider_scope(provider.name)}",
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
        self.world.actions.progress(action)
        return action


@routes.route("/<provider>/", "GET", operation="introspect")
def introspect(svc: ActionsService, call: Call, provider: str) -> Reply:
    found = svc.provider(provider)
    return Reply(
        {
            "globus_auth_scope": provider_scope(found.name),
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


@routes.route("/<provider>/run", "POST", operation="run")
@routes.route("/<provider>/actions", "POST", operation="run_legacy")
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
        state.progress(action)
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
    found.start(action, svc.world.clock)
    state.actions[action.id] = action
    state.by_request[key] = action.id
    return Reply(action.to_api(), 202)


def _input_errors(provider: Provider, body: Any) -> str:
    problems = [e.message for e in _input_validator(provider.name).iter_errors(body)]
    return "; ".join(problems)


@cache
def _input_validator(name: str) -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(PROVIDERS[name].input_schema)


@routes.route("/<provider>/<action_id>/status", "GET", operation="status")
@routes.route("/<provider>/actions/<action_id>", "GET", operation="status_legacy")
def status(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    return Reply(svc.action(call, svc.provider(provider), action_id, manage=False).to_api())


@routes.route("/<provider>/<action_id>/log", "GET", operation="log")
def log(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    action = svc.action(call, svc.provider(provider), action_id, manage=False)
    return Reply(
        {
            "entries": [{"time": iso(action.start_time), "description": "started"}],
            "has_next_page": False,
            "marker": None,
        }
    )


@routes.route("/<provider>/<action_id>/cancel", "POST", operation="cancel")
@routes.route("/<provider>/actions/<action_id>/cancel", "POST", operation="cancel_legacy")
def cancel(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    action = svc.action(call, svc.provider(provider), action_id, manage=True)
    if action.status in ("ACTIVE", "INACTIVE"):
        action.status, action.completion_time = "FAILED", svc.world.clock.now()
        action.details = {"canceled": True, "previous": action.details}
    return Reply(action.to_api())


@routes.route("/<provider>/<action_id>/release", "POST", operation="release")
@routes.route("/<provider>/actions/<action_id>/release", "POST", operation="release_legacy")
def release(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    action = svc.action(call, svc.provider(provider), action_id, manage=True)
    if action.status in ("ACTIVE", "INACTIVE"):
        raise ApiError(409, "ActionConflict", "the action is still running")
    del svc.world.actions.actions[action.id]
    return Reply(action.to_api())


@routes.route("/<provider>/<action_id>/resume", "POST", operation="resume")
def resume(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    action = svc.action(call, svc.provider(provider), action_id, manage=True)
    if action.status == "INACTIVE":
        action.status = "ACTIVE"
    return Reply(action.to_api())
