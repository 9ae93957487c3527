"""A fast yes for documents that match our own schemas.

jsonschema spends most of a small request's time walking its validator
machinery (about 5 us a keyword). The schemas under ``schemas/`` use a
small subset of JSON Schema, so each is compiled once here into plain
Python predicates that answer "valid?" in a fraction of that time.

Only the answer "valid" is ever taken from here: a document this says is
invalid goes to jsonschema, which finds and words the error (so refusals
read the same either way). A schema using any keyword this module does not
know is not compiled at all, and jsonschema alone decides. The predicates
are meant to agree with jsonschema exactly (``if``/``then`` needs that in
both directions); tests compare them over generated documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that say nothing about validity.
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$comment", "examples"})


class Unsupported(Exception):
    """The schema uses a keyword this module does not compile."""


def compile_schema(schema: Any) -> Check | None:
    """A predicate equal to jsonschema's ``is_valid`` for ``schema``, or
    None when the schema uses what is not compiled here."""
    try:
        return _Compiler(schema).compile(schema)
    except Unsupported:
        return None


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema means it: true and 1 differ, 1 and 1.0 do not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": _is_integer,
}


def _every(checks: list[Check]) -> Check:
    """One predicate that holds when all of ``checks`` do (a plain loop:
    cheaper per call than all() over a generator)."""
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]

    def every(v: Any) -> bool:
        for check in checks:  # noqa: SIM110 (the loop is the point)
            if not check(v):
                return False
        return True

    return every


class _Compiler:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema))
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in ("$defs", "then"):
                continue
            if keyword == "additionalProperties" and "properties" in schema:
                continue  # compiled with properties
            build = getattr(self, "_" + keyword.lstrip("$"), None)
            if build is None:
                raise Unsupported(keyword)
            checks.append(build(value, schema))
        return _every(checks)

    # -- any instance ------------------------------------------------------------

    def _type(self, value: Any, schema: dict[str, Any]) -> Check:
        names = value if isinstance(value, list) else [value]
        if not all(name in _TYPES for name in names):
            raise Unsupported(f"type {value!r}")
        tests = [_TYPES[name] for name in names]
        if len(tests) == 1:
            return tests[0]
        return lambda v: any(test(v) for test in tests)

    def _enum(self, value: list[Any], schema: dict[str, Any]) -> Check:
        return lambda v: any(json_equal(v, option) for option in value)

    def _const(self, value: Any, schema: dict[str, Any]) -> Check:
        return lambda v: json_equal(v, value)

    def _anyOf(self, value: list[Any], schema: dict[str, Any]) -> Check:
        options = [self.compile(s) for s in value]
        return lambda v: any(option(v) for option in options)

    def _allOf(self, value: list[Any], schema: dict[str, Any]) -> Check:
        return _every([self.compile(s) for s in value])

    def _if(self, value: Any, schema: dict[str, Any]) -> Check:
        condition = self.compile(value)
        then = self.compile(schema.get("then", True))
        return lambda v: not condition(v) or then(v)

    def _ref(self, value: str, schema: dict[str, Any]) -> Check:
        if not value.startswith("#/$defs/") or "/" in value[len("#/$defs/") :]:
            raise Unsupported(value)
        if value not in self.refs:
            self.refs[value] = lambda v: True  # a placeholder while it compiles
            target = self.compile(self.root["$defs"][value[len("#/$defs/") :]])
            self.refs[value] = target
        refs = self.refs
        return lambda v: refs[value](v)

    # -- strings ---------------------------------------------------------------------

    def _minLength(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) >= value

    def _maxLength(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) <= value

    def _pattern(self, value: str, schema: dict[str, Any]) -> Check:
        search = re.compile(value).search
        return lambda v: not isinstance(v, str) or search(v) is not None

    # -- numbers ---------------------------------------------------------------------

    def _minimum(self, value: float, schema: dict[str, Any]) -> Check:
        return lambda v: not _is_number(v) or v >= value

    def _maximum(self, value: float, schema: dict[str, Any]) -> Check:
        return lambda v: not _is_number(v) or v <= value

    # -- arrays ----------------------------------------------------------------------

    def _items(self, value: Any, schema: dict[str, Any]) -> Check:
        if isinstance(value, list):
            raise Unsupported("items as a list")
        item = self.compile(value)
        return lambda v: not isinstance(v, list) or all(item(x) for x in v)

    def _minItems(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) >= value

    def _maxItems(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) <= value

    # -- objects ---------------------------------------------------------------------

    def _required(self, value: list[str], schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, dict) or all(name in v for name in value)

    def _minProperties(self, value: int, schema: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, dict) or len(v) >= value

    def _properties(self, value: dict[str, Any], schema: dict[str, Any]) -> Check:
        known = {name: self.compile(sub) for name, sub in value.items()}
        extra = self.compile(schema.get("additionalProperties", True))

        def check(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for name, item in v.items():
                test = known.get(name, extra)
                if not test(item):
                    return False
            return True

        return check

    def _additionalProperties(self, value: Any, schema: dict[str, Any]) -> Check:
        extra = self.compile(value)  # no "properties": every key is extra
        return lambda v: not isinstance(v, dict) or all(extra(x) for x in v.values())
