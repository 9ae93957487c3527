"""Access rules (ACLs) on guest collections and whom they admit. No HTTP here.

A rule names a principal (an identity, a group, every authenticated
identity or anyone) and a directory; ``r`` lets the principal read beneath
it, ``rw`` read and write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...clock import iso


@dataclass(frozen=True)
class Principals:
    """Whom a caller is, for every role and access check: each identity of
    their identity set (the token's primary identity and those linked to
    it) and each group any of them is an active member of."""

    identities: frozenset[str]
    groups: frozenset[str]

    @classmethod
    def of(cls, identity_id: str, groups: Iterable[str] = ()) -> Principals:
        return cls(frozenset({identity_id}), frozenset(groups))


@dataclass
class AccessRule:
    id: str
    principal_type: str
    principal: str
    path: str
    permissions: str
    create_time: float
    expiration_date: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {
            "DATA_TYPE": "access",
            "id": self.id,
            "principal_type": self.principal_type,
            "principal": self.principal,
            "path": self.path,
            "permissions": self.permissions,
            "create_time": iso(self.create_time),
            "expiration_date": self.expiration_date,
            "role_id": None,
            "role_type": None,
        }


def principal_matches(rule: AccessRule, who: Principals | None) -> bool:
    """Whether a rule admits the caller (``None``: an anonymous caller)."""
    if rule.principal_type == "anonymous":
        return True
    if who is None:
        return False
    if rule.principal_type == "all_authenticated_users":
        return True
    if rule.principal_type == "identity":
        return rule.principal in who.identities
    return rule.principal_type == "group" and rule.principal in who.groups


def covers(rule_path: str, path: str) -> bool:
    prefix = rule_path.rstrip("/") + "/"
    return path == rule_path.rstrip("/") or path.startswith(prefix) or rule_path == "/"
