"""The /jobs API through TimersClient: list, get (with paged results),
update, delete, pause and resume, the legacy create_job, and ownership."""

from __future__ import annotations

import datetime as dt

import globus_sdk
import pytest

from globus_testkit.clock import iso, parse_iso

from .conftest import DAY, TUTORIAL_1, TUTORIAL_2, tutorial_transfer

HOUR = 3600


def hourly(client: globus_sdk.TimersClient, name: str = "hourly") -> str:
    created = client.create_timer(
        globus_sdk.TransferTimer(
            name=name,
            schedule=globus_sdk.RecurringTimerSchedule(HOUR),
            body=tutorial_transfer(),
        )
    )
    return str(created["timer"]["job_id"])


def test_list_jobs_shows_the_callers_timers_in_the_order_asked(timers, globus_emulator):
    first = hourly(timers, "first")
    globus_emulator.clock.advance(60)
    second = hourly(timers, "second")
    listed = timers.list_jobs(query_params={"order": "submitted_at asc"})["jobs"]
    assert [j["job_id"] for j in listed] == [first, second]
    newest_first = timers.list_jobs(query_params={"order": "submitted_at desc"})["jobs"]
    assert [j["job_id"] for j in newest_first] == [second, first]
    named = timers.list_jobs(query_params={"filter_name": "SEC"})["jobs"]
    assert [j["name"] for j in named] == ["second"]


def test_list_jobs_filters_by_status(timers):
    running, paused = hourly(timers), hourly(timers)
    timers.pause_job(paused)
    active = timers.list_jobs(query_params={"filter_status": "active"})["jobs"]
    inactive = timers.list_jobs(query_params={"filter_status": "inactive"})["jobs"]
    assert [j["job_id"] for j in active] == [running]
    assert [j["job_id"] for j in inactive] == [paused]


def test_list_jobs_filter_active_as_the_sdks_list_timers_example_uses_it(timers):
    running, paused = hourly(timers), hourly(timers)
    timers.pause_job(paused)
    active = timers.list_jobs(query_params={"filter_active": True})["jobs"]
    assert [j["job_id"] for j in active] == [running]
    not_active = timers.list_jobs(query_params={"filter_active": False})["jobs"]
    assert [j["job_id"] for j in not_active] == [paused]
    both = timers.list_jobs(query_params={"filter_active": True, "filter_status": "inactive"})
    assert both["jobs"] == []
    with pytest.raises(globus_sdk.GlobusAPIError) as refused:
        timers.list_jobs(query_params={"filter_active": "sometimes"})
    assert refused.value.http_status in (400, 422)


def test_get_job_pages_its_results_with_results_pt(timers, globus_emulator):
    job_id = hourly(timers)
    globus_emulator.clock.advance(24 * HOUR + 1)
    first = timers.get_job(job_id, query_params={"page_size": 10})
    assert first["n_runs"] == 25
    seen = list(first["results"]["data"])
    marker = first["results"]["page_next"]
    while marker:
        page = timers.get_job(job_id, query_params={"page_size": 10, "results_pt": marker})
        seen += page["results"]["data"]
        marker = page["results"]["page_next"]
    times = [parse_iso(r["ran_at"]) for r in seen]
    assert len(times) == 25 and times == sorted(times)


def test_update_job_renames_and_refuses_other_fields(timers):
    job_id = hourly(timers)
    assert timers.update_job(job_id, {"name": "renamed"})["name"] == "renamed"
    assert timers.get_job(job_id)["name"] == "renamed"
    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        timers.update_job(job_id, {"interval": 5})
    assert caught.value.http_status == 422
    assert timers.get_job(job_id)["interval"] == HOUR


def test_delete_job_stops_the_timer_for_good(timers, globus_emulator):
    job_id = hourly(timers)
    deleted = timers.delete_job(job_id)
    assert (deleted["job_id"], deleted["status"]) == (job_id, "deleted")
    globus_emulator.clock.advance(3 * HOUR)
    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        timers.get_job(job_id)
    assert caught.value.http_status == 404
    assert not [e for e in globus_emulator.journal.entries() if e.service == "transfer"]


def test_a_paused_timer_skips_its_runs_and_resuming_runs_a_missed_one_once(timers, globus_emulator):
    job_id = hourly(timers)
    globus_emulator.clock.advance(1)
    paused = timers.pause_job(job_id)
    assert paused["message"] == f"Successfully paused job {job_id}."
    job = timers.get_job(job_id)
    assert job["status"] == "inactive"
    assert job["inactive_reason"] == {"cause": "user", "detail": None}
    assert job["activity"]["code"] == "paused"
    globus_emulator.clock.advance(5 * HOUR)
    assert timers.get_job(job_id)["n_runs"] == 1
    timers.resume_job(job_id)
    globus_emulator.clock.advance(1)
    job = timers.get_job(job_id)
    assert (job["status"], job["n_runs"]) == ("loaded", 2)
    assert job["activity"]["code"] == "awaiting_next_run"
    globus_emulator.clock.advance(HOUR)
    assert timers.get_job(job_id)["n_runs"] == 3


