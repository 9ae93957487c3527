"""The control plane: ``/_testkit/...`` on the loopback server.

Tests in other processes, scripts in other languages and people use it to
see and steer the world: health, the journal, the clock, fault rules,
headless logins, reset, and loading a world. No Globus API uses the
prefix, and it is only reachable on the server's own address: in-process,
a Globus host never routes here.
"""

from __future__ import annotations

from typing import Any

from .control_guard import refusal
from .http import ApiError, BadRequest, Call, NotFound, Reply, validate
from .services.auth.errors import OAuthError
from .services.base import Routes, Service

routes = Routes()

PREFIX = "_testkit"
# Journal pages: small enough that building one under the world lock is quick.
JOURNAL_PAGE = 1000
JOURNAL_PAGE_MAX = 5000


class ControlPlane(Service):
    name = PREFIX
    routes = routes
    faultable = False
    journaled = False

    def handle(self, call: Call) -> Reply:
        refused = refusal(
            call,
            remote_allowed=not self.emulator.control_loopback_only,
            bound_hosts=self.emulator.bound_hosts,
        )
        if refused is not None:
            status, message = refused
            code = "Forbidden" if status == 403 else "UnsupportedMediaType"
            return Reply({"code": code, "message": message}, status)
        return super().handle(call)

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        return {"code": err.code, "message": err.message}


@routes.route("/health", "GET")
def health(plane: ControlPlane, call: Call) -> Reply:
    from . import __version__

    return Reply(
        {
            "status": "ok",
            "version": __version__,
            "seed": plane.world.seed,
            "now": plane.world.clock.isoformat(),
            "services": sorted(s.name for s in plane.emulator.services),
        }
    )


@routes.route("/world", "GET")
def world_summary(plane: ControlPlane, call: Call) -> Reply:
    return Reply(plane.emulator.describe())


@routes.route("/reset", "POST")
def reset(plane: ControlPlane, call: Call) -> Reply:
    plane.emulator.reset()
    return Reply(plane.emulator.describe())


@routes.route("/world", "PUT")
def load_world(plane: ControlPlane, call: Call) -> Reply:
    """Replace the world with one built from a seed and a world description."""
    body = call.json_object()
    validate(body, "control_world")
    try:
        plane.emulator.load(seed=body.get("seed", plane.emulator.seed), world=body.get("world"))
    except (KeyError, TypeError, ValueError) as err:
        raise BadRequest(f"cannot build that world: {err}") from err
    return Reply(plane.emulator.describe())


@routes.route("/clock", "GET")
def clock(plane: ControlPlane, call: Call) -> Reply:
    return Reply(_clock(plane))


@routes.route("/clock/advance", "POST")
def advance_clock(plane: ControlPlane, call: Call) -> Reply:
    body = call.json_object()
    validate(body, "control_clock_advance")
    try:
        plane.world.clock.advance(body["seconds"])
    except ValueError as err:
        raise BadRequest(str(err)) from err
    return Reply(_clock(plane))


@routes.route("/mounts", "GET")
def list_mounts(plane: ControlPlane, call: Call) -> Reply:
    return Reply({"mounts": plane.emulator.actions.describe()})


@routes.route("/mounts", "POST")
def mount_provider(plane: ControlPlane, call: Call) -> Reply:
    """Mount a provider app built by ``module:factory`` at ``url`` (the
    module must be importable by the server)."""
    body = call.json_object()
    validate(body, "control_mount")
    try:
        mount = plane.emulator.actions.mount_factory(
            body["url"], body["app"], keep_prefix=bool(body.get("keep_prefix", False))
        )
    except ValueError as err:
        raise BadRequest(str(err)) from err
    return Reply(
        {
            "url": mount.url,
            "client_id": mount.client_id,
            "scope": mount.scope,
            "keep_prefix": mount.keep_prefix,
        },
        201,
    )


def _clock(plane: ControlPlane) -> dict[str, Any]:
    return {"now": plane.world.clock.isoformat(), "timestamp": plane.world.clock.now()}


@routes.route("/journal", "GET")
def journal(plane: ControlPlane, call: Call) -> Reply:
    """A page of the journal from position ``since``; ``next`` is where the
    following page starts, counted over the whole journal whatever the
    filter, so polling with ``since=next`` sees each entry once."""
    since = call.arg_int("since", 0)
    limit = call.arg_int("limit", JOURNAL_PAGE, minimum=1, maximum=JOURNAL_PAGE_MAX)
    page = plane.world.journal.page(since, limit, service=call.args.get("service") or None)
    return Reply(
        {
            "entries": [e.to_dict() for e in page.entries],
            "next": page.next,
            "oldest": page.oldest,
            "has_more": page.more,
        }
    )


@routes.route("/faults", "GET")
def list_faults(plane: ControlPlane, call: Call) -> Reply:
    return Reply({"faults": [r.to_dict() for r in plane.world.faults.rules]})


@routes.route("/faults", "POST")
def add_fault(plane: ControlPlane, call: Call) -> Reply:
    body = call.json_object()
    validate(body, "control_fault")
    try:
        rule = plane.world.faults.add(**body)
    except ValueError as err:
        raise BadRequest(str(err)) from err
    return Reply(rule.to_dict(), 201)


@routes.route("/faults", "DELETE")
def clear_faults(plane: ControlPlane, call: Call) -> Reply:
    plane.world.faults.clear()
    return Reply({"faults": []})


@routes.route("/faults/<int:rule_id>", "DELETE")
def remove_fault(plane: ControlPlane, call: Call, rule_id: int) -> Reply:
    if not any(r.id == rule_id for r in plane.world.faults.rules):
        raise NotFound(f"no fault rule {rule_id}")
    plane.world.faults.remove(rule_id)
    return Reply({"faults": [r.to_dict() for r in plane.world.faults.rules]})


@routes.route("/auth/authorize", "POST")
def authorize(plane: ControlPlane, call: Call) -> Reply:
    """A headless login for another process: what a person would paste
    (``code``) or where their browser would go (``location``)."""
    body = call.json_object()
    validate(body, "control_authorize")
    from .services.auth.routes import auth_base_of, complete_authorization

    params = dict(_query(body["url"]))
    try:
        location = complete_authorization(
            plane.world.auth,
            params,
            body.get("identity_id"),
            present=body.get("present"),
            mfa=body.get("mfa"),
            auth_base=auth_base_of(body["url"]),
        )
    except OAuthError as err:
        raise BadRequest(err.message, code=err.code) from err
    if location.startswith("code:"):
        return Reply({"code": location[5:]})
    return Reply({"location": location})


def _query(url: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl, urlsplit

    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


@routes.route("/dashboard", "GET")
def dashboard(plane: ControlPlane, call: Call) -> Reply:
    from .dashboard import PAGE

    return Reply(PAGE, content_type="text/html; charset=utf-8")


@routes.route("/dashboard/data", "GET")
def dashboard_data(plane: ControlPlane, call: Call) -> Reply:
    from .dashboard import view

    return Reply(view(plane.world))
