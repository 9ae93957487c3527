"""Schemas users give Flows (a flow's input_schema, a registered API's
state_input_schema) are checked when they are deployed: one that is no
valid JSON Schema is refused in Flows' error format (422 for flows, 400
for registered APIs) and changes nothing, instead of failing runs later."""

from __future__ import annotations

import globus_sdk
import pytest

from .conftest import HELLO
from .test_registered_apis import register

DEFINITION = {
    "StartAt": "Hello",
    "States": {"Hello": {"Type": "Action", "ActionUrl": HELLO, "End": True}},
}
NOT_SCHEMAS = [
    {"type": "bogus"},
    {"properties": {"n": {"minimum": "ten"}}},
    {"required": "name"},
]


@pytest.mark.parametrize("schema", NOT_SCHEMAS)
def test_a_flow_whose_input_schema_is_no_schema_is_refused(flows, schema):
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.create_flow("Bad schema", DEFINITION, schema)
    assert caught.value.http_status == 422 and caught.value.code == "UNPROCESSABLE_ENTITY"
    assert "not a valid JSON Schema" in str(caught.value.message)
    assert not flows.list_flows()["flows"]
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.validate_flow(DEFINITION, input_schema=schema)
    assert caught.value.http_status == 422


def test_an_update_to_an_unusable_input_schema_changes_nothing(flows, runner_for):
    schema = {"type": "object", "required": ["n"]}
    flow = flows.create_flow("Good schema", DEFINITION, schema).data
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.update_flow(flow["id"], input_schema={"type": "object", "required": "n"})
    assert caught.value.http_status == 422 and "input_schema" in str(caught.value.message)
    assert flows.get_flow(flow["id"])["input_schema"] == schema
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        runner_for(flow).run_flow({})
    assert caught.value.http_status == 400 and caught.value.code == "FLOW_INPUT_ERROR"


@pytest.mark.parametrize("schema", NOT_SCHEMAS)
def test_a_registered_api_whose_state_input_schema_is_no_schema_is_refused(flows, schema):
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        register(flows, state_input_schema=schema)
    assert caught.value.http_status == 400 and caught.value.code == "BAD_REQUEST"
    assert "state_input_schema" in str(caught.value.message)

    api = register(flows, state_input_schema={"type": "object"})
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.patch(f"/registered_apis/{api['id']}", data={"state_input_schema": schema})
    assert caught.value.http_status == 400
    assert flows.get(f"/registered_apis/{api['id']}")["state_input_schema"] == {"type": "object"}
