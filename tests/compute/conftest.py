from __future__ import annotations

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
