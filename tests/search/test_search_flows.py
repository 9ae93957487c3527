"""Flows that write to Search through the hosted Search providers."""

from __future__ import annotations

import globus_sdk

INGEST = "https://actions.globus.org/search/ingest"
DELETE = "https://actions.globus.org/search/delete"
FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"


def _run(globus_emulator, definition: dict, body: dict) -> dict:
    user = globus_emulator.user
    flows = globus_sdk.FlowsClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(
            globus_emulator.auth.issue_token(user, FLOWS_ALL)
        )
    )
    flow = flows.create_flow("catalogue", definition, {"type": "object"})
    runner_scope = flow["globus_auth_scope"]
    runner = globus_sdk.SpecificFlowClient(
        flow["id"],
        authorizer=globus_sdk.AccessTokenAuthorizer(
            globus_emulator.auth.issue_token(user, runner_scope)
        ),
    )
    run = runner.run_flow(body)
    return flows.get_run(run["run_id"]).data


def test_a_flow_ingests_then_the_entry_is_found(globus_emulator, sc):
    index_id = sc.create_index("Catalogue", "")["id"]
    definition = {
        "StartAt": "Ingest",
        "States": {
            "Ingest": {
                "Type": "Action",
                "ActionUrl": INGEST,
                "Parameters": {
                    "search_index.$": "$.index",
                    "subject.$": "$.subject",
                    "visible_to": ["public"],
                    "content.$": "$.metadata",
                },
                "ResultPath": "$.ingested",
                "End": True,
            }
        },
    }
    body = {"index": index_id, "subject": "ds-1", "metadata": {"title": "ocean survey"}}
    run = _run(globus_emulator, definition, body)
    assert run["status"] == "SUCCEEDED", run["details"]
    assert run["details"]["output"]["ingested"]["details"]["state"] == "SUCCESS"
    found = sc.search(index_id, "ocean")
    assert [g["subject"] for g in found["gmeta"]] == ["ds-1"]


def test_a_flow_deletes_a_subject(globus_emulator, sc, datasets):
    definition = {
        "StartAt": "Delete",
        "States": {
            "Delete": {
                "Type": "Action",
                "ActionUrl": DELETE,
                "Parameters": {"search_index.$": "$.index", "subject.$": "$.subject"},
                "ResultPath": "$.deleted",
                "End": True,
            }
        },
    }
    run = _run(
        globus_emulator, definition, {"index": datasets.id, "subject": "https://example.org/ds/0"}
    )
    assert run["status"] == "SUCCEEDED", run["details"]
    assert sc.search(datasets.id, "*")["total"] == 4


def test_ingest_into_an_index_the_creator_cannot_write_fails_the_run(globus_emulator, sc):
    stranger = globus_emulator.auth.add_identity("stranger@example.org")
    index_id = globus_emulator.search.create_index("Not yours", owner=stranger.id).id
    definition = {
        "StartAt": "Ingest",
        "States": {
            "Ingest": {
                "Type": "Action",
                "ActionUrl": INGEST,
                "Parameters": {
                    "search_index": index_id,
                    "subject": "x",
                    "visible_to": ["public"],
                    "content": {"a": 1},
                },
                "End": True,
            }
        },
    }
    run = _run(globus_emulator, definition, {})
    assert run["status"] == "FAILED"
    assert sc.search(index_id, "*")["total"] == 0
