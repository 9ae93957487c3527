"""Globus Transfer streams: stream access points and the tunnels between
them (``/v2/stream_access_points``, ``/v2/tunnels``). State and rules only;
the JSON:API documents are written by :mod:`.stream_routes`.

A stream access point is hosted by a GCS endpoint and is part of the
world (seeded, never created over the API). A tunnel joins an
*initiator* access point to a *listener* one and lives through the states
Transfer reports::

    AWAITING_LISTENER --(listener contact set)--> ACTIVE
    AWAITING_LISTENER / ACTIVE --(state: STOPPING)--> STOPPING --> STOPPED
    AWAITING_LISTENER / ACTIVE --(lifetime_mins pass)--> STOPPED

Like a task, the work a client polls for is done by its next read: a
tunnel asked to stop answers STOPPING and is STOPPED when next read, and a
tunnel past its lifetime is STOPPED whenever the clock says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock, iso
from ...derived import KeepsDerived
from ...ids import Ids
from ..auth.models import identity_urn
from .errors import BadRequest, Conflict, NotFound

AWAITING_LISTENER = "AWAITING_LISTENER"
ACTIVE = "ACTIVE"
STOPPING = "STOPPING"
STOPPED = "STOPPED"
LIVE = (AWAITING_LISTENER, ACTIVE)

# What Transfer says of a tunnel in each state.
STATUS = {
    AWAITING_LISTENER: "The tunnel is waiting for listening contact detail setup.",
    ACTIVE: "The tunnel is active.",
    STOPPING: "A request to stop tunnel has been received.",
    STOPPED: "The tunnel has been stopped.",
}
DEFAULT_LIFETIME_MINS = 360
MAX_LIFETIME_MINS = 10080  # a week

# The descriptive fields an access point shows, all optional strings.
ACCESS_POINT_FIELDS = (
    "contact_email",
    "contact_info",
    "department",
    "description",
    "info_link",
    "keywords",
    "organization",
)


@dataclass
class StreamAccessPoint:
    id: str
    display_name: str
    host_endpoint_id: str
    owner_id: str
    advertised_owner: str
    tlsftp_server: str
    # Who may see it: everyone signed in (public), else its owner's
    # identity set and these principal URNs (identities and groups).
    public: bool = True
    visible_to: list[str] = field(default_factory=list)
    details: dict[str, str | None] = field(default_factory=dict)

    def visible_to_principals(self, principals: frozenset[str]) -> bool:
        return (
            self.public
            or identity_urn(self.owner_id) in principals
            or any(urn in principals for urn in self.visible_to)
        )

    def attributes(self) -> dict[str, Any]:
        return {
            "advertised_owner": self.advertised_owner,
            **{name: self.details.get(name) for name in ACCESS_POINT_FIELDS},
            "display_name": self.display_name,
            "tlsftp_server": self.tlsftp_server,
        }


@dataclass
class TunnelEvent:
    id: int
    code: str
    is_error: bool
    description: str
    details: str
    time: float

    def attributes(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "is_error": self.is_error,
            "description": self.description,
            "details": self.details,
            "time": _time(self.time),
        }


@dataclass
class Tunnel:
    id: str
    owner_id: str
    initiator_id: str
    listener_id: str
    submission_id: str
    created_time: float
    label: str | None = None
    lifetime_mins: int = DEFAULT_LIFETIME_MINS
    restartable: bool = False
    state: str = AWAITING_LISTENER
    listener_ip_address: str | None = None
    listener_port: int | None = None
    initiator_ip_address: str | None = None
    initiator_port: int | None = None
    events: list[TunnelEvent] = field(default_factory=list)

    @property
    def ends_at(self) -> float:
        return self.created_time + self.lifetime_mins * 60

    def attributes(self) -> dict[str, Any]:
        return {
            "created_time": _time(self.created_time),
            "initiator_ip_address": self.initiator_ip_address,
            "initiator_port": self.initiator_port,
            "label": self.label,
            "lifetime_mins": self.lifetime_mins,
            "listener_ip_address": self.listener_ip_address,
            "listener_port": self.listener_port,
            "restartable": self.restartable,
            "state": self.state,
            "status": STATUS[self.state],
            "submission_id": self.submission_id,
        }


class Streams(KeepsDerived):
    """Stream access points and tunnels, and the rules between them."""

    # tunnel ids by submission id (every create asks whether its submission
    # id made a tunnel already); None until first asked
    DERIVED = ("_by_submission",)
    _by_submission: dict[str, str] | None = None

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self.clock = clock
        self.ids = ids
        self.access_points: dict[str, StreamAccessPoint] = {}
        self.tunnels: dict[str, Tunnel] = {}
        self._event_ids = 0

    # -- access points -----------------------------------------------------------

    def add_access_point(
        self,
        display_name: str,
        *,
        owner_id: str,
        advertised_owner: str,
        host_endpoint_id: str | None = None,
        access_point_id: str | None = None,
        tlsftp_server: str | None = None,
        public: bool = True,
        visible_to: list[str] | None = None,
        **details: str | None,
    ) -> StreamAccessPoint:
        unknown = set(details) - set(ACCESS_POINT_FIELDS)
        if unknown:
            raise ValueError(f"stream access points have no {', '.join(sorted(unknown))}")
        point_id = access_point_id or self.ids.uuid()
        if point_id in self.access_points:
            raise ValueError(f"a stream access point {point_id} already exists")
        host = host_endpoint_id or self.ids.uuid()
        point = StreamAccessPoint(
            id=point_id,
            display_name=display_name,
            host_endpoint_id=host,
            owner_id=owner_id,
            advertised_owner=advertised_owner,
            # the host's data interface, as GCS names it
            tlsftp_server=tlsftp_server
            or f"tlsftp://{host[:5]}.{point_id[:5]}.data.globus.org:443",
            public=public,
            visible_to=list(visible_to or ()),
            details=dict(details),
        )
        self.access_points[point.id] = point
        return point

    def access_point(self, point_id: str, principals: frozenset[str]) -> StreamAccessPoint:
        """An access point the caller may see; unseen ones are not found."""
        point = self.access_points.get(point_id)
        if point is None or not point.visible_to_principals(principals):
            raise NotFound(f"no stream access point {point_id}")
        return point

    def visible_access_points(
        self,
        principals: frozenset[str],
        *,
        fulltext: str | None = None,
        hosts: set[str] | None = None,
    ) -> list[StreamAccessPoint]:
        """The access points the caller may see; with ``fulltext``, those
        with each of its words in some attribute; with ``hosts``, those
        hosted by one of these endpoints."""
        words = (fulltext or "").lower().split()
        return [
            p
            for p in self.access_points.values()
            if p.visible_to_principals(principals)
            and (hosts is None or p.host_endpoint_id in hosts)
            and all(any(w in str(v).lower() for v in p.attributes().values() if v) for w in words)
        ]

    # -- tunnels -----------------------------------------------------------------

    def create_tunnel(
        self,
        owner_id: str,
        principals: frozenset[str],
        *,
        initiator_id: str,
        listener_id: str,
        submission_id: str,
        label: str | None = None,
        lifetime_mins: int | None = None,
        restartable: bool = False,
        listener_ip_address: str | None = None,
        listener_port: int | None = None,
    ) -> Tunnel:
        """A new tunnel, or the one this submission id already made (so a
        retried create makes one tunnel). With the listener's contact it
        starts at once."""
        made = self._submissions().get(submission_id)
        if made is not None:
            if identity_urn(self.tunnels[made].owner_id) not in principals:
                raise Conflict(f"submission id {submission_id} is already in use")
            return self.current(self.tunnels[made])
        initiator = self.access_point(initiator_id, principals)
        listener = self.access_point(listener_id, principals)
        tunnel = Tunnel(
            id=self.ids.uuid(),
            owner_id=owner_id,
            initiator_id=initiator.id,
            listener_id=listener.id,
            submission_id=submission_id,
            created_time=self.clock.now(),
            label=label,
            lifetime_mins=DEFAULT_LIFETIME_MINS if lifetime_mins is None else lifetime_mins,
            restartable=restartable,
        )
        self.tunnels[tunnel.id] = tunnel
        self._submissions()[submission_id] = tunnel.id
        self._set_listener(tunnel, listener_ip_address, listener_port)
        return tunnel

    def tunnel(self, tunnel_id: str, principals: frozenset[str]) -> Tunnel:
        """One of the caller's tunnels, brought up to date; others' are not found."""
        tunnel = self.tunnels.get(tunnel_id)
        if tunnel is None or identity_urn(tunnel.owner_id) not in principals:
            raise NotFound(f"no tunnel {tunnel_id}")
        return self.current(tunnel)

    def tunnels_of(self, principals: frozenset[str]) -> list[Tunnel]:
        return [
            self.current(t) for t in self.tunnels.values() if identity_urn(t.owner_id) in principals
        ]

    def update_tunnel(
        self, tunnel_id: str, principals: frozenset[str], changes: dict[str, Any]
    ) -> Tunnel:
        """Relabel, change the lifetime, set the listener's contact (which
        makes a waiting tunnel ACTIVE) or ask it to stop. Every change is
        checked before any is made."""
        tunnel = self.tunnel(tunnel_id, principals)
        state = changes.get("state")
        if state is not None and state != STOPPING:
            raise BadRequest(f"a tunnel's state can only be set to {STOPPING}")
        live = tunnel.state in LIVE
        if state == STOPPING and not live:
            raise Conflict(f"tunnel {tunnel.id} is already {tunnel.state}")
        contact = {k: changes[k] for k in ("listener_ip_address", "listener_port") if k in changes}
        if contact and not live:
            raise Conflict(f"tunnel {tunnel.id} is {tunnel.state}; its listener cannot change")
        lifetime = changes.get("lifetime_mins")
        if lifetime is not None and not live:
            raise Conflict(f"tunnel {tunnel.id} is {tunnel.state}; its lifetime cannot change")
        if lifetime is not None and tunnel.created_time + lifetime * 60 <= self.clock.now():
            raise BadRequest("lifetime_mins would end the tunnel in the past")

        if "label" in changes:
            tunnel.label = changes["label"]
        if lifetime is not None:
            tunnel.lifetime_mins = lifetime
        if contact:
            self._set_listener(
                tunnel,
                contact.get("listener_ip_address", tunnel.listener_ip_address),
                contact.get("listener_port", tunnel.listener_port),
            )
        if state == STOPPING:
            tunnel.state = STOPPING
        return tunnel

    def delete_tunnel(self, tunnel_id: str, principals: frozenset[str]) -> None:
        tunnel = self.tunnel(tunnel_id, principals)
        # its submission id is free again (first: an index built now holds it)
        del self._submissions()[tunnel.submission_id]
        del self.tunnels[tunnel.id]

    def _submissions(self) -> dict[str, str]:
        """Tunnel ids by submission id (a create retried answers the tunnel
        its submission id made): built on first ask, kept up by every
        create and delete."""
        if self._by_submission is None:
            self._by_submission = {t.submission_id: t.id for t in self.tunnels.values()}
        return self._by_submission

    def events(
        self,
        tunnel_id: str,
        principals: frozenset[str],
        *,
        code: str | None = None,
        is_error: bool | None = None,
    ) -> list[TunnelEvent]:
        return [
            e
            for e in self.tunnel(tunnel_id, principals).events
            if (code is None or e.code == code) and (is_error is None or e.is_error == is_error)
        ]

    def _set_listener(self, tunnel: Tunnel, address: str | None, port: int | None) -> None:
        """The listener's contact; once it has both, a waiting tunnel starts."""
        tunnel.listener_ip_address, tunnel.listener_port = address, port
        if tunnel.state == AWAITING_LISTENER and address is not None and port is not None:
            self._event(tunnel, "STARTED", "started", "Attempting tunnel establishment")
            tunnel.state = ACTIVE
            self._event(tunnel, "TUNNEL_ACTIVE", "tunnel is active", "Tunnel has been established")

    def current(self, tunnel: Tunnel) -> Tunnel:
        """Do what the clock allows by now: a stop asked for is done, a
        tunnel past its lifetime is stopped."""
        if tunnel.state == STOPPING:
            tunnel.state = STOPPED
            self._event(
                tunnel, "TUNNEL_STOPPED", "tunnel has been stopped", "Tunnel stopped as requested."
            )
        elif tunnel.state in LIVE and self.clock.now() >= tunnel.ends_at:
            tunnel.state = STOPPED
            self._event(
                tunnel,
                "TUNNEL_STOPPED",
                "tunnel has been stopped",
                "Tunnel lifetime expired.",
                when=tunnel.ends_at,
            )
        return tunnel

    def _event(
        self,
        tunnel: Tunnel,
        code: str,
        description: str,
        details: str,
        *,
        is_error: bool = False,
        when: float | None = None,
    ) -> None:
        self._event_ids += 1
        tunnel.events.append(
            TunnelEvent(
                self._event_ids,
                code,
                is_error,
                description,
                details,
                self.clock.now() if when is None else when,
            )
        )


def _time(timestamp: float) -> str:
    # v2 documents give UTC times without an offset ("2025-12-12T21:49:22.183977")
    return iso(timestamp).removesuffix("+00:00")
