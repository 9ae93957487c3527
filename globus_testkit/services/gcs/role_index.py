"""GCS's roles by where they are held (an endpoint, or one collection of
it) and by whom, so that the role checks behind nearly every GCS call, and
an endpoint's role list, cost what that place's roles cost, not what every
role in the world costs. Derived from ``GCSState.roles``: never saved,
rebuilt when a world is copied or loaded. No HTTP here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from .documents import Role

# where a role is held: its endpoint and collection (None: the endpoint itself)
Place = tuple[str, str | None]
_K = TypeVar("_K")


class RoleIndex:
    """Role ids by place, and by place and principal, in the order the
    roles were made (the order GCS lists them in)."""

    def __init__(self, roles: Iterable[Role]) -> None:
        self.at: dict[Place, dict[str, None]] = {}
        self.held: dict[tuple[str, str | None, str], dict[str, None]] = {}
        for role in roles:
            self.add(role)

    def add(self, role: Role) -> None:
        self.at.setdefault((role.endpoint_id, role.collection), {})[role.id] = None
        self.held.setdefault(_holder(role), {})[role.id] = None

    def remove(self, role: Role) -> None:
        _discard(self.at, (role.endpoint_id, role.collection), role.id)
        _discard(self.held, _holder(role), role.id)

    def ids_at(self, endpoint_id: str, collection: str | None) -> list[str]:
        return list(self.at.get((endpoint_id, collection), ()))

    def ids_held(self, endpoint_id: str, collection: str | None, principal: str) -> list[str]:
        return list(self.held.get((endpoint_id, collection, principal), ()))


def _holder(role: Role) -> tuple[str, str | None, str]:
    return role.endpoint_id, role.collection, role.principal


def _discard(index: dict[_K, dict[str, None]], key: _K, role_id: str) -> None:
    ids = index.get(key)
    if ids is not None:
        ids.pop(role_id, None)
        if not ids:
            del index[key]
