"""In-process transport: a private ``responses`` mock hands every request
for a Globus host to the emulator's WSGI app. No sockets are opened.

It owns its own :class:`responses.RequestsMock`, so a user's global
``responses`` mock is never touched. Requests to other hosts go to
whatever ``HTTPAdapter.send`` was when we started (the network, or a mock
the user started first), or fail if ``passthrough`` is off.

The mock answers the emulator's hosts itself, before responses' generic
machinery (query parsing, matching registered URLs, recording every call):
that machinery is most of what a canned answer costs, and the emulator
needs none of it. Every other host takes responses' own path.
"""

from __future__ import annotations

import io
import re
import sys
from http.client import responses as reasons
from io import BytesIO
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urlsplit

import requests
import responses
from requests.adapters import HTTPAdapter
from urllib3._collections import HTTPHeaderDict  # where urllib3 1.26 and 2 both keep it
from urllib3.exceptions import MaxRetryError
from urllib3.response import HTTPResponse

from ..emulator import decode_path
from ..faults import DropConnection
from ..http import Reply
from ..wsgi import encode_reply, limited_body

if TYPE_CHECKING:
    from requests import PreparedRequest

    from ..emulator import Emulator


_ANY_URL = re.compile(r"^https?://")


class _EmulatorMock(responses.RequestsMock):
    """responses' mock with the emulator's hosts answered up front."""

    transport: InProcessTransport

    def _on_request(
        self,
        adapter: HTTPAdapter,
        request: PreparedRequest,
        *,
        retries: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        hostname = urlsplit(request.url or "").hostname or ""
        if not self.transport.emulator.handles_host(hostname):
            # passed through, or refused, by responses itself
            return super()._on_request(adapter, request, retries=retries, **kwargs)
        status, headers, body = self.transport.answer(request)
        response = adapter.build_response(request, _urllib3_response(status, headers, body))
        if "Content-Encoding" not in response.headers:  # urllib3 decodes those
            # The whole body is at hand: hand it to requests as read, rather
            # than have it stream the BytesIO back through urllib3
            # (response.raw is still there, unread, for code that reads it).
            response._content = body
            response._content_consumed = True  # type: ignore[attr-defined]
        # An adapter mounted with a urllib3 Retry that retries on status
        # retries here as it would against the network (as responses does).
        retries = retries or adapter.max_retries
        if retries.is_retry(
            method=request.method,
            status_code=status,
            has_retry_after="Retry-After" in response.headers,
        ):
            try:
                retries = retries.increment(
                    method=request.method, url=response.url, response=response.raw
                )
            except MaxRetryError as err:
                if retries.raise_on_status:
                    raise requests.exceptions.RetryError(err, request=request) from None
                return response
            return self._on_request(adapter, request, retries=retries, **kwargs)
        return response


def _urllib3_response(status: int, pairs: list[tuple[str, str]], body: bytes) -> HTTPResponse:
    """The urllib3 response requests expects from an adapter, as responses
    builds it. Only a reply that sets cookies gets the "original response"
    requests reads cookies from: without one, requests skips its cookie
    jar, twice a call, as it would for a reply with no Set-Cookie."""
    headers = HTTPHeaderDict()
    for name, value in pairs:
        if name in headers:
            headers.add(name, value)
        else:
            headers[name] = value
    if "Content-Type" not in headers:
        headers["Content-Type"] = "text/plain"  # responses' default
    original = None
    if "Set-Cookie" in headers:
        closed = BytesIO()
        closed.close()
        original = HTTPResponse(body=closed, msg=headers, preload_content=False)  # type: ignore[arg-type]
    return HTTPResponse(
        status=status,
        reason=reasons.get(status),
        body=BytesIO(body),
        headers=headers,
        original_response=original,  # type: ignore[arg-type]
        preload_content=False,
    )


class InProcessTransport:
    def __init__(self, emulator: Emulator, *, passthrough: bool = True) -> None:
        self.emulator = emulator
        self.passthrough = passthrough
        self._mock: _EmulatorMock | None = None

    def start(self) -> None:
        mock = _EmulatorMock(
            assert_all_requests_are_fired=False,
            # whoever patched requests before us keeps the other hosts
            real_adapter_send=HTTPAdapter.send,
        )
        mock.transport = self
        if self.passthrough:
            mock.add_passthru(_ANY_URL)
        mock.start()
        self._mock = mock

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None

    def answer(self, request: PreparedRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        """The app's status, headers and body for ``request`` (nothing is
        kept: a long-lived emulator must not grow)."""
        try:
            if self.emulator.actions.mounted:  # a provider's own WSGI app may answer
                return self._through_wsgi(request)
            status, headers, body = encode_reply(self._dispatch(request))
        except DropConnection as drop:
            if drop.kind == "timeout":
                raise requests.exceptions.ReadTimeout(
                    "globus-testkit: injected timeout", request=request
                ) from None
            raise requests.exceptions.ConnectionError(
                "globus-testkit: injected connection reset", request=request
            ) from None
        return status, [h for h in headers if h[0].lower() != "content-length"], body

    def _dispatch(self, request: PreparedRequest) -> Reply:
        """The request's parts handed to the emulator as the WSGI app would
        read them from an environ (see :func:`wsgi_environ`), without
        building one."""
        url = urlsplit(request.url or "")
        headers = _headers(url.netloc, request.headers)
        return self.emulator.dispatch(
            method=(request.method or "GET").upper(),
            scheme=url.scheme,
            host=headers["host"].lower(),
            path=unquote_to_bytes(url.path or "/").decode("utf-8", "replace"),
            query_string=url.query,
            headers=lambda: headers,
            body=lambda: limited_body(_body(request)),
            remote_addr="127.0.0.1",
        )

    def _through_wsgi(self, request: PreparedRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> Any:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = [h for h in headers if h[0].lower() != "content-length"]
            return None

        body = b"".join(self.emulator(_environ(request), start_response))
        return captured["status"], captured["headers"], body


def _headers(netloc: str, sent: Any) -> dict[str, str]:
    """Headers as the WSGI app reads them (request_headers): names in lower
    case with dashes for underscores, the Host the URL names unless one was
    sent, no Content-Length, no empty Content-Type."""
    headers = {"host": netloc}
    # requests' CaseInsensitiveDict hands its names over lower-cased already
    lower_items = getattr(sent, "lower_items", None)
    for name, value in lower_items() if lower_items is not None else sent.items():
        key = name.lower()
        if "_" in key:
            key = key.replace("_", "-")
        if key != "content-length" and (value or key != "content-type"):
            headers[key] = value
    return headers


def _body(request: PreparedRequest) -> bytes:
    body = request.body or b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if not isinstance(body, bytes):
        return body.read() if hasattr(body, "read") else bytes(body)
    return body


def _environ(request: PreparedRequest) -> dict[str, Any]:
    """A WSGI environ built straight from the prepared request: cheaper than
    werkzeug's EnvironBuilder, and all the app reads."""
    return wsgi_environ(request.method or "GET", request.url or "", request.headers, _body(request))


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
