"""WSGI plumbing of the emulator's app: reading bodies and headers from
the environ, and writing replies (and refusing unsafe headers)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from .http import MAX_BODY_BYTES, ApiError, NotEmulated, Reply, encode_json

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger("globus_testkit")


def read_body(environ: WSGIEnvironment) -> bytes:
    """The request body, at most MAX_BODY_BYTES of it: Content-Length
    bytes, or, for a chunked body, all the server hands over (werkzeug
    de-chunks it and marks the stream ``wsgi.input_terminated``)."""
    if environ.get("wsgi.input_terminated"):
        return _read_to_end(environ["wsgi.input"])
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError as err:
        raise ApiError(400, "BadRequest", "invalid Content-Length") from err
    if length > MAX_BODY_BYTES:
        raise _too_large()
    if length <= 0:
        return b""
    data: bytes = environ["wsgi.input"].read(length)
    return data


_READ_PIECE = 64 * 1024


def _read_to_end(stream: Any) -> bytes:
    pieces: list[bytes] = []
    size = 0
    while True:
        try:
            piece: bytes = stream.read(_READ_PIECE)
        except OSError as err:  # a malformed chunk header
            raise ApiError(400, "BadRequest", f"unreadable request body: {err}") from err
        if not piece:
            return b"".join(pieces)
        size += len(piece)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        pieces.append(piece)


def _too_large() -> ApiError:
    return ApiError(413, "RequestTooLarge", f"request bodies are limited to {MAX_BODY_BYTES} bytes")


def request_headers(environ: WSGIEnvironment) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


def not_emulated_reply(hostname: str, method: str, path: str) -> Reply:
    err = NotEmulated(hostname, method, path)
    return Reply({"code": err.code, "message": err.message}, err.status)


def unknown_service_reply(segment: str) -> Reply:
    return Reply(
        {"code": "NotFound", "message": f"globus-testkit serves no service named {segment!r}"},
        404,
    )


# Control characters (CR and LF above all) and anything latin-1 cannot
# carry have no place in a header.
_UNSAFE_HEADER = re.compile(r"[\x00-\x1f\x7f]|[^\x00-\xff]")


def _unsafe_header_reply() -> Reply:
    return Reply(
        {
            "code": "EmulatorError",
            "message": "globus-testkit refused to write a response header holding control "
            "characters (a bug in the emulator; please report it)",
        },
        500,
    )


_STATUS_LINES = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


def encode_reply(reply: Reply) -> tuple[int, list[tuple[str, str]], bytes]:
    """A reply as its status, headers and body bytes (every transport's)."""
    if reply.headers and any(_UNSAFE_HEADER.search(k + v) for k, v in reply.headers.items()):
        # A value from a request reached a header without being checked:
        # a bug, answered loudly, and never a header split in two.
        log.error("globus-testkit refused to write an unsafe header: %r", reply.headers)
        reply = _unsafe_header_reply()
    body = reply.body
    if isinstance(body, bytes):
        payload = body
    elif isinstance(body, str):
        payload = body.encode("utf-8")
    else:
        payload = encode_json(body)
    headers = [("Content-Type", reply.content_type), ("Content-Length", str(len(payload)))]
    headers.extend(reply.headers.items())
    return reply.status, headers, payload


def respond(reply: Reply, start_response: StartResponse) -> Iterator[bytes]:
    status, headers, payload = encode_reply(reply)
    start_response(_STATUS_LINES.get(status, f"{status} Unknown"), headers)
    yield payload


def limited_body(data: bytes) -> bytes:
    """A body handed over whole (in-process), held to MAX_BODY_BYTES."""
    if len(data) > MAX_BODY_BYTES:
        raise _too_large()
    return data


def decode_path(raw_path: str) -> str:
    """PATH_INFO as WSGI wants it: the unquoted bytes, as latin-1 text."""
    return unquote_to_bytes(raw_path).decode("latin-1")
