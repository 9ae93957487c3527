"""Every number that moves the clock or holds a request is bounded, and
a refused one changes nothing: the control plane, the Python API and
fault rules alike. Before this, ``{"seconds": NaN}`` made the clock NaN
and every later call a 500."""

from __future__ import annotations

import math

import pytest
import requests

from globus_testkit.clock import LATEST


@pytest.mark.parametrize(
    "raw", [b'{"seconds": NaN}', b'{"seconds": Infinity}', b'{"seconds": 1e400}']
)
def test_the_control_plane_refuses_a_non_finite_advance(globus_emulator, globus_server, raw):
    before = globus_emulator.clock.now()
    answer = requests.post(
        f"{globus_server.url}/_testkit/clock/advance",
        data=raw,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 400, answer.text
    assert globus_emulator.clock.now() == before
    # and the world still answers
    assert requests.get(f"{globus_server.url}/_testkit/clock", timeout=10).status_code == 200


def test_advancing_past_the_year_9999_is_refused_before_anything_moves(
    globus_emulator, globus_server
):
    globus_emulator.clock.advance(LATEST - globus_emulator.clock.now() - 60)
    before = globus_emulator.clock.now()
    answer = requests.post(
        f"{globus_server.url}/_testkit/clock/advance", json={"seconds": 3600}, timeout=10
    )
    assert answer.status_code == 400, answer.text
    assert "9999" in answer.json()["message"]
    assert globus_emulator.clock.now() == before
    clock = requests.get(f"{globus_server.url}/_testkit/clock", timeout=10)
    assert clock.json()["now"].startswith("9999-12-31")


@pytest.mark.parametrize("seconds", [math.nan, math.inf, -math.inf, -1, 1e300])
def test_the_python_clock_refuses_what_it_cannot_move_by(globus_emulator, seconds):
    before = globus_emulator.clock.now()
    with pytest.raises(ValueError):
        globus_emulator.clock.advance(seconds)
    assert globus_emulator.clock.now() == before
    assert globus_emulator.clock.isoformat()


@pytest.mark.parametrize(
    "options",
    [
        {"delay": math.nan},
        {"delay": math.inf},
        {"delay": 1e300},
        {"delay": -5},
        {"real_delay": math.nan},
        {"real_delay": 301},
        {"status": 503, "retry_after": math.inf},
        {"status": 503, "retry_after": 1e300},
        {"status": 503, "retry_after": -1},
        {"status": 503, "probability": math.nan},
        {"delay": "10"},
        {"status": 503, "nth": 1.5},
        {"status": "503"},
    ],
)
def test_a_fault_with_an_unusable_number_is_refused(globus_emulator, options):
    with pytest.raises(ValueError):
        globus_emulator.faults.add(service="transfer", **options)
    assert globus_emulator.faults.rules == []


@pytest.mark.parametrize(
    "raw",
    [
        b'{"service": "transfer", "delay": NaN}',
        b'{"service": "transfer", "delay": 1e300}',
        b'{"service": "transfer", "real_delay": Infinity}',
        b'{"service": "transfer", "status": 503, "retry_after": 1e300}',
    ],
)
def test_the_control_plane_refuses_a_fault_with_an_unusable_number(
    globus_emulator, globus_server, raw
):
    answer = requests.post(
        f"{globus_server.url}/_testkit/faults",
        data=raw,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 400, answer.text
    assert globus_emulator.faults.rules == []


def test_a_bounded_retry_after_reaches_the_client_as_a_whole_number(globus_emulator, base):
    globus_emulator.faults.add(service="transfer", status=503, retry_after=2.7, times=1)
    answer = requests.get(base("transfer") + "/v0.10/task_list", timeout=10)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "2"
