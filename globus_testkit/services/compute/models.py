"""Globus Compute's state and rules: endpoints, registered functions,
tasks and task groups. Nothing here knows HTTP, and nothing here runs user
code: running is the workers' business (workers.py); the models only say
which tasks are due to run and record what came back.

Task lifecycle, as the real service reports it: ``waiting-for-ep`` (the
endpoint has not taken the task: offline, or the task is not yet run),
then ``success`` or ``failed`` once its result is ready on the world's
clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock
from ...derived import KeepsDerived
from ...http import ApiError
from ...ids import Ids
from ...principal_index import PrincipalIndex

ONLINE, OFFLINE = "online", "offline"
WAITING, SUCCESS, FAILED = "waiting-for-ep", "success", "failed"
DONE = frozenset((SUCCESS, FAILED))


class ComputeError(ApiError):
    """A refusal in Compute's terms (``ENDPOINT_NOT_FOUND``)."""


def not_found(kind: str, ident: str) -> ComputeError:
    return ComputeError(404, f"{kind.upper()}_NOT_FOUND", f"{kind} {ident} not found")


@dataclass
class Behaviour:
    """How an emulated endpoint treats the tasks it takes (set by tests)."""

    delay: float = 0.0  # seconds on the world's clock before a result is ready
    failure: str | None = None  # every task fails with this remote error text


@dataclass
class ComputeEndpoint:
    id: str
    name: str
    owner: str
    display_name: str = ""
    status: str = ONLINE
    public: bool = False
    multi_user: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    allowed_functions: list[str] = field(default_factory=list)
    subscription_id: str | None = None
    locked: bool = False
    behaviour: Behaviour = field(default_factory=Behaviour)

    def to_api(self) -> dict[str, Any]:
        return {
            "uuid": self.id,
            "name": self.name,
            "display_name": self.display_name or self.name,
            "multi_user": self.multi_user,
            "public": self.public,
            "description": self.metadata.get("description", ""),
            "hostname": self.metadata.get("hostname", "globus-testkit"),
            "local_user": self.metadata.get("local_user", "testkit"),
            "ip_address": self.metadata.get("ip_address", "127.0.0.1"),
            "endpoint_version": self.metadata.get("endpoint_version", ""),
            "sdk_version": self.metadata.get("sdk_version", ""),
            "endpoint_config": self.metadata.get("endpoint_config", ""),
            "user_config_template": "",
            "user_config_schema": {},
            "subscription_uuid": self.subscription_id,
        }

    def to_list_item(self) -> dict[str, Any]:
        return {
            "uuid": self.id,
            "name": self.name,
            "display_name": self.display_name or self.name,
            "owner": self.owner,
        }


@dataclass
class ComputeFunction:
    id: str
    name: str
    code: str
    owner: str
    description: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    public: bool = False
    group: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {
            "function_uuid": self.id,
            "function_name": self.name,
            "function_code": self.code,
            "description": self.description,
            "metadata": dict(self.metadata),
        }


@dataclass
class ComputeTask:
    id: str
    function_id: str
    endpoint_id: str
    group_id: str
    owner: str
    payload: str
    created: float
    status: str = WAITING
    started: float | None = None  # when the endpoint took it (it ran then)
    ready_at: float | None = None  # when its outcome shows, on the world's clock
    result: str | None = None  # serialized by globus-compute-sdk's serializer
    exception: str | None = None  # the remote traceback, as text
    details: dict[str, Any] = field(default_factory=dict)  # the worker's environment

    def ready(self, now: float) -> bool:
        """Whether its outcome shows at ``now`` on the world's clock."""
        return self.ready_at is not None and now >= self.ready_at

    def details_document(self) -> dict[str, Any] | None:
        """The worker's environment, the endpoint and the run's times; None
        when no worker ran it (an injected failure)."""
        if not self.details:
            return None
        return {
            **self.details,
            "endpoint_id": self.endpoint_id,
            "task_transitions": {"execution-start": self.started, "execution-end": self.ready_at},
        }

    def to_api(self, now: float) -> dict[str, Any]:
        if not self.ready(now):
            return {"task_id": self.id, "status": WAITING, "result": None, "completion_t": None}
        document: dict[str, Any] = {
            "task_id": self.id,
            "status": self.status,
            "completion_t": f"{self.ready_at:.6f}",
        }
        details = self.details_document()
        if details is not None:
            document["details"] = details
        if self.exception is not None:
            document["exception"] = self.exception
        else:
            document["result"] = self.result
        return document


@dataclass
class TaskGroup:
    id: str
    owner: str
    task_ids: list[str] = field(default_factory=list)


PUBLIC = "public"  # where public endpoints are listed, besides their owner


def _holders(endpoint: ComputeEndpoint) -> list[str]:
    return [endpoint.owner, PUBLIC] if endpoint.public else [endpoint.owner]


