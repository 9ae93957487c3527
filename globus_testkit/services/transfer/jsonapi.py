"""Transfer's v2 API speaks JSON:API: resources are ``{"type", "id",
"attributes", "relationships"}`` inside ``{"data": ..., "meta":
{"request_id"}}``, and errors are ``{"errors": [{"status", "code",
"title", "detail"}], "meta": {...}}`` (which globus-sdk reads by the
``application/vnd.api+json`` media type). Both are written here, once."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from ...http import ApiError, Call, Reply

V2 = "/v2"
MEDIA_TYPE = "application/vnd.api+json"


def ref(kind: str, resource_id: str) -> dict[str, Any]:
    """A relationship to one resource."""
    return {"data": {"id": resource_id, "type": kind}}


def resource(
    kind: str,
    resource_id: str | int,
    attributes: dict[str, Any],
    relationships: dict[str, Any] | None = None,
) -> dict[str, Any]:
    found: dict[str, Any] = {"attributes": attributes, "id": resource_id}
    if relationships is not None:
        found["relationships"] = relationships
    found["type"] = kind
    return found


def reply(call: Call, data: Any, *, status: int = 200, **top: Any) -> Reply:
    """A JSON:API document: ``data`` (a resource, a list, or None), this
    call's request id in ``meta``, and any other top-level members."""
    return Reply(
        {"data": data, **top, "meta": {"request_id": call.request_id}},
        status,
        content_type=MEDIA_TYPE,
    )


def meta_only(call: Call) -> Reply:
    """A document with nothing but ``meta`` (what deleting a bookmark answers)."""
    return Reply({"meta": {"request_id": call.request_id}}, content_type=MEDIA_TYPE)


def error_reply(err: ApiError, call: Call) -> Reply:
    error: dict[str, Any] = {
        "status": str(err.status),
        "code": err.code,
        "title": _title(err.status),
        "detail": err.message,
    }
    if err.extra:
        error["meta"] = dict(err.extra)
    body = {"errors": [error], "meta": {"request_id": call.request_id}}
    return Reply(body, err.status, dict(err.headers), content_type=MEDIA_TYPE)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
