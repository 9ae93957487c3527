"""Globus Search's state and rules: indexes, their roles, the entries they
hold, and the tasks that change them. No HTTP here.

Writes are tasks, as in the real service: ingest and the deletes queue a
task and answer its id at once; the task is applied, in the order it was
submitted, once the world's clock reaches its due time (by default at
once, so the first poll finds it done). Reads settle due tasks first.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock
from ...derived import KeepsDerived, ids_by
from ...http import ApiError
from ...ids import Ids
from ...principal_index import PrincipalIndex
from ..auth.models import IDENTITY_URN, identity_urn
from ..groups.models import GROUP_URN
from .fields import leaf_count, leaves, nesting_depth, tokens
from .postings import Postings

OWNER, ADMIN, WRITER = "owner", "admin", "writer"
ROLE_NAMES = (OWNER, ADMIN, WRITER)
WRITERS = frozenset(ROLE_NAMES)
ADMINS = frozenset((OWNER, ADMIN))
PUBLIC = "public"

OPEN, DELETE_PENDING = "open", "delete-pending"
TRIAL_OWNERSHIP_LIMIT = 3  # trial indices one identity may own
TRIAL_MAX_SIZE_MB = 1
ENTRIES_PER_SUBJECT = 10
FIELDS_PER_INDEX = 1000
NESTED_FIELD_DEPTH = 20
MAX_RESULTS = 10_000  # offset + limit, as the service caps them
MAX_SUBJECT_BYTES = 500
MAX_VISIBLE_TO = 100

STATE_DESCRIPTIONS = {
    "PENDING": "Task is pending",
    "PROGRESS": "Task is in progress",
    "SUCCESS": "Task succeeded",
    "FAILED": "Task failed",
    "CANCELLED": "Task cancelled",
}


class SearchError(ApiError):
    """An error with Search's dotted codes (``NotFound.NoSuchIndex``)."""


def bad_query(message: str) -> SearchError:
    return SearchError(400, "BadRequest.Generic", message)


def forbidden(operation: str) -> SearchError:
    return SearchError(
        403,
        "Forbidden.Generic",
        f"{operation} request denied by service",
        error_data={
            "cause": f"You do not have the proper roles to perform the {operation} operation.",
            "recommended_resolution": "Ensure you are making a call authenticated with a "
            "valid Search token and that you have been granted the required roles for "
            "this operation",
        },
    )


@dataclass(frozen=True)
class Analysis:
    values: list[Any]  # every leaf value
    words: list[list[str]]  # each value's words
    vocabulary: frozenset[str]  # every word


@dataclass
class Entry:
    subject: str
    entry_id: str | None
    content: dict[str, Any]
    visible_to: list[str]

    def analysis(self) -> Analysis:
        """The entry's values and words, worked out once (entries do not
        change: a re-ingest replaces the Entry)."""
        found: Analysis | None = self.__dict__.get("_analysis")
        if found is None:
            values = [value for _, value in leaves(self.content)]
            words = [tokens(value) for value in values]
            found = self.__dict__["_analysis"] = Analysis(
                values, words, frozenset(w for ws in words for w in ws)
            )
        return found

    def __getstate__(self) -> dict[str, Any]:
        # the analysis is derived from the content: never copy or save it
        return {k: v for k, v in self.__dict__.items() if k != "_analysis"}

    def visible(self, principals: frozenset[str]) -> bool:
        return PUBLIC in self.visible_to or not principals.isdisjoint(self.visible_to)

    def matched_principal_sets(self, principals: frozenset[str]) -> list[str]:
        return [p for p in self.visible_to if p != PUBLIC and p in principals]


@dataclass
class Role:
    id: str
    index_id: str
    principal: str
    role_name: str
    creation_date: str

    def to_api(self) -> dict[str, Any]:
        kind = "group" if self.principal.startswith(GROUP_URN) else "identity"
        return {
            "creation_date": self.creation_date,
            "id": self.id,
            "index_id": self.index_id,
            "principal": self.principal,
            "principal_type": kind,
            "role_name": self.role_name,
        }


