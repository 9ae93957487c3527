"""The compiled schema checks (globus_testkit.fastschema) agree with
jsonschema on every schema the emulator ships: on documents generated to
match each schema, and on the same documents broken in one place."""

from __future__ import annotations

import copy
from importlib.resources import files
from typing import Any

import globus_sdk
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from globus_testkit.fastschema import compile_schema, json_equal
from globus_testkit.http import schema_validator


@pytest.fixture(autouse=True)
def _once_per_run(request: pytest.FixtureRequest) -> None:
    """These check our own code against jsonschema, whatever the transport
    or SDK: run them once, in the in-process SDK 4 run."""
    server = request.config.getoption("--globus-transport") == "server"
    if server or int(globus_sdk.__version__.split(".")[0]) < 4:
        pytest.skip("transport- and SDK-independent: checked in the in-process SDK 4 run")


SCHEMAS = sorted(
    entry.name.removesuffix(".json")
    for entry in files("globus_testkit.schemas").iterdir()
    if entry.name.endswith(".json")
)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(-3, 3, allow_nan=False)
    | st.sampled_from(["", "x", "a" * 300, "6c54cade-bde5-45c1-bdea-f4bd71dba2cc", "1.0"])
)
json_values = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def from_schema(schema: Any, root: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    """Documents shaped by a schema of the subset we use (most match it;
    the tests keep those jsonschema accepts)."""
    root = root if root is not None else schema
    if not isinstance(schema, dict) or not schema:
        return json_values
    if "$ref" in schema:
        return from_schema(root["$defs"][schema["$ref"].rsplit("/", 1)[-1]], root)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "allOf")}
    if "anyOf" in schema:
        return st.one_of([from_schema({**rest, **option}, root) for option in schema["anyOf"]])
    if "allOf" in schema:
        merged = dict(rest)
        for part in schema["allOf"]:
            merged.update(part)
        return from_schema(merged, root)
    kinds = schema.get("type", "object" if "properties" in schema else None)
    if kinds is None:
        return json_values
    if isinstance(kinds, list):
        return st.one_of([from_schema({**schema, "type": kind}, root) for kind in kinds])
    return _of_type(kinds, schema, root)


def _of_type(kind: str, schema: dict[str, Any], root: dict[str, Any]) -> st.SearchStrategy[Any]:
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        named = st.fixed_dictionaries(
            {name: from_schema(properties.get(name, {}), root) for name in required},
            optional={
                name: from_schema(sub, root)
                for name, sub in properties.items()
                if name not in required
            },
        )
        additional = schema.get("additionalProperties")
        if not isinstance(additional, dict):
            return named
        others = st.dictionaries(
            st.text("ABCxyz", min_size=1, max_size=4).filter(lambda k: k not in properties),
            from_schema(additional, root),
            min_size=schema.get("minProperties", 0),
            max_size=max(2, schema.get("minProperties", 0)),
        )
        return st.tuples(named, others).map(lambda both: {**both[1], **both[0]})
    if kind == "array":
        low = schema.get("minItems", 0)
        return st.lists(
            from_schema(schema.get("items", {}), root),
            min_size=low,
            max_size=max(low, min(schema.get("maxItems", 3), 3)),
        )
    if kind == "string":
        low, high = schema.get("minLength", 0), schema.get("maxLength", 10**9)
        if "pattern" in schema:
            return st.from_regex(schema["pattern"]).filter(lambda t: low <= len(t) <= high)
        return st.text(min_size=low, max_size=max(low, min(high, 20)))
    if kind in ("integer", "number"):
        numbers = st.integers(schema.get("minimum"), schema.get("maximum"))
        return numbers if kind == "integer" else numbers | numbers.map(float)
    return {"boolean": st.booleans(), "null": st.none()}[kind]


def paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document (the root included)."""
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, (*prefix, index))
    return found


def just_past_the_limits(schema: Any) -> list[Any]:
    """Values one step beyond each length, size and number limit in a schema."""
    found: list[Any] = []
    if isinstance(schema, dict):
        for keyword, value in schema.items():
            if keyword == "maxLength":
                found.append("a" * (value + 1))
            elif keyword == "minLength" and value > 0:
                found.append("a" * (value - 1))
            elif keyword == "maxItems":
                found.append(["a"] * (value + 1))
            elif keyword in ("maximum", "minimum"):
                found += [value + 1, value - 1, value + 0.5]
            found += just_past_the_limits(value)
    elif isinstance(schema, list):
        for item in schema:
            found += just_past_the_limits(item)
    return found


@st.composite
def broken_in_one_place(draw: st.DrawFn, schema: dict[str, Any]) -> Any:
    """A valid document with one value replaced, one key dropped, or one
    key added somewhere."""
    document = copy.deepcopy(draw(from_schema(schema)))
    assume(schema_is_valid(schema, document))
    path = draw(st.sampled_from(paths(document)))
    if not path:
        return draw(json_values)
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    how = draw(st.sampled_from(["replace", "drop", "add"]))
    if how == "replace" or isinstance(parent, list):
        limits = just_past_the_limits(schema)
        parent[path[-1]] = draw(json_values | st.sampled_from(limits) if limits else json_values)
    elif how == "drop":
        del parent[path[-1]]
    else:
        parent[draw(st.text(max_size=6))] = draw(json_values)
    return document


def schema_is_valid(schema: dict[str, Any], document: Any) -> bool:
    import jsonschema

    return bool(jsonschema.validators.validator_for(schema)(schema).is_valid(document))


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_schema_we_ship_is_compiled(name):
    assert compile_schema(schema_validator(name).schema) is not None


@pytest.mark.parametrize("name", SCHEMAS)
@SETTINGS
@given(data=st.data())
def test_what_jsonschema_accepts_is_accepted(name, data):
    validator = schema_validator(name)
    document = data.draw(from_schema(validator.schema))
    assume(validator.is_valid(document))
    assert compile_schema(validator.schema)(document)


@pytest.mark.parametrize("name", SCHEMAS)
@SETTINGS
@given(data=st.data())
def test_a_document_broken_in_one_place_gets_the_same_answer(name, data):
    validator = schema_validator(name)
    document = data.draw(broken_in_one_place(validator.schema))
    assert compile_schema(validator.schema)(document) == validator.is_valid(document)


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (0, False, False),
        ([1, {"a": None}], [1.0, {"a": None}], True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ("1", 1, False),
        ([True], [1], False),
    ],
)
def test_json_equality_keeps_booleans_apart_from_numbers(a, b, equal):
    assert json_equal(a, b) is equal
