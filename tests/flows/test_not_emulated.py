"""FlowsClient methods the emulator does not emulate answer the loud 501
naming the route, never a silent or invented answer."""

from __future__ import annotations

import globus_sdk
import pytest

SOME_ID = "e35d1f92-3e2a-4c1c-8f36-7ce4f00f9d2c"


@pytest.mark.parametrize(
    "call",
    [
        lambda flows: flows.list_registered_apis(),
        lambda flows: flows.get_registered_api(SOME_ID),
        lambda flows: flows.list_web_inputs(),
        lambda flows: flows.get_web_input(SOME_ID),
        lambda flows: flows.respond_to_web_input(SOME_ID, "yes"),
    ],
)
def test_routes_not_emulated_answer_501(flows, call):
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        call(flows)
    assert caught.value.http_status == 501
    assert "does not emulate" in caught.value.text
