"""The ``groups`` section of a world file: groups with their members,
roles, statuses, policies, subgroups and subscriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..auth.spec import resolve_identity_id
from .memberships import ROLES, STATUSES
from .policies import GROUP_VISIBILITIES, MEMBER_VISIBILITIES, SIGNUP_FIELDS

if TYPE_CHECKING:
    from ...emulator import World

_MEMBER = {
    "type": "object",
    "properties": {
        "identity": {"type": "string", "description": "an identity id or username"},
        "role": {"enum": list(ROLES)},
        "status": {"enum": list(STATUSES)},
        "membership_fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["identity"],
    "additionalProperties": False,
}
_POLICIES = {
    "type": "object",
    "properties": {
        "is_high_assurance": {"type": "boolean"},
        "authentication_assurance_timeout": {"type": "integer", "minimum": 0},
        "group_visibility": {"enum": list(GROUP_VISIBILITIES)},
        "group_members_visibility": {"enum": list(MEMBER_VISIBILITIES)},
        "join_requests": {"type": "boolean"},
        "signup_fields": {"type": "array", "items": {"enum": list(SIGNUP_FIELDS)}},
    },
    "additionalProperties": False,
}
_SUBSCRIPTION = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "subscriber_name": {"type": "string"},
        "is_high_assurance": {"type": "boolean"},
        "is_baa": {"type": "boolean"},
        "connectors": {"type": "object"},
    },
    "required": ["id"],
    "additionalProperties": False,
}
WORLD_SCHEMA: dict[str, Any] = {
    "groups": {
        "type": "array",
        "description": "Globus groups: members, roles, statuses, policies, subgroups",
        "items": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "id": {"type": "string"},
                "description": {"type": "string"},
                "parent": {"type": "string", "description": "the id or name of an earlier group"},
                "terms_and_conditions": {"type": "string"},
                "policies": _POLICIES,
                "subscription": _SUBSCRIPTION,
                "subscription_admin_verified_id": {"type": "string"},
                "members": {"type": "array", "items": _MEMBER},
            },
            "required": ["name"],
            "additionalProperties": False,
        },
    }
}


def load_groups(world: World, items: list[dict[str, Any]]) -> None:
    """Add each described group; one without ``members`` gets the world's
    user as its admin."""
    by_name: dict[str, str] = {}
    for index, item in enumerate(items):
        parent = item.get("parent")
        subscription = dict(item.get("subscription") or {})
        subscription_id = subscription.pop("id", None)
        group = world.groups.create(
            item["name"],
            {},
            item.get("description", ""),
            parent_id=by_name.get(parent, parent) if parent else None,
            terms_and_conditions=item.get("terms_and_conditions"),
            policies=item.get("policies"),
            subscription_id=subscription_id,
            subscription_info=subscription if subscription_id else None,
            group_id=item.get("id"),
        )
        group.subscription_admin_verified_id = item.get("subscription_admin_verified_id")
        by_name[item["name"]] = group.id
        members = item.get("members")
        if members is None:
            members = [{"identity": world.user_id, "role": "admin"}]
        for number, member in enumerate(members):
            membership = world.groups.add_member(
                group.id,
                resolve_identity_id(
                    world, member["identity"], f"groups[{index}].members[{number}]"
                ),
                member.get("role", "member"),
                member.get("status", "active"),
            )
            membership.membership_fields.update(member.get("membership_fields") or {})
