"""The world's due work as the emulator keeps it: saved and loaded with
the world, gone with a reset, run once however the clock moves."""

from __future__ import annotations

import globus_sdk
import pytest

from .conftest import DAY, tutorial_transfer


def daily_timer(timers: globus_sdk.TimersClient) -> str:
    created = timers.create_timer(
        globus_sdk.TransferTimer(
            schedule=globus_sdk.RecurringTimerSchedule(DAY), body=tutorial_transfer()
        )
    )
    return str(created["timer"]["job_id"])


def test_a_saved_world_keeps_its_timers_due(timers, globus_emulator, tmp_path):
    job_id = daily_timer(timers)
    globus_emulator.save_state(tmp_path / "world.state")
    globus_emulator.reset()
    globus_emulator.clock.advance(DAY)
    assert globus_emulator.world.timers.timers == {}
    globus_emulator.load_state(tmp_path / "world.state")
    globus_emulator.clock.advance(1)
    assert globus_emulator.timers.get(job_id).number_of_runs == 1


def test_advancing_by_small_steps_or_one_jump_runs_the_same_occurrences(timers, globus_emulator):
    stepped, jumped = daily_timer(timers), daily_timer(timers)
    timers.pause_job(jumped)
    for _ in range(48):
        globus_emulator.clock.advance(3600)
    timers.pause_job(stepped)
    timers.resume_job(jumped)  # a missed run happens once, then on schedule
    globus_emulator.clock.advance(1)
    assert globus_emulator.timers.get(stepped).number_of_runs == 3
    assert globus_emulator.timers.get(jumped).number_of_runs == 1


def test_the_helper_lists_every_timer_after_running_what_is_due(timers, globus_emulator):
    job_id = daily_timer(timers)
    globus_emulator.clock.advance(1)
    (timer,) = globus_emulator.timers.all()
    assert (timer.id, timer.number_of_runs, timer.status) == (job_id, 1, "loaded")


@pytest.mark.globus(strict=False)
def test_in_lenient_mode_any_bearer_string_makes_a_timer_that_runs(globus_emulator):
    timers = globus_sdk.TimersClient(authorizer=globus_sdk.AccessTokenAuthorizer("anything"))
    job_id = daily_timer(timers)
    globus_emulator.clock.advance(1)
    assert timers.get_job(job_id)["results"]["data"][0]["status"] == 202


def test_the_control_planes_clock_advance_runs_due_timers(timers, globus_emulator, globus_server):
    import requests

    job_id = daily_timer(timers)
    answer = requests.post(
        f"{globus_server.url}/_testkit/clock/advance", json={"seconds": DAY + 1}, timeout=30
    )
    assert answer.status_code == 200
    assert globus_emulator.timers.get(job_id).number_of_runs == 2