class ComputeState(KeepsDerived):
    """Every endpoint, function, task and task group of the world."""

    # the tasks without a result yet, by endpoint, in the order they were
    # made: every Compute request asks which tasks are due, and an
    # endpoint's status counts its outstanding ones, so both cost the
    # unfinished tasks, not every task the world has run (built when first
    # asked)
    DERIVED = ("_unfinished", "_endpoints_by_holder")
    _unfinished: PrincipalIndex | None = None
    # each endpoint under its owner, and public ones under "public" too:
    # listing a caller's endpoints costs theirs, not every one in the world
    _endpoints_by_holder: PrincipalIndex | None = None

    def __init__(self, clock: Clock, ids: Ids) -> None:
        self.clock = clock
        self.ids = ids
        self.endpoints: dict[str, ComputeEndpoint] = {}
        self.functions: dict[str, ComputeFunction] = {}
        self.tasks: dict[str, ComputeTask] = {}
        self.groups: dict[str, TaskGroup] = {}

    # -- endpoints ----------------------------------------------------------------------

    def register_endpoint(
        self, owner: str, name: str, *, endpoint_id: str | None = None, **fields: Any
    ) -> ComputeEndpoint:
        endpoint = ComputeEndpoint(id=endpoint_id or self.ids.uuid(), name=name, owner=owner)
        self.endpoints[endpoint.id] = endpoint
        self.update_endpoint(endpoint, **fields)
        return endpoint

    def update_endpoint(self, endpoint: ComputeEndpoint, **fields: Any) -> None:
        for key, value in fields.items():
            if value is not None:
                setattr(endpoint, key, value)
        if self._endpoints_by_holder is not None:
            self._endpoints_by_holder.put(endpoint.id, _holders(endpoint))

    def endpoint(self, endpoint_id: str, caller: str | None = None) -> ComputeEndpoint:
        """The endpoint, if ``caller`` (None: anyone) may see it."""
        found = self.endpoints.get(endpoint_id)
        if found is None or not self._visible(found, caller):
            raise not_found("endpoint", endpoint_id)
        return found

    def owned_endpoint(self, endpoint_id: str, caller: str) -> ComputeEndpoint:
        endpoint = self.endpoint(endpoint_id, caller)
        if endpoint.owner != caller:
            raise ComputeError(
                403, "ENDPOINT_ACCESS_FORBIDDEN", f"you do not own endpoint {endpoint_id}"
            )
        return endpoint

    @staticmethod
    def _visible(endpoint: ComputeEndpoint, caller: str | None) -> bool:
        return caller is None or endpoint.owner == caller or endpoint.public

    def endpoints_of(self, caller: str, role: str) -> list[ComputeEndpoint]:
        """``role="owner"`` (the default): the caller's; ``"any"``: also public ones."""
        if role not in ("owner", "any"):
            raise ComputeError(400, "BAD_REQUEST", f"role must be 'owner' or 'any', not {role!r}")
        if self._endpoints_by_holder is None:
            self._endpoints_by_holder = PrincipalIndex.of(self.endpoints, _holders)
        holders = [caller, PUBLIC] if role == "any" else [caller]
        return [self.endpoints[e] for e in self._endpoints_by_holder.held_by(holders)]

    def delete_endpoint(self, endpoint_id: str, caller: str) -> None:
        self.owned_endpoint(endpoint_id, caller)
        del self.endpoints[endpoint_id]
        if self._endpoints_by_holder is not None:
            self._endpoints_by_holder.remove(endpoint_id)

    def status_of(self, endpoint: ComputeEndpoint) -> dict[str, Any]:
        waiting = len(self._unfinished_on().held_by((endpoint.id,)))
        online = endpoint.status == ONLINE
        return {
            "status": endpoint.status,
            "details": {
                "total_workers": 1 if online else 0,
                "idle_workers": 1 if online and not waiting else 0,
                "pending_tasks": waiting,
                "outstanding_tasks": waiting,
                "managers": 1 if online else 0,
            },
        }

    # -- functions ----------------------------------------------------------------------

    def register_function(self, owner: str, name: str, code: str, **fields: Any) -> ComputeFunction:
        function = ComputeFunction(id=self.ids.uuid(), name=name, code=code, owner=owner)
        for key, value in fields.items():
            if value is not None:
                setattr(function, key, value)
        self.functions[function.id] = function
        return function

    def function(
        self, function_id: str, caller: str, groups: frozenset[str] = frozenset()
    ) -> ComputeFunction:
        """The function, if ``caller`` (a member of ``groups``) may use it:
        its owner, anyone if it is public, members of the group it is
        shared with."""
        found = self.functions.get(function_id)
        if found is None or not (
            found.owner == caller
            or found.public
            or (found.group is not None and found.group in groups)
        ):
            raise not_found("function", function_id)
        return found

    def delete_function(self, function_id: str, caller: str) -> None:
        function = self.function(function_id, caller)
        if function.owner != caller:
            raise ComputeError(
                403, "FUNCTION_ACCESS_FORBIDDEN", f"you do not own function {function_id}"
            )
        del self.functions[function_id]

    # -- tasks --------------------------------------------------------------------------

    def submit(
        self,
        caller: str,
        endpoint_id: str,
        tasks: dict[str, list[str]],
        group_id: str | None = None,
        groups: frozenset[str] = frozenset(),
    ) -> tuple[TaskGroup, dict[str, list[str]]]:
        """New waiting tasks: per function id, its task ids, in order.
        Everything is checked before anything is created."""
        endpoint = self.check_submission(caller, endpoint_id, tasks, group_id, groups)
        group = self._group_for(caller, group_id)
        return group, self._create_tasks(caller, endpoint, group, tasks)

    def check_submission(
        self,
        caller: str,
        endpoint_id: str,
        tasks: dict[str, list[str]],
        group_id: str | None,
        groups: frozenset[str] = frozenset(),
    ) -> ComputeEndpoint:
        """The endpoint, if the caller may submit these tasks to it."""
        endpoint = self.endpoint(endpoint_id, caller)
        if endpoint.locked:
            raise ComputeError(423, "ENDPOINT_LOCKED", f"endpoint {endpoint_id} is locked")
        for function_id in tasks:
            self.function(function_id, caller, groups)
            if endpoint.allowed_functions and function_id not in endpoint.allowed_functions:
                raise ComputeError(
                    403,
                    "FUNCTION_NOT_ALLOWED",
                    f"function {function_id} is not allowed on endpoint {endpoint_id}",
                )
        if group_id is not None:
            self.group(group_id, caller)
        return endpoint

    def _create_tasks(
        self, caller: str, endpoint: ComputeEndpoint, group: TaskGroup, tasks: dict[str, list[str]]
    ) -> dict[str, list[str]]:
        created: dict[str, list[str]] = {}
        for function_id, payloads in tasks.items():
            for payload in payloads:
                task = ComputeTask(
                    id=self.ids.uuid(),
                    function_id=function_id,
                    endpoint_id=endpoint.id,
                    group_id=group.id,
                    owner=caller,
                    payload=payload,
                    created=self.clock.now(),
                )
                self._track(task)
                self.tasks[task.id] = task
                group.task_ids.append(task.id)
                created.setdefault(function_id, []).append(task.id)
        return created

    def _group_for(self, caller: str, group_id: str | None) -> TaskGroup:
        if group_id is None:
            group = TaskGroup(self.ids.uuid(), caller)
            self.groups[group.id] = group
            return group
        return self.group(group_id, caller)

    def group(self, group_id: str, caller: str) -> TaskGroup:
        found = self.groups.get(group_id)
        if found is None or found.owner != caller:
            raise not_found("task_group", group_id)
        return found

    def task(self, task_id: str, caller: str) -> ComputeTask:
        found = self.tasks.get(task_id)
        if found is None or found.owner != caller:
            raise not_found("task", task_id)
        return found

    def _unfinished_on(self) -> PrincipalIndex:
        if self._unfinished is None:
            unfinished = {t.id: t for t in self.tasks.values() if t.ready_at is None}
            self._unfinished = PrincipalIndex.of(unfinished, lambda task: (task.endpoint_id,))
        return self._unfinished

    def _track(self, task: ComputeTask) -> None:
        """Index a new task as unfinished, after every earlier task."""
        self._unfinished_on().put(task.id, (task.endpoint_id,))

    def due(self) -> list[ComputeTask]:
        """Tasks an online endpoint has yet to take, oldest first."""
        unfinished = self._unfinished_on()
        online = [
            endpoint_id
            for endpoint_id in unfinished.principals()
            if (endpoint := self.endpoints.get(endpoint_id)) and endpoint.status == ONLINE
        ]
        waiting = (self.tasks[task_id] for task_id in unfinished.held_by(online))
        return [task for task in waiting if task.started is None]

    def take(self, task: ComputeTask) -> None:
        """The endpoint takes the task: it runs now (outside the world)."""
        task.started = self.clock.now()

    def finish(self, task: ComputeTask, status: str, outcome: str, details: dict[str, Any]) -> None:
        """Record a run's outcome; it shows after the endpoint's delay."""
        task.details = details
        endpoint = self.endpoints.get(task.endpoint_id)
        delay = endpoint.behaviour.delay if endpoint else 0.0
        task.status = status
        if status == SUCCESS:
            task.result, task.exception = outcome, None
        else:
            task.result, task.exception = None, outcome
        task.ready_at = (task.started or self.clock.now()) + delay
        self._unfinished_on().remove(task.id)
