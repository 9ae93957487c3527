"""Globus Groups' HTTP surface (``/v2/...``): parse, check, call the
models, format. Every rule lives in ``models.py`` and its neighbours."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ...http import ApiError, BadRequest, Call, Forbidden, Reply, validate
from ..base import Routes, Service
from .memberships import STATUSES, Actor, Membership
from .models import Group, GroupsState
from .spec import WORLD_SCHEMA, load_groups

if TYPE_CHECKING:
    from ...emulator import World
    from ..auth.models import TokenInfo

routes = Routes()

GROUPS_RESOURCE_SERVER = "groups.api.globus.org"
VIEW_MY_GROUPS = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"
ALL = "urn:globus:auth:scope:groups.api.globus.org:all"
INCLUDES = ("memberships", "my_memberships", "policies", "allowed_actions", "child_ids")


class GroupsService(Service):
    name = "groups"
    hosts = ("groups.api.globus.org",)
    resource_server = GROUPS_RESOURCE_SERVER
    routes = routes
    world_schema: ClassVar[dict[str, Any]] = WORLD_SCHEMA

    @classmethod
    def load_spec(cls, world: World, spec: dict[str, Any]) -> None:
        """The ``groups`` section of a world file (see docs/groups.md)."""
        load_groups(world, spec.get("groups", []))

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        code = err.code
        if err.status == 401 and code == "AuthenticationFailed":
            # Groups names the two ways a token fails
            code = "AUTHENTICATION_ERROR" if call.bearer() is None else "INVALID_TOKEN"
        return {"code": code, "detail": err.message, "request_id": call.request_id, **err.extra}

    @property
    def state(self) -> GroupsState:
        return self.world.groups

    def caller(self, call: Call, *, write: bool = False) -> tuple[TokenInfo, frozenset[str]]:
        """The caller's token and identity set; reads take either Groups
        scope, changes need ``all``."""
        info = self.authenticate(call)
        allowed = info.has_scope(ALL) or (not write and info.has_scope(VIEW_MY_GROUPS))
        if self.world.auth.strict and not allowed:
            needed = ALL if write else f"{VIEW_MY_GROUPS} or {ALL}"
            raise Forbidden(f"the token lacks the scope {needed}", code="FORBIDDEN")
        return info, frozenset(i.id for i in self.world.auth.identity_set(info.identity_id))

    def acting_on(self, call: Call, group_id: str, *, write: bool = False) -> tuple[Group, Actor]:
        identities = self.caller(call, write=write)[1]
        group = self.state.group(group_id)
        actor = self.state.actor(group, identities)
        self.state.require_visible(group, actor)
        self.state.require_session(group, actor)
        return group, actor

    def membership(self, group_id: str, membership: Membership) -> dict[str, Any]:
        # one identity looked up, not a table of every identity's name built
        identity = self.world.auth.identities.get(membership.identity_id)
        return membership.to_api(group_id, identity.username if identity else "")

    def document(
        self,
        group: Group,
        actor: Actor,
        includes: set[str],
        *,
        statuses: tuple[str, ...] | None = None,
    ) -> dict[str, Any]:
        """The group as this caller sees it, with what ``include`` asks for
        (``my_memberships`` and ``policies`` are always there)."""
        document = group.summary()
        mine = group.roster.mine(actor.identities)
        document["session_timeouts"] = self.state.session_timeouts(group, mine)
        document["my_memberships"] = [
            self.membership(group.id, m) for m in mine if statuses is None or m.status in statuses
        ]
        if "memberships" in includes:
            document["memberships"] = [
                self.membership(group.id, m) for m in self.state.visible_memberships(group, actor)
            ]
        if "allowed_actions" in includes:
            document["allowed_actions"] = self.state.allowed_actions(group, actor)
        if "child_ids" in includes:
            document["child_ids"] = [g.id for g in self.state.children(group)]
        return document


def _listed(call: Call, name: str, allowed: tuple[str, ...]) -> set[str]:
    """A comma-separated query parameter, each value checked."""
    values = set(call.arg_csv(name))
    unknown = sorted(values - set(allowed))
    if unknown:
        raise BadRequest(
            f"{name} may only contain {', '.join(allowed)} (not {', '.join(unknown)})",
            code="INVALID_PARAMETERS",
        )
    return values


# -- groups -------------------------------------------------------------------------


@routes.route("/v2/groups/my_groups", "GET", operation="get_my_groups")
def my_groups(svc: GroupsService, call: Call) -> Reply:
    identities = svc.caller(call)[1]
    statuses = tuple(_listed(call, "statuses", STATUSES)) or ("active",)
    listed = []
    for group in svc.state.groups_holding(identities):
        if not any(m.status in statuses for m in group.roster.mine(identities)):
            continue
        document = svc.document(group, svc.state.actor(group, identities), set(), statuses=statuses)
        for key in (
            "description",
            "subscription_id",
            "subscription_info",
            "subscription_admin_verified_id",
            "terms_and_conditions",
        ):
            document.pop(key)  # my_groups gives the short form
        listed.append(document)
    return Reply(listed)


@routes.route("/v2/groups", "POST", operation="create_group")
def create_group(svc: GroupsService, call: Call) -> Reply:
    info, identities = svc.caller(call, write=True)
    body = call.json_object()
    validate(body, "groups_group", code="INVALID_GROUP")
    group = svc.state.create_for(info.identity_id, Actor(identities), body)
    return Reply(svc.document(group, svc.state.actor(group, identities), set()))


@routes.route("/v2/groups/<group_id>", "GET", operation="get_group")
def get_group(svc: GroupsService, call: Call, group_id: str) -> Reply:
    includes = _listed(call, "include", INCLUDES)
    group, actor = svc.acting_on(call, group_id)
    return Reply(svc.document(group, actor, includes))


@routes.route("/v2/groups/<group_id>", "PUT", operation="update_group")
def update_group(svc: GroupsService, call: Call, group_id: str) -> Reply:
    group, actor = svc.acting_on(call, group_id, write=True)
    body = call.json_object()
    validate(body, "groups_group_update", code="INVALID_GROUP")
    svc.state.update(group, actor, body)
    return Reply(svc.document(group, actor, set()))


@routes.route("/v2/groups/<group_id>", "DELETE", operation="delete_group")
def delete_group(svc: GroupsService, call: Call, group_id: str) -> Reply:
    group, actor = svc.acting_on(call, group_id, write=True)
    document = svc.document(group, actor, set())
    svc.state.delete(group, actor)
    return Reply(document)


# -- policies -----------------------------------------------------------------------


@routes.route("/v2/groups/<group_id>/policies", "GET", operation="get_group_policies")
def get_policies(svc: GroupsService, call: Call, group_id: str) -> Reply:
    group, _ = svc.acting_on(call, group_id)
    return Reply(group.policies.to_api())


@routes.route("/v2/groups/<group_id>/policies", "PUT", operation="set_group_policies")
def set_policies(svc: GroupsService, call: Call, group_id: str) -> Reply:
    group, actor = svc.acting_on(call, group_id, write=True)
    body = call.json_object()
    validate(body, "groups_policies", code="INVALID_POLICY")
    return Reply(svc.state.set_policies(group, actor, body).to_api())


# -- memberships --------------------------------------------------------------------


@routes.route("/v2/groups/<group_id>", "POST", operation="batch_membership_action")
def batch_membership_action(svc: GroupsService, call: Call, group_id: str) -> Reply:
    group, actor = svc.acting_on(call, group_id, write=True)
    body = call.json_object()
    validate(body, "groups_batch", code="INVALID_ACTION")
    result = svc.state.batch(group, actor, body)
    return Reply(
        {
            action: done if action == "errors" else [svc.membership(group.id, m) for m in done]
            for action, done in result.items()
        }
    )


@routes.route("/v2/groups/<group_id>/membership_fields", "GET", operation="get_membership_fields")
def get_membership_fields(svc: GroupsService, call: Call, group_id: str) -> Reply:
    group, actor = svc.acting_on(call, group_id)
    membership = svc.state.membership_fields(group, actor)
    return Reply(svc.membership(group.id, membership))


@routes.route("/v2/groups/<group_id>/membership_fields", "PUT", operation="set_membership_fields")
def set_membership_fields(svc: GroupsService, call: Call, group_id: str) -> Reply:
    group, actor = svc.acting_on(call, group_id, write=True)
    body = call.json_object()
    validate(body, "groups_membership_fields", code="INVALID_FIELDS")
    membership = svc.state.set_membership_fields(group, actor, body)
    return Reply(svc.membership(group.id, membership))


# -- preferences --------------------------------------------------------------------


@routes.route("/v2/preferences", "GET", operation="get_identity_preferences")
def get_preferences(svc: GroupsService, call: Call) -> Reply:
    info, _ = svc.caller(call)
    return Reply({"allow_add": svc.state.allow_add.get(info.identity_id, True)})


@routes.route("/v2/preferences", "PUT", operation="set_identity_preferences")
def set_preferences(svc: GroupsService, call: Call) -> Reply:
    _, identities = svc.caller(call, write=True)
    body = call.json_object()
    validate(body, "groups_preferences", code="INVALID_PREFERENCES")
    for identity_id in identities:  # the preference is the whole identity set's
        svc.state.allow_add[identity_id] = body["allow_add"]
    return Reply({"allow_add": body["allow_add"]})


# -- subscriptions ------------------------------------------------------------------


@routes.route(
    "/v2/subscription_info/<subscription_id>", "GET", operation="get_group_by_subscription_id"
)
def get_group_by_subscription_id(svc: GroupsService, call: Call, subscription_id: str) -> Reply:
    svc.caller(call)
    group = svc.state.by_subscription(subscription_id)
    info = group.subscription_info or {}
    return Reply(
        {
            "group_id": group.id,
            "subscription_id": subscription_id,
            # this route tells anyone only what a subscription guarantees
            "subscription_info": {
                k: info.get(k) for k in ("is_high_assurance", "is_baa", "connectors") if k in info
            },
        }
    )


@routes.route(
    "/v2/groups/<group_id>/subscription_admin_verified",
    "PUT",
    operation="set_subscription_admin_verified",
)
def set_subscription_admin_verified(svc: GroupsService, call: Call, group_id: str) -> Reply:
    group, actor = svc.acting_on(call, group_id, write=True)
    body = call.json_object()
    validate(body, "groups_subscription_admin_verified", code="INVALID_SUBSCRIPTION")
    svc.state.set_subscription_admin_verified(group, actor, body["subscription_admin_verified_id"])
    return Reply(
        {
            "group_id": group.id,
            "subscription_admin_verified_id": group.subscription_admin_verified_id,
        }
    )
