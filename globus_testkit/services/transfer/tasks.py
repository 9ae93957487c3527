"""Transfer and delete tasks, worked on the virtual clock. No HTTP here.

A task is planned when it is first worked on and then really copies or
deletes in the collections' trees. Progress is computed lazily, whenever
a task is read, from the clock and the progress mode:

- ``immediate`` (default): all work is done by the first read, so
  globus-sdk's ``task_wait`` never sleeps;
- ``timed``: ``bytes_per_second`` of work per virtual second;
- ``manual``: nothing happens until ``finish`` is called.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from ...clock import Clock, iso_seconds, parse_iso
from ...http import encode_json
from ...ids import Ids
from ...patterns import glob_matches
from ...statefile import StateFileError
from .access import Principals
from .admin import PauseRules
from .collection import Collection
from .errors import (
    BadPath,
    BadRequest,
    Exists,
    IsADirectory,
    NotADirectory,
    TaskNotFound,
    TransferError,
)
from .filetree import Node, normalize
from .models import TransferState

MODES = ("immediate", "timed", "manual")
SYNC_CHECKS = ("exists", "size", "mtime", "checksum")


OP_KINDS = ("mkdir", "copy", "delete", "missing", "denied", "not_a_dir")


@dataclass
class Op:
    kind: str  # one of OP_KINDS
    source: str
    destination: str = ""
    size: int = 0


@dataclass
class Task:
    id: str
    type: str  # "TRANSFER" | "DELETE"
    owner_id: str
    owner_string: str
    principals: Principals  # the owner's, when they submitted
    request_time: float
    submission_id: str
    source_id: str
    destination_id: str | None
    document: dict[str, Any]
    label: str | None = None
    deadline: float | None = None
    status: str = "ACTIVE"
    nice_status: str | None = "Queued"
    completion_time: float | None = None
    fatal_error: dict[str, str] | None = None
    plan: list[Op] | None = None
    next_op: int = 0
    started_at: float = 0.0
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            (
                "files",
                "directories",
                "symlinks",
                "files_transferred",
                "files_skipped",
                "bytes_transferred",
                "bytes_checksummed",
                "subtasks_succeeded",
                "subtasks_failed",
                "subtasks_canceled",
                "subtasks_expired",
                "subtasks_skipped_errors",
                "faults",
            ),
            0,
        )
    )
    events: list[dict[str, Any]] = field(default_factory=list)
    successful: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    # Admins pause (with a message) and cancel; pause rules pause too.
    admin_pause_message: str | None = None
    admin_paused_by: str | None = None  # the end(s) whose manager paused it
    is_paused: bool = False
    paused_since: float | None = None
    canceled_by_admin: str | None = None
    canceled_by_admin_message: str | None = None
    # A finished task's document, built once (see task_document): derived,
    # so never saved in a state file, nor compared.
    finished_document: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def done(self) -> bool:  # INACTIVE is not done: it resumes
        return self.status in ("SUCCEEDED", "FAILED")


class Tasks:
    def __init__(self, clock: Clock, ids: Ids, collections: TransferState) -> None:
        self.clock = clock
        self.ids = ids
        self.collections = collections
        self.tasks: dict[str, Task] = {}
        self.order: list[str] = []  # by request time
        self.by_submission: dict[str, str] = {}
        self.mode = "immediate"
        self.bytes_per_second: float = 10 * 1024 * 1024
        self.pause_rules = PauseRules(collections)
        self._index()

    # Indexes, so that listing an owner's tasks costs what their page
    # costs, not what every task in the world costs. They are derived from
    # ``tasks`` and ``order``: not saved, rebuilt when a world is copied or
    # loaded.
    _INDEXES = ("by_owner", "unfinished")

    def _index(self) -> None:
        # each owner's task ids, by request time
        self.by_owner: dict[str, list[str]] = {}
        # each owner's tasks that may still change (ids, by request time);
        # finished ones leave when next listed
        self.unfinished: dict[str, dict[str, None]] = {}
        for task_id in self.order:
            self._add_to_index(self.tasks[task_id])

    def _add_to_index(self, task: Task) -> None:
        self.by_owner.setdefault(task.owner_id, []).append(task.id)
        if not task.done:
            self.unfinished.setdefault(task.owner_id, {})[task.id] = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in self._INDEXES}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._index()

    # In a state file the tasks are packed into columns (task_rows), so
    # 10,000 finished tasks cost a few lists, not 100,000 small objects.
    def state_for_file(self) -> dict[str, Any]:
        from .task_rows import pack_tasks

        return {**self.__getstate__(), "tasks": pack_tasks(self.tasks.values())}

    def restore_from_file(self, state: dict[str, Any]) -> None:
        from .task_rows import unpack_tasks

        self.__dict__.update(state)
        self.tasks = unpack_tasks(state.get("tasks"))
        ids = set(self.tasks)
        if set(self.order) != ids or len(self.order) != len(ids):
            raise StateFileError("the transfer tasks and their order disagree")
        if not ids.issuperset(self.by_submission.values()):
            raise StateFileError("a transfer submission names an unknown task")
        self._index()

    # -- submission ----------------------------------------------------------------

    def new_submission_id(self) -> str:
        return self.ids.uuid()

    def submit(
        self, owner_id: str, owner_string: str, who: Principals, document: dict[str, Any]
    ) -> tuple[Task, bool]:
        """Accept a (schema-valid) transfer or delete document.

        Returns the task and whether it is new: a resubmitted
        ``submission_id`` returns the task it made the first time.
        """
        submission_id = document.get("submission_id") or self.new_submission_id()
        existing = self.by_submission.get(submission_id)
        if existing is not None:
            task = self.tasks[existing]
            if task.owner_id != owner_id:
                raise BadRequest("that submission_id belongs to another user")
            return task, False
        is_transfer = document["DATA_TYPE"] == "transfer"
        source = document["source_endpoint"] if is_transfer else document["endpoint"]
        destination = document["destination_endpoint"] if is_transfer else None
        for collection_id in (source, destination):
            if collection_id is not None:
                self.collections.visible_collection(collection_id, who)
        for item in document["DATA"]:
            for key in ("source_path", "destination_path", "path"):
                if key in item:
                    normalize(item[key])  # refuse relative or malformed paths now
        deadline = parse_deadline(document.get("deadline"))
        task = Task(
            id=self.ids.uuid(),
            type="TRANSFER" if is_transfer else "DELETE",
            owner_id=owner_id,
            owner_string=owner_string,
            principals=who,
            request_time=self.clock.now(),
            submission_id=submission_id,
            source_id=self.collections.collection(source).id,
            destination_id=self.collections.collection(destination).id if destination else None,
            document=document,
            label=document.get("label"),
            deadline=deadline,
        )
        self.tasks[task.id] = task
        self.order.append(task.id)
        self._add_to_index(task)
        self.by_submission[submission_id] = task.id
        self.collections.used(owner_id, task.source_id, *filter(None, [task.destination_id]))
        self._event(task, "STARTED", "started", False)
        return task, True

    # -- reading -------------------------------------------------------------------

    def get(self, task_id: str, viewer_id: str | None = None) -> Task:
        task = self.tasks.get(task_id.lower())
        if task is None or (viewer_id is not None and task.owner_id != viewer_id):
            raise TaskNotFound(f"Task {task_id} not found")
        self.advance(task)
        return task

    def list_for(self, owner_id: str | None) -> Sequence[Task]:
        """Tasks (of an owner, or all), newest first, each brought up to date.
        Only unfinished tasks are worked on, and an owner's list is a view
        of their index: a page of it costs the page, whatever the total."""
        owners = list(self.unfinished) if owner_id is None else [owner_id]
        for owner in owners:
            waiting = self.unfinished.get(owner, {})
            for task_id in list(waiting):
                task = self.tasks[task_id]
                self.advance(task)
                if task.done:
                    del waiting[task_id]
        ids = self.order if owner_id is None else self.by_owner.get(owner_id, [])
        return _NewestFirst(ids, self.tasks)

    # -- the engine -------------------------------------------------------------------

    def advance(self, task: Task) -> None:
        """Do the work the clock and the mode allow by now."""
        if task.done:
            return
        now = self.clock.now()
        if task.deadline is not None and now > task.deadline:
            self._finish(task, "FAILED", "DEADLINE_EXCEEDED", "the task's deadline passed")
            task.counts["subtasks_expired"] = len(task.plan or []) - task.next_op
            return
        if self._paused(task, now):
            return
        if task.plan is None:
            task.plan = self._plan(task)
            task.started_at = now
            task.nice_status = "OK"
        if self.mode == "manual":
            return
        budget = None
        if self.mode == "timed":
            budget = (now - task.started_at) * self.bytes_per_second
        self._work(task, budget)

    def _paused(self, task: Task, now: float) -> bool:
        """Whether an admin or a pause rule holds the task now; a paused
        task's clock stops, so timed progress resumes where it stopped."""
        task.is_paused = task.admin_pause_message is not None or bool(
            self.pause_rules.pausing(task)
        )
        if task.is_paused and task.paused_since is None:
            task.paused_since = now
            self._event(task, "PAUSED", "the task was paused by an endpoint administrator", False)
        elif not task.is_paused and task.paused_since is not None:
            if task.plan is not None:
                task.started_at += now - task.paused_since
            task.paused_since = None
            self._event(task, "RESUMED", "the task was resumed", False)
        return task.is_paused

    def bring_up_to_date(self) -> None:
        """Advance every unfinished task, before the rules they run under change."""
        self.list_for(None)

    def finish(self, task_id: str) -> Task:
        """Manual mode: do all of a task's remaining work now."""
        task = self.tasks[task_id]
        if task.plan is None:
            task.plan = self._plan(task)
        self._work(task, None)
        return task

    def _blocked(self, task: Task) -> bool:
        """Whether trouble at either end holds the task back this time."""
        ends = [
            self.collections.collections.get(c or "") for c in (task.source_id, task.destination_id)
        ]
        present = [c for c in ends if c is not None]
        if any(c.credentials_expired for c in present):
            if task.status != "INACTIVE":
                task.status, task.nice_status = "INACTIVE", "AUTH"
                self._event(task, "AUTH", "credentials for an endpoint expired", True)
            return True
        if any(c.down for c in present):
            task.status, task.nice_status = "ACTIVE", "CONNECTION_FAILED"
            task.counts["faults"] += 1
            self._event(task, "CONNECTION_FAILED", "an endpoint is unreachable; retrying", True)
            return True
        if task.status == "INACTIVE" or task.nice_status == "CONNECTION_FAILED":
            task.status, task.nice_status = "ACTIVE", "OK"
            self._event(task, "PROGRESS", "the endpoints are reachable again", False)
        return False

    def _work(self, task: Task, budget: float | None) -> None:
        assert task.plan is not None
        if self._blocked(task):
            return
        spent = sum(op.size for op in task.plan[: task.next_op])
        while task.next_op < len(task.plan):
            op = task.plan[task.next_op]
            if budget is not None and spent + op.size > budget:
                return
            if not self._apply(task, op):
                return
            spent += op.size
            task.next_op += 1
        self._finish(task, "SUCCEEDED", None, "")

    def _apply(self, task: Task, op: Op) -> bool:
        """Carry out one step; False if it ended the task."""
        options = task.document
        if op.kind in ("missing", "not_a_dir", "denied"):
            code = {
                "missing": "FILE_NOT_FOUND",
                "not_a_dir": "NOT_A_DIRECTORY",
                "denied": "PERMISSION_DENIED",
            }[op.kind]
            self._event(task, code, f"{code.lower().replace('_', ' ')}: {op.source}", True)
            task.counts["faults"] += 1
            if op.kind == "missing" and (
                options.get("skip_source_errors") or options.get("ignore_missing")
            ):
                task.counts["subtasks_skipped_errors"] += 1
                task.skipped.append(
                    {
                        "DATA_TYPE": "skipped_error",
                        "source_path": op.source,
                        "destination_path": op.destination,
                        "error_code": code,
                        "error_time": iso_seconds(self.clock.now()),
                        "is_directory": False,
                        "checksum_algorithm": None,
                        "error_details": code,
                    }
                )
                return True
            task.counts["subtasks_failed"] += 1
            self._finish(task, "FAILED", code, f"{op.source}: {code}")
            return False
        if task.type == "DELETE":
            self._delete(task, op)
        else:
            try:
                self._copy(task, op)
            except (Exists, NotADirectory) as err:
                # The destination holds a directory where a file goes (or a
                # file where a directory goes): the task fails with an error
                # event; reading it must never answer an error itself.
                code = "IS_A_DIRECTORY" if isinstance(err, IsADirectory) else "NOT_A_DIRECTORY"
                self._event(task, code, f"{op.destination}: {err.message}", True)
                task.counts["faults"] += 1
                task.counts["subtasks_failed"] += 1
                self._finish(task, "FAILED", code, f"{op.destination}: {code}")
                return False
        task.counts["subtasks_succeeded"] += 1
        return True

    def _copy(self, task: Task, op: Op) -> None:
        source = self.collections.collection(task.source_id).tree
        destination = self.collections.collection(task.destination_id or "").tree
        if op.kind == "mkdir":
            destination.mkdir(op.destination, parents=True, exist_ok=True)
            task.counts["directories"] += 1
            return
        node = source.find(op.source)
        task.counts["files"] += 1
        if node.kind == "link":
            destination.link(op.destination, node.link_target or "")
            task.counts["symlinks"] += 1
            return
        if self._in_sync(task, node, destination, op.destination):
            task.counts["files_skipped"] += 1
            return
        keep_time = bool(task.document.get("preserve_timestamp"))
        destination.write(
            op.destination,
            content=node.content,
            size=node.size,
            mtime=node.mtime if keep_time else None,
        )
        task.counts["files_transferred"] += 1
        task.counts["bytes_transferred"] += node.size
        if task.document.get("verify_checksum"):
            task.counts["bytes_checksummed"] += node.size
        task.successful.append(
            {
                "DATA_TYPE": "successful_transfer",
                "source_path": op.source,
                "destination_path": op.destination,
            }
        )

    def _in_sync(self, task: Task, node: Node, tree: Any, path: str) -> bool:
        level = task.document.get("sync_level")
        if level is None or not tree.exists(path):
            return False
        existing = tree.find(path)
        if existing.kind != "file":
            return False
        if level >= 1 and existing.size != node.size:
            return False
        if level >= 2 and existing.mtime < node.mtime:
            return False
        return not (level >= 3 and existing.checksum() != node.checksum())

    def _delete(self, task: Task, op: Op) -> None:
        tree = self.collections.collection(task.source_id).tree
        node = tree.remove(op.source)
        if node.kind == "dir":
            task.counts["directories"] += 1
        else:
            task.counts["files"] += 1
        task.successful.append(
            {"DATA_TYPE": "successful_transfer", "source_path": op.source, "destination_path": None}  # type: ignore[dict-item]
        )

    # -- planning ----------------------------------------------------------------------

    def _plan(self, task: Task) -> list[Op]:
        if task.type == "DELETE":
            return self._plan_delete(task)
        source = self.collections.collection(task.source_id)
        destination = self.collections.collection(task.destination_id or "")
        rules = task.document.get("filter_rules") or []
        plan: list[Op] = []
        for item in task.document["DATA"]:
            src = normalize(item["source_path"], source.default_directory)
            dst = normalize(item["destination_path"], destination.default_directory)
            if not self._allowed(task, source, src, write=False) or not self._allowed(
                task, destination, dst, write=True
            ):
                plan.append(Op("denied", src, dst))
                continue
            if not source.tree.exists(src):
                plan.append(Op("missing", src, dst))
                continue
            node = source.tree.find(src)
            recursive = item.get("recursive")
            if recursive is None:
                # omitted (or null): Transfer detects the path's type itself,
                # as `globus transfer` without --recursive/--no-recursive relies on
                recursive = node.kind == "dir"
            if recursive:
                if node.kind != "dir":
                    plan.append(Op("not_a_dir", src, dst))
                    continue
                plan.extend(self._plan_tree(source, src, dst, rules))
            elif node.kind == "dir":
                plan.append(Op("not_a_dir", src, dst))
            else:
                plan.append(Op("copy", src, dst, node.size))
        return plan

    def _plan_tree(self, source: Collection, src: str, dst: str, rules: list[Any]) -> list[Op]:
        plan = [Op("mkdir", src, dst)]
        skipped_dirs: list[str] = []
        for path, node in source.tree.walk(src)[1:]:
            if any(path.startswith(d + "/") for d in skipped_dirs):
                continue
            if not _passes(rules, node):
                if node.kind == "dir":
                    skipped_dirs.append(path)
                continue
            target = posixpath.join(dst, posixpath.relpath(path, src))
            if node.kind == "dir":
                plan.append(Op("mkdir", path, target))
            else:
                plan.append(Op("copy", path, target, node.size))
        return plan

    def _plan_delete(self, task: Task) -> list[Op]:
        collection = self.collections.collection(task.source_id)
        document = task.document
        plan: list[Op] = []
        for item in document["DATA"]:
            paths = [normalize(item["path"], collection.default_directory)]
            if document.get("interpret_globs"):
                paths = _glob(collection, paths[0]) or paths
            for path in paths:
                if path == "/":
                    raise BadPath("the root of a collection cannot be deleted")
                if not self._allowed(task, collection, path, write=True):
                    plan.append(Op("denied", path))
                elif not collection.tree.exists(path):
                    plan.append(Op("missing", path))
                elif collection.tree.find(path).kind == "dir" and not document.get("recursive"):
                    plan.append(Op("not_a_dir", path))
                else:
                    plan.append(Op("delete", path))
        return plan

    def _allowed(self, task: Task, collection: Collection, path: str, *, write: bool) -> bool:
        return self.collections.can(collection, task.principals, path, write)

    # -- endings -------------------------------------------------------------------------

    def cancel(self, task_id: str, viewer_id: str) -> bool:
        """Cancel an active task; False if it had already finished."""
        return self.end(self.get(task_id, viewer_id), "the task was canceled by its owner")

    def end(self, task: Task, why: str) -> bool:
        """Cancel a task (for its owner or an admin); False if it had finished."""
        if task.done:
            return False
        remaining = len(task.plan or []) - task.next_op
        task.counts["subtasks_canceled"] = max(remaining, 1)
        self._finish(task, "FAILED", "CANCELED", why)
        return True

    def _finish(self, task: Task, status: str, code: str | None, description: str) -> None:
        task.status = status
        task.nice_status = None if status == "SUCCEEDED" else code
        task.completion_time = self.clock.now()
        if status == "SUCCEEDED":
            self._event(task, "SUCCEEDED", "succeeded", False)
        else:
            task.fatal_error = {"code": code or "FAILED", "description": description}
            self._event(task, code or "FAILED", description, True)

    def _event(self, task: Task, code: str, description: str, is_error: bool) -> None:
        task.events.append(
            {
                "DATA_TYPE": "event",
                "code": code,
                "description": description,
                "details": description,
                "is_error": is_error,
                "time": iso_seconds(self.clock.now()),
            }
        )


