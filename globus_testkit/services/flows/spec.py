"""The ``flows`` section of a world file (flows deployed before the test
starts, their roles and authentication policy), and what deploying a flow
means wherever it happens: a checked definition, and the flow's own scope
registered in Auth."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...http import ApiError, unusable_schema_problems, validate
from ...worlds import WorldError, strict_object, uuid_string
from ..auth.models import RESOURCE_SERVER, Dependency
from ..auth.spec import known_policies, resolve_identity_id
from .language import check_definition
from .models import Flow, action_handlers

if TYPE_CHECKING:
    from ...world import World

_PRINCIPALS = {
    "type": "array",
    "items": {"type": "string"},
    "description": "principal URNs, or all_authenticated_users / public",
}

WORLD_SCHEMA: dict[str, Any] = {
    "flows": {
        "type": "array",
        "description": "flows deployed before the test starts (their providers must be hosted)",
        "items": strict_object(
            {
                "title": {"type": "string", "minLength": 1},
                "definition": {"type": "object", "description": "States Language"},
                "id": uuid_string("the flow's id (default: from the seed)"),
                "owner": {
                    "type": "string",
                    "description": "an identity id or username (default: the world's user)",
                },
                "input_schema": {"type": "object"},
                "subtitle": {"type": "string"},
                "description": {"type": "string"},
                "keywords": {"type": "array", "items": {"type": "string"}},
                "flow_viewers": _PRINCIPALS,
                "flow_starters": _PRINCIPALS,
                "flow_administrators": _PRINCIPALS,
                "run_managers": _PRINCIPALS,
                "run_monitors": _PRINCIPALS,
                "subscription_id": uuid_string("a subscription id"),
                "authentication_policy_id": uuid_string(
                    "an Auth policy of the world every run's caller must satisfy"
                ),
            },
            required=("title", "definition"),
        ),
    }
}


def load_flows(world: World, items: list[dict[str, Any]]) -> None:
    """Deploy each described flow as ``create_flow`` would. Only providers
    the emulator hosts can be named: mounted ones join after the world is
    built (deploy flows calling them through FlowsClient)."""
    for index, item in enumerate(items):
        where = f"flows[{index}]"
        try:
            validated_flow(item)
        except ApiError as err:
            raise WorldError(f"world.{where}.definition: {err.message}") from err
        policy = item.get("authentication_policy_id")
        if policy:
            known_policies(world, [policy], f"{where}.authentication_policy_id")

        scopes = _hosted_scopes(item["definition"], where)
        owner = resolve_identity_id(world, item.get("owner", world.user_id), f"{where}.owner")
        fields = {k: v for k, v in item.items() if k not in ("id", "owner")}
        fields.setdefault("input_schema", {})
        try:
            flow = world.flows.add_flow(owner, fields, flow_id=item.get("id"))
        except ValueError as err:
            raise WorldError(f"world.{where}: {err}") from err
        register_flow_scope(world, flow, scopes)


def _hosted_scopes(definition: dict[str, Any], where: str) -> list[str]:
    """The scopes of the providers a world file's flow calls: only providers
    the emulator hosts (mounted ones and registered APIs join after the
    world is built)."""
    from ..actions.providers import hosted_provider

    scopes = set()
    for kind, target, scope in action_handlers(definition):
        provider = hosted_provider(target) if kind == "provider" and target else None
        if provider is None:
            raise WorldError(
                f"world.{where}.definition: {target} is not a provider the emulator hosts "
                "(deploy flows calling mounted providers or registered APIs through FlowsClient)"
            )
        scopes.add(scope or provider.scope)
    return sorted(scopes)


def validated_flow(body: dict[str, Any], schema: str | None = None) -> None:
    """A flow being deployed: its fields match ``schema`` (the request's,
    if given), its definition (if given) follows the States Language, and
    its input schema (if given) can be used."""
    if schema is not None:
        validate(body, schema, code="UNPROCESSABLE_ENTITY", status=422)
    if "definition" in body:
        validate(body["definition"], "flow_definition", code="UNPROCESSABLE_ENTITY", status=422)
        problems = check_definition(body["definition"])
        if problems:
            raise ApiError(422, "UNPROCESSABLE_ENTITY", "; ".join(problems))
    problems = unusable_schema_problems(body["input_schema"]) if "input_schema" in body else []
    if problems:
        raise ApiError(422, "UNPROCESSABLE_ENTITY", "input_schema: " + "; ".join(problems))


def register_flow_scope(world: World, flow: Flow, scopes: list[str]) -> None:
    """The flow is a resource server of its own; its scope depends on
    ``scopes``, those of the providers and registered APIs it calls."""
    auth = world.auth
    if flow.id not in auth.clients:
        auth.register_client(f"flow {flow.title}", client_type=RESOURCE_SERVER, client_id=flow.id)
    deps = []
    for scope_string in scopes:
        found = auth.scope_by_string(scope_string)
        if found is not None:
            deps.append(Dependency(found.id))
    for scope in (flow.scope, *flow.role_scopes.values()):
        existing = auth.scope_by_string(scope)
        if existing is None:
            auth.register_scope(scope, client_id=flow.id, dependencies=list(deps))
        else:
            existing.dependencies = list(deps)
