"""Globus Flows' HTTP surface: flows, runs and their logs.

Errors are ``{"error": {"code", "detail"}, "debug_id"}``. Runs are started
with the flow's own scope (its resource server is the flow id), and the
engine calls providers through the emulator as the run's owner.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from ...http import (
    ApiError,
    Call,
    Forbidden,
    NotFound,
    Reply,
    SessionRequired,
    Unauthorized,
    marker_page,
    schema_problems,
    validate,
)
from ..auth.errors import TokenRejected
from ..auth.models import identity_urn
from ..base import Routes, Service
from .calling import EmulatorCaller
from .listing import csv_filter, page_reply
from .models import FLOW_ROLES, FLOWS_CLIENT_ID, Flow, FlowsState, Run, action_handlers
from .registered_apis import NotUsable
from .runner import Runner
from .spec import WORLD_SCHEMA, load_flows, register_flow_scope, validated_flow

if TYPE_CHECKING:
    from ...world import World
    from ..auth.models import TokenInfo

routes = Routes()

FLOWS_RESOURCE_SERVER = "flows.globus.org"
SCOPE = f"https://auth.globus.org/scopes/{FLOWS_CLIENT_ID}/"
MANAGE = {SCOPE + "all", SCOPE + "manage_flows"}
VIEW = MANAGE | {SCOPE + "view_flows"}
RUN_STATUS = {SCOPE + "all", SCOPE + "run_status", SCOPE + "run_manage"}
RUN_MANAGE = {SCOPE + "all", SCOPE + "run_manage"}
# What the deprecated single ``filter_role`` ranks: it keeps flows where
# the caller holds the role named or a weaker one.
FLOW_ROLES_WEAKEST_FIRST = tuple(reversed(FLOW_ROLES[:4]))
# The role vocabulary list_runs' ``filter_roles`` takes (Flows API).
RUN_FILTER_ROLES = (
    "run_owner",
    "run_manager",
    "run_monitor",
    "flow_run_manager",
    "flow_run_monitor",
)


class FlowsService(Service):
    name = "flows"
    hosts = ("flows.automate.globus.org", "flows.globus.org")
    resource_server = FLOWS_RESOURCE_SERVER
    routes = routes
    world_schema: ClassVar[dict[str, Any]] = WORLD_SCHEMA

    @classmethod
    def load_spec(cls, world: World, spec: dict[str, Any]) -> None:
        load_flows(world, spec.get("flows", []))

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        codes = {
            400: "BAD_REQUEST",
            401: "AUTHENTICATION_ERROR",
            403: "FORBIDDEN",
            404: "NOT_FOUND",
            409: "STATE_CONFLICT",
            422: "UNPROCESSABLE_ENTITY",
        }
        code = err.code if err.code.isupper() else codes.get(err.status, err.code)
        body: dict[str, Any] = {
            "error": {"code": code, "detail": err.message},
            "debug_id": call.request_id,
        }
        body.update(err.extra)
        if isinstance(err, SessionRequired):
            # Flows names a policy refusal twice: in "error" and at the top,
            # where GARE parsers look.
            body["code"] = "AuthenticationPolicyRequired"
        return body

    @property
    def state(self) -> FlowsState:
        return self.world.flows

    def handle(self, call: Call) -> Reply:
        # globus-automate-client builds flow URLs with urljoin(base, "/flows/<id>"),
        # which on the loopback server drops the service's own "/flows/" root:
        # "/flows/<id>/run" then arrives here as "/<id>/run". Put it back.
        first = call.path.split("/", 2)[1] if call.path.count("/") >= 1 else ""
        if first in self.state.flows:
            call.path = "/flows" + call.path
        return super().handle(call)

    def runner(self) -> Runner:
        return Runner(
            self.world.clock,
            EmulatorCaller(self.emulator),
            self.scope_for,
            self.state.web_inputs,
            self.state.registered_apis,
        )

    def scope_for(self, url: str) -> str:
        return EmulatorCaller(self.emulator).scope_for(url)

    def action_scopes(self, definition: dict[str, Any], principals: set[str]) -> list[str]:
        """The scopes a flow's Action states need, as Flows finds them: a
        provider's (given, or from its introspection), a registered API's
        (its operation's security). A registered API the deployer cannot
        see, or that is being deleted, is refused (422). A hosted
        registered API's handle needs nothing here: running it answers
        the loud not-emulated failure."""
        scopes: set[str] = set()
        for kind, target, scope in action_handlers(definition):
            if kind == "provider" and target:
                scopes.add(scope or self.scope_for(target))
            elif kind == "registered_api":
                try:
                    api = self.state.registered_apis.usable(target or "")
                except NotUsable as err:
                    raise ApiError(422, "UNPROCESSABLE_ENTITY", str(err)) from err
                if not api.roles_of(principals):
                    raise ApiError(
                        422, "UNPROCESSABLE_ENTITY", f"no usable registered API {target}"
                    )
                scopes.update(api.scopes)
        return sorted(scopes)

    def flow_or_caller(
        self, call: Call, flow_id: str, accepted: set[str]
    ) -> tuple[TokenInfo, set[str]]:
        """A token for the flow's own scope (as an action client calling the
        flow as a provider sends), or one with one of ``accepted``."""
        bearer = call.bearer()
        if bearer:
            try:
                info = self.world.auth.check_token(bearer, flow_id)
            except TokenRejected:
                pass
            else:
                call.token = info
                return info, self.principals(info)
        return self.caller(call, accepted)

    def caller(self, call: Call, accepted: set[str]) -> tuple[TokenInfo, set[str]]:
        info = self.authenticate(call)
        if self.world.auth.strict and not accepted & set(info.scopes):
            raise Forbidden("the token lacks a scope this call needs", code="MISSING_SCOPE")
        return info, self.principals(info)

    def principals(self, info: TokenInfo) -> set[str]:
        # Flows' roles also name every signed-in caller at once.
        return set(self.principal_urns(info.identity_id)) | {"all_authenticated_users"}

    def flow(self, flow_id: str, principals: set[str], *, need: str = "view") -> Flow:
        flow = self.state.flows.get(flow_id)
        if flow is None:
            raise NotFound(f"no flow {flow_id}")
        roles = flow.roles_of(principals)
        allowed = {
            "view": {"flow_owner", "flow_administrator", "flow_viewer", "flow_starter"},
            "run": {"flow_owner", "flow_administrator", "flow_starter"},
            "admin": {"flow_owner", "flow_administrator"},
        }[need]
        if not allowed & set(roles):
            if not roles:
                raise NotFound(f"no flow {flow_id}")
            raise Forbidden(f"you may not {need} this flow", code="FORBIDDEN")
        return flow

    def run_for(self, run_id: str, principals: set[str], *, manage: bool = False) -> Run:
        run = self.state.runs.get(run_id)
        if run is None:
            raise NotFound(f"no run {run_id}")
        flow = self.state.flows.get(run.flow_id)
        roles = set(run.roles_of(principals, flow))
        if flow is not None and {"flow_owner", "flow_administrator"} & set(
            flow.roles_of(principals)
        ):
            roles.add("run_manager")
        if not roles:
            raise NotFound(f"no run {run_id}")
        if manage and not roles & {"run_owner", "run_manager"}:
            raise Forbidden("you may not manage this run", code="FORBIDDEN")
        self.runner().advance(run)
        return run


def _known_policy(svc: FlowsService, body: dict[str, Any]) -> None:
    policy_id = body.get("authentication_policy_id")
    if policy_id and not svc.world.auth.has_policy(policy_id):
        raise ApiError(422, "UNPROCESSABLE_ENTITY", f"no authentication policy {policy_id}")


def _require_session(svc: FlowsService, info: TokenInfo, flow: Flow) -> None:
    """A flow with an authentication policy runs only for callers whose
    session satisfies it; otherwise the 403 GARE UserApp redrives."""
    if not flow.authentication_policy_id:
        return
    demanded = svc.world.auth.session_problems(
        info,
        policy_ids=[flow.authentication_policy_id],
        message="Globus Flows found the session does not meet this flow's authentication policy.",
    )
    if demanded is not None:
        raise SessionRequired(
            demanded,
            code="AUTHENTICATION_POLICY_REQUIRED",
            message="None of the identities in the session meet the requirements of the "
            "authentication policy of this flow. Authenticate again to meet them.",
        )


# -- flows -------------------------------------------------------------------------------


@routes.route("/flows", "POST", operation="create_flow")
def create_flow(svc: FlowsService, call: Call) -> Reply:
    info, principals = svc.caller(call, MANAGE)
    body = call.json_object()
    validated_flow(body, "flows_flow")
    _known_policy(svc, body)
    scopes = svc.action_scopes(body["definition"], principals)
    flow = svc.state.add_flow(info.identity_id, body)
    register_flow_scope(svc.world, flow, scopes)
    return Reply(flow.to_api(principals), 201)


@routes.route("/flows/dry-run", "POST", operation="create_flow_dry_run")
def create_flow_dry_run(svc: FlowsService, call: Call) -> Reply:
    """globus-automate-client's deploy check: validated, never stored."""
    info, principals = svc.caller(call, MANAGE)
    body = call.json_object()
    validated_flow(body, "flows_flow")
    now = svc.world.clock.now()
    fields = {k: v for k, v in body.items() if k not in ("title", "definition")}
    preview = Flow(
        svc.world.ids.stable_uuid("dry-run", info.identity_id, body["title"]),
        body["title"],
        body["definition"],
        info.identity_id,
        now,
        now,
        **fields,
    )
    return Reply(preview.to_api(principals))


