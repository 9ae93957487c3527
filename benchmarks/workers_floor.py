"""How close the Compute worker round trip comes to its floor: a trivial
function run through ``Workers.run`` (the pool, the pipes, the worker's
unpacking, running and packing) against a bare echo of as many bytes
through the pipes of a child Python doing nothing else, and against the
worker's own unpacking, running and packing done in this process (the
two floors added up are what the round trip cannot go under)."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from calls import trivial_function_task
from harness import Runner

import globus_testkit.services.compute.workers as workers_module
from globus_testkit.services.compute.workers import Workers

_ECHO = """
import os
while data := os.read(0, 1 << 16):
    os.write(1, data)
"""


def bare_pipe_echo(stack: ExitStack) -> Runner:
    """Write a task's worth of bytes to a child Python and read them back."""
    code, payload = trivial_function_task()
    message = (code + payload).encode()
    child = subprocess.Popen(
        [sys.executable, "-c", _ECHO], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0
    )
    stack.callback(child.wait)
    stack.callback(child.kill)
    assert child.stdin is not None and child.stdout is not None
    into, out_of = child.stdin.fileno(), child.stdout.fileno()

    def run() -> None:
        os.write(into, message)
        received = 0
        while received < len(message):
            received += len(os.read(out_of, 1 << 16))

    return run


def worker_round_trip(stack: ExitStack) -> Runner:
    """The emulator's worker pool runs a trivial function (no HTTP, no world)."""
    code, payload = trivial_function_task()
    workers = Workers()
    stack.callback(workers.shutdown)

    def run() -> None:
        status, _, _ = workers.run(code, payload)
        assert status == "success"

    return run


def worker_work_in_process(stack: ExitStack) -> Runner:
    """The worker's unpack, run and pack of the task, here: no pipes."""
    from globus_compute_sdk.serialize import ComputeSerializer

    code, payload = trivial_function_task()
    script = Path(workers_module.__file__).with_name("worker_main.py")
    worker = runpy.run_path(str(script))  # its functions; main() runs only as a script
    serializer, functions = ComputeSerializer(), worker["_KnownFunctions"]()

    def run() -> None:
        status, _ = worker["_run"](serializer, functions, code, payload)
        assert status == "success"

    return run
