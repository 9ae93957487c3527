"""The Emulator: one world, its services, and one WSGI app over them.

Requests reach the app either in-process (a ``responses`` mock hands it
every request for a Globus host) or over a loopback server. Either way the
app picks the service by host (``transfer.api.globus.org``) or, on the
loopback server, by the first path segment (``/transfer/...``), and every
behaviour lives once, in the services.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import statefile
from .clock import Clock
from .control import PREFIX as CONTROL_PREFIX
from .control import ControlPlane
from .faults import DropConnection, Faults
from .http import ApiError, Call, Reply
from .journal import DEFAULT_MAX_ENTRIES as DEFAULT_JOURNAL_SIZE
from .journal import Journal
from .recording import Replay
from .services.actions.mounts import ActionsHelpers
from .services.auth.helpers import AuthHelpers
from .services.auth.models import Client, Identity
from .services.base import Service
from .services.compute.helpers import ComputeHelpers
from .services.exchange.helpers import ExchangeHelpers
from .services.gcs.helpers import GCSHelpers
from .services.groups.helpers import GroupsHelpers
from .services.search.helpers import SearchHelpers
from .services.timers.helpers import TimersHelpers
from .services.transfer.helpers import TransferHelpers
from .world import (  # re-exported: the world's parts are imported from here too
    KNOWN_SERVICE_SLUGS,
    SERVICE_CLASSES,
    World,
    build_world,
    fresh_world,
    is_globus_host,
)
from .worlds import WorldSpec, load_world_spec
from .wsgi import (
    decode_path,
    not_emulated_reply,
    read_body,
    request_headers,
    respond,
    unknown_service_reply,
)

__all__ = [
    "SERVICE_CLASSES",
    "Emulator",
    "ServiceAccount",
    "World",
    "build_world",
    "decode_path",
    "fresh_world",
]

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from .transports.proxy import ProxyServer
    from .transports.server import LiveServer

log = logging.getLogger("globus_testkit")


class Emulator:
    """A local, stateful Globus: Auth (and the services built on it).

    Use it as a context manager to route this process's requests to it,
    or call :meth:`serve` for a loopback HTTP server other processes can use.
    """

    def __init__(
        self,
        *,
        seed: int | str = 0,
        world: str | Path | WorldSpec | None = None,
        strict: bool = True,
        passthrough: bool = True,
        replay: str | Path | None = None,
        replay_mode: str = "missing",
        journal_size: int = DEFAULT_JOURNAL_SIZE,
        clock: str = "frozen",
        amqp_url: str | None = None,
    ) -> None:
        if clock not in ("frozen", "wall"):
            raise ValueError("clock must be 'frozen' or 'wall'")
        # "frozen": time moves only when advanced (tests); "wall": it follows
        # wall time too, for clients that poll a served emulator.
        self.clock_mode = clock
        # A RabbitMQ broker Compute publishes results to, for
        # globus-compute-sdk's Executor (services/compute/results.py).
        # ("" says none, whatever the environment says.)
        if amqp_url is None:
            amqp_url = os.environ.get("GLOBUS_TESTKIT_AMQP_URL")
        self.amqp_url = amqp_url or None
        self.seed = seed
        self.spec = load_world_spec(world)
        self.strict = strict
        self.passthrough = passthrough
        self.lock = threading.RLock()
        self._running_due = False
        if journal_size < 1:
            raise ValueError("journal_size must be at least 1")
        self.journal_size = journal_size  # entries the journal keeps
        self.world = self._adopted(fresh_world(seed, self.spec))
        # The control plane answers loopback peers only unless told otherwise.
        self.control_loopback_only = True
        self.services = [cls(self) for cls in SERVICE_CLASSES]
        self._by_host = {host: s for s in self.services for host in s.hosts}
        self._by_suffix = [s for s in self.services if s.host_suffix]
        self._by_name: dict[str, Service] = {s.name: s for s in self.services}
        self._by_name[CONTROL_PREFIX] = ControlPlane(self)
        self._request_ids = itertools.count(1)
        self.auth = AuthHelpers(self)
        self.actions = ActionsHelpers(self)
        self.transfer = TransferHelpers(self)
        self.exchange = ExchangeHelpers(self)
        self.search = SearchHelpers(self)
        self.groups = GroupsHelpers(self)
        self.timers = TimersHelpers(self)
        self.gcs = GCSHelpers(self)
        self.compute = ComputeHelpers(self)
        # Recorded answers for what the emulator does not emulate (opt-in).
        self.replay = Replay.load(replay, replay_mode) if replay is not None else None
        self._transport: Any = None
        self._servers: list[LiveServer] = []
        self._proxies: list[ProxyServer] = []

    # -- the default actors ------------------------------------------------------

    @property
    def world(self) -> World:
        return self._world

    @world.setter
    def world(self, world: World) -> None:
        # Advancing this world's clock runs its due work, here.
        world.clock.on_due = self.run_due
        self._world = world

    @property
    def clock(self) -> Clock:
        return self.world.clock

    @property
    def journal(self) -> Journal:
        return self.world.journal

    @property
    def faults(self) -> Faults:
        """Fault rules: ``emulator.faults.add(service="transfer", status=503)``."""
        return self.world.faults

    @property
    def user(self) -> Identity:
        return self.world.auth.identities[self.world.user_id]

    @property
    def service_account(self) -> ServiceAccount:
        client = self.world.auth.clients[self.world.service_account_id]
        return ServiceAccount(client)

    @property
    def native_client_id(self) -> str:
        return self.world.native_client_id

    def reset(self) -> None:
        """Throw the world away and start from a fresh copy."""
        with self.lock:
            self.world = self._adopted(fresh_world(self.seed, self.spec))

    def load(self, *, seed: int | str, world: str | Path | WorldSpec | None) -> None:
        """Replace the world with one built from ``seed`` and ``world``."""
        spec = load_world_spec(world)
        fresh = fresh_world(seed, spec)  # may raise: the old world stays
        with self.lock:
            self.seed, self.spec, self.world = seed, spec, self._adopted(fresh)

    def save_state(self, path: str | Path) -> None:
        """Write the whole world to ``path`` as a data-only JSON state file
        (docs/state-files.md), atomically, for :meth:`load_state`."""
        with self.lock:
            # Encoded under the lock so the file is one moment of the world.
            text = statefile.dumps(statefile.State(self.seed, self.spec, self.world))
        statefile.write_text(path, text)

    def load_state(self, path: str | Path) -> None:
        """Bring back a world written by :meth:`save_state`. Loading builds
        data only (it never runs code from the file); a file that is not a
        readable state file raises :class:`StateFileError` saying why, and
        the current world stays."""
        state = statefile.read_state(path)
        with self.lock:
            self.seed, self.spec = state.seed, state.spec
            self.world = self._adopted(state.world)

    def _adopted(self, world: World) -> World:
        """A world made this emulator's: its strictness, its journal size,
        its clock mode."""
        world.auth.strict = self.strict
        world.journal.resize(self.journal_size)
        world.clock.follow_wall(self.clock_mode == "wall")
        return world

    def describe(self) -> dict[str, Any]:
        """A JSON summary of the world, for people and the control plane."""
        with self.lock:
            auth = self.world.auth
            return {
                "seed": self.seed,
                "now": self.world.clock.isoformat(),
                "user": auth.identities[self.world.user_id].to_api(),
                "service_account": {"client_id": self.world.service_account_id},
                "native_client_id": self.world.native_client_id,
                "identities": [
                    i.to_api() for i in auth.identities.values() if i.identity_type == "login"
                ],
                "clients": [
                    {"id": c.id, "name": c.name, "client_type": c.client_type}
                    for c in auth.clients.values()
                    if c.client_type != "resource_server"
                ],
                "tokens": len(auth.tokens),
                "consents": len(auth.consents),
                "journal": len(self.world.journal),
                "faults": [r.to_dict() for r in self.world.faults.rules],
            }

    # -- transports --------------------------------------------------------------

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Route this process's requests for Globus hosts into the emulator."""
        from .transports.inprocess import InProcessTransport

        if self._transport is None:
            self._transport = InProcessTransport(self, passthrough=self.passthrough)
            self._transport.start()

    def stop(self) -> None:
        for service in self.services:
            service.interrupt()
        if self._transport is not None:
            self._transport.stop()
            self._transport = None
        for server in self._servers:
            server.stop()
        self._servers.clear()
        for proxy in self._proxies:
            proxy.stop()
        self._proxies.clear()

    def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        workers: int | None = None,
        read_timeout: float | None = None,
    ) -> LiveServer:
        """Start a loopback server; stopped by :meth:`stop`. ``workers``
        bounds the requests served at once (default 32) and ``read_timeout``
        closes sockets silent that long (default 30 s)."""
        from .transports.server import DEFAULT_READ_TIMEOUT, LiveServer
        from .workers import DEFAULT_WORKERS

        server = LiveServer(
            self,
            host=host,
            port=port,
            workers=workers or DEFAULT_WORKERS,
            read_timeout=read_timeout or DEFAULT_READ_TIMEOUT,
        )
        server.start()
        self._servers.append(server)
        return server

    def serve_proxy(
        self, host: str = "127.0.0.1", port: int = 0, *, passthrough: bool = False
    ) -> ProxyServer:
        """Start an HTTPS proxy that answers Globus's real hostnames from
        this world (see transports/proxy.py); its ``env`` points any
        program at it. Stopped by :meth:`stop`."""
        from .transports.proxy import ProxyServer

        proxy = ProxyServer(self, host=host, port=port, passthrough=passthrough)
        proxy.start()
        self._proxies.append(proxy)
        return proxy

    @property
    def bound_hosts(self) -> frozenset[str]:
        """The hosts the live servers listen on (``--host``)."""
        return frozenset(server.host for server in self._servers)

    @contextlib.contextmanager
    def unlocked(self) -> Iterator[None]:
        """Let go of the world's lock (however deeply held) for a while:
        for calls to providers that may call back in from other threads."""
        depth = 0
        while True:
            try:
                self.lock.release()
            except RuntimeError:
                break
            depth += 1
        try:
            yield
        finally:
            for _ in range(depth):
                self.lock.acquire()

    def call_internal(self, method: str, url: str, token: str, body: Any = None) -> tuple[int, Any]:
        """Call a URL on behalf of the emulator itself (the flow engine
        calling a provider): always through the app, never over the network,
        and never holding the world's lock meanwhile.

        A URL on a host the emulator neither emulates nor has mounted is not
        called at all (no request, no token leaves the machine): the answer
        is a loud 502 naming the URL.
        """

        from .transports.inprocess import wsgi_environ

        if not self.serves(url):
            return 502, {
                "code": "NotEmulated",
                "description": (
                    f"{url} is on a host globus-testkit neither emulates nor has "
                    "mounted; nothing was sent. Mount the provider with "
                    "emulator.actions.mount(url, app)."
                ),
            }
        headers = {"Content-Type": "application/json"}
        if token:  # none for an API that takes no token
            headers["Authorization"] = f"Bearer {token}"
        payload = json.dumps(body).encode() if body is not None else b""
        seen: dict[str, int] = {}

        def start_response(line: str, _headers: Any, exc: Any = None) -> Any:
            seen["status"] = int(line.split(" ", 1)[0])

        with self.unlocked():
            raw = b"".join(self(wsgi_environ(method, url, headers, payload), start_response))
        try:
            return seen["status"], json.loads(raw) if raw else None
        except ValueError:
            return seen["status"], None

    def serves(self, url: str) -> bool:
        """Whether the emulator answers ``url`` itself: an emulated or mounted
        host, or a path on one of its own loopback servers."""
        from urllib.parse import urlsplit

        if self.handles_host(urlsplit(url).hostname or ""):
            return True
        return any(url.startswith(server.url + "/") for server in self._servers)

    def run_due(self) -> bool:
        """Run the world's due work (timers' runs...) in time order; True if
        any ran. Work started by due work waits for the next call."""
        if self._running_due:
            return False
        with self.lock:
            if self._running_due:
                return False
            self._running_due = True
            try:
                world, ran = self.world, False
                while (entry := world.agenda.pop_due(world.clock.now())) is not None:
                    ran = True
                    try:
                        self._by_name[entry.service].run_due(entry)
                    except Exception:  # a bug in the emulator: say so, carry on
                        log.exception("globus-testkit failed running %s", entry)
                return ran
            finally:
                self._running_due = False

    def handles_host(self, hostname: str) -> bool:
        """Whether in-process requests to this host belong to the emulator."""
        return (
            hostname in self._by_host
            or is_globus_host(hostname)
            or self.actions.handles_host(hostname)
        )

    # -- the WSGI app --------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        mounted = self.actions.find(environ) if self.actions.mounted else None
        if mounted is not None:
            return self.actions.call(mounted[0], mounted[1], start_response)
        return respond(self._dispatch(environ), start_response)

    def _dispatch(self, environ: WSGIEnvironment) -> Reply:
        host = (environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "").lower()
        return self.dispatch(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            scheme=environ.get("wsgi.url_scheme", "http"),
            host=host,
            path=environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace"),
            query_string=environ.get("QUERY_STRING", ""),
            headers=lambda: request_headers(environ),
            body=lambda: read_body(environ),
            remote_addr=environ.get("REMOTE_ADDR", ""),
        )

    def dispatch(
        self,
        *,
        method: str,
        scheme: str,
        host: str,
        path: str,
        query_string: str,
        headers: Callable[[], dict[str, str]],
        body: Callable[[], bytes],
        remote_addr: str,
    ) -> Reply:
        """Answer one request to a service (not a mounted provider): the
        WSGI app reads its parts from the environ; the in-process transport
        hands them over straight from the client's request. ``host`` is
        lower-cased, ``path`` decoded; ``headers`` and ``body`` are read only
        once a service is found (headers' names lower-cased)."""
        hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        service = self._by_host.get(hostname)
        if service is None:
            service, path = self._by_host_suffix(hostname, path)
        if service is not None:
            base_url = f"{scheme}://{host}/"
        else:
            segment, _, rest = path.lstrip("/").partition("/")
            if is_globus_host(hostname):
                return self._unserved(hostname.split(".")[0], hostname, method, query_string, path)
            service = self._by_name.get(segment)
            if service is None:
                if segment in KNOWN_SERVICE_SLUGS:
                    return self._unserved(segment, segment, method, query_string, "/" + rest)
                return unknown_service_reply(segment)
            path = "/" + rest
            base_url = f"{scheme}://{host}/{segment}/"
        try:
            raw_body = body()
        except ApiError as err:
            return Reply({"code": err.code, "message": err.message}, err.status)
        call = Call(
            service=service.name,
            method=method,
            path=path,
            query_string=query_string,
            headers=headers(),
            raw_body=raw_body,
            request_id=f"tk{next(self._request_ids):010d}",
            base_url=base_url,
            remote_addr=remote_addr,
        )
        clock = self.world.clock
        if clock.due_at <= clock.now():  # one comparison when nothing is due
            self.run_due()
        try:
            with self.lock:
                reply = service.handle(call)
                self._record(call, reply)
        except DropConnection:
            with self.lock:
                self._record(call, Reply(None, 0))
            raise
        if call.real_delay:
            time.sleep(call.real_delay)  # outside the lock: others carry on
        return reply

    def _by_host_suffix(self, hostname: str, path: str) -> tuple[Service | None, str]:
        """The service owning a per-resource host (a GCS endpoint's), and
        the path it routes the request as."""
        for service in self._by_suffix:
            if hostname.endswith(service.host_suffix):
                with self.lock:
                    routed = service.path_for_host(hostname, path)
                if routed is not None:
                    return service, routed
        return None, path

    def _unserved(
        self, service: str, where: str, method: str, query_string: str, path: str
    ) -> Reply:
        """A service the emulator lacks: a recorded answer if replay has
        one (journaled as replayed), else a loud 501."""
        if self.replay is not None:
            call = Call(
                service=service,
                method=method,
                path=path,
                query_string=query_string,
                headers={},
                raw_body=b"",
                request_id=f"tk{next(self._request_ids):010d}",
                base_url="",
            )
            reply = self.replayed(service, call)
            if reply is not None:
                with self.lock:
                    self._record(call, reply)
                return reply
        return not_emulated_reply(where, method, path)

    def replayed(self, service: str, call: Call) -> Reply | None:
        """A recorded answer for this call, if replay is on and has one;
        the journal marks it, so no canned answer passes for a stateful one."""
        if self.replay is None:
            return None
        found = self.replay.find(service, call.method, call.path)
        if found is None:
            return None
        call.operation = call.operation or f"{call.method} {found.template}"
        call.note = "replayed"
        return Reply(found.response, found.status)

    def _record(self, call: Call, reply: Reply) -> None:
        known = self._by_name.get(call.service)
        if known is not None and not known.journaled:
            return
        token = call.token
        world = self.world
        world.journal.record_call(
            world.clock.now(),
            call.service,
            call.operation,
            call.method,
            call.path,
            reply.status,
            token.identity_id if token else None,
            token.client_id if token else call.client_id,
            call.request_id,
            call.note,
        )


class ServiceAccount:
    """The default confidential client, as a service account's code sees it."""

    def __init__(self, client: Client) -> None:
        self.client_id = client.id
        self.client_secret = client.credentials[0].secret
        self.name = client.name

    def __repr__(self) -> str:
        return f"ServiceAccount(client_id={self.client_id!r})"