@routes.route("/flows/validate", "POST", operation="validate_flow")
def validate_flow(svc: FlowsService, call: Call) -> Reply:
    _, principals = svc.caller(call, MANAGE)
    body = call.json_object()
    validated_flow(body, "flows_flow_update")
    if "definition" not in body:
        raise ApiError(422, "UNPROCESSABLE_ENTITY", "a definition is required")
    return Reply({"scopes": {"User": svc.action_scopes(body["definition"], principals)}})


@routes.route("/flows", "GET", operation="list_flows")
def list_flows(svc: FlowsService, call: Call) -> Reply:
    _, principals = svc.caller(call, VIEW)
    roles = _flow_role_filter(call)
    words = call.args.get("filter_fulltext", "").lower().split()
    found = []
    for flow in sorted(svc.state.flows_held(principals), key=lambda f: f.created_at, reverse=True):
        mine = set(flow.roles_of(principals))
        if not mine - {"run_manager", "run_monitor"}:
            continue
        if roles and not roles & mine:
            continue
        text = f"{flow.title} {flow.subtitle or ''} {flow.description or ''}".lower()
        if all(w in text for w in words):
            found.append(flow)
    limit = call.arg_int("per_page", 20, minimum=1, maximum=50)
    page, marker = marker_page(found, call.args.get("marker"), limit)
    return page_reply("flows", [f.to_api(principals) for f in page], limit, marker)


