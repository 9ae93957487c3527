"""The hosted Transfer providers' behaviour: each calls the emulated
Transfer API as the action's creator (with a dependent token, as the real
providers do) and reports what Transfer answered.

Both input forms are accepted: today's (``DATA`` items, ``source_endpoint``
/ ``destination_endpoint``, ``endpoint``) and the retired
actions.globus.org one (``transfer_items``, ``*_endpoint_id``, ``items``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..transfer import TRANSFER_ALL, TRANSFER_API

if TYPE_CHECKING:
    from .hosted import Action, ActionsService

# Settings a transfer or delete document may carry through unchanged.
TASK_OPTIONS = (
    "label",
    "deadline",
    "sync_level",
    "verify_checksum",
    "preserve_timestamp",
    "encrypt_data",
    "skip_source_errors",
    "fail_on_quota_errors",
    "delete_destination_extra",
    "notify_on_succeeded",
    "notify_on_failed",
    "notify_on_inactive",
    "ignore_missing",
    "interpret_globs",
    "store_base_path_info",
)

_ITEMS = {"type": "array", "minItems": 1, "items": {"type": "object"}}
# The legacy delete provider takes paths as strings (as gladier and the
# flows examples write them); Transfer-style items carry a "path".
_DELETE_ITEMS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "anyOf": [
            {"type": "string", "minLength": 1},
            {"type": "object", "required": ["path"], "properties": {"path": {"type": "string"}}},
        ]
    },
}
_ID = {"type": "string", "minLength": 1}
TRANSFER_INPUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "DATA": _ITEMS,
        "transfer_items": _ITEMS,
        "source_endpoint": _ID,
        "source_endpoint_id": _ID,
        "destination_endpoint": _ID,
        "destination_endpoint_id": _ID,
    },
    "allOf": [
        {"anyOf": [{"required": ["DATA"]}, {"required": ["transfer_items"]}]},
        {"anyOf": [{"required": ["source_endpoint"]}, {"required": ["source_endpoint_id"]}]},
        {
            "anyOf": [
                {"required": ["destination_endpoint"]},
                {"required": ["destination_endpoint_id"]},
            ]
        },
    ],
}
DELETE_INPUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "DATA": _DELETE_ITEMS,
        "items": _DELETE_ITEMS,
        "endpoint": _ID,
        "endpoint_id": _ID,
    },
    "allOf": [
        {"anyOf": [{"required": ["DATA"]}, {"required": ["items"]}]},
        {"anyOf": [{"required": ["endpoint"]}, {"required": ["endpoint_id"]}]},
    ],
}
ENDPOINT_PATH: dict[str, Any] = {
    "type": "object",
    "properties": {"endpoint_id": _ID, "endpoint": _ID, "path": {"type": "string"}},
    "anyOf": [{"required": ["endpoint_id"]}, {"required": ["endpoint"]}],
}
PERMISSION_INPUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "operation": {"enum": ["CREATE", "UPDATE", "DELETE"]},
        "endpoint_id": _ID,
        "rule_id": _ID,
        "path": {"type": "string"},
        "permissions": {"enum": ["r", "rw"]},
        "principal_type": {"type": "string"},
        "principal": {"type": "string"},
    },
    "required": ["operation", "endpoint_id"],
}


def transfer_scope(*collections: str) -> str:
    deps = " ".join(f"*https://auth.globus.org/scopes/{c}/data_access" for c in collections)
    return f"{TRANSFER_ALL}[{deps}]" if deps else TRANSFER_ALL


def _call(
    svc: ActionsService, action: Action, method: str, path: str, body: Any, *collections: str
) -> tuple[int, Any]:
    """Call Transfer as the action's creator (a dependent token, as the
    hosted Transfer provider gets one)."""
    from .hosted import ACTIONS_CLIENT_ID

    auth = svc.world.auth
    # Only collections that have a data_access scope need it (GCSv5 mapped).
    needing = [
        c
        for c in collections
        if auth.scope_by_string(f"https://auth.globus.org/scopes/{c}/data_access") is not None
    ]
    token = auth.issue_token(
        action.creator_id, transfer_scope(*needing), client_id=ACTIONS_CLIENT_ID
    )[0].value
    return svc.emulator.call_internal(method, f"{TRANSFER_API}{path}", token, body)


def _fail(
    svc: ActionsService, action: Action, status: int, answer: Any, *, ending: str = "FAILED"
) -> None:
    """A Transfer error as the providers report it: the Transfer code with
    its ``ClientError.`` family dropped (``NotFound``), the message, the
    HTTP status."""
    answer = answer if isinstance(answer, dict) else {}
    code = str(answer.get("code", "TransferError"))
    action.details = {
        "code": code.split(".", 1)[1] if code.startswith("ClientError.") else code,
        "description": answer.get("message", "Transfer refused the request"),
        "http_status": status,
        "transfer_response": answer,
    }
    svc.finish(action, ending)


def _submit(
    svc: ActionsService, action: Action, document: dict[str, Any], *collections: str
) -> None:
    status, answer = _call(svc, action, "POST", f"/{document['DATA_TYPE']}", document, *collections)
    if status >= 400:
        _fail(svc, action, status, answer)
        return
    action.details = {"task_id": answer["task_id"]}
    task_poll(svc, action)


def task_poll(svc: ActionsService, action: Action) -> None:
    if action.status != "ACTIVE" or not isinstance(action.details, dict):
        return
    task_id = action.details.get("task_id")
    status, task = _call(svc, action, "GET", f"/task/{task_id}", None)
    if status >= 400:
        return
    action.details = task
    if task["status"] in ("SUCCEEDED", "FAILED"):
        svc.finish(action, task["status"])


def _options(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in TASK_OPTIONS if body.get(k) is not None}


def submit_transfer(svc: ActionsService, action: Action) -> None:
    body = action.body
    source = body.get("source_endpoint") or body["source_endpoint_id"]
    destination = body.get("destination_endpoint") or body["destination_endpoint_id"]
    items = body.get("DATA") or body["transfer_items"]
    document = {
        "DATA_TYPE": "transfer",
        "source_endpoint": source,
        "destination_endpoint": destination,
        **_options(body),
        "DATA": [
            # an item without `recursive` goes to Transfer without it: Transfer
            # then tells a file from a directory itself
            {"DATA_TYPE": "transfer_item", **{k: v for k, v in item.items() if k != "DATA_TYPE"}}
            for item in items
        ],
    }
    _submit(svc, action, document, source, destination)


def submit_delete(svc: ActionsService, action: Action) -> None:
    body = action.body
    endpoint = body.get("endpoint") or body["endpoint_id"]
    items = body.get("DATA") or body["items"]
    document = {
        "DATA_TYPE": "delete",
        "endpoint": endpoint,
        "recursive": bool(body.get("recursive", False)),
        **_options(body),
        "DATA": [
            {"DATA_TYPE": "delete_item", "path": item if isinstance(item, str) else item["path"]}
            for item in items
        ],
    }
    _submit(svc, action, document, endpoint)


def _endpoint(action: Action) -> str:
    return str(action.body.get("endpoint_id") or action.body.get("endpoint") or "")


def _answer(svc: ActionsService, action: Action, status: int, answer: Any) -> None:
    if status >= 400:
        _fail(svc, action, status, answer)
    else:
        action.details = answer
        svc.finish(action, "SUCCEEDED")


def operation(kind: str) -> Callable[[ActionsService, Action], None]:
    """ls, stat or mkdir on a collection path."""

    def start(svc: ActionsService, action: Action) -> None:
        endpoint = _endpoint(action)
        path = str(action.body.get("path", "/"))
        base = f"/operation/endpoint/{endpoint}"
        if kind == "mkdir":
            body = {"DATA_TYPE": "mkdir", "path": path}
            status, answer = _call(svc, action, "POST", f"{base}/mkdir", body, endpoint)
        else:
            query = f"path={quote(path)}"
            for key in ("limit", "offset", "show_hidden"):
                if key in action.body:
                    query += f"&{key}={quote(str(action.body[key]))}"
            status, answer = _call(svc, action, "GET", f"{base}/{kind}?{query}", None, endpoint)
        if (
            kind == "stat"
            and isinstance(answer, dict)
            and answer.get("code") == "ClientError.NotFound"
        ):
            # stat answers whether a path exists: a missing one is a result,
            # not a failure. Globus's published move and two-hop flows stat a
            # destination that may not exist yet, with no Catch, and test
            # `details.code != 'NotFound'` afterwards.
            _fail(svc, action, status, answer, ending="SUCCEEDED")
            return
        _answer(svc, action, status, answer)

    return start


def collection_info(svc: ActionsService, action: Action) -> None:
    endpoint = _endpoint(action)
    status, answer = _call(svc, action, "GET", f"/endpoint/{quote(endpoint)}", None)
    _answer(svc, action, status, answer)


def manage_permission(svc: ActionsService, action: Action) -> None:
    """Create, update or delete an access rule on a (guest) collection."""
    body = action.body
    endpoint = str(body["endpoint_id"])
    base = f"/endpoint/{quote(endpoint)}/access"
    operation = body["operation"]
    status: int
    answer: Any
    if operation == "CREATE":
        rule: dict[str, Any] = {
            "DATA_TYPE": "access",
            **{
                k: body[k]
                for k in ("principal_type", "principal", "path", "permissions", "notify_email")
                if k in body
            },
        }
        status, answer = _call(svc, action, "POST", base, rule)
    elif "rule_id" not in body:
        status, answer = (
            400,
            {
                "code": "ClientError.BadRequest",
                "message": f"{operation} needs a rule_id",
            },
        )
    elif operation == "UPDATE":
        update = {"DATA_TYPE": "access", "permissions": body.get("permissions", "r")}
        status, answer = _call(svc, action, "PUT", f"{base}/{quote(body['rule_id'])}", update)
    else:
        status, answer = _call(svc, action, "DELETE", f"{base}/{quote(body['rule_id'])}", None)
    _answer(svc, action, status, answer)
