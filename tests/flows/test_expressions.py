"""Expressions as published flows write them: comprehensions, methods of
strings, lists and objects, Flows' own functions; and JSONPath queries
(filters, wildcards, slices, recursive descent) through jsonpath-ng."""

from __future__ import annotations

import pytest

from globus_testkit.services.flows.language import (
    LanguageError,
    evaluate,
    get_path,
    rule_matches,
    set_path,
)

LISTING = {
    "source": {"path": "/home/share/godata/", "id": "ep"},
    "ls": {"DATA": [{"name": "file1.txt", "size": 4}, {"name": "file2.txt", "size": 0}]},
    "items": [1, 2, 3, 4],
    "_context": {"run_id": "r"},
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            "[{'path': source.path.rstrip('/') + '/' + i.name} for i in ls.DATA]",
            [{"path": "/home/share/godata/file1.txt"}, {"path": "/home/share/godata/file2.txt"}],
        ),
        ("[i.name for i in ls.DATA if i.size > 0]", ["file1.txt"]),
        ("{i.name: i.size for i in ls.DATA}", {"file1.txt": 4, "file2.txt": 0}),
        ("[a * b for a in items[:2] for b in items[2:]]", [3, 4, 6, 8]),
        ("sum(i.size for i in ls.DATA)", 4),
        ("any(i.size == 0 for i in ls.DATA)", True),
        ("source.path.rpartition('/')", ["/home/share/godata", "/", ""]),
        ("'a,b,c'.split(',')", ["a", "b", "c"]),
        ("'-'.join(['x', 'y'])", "x-y"),
        ("'{} of {}'.format(1, 2)", "1 of 2"),
        ("f'{len(items)} items'", "4 items"),
        ("source.get('missing', 'default')", "default"),
        ("sorted(source.keys())", ["id", "path"]),
        ("pathsplit('/home/share/godata/file1.txt')", ["/home/share/godata", "file1.txt"]),
        ("is_present('source.path')", True),
        ("is_present('source.nothing')", False),
        ("getattr('source.nothing', 'fallback')", "fallback"),
        ("getattr('source.id', 'fallback')", "ep"),
        ("getattr('missing_property')", None),
        ("pathsplit('/~/path')", ["/~/", "path"]),
        ("items[-1]", 4),
        ("items[::2]", [1, 3]),
        ("[p for p in enumerate(['a'])]", [[0, "a"]]),
    ],
)
def test_published_expression_forms_evaluate(expression, expected):
    assert evaluate(expression, LISTING) == expected


def test_expression_refusals_name_the_limit_they_hit():
    with pytest.raises(LanguageError, match="steps"):
        evaluate("[x for x in range(300) for y in range(300)]", {})
    with pytest.raises(LanguageError, match="not allowed"):
        evaluate("items.append(5)", LISTING)
    assert LISTING["items"] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.items[1:]", [2, 3, 4]),
        ("$.items[0:2]", [1, 2]),
        ("$.ls.DATA[*].name", ["file1.txt", "file2.txt"]),
        ("$.ls.DATA[?(@.size > 0)].name", ["file1.txt"]),
        ("$..name", ["file1.txt", "file2.txt"]),
        ("$.ls.DATA[?(@.size > 100)]", []),
        ("$.items[-1]", 4),
        ("$.source['path']", "/home/share/godata/"),
    ],
)
def test_jsonpath_queries_follow_the_flows_dialect(path, expected):
    assert get_path(LISTING, path) == expected


def test_a_choice_variable_may_be_a_query():
    rule = {"Variable": "$.ls.DATA[?(@.size == 0)].name", "IsPresent": True}
    assert rule_matches(rule, LISTING)


def test_result_paths_must_name_one_place_and_copy_on_write():
    with pytest.raises(LanguageError, match="one place"):
        set_path(LISTING, "$.items[*]", 1)
    updated = set_path(LISTING, "$.items[0]", 10)
    assert updated["items"] == [10, 2, 3, 4] and LISTING["items"][0] == 1
    with pytest.raises(LanguageError):
        get_path(LISTING, "$.items[")


# -- the back-quoted JSONPath form (globus-automate-client's "Expressions in
# Parameters", still in published flows such as MDF's) ------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("`$.source.id` + '_approve'", "ep_approve"),
        ("`$.source.path` + '/' + `$.ls.DATA[0].name`", "/home/share/godata//file1.txt"),
        ("`$.items` + [5]", [1, 2, 3, 4, 5]),
        ("len(`$.items[1:]`)", 3),
        ("`$.ls.DATA[?(@.size > 0)].name`", ["file1.txt"]),
        ("[i * 2 for i in `$.items` if i > 2]", [6, 8]),
        ("'a `quoted` text' + `$._context.run_id`", "a `quoted` textr"),
    ],
)
def test_back_quoted_jsonpaths_read_the_state(expression, expected):
    assert evaluate(expression, LISTING) == expected


@pytest.mark.parametrize(
    ("expression", "refusal"),
    [
        ("`$.source.id", "unclosed back-quote"),
        ("`source.id` + 'x'", "JSONPath starting with \\$"),
        ("`$.nothing` + 1", "does not exist"),
    ],
)
def test_back_quote_mistakes_are_refused_by_name(expression, refusal):
    with pytest.raises(LanguageError, match=refusal):
        evaluate(expression, LISTING)


def test_back_quoted_values_keep_the_step_budget():
    with pytest.raises(LanguageError, match="steps"):
        evaluate("[x for x in `$.big` for y in `$.big`]", {"big": list(range(300))})


def test_a_flow_with_back_quoted_expressions_runs_through_the_sdk(flows, runner_for):
    definition = {
        "StartAt": "Name",
        "States": {
            "Name": {
                "Type": "ExpressionEval",
                "Parameters": {
                    "crate.=": "`$.input.dir` + '/' + `$.results[0].task_id` + '.crate'",
                    "count.=": "len(`$.results`)",
                },
                "ResultPath": "$.named",
                "End": True,
            }
        },
    }
    flow = flows.create_flow("Back-quotes", definition, {}).data
    body = {"input": {"dir": "/out"}, "results": [{"task_id": "t1"}, {"task_id": "t2"}]}
    run_id = runner_for(flow).run_flow(body)["run_id"]
    run = flows.get_run(run_id)
    assert run["status"] == "SUCCEEDED"
    assert run["details"]["output"]["named"] == {"crate": "/out/t1.crate", "count": 2}