def _flow_role_filter(call: Call) -> set[str]:
    """The roles a flow listing keeps: ``filter_roles`` (any of them), or
    the deprecated ``filter_role`` (that one or a weaker one, as globus-sdk
    3.x documents it); not both."""
    roles = csv_filter(call, "filter_roles", FLOW_ROLES)
    single = csv_filter(call, "filter_role", FLOW_ROLES_WEAKEST_FIRST, most=1)
    if roles and single:
        raise ApiError(
            422, "UNPROCESSABLE_ENTITY", "filter_role and filter_roles are mutually exclusive"
        )
    for role in single:
        return set(FLOW_ROLES_WEAKEST_FIRST[: FLOW_ROLES_WEAKEST_FIRST.index(role) + 1])
    return roles


@routes.route("/flows/<flow_id>", "GET", operation="get_flow")
def get_flow(svc: FlowsService, call: Call, flow_id: str) -> Reply:
    _, principals = svc.flow_or_caller(call, flow_id, VIEW)
    return Reply(svc.flow(flow_id, principals).to_api(principals))


@routes.route("/flows/<flow_id>", "PUT", operation="update_flow")
def update_flow(svc: FlowsService, call: Call, flow_id: str) -> Reply:
    _, principals = svc.caller(call, MANAGE)
    flow = svc.flow(flow_id, principals, need="admin")
    body = call.json_object()
    validated_flow(body, "flows_flow_update")
    _known_policy(svc, body)
    scopes = svc.action_scopes(body.get("definition", flow.definition), principals)
    svc.state.update_flow(flow, body)
    register_flow_scope(svc.world, flow, scopes)
    return Reply(flow.to_api(principals))


