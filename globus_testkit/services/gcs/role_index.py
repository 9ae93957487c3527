"""GCS's roles by where they are held (an endpoint, or one collection of
it) and by whom, so that the role checks behind nearly every GCS call, and
an endpoint's role list, cost what that place's roles cost, not what every
role in the world costs. Derived from ``GCSState.roles``: never saved,
rebuilt when a world is copied or loaded. No HTTP here."""

from __future__ import annotations

from collections.abc import Iterable

from ...derived import IdsByKey
from .documents import Role

# where a role is held: its endpoint and collection (None: the endpoint itself)
Place = tuple[str, str | None]


class RoleIndex:
    """Role ids by place, and by place and principal, in the order the
    roles were made (the order GCS lists them in)."""

    def __init__(self, roles: Iterable[Role]) -> None:
        self.at: IdsByKey[Place] = IdsByKey()
        self.held: IdsByKey[tuple[str, str | None, str]] = IdsByKey()
        for role in roles:
            self.add(role)

    def add(self, role: Role) -> None:
        self.at.add((role.endpoint_id, role.collection), role.id)
        self.held.add(_holder(role), role.id)

    def remove(self, role: Role) -> None:
        self.at.discard((role.endpoint_id, role.collection), role.id)
        self.held.discard(_holder(role), role.id)

    def ids_at(self, endpoint_id: str, collection: str | None) -> list[str]:
        return self.at.ids((endpoint_id, collection))

    def ids_held(self, endpoint_id: str, collection: str | None, principal: str) -> list[str]:
        return self.held.ids((endpoint_id, collection, principal))


def _holder(role: Role) -> tuple[str, str | None, str]:
    return role.endpoint_id, role.collection, role.principal
