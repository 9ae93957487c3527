"""Transfer's task routes as a task's owner uses them: submission ids,
transfer and delete submissions, the task list, a task, its update and
cancel, events, successful transfers, skipped errors and pause info.
They register on Transfer's one routes table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...http import Call, Reply, marker_page, offset_page, validate
from . import guards
from .errors import BadRequest, Conflict
from .routes import API, TransferService, _result, routes
from .task_filter import matches, parse_task_filter
from .tasks import Task, parse_deadline, task_document

# -- tasks ----------------------------------------------------------------------------------


@routes.route(f"{API}/submission_id", "GET", operation="get_submission_id")
def submission_id(svc: TransferService, call: Call) -> Reply:
    svc.token(call)
    return Reply({"DATA_TYPE": "submission_id", "value": svc.tasks.new_submission_id()})


@routes.route(f"{API}/transfer", "POST", operation="submit_transfer")
def submit_transfer(svc: TransferService, call: Call) -> Reply:
    return _submit(svc, call, "transfer_submission", "transfer")


@routes.route(f"{API}/delete", "POST", operation="submit_delete")
def submit_delete(svc: TransferService, call: Call) -> Reply:
    return _submit(svc, call, "transfer_delete", "delete")


def _submit(svc: TransferService, call: Call, schema: str, kind: str) -> Reply:
    info, who = svc.caller(call)
    document = call.json_object()
    validate(document, schema, code="ClientError.BadRequest")
    ids = (
        [document["source_endpoint"], document["destination_endpoint"]]
        if kind == "transfer"
        else [document["endpoint"]]
    )
    collections = [svc.state.visible_collection(c, who) for c in ids]
    svc.require_consent(info, *collections)
    guards.require_submission_session(svc.world, info, collections)
    task, new = svc.tasks.submit(info.identity_id, info.username, who, document)
    return Reply(
        {
            "DATA_TYPE": f"{kind}_result",
            "code": "Accepted" if new else "Duplicate",
            "message": f"The {kind} has been accepted and a task has been created and queued "
            "for execution",
            "request_id": call.request_id,
            "resource": call.path,
            "submission_id": task.submission_id,
            "task_id": task.id,
            "task_link": {
                "DATA_TYPE": "link",
                "href": f"{API}/task/{task.id}?format=json",
                "rel": "related",
                "resource": "task",
                "title": "related task",
            },
        },
        202 if new else 200,
    )


@routes.route(f"{API}/task_list", "GET", operation="task_list")
def task_list(svc: TransferService, call: Call) -> Reply:
    info, _ = svc.caller(call)
    filters = parse_task_filter(call.args.get("filter", ""))
    found: Sequence[Task] = svc.tasks.list_for(info.identity_id)
    if filters:
        found = [t for t in found if matches(t, filters)]
    orderby = call.args.get("orderby", "request_time DESC")
    field_name, _, direction = orderby.strip().partition(" ")
    if field_name not in ("request_time", "completion_time", "label", "status"):
        raise BadRequest(f"invalid orderby {orderby!r}")
    if (field_name, direction.upper()) != ("request_time", "DESC"):
        found = sorted(
            found,
            key=lambda t: str(task_document(t, svc.state).get(field_name) or ""),
            reverse=direction.upper() == "DESC",
        )
    page = offset_page(call, found, default_limit=10, max_limit=1000)
    return Reply(
        {
            "DATA_TYPE": "task_list",
            "DATA": [task_document(t, svc.state) for t in page.items],
            "length": len(page.items),
            "limit": page.limit,
            "offset": page.offset,
            "total": page.total,
        }
    )


@routes.route(f"{API}/task/<task_id>", "GET", operation="get_task")
def get_task(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    return Reply(svc.tasks.body(svc.tasks.get(task_id, info.identity_id)))


@routes.route(f"{API}/task/<task_id>", "PUT", operation="update_task")
def update_task(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    task = svc.tasks.get(task_id, info.identity_id)
    body = call.json_object()
    validate(body, "transfer_task_update", code="ClientError.BadRequest")
    if task.done:
        raise Conflict(f"task {task.id} has finished ({task.status}) and cannot be updated")
    if "label" in body:
        task.label = body["label"]
    if "deadline" in body:
        task.deadline = parse_deadline(body["deadline"])
    return _result(call, "result", "Updated", "Updated task successfully")


@routes.route(f"{API}/task/<task_id>/cancel", "POST", operation="cancel_task")
def cancel_task(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    if svc.tasks.cancel(task_id, info.identity_id):
        return _result(call, "result", "Canceled", "The task has been cancelled successfully.")
    return _result(
        call,
        "result",
        "TaskComplete",
        "The task completed before the cancel request was processed.",
    )


@routes.route(f"{API}/task/<task_id>/event_list", "GET", operation="task_event_list")
def task_event_list(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    return event_list_reply(call, svc.tasks.get(task_id, info.identity_id))


def event_list_reply(call: Call, task: Task) -> Reply:
    """A task's events, newest first as Transfer lists them, paged, with
    ``filter_is_error`` or ``filter=is_error:1`` (what globus-cli sends; 0
    keeps the non-errors), the owner's and the manager's views alike."""
    events = list(reversed(task.events))
    expression = call.args.get("filter", "")
    if expression:
        name, _, value = expression.partition(":")
        if name != "is_error" or value not in ("0", "1"):
            raise BadRequest(f"invalid event filter {expression!r}; filter on is_error:0 or 1")
        events = [e for e in events if e["is_error"] == (value == "1")]
    if "filter_is_error" in call.args:
        errors_only = call.arg_bool("filter_is_error")
        events = [e for e in events if e["is_error"] == errors_only]
    page = offset_page(call, events, default_limit=10, max_limit=1000)
    return Reply(
        {
            "DATA_TYPE": "event_list",
            "DATA": page.items,
            "offset": page.offset,
            "limit": page.limit,
            "total": page.total,
            "length": len(page.items),
        }
    )


@routes.route(
    f"{API}/task/<task_id>/successful_transfers", "GET", operation="task_successful_transfers"
)
def task_successful_transfers(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    task = svc.tasks.get(task_id, info.identity_id)
    return marker_reply(call, "successful_transfers", task.successful)


@routes.route(f"{API}/task/<task_id>/skipped_errors", "GET", operation="task_skipped_errors")
def task_skipped_errors(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    task = svc.tasks.get(task_id, info.identity_id)
    return marker_reply(call, "skipped_errors", task.skipped)


def marker_reply(call: Call, data_type: str, items: list[Any]) -> Reply:
    limit = call.arg_int("limit", 100, minimum=1, maximum=1000)
    chunk, marker = marker_page(items, call.args.get("marker"), limit)
    return Reply(
        {
            "DATA_TYPE": data_type,
            "DATA": chunk,
            "marker": call.args.get("marker"),
            "next_marker": marker,
        }
    )


@routes.route(f"{API}/task/<task_id>/pause_info", "GET", operation="task_pause_info")
def task_pause_info(svc: TransferService, call: Call, task_id: str) -> Reply:
    info, _ = svc.caller(call)
    return Reply(pause_info(svc, svc.tasks.get(task_id, info.identity_id)))


def pause_info(svc: TransferService, task: Task) -> dict[str, Any]:
    """Why a task is paused, as its owner and its endpoints' managers alike
    see it: the rules holding it (limited documents) and the messages of
    the managers who paused it explicitly, on the end they manage."""
    rules = svc.tasks.pause_rules.pausing(task) if not task.done else []
    explicit = task.admin_pause_message if not task.done else None
    by = task.admin_paused_by or ""
    return {
        "DATA_TYPE": "pause_info_limited",
        "pause_rules": [r.limited() for r in rules],
        "source_pause_message": explicit if by in ("SOURCE", "BOTH") else None,
        "destination_pause_message": explicit if by in ("DESTINATION", "BOTH") else None,
        "source_pause_message_share": None,
        "destination_pause_message_share": None,
    }
