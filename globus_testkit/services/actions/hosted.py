"""Globus-hosted action providers, behind one implementation of the Action
Provider Interface: introspect, run, status, cancel, release, log, resume,
and the legacy ``/actions`` forms.

Each provider is a small behaviour (what ``run`` starts, how an action
progresses on the clock); the interface, auth, roles and errors are here
once. Errors are ``{"code", "description"}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ...clock import Clock, iso
from ...http import ApiError, Call, NotEmulated, Reply, marker_page, schema_problems, validate
from ..auth.errors import TokenRejected
from ..auth.models import RESOURCE_SERVER, AuthState, Dependency, identity_urn
from ..base import Routes, Service
from ..transfer import TRANSFER_ALL
from .providers import (
    ACTIONS_HOST,
    CATALOGUE,
    COMPUTE_ACTIONS_HOST,
    TRANSFER_ACTIONS_HOST,
    Provider,
    hosted_provider,
)

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
            "creator_id": identity_urn(self.creator_id),
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


class ActionsService(Service):
    name = "actions"
    hosts = (
        ACTIONS_HOST,
        "actions.automate.globus.org",
        TRANSFER_ACTIONS_HOST,
        COMPUTE_ACTIONS_HOST,
    )
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
        for provider in CATALOGUE:
            if auth.scope_by_string(provider.scope) is not None:
                continue  # Transfer's own scope, or one a sibling registered
            auth.register_scope(
                provider.scope,
                client_id=ACTIONS_CLIENT_ID,
                scope_id=auth.ids.stable_uuid("scope", provider.scope),
                dependencies=_dependencies(auth, provider),
            )

    def finish(self, action: Action, status: str) -> None:
        action.status, action.completion_time = status, self.world.clock.now()
        action.note(action.completion_time, status, f"the action {status.lower()}")

    def bring_up_to_date(self, action: Action) -> None:
        self.world.actions.progress(action)
        provider = hosted_provider(action.provider)
        if provider is not None and provider.poll is not None and action.status == "ACTIVE":
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

    def provider(self, call: Call, path: str, *, running: bool = True) -> Provider:
        """The hosted provider this request is for, by its exact URL. One
        that Globus hosts but the emulator lacks answers the loud 501 (unless
        only introspected)."""
        host = (urlsplit(call.base_url).hostname or "").lower()
        # On the loopback server (/actions/<path>) the host is implied.
        hosts = (
            (host,)
            if host in self.hosts
            else (ACTIONS_HOST, TRANSFER_ACTIONS_HOST, COMPUTE_ACTIONS_HOST)
        )
        for candidate in hosts:
            found = hosted_provider(f"https://{candidate}/{path}")
            if found is not None:
                if running and not found.emulated:
                    raise NotEmulated(found.url, call.method, call.path)
                return found
        raise ApiError(404, "ActionNotFound", f"no action provider at /{path} is known")

    def caller(self, call: Call, provider: Provider) -> str:
        """Who calls: a token for the provider's own resource server (Transfer's,
        for the transfer.actions.globus.org family) carrying its scope."""
        bearer = call.bearer()
        if bearer is None:
            raise ApiError(401, "UnauthorizedRequest", "no bearer token was sent")
        audience = self.world.auth.resource_server_of(provider.scope) or self.resource_server
        try:
            info = self.world.auth.check_token(bearer, audience)
        except TokenRejected as err:
            raise ApiError(401, "UnauthorizedRequest", err.reason) from err
        call.token = info
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
        if (
            action is None
            or action.provider != provider.url
            or (identity != action.creator_id and self.principal_urns(identity).isdisjoint(allowed))
        ):
            raise ApiError(404, "ActionNotFound", f"no action {action_id}")
        self.bring_up_to_date(action)
        return action


@routes.route("/<path:provider>/", "GET", operation="introspect")
# A provider at a host's root (https://compute.actions.globus.org) has no path.
@routes.route("/", "GET", operation="introspect_root", defaults={"provider": ""})
def introspect(svc: ActionsService, call: Call, provider: str) -> Reply:
    found = svc.provider(call, provider, running=False)
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
@routes.route("/run", "POST", operation="run_root", defaults={"provider": ""})
@routes.route("/<path:provider>/actions", "POST", operation="run_legacy")
def run(svc: ActionsService, call: Call, provider: str) -> Reply:
    found = svc.provider(call, provider)
    identity = svc.caller(call, found)
    request = call.json_object()
    validate(request, "action_request", code="BadActionRequest")
    errors = _input_errors(found, request["body"])
    if errors:
        raise ApiError(400, "BadActionRequest", errors)
    key = (found.url, identity, request["request_id"])
    state = svc.world.actions
    if key in state.by_request:
        action = state.actions[state.by_request[key]]
        svc.bring_up_to_date(action)
        return Reply(action.to_api(), 200)
    action = Action(
        id=svc.world.ids.uuid(),
        provider=found.url,
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
    assert found.start is not None  # svc.provider refuses providers not emulated
    found.start(svc, action)
    state.by_request[key] = action.id
    return Reply(action.to_api(), 202)


def _input_errors(provider: Provider, body: Any) -> str:
    return "; ".join(schema_problems(provider.input_schema, body))


@routes.route("/<path:provider>/<action_id>/status", "GET", operation="status")
@routes.route("/<action_id>/status", "GET", operation="status_root", defaults={"provider": ""})
@routes.route("/<path:provider>/actions/<action_id>", "GET", operation="status_legacy")
def status(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    return Reply(svc.action(call, svc.provider(call, provider), action_id, manage=False).to_api())


@routes.route("/<path:provider>/<action_id>/log", "GET", operation="log")
@routes.route("/<action_id>/log", "GET", operation="log_root", defaults={"provider": ""})
def log(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    action = svc.action(call, svc.provider(call, provider), action_id, manage=False)
    entries = list(reversed(action.log)) if call.arg_bool("reverse_order") else list(action.log)
    limit = call.arg_int("limit", 100, minimum=1, maximum=1000)
    page, marker = marker_page(entries, call.args.get("marker"), limit)
    return Reply({"entries": page, "has_next_page": marker is not None, "marker": marker})


@routes.route("/<path:provider>/<action_id>/cancel", "POST", operation="cancel")
@routes.route("/<action_id>/cancel", "POST", operation="cancel_root", defaults={"provider": ""})
@routes.route("/<path:provider>/actions/<action_id>/cancel", "POST", operation="cancel_legacy")
def cancel(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    action = svc.action(call, svc.provider(call, provider), action_id, manage=True)
    if action.status in ("ACTIVE", "INACTIVE"):
        action.status, action.completion_time = "FAILED", svc.world.clock.now()
        action.note(action.completion_time, "CANCELED", "the action was canceled")
        action.details = {"canceled": True, "previous": action.details}
    return Reply(action.to_api())


@routes.route("/<path:provider>/<action_id>/release", "POST", operation="release")
@routes.route("/<action_id>/release", "POST", operation="release_root", defaults={"provider": ""})
@routes.route("/<path:provider>/actions/<action_id>/release", "POST", operation="release_legacy")
def release(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    action = svc.action(call, svc.provider(call, provider), action_id, manage=True)
    if action.status in ("ACTIVE", "INACTIVE"):
        raise ApiError(409, "ActionConflict", "the action is still running")
    del svc.world.actions.actions[action.id]
    return Reply(action.to_api())


@routes.route("/<path:provider>/<action_id>/resume", "POST", operation="resume")
@routes.route("/<action_id>/resume", "POST", operation="resume_root", defaults={"provider": ""})
def resume(svc: ActionsService, call: Call, provider: str, action_id: str) -> Reply:
    action = svc.action(call, svc.provider(call, provider), action_id, manage=True)
    if action.status == "INACTIVE":
        action.status, action.resumed = "ACTIVE", True
        action.note(svc.world.clock.now(), "RESUMED", "the action was resumed")
        svc.bring_up_to_date(action)
    return Reply(action.to_api())


def _dependencies(auth: AuthState, provider: Provider) -> list[Dependency]:
    """The scopes a hosted provider calls other services with: Transfer's
    for the Transfer family, Compute's for the Compute providers."""
    wanted = [TRANSFER_ALL] if provider.uses_transfer else []
    wanted += [provider.dependent_scope] if provider.dependent_scope else []
    found = [auth.scope_by_string(s) for s in wanted]
    return [Dependency(scope.id) for scope in found if scope is not None]
