"""Every public method of globus-sdk's service clients, called with valid
arguments against a seeded world: none answers 501 (an unemulated route)
or 500, and each answer has the shape the SDK's own response class or
paginator reads (iterable responses iterate, paginated methods page to an
end, GCS responses unpack their document).

The table of arguments lives in calls_*.py, one per service; methods that
cannot be called meaningfully are listed in SKIPS with their reason. A
method globus-sdk adds that is in neither fails
``test_every_sdk_method_is_swept``."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from itertools import islice
from typing import Any

import globus_sdk
import pytest

from globus_testkit.services.compute.results import amqp_installed
from globus_testkit.services.compute.workers import compute_sdk_installed

from .calls_auth import AUTH
from .calls_flows import FLOWS
from .calls_gcs_compute import GCS_COMPUTE
from .calls_options import OPTIONS
from .calls_services import SERVICES
from .calls_transfer import TRANSFER
from .world import Call, Sweep

CLIENTS = (
    globus_sdk.AuthClient,
    globus_sdk.ConfidentialAppAuthClient,
    globus_sdk.NativeAppAuthClient,
    globus_sdk.TransferClient,
    globus_sdk.FlowsClient,
    globus_sdk.SpecificFlowClient,
    globus_sdk.GroupsClient,
    globus_sdk.TimersClient,
    globus_sdk.SearchClient,
    globus_sdk.GCSClient,
    globus_sdk.ComputeClientV2,
    globus_sdk.ComputeClientV3,
)
CALLS = {**AUTH, **TRANSFER, **FLOWS, **SERVICES, **GCS_COMPUTE}
NO_REQUEST = "builds scope requirements for the client's GlobusApp locally; sends no request"
LOCAL_FLOW = (
    "builds the login URL / flow locally and sends no request; "
    "the oauth2_exchange_code_for_tokens entry follows the URL it builds"
)
SKIPS = {
    "TransferClient.add_app_data_access_scope": NO_REQUEST,
    "SpecificFlowClient.add_app_transfer_data_access_scope": NO_REQUEST,
    "TimersClient.add_app_flow_user_scope": NO_REQUEST,
    "TimersClient.add_app_transfer_data_access_scope": NO_REQUEST,
    "GCSClient.get_gcs_collection_scopes": NO_REQUEST,
    "GCSClient.get_gcs_endpoint_scopes": NO_REQUEST,
    "ConfidentialAppAuthClient.oauth2_get_authorize_url": LOCAL_FLOW,
    "ConfidentialAppAuthClient.oauth2_start_flow": LOCAL_FLOW,
    "NativeAppAuthClient.oauth2_get_authorize_url": LOCAL_FLOW,
    "NativeAppAuthClient.oauth2_start_flow": LOCAL_FLOW,
}
# Calls that need something outside the emulator's Python to answer: the
# Compute service runs functions with globus-compute-sdk and publishes
# results to a RabbitMQ broker. Without it, each answers a 501 with the
# code naming what to install or configure (and the sweep checks that).
NEEDS = {
    "ComputeClientV2.submit": "ComputeSdkNotInstalled",
    "ComputeClientV3.submit": "ComputeSdkNotInstalled",
    "ComputeClientV2.get_result_amqp_url": "AmqpBrokerNotConfigured",
}
# Routes the emulator still gets wrong, each with what it answers; strict,
# so a fixed one fails here until its entry goes.
GAPS: dict[str, str] = {}


def sdk_methods() -> set[str]:
    """``Client.method`` for every public method a service client adds to
    BaseClient's generic ones (get, post, ...)."""
    generic = set(dir(globus_sdk.BaseClient))
    found = set()
    for client in CLIENTS:
        for name, member in inspect.getmembers_static(client):
            routine = isinstance(member, (staticmethod, classmethod)) or inspect.isfunction(member)
            if routine and not name.startswith("_") and name not in generic:
                found.add(f"{client.__name__}.{name}")
    return found


