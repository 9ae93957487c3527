"""The hosted Search providers: ingest an entry, delete a subject or an
entry. Each calls the emulated Search as the action's creator (as the real
provider does with a dependent token) and follows the Search task it
started, so the action ends as the task does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from .hosted import Action, ActionsService

SEARCH_API = "https://search.api.globus.org/v1"
SEARCH_ALL = "urn:globus:auth:scope:search.api.globus.org:all"

_ID = {"type": "string", "minLength": 1}
INGEST_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["search_index", "subject", "visible_to", "content"],
    "properties": {
        "search_index": _ID,
        "subject": _ID,
        "id": {"type": ["string", "null"]},
        "visible_to": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "content": {"type": "object"},
    },
}
DELETE_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["search_index", "subject"],
    "properties": {
        "search_index": _ID,
        "subject": _ID,
        "id": {"type": ["string", "null"]},
    },
}


def _call(
    svc: ActionsService, action: Action, method: str, path: str, body: Any
) -> tuple[int, Any]:
    from .hosted import ACTIONS_CLIENT_ID

    token = svc.world.auth.issue_token(action.creator_id, SEARCH_ALL, client_id=ACTIONS_CLIENT_ID)
    return svc.emulator.call_internal(method, f"{SEARCH_API}{path}", token[0].value, body)


def _started(svc: ActionsService, action: Action, status: int, answer: Any) -> None:
    """Follow the task Search started, or fail as Search refused."""
    if status >= 400 or not isinstance(answer, dict) or "task_id" not in answer:
        answer = answer if isinstance(answer, dict) else {}
        action.details = {
            "code": answer.get("code", "SearchError"),
            "description": answer.get("message", "Search refused the request"),
            "http_status": status,
        }
        svc.finish(action, "FAILED")
        return
    action.details = {"task_id": answer["task_id"]}
    task_poll(svc, action)


def ingest(svc: ActionsService, action: Action) -> None:
    body = action.body
    entry = {
        "subject": body["subject"],
        "visible_to": body["visible_to"],
        "content": body["content"],
        **({"id": body["id"]} if body.get("id") is not None else {}),
    }
    document = {"ingest_type": "GMetaEntry", "ingest_data": entry}
    status, answer = _call(svc, action, "POST", f"/index/{body['search_index']}/ingest", document)
    _started(svc, action, status, answer)


def delete(svc: ActionsService, action: Action) -> None:
    body = action.body
    query = {"subject": body["subject"]}
    where = "subject"
    if body.get("id") is not None:
        query["entry_id"], where = body["id"], "entry"
    path = f"/index/{body['search_index']}/{where}?{urlencode(query)}"
    status, answer = _call(svc, action, "DELETE", path, None)
    _started(svc, action, status, answer)


def task_poll(svc: ActionsService, action: Action) -> None:
    if action.status != "ACTIVE" or not isinstance(action.details, dict):
        return
    status, task = _call(svc, action, "GET", f"/task/{action.details['task_id']}", None)
    if status >= 400 or not isinstance(task, dict):
        return
    action.details = task
    if task["state"] == "SUCCESS":
        svc.finish(action, "SUCCEEDED")
    elif task["state"] in ("FAILED", "CANCELLED"):
        svc.finish(action, "FAILED")
