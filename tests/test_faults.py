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


def test_a_method_rule_leaves_other_methods_alone(auth, globus_emulator):
    rule = globus_emulator.faults.add(service="auth", method="post", status=500)
    assert userinfo(auth)["sub"] == globus_emulator.user.id  # a GET
    assert rule.matched == 0
    globus_emulator.faults.add(service="auth", method="get", status=418, times=1)
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        userinfo(auth)
    assert caught.value.http_status == 418


def test_a_path_rule_fires_only_where_its_glob_matches(auth, globus_emulator):
    rule = globus_emulator.faults.add(service="auth", path="/v2/api/identities*", status=403)
    assert userinfo(auth)["sub"] == globus_emulator.user.id
    assert rule.matched == 0
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        auth.get_identities(usernames=globus_emulator.user.username)
    assert caught.value.http_status == 403
    assert rule.matched == rule.fired == 1


def test_a_rule_for_another_service_or_operation_never_matches(auth, globus_emulator):
    elsewhere = globus_emulator.faults.add(service="transfer", status=500)
    other_call = globus_emulator.faults.add(service="auth", operation="get_identities", status=500)
    assert userinfo(auth)["sub"] == globus_emulator.user.id
    assert (elsewhere.matched, other_call.matched) == (0, 0)


def test_rules_are_checked_in_order_and_the_first_that_fires_wins(auth, globus_emulator):
    spent = globus_emulator.faults.add(service="auth", status=418, times=1)
    with pytest.raises(globus_sdk.GlobusAPIError):
        userinfo(auth)  # fires once, then it is spent
    second = globus_emulator.faults.add(service="auth", status=409, times=1)
    third = globus_emulator.faults.add(service="auth", status=400, times=1)
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        userinfo(auth)
    assert caught.value.http_status == 409
    assert (spent.matched, spent.fired) == (2, 1)
    assert (second.fired, third.matched) == (1, 0)


def test_a_timeout_fires_and_the_client_sees_no_answer(auth, globus_emulator, globus_transport):
    rule = globus_emulator.faults.add(service="auth", timeout=True, times=1)
    url = auth.base_url.rstrip("/") + "/v2/oauth2/userinfo"
    header = {"Authorization": auth.authorizer.get_authorization_header()}
    expected = requests.ReadTimeout if globus_transport == "inprocess" else requests.ConnectionError
    with pytest.raises(expected):
        requests.get(url, headers=header, timeout=5)
    assert rule.fired == 1
    [entry] = globus_emulator.journal.calls("auth", "oauth2_userinfo")
    assert (entry.status, entry.note) == (0, f"fault {rule.id}")


def test_the_sdk_retries_an_injected_timeout(auth, globus_emulator, sdk_sleeps):
    rule = globus_emulator.faults.add(service="auth", timeout=True, times=1)
    assert userinfo(auth)["sub"] == globus_emulator.user.id
    assert rule.fired == 1
    assert statuses(globus_emulator) == [0, 200]


def test_a_real_delay_is_slept_before_the_answer(auth, globus_emulator, monkeypatch):
    import types

    import globus_testkit.emulator as emulator_module

    slept: list[float] = []
    monkeypatch.setattr(emulator_module, "time", types.SimpleNamespace(sleep=slept.append))
    globus_emulator.faults.add(service="auth", real_delay=0.25, times=1)
    before = globus_emulator.clock.now()
    userinfo(auth)
    userinfo(auth)
    assert slept == [0.25]  # once, for the one call the rule fired on
    assert globus_emulator.clock.now() == before  # the virtual clock did not move
    assert [e.note for e in globus_emulator.journal.calls("auth")] == ["fault 1", ""]


def test_rule_ids_count_up_and_removal_leaves_the_others(globus_emulator):
    first = globus_emulator.faults.add(service="auth", status=500)
    second = globus_emulator.faults.add(service="auth", status=502)
    third = globus_emulator.faults.add(service="auth", status=503)
    assert [first.id, second.id, third.id] == [1, 2, 3]
    globus_emulator.faults.remove(second.id)
    assert globus_emulator.faults.rules == [first, third]
    globus_emulator.faults.clear()
    assert globus_emulator.faults.rules == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"service": "auth", "status": 500, "colour": "red"},
            r"unknown fault options: \['colour'\]",
        ),
        ({"service": "auth", "status": 500, "fired": 3}, r"unknown fault options: \['fired'\]"),
        ({"service": "auth", "status": 500, "matched": 3}, r"unknown fault options: \['matched'\]"),
        ({"service": "auth", "status": 500, "id": 9}, r"unknown fault options: \['id'\]"),
        ({"status": 399}, r"^a fault status must be an HTTP error \(400-599\)$"),
        ({"status": 600}, r"^a fault status must be an HTTP error \(400-599\)$"),
        ({"status": 500, "probability": 1.5}, "^probability must be between 0 and 1, not 1.5$"),
        ({"status": 500, "probability": -0.1}, "^probability must be between 0 and 1, not -0.1$"),
        ({"service": "auth"}, "needs an effect: one of status, reset, timeout, malformed, delay"),
    ],
    ids=[
        "unknown-option",
        "fired",
        "matched",
        "id",
        "status-399",
        "status-600",
        "probability-above-1",
        "probability-below-0",
        "no-effect",
    ],
)
def test_a_bad_fault_is_refused_and_not_added(globus_emulator, options, message):
    with pytest.raises(ValueError, match=message):
        globus_emulator.faults.add(**options)
    assert globus_emulator.faults.rules == []


@pytest.mark.parametrize(
    "options",
    [
        {"status": 400},
        {"status": 599},
        {"status": 500, "probability": 0.0},
        {"status": 500, "probability": 1.0},
        {"reset": True},
        {"timeout": True},
        {"malformed": True},
        {"delay": 1.0},
        {"real_delay": 0.5},
    ],
)
def test_every_documented_effect_and_boundary_is_accepted(globus_emulator, options):
    assert globus_emulator.faults.add(**options) in globus_emulator.faults.rules


def test_probability_zero_never_fires_and_one_always_does():
    emulator = Emulator()
    never = emulator.faults.add(operation="a", status=500, probability=0.0)
    always = emulator.faults.add(operation="b", status=500, probability=1.0)
    assert not any(emulator.faults.check("auth", "a", "GET", "/") for _ in range(50))
    assert all(emulator.faults.check("auth", "b", "GET", "/") is always for _ in range(50))
    assert (never.matched, never.fired, always.fired) == (50, 0, 50)


def test_different_seeds_draw_different_patterns():
    def pattern(seed):
        emulator = Emulator(seed=seed)
        emulator.faults.add(status=503, probability=0.5)
        return [emulator.faults.check("auth", "x", "GET", "/") is not None for _ in range(40)]

    assert pattern(1) != pattern(2)


def test_the_same_seed_draws_the_same_pattern_in_another_process():
    import subprocess
    import sys

    program = (
        "from globus_testkit import Emulator\n"
        "e = Emulator(seed=11)\n"
        "e.faults.add(status=503, probability=0.5)\n"
        "print(''.join('x' if e.faults.check('auth', 'x', 'GET', '/') else '.' for _ in range(40)))"
    )
    here = Emulator(seed=11)
    here.faults.add(status=503, probability=0.5)
    expected = "".join(
        "x" if here.faults.check("auth", "x", "GET", "/") else "." for _ in range(40)
    )
    there = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    assert there.stdout.strip() == expected
