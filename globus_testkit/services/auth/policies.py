"""Auth policies: a project's rule for which identities, authenticated
how recently and how strongly, may use a resource that names the policy.

A high-assurance policy is checked against the caller's session (the
identities that authenticated in the login behind the token); any other
policy only against the identity set. Domains are matched by
``fnmatch`` so ``*.edu`` works as Globus's own wildcards do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Any

from .clients import ClientRegistry, Project
from .errors import ApiBadRequest, ApiNotFound


@dataclass
class Policy:
    id: str
    project_id: str
    display_name: str
    description: str
    high_assurance: bool = False
    authentication_assurance_timeout: int | None = None
    required_mfa: bool = False
    domain_constraints_include: list[str] | None = None
    domain_constraints_exclude: list[str] | None = None

    def admits_domain(self, domain: str) -> bool:
        """Whether an identity from ``domain`` may satisfy the policy."""
        include = self.domain_constraints_include
        if include and not any(fnmatch(domain, pattern) for pattern in include):
            return False
        exclude = self.domain_constraints_exclude or []
        return not any(fnmatch(domain, pattern) for pattern in exclude)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project_id": self.project_id,
            "display_name": self.display_name,
            "description": self.description,
            "high_assurance": self.high_assurance,
            "authentication_assurance_timeout": self.authentication_assurance_timeout,
            "required_mfa": self.required_mfa,
            "domain_constraints_include": _copy(self.domain_constraints_include),
            "domain_constraints_exclude": _copy(self.domain_constraints_exclude),
        }


# What a policy may be given, and what its fields default to.
POLICY_FIELDS = (
    "display_name",
    "description",
    "high_assurance",
    "authentication_assurance_timeout",
    "required_mfa",
    "domain_constraints_include",
    "domain_constraints_exclude",
)


class PolicyRegistry(ClientRegistry):
    """Policies owned by projects: a layer of :class:`AuthState`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policies: dict[str, Policy] = {}

    def create_policy(
        self, project_id: str, fields: dict[str, Any], *, policy_id: str | None = None
    ) -> Policy:
        self.project(project_id)
        if policy_id is not None and policy_id in self.policies:
            raise ValueError(f"policy {policy_id} already exists")
        policy = Policy(
            id=policy_id or self.ids.uuid(),
            project_id=project_id,
            display_name=fields["display_name"],
            description=fields["description"],
        )
        _apply(policy, fields)
        self.policies[policy.id] = policy
        return policy

    def policy(self, policy_id: str) -> Policy:
        found = self.policies.get(policy_id)
        if found is None:
            raise ApiNotFound(f"no policy {policy_id}")
        return found

    def has_policy(self, policy_id: str) -> bool:
        return policy_id in self.policies

    def update_policy(self, policy_id: str, fields: dict[str, Any]) -> Policy:
        policy = self.policy(policy_id)
        if "project_id" in fields:
            self.project(fields["project_id"])
        # check on a copy so a refused update changes nothing
        changed = Policy(**{**policy.__dict__})
        if "project_id" in fields:
            changed.project_id = fields["project_id"]
        _apply(changed, fields)
        self.policies[policy_id] = changed
        return changed

    def delete_policy(self, policy_id: str) -> Policy:
        self.policy(policy_id)
        return self.policies.pop(policy_id)

    def policies_of_projects(self, project_ids: Iterable[str]) -> list[Policy]:
        wanted = set(project_ids)
        return [p for p in self.policies.values() if p.project_id in wanted]

    def delete_project(self, project_id: str) -> Project:
        if self.policies_of_projects([project_id]):
            raise ApiBadRequest("a project with policies cannot be deleted")
        return super().delete_project(project_id)


def _apply(policy: Policy, fields: dict[str, Any]) -> None:
    for key in POLICY_FIELDS:
        if key in fields:
            value = fields[key]
            setattr(policy, key, list(value) if isinstance(value, list) else value)
    if policy.required_mfa and not policy.high_assurance:
        raise ApiBadRequest("required_mfa can only be set on a high_assurance policy")
    timeout = policy.authentication_assurance_timeout
    if timeout is not None and timeout <= 0:
        raise ApiBadRequest("authentication_assurance_timeout must be a positive number")


def _copy(domains: list[str] | None) -> list[str] | None:
    return None if domains is None else list(domains)