@routes.route("/flows/<flow_id>", "DELETE", operation="delete_flow")
def delete_flow(svc: FlowsService, call: Call, flow_id: str) -> Reply:
    _, principals = svc.caller(call, MANAGE)
    flow = svc.flow(flow_id, principals, need="admin")
    if identity_urn(flow.owner_id) not in principals:
        raise Forbidden("only the owner may delete a flow", code="FORBIDDEN")
    svc.state.delete_flow(flow)
    answer = flow.to_api(principals)
    answer.update({"DELETED": True, "deleted_at": svc.world.clock.isoformat()})
    return Reply(answer)


# -- runs ----------------------------------------------------------------------------------


@routes.route("/flows/<flow_id>/run/dry-run", "POST", operation="run_flow_dry_run")
def run_flow_dry_run(svc: FlowsService, call: Call, flow_id: str) -> Reply:
    """Checks a run's input as a real run would, starting nothing."""
    return run_flow(svc, call, flow_id, dry_run=True)


@routes.route("/flows/<flow_id>/validate_run", "POST", operation="validate_run")
def validate_run(svc: FlowsService, call: Call, flow_id: str) -> Reply:
    """SpecificFlowClient.validate_run: the run's checks (token, role,
    input schema), starting nothing."""
    run_flow(svc, call, flow_id, dry_run=True)
    return Reply({"message": "validation successful"})


@routes.route("/flows/<flow_id>/run", "POST", operation="run_flow")
def run_flow(svc: FlowsService, call: Call, flow_id: str, dry_run: bool = False) -> Reply:
    flow = svc.state.flows.get(flow_id)
    if flow is None:
        raise NotFound(f"no flow {flow_id}")
    bearer = call.bearer()
    if bearer is None:
        raise Unauthorized("no bearer token was sent", code="AUTHENTICATION_ERROR")
    try:
        info = svc.world.auth.check_token(bearer, flow.id)
    except TokenRejected as err:
        raise Unauthorized(err.reason, code="AUTHENTICATION_ERROR") from err
    call.token = info
    principals = svc.principals(info)
    svc.flow(flow_id, principals, need="run")
    _require_session(svc, info, flow)
    body = call.json_object()
    validate(body, "flows_run", code="FLOW_INPUT_ERROR")
    schema = flow.input_schema
    if schema:
        # A user's schema may be costly to check: others carry on meanwhile
        # (schemas are replaced on update, never changed in place).
        with svc.emulator.unlocked():
            problems = schema_problems(schema, body["body"])
        if problems:
            raise ApiError(400, "FLOW_INPUT_ERROR", "; ".join(problems))
        flow = svc.flow(flow_id, principals, need="run")  # it may be gone by now
    run_as = _role_identities(svc, flow, body["body"])
    if dry_run:
        return Reply(
            {
                "flow_id": flow.id,
                "status": "dry-run",
                "input": body["body"],
                "details": {"description": "the input is valid; nothing was run"},
            }
        )
    state = {k: v for k, v in body["body"].items() if k != "_tokens"}
    run = svc.state.add_run(
        flow, info.identity_id, info.username, state, body, run_as, _caller_context(svc, info)
    )
    svc.runner().start(run)
    return Reply(run.to_api(principals, flow), 201)


