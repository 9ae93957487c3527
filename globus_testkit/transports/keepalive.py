"""The live server's request handler: werkzeug's, answering HTTP/1.1 with
keep-alive.

werkzeug 3.1's handler closes every connection after one answer (its own
comment: Python's http.server cannot tell where a request's body ends,
so it reads whatever follows and must close). This one keeps the
connection open: it hands the app the body through :class:`RequestBody`,
which knows where the body ends, reads whatever the app left of it before
answering, and closes only when that is impossible (a body too large to
skip, a broken chunk, a client gone mid-body), when the client asks
(``Connection: close``, HTTP/1.0) or when the app does. Answers carry a
``Content-Length`` (the emulator's replies are whole in memory anyway), so
the client always knows where the next answer starts.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import ssl
from typing import TYPE_CHECKING, Any

from werkzeug.serving import WSGIRequestHandler

from ..http import MAX_BODY_BYTES

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from _typeshed.wsgi import WSGIEnvironment

log = logging.getLogger("globus_testkit")

# Statuses whose answers never have a body (RFC 9110 6.4.1).
_BODILESS = frozenset({204, 304})


class RequestBody(io.RawIOBase):
    """A request's body as the app reads it: ``length`` bytes, or up to its
    last chunk when ``length`` is None (the stream then ends by itself)."""

    def __init__(self, stream: Any, length: int | None) -> None:
        super().__init__()
        self._stream = stream
        self._left = length
        self.ended = length == 0
        self.broken = False  # the client left mid-body, or a chunk was malformed

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all that is left if negative), short only at the end."""
        pieces: list[bytes] = []
        wanted = -1 if size is None else size
        while not self.ended and wanted != 0:
            piece = self._read_piece(64 * 1024 if wanted < 0 else wanted)
            pieces.append(piece)
            if wanted > 0:
                wanted -= len(piece)
        return b"".join(pieces)

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        piece = self._read_piece(len(view))
        view[: len(piece)] = piece
        return len(piece)

    def _read_piece(self, size: int) -> bytes:
        if self.ended or size <= 0:
            return b""
        if self._left is not None:
            size = min(size, self._left)
        try:
            piece: bytes = self._stream.read(size)
        except OSError:
            self.ended = self.broken = True
            raise
        if self._left is not None:
            self._left -= len(piece)
            self.broken = not piece and self._left > 0
            self.ended = self._left == 0 or not piece
        elif not piece:
            self.ended = True
        return piece

    def drain(self, limit: int = MAX_BODY_BYTES) -> bool:
        """Read and drop what the app left (at most ``limit`` bytes):
        whether the connection is now at the start of the next request."""
        if self._left is not None and self._left > limit:
            return False
        skipped = 0
        try:
            while not self.ended and skipped <= limit:
                skipped += len(self._read_piece(64 * 1024))
        except OSError:
            return False
        return self.ended and not self.broken


def wrap_body(environ: WSGIEnvironment) -> RequestBody | None:
    """Put a :class:`RequestBody` in the environ as ``wsgi.input``; None
    when the body's end cannot be known (a bad ``Content-Length``)."""
    if environ.get("wsgi.input_terminated"):  # chunked: werkzeug de-chunks it
        body = RequestBody(environ["wsgi.input"], None)
    else:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length < 0:
            return None
        body = RequestBody(environ["wsgi.input"], length)
    environ["wsgi.input"] = body
    return body


class KeepAliveHandler(WSGIRequestHandler):
    """werkzeug's handler, quiet, keeping connections open between requests."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # An answer goes out as two writes (head, body): with Nagle's
        # algorithm on, the second waits for the client's delayed ACK of
        # the first, 40 ms per request on a kept-alive connection.
        with contextlib.suppress(OSError):  # not TCP (a test's socketpair)
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def make_environ(self) -> WSGIEnvironment:
        environ = super().make_environ()
        if isinstance(self.connection, ssl.SSLSocket):  # came through the TLS door
            environ["wsgi.url_scheme"] = "https"
        return environ

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.make_environ()
        body = wrap_body(environ)
        answer: list[Any] = []
        written: list[bytes] = []  # by apps that use start_response's write()

        def start_response(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            answer[:] = [status, headers]
            return written.append

        try:
            result = self.server.app(environ, start_response)
            try:
                pieces = list(result)
                content = b"".join(written + pieces)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception:
            log.exception("the live server's app failed")
            answer[:] = ["500 Internal Server Error", [("Content-Type", "text/plain")]]
            content = b"Internal Server Error"
            self.close_connection = True
        if body is None or not body.drain():
            self.close_connection = True  # the next request's start is unknown
        self._answer(environ, answer[0], answer[1], content)

    def _answer(
        self, environ: WSGIEnvironment, status: str, headers: list[tuple[str, str]], content: bytes
    ) -> None:
        code, _, reason = status.partition(" ")
        status_code = int(code)
        self.send_response(status_code, reason)
        for name, value in headers:
            lowered = name.lower()
            if lowered == "connection":
                if value.strip().lower() == "close":
                    self.close_connection = True
            elif lowered != "content-length":
                self.send_header(name, value)
        has_body = status_code >= 200 and status_code not in _BODILESS
        if has_body:
            self.send_header("Content-Length", str(len(content)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if has_body and environ["REQUEST_METHOD"] != "HEAD":
            self.wfile.write(content)
        self.wfile.flush()