@dataclass
class SearchIndex(KeepsDerived):
    id: str
    display_name: str
    description: str
    creation_date: str
    is_trial: bool = True
    subscription_id: str | None = None
    status: str = OPEN
    roles: dict[str, Role] = field(default_factory=dict)
    # subject -> entry id (None for the default entry) -> entry
    subjects: dict[str, dict[str | None, Entry]] = field(default_factory=dict)
    fields: set[str] = field(default_factory=set)
    # derived from the entries, built when first needed
    DERIVED = ("_postings", "_entry_count")
    _postings: Postings | None = field(default=None, repr=False, compare=False)
    _entry_count: int | None = field(default=None, repr=False, compare=False)

    @property
    def postings(self) -> Postings:
        """The inverted index of the entries (see :mod:`.postings`)."""
        if self._postings is None:
            self._postings = Postings()
            for subject, entries in self.subjects.items():
                self._postings.put(subject, entries.values())
        return self._postings

    @property
    def entry_count(self) -> int:
        """How many entries the index holds (kept up by every write, so
        describing an index does not count them all)."""
        if self._entry_count is None:
            self._entry_count = self._held(self.subjects)
        return self._entry_count

    def _held(self, subjects: Iterable[str]) -> int:
        return sum(len(self.subjects.get(subject, ())) for subject in subjects)

    def store(self, entries: list[Entry]) -> None:
        """Write ``entries``, each replacing any of its subject and id."""
        # in the order they came: new subjects take their places in it
        touched = dict.fromkeys(e.subject for e in entries)
        before = self._held(touched)
        for entry in entries:
            self.subjects.setdefault(entry.subject, {})[entry.entry_id] = entry
        self._reindex(touched, before)

    def remove_subjects(self, subjects: list[str]) -> None:
        touched = dict.fromkeys(subjects)
        before = self._held(touched)
        for subject in touched:
            self.subjects.pop(subject, None)
        self._reindex(touched, before)

    def remove_entries(self, keys: list[tuple[str, str | None]]) -> None:
        touched = dict.fromkeys(subject for subject, _ in keys)
        before = self._held(touched)
        for subject, entry_id in keys:
            entries = self.subjects.get(subject, {})
            entries.pop(entry_id, None)
            if not entries:
                self.subjects.pop(subject, None)
        self._reindex(touched, before)

    def _reindex(self, subjects: Iterable[str], held_before: int) -> None:
        """After a write to these subjects (each once), which held
        ``held_before`` entries before it."""
        if self._entry_count is not None:
            self._entry_count += self._held(subjects) - held_before
        if self._postings is not None:
            for subject in subjects:
                self._postings.put(subject, self.subjects.get(subject, {}).values())

    def roles_of(self, principals: frozenset[str]) -> set[str]:
        return {r.role_name for r in self.roles.values() if r.principal in principals}

    def entries(self) -> list[Entry]:
        return [e for entries in self.subjects.values() for e in entries.values()]

    def to_api(self) -> dict[str, Any]:
        return {
            "@datatype": "GSearchIndex",
            "@version": "2017-09-01",
            "id": self.id,
            "display_name": self.display_name,
            "description": self.description,
            "creation_date": self.creation_date,
            "is_trial": self.is_trial,
            "subscription_id": self.subscription_id,
            "max_size_in_mb": TRIAL_MAX_SIZE_MB if self.is_trial else 100,
            "num_entries": self.entry_count,
            "num_subjects": len(self.subjects),
            "size_in_mb": 0,
            "status": self.status,
        }


@dataclass
class SearchTask:
    task_id: str
    index_id: str
    task_type: str  # ingest | delete-by-query | delete-by-subject | delete-by-entry-id
    creation: float
    due: float
    # what to apply: entries to write, or subjects to delete
    entries: list[Entry] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    entry_keys: list[tuple[str, str | None]] = field(default_factory=list)
    query: dict[str, Any] | None = None
    principals: list[str] = field(default_factory=list)  # whose view a query deletes
    state: str = "PENDING"
    message: str | None = None
    additional_details: dict[str, Any] | None = None
    completion: float | None = None

    def to_api(self, clock: Clock) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "state": self.state,
            "task_type": self.task_type,
            "state_description": STATE_DESCRIPTIONS[self.state],
            "index_id": self.index_id,
            "message": self.message,
            "creation_date": _task_date(clock, self.creation),
            "completion_date": (
                None if self.completion is None else _task_date(clock, self.completion)
            ),
            "additional_details": self.additional_details,
        }


