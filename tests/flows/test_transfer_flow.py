"""The flow from the Flows issue's 'done when': a Transfer step, a Choice,
a Wait, an ExpressionEval and a Catch; plus INACTIVE and resume."""

from __future__ import annotations

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"

DEFINITION = {
    "StartAt": "Copy",
    "States": {
        "Copy": {
            "Type": "Action",
            "ActionUrl": "https://transfer.actions.globus.org/transfer",
            "Parameters": {
                "source_endpoint": TUTORIAL_2,
                "destination_endpoint": TUTORIAL_1,
                "transfer_items": [
                    {
                        "source_path.$": "$.source",
                        "destination_path.$": "$.target",
                        "recursive": True,
                    }
                ],
            },
            "ResultPath": "$.copy",
            "Catch": [
                {
                    "ErrorEquals": ["ActionFailedException"],
                    "Next": "Report",
                    "ResultPath": "$.problem",
                }
            ],
            "Next": "Check",
        },
        "Check": {
            "Type": "Choice",
            "Choices": [
                {
                    "Variable": "$.copy.details.files_transferred",
                    "NumericGreaterThanEquals": 1,
                    "Next": "Settle",
                }
            ],
            "Default": "Report",
        },
        "Settle": {"Type": "Wait", "SecondsPath": "$.settle", "Next": "Summarise"},
        "Summarise": {
            "Type": "ExpressionEval",
            "Parameters": {
                "files.=": "copy['details']['files_transferred']",
                "message.=": "'copied ' + str(copy['details']['files_transferred'])",
            },
            "ResultPath": "$.summary",
            "End": True,
        },
        "Report": {"Type": "Fail", "Error": "CopyFailed", "Cause": "nothing was copied"},
    },
}


def test_the_transfer_flow_succeeds_and_the_files_arrive(flows, runner_for, globus_emulator):
    flow = flows.create_flow("Copy and summarise", DEFINITION, {}).data
    run_id = runner_for(flow).run_flow(
        {"source": "/home/share/godata/", "target": "/home/share/flowcopy/", "settle": 10}
    )["run_id"]
    globus_emulator.clock.advance(11)
    run = flows.get_run(run_id)
    assert run["status"] == "SUCCEEDED", run["details"]
    assert run["details"]["output"]["summary"] == {"files": 3, "message": "copied 3"}
    assert globus_emulator.transfer.read(TUTORIAL_1, "/home/share/flowcopy/file1.txt")
    codes = [e["code"] for e in flows.get_run_logs(run_id, limit=100)["entries"]]
    for code in (
        "ActionStarted",
        "ActionCompleted",
        "ChoiceCompleted",
        "WaitStarted",
        "WaitCompleted",
        "ExpressionEvalCompleted",
        "FlowSucceeded",
    ):
        assert code in codes
    newest_first = flows.get_run_logs(run_id, reverse_order=True, limit=1)["entries"]
    assert newest_first[0]["code"] == "FlowSucceeded"


def test_a_missing_source_is_caught_and_the_flow_fails_with_it(flows, runner_for):
    flow = flows.create_flow("Copy and summarise", DEFINITION, {}).data
    run_id = runner_for(flow).run_flow(
        {"source": "/no/such/dir/", "target": "/home/share/x/", "settle": 1}
    )["run_id"]
    run = flows.get_run(run_id)
    assert run["status"] == "FAILED"
    assert run["details"]["error"] == "CopyFailed"
    assert run["details"]["output"]["problem"]["Error"] == "ActionFailedException"
    assert "FILE_NOT_FOUND" in run["details"]["output"]["problem"]["Cause"]


def test_an_inactive_action_makes_the_run_inactive_until_resumed(flows, runner_for):
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/test",
                "Parameters": {"outcome": "inactive"},
                "End": True,
            }
        },
    }
    flow = flows.create_flow("Needs consent", definition, {}).data
    run_id = runner_for(flow).run_flow({})["run_id"]
    run = flows.get_run(run_id)
    assert run["status"] == "INACTIVE"
    gare = run["details"]["details"]
    assert gare["authorization_parameters"]["required_scopes"] == ["openid"]
    runner_for(flow).resume_run(run_id)
    assert flows.get_run(run_id)["status"] == "SUCCEEDED"


def test_the_test_provider_finishes_after_n_polls(flows, runner_for, globus_emulator):
    definition = {
        "StartAt": "Slow",
        "States": {
            "Slow": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/test",
                "Parameters": {"outcome": "succeed", "polls": 2},
                "WaitTime": 600,
                "End": True,
            }
        },
    }
    flow = flows.create_flow("Slow", definition, {}).data
    run_id = runner_for(flow).run_flow({})["run_id"]
    statuses = []
    for _ in range(4):
        statuses.append(flows.get_run(run_id)["status"])
        globus_emulator.clock.advance(10)
    assert statuses[0] == "ACTIVE" and statuses[-1] == "SUCCEEDED"


def test_an_action_past_its_wait_time_times_out(flows, runner_for, globus_emulator):
    definition = {
        "StartAt": "Slow",
        "States": {
            "Slow": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/test",
                "Parameters": {"outcome": "succeed", "polls": 1000},
                "WaitTime": 5,
                "End": True,
            }
        },
    }
    flow = flows.create_flow("Too slow", definition, {}).data
    run_id = runner_for(flow).run_flow({})["run_id"]
    globus_emulator.clock.advance(10)
    run = flows.get_run(run_id)
    assert run["status"] == "FAILED"
    assert run["details"]["error"] == "ActionTimeout"


def test_notifications_are_captured_never_sent(flows, runner_for, globus_emulator):
    definition = {
        "StartAt": "Tell",
        "States": {
            "Tell": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/notification/notify",
                "Parameters": {"destination": "ada@example.org", "subject": "done", "body": "hi"},
                "End": True,
            }
        },
    }
    flow = flows.create_flow("Tells", definition, {}).data
    run_id = runner_for(flow).run_flow({})["run_id"]
    assert flows.get_run(run_id)["status"] == "SUCCEEDED"
    assert globus_emulator.world.actions.notifications == [
        {"destination": "ada@example.org", "subject": "done", "body": "hi"}
    ]


def test_a_hosted_actions_log_tells_its_story(globus_emulator):
    import requests

    token = globus_emulator.auth.issue_token(
        globus_emulator.user, "https://auth.globus.org/scopes/actions.globus.org/testkit_test"
    )
    headers = {"Authorization": f"Bearer {token}"}
    base = "https://actions.globus.org/test"
    if globus_emulator._servers:
        base = globus_emulator._servers[0].service_url("actions") + "test"
    started = requests.post(
        f"{base}/run",
        json={"request_id": "r1", "body": {"outcome": "inactive"}},
        headers=headers,
        timeout=10,
    ).json()
    action_id = started["action_id"]
    requests.post(f"{base}/{action_id}/resume", headers=headers, timeout=10)
    log = requests.get(f"{base}/{action_id}/log", headers=headers, timeout=10).json()
    assert [e["code"] for e in log["entries"]] == ["STARTED", "INACTIVE", "RESUMED", "SUCCEEDED"]
