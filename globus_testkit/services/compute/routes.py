"""Globus Compute's web API (``/v2/...`` and ``/v3/...``) as
globus-sdk's ComputeClientV2/V3 and globus-compute-sdk's Client call it.

Tasks run when an online endpoint takes them: on the request that follows
their submission (the submission itself included), in the emulator's
worker processes (workers.py), with the world's lock let go meanwhile.
Results then show on the world's clock after the endpoint's delay (none by
default, so a result is ready by the first poll).

With a broker configured (the emulator's ``amqp_url``), finished tasks'
results are also published to it for globus-compute-sdk's Executor
(results.py); without one, ``/v2/get_amqp_result_connection_url`` is a
501 saying how to configure it.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, ClassVar

from ...http import ApiError, Call, Reply, validate
from ..auth.spec import resolve_identity_id
from ..base import Routes, Service
from .models import SUCCESS, ComputeError, ComputeState, ComputeTask
from .results import ResultStream, amqp_installed
from .workers import Workers, compute_sdk_installed

if TYPE_CHECKING:
    from ...agenda import DueEntry
    from ...emulator import Emulator, World

log = logging.getLogger(__name__)

routes = Routes()

COMPUTE_RESOURCE_SERVER = "funcx_service"
COMPUTE_SCOPE = "https://auth.globus.org/scopes/facd7ccc-c5f4-42aa-916b-a0e270e2c2a9/all"
API_VERSION = "1.23.0"


class ComputeService(Service):
    name = "compute"
    hosts = ("compute.api.globus.org",)
    resource_server = COMPUTE_RESOURCE_SERVER
    routes = routes
    world_schema: ClassVar[dict[str, Any]] = {
        "compute_endpoints": {
            "type": "array",
            "description": "Compute endpoints, owned by the world's user unless owner "
            "names an identity by username or id",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": "string"},
                    "display_name": {"type": "string"},
                    "owner": {"type": "string"},
                    "public": {"type": "boolean"},
                    "status": {"enum": ["online", "offline"]},
                },
            },
        }
    }

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        self.workers = Workers()
        url = emulator.amqp_url
        self.results = ResultStream(url) if url else None

    @classmethod
    def load_spec(cls, world: World, spec: dict[str, Any]) -> None:
        for i, described in enumerate(spec.get("compute_endpoints", [])):
            given = described.get("owner", world.user_id)
            owner = resolve_identity_id(world, given, f"compute_endpoints[{i}].owner")
            world.compute.register_endpoint(
                owner,
                described["name"],
                endpoint_id=described.get("id"),
                display_name=described.get("display_name"),
                public=described.get("public"),
                status=described.get("status"),
            )

    def interrupt(self) -> None:
        self.workers.shutdown()
        if self.results is not None:
            self.results.close(set(self.state.groups))

    def error_body(self, err: ApiError, call: Call) -> dict[str, Any]:
        return {
            "code": err.code,
            "message": err.message,
            "reason": err.message,
            "http_status_code": err.status,
            "request_id": call.request_id,
        }

    def handle(self, call: Call) -> Reply:
        self.run_waiting_tasks()
        return super().handle(call)

    @property
    def state(self) -> ComputeState:
        return self.world.compute

    def caller(self, call: Call) -> str:
        return self.authenticate(call, scope=COMPUTE_SCOPE).identity_id

    def groups_of(self, identity_id: str) -> frozenset[str]:
        """The groups the caller (any identity of theirs) is an active member of."""
        identities = {i.id for i in self.world.auth.identity_set(identity_id)}
        return frozenset(g.id for g, _ in self.world.groups.groups_of(identities))

    # -- running tasks -------------------------------------------------------------------

    def run_waiting_tasks(self) -> None:
        """Let online endpoints take their waiting tasks and run them.

        Called holding the world's lock; the functions run with it let go
        (they may take a while), and their outcomes are recorded after.
        """
        state = self.state
        due = state.due()
        if not due:
            return
        try:
            self._run(due)
        finally:
            self._announce(due)

    def _run(self, due: list[ComputeTask]) -> None:
        state = self.state
        jobs: list[tuple[ComputeTask, str]] = []
        for task in due:
            state.take(task)
            function = state.functions.get(task.function_id)
            failure = state.endpoints[task.endpoint_id].behaviour.failure
            if function is None:
                state.finish(task, "failed", f"FunctionNotFound: {task.function_id}", {})
            elif failure is not None:
                state.finish(task, "failed", failure, {})
            else:
                jobs.append((task, function.code))
        if not jobs:
            return
        with self.emulator.unlocked():
            outcomes = self.workers.run_all([(code, task.payload) for task, code in jobs])
        for (task, _), (status, outcome, details) in zip(jobs, outcomes, strict=True):
            state.finish(task, status, outcome, details)

    # -- the result stream (AMQP) ----------------------------------------------------------

    def result_stream(self) -> ResultStream:
        """The broker results go to; a 501 saying how to configure one."""
        if self.results is None:
            raise ComputeError(
                501,
                "AmqpBrokerNotConfigured",
                "globus-testkit publishes Compute results (for globus-compute-sdk's "
                "Executor) to a RabbitMQ broker you run, and none is configured: start "
                "one (apt-get install rabbitmq-server) and give the emulator its URL "
                "(Emulator(amqp_url=...), GLOBUS_TESTKIT_AMQP_URL, or pytest's "
                "--globus-amqp-url), e.g. amqp://guest:guest@127.0.0.1:5672/%2F",
            )
        if not amqp_installed():
            raise ComputeError(
                501,
                "AmqpClientNotInstalled",
                "globus-testkit publishes Compute results with pika and "
                "globus-compute-common, which are not installed in the emulator's "
                "Python: pip install globus-compute-sdk",
            )
        return self.results

    def open_result_queue(self, caller: str, group_id: str) -> None:
        """Declare the task group's queue before its results (and its consumer) come."""
        if self.results is not None:
            self.results.open_queue(caller, group_id)

    def _announce(self, tasks: list[ComputeTask]) -> None:
        """Publish finished tasks' results: now if they show now, else
        when the world's clock reaches them (the agenda)."""
        if self.results is None:
            return
        now = self.world.clock.now()
        for task in tasks:
            if task.ready_at is None:
                continue
            if task.ready(now):
                self._publish(task)
            else:
                self.world.agenda.schedule(task.ready_at, self.name, task.id)

    def run_due(self, entry: DueEntry) -> None:
        task = self.state.tasks.get(entry.key)
        if task is not None and self.results is not None:
            self._publish(task)

    def _publish(self, task: ComputeTask) -> None:
        assert self.results is not None and task.ready_at is not None
        failed = task.status != SUCCESS
        try:
            self.results.publish(
                task.owner,
                task.group_id,
                task.id,
                data=(task.exception if failed else task.result) or "",
                failed=failed,
                details=task.details_document(),
                completed=task.ready_at,
            )
        except Exception:  # the task stays pollable; say loudly what went wrong
            log.exception(
                "globus-testkit could not publish Compute task %s's result to the "
                "AMQP broker at %s",
                task.id,
                self.results.url,
            )


