"""Transfer timers through globus-sdk's TimersClient: created as the SDK
builds them, run on the world's clock as real Transfer tasks."""

from __future__ import annotations

import datetime as dt

import globus_sdk
import pytest

from globus_testkit.clock import iso, parse_iso

from .conftest import DAY, TUTORIAL_1, TUTORIAL_2, tutorial_transfer

WEEK = [i * DAY for i in range(7)]


def daily(**end: object) -> globus_sdk.RecurringTimerSchedule:
    return globus_sdk.RecurringTimerSchedule(DAY, end=end or globus_sdk.MISSING)


def test_a_transfer_timer_answers_the_v2_timer_document(timers, globus_emulator):
    created = timers.create_timer(
        globus_sdk.TransferTimer(name="nightly", schedule=daily(), body=tutorial_transfer())
    )
    assert created.http_status == 201
    timer = created["timer"]
    assert timer["name"] == "nightly"
    assert (timer["status"], timer["timer_type"]) == ("new", "transfer")
    assert (timer["number_of_runs"], timer["number_of_errors"]) == (0, 0)
    assert timer["last_ran_at"] is None
    assert timer["body"]["source_endpoint"] == TUTORIAL_1
    assert timer["body"]["DATA"][0]["source_path"] == "/share/godata/file1.txt"
    assert timer["schedule"]["type"] == "recurring"
    assert timer["schedule"]["interval_seconds"] == DAY
    assert timer["next_run"] == globus_emulator.clock.isoformat()


def test_nothing_runs_while_the_clock_stands_still(timers, transfer):
    job_id = timers.create_timer(
        globus_sdk.TransferTimer(schedule=daily(), body=tutorial_transfer())
    )["timer"]["job_id"]
    job = timers.get_job(job_id)
    assert job["n_runs"] == 0 and job["results"]["data"] == []
    assert len(transfer.task_list()["DATA"]) == 0


def test_a_week_of_a_daily_timer_is_seven_transfer_tasks_a_day_apart(
    timers, transfer, globus_emulator
):
    start = globus_emulator.clock.now() + 3600
    schedule = globus_sdk.RecurringTimerSchedule(DAY, start=iso(start))
    job_id = timers.create_timer(
        globus_sdk.TransferTimer(schedule=schedule, body=tutorial_transfer("weekly backup"))
    )["timer"]["job_id"]
    for _ in range(7):
        globus_emulator.clock.advance(DAY)
    job = timers.get_job(job_id)
    assert (job["status"], job["n_runs"], job["n_errors"]) == ("loaded", 7, 0)
    runs = job["results"]["data"]
    assert [parse_iso(r["ran_at"]) - start for r in runs] == pytest.approx(WEEK, abs=1e-3)
    assert parse_iso(job["next_run"]) == pytest.approx(start + 7 * DAY, abs=1e-3)
    tasks = transfer.task_list(orderby="request_time ASC")["DATA"]
    assert [t["task_id"] for t in tasks] == [r["resource_id"] for r in runs]
    assert {t["label"] for t in tasks} == {"weekly backup"}
    assert [parse_iso(t["request_time"]) - start for t in tasks] == pytest.approx(WEEK, abs=1)
    assert {(t["source_endpoint_id"], t["destination_endpoint_id"]) for t in tasks} == {
        (TUTORIAL_1, TUTORIAL_2)
    }


def test_one_long_jump_runs_every_occurrence_in_order(timers, globus_emulator):
    job_id = timers.create_timer(
        globus_sdk.TransferTimer(schedule=daily(), body=tutorial_transfer())
    )["timer"]["job_id"]
    globus_emulator.clock.advance(3 * DAY + 1)
    runs = timers.get_job(job_id)["results"]["data"]
    times = [parse_iso(r["ran_at"]) for r in runs]
    assert len(times) == 4 and times == sorted(times)


def test_the_transfers_run_as_the_owner_through_timers_own_client(timers, globus_emulator):
    timers.create_timer(globus_sdk.TransferTimer(schedule=daily(), body=tutorial_transfer()))
    globus_emulator.clock.advance(1)
    (submitted,) = [e for e in globus_emulator.journal.entries() if e.service == "transfer"]
    assert submitted.operation == "submit_transfer"
    assert submitted.identity_id == globus_emulator.user.id
    assert submitted.client_id == globus_sdk.TimersClient.resource_server


def test_an_iterations_end_runs_that_many_times_then_ends(timers, globus_emulator):
    job_id = timers.create_timer(
        globus_sdk.TransferTimer(
            schedule=daily(condition="iterations", count=3), body=tutorial_transfer()
        )
    )["timer"]["job_id"]
    globus_emulator.clock.advance(10 * DAY)
    job = timers.get_job(job_id)
    assert (job["status"], job["n_runs"], job["next_run"]) == ("ended", 3, None)
    assert job["stop_after"] == {"date": None, "n_runs": 3}
    assert job["activity"] is None