def _passes(rules: list[dict[str, Any]], node: Node) -> bool:
    """Transfer's filter rules: the first rule matching decides."""
    for rule in rules:
        kind = rule.get("type")
        if kind and kind != node.kind:
            continue
        if glob_matches(rule["name"], node.name):
            return bool(rule["method"] == "include")
    return True


def _glob(collection: Collection, pattern: str) -> list[str]:
    parent, name = posixpath.split(pattern)
    if not collection.tree.exists(parent):
        return []
    node = collection.tree.find(parent)
    if node.kind != "dir" or node.children is None:
        return []
    return [posixpath.join(parent, n) for n in node.sorted_names() if glob_matches(name, n)]


def parse_deadline(value: Any) -> float | None:
    if not value:
        return None
    try:
        return parse_iso(str(value))
    except ValueError as err:
        raise BadRequest(f"invalid deadline {value!r}") from err


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


# The JSON of finished tasks' documents, which never change, kept for
# the tasks read last (clients poll a task they wait on): by the document's
# identity, holding the document so the identity stays its own.
_ENCODED_KEPT = 1024
_encoded: dict[int, tuple[dict[str, Any], bytes]] = {}


def task_body(task: Task, collections: TransferState) -> dict[str, Any] | bytes:
    """``GET task/{id}``'s answer: the document, or for a finished task its
    JSON, encoded once (as the app would encode the document)."""
    document = task_document(task, collections)
    if task.finished_document is not document:
        return document
    kept = _encoded.get(id(document))
    if kept is None or kept[0] is not document:
        if len(_encoded) >= _ENCODED_KEPT:
            _encoded.clear()
        kept = _encoded[id(document)] = (document, encode_json(document))
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


class _NewestFirst(Sequence[Task]):
    """Tasks named by ``ids`` (oldest first), read newest first, lazily."""

    def __init__(self, ids: list[str], tasks: dict[str, Task]) -> None:
        self._ids = ids
        self._tasks = tasks

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> Task: ...
    @overload
    def __getitem__(self, index: slice) -> list[Task]: ...
    def __getitem__(self, index: int | slice) -> Task | list[Task]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self._ids))
            last = len(self._ids) - 1
            return [self._tasks[self._ids[last - i]] for i in range(start, stop, step)]
        if not -len(self._ids) <= index < len(self._ids):
            raise IndexError(index)
        return self._tasks[self._ids[len(self._ids) - 1 - index % len(self._ids)]]

    def __iter__(self) -> Iterator[Task]:
        return (self._tasks[task_id] for task_id in reversed(self._ids))


__all__ = [
    "MODES",
    "Task",
    "Tasks",
    "TransferError",
    "task_body",
    "task_document",
]
