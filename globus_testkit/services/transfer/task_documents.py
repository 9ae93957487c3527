"""Tasks as the API shows them: ``GET task/{id}``'s document, built once
for a finished task, and its JSON kept for the tasks read last."""

from __future__ import annotations

from typing import Any

from ...clock import iso_seconds
from ...http import encode_json
from .models import TransferState
from .task_model import Task


def task_document(task: Task, collections: TransferState) -> dict[str, Any]:
    """A task as ``GET task/{id}`` shows it. A finished task's document is
    built once and kept while it still holds: it names the task's
    collections as they are called now, so a renamed (or deleted)
    collection makes it be built anew."""
    kept = task.finished_document
    if kept is not None and _display_names(kept) == _current_names(task, collections):
        return kept
    document = _task_document(task, collections)
    if task.done:
        task.finished_document = document
    return document


def _display_names(document: dict[str, Any]) -> tuple[str | None, str | None]:
    return (
        document["source_endpoint_display_name"],
        document["destination_endpoint_display_name"],
    )


def _current_names(task: Task, collections: TransferState) -> tuple[str | None, str | None]:
    ends = (collections.collections.get(c or "") for c in (task.source_id, task.destination_id))
    source, destination = (end.display_name if end else None for end in ends)
    return source, destination


class EncodedDocuments:
    """The JSON of finished tasks' documents, which never change, kept for
    the tasks read last (clients poll a task they wait on): by the
    document's identity, holding the document so the identity stays its
    own. One per world (see ``Tasks``), derived, so never saved or copied:
    worlds in one process never see each other's documents."""

    KEPT = 1024

    def __init__(self) -> None:
        self._kept: dict[int, tuple[dict[str, Any], bytes]] = {}

    def body(self, task: Task, collections: TransferState) -> dict[str, Any] | bytes:
        """``GET task/{id}``'s answer: the document, or for a finished task
        its JSON, encoded once (as the app would encode the document)."""
        document = task_document(task, collections)
        if task.finished_document is not document:
            return document
        kept = self._kept.get(id(document))
        if kept is None or kept[0] is not document:
            if len(self._kept) >= self.KEPT:
                self._kept.clear()
            kept = self._kept[id(document)] = (document, encode_json(document))
        return kept[1]


def _task_document(task: Task, collections: TransferState) -> dict[str, Any]:
    options = task.document
    source_name, destination_name = _current_names(task, collections)
    total = len(task.plan) if task.plan is not None else len(options["DATA"])
    pending = max(total - task.next_op, 0) if not task.done else 0
    elapsed = max((task.completion_time or 0) - task.request_time, 1e-9)
    return {
        "DATA_TYPE": "task",
        "task_id": task.id,
        "type": task.type,
        "status": task.status,
        "nice_status": task.nice_status,
        "nice_status_details": None,
        "nice_status_expires_in": None,
        "nice_status_short_description": task.nice_status,
        "fatal_error": task.fatal_error,
        "label": task.label,
        "owner_id": task.owner_id,
        "username": task.owner_string,
        "owner_string": task.owner_string,
        "command": "API 0.10",
        "request_time": iso_seconds(task.request_time),
        "completion_time": iso_seconds(task.completion_time) if task.completion_time else None,
        "deadline": iso_seconds(task.deadline) if task.deadline else None,
        "source_endpoint_id": task.source_id,
        "source_endpoint": task.source_id,
        "source_endpoint_display_name": source_name,
        "destination_endpoint_id": task.destination_id,
        "destination_endpoint": task.destination_id,
        "destination_endpoint_display_name": destination_name,
        "sync_level": options.get("sync_level"),
        "verify_checksum": bool(options.get("verify_checksum")),
        "preserve_timestamp": bool(options.get("preserve_timestamp")),
        "encrypt_data": bool(options.get("encrypt_data")),
        "delete_destination_extra": bool(options.get("delete_destination_extra")),
        "skip_source_errors": bool(options.get("skip_source_errors")),
        "fail_on_quota_errors": bool(options.get("fail_on_quota_errors")),
        "recursive_symlinks": "ignore",
        "filter_rules": options.get("filter_rules"),
        "is_paused": task.is_paused and not task.done,
        "is_ok": None if task.done else task.status == "ACTIVE",
        "history_deleted": False,
        "canceled_by_admin": task.canceled_by_admin,
        "canceled_by_admin_message": task.canceled_by_admin_message,
        "effective_bytes_per_second": int(task.counts["bytes_transferred"] / elapsed)
        if task.completion_time
        else 0,
        **_ENDPOINT_DETAILS,
        "subtasks_total": total,
        "subtasks_pending": pending,
        "subtasks_retrying": 0,
        **task.counts,
    }


# Details of the storage behind each end that the emulator does not model
# (host endpoints, mapped collections, local users): present, and empty.
_ENDPOINT_DETAILS: dict[str, Any] = {
    **{
        f"{end}_{name}": None
        for end in ("source", "destination")
        for name in (
            "base_path",
            "host_endpoint",
            "host_endpoint_display_name",
            "host_endpoint_id",
            "host_path",
            "local_user",
            "mapped_collection_display_name",
            "mapped_collection_id",
        )
    },
    "source_local_user_status": "NO_LOCAL_USER",
    "destination_local_user_status": "NO_LOCAL_USER",
}