def test_every_sdk_method_is_swept() -> None:
    methods = sdk_methods()
    assert not methods - CALLS.keys() - SKIPS.keys(), "new SDK methods: add them to the sweep"
    assert not (CALLS.keys() | SKIPS.keys()) - methods, "entries for methods the SDK lacks"
    assert not CALLS.keys() & SKIPS.keys()
    assert set(GAPS) | set(NEEDS) <= CALLS.keys()
    assert {key.split("[")[0] for key in OPTIONS} <= CALLS.keys()


def _marks(key: str) -> list[Any]:
    if key in GAPS:
        return [pytest.mark.xfail(reason=GAPS[key], strict=True)]
    return []


@pytest.mark.parametrize(
    "key", [pytest.param(k, marks=_marks(k)) for k in sorted(CALLS) + sorted(OPTIONS)]
)
def test_sdk_method_answers_in_its_documented_shape(globus_emulator: Any, key: str) -> None:
    sweep = Sweep(globus_emulator)
    name = key.split(".", 1)[1].split("[")[0]
    invocation = {**CALLS, **OPTIONS}[key](sweep)
    method = getattr(invocation.client, name)
    missing = missing_requirement(key, globus_emulator)
    if missing is not None:
        with pytest.raises(globus_sdk.GlobusAPIError) as caught:
            method(*invocation.args, **invocation.kwargs)
        assert (caught.value.http_status, caught.value.code) == (501, missing)
        return
    check_shape(method(*invocation.args, **invocation.kwargs))
    if getattr(getattr(type(invocation.client), name), "_has_paginator", False):
        check_pages(invocation, name)


def missing_requirement(key: str, emulator: Any) -> str | None:
    """The 501 code ``key`` answers here for want of what it needs, or None."""
    needed = NEEDS.get(key)
    if needed == "ComputeSdkNotInstalled" and not compute_sdk_installed():
        return needed
    if needed == "AmqpBrokerNotConfigured" and emulator.amqp_url is None:
        return needed
    if needed == "AmqpBrokerNotConfigured" and not amqp_installed():
        return "AmqpClientNotInstalled"
    return None


def check_pages(invocation: Call, name: str) -> None:
    """The SDK's paginator walks the listing to its end."""

    def paginator() -> Any:
        return getattr(invocation.client.paginated, name)(*invocation.args, **invocation.kwargs)

    pages = list(islice(paginator().pages(), 25))
    assert max(invocation.min_pages, 1) <= len(pages) < 25, f"{len(pages)} pages"
    for page in pages:
        check_shape(page)
    if paginator().items_key is not None:  # each walk starts afresh
        items = list(islice(paginator().items(), 100))
        assert all(isinstance(item, Mapping) for item in items)
        assert len(items) >= invocation.min_pages


def check_shape(result: Any) -> None:
    if isinstance(result, bool):  # task_wait: the task ended within the wait
        assert result is True
        return
    if isinstance(result, dict):  # get_jwk
        assert result["keys"]
        return
    if not isinstance(result, globus_sdk.GlobusHTTPResponse):  # get_jwk(as_pem=True)
        assert result.key_size >= 2048
        return
    assert 200 <= result.http_status < 300
    assert result.data is not None, f"no JSON body: {result.text[:200]!r}"
    if isinstance(result, globus_sdk.IterableResponse):
        assert all(isinstance(item, Mapping) for item in result)
    if isinstance(result, globus_sdk.ArrayResponse):
        assert isinstance(result.data, list)
    if isinstance(result, globus_sdk.OAuthTokenResponse):
        assert result.by_resource_server
    if isinstance(result, globus_sdk.GetConsentsResponse):
        result.to_forest()
    if isinstance(result, globus_sdk.UnpackingGCSResponse):
        assert result.data is not result.full_data, "no document of the expected DATA_TYPE"
