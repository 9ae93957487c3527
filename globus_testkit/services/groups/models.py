"""Groups and their members. No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...http import NotFound
from ...ids import Ids

ROLES = ("admin", "manager", "member")


@dataclass
class Group:
    id: str
    name: str
    description: str = ""
    members: dict[str, str] = field(default_factory=dict)  # identity id -> role

    def to_api(self, identity_id: str, usernames: dict[str, str]) -> dict[str, Any]:
        """As ``my_groups`` shows it to ``identity_id``."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "subscription_id": None,
            "subscription_info": None,
            "group_type": "regular",
            "enforce_session": False,
            "session_limit": 28800,
            "session_timeouts": {},
            "parent_id": None,
            "policies": {"group_visibility": "private", "group_members_visibility": "managers"},
            "my_memberships": [
                {
                    "group_id": self.id,
                    "identity_id": identity_id,
                    "username": usernames.get(identity_id, ""),
                    "role": self.members[identity_id],
                    "status": "active",
                }
            ],
        }


class GroupsState:
    def __init__(self, ids: Ids) -> None:
        self.ids = ids
        self.groups: dict[str, Group] = {}

    def create(
        self, name: str, members: dict[str, str] | None = None, description: str = ""
    ) -> Group:
        for role in (members or {}).values():
            if role not in ROLES:
                raise ValueError(f"role must be one of {', '.join(ROLES)}")
        group = Group(self.ids.uuid(), name, description, dict(members or {}))
        self.groups[group.id] = group
        return group

    def group(self, group_id: str) -> Group:
        found = self.groups.get(group_id)
        if found is None:
            raise NotFound(f"no group {group_id}", code="GROUP_NOT_FOUND")
        return found

    def add_member(self, group_id: str, identity_id: str, role: str = "member") -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        self.group(group_id).members[identity_id] = role

    def remove_member(self, group_id: str, identity_id: str) -> None:
        self.group(group_id).members.pop(identity_id, None)

    def groups_of(self, identity_ids: set[str]) -> list[tuple[Group, str]]:
        """Each group one of these identities is in, with that identity."""
        found = []
        for group in self.groups.values():
            member = next((i for i in group.members if i in identity_ids), None)
            if member is not None:
                found.append((group, member))
        return found