class SearchState(KeepsDerived):
    """Every index, role, entry and task of Globus Search in one world."""

    # each index's task ids, in submission order, built when first asked
    # (see tasks_of); the indexes each principal holds a role on, built
    # when first asked (see indexes_held)
    DERIVED = ("_tasks_by_index", "_by_principal")
    _tasks_by_index: dict[str, list[str]] | None = None
    _by_principal: PrincipalIndex | None = None

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self.clock = clock
        self.ids = ids
        self.indexes: dict[str, SearchIndex] = {}
        self.tasks: dict[str, SearchTask] = {}
        self.pending: list[str] = []  # task ids, in submission order
        self.task_delay = 0.0  # seconds from submission to completion
        self._role_serial = 30000

    # -- indexes -----------------------------------------------------------------

    def create_index(
        self,
        owner_id: str,
        display_name: str,
        description: str,
        *,
        index_id: str | None = None,
        trial: bool = True,
    ) -> SearchIndex:
        """A new index owned by ``owner_id``; ``index_id`` (a world's spec
        names it) still draws an id, so the world's later ids stay the same."""
        owner = identity_urn(owner_id)
        if trial and self._owned_trials(owner) >= TRIAL_OWNERSHIP_LIMIT:
            raise SearchError(
                409,
                "Conflict.LimitExceeded",
                "Role limit exceeded",
                error_data={
                    "cause": "When creating an index, an 'owner' role is created "
                    "automatically. If this would exceed ownership limits, this error "
                    "is raised instead.",
                    "constraint": "Cannot create more ownership roles on trial indices "
                    f"than the limit ({TRIAL_OWNERSHIP_LIMIT})",
                },
            )
        drawn = self.ids.uuid()
        index = SearchIndex(
            index_id or drawn, display_name, description, _search_date(self.clock), is_trial=trial
        )
        self.indexes[index.id] = index
        self._add_role(index, owner, OWNER)
        return index

    def _owned_trials(self, owner: str) -> int:
        return sum(
            1
            for index in self.indexes_held({owner})
            if index.is_trial
            and any(r.principal == owner and r.role_name == OWNER for r in index.roles.values())
        )

    def index(self, index_id: str, *, open_only: bool = False) -> SearchIndex:
        found = self.indexes.get(index_id)
        if found is None:
            raise SearchError(404, "NotFound.NoSuchIndex", f"There is no index named {index_id}")
        if open_only and found.status != OPEN:
            raise _status_conflict(found, OPEN)
        return found

    def mark_deleted(self, index: SearchIndex) -> None:
        if index.status != OPEN:
            raise _status_conflict(index, OPEN)
        index.status = DELETE_PENDING
        for task_id in list(self.pending):
            task = self.tasks[task_id]
            if task.index_id == index.id:
                self._finish(task, "CANCELLED", "the index was marked for deletion")

    def reopen(self, index: SearchIndex) -> None:
        if index.status != DELETE_PENDING:
            raise _status_conflict(index, "delete_pending")
        index.status = OPEN

    # -- roles -------------------------------------------------------------------

    def create_role(self, index: SearchIndex, principal: str, role_name: str) -> Role:
        if role_name not in ROLE_NAMES:
            raise SearchError(
                400, "BadRequest.Generic", f"role_name must be one of {', '.join(ROLE_NAMES)}"
            )
        if not principal.startswith((IDENTITY_URN, GROUP_URN)):
            raise SearchError(
                400,
                "BadRequest.Generic",
                f"principal must be a {IDENTITY_URN}<id> or {GROUP_URN}<id> URN",
            )
        for role in index.roles.values():
            if role.principal == principal and role.role_name == role_name:
                raise SearchError(
                    409, "Conflict.RoleAlreadyExists", f"{principal} already has {role_name}"
                )
        if role_name == OWNER and index.is_trial and self._owned_trials(principal) >= 3:
            raise SearchError(409, "Conflict.LimitExceeded", "Role limit exceeded")
        return self._add_role(index, principal, role_name)

    def _add_role(self, index: SearchIndex, principal: str, role_name: str) -> Role:
        self._role_serial += 1
        role_id = base64.b64encode(f"{self._role_serial:06d}".encode()).decode()
        role = Role(role_id, index.id, principal, role_name, _search_date(self.clock))
        index.roles[role_id] = role
        self._roles_changed(index)
        return role

    def delete_role(self, index: SearchIndex, role_id: str) -> Role:
        role = index.roles.get(role_id)
        if role is None:
            raise SearchError(404, "NotFound.Generic", f"no role {role_id} on this index")
        owners = [r for r in index.roles.values() if r.role_name == OWNER]
        if role.role_name == OWNER and len(owners) == 1:
            raise SearchError(409, "Conflict.Generic", "an index must keep at least one owner role")
        del index.roles[role_id]
        self._roles_changed(index)
        return role

    def _roles_changed(self, index: SearchIndex) -> None:
        if self._by_principal is not None:
            self._by_principal.put(index.id, _principals(index))

    def indexes_held(self, principals: Iterable[str]) -> list[SearchIndex]:
        """The indexes where one of ``principals`` holds a role, in the
        world's order: read from an index by principal, so a listing costs
        the caller's indexes, not every index."""
        if self._by_principal is None:
            self._by_principal = PrincipalIndex.of(self.indexes, _principals)
        return [self.indexes[i] for i in self._by_principal.held_by(principals)]

    # -- tasks -------------------------------------------------------------------

    def submit(
        self,
        index: SearchIndex,
        task_type: str,
        *,
        entries: list[Entry] | None = None,
        subjects: list[str] | None = None,
        entry_keys: list[tuple[str, str | None]] | None = None,
        query: dict[str, Any] | None = None,
        principals: frozenset[str] = frozenset(),
    ) -> SearchTask:
        now = self.clock.now()
        task = SearchTask(
            self.ids.uuid(),
            index.id,
            task_type,
            now,
            now + self.task_delay,
            entries=entries or [],
            subjects=subjects or [],
            entry_keys=entry_keys or [],
            query=query,
            principals=sorted(principals),
        )
        self.tasks[task.task_id] = task
        self.pending.append(task.task_id)
        if self._tasks_by_index is not None:
            self._tasks_by_index.setdefault(index.id, []).append(task.task_id)
        return task

    def settle(self, run_query: Any) -> None:
        """Apply every task that is due, in submission order. ``run_query``
        finds the subjects a delete_by_query removes (the query engine
        lives beside the routes' parsing, not in the state)."""
        now = self.clock.now()
        while self.pending and self.tasks[self.pending[0]].due <= now:
            task = self.tasks[self.pending[0]]
            index = self.indexes[task.index_id]
            if task.task_type == "ingest":
                self._apply_ingest(index, task)
                continue
            subjects = (
                task.subjects
                if task.query is None
                else run_query(index, task.query, frozenset(task.principals))
            )
            index.remove_subjects(list(subjects))
            index.remove_entries(task.entry_keys)
            self._finish(task, "SUCCESS", None)

    def _apply_ingest(self, index: SearchIndex, task: SearchTask) -> None:
        problem = self._ingest_problem(index, task.entries)
        if problem is not None:
            self._finish(task, "FAILED", problem)
            return
        index.store(task.entries)
        for entry in task.entries:
            index.fields.update(_field_names(entry.content))
        self._finish(task, "SUCCESS", None)

    def _ingest_problem(self, index: SearchIndex, entries: list[Entry]) -> str | None:
        """Why the service would fail this ingest task, or None. (Shape
        errors are refused at submission; these are the index's limits.)"""
        fields = set(index.fields)
        per_subject: dict[str, set[str | None]] = {}
        for entry in entries:
            if nesting_depth(entry.content) > NESTED_FIELD_DEPTH:
                return f"an entry of {entry.subject!r} nests deeper than {NESTED_FIELD_DEPTH}"
            fields.update(_field_names(entry.content))
            ids = per_subject.setdefault(entry.subject, set(index.subjects.get(entry.subject, {})))
            ids.add(entry.entry_id)
            if len(ids) > ENTRIES_PER_SUBJECT:
                return (
                    f"subject {entry.subject!r} would hold more than {ENTRIES_PER_SUBJECT} entries"
                )
        if len(fields) > FIELDS_PER_INDEX:
            return f"the index would hold more than {FIELDS_PER_INDEX} distinct fields"
        return None

    def _finish(self, task: SearchTask, state: str, message: str | None) -> None:
        task.state = state
        task.message = message
        if state == "FAILED":
            task.additional_details = {"error": message}
        task.completion = self.clock.now()
        task.entries, task.subjects, task.entry_keys = [], [], []
        self.pending.remove(task.task_id)

    def task(self, task_id: str) -> SearchTask:
        found = self.tasks.get(task_id)
        if found is None:
            raise SearchError(404, "NotFound.Generic", f"There is no task with id {task_id}")
        return found

    def tasks_of(self, index_id: str) -> list[SearchTask]:
        """An index's tasks, newest first (a task list costs the index's
        tasks, not every task of every index)."""
        if self._tasks_by_index is None:
            self._tasks_by_index = ids_by(self.tasks, lambda task: task.index_id)
        found = [self.tasks[i] for i in self._tasks_by_index.get(index_id, [])]
        return sorted(found, key=lambda t: t.creation, reverse=True)


def _field_names(content: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    leaf_count(content, "", names)
    return names


def _status_conflict(index: SearchIndex, needed: str) -> SearchError:
    shown = index.status.replace("-", "_")
    return SearchError(
        409,
        "Conflict.IncompatibleIndexStatus",
        f"Index status ({shown}) did not match required status for this operation: {needed}",
    )


def _principals(index: SearchIndex) -> set[str]:
    return {role.principal for role in index.roles.values()}


def _search_date(clock: Clock, timestamp: float | None = None) -> str:
    """Search prints dates as ``2021-04-05 15:05:18``."""
    return clock.isoformat(timestamp)[:19].replace("T", " ")


def _task_date(clock: Clock, timestamp: float) -> str:
    """Tasks print naive ISO 8601 UTC: ``2018-12-13T18:08:42.746911``."""
    return clock.isoformat(timestamp).split("+")[0]
