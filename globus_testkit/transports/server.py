"""Live-server transport: the same WSGI app on a loopback port.

HTTP/1.1 with keep-alive (see :mod:`.keepalive`), quiet. ``env`` holds the
variables that point globus-sdk, globus-cli and anything else at it.

The same port also speaks HTTPS: a connection whose first byte opens a
TLS handshake is wrapped in TLS with a certificate from this process's
certificate authority (the proxy's kind, see :func:`authority`). GCS
Managers are reached through that door (``https://127.0.0.1:<port>/gcs/``),
because globus-cli accepts no ``gcs_manager_url`` but an ``https://`` one;
``env`` tells globus-sdk to trust the authority (``GLOBUS_SDK_VERIFY_SSL``).

Slow or idle clients cannot starve the others: connections with nothing to
say wait in one selector (not one thread each) and are closed after
``read_timeout`` seconds of silence; a connection with a request to read
is served by a bounded pool of workers (:mod:`..workers`), one request at
a time, and every read on a socket times out after ``read_timeout``.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import selectors
import shutil
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

from ..faults import DropConnection
from ..workers import DEFAULT_WORKERS, WorkerPool
from .keepalive import KeepAliveHandler

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ..emulator import Emulator
    from .proxy import CertificateAuthority

# Service names as globus-sdk spells them in GLOBUS_SDK_SERVICE_URL_<NAME>.
SDK_SERVICE_NAMES = (
    "auth",
    "transfer",
    "flows",
    "groups",
    "timer",
    "search",
    "compute",
    "actions",
    "app",
)
# An environment globus-sdk does not know: any service without a URL
# variable then fails loudly instead of reaching the real Globus.
ENVIRONMENT_NAME = "globus-testkit"


DEFAULT_READ_TIMEOUT = 30.0  # seconds a socket may stay silent
# The first byte of a TLS connection: a handshake record's content type.
# Plain HTTP starts with a method's letter.
TLS_HANDSHAKE = b"\x16"


@functools.cache
def authority() -> CertificateAuthority:
    """The certificate authority of this process's live servers' TLS
    doors: made once (minting keys costs milliseconds, and a test session
    starts many servers), its folder removed when the process ends."""
    from .proxy import CertificateAuthority

    folder = Path(tempfile.mkdtemp(prefix="globus-testkit-tls-"))
    atexit.register(shutil.rmtree, folder, True)
    return CertificateAuthority(folder)


class LiveServer:
    def __init__(
        self,
        emulator: Emulator,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        workers: int = DEFAULT_WORKERS,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
    ) -> None:
        self.emulator = emulator
        self.host = host
        self.port = port
        self.workers = workers
        self.read_timeout = read_timeout
        self._server: PooledWSGIServer | None = None

    def start(self) -> None:
        # Serving needs no thread of its own: the server's watcher accepts.
        self._server = PooledWSGIServer(
            self.host,
            self.port,
            self._app,
            workers=self.workers,
            read_timeout=self.read_timeout,
            tls=authority().context_for(self._certificate_host),
        )
        self.port = self._server.socket.getsockname()[1]

    @property
    def _certificate_host(self) -> str:
        """The name the TLS door's certificate carries: the host clients
        are given (a wildcard address's clients are told ``127.0.0.1``)."""
        return "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host

    @property
    def ca_file(self) -> Path:
        """The certificate authority (PEM) to trust for the TLS door."""
        return authority().ca_file

    def _app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self.emulator(environ, start_response)
        except DropConnection:
            # An injected reset or timeout: the client sees the connection
            # close with no answer, as it would from a real outage.
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            start_response("500 Dropped", [("Connection", "close")])
            return []

    @property
    def connections_accepted(self) -> int:
        """How many connections this server has accepted (one per client
        while keep-alive holds)."""
        return self._server.accepted if self._server is not None else 0

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def service_url(self, service: str) -> str:
        return f"{self.url}/{service}/"

    @property
    def gcs_url(self) -> str:
        """Where this server's GCS Managers answer, through the TLS door:
        endpoint ``E``'s at ``<gcs_url>/E`` (the ``gcs_manager_url``
        Transfer gives for it here), its API below ``/api/``. globus-sdk
        has no service-URL variable for GCS (a GCSClient is built from the
        manager's address), so this is the testkit's own."""
        return self.url.replace("http://", "https://", 1) + "/gcs"

    def provider_url(self, url: str) -> str:
        """Where a provider mounted at ``url`` is reached on this server."""
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        return f"{self.url}/mounts/{parts.hostname}{parts.path}".rstrip("/")

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that send Globus clients here."""
        env = {
            f"GLOBUS_SDK_SERVICE_URL_{name.upper()}": self.service_url(name)
            for name in SDK_SERVICE_NAMES
        }
        env["GLOBUS_SDK_ENVIRONMENT"] = ENVIRONMENT_NAME
        # globus-sdk verifies https URLs (here: the TLS door's GCS
        # Managers) with this CA file and reads no REQUESTS_CA_BUNDLE.
        env["GLOBUS_SDK_VERIFY_SSL"] = str(self.ca_file)
        return env

    @property
    def shell_env(self) -> dict[str, str]:
        """Everything ``globus-testkit serve`` prints: :attr:`env`, the
        world's service account as globus-cli's client-login variables,
        globus-automate-client's flows endpoint (its CLI reads it; it knows
        no SDK variable for Flows), and the testkit's own values (this
        server's URL, where its GCS Managers answer, the world's native app
        and user)."""
        emulator = self.emulator
        account = emulator.service_account
        return {
            **self.env,
            "GLOBUS_CLI_CLIENT_ID": account.client_id,
            "GLOBUS_CLI_CLIENT_SECRET": account.client_secret,
            "GLOBUS_AUTOMATE_FLOWS_ENDPOINT": self.service_url("flows").rstrip("/"),
            "GLOBUS_TESTKIT_URL": self.url,
            "GLOBUS_TESTKIT_GCS_URL": self.gcs_url,
            "GLOBUS_TESTKIT_NATIVE_CLIENT_ID": emulator.native_client_id,
            "GLOBUS_TESTKIT_USER": emulator.user.username,
        }

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PooledWSGIServer(BaseWSGIServer):
    """werkzeug's server, with idle connections parked in a selector and
    requests served by a bounded :class:`WorkerPool`. One watcher thread
    accepts connections and watches the parked ones; it starts with the
    server, and closing the server wakes it at once (socketserver's
    ``serve_forever`` would first finish a poll interval: 50 ms per test
    on the server transport)."""

    multithread = True  # requests run on several threads (and keep-alive is on)

    def __init__(
        self,
        host: str,
        port: int,
        app: Any,
        *,
        workers: int = DEFAULT_WORKERS,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        handler: type[WSGIRequestHandler] = KeepAliveHandler,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(host, port, app, handler)
        self.read_timeout = read_timeout
        self.tls = tls  # answers connections that open with a TLS handshake
        self.accepted = 0  # connections accepted so far (keep-alive shows in it)
        self.pool = WorkerPool(workers, name=f"globus-testkit:{self.server_address[1]}")
        self._parked = selectors.DefaultSelector()
        self._parked_lock = threading.Lock()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._parked.register(self._wake_reader, selectors.EVENT_READ, None)
        self.socket.setblocking(False)  # a connection reset before accept() must not block it
        self._parked.register(self.socket, selectors.EVENT_READ, self)
        self._shut_down = threading.Event()
        self._closing = False
        self._next_sweep = 0.0
        self._watcher = threading.Thread(
            target=self._watch, name=f"{self.pool.name}-idle", daemon=True
        )
        self._watcher.start()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Wait until shut down (the watcher serves meanwhile)."""
        self._shut_down.wait()

    def shutdown(self) -> None:
        self._shut_down.set()

    def _accept(self) -> None:
        try:
            request, address = self.get_request()
        except OSError:  # gone before it was accepted
            return
        self.accepted += 1  # only the watcher thread accepts
        try:
            self.process_request(request, address)
        except OSError:
            self.shutdown_request(request)

    def process_request(self, request: Any, client_address: Any) -> None:
        """A new connection waits, threadless, until it has a request."""
        request.settimeout(self.read_timeout)
        self.park(_Connection(self, request, client_address))

    def park(self, connection: _Connection) -> None:
        connection.parked_at = time.monotonic()
        with self._parked_lock:
            if self._closing:
                connection.close()
                return
            self._parked.register(connection.sock, selectors.EVENT_READ, connection)
        self._wake_writer.send(b"\0")  # the watcher selects again, with it

    def _watch(self) -> None:
        while not self._closing:
            events = self._parked.select(timeout=min(1.0, self.read_timeout))
            ready, knocked = [], False
            with self._parked_lock:
                if self._closing:  # server_close closed the parked ones meanwhile
                    break
                for key, _ in events:
                    if key.data is None:
                        with contextlib.suppress(OSError):
                            self._wake_reader.recv(4096)
                    elif key.data is self:
                        knocked = True
                    else:
                        self._parked.unregister(key.fileobj)
                        ready.append(key.data)
                stale = self._stale() if time.monotonic() >= self._next_sweep else []
            if knocked and not self._closing:
                self._accept()
            for connection in ready:
                self.pool.submit(connection.serve_one)
            for connection in stale:
                connection.close()

    def _stale(self) -> list[_Connection]:
        """Parked connections silent for longer than the read timeout
        (called holding the parking lock), unregistered."""
        now = time.monotonic()
        self._next_sweep = now + min(0.5, self.read_timeout / 4)
        limit = now - self.read_timeout
        stale = []
        for key in list(self._parked.get_map().values()):
            connection = key.data
            if isinstance(connection, _Connection) and connection.parked_at < limit:
                self._parked.unregister(key.fileobj)
                stale.append(connection)
        return stale

    def server_close(self) -> None:
        # Idempotent: LiveServer.stop calls it, and so may whoever ran serve_forever.
        with self._parked_lock:
            if self._closing:
                return
            self._closing = True
            self._shut_down.set()
            parked = [
                k.data for k in self._parked.get_map().values() if isinstance(k.data, _Connection)
            ]
            for connection in parked:
                self._parked.unregister(connection.sock)
        self._wake_writer.send(b"\0")
        for connection in parked:
            connection.close()
        self._watcher.join(timeout=5)
        self._parked.close()
        self._wake_reader.close()
        self._wake_writer.close()
        self.pool.close()
        super().server_close()


