from __future__ import annotations

import os

import globus_sdk
import pytest

COMPUTE_ALL = "https://auth.globus.org/scopes/facd7ccc-c5f4-42aa-916b-a0e270e2c2a9/all"


@pytest.fixture
def compute_token(globus_emulator):
    return globus_emulator.auth.issue_token(globus_emulator.user, COMPUTE_ALL)


@pytest.fixture
def compute_authorizer(compute_token):
    return globus_sdk.AccessTokenAuthorizer(compute_token)


@pytest.fixture
def endpoint(globus_emulator):
    return globus_emulator.compute.create_endpoint("laptop")


@pytest.fixture
def gcc(globus_emulator, compute_authorizer):
    """globus-compute-sdk's Client for the world's user (skipped without it)."""
    compute_sdk = pytest.importorskip("globus_compute_sdk")
    return compute_sdk.Client(authorizer=compute_authorizer)


@pytest.fixture
def amqp_url(globus_emulator):
    """The RabbitMQ broker the emulator publishes results to, checked to
    answer. Outside CI, no broker (or none answering) skips the test; in CI
    (``CI`` set, as .ci/run does after .ci/install-rabbitmq) it fails."""
    pika = pytest.importorskip("pika")
    url = globus_emulator.amqp_url
    problem = None
    if not url:
        problem = "no AMQP broker configured (--globus-amqp-url or GLOBUS_TESTKIT_AMQP_URL)"
    else:
        try:
            pika.BlockingConnection(pika.URLParameters(url)).close()
        except pika.exceptions.AMQPError as err:
            problem = f"the AMQP broker at {url} does not answer: {err!r}"
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}; CI must run the Executor tests (.ci/install-rabbitmq)")
        pytest.skip(problem)
    return url


@pytest.fixture
def executor_for(gcc):
    """Executors on globus-compute-sdk's Client, shut down after the test."""
    compute_sdk = pytest.importorskip("globus_compute_sdk")
    made = []

    def make(endpoint_id, **options):
        executor = compute_sdk.Executor(endpoint_id=endpoint_id, client=gcc, **options)
        made.append(executor)
        return executor

    yield make
    for executor in made:
        executor.shutdown(wait=False, cancel_futures=True)