def _require_compute_sdk() -> None:
    if not compute_sdk_installed():
        raise ComputeError(
            501,
            "ComputeSdkNotInstalled",
            "globus-testkit runs Compute functions with globus-compute-sdk's own "
            "serializers, and globus-compute-sdk is not installed in the emulator's "
            "Python: pip install globus-compute-sdk",
        )


# -- version ------------------------------------------------------------------------


@routes.route("/v2/version", "GET", operation="get_version")
def get_version(svc: ComputeService, call: Call) -> Reply:
    if call.args.get("service") != "all":
        return Reply(json.dumps(API_VERSION))  # a bare JSON string
    return Reply(
        {
            "api": API_VERSION,
            "min_sdk_version": "1.0.0",
            "min_ep_version": "1.0.0",
            "min_endpoint_version": "1.0.0",
            "git_sha": "globus-testkit",
        }
    )


# -- endpoints ----------------------------------------------------------------------


def _endpoint_fields(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "display_name": body.get("display_name"),
        "public": body.get("public"),
        "multi_user": body.get("multi_user"),
        "metadata": body.get("metadata"),
        "allowed_functions": body.get("allowed_functions"),
        "subscription_id": body.get("subscription_uuid"),
    }


def _register_endpoint(svc: ComputeService, call: Call, endpoint_id: str | None) -> Reply:
    caller = svc.caller(call)
    body = call.json_object()
    validate(body, "compute_endpoint", code="BAD_REQUEST")
    endpoint_id = endpoint_id or body.get("endpoint_uuid")
    existing = svc.state.endpoints.get(endpoint_id) if endpoint_id else None
    if existing is not None:
        svc.state.owned_endpoint(existing.id, caller)
        svc.state.update_endpoint(
            existing, name=body.get("endpoint_name"), **_endpoint_fields(body)
        )
        endpoint = existing
    else:
        if "endpoint_name" not in body:
            raise ComputeError(400, "BAD_REQUEST", "endpoint_name is required")
        endpoint = svc.state.register_endpoint(
            caller, body["endpoint_name"], endpoint_id=endpoint_id, **_endpoint_fields(body)
        )
    # The real service also hands back AMQP queues for the endpoint daemon;
    # the emulator runs endpoints itself and has none to give.
    return Reply({"endpoint_id": endpoint.id})