class _Connection:
    """One client's socket and the handler that reads its requests, kept
    across keep-alive requests (its buffered reader may hold the next)."""

    def __init__(self, server: PooledWSGIServer, sock: socket.socket, address: Any) -> None:
        self.server = server
        self.sock = sock
        self.address = address
        self.parked_at = 0.0
        self.handler: WSGIRequestHandler | None = None

    def serve_one(self) -> None:
        """Answer one request, then park the connection again (or close it)."""
        try:
            handler = self.handler
            if handler is None:
                self._secure_if_asked()
                handler = self.handler = _handler(self.server, self.sock, self.address)
            handler.close_connection = True
            handler.handle_one_request()
            if handler.close_connection:
                self.close()
            elif self._has_more():
                self.server.pool.submit(self.serve_one)  # pipelined: no need to wait
            else:
                self.server.park(self)
        except (ConnectionError, TimeoutError, OSError, ValueError):
            self.close()
        except BaseException:
            self.close()  # never leave a socket open with no one reading it
            raise

    def _secure_if_asked(self) -> None:
        """Speak TLS on this connection if the client opened with a TLS
        handshake (the handshake is bounded by the read timeout)."""
        tls = self.server.tls
        if tls is not None and self.sock.recv(1, socket.MSG_PEEK) == TLS_HANDSHAKE:
            self.sock = tls.wrap_socket(self.sock, server_side=True)

    def _has_more(self) -> bool:
        """Whether the next request is already read (or readable) now."""
        assert self.handler is not None
        self.sock.settimeout(0)
        try:
            return bool(self.handler.rfile.peek(1))  # type: ignore[attr-defined]
        except (BlockingIOError, OSError, ValueError):
            return False
        finally:
            self.sock.settimeout(self.server.read_timeout)

    def close(self) -> None:
        if self.handler is not None:
            with contextlib.suppress(Exception):
                self.handler.finish()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.sock.close()


def _handler(server: PooledWSGIServer, sock: socket.socket, address: Any) -> WSGIRequestHandler:
    """werkzeug's request handler for a connection, set up but not run
    (its constructor would serve the connection to the end)."""
    handler_class: type[WSGIRequestHandler] = server.RequestHandlerClass  # type: ignore[assignment]
    handler = handler_class.__new__(handler_class)
    handler.request = sock
    handler.client_address = address
    handler.server = server
    handler.setup()
    return handler
