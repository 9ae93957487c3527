"""Groups: the groups themselves, subgroups, subscriptions, preferences, and
the one answer every other service asks ("which groups is this identity
set in", "is X an active member/manager/admin of G"). No HTTP.

Membership rules live in ``memberships.py``, policies in ``policies.py``,
high assurance in ``assurance.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock
from ...derived import KeepsDerived
from ...http import ApiError, BadRequest, Forbidden, NotFound
from ...ids import Ids
from ...principal_index import PrincipalIndex
from .assurance import SessionSource, session_required, session_timeouts, stale_identities
from .memberships import ACTIONS, ROLES, Actor, Membership, Refused, Roster
from .policies import Policies

# How resources (ACLs, roles, search entries) name a group.
GROUP_URN = "urn:globus:groups:id:"


def group_urn(group_id: str) -> str:
    """The principal URN naming ``group_id``."""
    return GROUP_URN + group_id


# Globus' limits on a group tree: subgroups below the root, and in all.
MAX_DEPTH = 4
MAX_SUBGROUPS = 75


@dataclass
class Group:
    id: str
    name: str
    description: str = ""
    parent_id: str | None = None
    terms_and_conditions: str | None = None
    policies: Policies = field(default_factory=Policies)
    roster: Roster = field(default_factory=Roster)
    subscription_id: str | None = None
    subscription_info: dict[str, Any] | None = None
    subscription_admin_verified_id: str | None = None

    @property
    def group_type(self) -> str:
        return "plus" if self.subscription_id else "regular"

    def summary(self) -> dict[str, Any]:
        """The fields every view of the group shares."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "parent_id": self.parent_id,
            "group_type": self.group_type,
            "enforce_session": self.policies.is_high_assurance,
            "session_limit": self.policies.authentication_assurance_timeout,
            "terms_and_conditions": self.terms_and_conditions,
            "policies": self.policies.to_api(),
            "subscription_id": self.subscription_id,
            "subscription_info": dict(self.subscription_info) if self.subscription_info else None,
            "subscription_admin_verified_id": self.subscription_admin_verified_id,
        }


class RosterIndex:
    """Which groups' rosters hold a membership of each identity (in any
    status: a roster never forgets one, so this only grows), and each
    group's place in the world's order. Derived from the groups."""

    def __init__(self, groups: Iterable[Group]) -> None:
        self._holding: dict[str, set[str]] = {}
        self._place: dict[str, int] = {}
        self._next_place = 0
        for group in groups:
            self.placed(group)
            for identity_id in group.roster.members:
                self.noted(group, identity_id)

    def placed(self, group: Group) -> None:
        """A group entered the world: last, as in ``GroupsState.groups``
        (a deleted group's id made anew goes last too)."""
        self._place[group.id] = self._next_place
        self._next_place += 1

    def noted(self, group: Group, identity_id: str) -> None:
        self._holding.setdefault(identity_id, set()).add(group.id)

    def groups_holding(self, identity_ids: Iterable[str]) -> list[str]:
        found = set().union(*(self._holding.get(i, ()) for i in identity_ids))
        return sorted(found, key=self._place.__getitem__)  # every group held was placed


def _links_of(group: Group) -> list[str]:
    """The keys a group is found under in the link index: its parent's and
    its subscription's (both fixed when it is made)."""
    links = [("parent", group.parent_id), ("subscription", group.subscription_id)]
    return [f"{kind} {key}" for kind, key in links if key is not None]