@routes.route("/v2/endpoints", "POST", operation="register_endpoint_v2")
def register_endpoint_v2(svc: ComputeService, call: Call) -> Reply:
    return _register_endpoint(svc, call, None)


@routes.route("/v3/endpoints", "POST", operation="register_endpoint")
def register_endpoint(svc: ComputeService, call: Call) -> Reply:
    return _register_endpoint(svc, call, None)


@routes.route("/v3/endpoints/<endpoint_id>", "PUT", operation="update_endpoint")
def update_endpoint(svc: ComputeService, call: Call, endpoint_id: str) -> Reply:
    return _register_endpoint(svc, call, endpoint_id)


@routes.route("/v2/endpoints", "GET", operation="get_endpoints")
def get_endpoints(svc: ComputeService, call: Call) -> Reply:
    caller = svc.caller(call)
    found = svc.state.endpoints_of(caller, call.args.get("role", "owner"))
    return Reply([e.to_list_item() for e in found])


@routes.route("/v2/endpoints/<endpoint_id>", "GET", operation="get_endpoint")
def get_endpoint(svc: ComputeService, call: Call, endpoint_id: str) -> Reply:
    return Reply(svc.state.endpoint(endpoint_id, svc.caller(call)).to_api())


@routes.route("/v2/endpoints/<endpoint_id>/status", "GET", operation="get_endpoint_status")
def get_endpoint_status(svc: ComputeService, call: Call, endpoint_id: str) -> Reply:
    endpoint = svc.state.endpoint(endpoint_id, svc.caller(call))
    return Reply(svc.state.status_of(endpoint))


@routes.route("/v2/endpoints/<endpoint_id>", "DELETE", operation="delete_endpoint")
def delete_endpoint(svc: ComputeService, call: Call, endpoint_id: str) -> Reply:
    svc.state.delete_endpoint(endpoint_id, svc.caller(call))
    return Reply({"result": 302})


def _lock_endpoint(svc: ComputeService, call: Call, endpoint_id: str) -> Reply:
    endpoint = svc.state.owned_endpoint(endpoint_id, svc.caller(call))
    endpoint.locked = True
    return Reply({"endpoint_id": endpoint.id, "lock_expiration_timestamp": None})


@routes.route("/v2/endpoints/<endpoint_id>/lock", "POST", operation="lock_endpoint_v2")
def lock_endpoint_v2(svc: ComputeService, call: Call, endpoint_id: str) -> Reply:
    return _lock_endpoint(svc, call, endpoint_id)


@routes.route("/v3/endpoints/<endpoint_id>/lock", "POST", operation="lock_endpoint")
def lock_endpoint(svc: ComputeService, call: Call, endpoint_id: str) -> Reply:
    return _lock_endpoint(svc, call, endpoint_id)


@routes.route(
    "/v3/endpoints/<endpoint_id>/allowed_functions", "GET", operation="get_endpoint_allowlist"
)
def get_endpoint_allowlist(svc: ComputeService, call: Call, endpoint_id: str) -> Reply:
    endpoint = svc.state.endpoint(endpoint_id, svc.caller(call))
    return Reply(
        {
            "endpoint_id": endpoint.id,
            "restricted": bool(endpoint.allowed_functions),
            "functions": list(endpoint.allowed_functions),
        }
    )


# -- functions ----------------------------------------------------------------------


def _register_function(svc: ComputeService, call: Call) -> Reply:
    caller = svc.caller(call)
    body = call.json_object()
    validate(body, "compute_function", code="BAD_REQUEST")
    function = svc.state.register_function(
        caller,
        body["function_name"],
        body["function_code"],
        description=body.get("description") or "",
        metadata=body.get("meta") or body.get("metadata") or {},
        public=body.get("public"),
        group=body.get("group"),
    )
    return Reply({"function_uuid": function.id})


@routes.route("/v2/functions", "POST", operation="register_function_v2")
def register_function_v2(svc: ComputeService, call: Call) -> Reply:
    return _register_function(svc, call)


@routes.route("/v3/functions", "POST", operation="register_function")
def register_function(svc: ComputeService, call: Call) -> Reply:
    return _register_function(svc, call)


@routes.route("/v2/functions/<function_id>", "GET", operation="get_function")
def get_function(svc: ComputeService, call: Call, function_id: str) -> Reply:
    caller = svc.caller(call)
    return Reply(svc.state.function(function_id, caller, svc.groups_of(caller)).to_api())