def test_a_time_end_stops_after_the_last_occurrence_before_it(timers, globus_emulator):
    end = globus_emulator.clock.now() + 2.5 * DAY
    job_id = timers.create_timer(
        globus_sdk.TransferTimer(
            schedule=daily(condition="time", datetime=iso(end)), body=tutorial_transfer()
        )
    )["timer"]["job_id"]
    globus_emulator.clock.advance(10 * DAY)
    job = timers.get_job(job_id)
    assert (job["status"], job["n_runs"]) == ("ended", 3)


def test_a_once_timer_runs_at_its_time_and_only_then(timers, globus_emulator):
    when = dt.datetime.fromtimestamp(globus_emulator.clock.now() + 600, tz=dt.timezone.utc)
    job_id = timers.create_timer(
        globus_sdk.TransferTimer(
            schedule=globus_sdk.OnceTimerSchedule(datetime=when), body=tutorial_transfer()
        )
    )["timer"]["job_id"]
    globus_emulator.clock.advance(599)
    assert timers.get_job(job_id)["n_runs"] == 0
    globus_emulator.clock.advance(1)
    job = timers.get_job(job_id)
    assert (job["status"], job["n_runs"]) == ("ended", 1)
    assert job["stop_after"]["n_runs"] == 1
    assert parse_iso(job["last_ran_at"]) == pytest.approx(when.timestamp())


def test_an_interval_under_a_minute_is_refused_and_nothing_is_made(timers, globus_emulator):
    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        timers.create_timer(
            globus_sdk.TransferTimer(
                schedule=globus_sdk.RecurringTimerSchedule(30), body=tutorial_transfer()
            )
        )
    assert caught.value.http_status == 422
    assert "interval_seconds" in caught.value.messages[0]
    assert timers.list_jobs()["jobs"] == []


def test_a_body_without_items_is_refused_with_a_validation_error(timers):
    empty = globus_sdk.TransferData(source_endpoint=TUTORIAL_1, destination_endpoint=TUTORIAL_2)
    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        timers.create_timer(globus_sdk.TransferTimer(schedule=daily(), body=empty))
    assert caught.value.http_status == 422
    assert caught.value.errors[0].get("loc") == ["body", "timer", "body"]
    assert "DATA" in caught.value.messages[0]


def test_a_failing_run_is_recorded_and_the_timer_goes_on(timers, globus_emulator, transfer):
    job_id = timers.create_timer(
        globus_sdk.TransferTimer(schedule=daily(), body=tutorial_transfer())
    )["timer"]["job_id"]
    globus_emulator.faults.add(service="transfer", operation="submit_transfer", status=409, times=1)
    globus_emulator.clock.advance(DAY + 1)
    job = timers.get_job(job_id)
    first, second = job["results"]["data"]
    assert (first["status"], first["run_status"], first["data"]) == (409, "failure", None)
    assert first["errors"]["code"]
    assert (second["status"], second["run_status"]) == (202, "success")
    assert (job["status"], job["n_runs"], job["n_errors"]) == ("loaded", 2, 1)
    assert len(transfer.task_list()["DATA"]) == 1


def test_faults_apply_to_the_timers_api_itself(timers, globus_emulator):
    globus_emulator.faults.add(service="timer", operation="list_jobs", status=400, times=1)
    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        timers.list_jobs()
    assert caught.value.http_status == 400
    assert timers.list_jobs()["jobs"] == []


def test_run_history_is_the_same_in_two_worlds_from_one_seed():
    from globus_testkit import Emulator

    def history() -> list[tuple[str, int, str | None]]:
        with Emulator(seed=7) as emulator:
            token = emulator.auth.issue_token(
                emulator.user, str(globus_sdk.TimersClient.scopes.timer), lifetime=10 * DAY
            )
            client = globus_sdk.TimersClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
            body = globus_sdk.TransferData(
                source_endpoint=TUTORIAL_1, destination_endpoint=TUTORIAL_2
            )
            body.add_item("/a", "/b")
            emulator.transfer.collection(TUTORIAL_1).requires_data_access_consent = False
            emulator.transfer.collection(TUTORIAL_2).requires_data_access_consent = False
            job_id = client.create_timer(globus_sdk.TransferTimer(schedule=daily(), body=body))[
                "timer"
            ]["job_id"]
            emulator.clock.advance(3 * DAY)
            start = emulator.timers.get(job_id).submitted_at
            return [
                (iso(r.ran_at - start), r.status, r.resource_id)
                for r in emulator.timers.get(job_id).results
            ]

    assert history() == history()
