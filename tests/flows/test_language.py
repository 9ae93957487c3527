"""The Flows language, directly: JSONPath, Parameters, the expression
evaluator's safety, Choice rules and definition checks."""

from __future__ import annotations

import pytest

from globus_testkit.services.flows.language import (
    LanguageError,
    check_definition,
    evaluate,
    get_path,
    resolve,
    rule_matches,
    set_path,
)

STATE = {
    "a": {"b": [10, 20]},
    "name": "Ada",
    "n": 3,
    "when": "2026-01-02T00:00:00+00:00",
    "_context": {"run_id": "r"},
}


def test_jsonpath_reads_keys_indexes_and_quoted_names():
    assert get_path(STATE, "$.a.b[1]") == 20
    assert get_path({"x y": 1}, "$['x y']") == 1
    with pytest.raises(LanguageError):
        get_path(STATE, "$.missing")


def test_result_path_creates_intermediate_objects_and_never_touches_context():
    updated = set_path(STATE, "$.x.y", 5)
    assert updated["x"] == {"y": 5} and "x" not in STATE
    assert set_path(STATE, "$", {"only": 1}) == {"only": 1, "_context": {"run_id": "r"}}
    with pytest.raises(LanguageError):
        set_path(STATE, "$._context.run_id", "forged")


def test_parameters_resolve_paths_expressions_and_constants():
    template = {"value.$": "$.n", "double.=": "n * 2", "fixed": {"inner.$": "$.name"}}
    assert resolve(template, STATE) == {"value": 3, "double": 6, "fixed": {"inner": "Ada"}}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("n + 1", 4),
        ("name + '!'", "Ada!"),
        ("a['b'][0] > 5 and n < 10", True),
        ("len(a.b)", 2),
        ("'x' if n > 5 else 'y'", "y"),
        ("max([1, n, 2])", 3),
        ("n in [1, 3]", True),
    ],
)
def test_expressions_evaluate_python_like_syntax(expression, expected):
    assert evaluate(expression, STATE) == expected


@pytest.mark.parametrize(
    "hostile",
    [
        "__import__('os').system('true')",
        "().__class__.__bases__",
        "open('/etc/passwd')",
        "name.__class__",
        "(lambda: 1)()",
        "9 ** 99999",
        "'x' * 10**9",
        "a.__dict__",
        "getattr('a.__class__')",
        "'{0.__class__}'.format(name)",
        "'{:{w}}'.format(name, w=10**9)",
        "name.encode()",
        "a.b.append(1)",
        "a.b.__len__()",
        "[x for x in range(10**9)]",
        "[[y for y in range(1000)] for x in range(1000)]",
        "'x'.join(['y' * 1000] * 1000)",
        "('a' * 1000).replace('a', 'b' * 2000)",
        "'{:99999999}'.format(1)",
        "f'{name:>99999999}'",
        "sorted(a, key=len)",
    ],
)
def test_hostile_expressions_are_refused(hostile):
    with pytest.raises(LanguageError):
        evaluate(hostile, STATE)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"Variable": "$.n", "NumericEquals": 3}, True),
        ({"Variable": "$.n", "NumericGreaterThanPath": "$.a.b[0]"}, False),
        ({"Variable": "$.name", "StringMatches": "A*"}, True),
        ({"Variable": "$.name", "StringLessThan": "B"}, True),
        ({"Variable": "$.when", "TimestampGreaterThan": "2025-12-31T00:00:00Z"}, True),
        ({"Variable": "$.nothing", "IsPresent": False}, True),
        ({"Variable": "$.n", "IsString": True}, False),
        ({"Variable": "$.n", "StringEquals": "3"}, False),
        ({"Not": {"Variable": "$.n", "NumericEquals": 3}}, False),
        (
            {
                "Or": [
                    {"Variable": "$.n", "NumericEquals": 1},
                    {"Variable": "$.n", "IsNumeric": True},
                ]
            },
            True,
        ),
    ],
)
def test_choice_rules(rule, expected):
    assert rule_matches(rule, STATE) is expected


def test_definition_checks_name_every_problem():
    problems = check_definition(
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "Missing"},
                "B": {"Type": "Pass", "End": True},
                "C": {"Type": "Wait", "End": True},
                "D": {"Type": "Pass"},
            },
        }
    )
    assert any("Missing" in p for p in problems)
    assert any("B: is not reachable" in p for p in problems)
    assert any("exactly one of Seconds" in p for p in problems)
    assert any("D: needs Next or End" in p for p in problems)
