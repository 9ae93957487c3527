"""The hosted Globus Compute providers (``https://compute.actions.globus.org``
and ``.../v3``): each takes tasks as JSON, serializes them with
globus-compute-sdk's own serializer, submits them to the emulated Compute
API as the action's creator (a dependent token, as the real provider gets
one), and reports the deserialized results in ``details.result`` (the list)
and ``details.results`` (``task_id`` and ``output`` of each).

V2 input: ``endpoint``/``function`` with ``args``/``kwargs`` (or
``payload``), plus optional ``tasks`` each with their own ``endpoint``;
``args`` and ``kwargs`` may be JSON text. V3 input: ``endpoint_id`` and
``tasks`` of ``function_id``/``args``/``kwargs`` as plain JSON.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..compute.routes import COMPUTE_SCOPE

if TYPE_CHECKING:
    from .hosted import Action, ActionsService

COMPUTE_API = "https://compute.api.globus.org"
_ID = {"type": "string", "minLength": 1}
_V2_FIELDS: dict[str, Any] = {
    "endpoint": _ID,
    "function": _ID,
    "args": {},
    "kwargs": {},
    "payload": {},
}
_V2_TASK = {"type": "object", "properties": _V2_FIELDS, "required": ["endpoint", "function"]}
V2_INPUT: dict[str, Any] = {
    "type": "object",
    "properties": {**_V2_FIELDS, "tasks": {"type": "array", "items": _V2_TASK}},
    "anyOf": [
        {"required": ["endpoint", "function"]},
        {"required": ["tasks"], "properties": {"tasks": {"minItems": 1}}},
    ],
}
V3_INPUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "endpoint_id": _ID,
        "tasks": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "function_id": _ID,
                    "args": {"type": "array"},
                    "kwargs": {"type": "object"},
                },
                "required": ["function_id"],
            },
        },
        "task_group_id": _ID,
        "user_endpoint_config": {"type": "object"},
        "resource_specification": {"type": "object"},
        "create_queue": {"type": "boolean"},
    },
    "required": ["endpoint_id", "tasks"],
}

# (endpoint, function, args, kwargs) for each task, in order
Invocation = tuple[str, str, list[Any], dict[str, Any]]


def _json_value(value: Any) -> Any:
    """V2 takes ``args``/``kwargs`` as JSON text too."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _v2_invocation(task: dict[str, Any]) -> Invocation:
    args = _json_value(task.get("args", []))
    kwargs = _json_value(task.get("kwargs", task.get("payload", {})))
    args = list(args) if isinstance(args, list) else [args]
    if not isinstance(kwargs, dict):
        raise ValueError("kwargs (or payload) must be an object")
    return str(task["endpoint"]), str(task["function"]), args, kwargs


def _invocations(action: Action, v3: bool) -> list[Invocation]:
    body = action.body
    if v3:
        endpoint = str(body["endpoint_id"])
        return [
            (endpoint, str(t["function_id"]), list(t.get("args", [])), dict(t.get("kwargs", {})))
            for t in body["tasks"]
        ]
    found = [_v2_invocation(body)] if "endpoint" in body and "function" in body else []
    return found + [_v2_invocation(t) for t in body.get("tasks", [])]


def _serializer() -> Any:
    from globus_compute_sdk.serialize import ComputeSerializer

    return ComputeSerializer()


def _call(
    svc: ActionsService, action: Action, method: str, path: str, body: Any
) -> tuple[int, Any]:
    from .hosted import ACTIONS_CLIENT_ID

    token = svc.world.auth.issue_token(
        action.creator_id, COMPUTE_SCOPE, client_id=ACTIONS_CLIENT_ID
    )[0].value
    return svc.emulator.call_internal(method, f"{COMPUTE_API}{path}", token, body)


def _fail(svc: ActionsService, action: Action, code: str, description: str, **extra: Any) -> None:
    action.details = {"code": code, "description": description, **extra}
    svc.finish(action, "FAILED")


def starter(v3: bool) -> Any:
    def start(svc: ActionsService, action: Action) -> None:
        try:
            invocations = _invocations(action, v3)
            serializer = _serializer()
        except ImportError:
            _fail(
                svc,
                action,
                "ComputeSdkNotInstalled",
                "the emulated Compute provider serializes with globus-compute-sdk: "
                "pip install globus-compute-sdk",
            )
            return
        except (ValueError, TypeError) as err:
            _fail(svc, action, "BadActionRequest", str(err))
            return
        task_ids: list[str] = []
        for endpoint, function, args, kwargs in invocations:
            payload = serializer.pack_buffers(
                [serializer.serialize(tuple(args)), serializer.serialize(kwargs)]
            )
            status, answer = _call(
                svc,
                action,
                "POST",
                f"/v3/endpoints/{endpoint}/submit",
                {"tasks": {function: [payload]}},
            )
            if status >= 400:
                answer = answer if isinstance(answer, dict) else {}
                _fail(
                    svc,
                    action,
                    str(answer.get("code", "ComputeError")),
                    str(answer.get("message", "Compute refused the submission")),
                    http_status=status,
                )
                return
            task_ids.extend(answer["tasks"][function])
        action.details = {"task_ids": task_ids}
        poll(svc, action)

    return start


def _output(serializer: Any, serialized: str) -> Any:
    """A result as JSON can carry it (its repr when it cannot)."""
    value = serializer.deserialize(serialized)
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


def poll(svc: ActionsService, action: Action) -> None:
    if action.status != "ACTIVE" or not isinstance(action.details, dict):
        return
    task_ids = action.details.get("task_ids", [])
    status, answer = _call(svc, action, "POST", "/v2/batch_status", {"task_ids": task_ids})
    if status >= 400:
        return
    tasks = [answer["results"].get(t, {}) for t in task_ids]
    if any(t.get("status") not in ("success", "failed") for t in tasks):
        return
    failed = [t for t in tasks if t["status"] == "failed"]
    if failed:
        _fail(
            svc,
            action,
            "TaskExecutionFailed",
            failed[0].get("exception", "a task failed"),
            task_id=failed[0]["task_id"],
        )
        return
    serializer = _serializer()
    results = [{"task_id": t["task_id"], "output": _output(serializer, t["result"])} for t in tasks]
    action.details = {"result": [r["output"] for r in results], "results": results}
    svc.finish(action, "SUCCEEDED")
