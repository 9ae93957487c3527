"""globus-compute-sdk's Executor against the emulator: it submits over the
web API and receives every result over AMQP, from the RabbitMQ broker the
emulator publishes to (the ``amqp_url`` fixture: skipped outside CI
without a broker, failed in CI)."""

from __future__ import annotations

import concurrent.futures

import globus_sdk
import pytest

pytest.importorskip("globus_compute_sdk")

from globus_compute_sdk.errors import TaskExecutionFailed

from globus_testkit import parity

WAIT = 60  # real seconds a future may take (workers start cold)


def double(x):
    return 2 * x


def explode(message):
    raise ValueError(message)


def test_a_submitted_function_returns_its_result(amqp_url, executor_for, endpoint):
    with executor_for(endpoint.id) as executor:
        future = executor.submit(double, 21)
        assert future.result(timeout=WAIT) == 42
        assert future.task_id is not None


def test_a_failing_function_raises_its_remote_error(amqp_url, executor_for, endpoint):
    with executor_for(endpoint.id) as executor:
        future = executor.submit(explode, "no such thing")
        error = future.exception(timeout=WAIT)
    assert isinstance(error, TaskExecutionFailed)
    assert "ValueError: no such thing" in str(error)


def test_several_futures_complete_each_with_its_own_result(amqp_url, executor_for, endpoint):
    with executor_for(endpoint.id) as executor:
        futures = {executor.submit(double, n): n for n in range(5)}
        done = concurrent.futures.as_completed(futures, timeout=WAIT)
        assert {futures[f]: f.result() for f in done} == {n: 2 * n for n in range(5)}


def test_batches_share_one_task_group(amqp_url, executor_for, endpoint, globus_emulator):
    with executor_for(endpoint.id, batch_size=2) as executor:
        futures = [executor.submit(double, n) for n in range(6)]
        assert [f.result(timeout=WAIT) for f in futures] == [0, 2, 4, 6, 8, 10]
        group_id = str(executor.task_group_id)
    tasks = globus_emulator.world.compute.tasks.values()
    assert len(tasks) == 6
    assert {t.group_id for t in tasks} == {group_id}


def test_an_injected_failure_reaches_the_future(amqp_url, executor_for, endpoint, globus_emulator):
    globus_emulator.compute.fail(endpoint.id, "the endpoint is on fire")
    with executor_for(endpoint.id) as executor:
        error = executor.submit(double, 1).exception(timeout=WAIT)
    assert isinstance(error, TaskExecutionFailed)
    assert "the endpoint is on fire" in str(error)


def test_a_delayed_result_is_published_when_the_clock_reaches_it(
    amqp_url, executor_for, endpoint, globus_emulator, gcc
):
    globus_emulator.compute.set_delay(endpoint.id, 30)
    with executor_for(endpoint.id) as executor:
        future = executor.submit(double, 4)
        with pytest.raises(concurrent.futures.TimeoutError):
            future.result(timeout=2)
        globus_emulator.world.clock.advance(30)
        gcc.get_endpoint_status(endpoint.id)  # any request runs the world's due work
        assert future.result(timeout=WAIT) == 8


def test_the_connection_url_answer(amqp_url, compute_authorizer, globus_emulator):
    v2 = globus_sdk.ComputeClientV2(authorizer=compute_authorizer)
    answer = v2.get_result_amqp_url().data
    assert answer["connection_url"] == amqp_url
    assert globus_emulator.user.id in answer["queue_prefix"]
    assert parity.check("compute.v2.get_result_amqp_url", answer) == []


@pytest.mark.globus(amqp_url="")
def test_without_a_broker_the_executor_is_told_how_to_configure_one(compute_authorizer):
    v2 = globus_sdk.ComputeClientV2(authorizer=compute_authorizer)
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        v2.get_result_amqp_url()
    assert caught.value.http_status == 501
    assert "GLOBUS_TESTKIT_AMQP_URL" in caught.value.text
