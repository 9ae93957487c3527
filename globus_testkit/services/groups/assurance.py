"""High-assurance groups: how recently a member must have signed in.

Groups stores and reports ``is_high_assurance``,
``authentication_assurance_timeout``, ``enforce_session``, ``session_limit``
and ``session_timeouts`` faithfully. *Enforcing* them needs to know when
each identity last authenticated, which is Auth's to answer. That answer
comes through one hook, :attr:`GroupsState.sessions`, an object with
``last_authentication(identity_id) -> float | None`` (epoch seconds on the
world clock). While it is ``None`` nothing is enforced and
``session_timeouts`` is empty. Every world connects Auth's sessions
(``build_world``); a test may put a stand-in in their place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ...clock import iso
from ...http import SessionRequired

if TYPE_CHECKING:
    from .models import Group


class SessionSource(Protocol):
    def last_authentication(self, identity_id: str) -> float | None: ...


def session_required(group: Group, identities: list[str]) -> SessionRequired:
    """A high-assurance group wants a fresher sign-in from these identities:
    Groups' 401, carrying the ``authorization_parameters`` globus-sdk reads
    (the one session error type every service raises)."""
    return SessionRequired(
        {
            "session_message": "This high assurance group requires you to sign in again.",
            "session_required_identities": identities,
            "session_required_single_domain": [],
        },
        status=401,
        code="AUTHENTICATION_ASSURANCE_TIMEOUT",
        message=f"group {group.id} requires a sign-in within the last "
        f"{group.policies.authentication_assurance_timeout} seconds",
    )


def stale_identities(
    group: Group, identities: list[str], sessions: SessionSource | None, now: float
) -> list[str]:
    """Which of these member identities must sign in again before using a
    high-assurance group (none while no session source is connected)."""
    if sessions is None or not group.policies.is_high_assurance:
        return []
    limit = group.policies.authentication_assurance_timeout
    stale = []
    for identity_id in identities:
        when = sessions.last_authentication(identity_id)
        if when is None or now - when > limit:
            stale.append(identity_id)
    return stale


def session_timeouts(
    group: Group, identities: list[str], sessions: SessionSource | None, now: float
) -> dict[str, Any]:
    """``session_timeouts`` as the group document gives it: for each of the
    caller's identities with a session, when its assurance runs out."""
    if sessions is None or not group.policies.is_high_assurance:
        return {}
    limit = group.policies.authentication_assurance_timeout
    found: dict[str, Any] = {}
    for identity_id in identities:
        when = sessions.last_authentication(identity_id)
        if when is None:
            continue
        expires = when + limit
        found[identity_id] = {
            "expire_time": iso(expires),
            "expires_in": max(0, int(expires - now)),
        }
    return found
