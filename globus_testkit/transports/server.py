"""Live-server transport: the same WSGI app on a loopback port.

Threaded, HTTP/1.1 with keep-alive (werkzeug turns it on for threaded
servers), quiet. ``env`` holds the variables that point globus-sdk,
globus-cli and anything else at it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ..faults import DropConnection

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ..emulator import Emulator

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


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class LiveServer:
    def __init__(self, emulator: Emulator, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emulator = emulator
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._server = make_server(
            self.host, self.port, self._app, threaded=True, request_handler=_QuietHandler
        )
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(0.05,),
            name=f"globus-testkit:{self.port}",
            daemon=True,
        )
        self._thread.start()

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

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def service_url(self, service: str) -> str:
        return f"{self.url}/{service}/"

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
        return env

    @property
    def shell_env(self) -> dict[str, str]:
        """Everything ``globus-testkit serve`` prints: :attr:`env`, the
        world's service account as globus-cli's client-login variables,
        globus-automate-client's flows endpoint (its CLI reads it; it knows
        no SDK variable for Flows), and the testkit's own values (this
        server's URL, the world's native app and user)."""
        emulator = self.emulator
        account = emulator.service_account
        return {
            **self.env,
            "GLOBUS_CLI_CLIENT_ID": account.client_id,
            "GLOBUS_CLI_CLIENT_SECRET": account.client_secret,
            "GLOBUS_AUTOMATE_FLOWS_ENDPOINT": self.service_url("flows").rstrip("/"),
            "GLOBUS_TESTKIT_URL": self.url,
            "GLOBUS_TESTKIT_NATIVE_CLIENT_ID": emulator.native_client_id,
            "GLOBUS_TESTKIT_USER": emulator.user.username,
        }

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
