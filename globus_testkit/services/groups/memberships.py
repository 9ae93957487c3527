"""Memberships and their lifecycle: who may move a membership from which
status to which, one batch item at a time. No HTTP.

A membership's status is one of ``STATUSES``; only ``active`` ones grant
anything anywhere (Transfer ACLs, Flows roles, providers, the exchange).
The transitions, as the Groups service has them:

====================  ==========================  ===========================
action                who                          from -> to
====================  ==========================  ===========================
add                   manager or admin             (none, any but active) -> active
invite                manager or admin             (none, any but active/invited) -> invited
accept / decline      the invited identity         invited -> active / declined
request_join          the identity (policy on)     (none, left, declined, removed) -> pending
approve / reject      manager or admin             pending -> active / rejected
remove                manager or admin             active, invited, pending -> removed
leave                 the identity                 active -> left
join                  the identity                 invited -> active; or (none, left)
                                                   -> active when another identity of
                                                   the caller's set is an active member
change_role           manager or admin             role of an active/invited/pending one
====================  ==========================  ===========================

Only admins grant, take away or change the ``admin`` role, and a group
always keeps one active admin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("active", "invited", "pending", "rejected", "removed", "left", "declined")
ROLES = ("member", "manager", "admin")
_RANK = {"member": 1, "manager": 2, "admin": 3}
# The order a batch is carried out in, whatever order its keys came in.
ACTIONS = (
    "add",
    "invite",
    "accept",
    "decline",
    "request_join",
    "join",
    "approve",
    "reject",
    "change_role",
    "remove",
    "leave",
)


@dataclass
class Membership:
    identity_id: str
    role: str = "member"
    status: str = "active"
    membership_fields: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.status == "active"

    def to_api(self, group_id: str, username: str) -> dict[str, Any]:
        return {
            "group_id": group_id,
            "identity_id": self.identity_id,
            "username": username,
            "role": self.role,
            "status": self.status,
            "membership_fields": dict(self.membership_fields),
        }


class Refused(Exception):
    """One batch item that cannot be done; the batch carries on."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Actor:
    """Who is acting on a group: the caller's identity set and the best
    role any of those identities holds, actively, in that group."""

    identities: frozenset[str]
    role: str | None = None

    @property
    def manages(self) -> bool:
        return self.role in ("manager", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def best_role(roles: list[str]) -> str | None:
    if len(roles) < 2:  # the usual case: one identity, one membership
        return roles[0] if roles else None
    return max(roles, key=_RANK.__getitem__)


@dataclass
class Roster:
    """A group's memberships, and the rules for changing them."""

    members: dict[str, Membership] = field(default_factory=dict)

    def active_admins(self) -> list[str]:
        return [m.identity_id for m in self.members.values() if m.active and m.role == "admin"]

    def role_of(self, identities: frozenset[str] | set[str]) -> str | None:
        return best_role([m.role for m in self.mine(identities) if m.active])

    def mine(self, identities: frozenset[str] | set[str]) -> list[Membership]:
        """The memberships of these identities, in roster order."""
        # Looked up, not found by walking the roster: a caller has a few
        # identities, a group may have thousands of members.
        found = [m for i in identities if (m := self.members.get(i)) is not None]
        if len(found) > 1:
            return [m for i, m in self.members.items() if i in identities]
        return found

    def allowed(self, identity_id: str, actor: Actor, *, join_requests: bool) -> list[str]:
        """The batch actions this identity (one of the caller's) may take:
        on others' memberships when it manages the group, on its own by its
        status."""
        own = self.members.get(identity_id)
        status = own.status if own else None
        role = own.role if own and own.active else None
        allowed = []
        if role in ("manager", "admin"):
            allowed += ["add", "invite", "approve", "reject", "remove", "change_role"]
        if status == "invited":
            allowed += ["accept", "decline", "join"]
        elif status in (None, "left", "declined") and actor.role is not None:
            allowed.append("join")
        if status == "active" and not (role == "admin" and self.active_admins() == [identity_id]):
            allowed.append("leave")
        if join_requests and status in (None, "left", "declined", "removed"):
            allowed.append("request_join")
        return allowed

    # -- the actions --------------------------------------------------------------

    def apply(
        self,
        action: str,
        item: dict[str, Any],
        actor: Actor,
        *,
        join_requests: bool,
        accepts_adds: bool,
    ) -> Membership:
        """Carry out one batch item, or raise Refused leaving it unchanged."""
        identity_id = item["identity_id"]
        current = self.members.get(identity_id)
        status = current.status if current else None
        if action in ("add", "invite"):
            role = item.get("role", "member")
            self._may_manage(actor, role)
            if status == "active":
                raise Refused(
                    "ALREADY_ACTIVE", "The identity is already an active member of the group."
                )
            if action == "invite":
                if status == "invited":
                    raise Refused(
                        "ALREADY_INVITED", "The identity has already been invited to the group."
                    )
                return self._set(identity_id, "invited", role)
            if not accepts_adds:
                raise Refused(
                    "ADD_NOT_ALLOWED",
                    "The identity does not allow being added to groups; invite it instead.",
                )
            return self._set(identity_id, "active", role)
        if action in ("accept", "decline"):
            self._own(actor, identity_id)
            if status != "invited":
                raise Refused("NOT_INVITED", "The identity has no invitation to the group.")
            return self._set(identity_id, "active" if action == "accept" else "declined")
        if action == "request_join":
            self._own(actor, identity_id)
            if not join_requests:
                raise Refused("JOIN_REQUESTS_DISABLED", "The group does not accept join requests.")
            if status in ("active", "pending", "invited", "rejected"):
                raise Refused(
                    f"ALREADY_{status.upper()}",
                    f"The identity's membership in the group is already {status}.",
                )
            membership = self._set(identity_id, "pending", "member")
            membership.membership_fields.update(item.get("membership_fields") or {})
            return membership
        if action == "join":
            return self._join(actor, identity_id, status)
        if action in ("approve", "reject"):
            self._may_manage(actor, "member")
            if status != "pending":
                raise Refused("NOT_PENDING", "The identity has no pending join request.")
            return self._set(identity_id, "active" if action == "approve" else "rejected")
        if action == "change_role":
            role = item["role"]
            self._may_manage(actor, role)
            if current is None or status not in ("active", "invited", "pending"):
                raise Refused("NO_MEMBERSHIP", "Identity has no membership in group.")
            if current.role == "admin" and not actor.is_admin:
                raise Refused("FORBIDDEN", "Only an admin may change an admin's role.")
            self._keep_an_admin(current, losing=role != "admin")
            current.role = role
            return current
        if action == "remove":
            self._may_manage(actor, "member")
            if current is None or status not in ("active", "invited", "pending"):
                raise Refused("NO_MEMBERSHIP", "Identity has no membership in group.")
            if current.role == "admin" and not actor.is_admin:
                raise Refused("FORBIDDEN", "Only an admin may remove an admin.")
            self._keep_an_admin(current, losing=True)
            return self._set(identity_id, "removed")
        if action == "leave":
            self._own(actor, identity_id)
            if current is None or status != "active":
                raise Refused("NO_MEMBERSHIP", "Identity has no active membership in group.")
            self._keep_an_admin(current, losing=True)
            return self._set(identity_id, "left")
        raise Refused("INVALID_ACTION", f"{action} is not a membership action.")

    def _join(self, actor: Actor, identity_id: str, status: str | None) -> Membership:
        self._own(actor, identity_id)
        if status == "active":
            raise Refused(
                "ALREADY_ACTIVE", "The identity is already an active member of the group."
            )
        if status == "invited":
            return self._set(identity_id, "active")
        # An identity may join where another identity of the same person is
        # already an active member; anyone else asks, or is invited.
        if actor.role is not None and status in (None, "left", "declined"):
            return self._set(identity_id, "active", "member")
        raise Refused(
            "JOIN_NOT_ALLOWED",
            "The identity may not join this group directly; "
            "request to join or ask for an invitation.",
        )

    def _set(self, identity_id: str, status: str, role: str | None = None) -> Membership:
        membership = self.members.get(identity_id)
        if membership is None:
            membership = self.members[identity_id] = Membership(
                identity_id, role or "member", status
            )
        else:
            membership.status = status
            if role is not None:
                membership.role = role
        return membership

    @staticmethod
    def _may_manage(actor: Actor, role: str) -> None:
        if role not in ROLES:
            raise Refused("INVALID_ROLE", f"role must be one of {', '.join(ROLES)}")
        if not actor.manages:
            raise Refused("FORBIDDEN", "Only group admins and managers may manage memberships.")
        if role == "admin" and not actor.is_admin:
            raise Refused("FORBIDDEN", "Only group admins may grant the admin role.")

    @staticmethod
    def _own(actor: Actor, identity_id: str) -> None:
        if identity_id not in actor.identities:
            raise Refused("FORBIDDEN", "The identity is not in the caller's identity set.")

    def _keep_an_admin(self, membership: Membership, *, losing: bool) -> None:
        if (
            losing
            and membership.active
            and membership.role == "admin"
            and self.active_admins() == [membership.identity_id]
        ):
            raise Refused("LAST_ADMIN", "A group must keep at least one active admin.")
