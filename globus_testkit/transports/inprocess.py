"""In-process transport: a private ``responses`` mock hands every request
for a Globus host to the emulator's WSGI app. No sockets are opened.

It owns its own :class:`responses.RequestsMock`, so a user's global
``responses`` mock is never touched. Requests to other hosts go to
whatever ``HTTPAdapter.send`` was when we started (the network, or a mock
the user started first), or fail if ``passthrough`` is off.
"""

from __future__ import annotations

import io
import re
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
import responses
from requests.adapters import HTTPAdapter
from responses.registries import FirstMatchRegistry

from ..emulator import decode_path
from ..faults import DropConnection

if TYPE_CHECKING:
    from requests import PreparedRequest

    from ..emulator import Emulator

_ANY_URL = re.compile(r"^https?://")


class _EmulatorRegistry(FirstMatchRegistry):
    """Answers ``find`` by host lookup instead of trying every response."""

    emulator: Emulator | None = None
    route: responses.CallbackResponse | None = None

    def find(self, request: PreparedRequest) -> tuple[Any, list[str]]:
        assert self.emulator is not None
        hostname = urlsplit(request.url or "").hostname or ""
        if self.emulator.handles_host(hostname):
            return self.route, []
        return None, ["not a host the emulator serves"]


_KEEP_CALLS = 100


class InProcessTransport:
    def __init__(self, emulator: Emulator, *, passthrough: bool = True) -> None:
        self.emulator = emulator
        self.passthrough = passthrough
        self._mock: responses.RequestsMock | None = None
        self._route: responses.CallbackResponse | None = None

    def start(self) -> None:
        mock = responses.RequestsMock(
            assert_all_requests_are_fired=False,
            registry=_EmulatorRegistry,
            # whoever patched requests before us keeps the other hosts
            real_adapter_send=HTTPAdapter.send,
        )
        registry = mock.get_registry()
        assert isinstance(registry, _EmulatorRegistry)
        registry.emulator = self.emulator
        registry.route = self._route = responses.CallbackResponse(
            method="GET", url=_ANY_URL, callback=self._answer
        )
        if self.passthrough:
            mock.add_passthru(_ANY_URL)
        mock.start()
        self._mock = mock

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None

    def _answer(self, request: PreparedRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        # responses keeps every request and answer it mocked (in the mock and
        # in the route); nobody reads this private mock's, and a long-lived
        # emulator must not grow.
        if self._mock is not None and len(self._mock.calls) >= _KEEP_CALLS:
            self._mock.calls.reset()
            if self._route is not None:
                self._route.calls.reset()
        environ = _environ(request)
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> Any:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = [h for h in headers if h[0].lower() != "content-length"]
            return None

        try:
            body = b"".join(self.emulator(environ, start_response))
        except DropConnection as drop:
            if drop.kind == "timeout":
                raise requests.exceptions.ReadTimeout(
                    "globus-testkit: injected timeout", request=request
                ) from None
            raise requests.exceptions.ConnectionError(
                "globus-testkit: injected connection reset", request=request
            ) from None
        return captured["status"], captured["headers"], body


def _environ(request: PreparedRequest) -> dict[str, Any]:
    """A WSGI environ built straight from the prepared request: cheaper than
    werkzeug's EnvironBuilder, and all the app reads."""
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes):
        body = body.read() if hasattr(body, "read") else bytes(body)
    return wsgi_environ(request.method or "GET", request.url or "", request.headers, body)


def wsgi_environ(method: str, url_text: str, headers: Any, body: bytes) -> dict[str, Any]:
    url = urlsplit(url_text)
    https = url.scheme == "https"
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": decode_path(url.path or "/"),
        "QUERY_STRING": url.query,
        "SERVER_NAME": url.hostname or "",
        "SERVER_PORT": str(url.port or (443 if https else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": url.netloc,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            environ[f"HTTP_{key}"] = value
    return environ
