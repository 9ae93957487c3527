"""Transfer and delete tasks, worked on the virtual clock. No HTTP here.

A task is planned when it is first worked on and then really copies or
deletes in the collections' trees. Progress is computed lazily, whenever
a task is read, from the clock and the progress mode:

- ``immediate`` (default): all work is done by the first read, so
  globus-sdk's ``task_wait`` never sleeps;
- ``timed``: ``bytes_per_second`` of work per virtual second;
- ``manual``: nothing happens until ``finish`` is called.

Here tasks are submitted, kept, indexed and listed; a task and its steps
are in task_model, planning in task_planning, the work on the clock in
task_engine, the documents the API shows in task_documents, and the
columns of state files in task_rows.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

from ...clock import Clock, parse_iso
from ...derived import KeepsDerived
from ...ids import Ids
from ...statefile import StateFileError
from .access import Principals
from .admin import PauseRules
from .errors import BadRequest, TaskNotFound, TransferError
from .filetree import normalize
from .models import TransferState
from .task_documents import EncodedDocuments, task_document
from .task_engine import TaskEngine
from .task_model import MODES, Task
from .task_rows import pack_tasks, unpack_tasks


class Tasks(TaskEngine, KeepsDerived):
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
    # loaded; so is the cache of finished tasks' JSON, which starts empty.
    DERIVED = ("by_owner", "by_endpoint", "unfinished", "unfinished_on", "encoded", "place")

    def _index(self) -> None:
        # each owner's task ids, by request time
        self.by_owner: dict[str, list[str]] = {}
        # the task ids with an end on each endpoint, by request time
        self.by_endpoint: dict[str, list[str]] = {}
        # each owner's tasks that may still change (ids, by request time);
        # finished ones leave when next listed
        self.unfinished: dict[str, dict[str, None]] = {}
        # the same by endpoint (either end), so a pause rule's change
        # brings up to date only the tasks it can pause
        self.unfinished_on: dict[str, dict[str, None]] = {}
        # each task's place in ``order``, to merge lists of task ids
        self.place: dict[str, int] = {}
        for task_id in self.order:
            self._add_to_index(self.tasks[task_id])
        self.encoded = EncodedDocuments()

    def _add_to_index(self, task: Task) -> None:
        self.place[task.id] = len(self.place)
        self.by_owner.setdefault(task.owner_id, []).append(task.id)
        for endpoint_id in task.ends():
            self.by_endpoint.setdefault(endpoint_id, []).append(task.id)
        if not task.done:
            self.unfinished.setdefault(task.owner_id, {})[task.id] = None
            for endpoint_id in task.ends():
                self.unfinished_on.setdefault(endpoint_id, {})[task.id] = None

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._index()

    # In a state file the tasks are packed into columns (task_rows), so
    # 10,000 finished tasks cost a few lists, not 100,000 small objects.
    def state_for_file(self) -> dict[str, Any]:
        return {**self.__getstate__(), "tasks": pack_tasks(self.tasks.values())}

    def restore_from_file(self, state: dict[str, Any]) -> None:
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

    def body(self, task: Task) -> dict[str, Any] | bytes:
        """``GET task/{id}``'s answer (see :class:`EncodedDocuments`)."""
        return self.encoded.body(task, self.collections)

    def list_for(self, owner_id: str | None) -> Sequence[Task]:
        """Tasks (of an owner, or all), newest first, each brought up to date.
        Only unfinished tasks are worked on, and an owner's list is a view
        of their index: a page of it costs the page, whatever the total."""
        owners = list(self.unfinished) if owner_id is None else [owner_id]
        for owner in owners:
            self._advance_waiting(self.unfinished.get(owner, {}))
        ids = self.order if owner_id is None else self.by_owner.get(owner_id, [])
        return _NewestFirst(ids, self.tasks)

    def on_endpoint(self, endpoint_id: str) -> Sequence[Task]:
        """The tasks with an end on an endpoint, newest first, each brought
        up to date: what an endpoint's manager lists, at the cost of that
        endpoint's tasks."""
        self.bring_up_to_date(endpoint_id)
        return _NewestFirst(self.by_endpoint.get(endpoint_id, []), self.tasks)

    def on_endpoints(self, endpoint_ids: Iterable[str]) -> Iterator[Task]:
        """The tasks with an end on any of these endpoints, newest first,
        each once, after every unfinished task in the world is brought up
        to date (as for the list of all tasks: which task is worked on
        first may decide what another finds in a tree they share, or how
        many faults a task on a down endpoint counts). The endpoints' lists
        are merged lazily, so drawing a page costs the tasks drawn, not the
        finished tasks elsewhere."""
        self.list_for(None)
        return self._merged(endpoint_ids)

    def _merged(self, endpoint_ids: Iterable[str]) -> Iterator[Task]:
        newest_first = [reversed(self.by_endpoint.get(e, [])) for e in endpoint_ids]
        last = None
        for task_id in heapq.merge(*newest_first, key=lambda t: -self.place[t]):
            if task_id != last:  # a task on two of the endpoints comes twice in a row
                yield self.tasks[task_id]
            last = task_id

    # -- the engine -------------------------------------------------------------------

    def bring_up_to_date(self, endpoint_id: str) -> None:
        """Advance every unfinished task with an end on an endpoint, before
        the rules they run under there change (a rule pauses only tasks
        with an end on its endpoint, so others may wait to be read)."""
        waiting = self.unfinished_on.get(endpoint_id, {})
        self._advance_waiting(waiting)
        if not waiting:
            self.unfinished_on.pop(endpoint_id, None)

    def _advance_waiting(self, waiting: dict[str, None]) -> None:
        """Advance the tasks of one list of unfinished ones (an owner's or
        an endpoint's), leaving out those now done."""
        for task_id in list(waiting):
            task = self.tasks[task_id]
            self.advance(task)
            if task.done:
                del waiting[task_id]

    def cancel(self, task_id: str, viewer_id: str) -> bool:
        """Cancel an active task; False if it had already finished."""
        return self.end(self.get(task_id, viewer_id), "the task was canceled by its owner")


def parse_deadline(value: Any) -> float | None:
    if not value:
        return None
    try:
        return parse_iso(str(value))
    except ValueError as err:
        raise BadRequest(f"invalid deadline {value!r}") from err


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
    "task_document",
]
