"""``emulator.compute``: set up and steer Globus Compute from a test."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import OFFLINE, ONLINE, ComputeEndpoint

if TYPE_CHECKING:
    from ...emulator import Emulator
    from .workers import Workers

DEFAULT_FAILURE = (
    "globus_compute_sdk.errors.error_types.TaskExecutionFailed: the endpoint failed "
    "the task (globus-testkit: emulator.compute.fail)"
)


class ComputeHelpers:
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    @property
    def _workers(self) -> Workers:
        from .routes import ComputeService

        for service in self._emulator.services:
            if isinstance(service, ComputeService):
                return service.workers
        raise RuntimeError("this emulator has no Compute service")

    def create_endpoint(
        self,
        name: str,
        *,
        owner: str | None = None,
        public: bool = False,
        online: bool = True,
        endpoint_id: str | None = None,
    ) -> ComputeEndpoint:
        """An endpoint owned by ``owner`` (an identity id; the world's user
        by default) that runs what is submitted to it in local workers."""
        with self._emulator.lock:
            return self._emulator.world.compute.register_endpoint(
                owner or self._emulator.world.user_id,
                name,
                endpoint_id=endpoint_id,
                public=public,
                status=ONLINE if online else OFFLINE,
            )

    def _endpoint(self, endpoint_id: str) -> ComputeEndpoint:
        return self._emulator.world.compute.endpoint(str(endpoint_id))

    def set_online(self, endpoint_id: str, online: bool = True) -> None:
        """Take an endpoint offline (its tasks wait, as ``waiting-for-ep``)
        or bring it back (the waiting tasks run on the next request)."""
        with self._emulator.lock:
            self._endpoint(endpoint_id).status = ONLINE if online else OFFLINE

    def set_delay(self, endpoint_id: str, seconds: float) -> None:
        """How long (on the world's clock) the endpoint's results take to
        show; 0 (the default) means they are ready by the first poll."""
        if not 0 <= seconds < 10**7:
            raise ValueError("the delay must be between 0 and 10**7 seconds")
        with self._emulator.lock:
            self._endpoint(endpoint_id).behaviour.delay = float(seconds)

    def fail(self, endpoint_id: str, message: str | None = DEFAULT_FAILURE) -> None:
        """Make every task the endpoint takes fail with ``message`` as its
        remote error (``None`` lets the endpoint run functions again)."""
        with self._emulator.lock:
            self._endpoint(endpoint_id).behaviour.failure = message

    def set_worker_limits(
        self, *, processes: int | None = None, timeout: float | None = None
    ) -> None:
        """The worker pool's size and the real seconds a function may run
        before it fails with a TimeoutError (the pool restarts to apply a
        new size)."""
        workers = self._workers
        if processes is not None:
            if processes < 1:
                raise ValueError("processes must be at least 1")
            workers.resize(processes)
        if timeout is not None:
            if timeout <= 0:
                raise ValueError("timeout must be positive")
            workers.timeout = float(timeout)

    def shutdown_workers(self) -> None:
        """Stop the worker processes now (the emulator does when it stops)."""
        self._workers.shutdown()