@routes.route("/v2/functions/<function_id>", "DELETE", operation="delete_function")
def delete_function(svc: ComputeService, call: Call, function_id: str) -> Reply:
    svc.state.delete_function(function_id, svc.caller(call))
    return Reply({"result": 302})


# -- submitting -----------------------------------------------------------------------


@routes.route("/v3/endpoints/<endpoint_id>/submit", "POST", operation="submit")
def submit(svc: ComputeService, call: Call, endpoint_id: str) -> Reply:
    caller = svc.caller(call)
    body = call.json_object()
    validate(body, "compute_submit", code="BAD_REQUEST")
    groups = svc.groups_of(caller)
    tasks, group_id = body["tasks"], body.get("task_group_id")
    svc.state.check_submission(caller, endpoint_id, tasks, group_id, groups)
    _require_compute_sdk()
    group, created = svc.state.submit(caller, endpoint_id, tasks, group_id, groups)
    svc.open_result_queue(caller, group.id)
    svc.run_waiting_tasks()
    return Reply(
        {
            "request_id": svc.world.ids.uuid(),  # a UUID here, which clients parse
            "task_group_id": group.id,
            "endpoint_id": endpoint_id,
            "tasks": created,
        }
    )


@routes.route("/v2/submit", "POST", operation="submit_v2")
def submit_v2(svc: ComputeService, call: Call) -> Reply:
    caller = svc.caller(call)
    body = call.json_object()
    validate(body, "compute_submit_v2", code="BAD_REQUEST")
    group_id = body.get("task_group_id")
    by_endpoint: dict[str, dict[str, list[str]]] = {}
    for function_id, endpoint_id, payload in body["tasks"]:
        by_endpoint.setdefault(endpoint_id, {}).setdefault(function_id, []).append(payload)
    groups = svc.groups_of(caller)
    for endpoint_id, tasks in by_endpoint.items():  # every check before any task
        svc.state.check_submission(caller, endpoint_id, tasks, group_id, groups)
    _require_compute_sdk()
    results: list[dict[str, Any]] = []
    for endpoint_id, tasks in by_endpoint.items():
        group, created = svc.state.submit(caller, endpoint_id, tasks, group_id, groups)
        group_id = group.id
        svc.open_result_queue(caller, group.id)
        results.extend(
            {"status": "success", "task_uuid": t, "http_status_code": 200, "reason": None}
            for ids in created.values()
            for t in ids
        )
    svc.run_waiting_tasks()
    return Reply({"response": "success", "task_group_id": group_id, "results": results})


# -- tasks ----------------------------------------------------------------------------


@routes.route("/v2/tasks/<task_id>", "GET", operation="get_task")
def get_task(svc: ComputeService, call: Call, task_id: str) -> Reply:
    task = svc.state.task(task_id, svc.caller(call))
    return Reply(task.to_api(svc.world.clock.now()))


@routes.route("/v2/batch_status", "POST", operation="get_task_batch")
def get_task_batch(svc: ComputeService, call: Call) -> Reply:
    caller = svc.caller(call)
    body = call.json_object()
    validate(body, "compute_batch_status", code="BAD_REQUEST")
    now = svc.world.clock.now()
    results = {}
    for task_id in body["task_ids"]:
        task = svc.state.tasks.get(task_id)
        if task is not None and task.owner == caller:
            results[task_id] = task.to_api(now)
    return Reply({"response": "batch", "results": results})


@routes.route("/v2/taskgroup/<group_id>", "GET", operation="get_task_group")
def get_task_group(svc: ComputeService, call: Call, group_id: str) -> Reply:
    group = svc.state.group(group_id, svc.caller(call))
    clock = svc.world.clock
    return Reply(
        {
            "taskgroup_id": group.id,
            "create_websockets_queue": False,
            "tasks": [
                {"id": t, "created_at": clock.isoformat(svc.state.tasks[t].created)}
                for t in group.task_ids
                if t in svc.state.tasks
            ],
        }
    )


# -- results over AMQP ------------------------------------------------------------------


@routes.route("/v2/get_amqp_result_connection_url", "GET", operation="get_result_amqp_url")
def get_result_amqp_url(svc: ComputeService, call: Call) -> Reply:
    """Where the caller's results are published: consume ``<queue_prefix><task
    group id>`` on ``connection_url`` (results.py)."""
    caller = svc.caller(call)
    stream = svc.result_stream()
    return Reply({"queue_prefix": stream.queue_prefix(caller), "connection_url": stream.url})