def _caller_context(svc: FlowsService, info: TokenInfo) -> dict[str, Any]:
    """What $._context says of who started a run: their email, every
    identity in their set (URNs), and the times of the token they used."""
    identities = svc.world.auth.identity_set(info.identity_id)
    return {
        "email": identities[0].email or info.username,
        "identities": [identity_urn(i.id) for i in identities],
        "token_info": svc.world.auth.token_times(info.token),
    }


def _role_identities(svc: FlowsService, flow: Flow, body: dict[str, Any]) -> dict[str, str]:
    """Who each RunAs role is: the identity of the token given for it in the
    input's ``_tokens``, which must carry that role's scope."""
    given = body.get("_tokens") or {}
    if not isinstance(given, dict):
        raise ApiError(400, "FLOW_INPUT_ERROR", "_tokens must map RunAs roles to tokens")
    identities = {}
    for role, scope in flow.role_scopes.items():
        token = given.get(role)
        if not isinstance(token, str):
            raise ApiError(400, "FLOW_INPUT_ERROR", f"_tokens needs a token for the role {role}")
        try:
            info = svc.world.auth.check_token(token, flow.id)
        except TokenRejected as err:
            raise ApiError(400, "FLOW_INPUT_ERROR", f"the {role} token: {err.reason}") from err
        if not info.has_scope(scope):
            raise ApiError(400, "FLOW_INPUT_ERROR", f"the {role} token lacks the scope {scope}")
        identities[role] = info.identity_id
    return identities


@routes.route("/runs", "GET", operation="list_runs")
def list_runs(svc: FlowsService, call: Call) -> Reply:
    _, principals = svc.caller(call, RUN_STATUS)
    flow_ids = csv_filter(call, "filter_flow_id")
    statuses = csv_filter(call, "filter_status")
    roles = csv_filter(call, "filter_roles", RUN_FILTER_ROLES)
    limit = call.arg_int("per_page", 20, minimum=1, maximum=50)

    def visible() -> Iterator[Run]:
        """The caller's runs, newest first, drawn only as far as the page
        needs (each brought up to date as it is reached)."""
        for run_id in reversed(svc.state.runs_held(principals)):
            run = svc.state.runs.get(run_id)
            flow = svc.state.flows.get(run.flow_id) if run is not None else None
            if run is None or not run.roles_of(principals, flow):
                continue
            if flow_ids and run.flow_id not in flow_ids:
                continue
            if roles and not roles & run.listing_roles(principals, flow):
                continue
            svc.runner().advance(run)
            if statuses and run.status not in statuses:
                continue
            yield run

    page, marker = marker_page(visible(), call.args.get("marker"), limit)
    runs = [r.to_api(principals, svc.state.flows.get(r.flow_id)) for r in page]
    return page_reply("runs", runs, limit, marker)


@routes.route("/runs/<run_id>", "GET", operation="get_run")
def get_run(svc: FlowsService, call: Call, run_id: str) -> Reply:
    _, principals = svc.caller(call, RUN_STATUS)
    run = svc.run_for(run_id, principals)
    flow = svc.state.flows.get(run.flow_id)
    answer = run.to_api(principals, flow)
    if call.arg_bool("include_flow_description") and flow is not None:
        answer["flow_description"] = {
            k: v for k, v in flow.to_api(principals).items() if k not in ("definition",)
        }
    return Reply(answer)


