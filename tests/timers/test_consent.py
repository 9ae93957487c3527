"""Consent as Timers asks for it: data_access beneath Timers' own scope,
the error clients turn into a login, and timers that wait for consent."""

from __future__ import annotations

import globus_sdk
import pytest
from globus_sdk.gare import to_gare

from .conftest import (
    DAY,
    TIMER,
    TRANSFER_ALL,
    TUTORIAL_1,
    TUTORIAL_2,
    data_access,
    tutorial_transfer,
)


def weekly_timer(client: globus_sdk.TimersClient) -> str:
    created = client.create_timer(
        globus_sdk.TransferTimer(
            schedule=globus_sdk.RecurringTimerSchedule(DAY), body=tutorial_transfer()
        )
    )
    return str(created["timer"]["job_id"])


def test_a_mapped_collection_without_data_access_consent_answers_a_login_requirement(
    timers_for,
):
    client = timers_for(None)  # Timers and Transfer, but no collection's data_access
    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        weekly_timer(client)
    assert caught.value.http_status == 403
    gare = to_gare(caught.value)
    assert gare is not None
    required = gare.authorization_parameters.required_scopes
    assert required == [
        f"{TIMER}[{TRANSFER_ALL}[*{data_access(TUTORIAL_1)} *{data_access(TUTORIAL_2)}]]"
    ]
    assert caught.value.info.authorization_parameters.session_message
    assert client.list_jobs()["jobs"] == []


def test_consent_to_one_collection_is_not_enough_for_two(timers_for):
    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        weekly_timer(timers_for(None, TUTORIAL_1))
    assert caught.value.http_status == 403


def test_revoked_data_access_makes_the_timer_inactive_with_the_requirement(
    timers, timers_for, globus_emulator
):
    job_id = weekly_timer(timers)
    globus_emulator.clock.advance(1)
    globus_emulator.auth.revoke_consent(globus_emulator.user, data_access(TUTORIAL_2))
    globus_emulator.clock.advance(DAY)
    job = timers.get_job(job_id)
    assert job["status"] == "inactive"
    assert job["inactive_reason"]["cause"] == "globus_auth_requirements"
    detail = job["inactive_reason"]["detail"]
    assert detail["code"] == "ConsentRequired"
    assert detail["authorization_parameters"]["required_scopes"] == [
        f"{TIMER}[{TRANSFER_ALL}[*{data_access(TUTORIAL_2)}]]"
    ]
    assert to_gare(detail) is not None
    assert [r["status"] for r in job["results"]["data"]] == [202, 403]
    globus_emulator.clock.advance(3 * DAY)
    assert timers.get_job(job_id)["n_runs"] == 2  # it waits for its owner


def test_resume_with_new_credentials_after_consent_brings_the_timer_back(
    timers, timers_for, globus_emulator
):
    job_id = weekly_timer(timers)
    globus_emulator.auth.revoke_consent(globus_emulator.user, TIMER)
    globus_emulator.clock.advance(1)
    job = timers.get_job(job_id)
    assert (job["status"], job["n_runs"]) == ("inactive", 0)
    assert job["inactive_reason"]["cause"] == "globus_auth_requirements"
    consented_again = timers_for(None, TUTORIAL_1, TUTORIAL_2)
    resumed = consented_again.resume_job(job_id, update_credentials=True)
    assert resumed["message"] == f"Successfully resumed job {job_id}."
    globus_emulator.clock.advance(1)
    job = consented_again.get_job(job_id)
    assert (job["status"], job["inactive_reason"], job["n_runs"]) == ("loaded", None, 1)


def test_resuming_without_the_consent_still_answers_the_requirement(
    timers, timers_for, globus_emulator
):
    job_id = weekly_timer(timers)
    globus_emulator.auth.revoke_consent(globus_emulator.user, TIMER)
    globus_emulator.clock.advance(1)
    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        timers_for(None).resume_job(job_id, update_credentials=True)
    assert caught.value.http_status == 403
    gare = to_gare(caught.value)
    assert gare is not None and gare.authorization_parameters.required_scopes
    assert timers.get_job(job_id)["status"] == "inactive"


def test_a_user_app_asking_for_data_access_creates_the_timer(globus_emulator, globus_user_app):
    client = globus_sdk.TimersClient(app=globus_user_app)
    client.add_app_transfer_data_access_scope([TUTORIAL_1, TUTORIAL_2])
    job_id = weekly_timer(client)
    globus_emulator.clock.advance(1)
    assert client.get_job(job_id)["results"]["data"][0]["status"] == 202


def test_a_collection_demanding_a_session_makes_the_timer_inactive_with_its_parameters(
    timers, globus_emulator
):
    job_id = weekly_timer(timers)
    globus_emulator.transfer.require_session(TUTORIAL_2, domains="uchicago.edu")
    globus_emulator.clock.advance(DAY)
    job = timers.get_job(job_id)
    assert job["status"] == "inactive"
    detail = job["inactive_reason"]["detail"]
    assert detail["code"] == "AuthorizationRequired"
    gare = to_gare(detail)
    assert gare is not None
    assert gare.authorization_parameters.session_required_single_domain == ["uchicago.edu"]
    assert [r["status"] for r in job["results"]["data"]] == [403]  # its first run
