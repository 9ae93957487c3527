"""Web input states in the form Globus's published example flows write them
(globus/globus-flows-examples web_input_examples/): PascalCase Parameters
(``InputType``, ``Context`` with ``PresentationStyle``/``Title``/``Rows``,
``Options`` with a ``Value`` each, ``RespondentUrns``), the new input's id
read as ``web_input_id``, ``AwaitWebInput`` given ``web_input_id``, and the
answer's ``response`` compared with the chosen option's ``Value``."""

from __future__ import annotations

import pytest

from .test_web_inputs import flows_for, needs_web_inputs, urn

pytestmark = needs_web_inputs


def signoff_definition(respondent_urn: str) -> dict:
    return {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "CreateWebInput",
                "Parameters": {
                    "InputType": "Selection",
                    "Context": {
                        "PresentationStyle": "Table",
                        "Title.=": "'Release ' + `$.release.name` + '?'",
                        "Rows": [
                            {"Field": "Requested by", "Value.=": "`$._context.username`"},
                            {"Field": "Files", "Value.=": "str(len(`$.release.files`))"},
                            {"Field": "First file", "Value.$": "$.release.files[0]"},
                        ],
                    },
                    "Options": [
                        {"Value": "yes", "Label": "Release", "Description": "Publish it."},
                        {"Value": "no", "Label": "Hold", "Description": "Keep it private."},
                    ],
                    "RespondentUrns": [respondent_urn],
                },
                "ResultPath": "$.asked",
                "Next": "Wait",
            },
            "Wait": {
                "Type": "AwaitWebInput",
                "Parameters": {"web_input_id.$": "$.asked.web_input_id"},
                "ResultPath": "$.answered",
                "Next": "Decide",
            },
            "Decide": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.answered.response", "StringEquals": "yes", "Next": "Released"}
                ],
                "Default": "Held",
            },
            "Released": {
                "Type": "Pass",
                "Result": "released",
                "ResultPath": "$.outcome",
                "End": True,
            },
            "Held": {"Type": "Fail", "Cause": "NotReleased", "Error": "held back"},
        },
    }


@pytest.fixture
def reviewer(globus_emulator):
    return globus_emulator.auth.add_identity("reviewer@example.org")


def ask(flows, runner_for, reviewer):
    flow = flows.create_flow("Sign-off", signoff_definition(urn(reviewer)), {}).data
    release = {"name": "v2", "files": ["a.h5", "b.h5"]}
    return runner_for(flow).run_flow({"release": release})["run_id"]


@pytest.mark.parametrize(("label", "status"), [("Release", "SUCCEEDED"), ("Hold", "FAILED")])
def test_the_published_form_asks_and_the_answer_is_the_options_value(
    flows, runner_for, globus_emulator, reviewer, label, status
):
    run_id = ask(flows, runner_for, reviewer)
    run = flows.get_run(run_id)
    assert run["status"] == "ACTIVE", run["details"]
    reviewer_flows = flows_for(globus_emulator, reviewer)
    web_input = reviewer_flows.get_web_input(run["blocking_web_input_id"]).data
    assert web_input["input_type"] == "selection"
    assert web_input["roles"]["respondent_urns"] == [urn(reviewer)]
    context = web_input["context"]
    assert (context["presentation_style"], context["title"]) == ("table", "Release v2?")
    assert context["rows"] == [
        {"field": "Requested by", "value": globus_emulator.user.username},
        {"field": "Files", "value": "2"},
        {"field": "First file", "value": "a.h5"},
    ]
    # the document shows options as Flows serves them: an option_id each
    assert [sorted(o) for o in web_input["options"]] == [["description", "label", "option_id"]] * 2
    chosen = next(o["option_id"] for o in web_input["options"] if o["label"] == label)

    reviewer_flows.respond_to_web_input(web_input["id"], chosen)

    run = flows.get_run(run_id)
    assert run["status"] == status, run["details"]
    if status == "SUCCEEDED":
        output = run["details"]["output"]
        assert output["answered"]["response"] == "yes"
        assert output["asked"]["web_input_id"] == web_input["id"]
    else:
        assert run["details"]["cause"] == "NotReleased"


def test_an_unknown_published_field_is_refused_by_name(flows, runner_for, reviewer):
    definition = signoff_definition(urn(reviewer))
    definition["States"]["Ask"]["Parameters"]["Deadline"] = "P1D"
    flow = flows.create_flow("Sign-off", definition, {}).data
    run_id = runner_for(flow).run_flow({"release": {"name": "v2", "files": ["a"]}})["run_id"]
    run = flows.get_run(run_id)
    assert run["status"] == "FAILED"
    assert "Deadline" in str(run["details"])
