"""The shape every emulated service shares: a route table built once, a
dispatcher, one error formatter per service, and the bearer-token check."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound as NoRoute
from werkzeug.routing import Map, MapAdapter, Rule

from ..faults import DropConnection, FaultRule
from ..http import ApiError, Call, Forbidden, NotEmulated, Reply, Unauthorized
from .auth.errors import TokenRejected
from .auth.models import identity_urn
from .groups.models import group_urn

if TYPE_CHECKING:
    from ..agenda import DueEntry
    from ..emulator import Emulator, World
    from .auth.models import TokenInfo

Handler = Callable[..., Reply]
log = logging.getLogger("globus_testkit")

_FAULT_CODES = {
    429: "TooManyRequests",
    500: "InternalError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


MATCHES_KEPT = 4096


class Routes:
    """A declarative route table: ``@routes.route(path, "GET")`` on handlers.

    The werkzeug map is compiled on first use and then only matched.
    """

    def __init__(self) -> None:
        self._rules: list[Rule] = []
        self.handlers: dict[str, Handler] = {}
        self._adapter: MapAdapter | None = None
        # Clients poll the same paths (a task, a run) over and over; matched
        # routes are kept, a bounded number of them.
        self._matched: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}

    def route(
        self,
        path: str,
        *methods: str,
        operation: str | None = None,
        defaults: dict[str, Any] | None = None,
    ) -> Callable[[Handler], Handler]:
        """``defaults``: path arguments a shorter path implies (a provider
        served at a host's root has the empty path)."""

        def register(handler: Handler) -> Handler:
            name = operation or handler.__name__
            if name in self.handlers and self.handlers[name] is not handler:
                name = f"{name}_{len(self.handlers)}"
            self.handlers[name] = handler
            self._rules.append(Rule(path, endpoint=name, methods=list(methods), defaults=defaults))
            self._adapter = None
            self._matched.clear()
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[str, Mapping[str, Any]]:
        """The handler's name and path arguments, shared between calls: read
        them, or pass them on as ``**args`` (werkzeug's NotFound or
        MethodNotAllowed when there is none; those are not kept)."""
        found = self._matched.get((method, path))
        if found is None:
            if self._adapter is None:
                url_map = Map(self._rules, strict_slashes=False, merge_slashes=False)
                self._adapter = url_map.bind("emulator")
            name, args = self._adapter.match(path, method)
            if len(self._matched) >= MATCHES_KEPT:
                self._matched.clear()
            found = self._matched[(method, path)] = (str(name), dict(args))
        return found


class Service:
    """Base class of an emulated Globus service."""

    name: ClassVar[str]
    hosts: ClassVar[tuple[str, ...]] = ()
    # Services with a host per resource (GCS: one per endpoint) claim every
    # host ending so, and map each to a path with path_for_host.
    host_suffix: ClassVar[str] = ""
    resource_server: ClassVar[str] = ""
    # What globus-sdk's base URL for the service adds before the paths its
    # calls (and its recordings) name: GCSClient's "/api".
    sdk_base_path: ClassVar[str] = ""
    routes: ClassVar[Routes]
    faultable: ClassVar[bool] = True  # may fault rules touch it?
    journaled: ClassVar[bool] = True  # are its calls in the journal?
    # JSON Schema ``properties`` for the top-level world-file keys that
    # load_spec reads; the world schema (worlds.py) is their union.
    world_schema: ClassVar[dict[str, Any]] = {}

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    @classmethod
    def seed_world(cls, world: World) -> None:
        """Add what every world has of this service (its scopes, say)."""

    @classmethod
    def load_spec(cls, world: World, spec: dict[str, Any]) -> None:
        """Add this service's part of a world description."""

    @property
    def world(self) -> World:
        return self.emulator.world

    def path_for_host(self, hostname: str, path: str) -> str | None:
        """The path a request to ``hostname`` (one ending in host_suffix)
        routes as, or None when no resource of this service has that host."""
        return None

    def interrupt(self) -> None:
        """Let go of requests waiting on the world: the emulator is
        stopping. (Only services with waiting requests have any.)"""

    def run_due(self, entry: DueEntry) -> None:
        """Do what this service put on the world's agenda for ``entry.when``
        (the clock has reached it)."""
        raise NotImplementedError(f"{self.name} keeps no due work")

    def handle(self, call: Call) -> Reply:
        replay = self.emulator.replay
        if replay is not None and replay.mode == "all":
            replayed = self.emulator.replayed(self.name, call)
            if replayed is not None:
                return replayed
        try:
            try:
                call.operation, args = self.routes.match(call.method, call.path)
            except (NoRoute, MethodNotAllowed) as err:
                # A path the emulator knows with a method it does not route
                # is still a route it does not emulate (Globus may well
                # have it): the loud 501, never a 405 Globus would not give.
                replayed = self.emulator.replayed(self.name, call)
                if replayed is not None:
                    return replayed
                raise NotEmulated(self.name, call.method, call.path) from err
            fault = self.faultable and self.world.faults.check(
                self.name, call.operation, call.method, call.path
            )
            if fault:
                injected = self._inject(fault, call)
                if injected is not None:
                    return injected
            return self.routes.handlers[call.operation](self, call, **args)
        except ApiError as err:
            return self.error_reply(err, call)
        except DropConnection:
            raise
        except Exception as err:
            # A bug in the emulator, not a Globus behaviour: say so loudly,
            # in the service's shape, and keep serving.
            log.exception("globus-testkit failed on %s %s", call.method, call.path)
            bug = ApiError(
                500,
                "EmulatorError",
                f"globus-testkit failed answering {call.method} {call.path}: {err!r} "
                "(a bug in the emulator; please report it)",
            )
            return self.error_reply(bug, call)

    def _inject(self, fault: FaultRule, call: Call) -> Reply | None:
        """Apply a fault: a reply to send instead, or None to carry on."""
        call.note = f"fault {fault.id}"
        if fault.delay:
            self.world.clock.advance(fault.delay)
        call.real_delay = fault.real_delay
        if fault.reset or fault.timeout:
            raise DropConnection("reset" if fault.reset else "timeout")
        if fault.malformed:
            return Reply(b'{"this is not": json', fault.status or 200)
        if fault.status is not None:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(int(fault.retry_after))
            code = fault.code or _FAULT_CODES.get(fault.status, "InjectedFault")
            message = fault.message or f"injected fault {fault.id} (globus-testkit)"
            raise ApiError(fault.status, code, message, headers=headers)
        return None

    def error_reply(self, err: ApiError, call: Call) -> Reply:
        return Reply(self.error_body(err, call), err.status, dict(err.headers))

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        """The service's own error shape; each service overrides this."""
        return {"code": err.code, "message": err.message, "request_id": call.request_id}

    def principals_of(self, identity_id: str) -> tuple[frozenset[str], frozenset[str]]:
        """Whom the caller is: each identity of their identity set (Auth's
        answer) and each group any of them is an active member of (Groups'
        answer)."""
        identities = frozenset(i.id for i in self.world.auth.identity_set(identity_id))
        return identities, frozenset(self.world.groups.group_ids_of(identities))

    def principal_urns(self, identity_id: str) -> frozenset[str]:
        """:meth:`principals_of` as resources name them:
        ``urn:globus:auth:identity:<id>`` / ``urn:globus:groups:id:<id>``."""
        identities, groups = self.principals_of(identity_id)
        return frozenset({identity_urn(i) for i in identities} | {group_urn(g) for g in groups})

    def authenticate(
        self, call: Call, *, scope: str | None = None, resource_server: str | None = None
    ) -> TokenInfo:
        """The caller's token, checked by Auth for this resource server
        (or ``resource_server``, for services with one per endpoint).

        Missing, unknown, expired, revoked and other-service tokens are 401;
        a valid token without ``scope`` is 403.
        """
        bearer = call.bearer()
        if bearer is None:
            raise Unauthorized("no bearer token was sent")
        try:
            info = self.world.auth.check_token(bearer, resource_server or self.resource_server)
        except TokenRejected as err:
            raise Unauthorized(err.reason) from err
        call.token = info
        if scope is not None and not info.has_scope(scope) and self.world.auth.strict:
            raise Forbidden(f"the token lacks the scope {scope}", code="MissingScope")
        return info
