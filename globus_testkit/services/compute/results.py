"""Compute's result stream: finished tasks published to a real RabbitMQ.

globus-compute-sdk's Executor does not poll for results: it asks
``GET /v2/get_amqp_result_connection_url`` for a ``connection_url`` and a
``queue_prefix``, connects with pika, and consumes the queue
``<queue_prefix><task group id>``, where the service puts one Result
message (globus-compute-common's messagepack) per finished task. This
module is the emulator's side of that, on a broker the user runs (the
emulator's ``amqp_url``, ``GLOBUS_TESTKIT_AMQP_URL``): no AMQP is
emulated, the client talks to RabbitMQ as it does to Globus's.

Queue names carry a token of this emulator, so emulators sharing a broker
(parallel tests, both with seed 0 and so the same ids) never read each
other's results; the queues this emulator declared are deleted when it
stops, and expire on the broker anyway if it is killed.
"""

from __future__ import annotations

import logging
import sys
import threading
import uuid
from typing import Any

log = logging.getLogger(__name__)

WATCHER_STOP_TIMEOUT = 10.0  # real seconds an Executor's result watcher may take to stop
QUEUE_EXPIRES_MS = 3_600_000  # an unused queue left by a killed emulator goes in an hour
ERROR_CODE = "RemoteExecutionError"  # Result.error_details.code of a failed function


def amqp_installed() -> bool:
    import importlib.util

    return all(
        importlib.util.find_spec(name) is not None for name in ("pika", "globus_compute_common")
    )


class ResultStream:
    """One emulator's connection to the broker: declares the task groups'
    queues and publishes results to them (through the default exchange,
    routed by queue name). Thread-safe: requests publish from many threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.token = uuid.uuid4().hex[:12]
        self._lock = threading.Lock()
        self._channel: Any = None
        self._connection: Any = None
        self._declared: set[str] = set()

    def queue_prefix(self, identity_id: str) -> str:
        """The caller's prefix, as ``get_amqp_result_connection_url`` gives it."""
        return f"globus-testkit.{self.token}.{identity_id}."

    def queue_name(self, identity_id: str, group_id: str) -> str:
        return f"{self.queue_prefix(identity_id)}{group_id}"

    def open_queue(self, identity_id: str, group_id: str) -> None:
        """Make sure the task group's queue exists (a consumer may attach
        before any result is published)."""
        name = self.queue_name(identity_id, group_id)
        with self._lock:
            if name not in self._declared:
                self._call(lambda channel: self._declare(channel, name))

    def publish(
        self,
        identity_id: str,
        group_id: str,
        task_id: str,
        *,
        data: str,
        failed: bool,
        details: dict[str, Any] | None,
        completed: float,
    ) -> None:
        """Put one task's Result on its group's queue: ``data`` is the
        serialized result, or for a failed task the remote traceback."""
        import pika
        from globus_compute_common import messagepack
        from globus_compute_common.messagepack.message_types import Result, ResultErrorDetails

        error = None
        if failed:  # the message a user sees: the traceback's last line
            lines = data.strip().splitlines()
            error = ResultErrorDetails(code=ERROR_CODE, user_message=lines[-1] if lines else data)
        body = messagepack.pack(
            Result(task_id=uuid.UUID(task_id), data=data, details=details, error_details=error)
        )
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=2,
            timestamp=int(completed),
        )
        name = self.queue_name(identity_id, group_id)

        def send(channel: Any) -> None:
            if name not in self._declared:
                self._declare(channel, name)
            channel.basic_publish(exchange="", routing_key=name, body=body, properties=properties)

        with self._lock:
            self._call(send)

    def close(self, group_ids: set[str]) -> None:
        """Stop the Executors' watchers of this emulator's queues, forget
        its task groups in globus-compute-sdk, delete its queues and
        disconnect."""
        self._stop_watchers(group_ids)
        with self._lock:
            if self._connection is None:
                return
            try:
                for name in sorted(self._declared):
                    self._channel.queue_delete(queue=name)
                self._connection.close()
            except Exception:  # the broker went first: nothing left to tidy
                log.debug("globus-testkit: closing the AMQP connection failed", exc_info=True)
            self._connection = self._channel = None
            self._declared.clear()

    def _stop_watchers(self, group_ids: set[str]) -> None:
        """globus-compute-sdk keeps, for the whole process, a result watcher
        per task group and the last task group an Executor used. Both
        belong to this emulator's world, and the next world (same seed,
        same ids) would otherwise reuse them: a watcher still consuming
        this emulator's queues, a task group that world never made."""
        module = sys.modules.get("globus_compute_sdk.sdk.executor")
        if module is None:
            return
        executor = getattr(module, "Executor", None)
        if executor is not None and str(executor._default_task_group_id) in group_ids:
            executor._default_task_group_id = None
        prefix = f"globus-testkit.{self.token}."
        watchers = [
            w
            for w in list(getattr(module, "_RESULT_WATCHERS", {}).values())
            if str(getattr(w, "_queue_prefix", "")).startswith(prefix)
        ]
        for watcher in watchers:
            watcher.shutdown(wait=False, cancel_futures=True)
        for watcher in watchers:
            watcher.join(WATCHER_STOP_TIMEOUT)

    # -- the connection -------------------------------------------------------------------

    def _declare(self, channel: Any, name: str) -> None:
        channel.queue_declare(queue=name, durable=True, arguments={"x-expires": QUEUE_EXPIRES_MS})
        self._declared.add(name)

    def _call(self, action: Any) -> None:
        """Run ``action(channel)``, reconnecting once if the connection
        was lost (the broker restarted, or dropped an idle connection)."""
        for attempt in (1, 2):
            try:
                action(self._open())
                return
            except Exception:
                self._forget()
                if attempt == 2:
                    raise

    def _open(self) -> Any:
        import pika

        if self._connection is None or not self._connection.is_open:
            parameters = pika.URLParameters(self.url)
            parameters.heartbeat = 0  # publishes come when they come; no idle drops
            self._connection = pika.BlockingConnection(parameters)
            self._channel = self._connection.channel()
        return self._channel

    def _forget(self) -> None:
        try:
            if self._connection is not None and self._connection.is_open:
                self._connection.close()
        except Exception:
            log.debug("globus-testkit: dropping the AMQP connection failed", exc_info=True)
        self._connection = self._channel = None
        self._declared.clear()  # redeclared on the new connection (idempotent)
