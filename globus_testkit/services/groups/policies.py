"""A group's policies: who can see it, who can see its members, whether
people may ask to join, what they must tell, and high assurance. No HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ...http import BadRequest

GROUP_VISIBILITIES = ("authenticated", "private")
MEMBER_VISIBILITIES = ("members", "managers")
SIGNUP_FIELDS = (
    "institution",
    "current_project_name",
    "address",
    "city",
    "state",
    "country",
    "address1",
    "address2",
    "zip",
    "phone",
    "department",
    "field_of_science",
)
# Globus' default re-authentication window for high-assurance groups (8 h).
DEFAULT_ASSURANCE_TIMEOUT = 28800
REQUIRED_POLICY_KEYS = (
    "is_high_assurance",
    "group_visibility",
    "group_members_visibility",
    "join_requests",
    "signup_fields",
)


@dataclass
class Policies:
    is_high_assurance: bool = False
    authentication_assurance_timeout: int = DEFAULT_ASSURANCE_TIMEOUT
    group_visibility: str = "private"
    group_members_visibility: str = "managers"
    join_requests: bool = False
    signup_fields: list[str] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        return {
            "is_high_assurance": self.is_high_assurance,
            "authentication_assurance_timeout": self.authentication_assurance_timeout,
            "group_visibility": self.group_visibility,
            "group_members_visibility": self.group_members_visibility,
            "join_requests": self.join_requests,
            "signup_fields": list(self.signup_fields),
        }

    def changed(self, changes: dict[str, Any]) -> Policies:
        """A copy with ``changes`` applied, each value checked; the
        original is untouched so a refused change changes nothing."""
        updated = replace(self, signup_fields=list(self.signup_fields))
        for key, value in changes.items():
            if key == "authentication_assurance_timeout" and value is None:
                value = DEFAULT_ASSURANCE_TIMEOUT
            _check(key, value)
            # a field named twice is asked once
            setattr(updated, key, list(dict.fromkeys(value)) if key == "signup_fields" else value)
        return updated

    @property
    def public(self) -> bool:
        """Whether every signed-in identity may see the group."""
        return self.group_visibility == "authenticated"


def _check(key: str, value: Any) -> None:
    allowed: tuple[str, ...] | None = {
        "group_visibility": GROUP_VISIBILITIES,
        "group_members_visibility": MEMBER_VISIBILITIES,
    }.get(key)
    if allowed is not None and value not in allowed:
        raise BadRequest(f"{key} must be one of {', '.join(allowed)}", code="INVALID_POLICY")
    if key in ("is_high_assurance", "join_requests") and not isinstance(value, bool):
        raise BadRequest(f"{key} must be true or false", code="INVALID_POLICY")
    if key == "authentication_assurance_timeout" and (
        not isinstance(value, int) or isinstance(value, bool) or value < 0
    ):
        raise BadRequest(f"{key} must be a number of seconds", code="INVALID_POLICY")
    if key == "signup_fields":
        unknown = [f for f in value if f not in SIGNUP_FIELDS]
        if unknown:
            raise BadRequest(
                f"unknown signup fields: {', '.join(map(str, unknown))}", code="INVALID_POLICY"
            )