class GroupsState(KeepsDerived):
    # the roster and link indexes, built when first asked (see
    # groups_holding and _links)
    DERIVED = ("_index", "_link_index")
    _index: RosterIndex | None = None
    _link_index: PrincipalIndex | None = None

    def __init__(self, ids: Ids, clock: Clock | None = None) -> None:
        self.ids = ids
        self.clock = clock or Clock()
        self.groups: dict[str, Group] = {}
        self.allow_add: dict[str, bool] = {}  # identity id -> may be added without invite
        # The hook to Auth's sessions for high-assurance groups (see assurance.py).
        self.sessions: SessionSource | None = None

    # -- the questions other services ask ------------------------------------------

    def groups_of(self, identity_ids: Iterable[str]) -> list[tuple[Group, str]]:
        """Each group one of these identities is an *active* member of, with
        that identity; a subgroup's members are members of its ancestors too.
        Invited, pending, left and removed memberships grant nothing."""
        # Every Transfer, Flows and Search call asks: the groups are looked
        # up by identity, so a call costs the caller's groups, not the world's.
        identities = sorted(set(identity_ids))
        found: dict[str, tuple[Group, str]] = {}
        for group in self.groups_holding(identities):
            members = group.roster.members
            member = next((i for i in identities if i in members and members[i].active), None)
            if member is None:
                continue
            for ancestor in [group, *self.ancestors(group)]:
                found.setdefault(ancestor.id, (ancestor, member))
        return list(found.values())

    def groups_holding(self, identity_ids: Iterable[str]) -> list[Group]:
        """The groups whose rosters hold a membership (in any status) of one
        of these identities, in the world's order."""
        if self._index is None:
            self._index = RosterIndex(self.groups.values())
        identities = set(identity_ids)
        return [
            group
            for group_id in self._index.groups_holding(identities)
            # the index may name a deleted group, or one made anew with its id
            if (group := self.groups.get(group_id)) is not None
            and not identities.isdisjoint(group.roster.members)
        ]

    def _put_in_roster(self, group: Group, membership: Membership) -> Membership:
        """Every membership enters a roster here (or through ``Roster.apply``,
        noted by ``batch``), so the index knows of it."""
        group.roster.members[membership.identity_id] = membership
        self._noted(group, membership.identity_id)
        return membership

    def _noted(self, group: Group, identity_id: str) -> None:
        if self._index is not None:
            self._index.noted(group, identity_id)

    def group_ids_of(self, identity_ids: Iterable[str]) -> set[str]:
        return {group.id for group, _ in self.groups_of(identity_ids)}

    def role_in(self, identity_ids: Iterable[str], group_id: str) -> str | None:
        """The best role these identities hold actively in the group itself
        (``member``, ``manager``, ``admin``), or None."""
        group = self.groups.get(group_id)
        return group.roster.role_of(set(identity_ids)) if group else None

    def is_member(
        self, identity_ids: Iterable[str], group_id: str, *, role: str = "member"
    ) -> bool:
        """Whether these identities actively hold at least ``role`` in the group
        (plain membership also counts through subgroups)."""
        if role == "member":
            return group_id in self.group_ids_of(identity_ids)
        held = self.role_in(identity_ids, group_id)
        return held is not None and ROLES.index(held) >= ROLES.index(role)

    # -- groups -----------------------------------------------------------------------

    def group(self, group_id: str) -> Group:
        found = self.groups.get(group_id)
        if found is None:
            raise NotFound(f"Group {group_id} not found.", code="GROUP_NOT_FOUND")
        return found

    def create(
        self,
        name: str,
        members: dict[str, str] | None = None,
        description: str = "",
        *,
        parent_id: str | None = None,
        terms_and_conditions: str | None = None,
        policies: dict[str, Any] | None = None,
        subscription_id: str | None = None,
        subscription_info: dict[str, Any] | None = None,
        group_id: str | None = None,
    ) -> Group:
        """A new group with ``members`` ({identity id: role}, all active)."""
        if not name or not str(name).strip():
            raise BadRequest("A group needs a name.", code="INVALID_GROUP")
        for role in (members or {}).values():
            if role not in ROLES:
                raise BadRequest(f"role must be one of {', '.join(ROLES)}", code="INVALID_ROLE")
        if parent_id is not None:
            self._check_room_below(self.group(parent_id))
        group = Group(
            group_id or self.ids.uuid(),
            name,
            description or "",
            parent_id=parent_id,
            terms_and_conditions=terms_and_conditions,
            policies=Policies().changed(policies or {}),
            subscription_id=subscription_id,
            subscription_info=subscription_info,
        )
        if group.id in self.groups:
            raise BadRequest(f"Group {group.id} already exists.", code="INVALID_GROUP")
        self.groups[group.id] = group
        if self._index is not None:
            self._index.placed(group)
        if self._link_index is not None:
            self._link_index.put(group.id, _links_of(group))
        for identity_id, role in (members or {}).items():
            self._put_in_roster(group, Membership(identity_id, role))
        return group

    def create_for(self, creator_id: str, actor: Actor, document: dict[str, Any]) -> Group:
        """A group created through the API: its creator becomes its admin; a
        subgroup needs the caller to administer the parent."""
        parent_id = document.get("parent_id")
        if (
            parent_id is not None
            and not self.actor(self.group(parent_id), actor.identities).is_admin
        ):
            raise Forbidden(
                "Only admins of the parent group may create subgroups.", code="FORBIDDEN"
            )
        return self.create(
            document["name"],
            {creator_id: "admin"},
            document.get("description") or "",
            parent_id=parent_id,
            terms_and_conditions=document.get("terms_and_conditions"),
            policies=document.get("policies"),
        )

    def update(self, group: Group, actor: Actor, changes: dict[str, Any]) -> Group:
        self._require_admin(group, actor, "update the group")
        verified = changes.get(
            "subscription_admin_verified_id", group.subscription_admin_verified_id
        )
        if verified not in (None, group.subscription_admin_verified_id):
            raise BadRequest(
                "Use PUT /v2/groups/{id}/subscription_admin_verified to verify a group.",
                code="INVALID_UPDATE",
            )
        if "name" in changes and not str(changes["name"] or "").strip():
            raise BadRequest("A group needs a name.", code="INVALID_GROUP")
        for key in ("name", "description", "terms_and_conditions"):
            if key in changes:
                setattr(group, key, changes[key] if key != "description" else changes[key] or "")
        group.subscription_admin_verified_id = verified
        return group

    def delete(self, group: Group, actor: Actor) -> Group:
        self._require_admin(group, actor, "delete the group")
        if self.children(group):
            raise ApiError(409, "HAS_SUBGROUPS", "Delete the group's subgroups first.")
        del self.groups[group.id]
        if self._link_index is not None:
            self._link_index.remove(group.id)
        return group

    def set_policies(self, group: Group, actor: Actor, changes: dict[str, Any]) -> Policies:
        self._require_admin(group, actor, "change the group's policies")
        group.policies = group.policies.changed(changes)
        return group.policies

    def ancestors(self, group: Group) -> list[Group]:
        found: list[Group] = []
        parent_id = group.parent_id
        while parent_id is not None and parent_id in self.groups and len(found) <= MAX_DEPTH:
            parent = self.groups[parent_id]
            found.append(parent)
            parent_id = parent.parent_id
        return found

    @property
    def _links(self) -> PrincipalIndex:
        """Groups by parent and by subscription, in the world's order."""
        if self._link_index is None:
            self._link_index = PrincipalIndex.of(self.groups, _links_of)
        return self._link_index

    def children(self, group: Group) -> list[Group]:
        """The group's subgroups, in the world's order (read from the link
        index: a get_group with child_ids costs its children, not the world)."""
        return [self.groups[i] for i in self._links.held_by((f"parent {group.id}",))]

    def _descendants(self, group: Group) -> list[Group]:
        found: list[Group] = []
        for child in self.children(group):
            found += [child, *self._descendants(child)]
        return found

    def _check_room_below(self, parent: Group) -> None:
        chain = [parent, *self.ancestors(parent)]
        if len(chain) > MAX_DEPTH:
            raise BadRequest(
                f"A group tree may have at most {MAX_DEPTH} levels of subgroups.",
                code="MAX_DEPTH_EXCEEDED",
            )
        if len(self._descendants(chain[-1])) >= MAX_SUBGROUPS:
            raise BadRequest(
                f"A group tree may have at most {MAX_SUBGROUPS} subgroups.",
                code="MAX_SUBGROUPS_EXCEEDED",
            )

    # -- who may see and do what ------------------------------------------------------

    def actor(self, group: Group, identities: Iterable[str]) -> Actor:
        ids = frozenset(identities)
        return Actor(ids, group.roster.role_of(ids))

    def visible(self, group: Group, actor: Actor) -> bool:
        """Anyone signed in sees an ``authenticated``-visibility group; a
        private one is seen by its active, invited and pending members."""
        if group.policies.public:
            return True
        return any(
            m.status in ("active", "invited", "pending")
            for m in group.roster.mine(actor.identities)
        )

    def require_visible(self, group: Group, actor: Actor) -> None:
        if not self.visible(group, actor):
            raise Forbidden("You do not have permission to view this group.", code="FORBIDDEN")

    def visible_memberships(self, group: Group, actor: Actor) -> list[Membership]:
        """Only active members see memberships: managers and admins every
        one, members the active ones when ``group_members_visibility`` is
        ``members``. (Everyone sees their own in ``my_memberships``.)"""
        if actor.manages:
            return list(group.roster.members.values())
        if actor.role is not None and group.policies.group_members_visibility == "members":
            return [m for m in group.roster.members.values() if m.active]
        return []

    def allowed_actions(self, group: Group, actor: Actor) -> dict[str, list[str]]:
        """For each membership action, which of the caller's identities may
        take it (the shape of Groups' ``allowed_actions``)."""
        found: dict[str, list[str]] = {action: [] for action in sorted(ACTIONS)}
        join_requests = group.policies.join_requests and self.visible(group, actor)
        for identity_id in sorted(actor.identities):
            for action in group.roster.allowed(identity_id, actor, join_requests=join_requests):
                found[action].append(identity_id)
        return found

    def _require_admin(self, group: Group, actor: Actor, doing: str) -> None:
        if not actor.is_admin:
            self.require_visible(group, actor)
            raise Forbidden(f"Only group admins may {doing}.", code="FORBIDDEN")

    # -- memberships ------------------------------------------------------------------

    def batch(
        self, group: Group, actor: Actor, actions: dict[str, list[dict[str, Any]]]
    ) -> dict[str, Any]:
        """Carry out a batch of membership actions: each item done or refused
        on its own (refusals under ``errors``), in the service's order."""
        self.require_visible(group, actor)
        result: dict[str, Any] = {}
        errors: dict[str, list[dict[str, Any]]] = {}
        for action in ACTIONS:
            if action not in actions:
                continue
            done = result.setdefault(action, [])
            for item in actions[action]:
                try:
                    membership = group.roster.apply(
                        action,
                        item,
                        self.actor(group, actor.identities),
                        join_requests=group.policies.join_requests and self.visible(group, actor),
                        accepts_adds=self.allow_add.get(item["identity_id"], True),
                    )
                    self._noted(group, membership.identity_id)
                    done.append(membership)
                except Refused as refused:
                    errors.setdefault(action, []).append(
                        {
                            "identity_id": item["identity_id"],
                            "code": refused.code,
                            "detail": refused.detail,
                        }
                    )
        if errors:
            result["errors"] = errors
        return result

    def add_member(
        self, group_id: str, identity_id: str, role: str = "member", status: str = "active"
    ) -> Membership:
        """Put a membership in place directly (tests and world files)."""
        if role not in ROLES:
            raise BadRequest(f"role must be one of {', '.join(ROLES)}", code="INVALID_ROLE")
        group = self.group(group_id)
        membership = group.roster.members.get(identity_id) or Membership(identity_id)
        membership.role, membership.status = role, status
        return self._put_in_roster(group, membership)

    def remove_member(self, group_id: str, identity_id: str) -> None:
        membership = self.group(group_id).roster.members.get(identity_id)
        if membership is not None:
            membership.status = "removed"

    def membership_fields(self, group: Group, actor: Actor) -> Membership:
        own = group.roster.mine(actor.identities)
        if not own:
            raise NotFound("You have no membership in this group.", code="NO_MEMBERSHIP")
        return own[0]

    def set_membership_fields(
        self, group: Group, actor: Actor, fields: dict[str, str]
    ) -> Membership:
        membership = self.membership_fields(group, actor)
        for theirs in group.roster.mine(actor.identities):
            theirs.membership_fields.update(fields)
        return membership

    # -- subscriptions ----------------------------------------------------------------

    def by_subscription(self, subscription_id: str) -> Group:
        """The first group (in the world's order) of a subscription."""
        found = self._links.held_by((f"subscription {subscription_id}",))
        if not found:
            raise NotFound(
                f"Subscription {subscription_id} not found.", code="SUBSCRIPTION_NOT_FOUND"
            )
        return self.groups[found[0]]

    def subscriptions_of(self, identity_ids: Iterable[str], *, admin: bool) -> list[str]:
        """The subscriptions whose groups these identities belong to; with
        ``admin``, only those they manage (admins of the subscription's
        group, who may also verify groups for it)."""
        identities = sorted(set(identity_ids))
        return sorted(
            group.subscription_id
            for group, _ in self.groups_of(identities)
            if group.subscription_id
            and (not admin or self.is_member(identities, group.id, role="admin"))
        )

    def set_subscription_admin_verified(
        self, group: Group, actor: Actor, subscription_id: str | None
    ) -> Group:
        """Mark a group as belonging to a subscription: admins of the group
        who also administer the subscription's group may."""
        self._require_admin(group, actor, "verify the group for a subscription")
        if subscription_id is not None:
            provider = self.by_subscription(subscription_id)
            if provider.roster.role_of(actor.identities) != "admin":
                raise Forbidden(
                    "Only admins of the subscription may verify groups for it.", code="FORBIDDEN"
                )
        group.subscription_admin_verified_id = subscription_id
        return group

    # -- high assurance ---------------------------------------------------------------

    def require_session(self, group: Group, actor: Actor) -> None:
        """The one enforcement point for high-assurance groups: members
        whose sign-in is older than the group allows must sign in again."""
        members = [m.identity_id for m in group.roster.mine(actor.identities) if m.active]
        stale = stale_identities(group, members, self.sessions, self.clock.now())
        if stale:
            raise session_required(group, stale)

    def session_timeouts(self, group: Group, mine: list[Membership]) -> dict[str, Any]:
        """For the caller's own memberships (``group.roster.mine``)."""
        members = [m.identity_id for m in mine]
        return session_timeouts(group, members, self.sessions, self.clock.now())
