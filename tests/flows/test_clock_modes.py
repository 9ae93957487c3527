"""Clocks for polling clients: a wall-following emulator lets a run's
waiting end with real time; the default (tests) stays frozen."""

from __future__ import annotations

import time

import globus_sdk
import pytest

from globus_testkit import Emulator

FLOWS_ALL = "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
WAIT = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 0.2, "End": True}}}


def _run_and_read(emulator):
    token = emulator.auth.issue_token(emulator.user, FLOWS_ALL)
    flows = globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    flow = flows.create_flow("nap", WAIT, {}).data
    flow_token = emulator.auth.issue_token(emulator.user, flow["globus_auth_scope"])
    runner = globus_sdk.SpecificFlowClient(
        flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(flow_token)
    )
    run_id = runner.run_flow({})["run_id"]
    time.sleep(0.3)
    return flows.get_run(run_id)["status"]


def test_a_wall_following_clock_lets_waits_end_with_real_time():
    with Emulator(clock="wall") as emulator:
        assert _run_and_read(emulator) == "SUCCEEDED"
        before = emulator.clock.now()
        assert emulator.clock.advance(60) >= before + 60


def test_the_default_clock_stays_frozen_until_advanced():
    with Emulator() as emulator:
        assert _run_and_read(emulator) == "ACTIVE"
        emulator.reset()
        assert not emulator.clock.follows_wall


def test_the_clock_mode_survives_a_reset():
    with Emulator(clock="wall") as emulator:
        emulator.reset()
        assert emulator.clock.follows_wall
    with pytest.raises(ValueError):
        Emulator(clock="sometimes")
