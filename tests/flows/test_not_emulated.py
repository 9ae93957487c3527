"""FlowsClient methods the emulator does not emulate answer the loud 501
naming the route, never a silent or invented answer (with the SDKs that
have these methods)."""

from __future__ import annotations

import globus_sdk
import pytest

SOME_ID = "e35d1f92-3e2a-4c1c-8f36-7ce4f00f9d2c"


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("list_registered_apis", ()),
        ("get_registered_api", (SOME_ID,)),
    ],
)
def test_routes_not_emulated_answer_501(flows, method, args):
    if not hasattr(flows, method):
        pytest.skip(f"this globus-sdk has no FlowsClient.{method}")
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        getattr(flows, method)(*args)
    assert caught.value.http_status == 501
    assert "does not emulate" in caught.value.text
