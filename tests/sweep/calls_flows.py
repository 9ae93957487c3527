"""Arguments for every FlowsClient and SpecificFlowClient method."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .world import PAUSED, Call, Sweep, call, paged_over

ASK = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "CreateWebInput",
            "Parameters": {
                "input_type": "selection",
                "context": {"title": "Go on?", "presentation_style": "text", "text": "?"},
                "options": [{"label": "Yes", "description": "go"}],
            },
            "ResultPath": "$.question",
            "Next": "Wait",
        },
        "Wait": {
            "Type": "AwaitWebInput",
            "Parameters": {"WebInputId.$": "$.question.id"},
            "ResultPath": "$.answer",
            "End": True,
        },
    },
}
REGISTERED_API = {
    "name": "get-group",
    "description": "Globus Groups: get a group",
    "target": {
        "type": "openapi",
        "openapi_version": "3.1",
        "destination": {"method": "get", "url": "https://groups.api.globus.org/v2/groups/{id}"},
        "specification": {
            "summary": "Get Group",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "security": [{"GlobusAuth": ["urn:globus:auth:scope:groups.api.globus.org:all"]}],
        },
    },
}


def _web_input(s: Sweep) -> dict[str, Any]:
    flow = s.flow(ASK)
    run = s.runner(flow).run_flow({}).data
    web_input_id = s.flows.get_run(run["run_id"])["blocking_web_input_id"]
    return dict(s.flows.get_web_input(web_input_id).data)


def _registered_api(s: Sweep) -> str:
    return str(s.flows.post("/registered_apis", data=REGISTERED_API)["id"])


def _ended_run(s: Sweep) -> str:
    run_id = str(s.run()["run_id"])
    s.flows.cancel_run(run_id)
    return run_id


def _runner_call(s: Sweep, *args: Any, **kwargs: Any) -> Call:
    return call(s.runner(s.flow()), *args, **kwargs)


def _resumable(s: Sweep) -> Call:
    flow = s.flow()
    run = s.runner(flow).run_flow({}).data
    return call(s.runner(flow), run["run_id"])


FLOWS: dict[str, Callable[[Sweep], Call]] = {
    "FlowsClient.cancel_run": lambda s: call(s.flows, s.run()["run_id"]),
    "FlowsClient.create_flow": lambda s: call(s.flows, "Made", PAUSED, {}),
    "FlowsClient.delete_flow": lambda s: call(s.flows, s.flow()["id"]),
    "FlowsClient.delete_run": lambda s: call(s.flows, _ended_run(s)),
    "FlowsClient.get_flow": lambda s: call(s.flows, s.flow()["id"]),
    "FlowsClient.get_registered_api": lambda s: call(s.flows, _registered_api(s)),
    "FlowsClient.get_run": lambda s: call(s.flows, s.run()["run_id"]),
    "FlowsClient.get_run_definition": lambda s: call(s.flows, s.run()["run_id"]),
    "FlowsClient.get_run_logs": lambda s: call(s.flows, s.run()["run_id"], limit=1),
    "FlowsClient.get_web_input": lambda s: call(s.flows, _web_input(s)["id"]),
    "FlowsClient.list_flows": lambda s: (s.flow(), s.flow(), call(s.flows))[2],
    "FlowsClient.list_registered_apis": lambda s: paged_over(
        s, _registered_api, call(s.flows, per_page=1)
    ),
    "FlowsClient.list_runs": lambda s: (s.run(), s.run(), call(s.flows))[2],
    "FlowsClient.list_web_inputs": lambda s: (_web_input(s), call(s.flows))[1],
    "FlowsClient.respond_to_web_input": lambda s: (
        (asked := _web_input(s)),
        call(s.flows, asked["id"], asked["options"][0]["option_id"]),
    )[1],
    "FlowsClient.update_flow": lambda s: call(s.flows, s.flow()["id"], title="renamed"),
    "FlowsClient.update_run": lambda s: call(s.flows, s.run()["run_id"], label="renamed"),
    "FlowsClient.validate_flow": lambda s: call(s.flows, PAUSED),
    "SpecificFlowClient.resume_run": _resumable,
    "SpecificFlowClient.run_flow": lambda s: _runner_call(s, {}, label="swept"),
    "SpecificFlowClient.validate_run": lambda s: _runner_call(s, {}),
}
