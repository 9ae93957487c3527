"""Injected faults, and globus-sdk's retry layer meeting them."""

from __future__ import annotations

import globus_sdk
import pytest
import requests

from conftest import userinfo
from globus_testkit import Emulator


@pytest.fixture
def auth(auth_client_for):
    return auth_client_for()


def statuses(emulator, operation="oauth2_userinfo"):
    return [e.status for e in emulator.journal.calls("auth", operation)]


def test_sdk_retries_through_503s_honouring_retry_after(auth, globus_emulator, sdk_sleeps):
    globus_emulator.faults.add(service="auth", status=503, retry_after=3, times=2)
    assert userinfo(auth)["sub"] == globus_emulator.user.id
    assert statuses(globus_emulator) == [503, 503, 200]
    assert sdk_sleeps == [3.0, 3.0]


def test_sdk_gives_up_when_the_service_never_recovers(auth, globus_emulator, sdk_sleeps):
    globus_emulator.faults.add(operation="oauth2_userinfo", status=503, retry_after=1)
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        userinfo(auth)
    assert caught.value.http_status == 503
    assert statuses(globus_emulator) == [503] * (len(sdk_sleeps) + 1)
    assert len(sdk_sleeps) >= 1


def test_an_injected_status_uses_the_services_own_error_shape(auth, globus_emulator):
    globus_emulator.faults.add(service="auth", status=403, code="FORBIDDEN", times=1)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        userinfo(auth)
    assert caught.value.http_status == 403
    assert caught.value.raw_json["errors"][0]["code"] == "FORBIDDEN"


def test_a_429_carries_retry_after(globus_emulator, auth):
    globus_emulator.faults.add(service="auth", status=429, retry_after=7, times=1)
    url = auth.base_url.rstrip("/") + "/v2/oauth2/userinfo"
    answer = requests.get(
        url, headers={"Authorization": auth.authorizer.get_authorization_header()}, timeout=5
    )
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "7"


def test_nth_fires_only_on_that_call(auth, globus_emulator):
    globus_emulator.faults.add(service="auth", operation="oauth2_userinfo", nth=2, status=400)
    userinfo(auth)
    with pytest.raises(globus_sdk.GlobusAPIError):
        userinfo(auth)
    userinfo(auth)
    assert statuses(globus_emulator) == [200, 400, 200]


def test_a_connection_reset_is_survived_by_the_sdk_retry(auth, globus_emulator, sdk_sleeps):
    rule = globus_emulator.faults.add(service="auth", reset=True, times=1)
    assert userinfo(auth)["sub"] == globus_emulator.user.id
    assert rule.fired == 1
    assert statuses(globus_emulator) == [0, 200]


def test_a_timeout_is_survived_by_the_sdk_retry(auth, globus_emulator, sdk_sleeps):
    globus_emulator.faults.add(service="auth", timeout=True, times=1)
    assert userinfo(auth)["sub"] == globus_emulator.user.id


def test_a_malformed_body_is_not_json(auth, globus_emulator):
    globus_emulator.faults.add(service="auth", malformed=True, times=1)
    url = auth.base_url.rstrip("/") + "/v2/oauth2/userinfo"
    answer = requests.get(
        url, headers={"Authorization": auth.authorizer.get_authorization_header()}, timeout=5
    )
    with pytest.raises(ValueError):
        answer.json()


def test_a_delay_moves_the_virtual_clock(auth, globus_emulator):
    before = globus_emulator.clock.now()
    globus_emulator.faults.add(service="auth", delay=90, times=1)
    userinfo(auth)
    assert globus_emulator.clock.now() == before + 90


def test_probability_is_reproducible_from_the_seed():
    def pattern(seed):
        emulator = Emulator(seed=seed)
        rule = emulator.faults.add(service="auth", status=503, probability=0.5)
        return [emulator.faults.check("auth", "x", "GET", "/") is rule for _ in range(30)]

    assert pattern(3) == pattern(3)
    assert any(pattern(3)) and not all(pattern(3))


def test_a_fault_without_an_effect_is_refused(globus_emulator):
    with pytest.raises(ValueError, match="needs an effect"):
        globus_emulator.faults.add(service="auth")


@pytest.mark.globus_fault(service="auth", operation="oauth2_userinfo", status=500, times=1)
def test_the_marker_adds_a_fault(auth, globus_emulator, sdk_sleeps):
    assert userinfo(auth)["sub"]
    assert statuses(globus_emulator) == [500, 200]
    assert globus_emulator.journal.calls("auth", status=500)[0].note == "fault 1"
