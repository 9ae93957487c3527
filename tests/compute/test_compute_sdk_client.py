"""globus-compute-sdk's Client against the emulator: functions really run
in the emulator's worker processes."""

from __future__ import annotations

import pytest

pytest.importorskip("globus_compute_sdk")

from globus_compute_sdk.errors import TaskExecutionFailed, TaskPending


def double(x):
    return 2 * x


def divide(a, b=1):
    return a / b


def describe(**kwargs):
    import os

    return {"pid": os.getpid(), "kwargs": kwargs}


def test_registered_function_runs_and_its_result_comes_back(gcc, endpoint):
    function_id = gcc.register_function(double)
    task_id = gcc.run(21, endpoint_id=endpoint.id, function_id=function_id)
    assert gcc.get_result(task_id) == 42


def test_function_runs_in_another_process(gcc, endpoint):
    import os

    function_id = gcc.register_function(describe)
    task_id = gcc.run(endpoint_id=endpoint.id, function_id=function_id, colour="blue")
    result = gcc.get_result(task_id)
    assert result["kwargs"] == {"colour": "blue"}
    assert result["pid"] != os.getpid()


def test_remote_exception_is_raised_with_its_traceback(gcc, endpoint):
    function_id = gcc.register_function(divide)
    task_id = gcc.run(1, endpoint_id=endpoint.id, function_id=function_id, b=0)
    with pytest.raises(TaskExecutionFailed, match="ZeroDivisionError"):
        gcc.get_result(task_id)


def test_batch_runs_every_task_in_one_task_group(gcc, endpoint):
    function_id = gcc.register_function(double)
    batch = gcc.create_batch()
    for n in range(3):
        batch.add(function_id, (n,))
    submitted = gcc.batch_run(endpoint.id, batch)
    task_ids = submitted["tasks"][function_id]
    results = gcc.get_batch_result(task_ids)
    assert [results[t]["result"] for t in task_ids] == [0, 2, 4]
    assert submitted["endpoint_id"] == endpoint.id
    group = gcc._compute_web_client.v2.get_task_group(submitted["task_group_id"])
    assert [t["id"] for t in group["tasks"]] == task_ids


def test_registered_function_reads_back_with_its_serialized_code(gcc):
    function_id = gcc.register_function(double, description="twice")
    function = gcc.get_function(function_id)
    assert function["function_name"] == "double"
    assert function["description"] == "twice"
    assert function["function_code"]
    gcc.delete_function(function_id)
    with pytest.raises(Exception, match="404"):
        gcc.get_function(function_id)


def test_offline_endpoint_holds_tasks_until_it_comes_back(globus_emulator, gcc, endpoint):
    function_id = gcc.register_function(double)
    globus_emulator.compute.set_online(endpoint.id, False)
    task_id = gcc.run(5, endpoint_id=endpoint.id, function_id=function_id)
    with pytest.raises(TaskPending):
        gcc.get_result(task_id)
    assert gcc.get_endpoint_status(endpoint.id)["status"] == "offline"
    globus_emulator.compute.set_online(endpoint.id)
    assert gcc.get_result(task_id) == 10


def test_slow_endpoint_shows_results_after_its_delay(globus_emulator, gcc, endpoint):
    function_id = gcc.register_function(double)
    globus_emulator.compute.set_delay(endpoint.id, 30)
    task_id = gcc.run(4, endpoint_id=endpoint.id, function_id=function_id)
    assert gcc.get_task(task_id)["pending"] is True
    globus_emulator.clock.advance(30)
    assert gcc.get_result(task_id) == 8


def test_failing_endpoint_fails_every_task(globus_emulator, gcc, endpoint):
    function_id = gcc.register_function(double)
    globus_emulator.compute.fail(endpoint.id, "WorkerLost: the node went away")
    task_id = gcc.run(4, endpoint_id=endpoint.id, function_id=function_id)
    with pytest.raises(TaskExecutionFailed, match="the node went away"):
        gcc.get_result(task_id)


def sleepy():
    import time

    time.sleep(30)


def exit_abruptly():
    import os

    os._exit(3)


@pytest.mark.parametrize(
    ("function", "error"),
    [
        (sleepy, "ran longer than 3 seconds"),
        (exit_abruptly, "worker running this function stopped"),
    ],
    ids=["overrunning the timeout", "killing its worker"],
)
def test_function_losing_its_worker_fails_and_the_next_task_gets_a_new_worker(
    globus_emulator, gcc, endpoint, function, error
):
    globus_emulator.compute.set_worker_limits(timeout=3)
    lost = gcc.register_function(function)
    task_id = gcc.run(endpoint_id=endpoint.id, function_id=lost)
    with pytest.raises(TaskExecutionFailed, match=error):
        gcc.get_result(task_id)
    fast = gcc.register_function(double)
    assert gcc.get_result(gcc.run(3, endpoint_id=endpoint.id, function_id=fast)) == 6


def test_arguments_and_result_bigger_than_a_pipe_holds_cross_whole(gcc, endpoint):
    function_id = gcc.register_function(double)
    text = "ab\u00e9\u2603" * 100_000  # several pipe buffers, not only ASCII
    task_id = gcc.run(text, endpoint_id=endpoint.id, function_id=function_id)
    assert gcc.get_result(task_id) == text * 2


def fail_in_words(words):
    raise ValueError(words)


def test_traceback_keeps_text_that_is_not_ascii(gcc, endpoint):
    function_id = gcc.register_function(fail_in_words)
    task_id = gcc.run("caf\u00e9 \u2603", endpoint_id=endpoint.id, function_id=function_id)
    with pytest.raises(TaskExecutionFailed, match="caf\u00e9 \u2603"):
        gcc.get_result(task_id)


def test_function_pickled_by_value_starts_afresh_on_every_run(gcc, endpoint):
    def count_calls(seen=[]):  # noqa: B006 - shared only if the worker reused the function
        seen.append(None)
        return len(seen)

    function_id = gcc.register_function(count_calls)
    runs = [gcc.run(endpoint_id=endpoint.id, function_id=function_id) for _ in range(3)]
    assert [gcc.get_result(task_id) for task_id in runs] == [1, 1, 1]


def test_endpoints_list_metadata_and_status(gcc, endpoint):
    assert [e["uuid"] for e in gcc.get_endpoints()] == [endpoint.id]
    assert gcc.get_endpoint_metadata(endpoint.id)["name"] == "laptop"
    assert gcc.get_endpoint_status(endpoint.id)["status"] == "online"


def test_register_endpoint_then_update_it(gcc):
    registered = gcc.register_endpoint("cluster", None, display_name="Cluster")
    endpoint_id = registered["endpoint_id"]
    gcc.register_endpoint("cluster", endpoint_id, display_name="Big cluster")
    assert gcc.get_endpoint_metadata(endpoint_id)["display_name"] == "Big cluster"


def worker_pid():
    import os

    return os.getpid()


def test_worker_processes_stop_with_the_emulator():
    import os

    import globus_sdk
    from globus_compute_sdk import Client

    from globus_testkit import Emulator

    from .conftest import COMPUTE_ALL

    with Emulator() as emulator:
        endpoint = emulator.compute.create_endpoint("short-lived")
        token = emulator.auth.issue_token(emulator.user, COMPUTE_ALL)
        client = Client(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        function_id = client.register_function(worker_pid)
        pid = client.get_result(client.run(endpoint_id=endpoint.id, function_id=function_id))
        os.kill(pid, 0)  # alive while the emulator runs
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
