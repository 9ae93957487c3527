"""The run's private context (``$._context``) stays in the run: an action
provider, a registered API, a web input and a run's output get what the
state's Parameters or InputPath select, and the context only where a path
names it. Through FlowsClient and SpecificFlowClient."""

from __future__ import annotations

from .conftest import HELLO
from .test_registered_apis import calling, register, run_to_end
from .test_web_inputs import needs_web_inputs

INPUT = {"group_id": "g-1", "note": "kept"}


def started_parameters(flows, run_id):
    """The parameters each ActionStarted event of a run shows."""
    entries = flows.get_run_logs(run_id, limit=50)["entries"]
    return [e["details"]["parameters"] for e in entries if e["code"] == "ActionStarted"]


def test_a_provider_given_the_whole_state_gets_the_input_without_the_context(flows, runner_for):
    definition = {
        "StartAt": "Hello",
        "States": {
            "Hello": {"Type": "Action", "ActionUrl": HELLO, "ResultPath": "$.hi", "End": True}
        },
    }
    run = run_to_end(flows, runner_for, definition, {"echo_string": "hi"})
    assert run["status"] == "SUCCEEDED"
    assert started_parameters(flows, run["run_id"]) == [{"echo_string": "hi"}]


def test_a_registered_api_given_the_whole_state_gets_the_input_without_the_context(
    flows, runner_for, globus_emulator
):
    lab = globus_emulator.groups.create("Lab", members={globus_emulator.user.id: "admin"})
    api = register(
        flows,
        data_templates={"request": {"template": {"path": {"$T_ref": "$"}}}},
        # what the run's input is, and nothing more
        state_input_schema={
            "type": "object",
            "properties": {"group_id": {"type": "string"}, "note": {"type": "string"}},
            "required": ["group_id"],
            "additionalProperties": False,
        },
    )
    whole = calling(api["id"], {})
    del whole["States"]["Call"]["Parameters"]
    run = run_to_end(flows, runner_for, whole, {**INPUT, "group_id": lab.id})
    assert run["status"] == "SUCCEEDED", run["details"]
    assert run["details"]["output"]["group"]["name"] == "Lab"
    assert started_parameters(flows, run["run_id"]) == [{**INPUT, "group_id": lab.id}]


@needs_web_inputs
def test_a_web_input_showing_the_whole_input_shows_the_input(flows, runner_for):
    every_field = "[{'field': k, 'value': str(v)} for k, v in `$`.items()]"
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "CreateWebInput",
                "Parameters": {
                    "context": {
                        "title": "Review the input",
                        "presentation_style": "table",
                        "rows.=": every_field,
                    },
                    "options": [{"label": "Fine"}],
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
    flow = flows.create_flow("Review", definition, {}).data
    run_id = runner_for(flow).run_flow(INPUT)["run_id"]
    web_input = flows.get_web_input(flows.get_run(run_id)["blocking_web_input_id"])
    assert web_input["context"]["rows"] == [
        {"field": "group_id", "value": "g-1"},
        {"field": "note", "value": "kept"},
    ]
    flows.respond_to_web_input(web_input["id"], web_input["options"][0]["option_id"])
    assert flows.get_run(run_id)["status"] == "SUCCEEDED"


def test_outputs_hold_the_context_only_where_a_path_names_it(flows, runner_for):
    definition = {
        "StartAt": "Copy",
        "States": {
            "Copy": {"Type": "Pass", "InputPath": "$", "ResultPath": "$.copy", "Next": "Pick"},
            "Pick": {
                "Type": "Pass",
                "Parameters": {
                    "all.$": "$",
                    "quoted.=": "`$`",
                    "run_id.$": "$._context.run_id",
                },
                "ResultPath": "$.picked",
                "Next": "Stop",
            },
            "Stop": {"Type": "Fail", "Error": "Stopped", "CausePath": "$.picked.all.copy"},
        },
    }
    flow = flows.create_flow("Context", definition, {}).data
    run_id = runner_for(flow).run_flow(INPUT)["run_id"]
    run = flows.get_run(run_id)
    output = run["details"]["output"]
    assert output["copy"] == INPUT
    assert output["picked"]["all"] == {**INPUT, "copy": INPUT}
    assert output["picked"]["quoted"] == {**INPUT, "copy": INPUT}
    assert output["picked"]["run_id"] == run_id  # named: read
    assert "_context" not in run["details"]["cause"]