def test_resuming_an_active_timer_is_a_conflict(timers):
    job_id = hourly(timers)
    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        timers.resume_job(job_id)
    assert caught.value.http_status == 409


def test_another_users_timer_is_not_found(timers, timers_for, globus_emulator):
    job_id = hourly(timers)
    stranger = timers_for(globus_emulator.auth.add_identity("eve@example.org"))
    for call in (stranger.get_job, stranger.pause_job, stranger.delete_job):
        with pytest.raises(globus_sdk.TimersAPIError) as caught:
            call(job_id)
        assert caught.value.http_status == 404
    assert stranger.list_jobs()["jobs"] == []
    assert timers.get_job(job_id)["status"] == "new"


def test_a_token_without_the_timer_scope_is_refused(globus_emulator):
    token = globus_emulator.auth.issue_token(globus_emulator.user, "openid")
    client = globus_sdk.TimersClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        client.list_jobs()
    assert caught.value.http_status == 401


def test_a_legacy_timer_job_runs_the_transfer_action_providers_body(timers, globus_emulator):
    start = dt.datetime.fromtimestamp(globus_emulator.clock.now() + 60, tz=dt.timezone.utc)
    job = globus_sdk.TimerJob(
        "https://transfer.actions.globus.org/transfer/run",
        {
            "body": {
                "source_endpoint_id": TUTORIAL_1,
                "destination_endpoint_id": TUTORIAL_2,
                "transfer_items": [
                    {"source_path": "/share/godata/file2.txt", "destination_path": "/~/f2.txt"}
                ],
            }
        },
        start,
        dt.timedelta(days=1),
        name="legacy",
        stop_after_n=2,
    )
    created = timers.create_job(job)
    assert created.http_status == 201
    assert (created["name"], created["interval"], created["stop_after"]["n_runs"]) == (
        "legacy",
        DAY,
        2,
    )
    assert created["start"] == iso(start.timestamp())
    globus_emulator.clock.advance(3 * DAY)
    done = timers.get_job(created["job_id"])
    assert (done["status"], done["n_runs"], done["n_errors"]) == ("ended", 2, 0)


def test_a_legacy_job_for_an_unknown_callback_is_refused(timers, globus_emulator):
    job = globus_sdk.TimerJob(
        "https://example.org/run", {"body": {}}, iso(globus_emulator.clock.now()), 3600
    )
    with pytest.raises(globus_sdk.TimersAPIError) as caught:
        timers.create_job(job)
    assert caught.value.http_status == 422


def test_list_jobs_keeps_up_with_timers_made_after_a_listing(
    timers, timers_for, globus_emulator, tmp_path
):
    # Listing is by owner (an index built at the first list): later timers,
    # the caller's and others', land in the right lists, as after a state file.
    bob = globus_emulator.auth.add_identity("bob@example.org")
    bobs = timers_for(bob, TUTORIAL_1, TUTORIAL_2)
    assert timers.list_jobs()["jobs"] == []
    mine = [hourly(timers, "mine 1"), hourly(timers, "mine 2")]
    theirs = hourly(bobs, "theirs")
    listed = timers.list_jobs(query_params={"order": "submitted_at asc"})["jobs"]
    assert [j["job_id"] for j in listed] == mine
    assert [j["job_id"] for j in bobs.list_jobs()["jobs"]] == [theirs]
    globus_emulator.save_state(tmp_path / "state.json")
    globus_emulator.load_state(tmp_path / "state.json")
    later = hourly(timers, "after the state file")
    listed = timers.list_jobs(query_params={"order": "submitted_at asc"})["jobs"]
    assert [j["job_id"] for j in listed] == [*mine, later]


def test_a_deleted_timer_leaves_the_list_it_was_listed_in(timers):
    kept, deleted = hourly(timers, "kept"), hourly(timers, "deleted")
    assert len(timers.list_jobs()["jobs"]) == 2  # the list is indexed from here on
    assert timers.delete_job(deleted)["status"] == "deleted"
    assert [j["job_id"] for j in timers.list_jobs()["jobs"]] == [kept]
    everything = {"filter_status": ["active", "inactive", "ended"]}
    assert [j["job_id"] for j in timers.list_jobs(query_params=everything)["jobs"]] == [kept]
