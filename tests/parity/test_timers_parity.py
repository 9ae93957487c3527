"""Timers' answers have the shapes globus-sdk recorded (deviations, with
reasons, in fixtures/parity/deviations.json)."""

from __future__ import annotations

import globus_sdk
import pytest

from globus_testkit import parity

pytest.importorskip("globus_sdk.testing")

TUTORIAL_1 = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
TUTORIAL_2 = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
TIMER_SCOPE = (
    "https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer"
    "[urn:globus:auth:scope:transfer.api.globus.org:all"
    f"[*https://auth.globus.org/scopes/{TUTORIAL_1}/data_access"
    f" *https://auth.globus.org/scopes/{TUTORIAL_2}/data_access]]"
)


def a_timer(e):
    """A client and a weekly timer that has run once."""
    token = e.auth.issue_token(e.user, TIMER_SCOPE)
    client = globus_sdk.TimersClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    data = globus_sdk.TransferData(source_endpoint=TUTORIAL_1, destination_endpoint=TUTORIAL_2)
    data.add_item("/share/godata/file1.txt", "/~/dst.txt")
    schedule = globus_sdk.RecurringTimerSchedule(
        604800, end={"condition": "iterations", "count": 2}
    )
    created = client.create_timer(
        globus_sdk.TransferTimer(name="Parity", schedule=schedule, body=data)
    )
    e.clock.advance(1)
    return client, created.data


def job(e):
    client, created = a_timer(e)
    return client, created["timer"]["job_id"]


OPERATIONS = {
    "timer.create_timer": lambda e: a_timer(e)[1],
    "timer.get_job": lambda e: (lambda c, j: c.get_job(j).data)(*job(e)),
    "timer.list_jobs": lambda e: (lambda c, j: c.list_jobs().data)(*job(e)),
    "timer.update_job": lambda e: (lambda c, j: c.update_job(j, {"name": "x"}).data)(*job(e)),
    "timer.delete_job": lambda e: (lambda c, j: c.delete_job(j).data)(*job(e)),
    "timer.pause_job": lambda e: (lambda c, j: c.pause_job(j).data)(*job(e)),
    "timer.resume_job": lambda e: (lambda c, j: (c.pause_job(j), c.resume_job(j).data)[1])(*job(e)),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_answer_has_the_recorded_shape(operation, globus_emulator):
    answer = OPERATIONS[operation](globus_emulator)
    assert parity.check(operation, answer) == []
    assert parity.stale_deviations(operation, answer) == []
