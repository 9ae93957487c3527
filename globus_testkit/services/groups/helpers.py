"""``emulator.groups``: what tests do to Groups without HTTP (under the
world's lock, so a live server's threads see each change whole)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .assurance import SessionSource
from .memberships import Membership
from .models import Group

if TYPE_CHECKING:
    from ...emulator import Emulator


def _id(who: Any) -> str:
    """An identity or group object, or its id."""
    return str(getattr(who, "id", who))


class GroupsHelpers:
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def create(self, name: str, members: dict[Any, str] | None = None, **fields: Any) -> Group:
        """A group with ``members`` ({identity or id: role}, all active);
        without members, the world's user is its admin. ``fields`` as
        ``world.groups.create`` takes them (description, parent_id,
        policies, subscription_id, subscription_info, ...)."""
        with self._emulator.lock:
            roster = {_id(k): v for k, v in (members or {self._emulator.user.id: "admin"}).items()}
            return self._emulator.world.groups.create(name, roster, **fields)

    def add_member(
        self, group: Any, identity: Any, role: str = "member", status: str = "active"
    ) -> Membership:
        """Put a membership in place (any status: ``invited``, ``pending``...)."""
        with self._emulator.lock:
            return self._emulator.world.groups.add_member(_id(group), _id(identity), role, status)

    def remove_member(self, group: Any, identity: Any) -> None:
        with self._emulator.lock:
            self._emulator.world.groups.remove_member(_id(group), _id(identity))

    def connect_sessions(self, sessions: SessionSource | None) -> None:
        """Enforce high-assurance groups with this source of sign-in times
        (see docs/groups.md); None stops enforcing."""
        with self._emulator.lock:
            self._emulator.world.groups.sessions = sessions
