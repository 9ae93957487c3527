"""GCS's roles by where they are held (an endpoint, or one collection of
it) and by whom, so that the role checks behind nearly every GCS call, and
an endpoint's role list, cost what that place's roles cost, not what every
role in the world costs. Derived from ``GCSState.roles``: never saved,
rebuilt when a world is copied or loaded. No HTTP here."""

from __future__ import annotations

from collections.abc import Mapping

from ...principal_index import PrincipalIndex
from .documents import Role


class RoleIndex:
    """Role ids by place (an endpoint, or one collection of it), and by
    place and principal, in the order the roles were made (the order GCS
    lists them in): a PrincipalIndex whose keys name both."""

    def __init__(self, roles: Mapping[str, Role]) -> None:
        self._index = PrincipalIndex.of(roles, _keys)

    def add(self, role: Role) -> None:
        self._index.put(role.id, _keys(role))

    def remove(self, role: Role) -> None:
        self._index.remove(role.id)

    def ids_at(self, endpoint_id: str, collection: str | None) -> list[str]:
        return self._index.held_by((_at(endpoint_id, collection),))

    def ids_held(self, endpoint_id: str, collection: str | None, principal: str) -> list[str]:
        return self._index.held_by((_held(endpoint_id, collection, principal),))


def _at(endpoint_id: str, collection: str | None) -> str:
    return f"at {endpoint_id} {collection or ''}"


def _held(endpoint_id: str, collection: str | None, principal: str) -> str:
    return f"{_at(endpoint_id, collection)} by {principal}"


def _keys(role: Role) -> tuple[str, str]:
    return _at(role.endpoint_id, role.collection), _held(
        role.endpoint_id, role.collection, role.principal
    )
