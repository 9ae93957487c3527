"""Users' patterns run in linear time, and checking a user's schema never
holds up other requests."""

from __future__ import annotations

import fnmatch
import threading

import globus_sdk
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import userinfo
from globus_testkit.patterns import glob_matches, schema_pattern_problems, user_wildcard

from .test_state_files import _definition, _flows_client

EVIL = "^(a+)+$"  # exponential for a backtracking matcher
TIMEOUT = 120  # generous: only a hang fails


def _run_in_thread(function):
    """Start ``function`` in a thread; the result (or error) lands in a dict."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["result"] = function()
        except Exception as err:
            outcome["error"] = err

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def _runner(emulator, flow):
    token = emulator.auth.issue_token(emulator.user, flow["globus_auth_scope"])
    return globus_sdk.SpecificFlowClient(
        flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )


def test_a_catastrophic_input_schema_pattern_answers_promptly(globus_emulator, auth_client_for):
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string", "pattern": EVIL}},
        "patternProperties": {EVIL: {"type": "integer"}},
        "additionalProperties": {"type": "string"},
    }
    flow = _flows_client(globus_emulator).create_flow("evil", _definition({"x": 1}), schema)
    runner = _runner(globus_emulator, flow)
    evil = "a" * 32 + "!"
    thread, outcome = _run_in_thread(lambda: runner.run_flow({"name": evil, evil: "text"}))
    assert userinfo(auth_client_for())["sub"]  # meanwhile, others are answered
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    error = outcome["error"]
    assert isinstance(error, globus_sdk.GlobusAPIError)
    assert error.http_status == 400 and error.code == "FLOW_INPUT_ERROR"
    assert "does not match" in error.text
    # and a matching input passes the same pattern
    assert runner.run_flow({"name": "aaaa"}).http_status == 201


def _exponential_schema(levels: int) -> dict[str, object]:
    """Legal, small, and costly for any validator: each level tries both
    branches of an anyOf over the same (failing) instance."""
    defs: dict[str, object] = {
        f"d{i}": {"anyOf": [{"$ref": f"#/$defs/d{i + 1}"}, {"$ref": f"#/$defs/d{i + 1}"}]}
        for i in range(levels)
    }
    defs[f"d{levels}"] = {"type": "integer"}
    return {"$defs": defs, "$ref": "#/$defs/d0"}


def test_checking_a_costly_input_schema_does_not_hold_up_other_requests(
    globus_emulator, auth_client_for, monkeypatch
):
    # The check is held open until the unrelated request is answered: if
    # checking kept the world's lock, that request could never be answered.
    from globus_testkit.services.flows import routes as flows_routes

    checking, release = threading.Event(), threading.Event()
    real_check = flows_routes.schema_problems

    def held_check(schema, document):
        checking.set()
        release.wait(TIMEOUT)
        return real_check(schema, document)

    monkeypatch.setattr(flows_routes, "schema_problems", held_check)
    flow = _flows_client(globus_emulator).create_flow(
        "slow", _definition({"x": 1}), _exponential_schema(11)
    )
    runner = _runner(globus_emulator, flow)
    order: list[str] = []

    def slow_run():
        try:
            return runner.run_flow({"not": "an integer"})
        finally:
            order.append("slow run")

    thread, outcome = _run_in_thread(slow_run)
    assert checking.wait(TIMEOUT)
    userinfo(auth_client_for())  # answered while the check is still running
    order.append("unrelated")
    release.set()
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert isinstance(outcome["error"], globus_sdk.GlobusAPIError)
    assert order == ["unrelated", "slow run"], outcome


@pytest.mark.parametrize("pattern", ["(a)\\1", "(?=a)b", "(?<!x)y", "a{1000}{1000}"])
def test_a_flow_whose_input_schema_pattern_re2_cannot_run_is_refused_at_deploy(
    globus_emulator, pattern
):
    flows = _flows_client(globus_emulator)
    schema = {"properties": {"p": {"type": "string", "pattern": pattern}}}
    with pytest.raises(globus_sdk.GlobusAPIError) as refused:
        flows.create_flow("bad", _definition({"x": 1}), schema)
    assert refused.value.http_status == 422
    assert refused.value.code == "UNPROCESSABLE_ENTITY"
    assert "input_schema" in refused.value.text and "not supported" in refused.value.text
    assert globus_emulator.world.flows.flows == {}
    flow = flows.create_flow("good", _definition({"x": 1}), {})
    with pytest.raises(globus_sdk.GlobusAPIError) as refused:
        flows.update_flow(flow["id"], input_schema={"patternProperties": {pattern: {}}})
    assert refused.value.http_status == 422
    assert globus_emulator.world.flows.flows[flow["id"]].input_schema == {}


def test_only_patterns_in_schemas_are_checked_not_data_that_looks_like_one():
    schema = {
        "properties": {"pattern": {"enum": [{"pattern": "(a)\\1"}]}},
        "items": [{"pattern": "(?=x)"}],
        "anyOf": [{"$defs": {"p": {"patternProperties": {"(?<=x)": {}}}}}],
    }
    assert len(schema_pattern_problems(schema)) == 2


_GLOB_CHARS = st.sampled_from(list("ab*?[]!-.\\^"))


@given(st.text(_GLOB_CHARS, max_size=8), st.text(st.sampled_from(list("ab-.[]!\\^")), max_size=8))
def test_transfer_filter_globs_match_as_fnmatch_does(glob, name):
    assert glob_matches(glob, name) == fnmatch.fnmatchcase(name, glob)


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("*.txt", "a.txt", True),
        ("*.txt", "a.txt.bak", False),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
        ("a?c", "abc", False),  # only * is special in StringMatches
        ("a?c", "a?c", True),
        ("[ab]", "[ab]", True),
        ("*", "line\nbreak", True),
        ("back\\\\slash*", "back\\slash!", True),
    ],
)
def test_string_matches_wildcards(pattern, text, matches):
    assert (user_wildcard(pattern).fullmatch(text) is not None) == matches