@routes.route("/runs/<run_id>", "PUT", operation="update_run")
def update_run(svc: FlowsService, call: Call, run_id: str) -> Reply:
    _, principals = svc.caller(call, RUN_MANAGE)
    run = svc.run_for(run_id, principals, manage=True)
    body = call.json_object()
    validate(body, "flows_run_update", code="UNPROCESSABLE_ENTITY", status=422)
    svc.state.update_run(run, body)
    return Reply(run.to_api(principals, svc.state.flows.get(run.flow_id)))


@routes.route("/runs/<run_id>/log", "GET", operation="get_run_logs")
def run_log(svc: FlowsService, call: Call, run_id: str) -> Reply:
    _, principals = svc.caller(call, RUN_STATUS)
    return _log_page(call, svc.run_for(run_id, principals))


def _log_page(call: Call, run: Run) -> Reply:
    """A page of a run's log, oldest first unless ``reverse_order``."""
    entries = list(reversed(run.log)) if call.arg_bool("reverse_order") else list(run.log)
    limit = call.arg_int("limit", 10, minimum=1, maximum=100)
    page, marker = marker_page(entries, call.args.get("marker"), limit)
    answer: dict[str, Any] = {"entries": page, "limit": limit, "has_next_page": marker is not None}
    if marker is not None:
        answer["marker"] = marker
    return Reply(answer)


@routes.route("/runs/<run_id>/definition", "GET", operation="get_run_definition")
def run_definition(svc: FlowsService, call: Call, run_id: str) -> Reply:
    _, principals = svc.caller(call, RUN_STATUS)
    run = svc.run_for(run_id, principals)
    return Reply(
        {
            "flow_id": run.flow_id,
            "definition": run.definition,
            "input_schema": getattr(svc.state.flows.get(run.flow_id), "input_schema", {}),
        }
    )


@routes.route("/runs/<run_id>/cancel", "POST", operation="cancel_run")
def cancel_run(svc: FlowsService, call: Call, run_id: str) -> Reply:
    _, principals = svc.caller(call, RUN_MANAGE)
    run = svc.run_for(run_id, principals, manage=True)
    svc.runner().cancel(run)
    return Reply(run.to_api(principals, svc.state.flows.get(run.flow_id)), 202)


@routes.route("/runs/<run_id>/resume", "POST", operation="resume_run")
def resume_run(svc: FlowsService, call: Call, run_id: str) -> Reply:
    # SpecificFlowClient resumes with the flow's own scope (so the engine
    # gets fresh consents); FlowsClient with run_manage.
    run = svc.state.runs.get(run_id)
    _, principals = (
        svc.flow_or_caller(call, run.flow_id, RUN_MANAGE)
        if run is not None
        else svc.caller(call, RUN_MANAGE)
    )
    run = svc.run_for(run_id, principals, manage=True)
    svc.runner().resume(run)
    return Reply(run.to_api(principals, svc.state.flows.get(run.flow_id)))


@routes.route("/runs/<run_id>/release", "POST", operation="release_run")
def release_run(svc: FlowsService, call: Call, run_id: str) -> Reply:
    _, principals = svc.caller(call, RUN_MANAGE)
    run = _release(svc, svc.run_for(run_id, principals, manage=True))
    return Reply(run.to_api(principals, svc.state.flows.get(run.flow_id)))


def _release(svc: FlowsService, run: Run) -> Run:
    """Forget an ended run; a run still going cannot be released."""
    if not run.done:
        raise ApiError(409, "STATE_CONFLICT", "a run can be released only when it has ended")
    svc.state.release_run(run)
    return run


__all__ = ["FlowsService"]


# The flow-as-provider paths, web inputs and registered APIs register on
# the same table, from their own modules.
from . import provider_routes as _provider_routes  # noqa: E402
from . import registered_api_routes as _registered_api_routes  # noqa: E402
from . import web_input_routes as _web_input_routes  # noqa: E402

ROUTE_MODULES = (_provider_routes, _registered_api_routes, _web_input_routes)
