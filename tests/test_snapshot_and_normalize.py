"""Normalisation, shapes, and the snapshot fixture for users' tests."""

from __future__ import annotations

from globus_testkit.normalize import compare_shapes, normalize, shape

A = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"
B = "31ce9ba0-176d-45a5-add3-f37d233ba47d"


def test_normalize_numbers_ids_by_first_appearance_and_keeps_references():
    doc = {"id": A, "other": B, "again": f"/x/{A}/ls", "list": [B]}
    assert normalize(doc) == {
        "again": "/x/<uuid:1>/ls",
        "id": "<uuid:1>",
        "list": ["<uuid:2>"],
        "other": "<uuid:2>",
    }


def test_normalize_hides_tokens_times_epochs_and_request_ids():
    doc = {
        "access_token": "AgXyz",
        "refresh_token": "ArAbc",
        "expires_in": 172800,
        "created": "2026-11-22T11:00:00.123+00:00",
        "request_id": "tk0000000001",
    }
    assert normalize(doc) == {
        "access_token": "<secret:1>",
        "created": "<time>",
        "expires_in": "<epoch>",
        "refresh_token": "<secret:2>",
        "request_id": "<request-id>",
    }


def test_shape_merges_list_items_and_null_matches_anything():
    recorded = shape({"items": [{"a": 1}], "b": None})
    emulated = shape({"items": [{"a": 2}, {"a": 3}], "b": "text"})
    assert compare_shapes(recorded, emulated) == []


def test_a_key_only_some_list_items_hold_keeps_its_type():
    # one recorded entry has details.state_name, another has none at all
    merged = shape({"entries": [{"code": "a", "name": "x"}, {"code": "b"}]})
    assert merged == {"entries": [{"code": "str", "name": "str"}]}
    nested = shape([{"details": {"n": 1}}, {}])
    assert nested == [{"details": {"n": "number"}}]


def test_differing_item_types_are_alternatives_either_side_may_match():
    recorded = shape({"values": [1, "one"]})
    assert recorded == {"values": ["number|str"]}
    assert compare_shapes(recorded, shape({"values": ["two"]})) == []
    assert compare_shapes(shape({"values": ["two"]}), recorded) == []
    assert compare_shapes(recorded, shape({"values": [True]})) == [
        "type of $.values[]: recorded number|str, emulated bool"
    ]


def test_compare_shapes_names_missing_extra_and_mistyped_keys():
    problems = compare_shapes(shape({"a": 1, "b": "x"}), shape({"a": "1", "c": True}))
    assert problems == [
        "type of $.a: recorded number, emulated str",
        "missing $.b (recorded as str)",
        "extra $.c (bool)",
    ]


SNAPSHOT_TEST = """
import globus_sdk

def test_whoami(globus_emulator, snapshot):
    token = globus_emulator.auth.issue_token(globus_emulator.user, "openid profile email")
    auth = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    info = auth.oauth2_userinfo() if not hasattr(auth, "userinfo") else auth.userinfo()
    snapshot.match("userinfo", info)
"""


def test_snapshots_are_recorded_with_the_flag_then_matched(pytester):
    pytester.makepyfile(test_user=SNAPSHOT_TEST)
    pytester.runpytest("--snapshot-update").assert_outcomes(passed=1)
    stored = (pytester.path / "__snapshots__" / "test_user.json").read_text()
    assert '"sub": "<uuid:2>"' in stored  # numbered in key order
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_changed_answer_fails_its_snapshot(pytester):
    pytester.makepyfile(test_user=SNAPSHOT_TEST)
    pytester.runpytest("--snapshot-update").assert_outcomes(passed=1)
    pytester.makepyfile(test_user=SNAPSHOT_TEST.replace('"openid profile email"', '"openid"'))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)  # openid alone: userinfo names only the sub
    result.stdout.fnmatch_lines(["*snapshot 'userinfo' differs*"])
    pytester.makepyfile(
        test_user=SNAPSHOT_TEST.replace(
            'snapshot.match("userinfo", info)', 'snapshot.match("userinfo", {"changed": True})'
        )
    )
    failed = pytester.runpytest()
    failed.assert_outcomes(failed=1)
    failed.stdout.fnmatch_lines(["*snapshot 'userinfo' differs*"])


def test_a_missing_snapshot_fails_and_says_how_to_record_it(pytester):
    pytester.makepyfile(test_user=SNAPSHOT_TEST)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*--snapshot-update*"])
