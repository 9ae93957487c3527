"""The keys GCS's roles are found under in GCSState's role index (a
PrincipalIndex): where a role is held (an endpoint, or one collection of
it), and where and by whom; so the role checks behind nearly every GCS
call, and an endpoint's role list, cost what that place's roles cost, not
what every role in the world costs. No HTTP here."""

from __future__ import annotations

from .documents import Role


def at(endpoint_id: str, collection: str | None) -> str:
    return f"at {endpoint_id} {collection or ''}"


def held(endpoint_id: str, collection: str | None, principal: str) -> str:
    return f"{at(endpoint_id, collection)} by {principal}"


def role_keys(role: Role) -> tuple[str, str]:
    return at(role.endpoint_id, role.collection), held(
        role.endpoint_id, role.collection, role.principal
    )
