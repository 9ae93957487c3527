"""Globus Groups' HTTP surface (``/v2/groups/...``), as far as emulated."""

from __future__ import annotations

from typing import Any

from ...http import ApiError, Call, Forbidden, Reply
from ..base import Routes, Service

routes = Routes()

GROUPS_RESOURCE_SERVER = "groups.api.globus.org"
VIEW_MY_GROUPS = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"
ALL = "urn:globus:auth:scope:groups.api.globus.org:all"


class GroupsService(Service):
    name = "groups"
    hosts = ("groups.api.globus.org",)
    resource_server = GROUPS_RESOURCE_SERVER
    routes = routes

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        return {"code": err.code, "detail": err.message, "request_id": call.request_id}

    def reader(self, call: Call) -> set[str]:
        """The caller's identity set, if its token may read groups."""
        info = self.authenticate(call)
        if self.world.auth.strict and not (info.has_scope(VIEW_MY_GROUPS) or info.has_scope(ALL)):
            raise Forbidden("the token lacks a Groups scope", code="FORBIDDEN")
        return {i.id for i in self.world.auth.identity_set(info.identity_id)}


def _usernames(svc: GroupsService) -> dict[str, str]:
    return {i.id: i.username for i in svc.world.auth.identities.values()}


@routes.route("/v2/groups/my_groups", "GET", operation="get_my_groups")
def my_groups(svc: GroupsService, call: Call) -> Reply:
    identities = svc.reader(call)
    names = _usernames(svc)
    listed = []
    for group, member in svc.world.groups.groups_of(identities):
        document = group.to_api(member, names)
        for key in ("description", "subscription_id", "subscription_info"):
            document.pop(key)  # my_groups gives the short form
        listed.append(document)
    return Reply(listed)


@routes.route("/v2/groups/<group_id>", "GET", operation="get_group")
def get_group(svc: GroupsService, call: Call, group_id: str) -> Reply:
    identities = svc.reader(call)
    group = svc.world.groups.group(group_id)
    member = next((i for i in group.members if i in identities), None)
    if member is None:
        raise Forbidden("you are not a member of this group", code="FORBIDDEN")
    return Reply(group.to_api(member, _usernames(svc)))
