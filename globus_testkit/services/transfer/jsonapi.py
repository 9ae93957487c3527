"""Transfer's v2 API speaks JSON:API: resources are ``{"type", "id",
"attributes", "relationships"}`` inside ``{"data": ..., "meta":
{"request_id"}}``, and errors are ``{"errors": [{"status", "code",
"title", "detail"}], "meta": {...}}`` (which globus-sdk reads by the
``application/vnd.api+json`` media type). Both are written here, once,
with the v2 API's request checks (a document or query that does not fit
is a 422) and its marker paging (``page[marker]``, ``page[limit]``,
``links.next``)."""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urlencode

from ...http import ApiError, Call, Reply, marker_page, validate

T = TypeVar("T")

V2 = "/v2"
MEDIA_TYPE = "application/vnd.api+json"


INVALID = "ValidationError"
PAGE_LIMIT = 100
MAX_PAGE_LIMIT = 1000


def _unprocessable(err: ApiError) -> ApiError:
    # v2 answers what it cannot read (a malformed body or query) with 422
    if err.status == 400:
        return ApiError(422, INVALID, err.message)
    return err


def document(call: Call, schema: str) -> dict[str, Any]:
    """The request's JSON:API document, checked against ``schemas/<schema>``."""
    try:
        body = call.json_object()
    except ApiError as err:
        raise _unprocessable(err) from err
    validate(body, schema, code=INVALID, status=422)
    return body


def flag(call: Call, name: str) -> bool | None:
    """A true/false query parameter, None when absent."""
    if not call.args.get(name):
        return None
    try:
        return call.arg_bool(name)
    except ApiError as err:
        raise _unprocessable(err) from err


def page(call: Call, items: Sequence[T]) -> tuple[list[T], dict[str, Any] | None]:
    """One page of ``items`` and the ``links`` leading to the next (None on
    the last): the same query with the next ``page[marker]``."""
    try:
        limit = call.arg_int("page[limit]", PAGE_LIMIT, minimum=1, maximum=MAX_PAGE_LIMIT)
        chunk, marker = marker_page(items, call.args.get("page[marker]"), limit)
    except ApiError as err:
        raise _unprocessable(err) from err
    if marker is None:
        return chunk, None
    query = [(k, v) for k, v in call.args.items(multi=True) if k != "page[marker]"]
    query.append(("page[marker]", marker))
    base = call.base_url.rstrip("/") if call.base_url else ""
    return chunk, {"next": f"{base}{call.path}?{urlencode(query)}"}


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
